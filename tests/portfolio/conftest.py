"""The portfolio store on both databases: a SQLite file, and a database of its own on the session's PostgreSQL
server (tests/pg.py); the simulated worlds the tests read, each simulated once per session; tokens hashed at
argon2's lowest cost (production keeps argon2-cffi's defaults, which test_people checks)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from cxscale.portfolio import open_store

_DATABASES = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def production_hasher() -> Iterator[PasswordHasher]:
    """The hasher cxscale keeps tokens with, swapped for argon2 at its lowest cost while these tests run: a default
    hash or check costs about a second on a loaded two-core machine, and a CLI walk-through makes a dozen.
    Verification reads the parameters from the hash, so a token hashed at the production cost still authenticates
    (test_people)."""
    from cxscale.portfolio import people

    production = people._HASHER
    patch = pytest.MonkeyPatch()
    patch.setattr(people, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield production
    patch.undo()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty store: a SQLite file not created yet, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "portfolio.db")
    import psycopg

    server = request.getfixturevalue("postgres")
    name = f"portfolio_{next(_DATABASES)}"
    with psycopg.connect(host="127.0.0.1", port=server.port, user="cxscale", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql://cxscale@127.0.0.1:{server.port}/{name}"


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def world_50k(tmp_path_factory) -> Path:
    """The support world of 50,000 customers, seed 42 (the demo's and docs/portfolio.md's): the smallest in which
    proactive_alerts is proven and its -5% target detectable in 56 days. Read it, never write into it."""
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("world-50k")
    simulate(out=out, customers=50_000, seed=42)
    return out


@pytest.fixture(scope="session")
def pilot_world(tmp_path_factory):
    """A 20,000-customer simulated world, the readout of its proactive_alerts pilot and its power plan: too small
    for the -5% target (the plan fails on its data, the readout recommends extend), which the service tests use."""
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot
    from cxscale.measure.run import measure_spec
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("pilot-world")
    simulate(out=out, customers=20_000, seed=42)
    readout = measure_spec(out / "pilots" / "proactive_alerts.yaml")
    plan = plan_pilot(open_data(out), "cost_to_serve", -0.05, window_days=56)
    return out, readout, plan
