"""The portfolio store on both databases: a SQLite file, and a database of its own on the session's PostgreSQL
server (tests/pg.py)."""

from __future__ import annotations

import itertools

import pytest

from cxscale.portfolio import open_store

_DATABASES = itertools.count(1)


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
def pilot_world(tmp_path_factory):
    """A 20,000-customer simulated world, the readout of its proactive_alerts pilot and its power plan."""
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot
    from cxscale.measure.run import measure_spec
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("pilot-world")
    simulate(out=out, customers=20_000, seed=42)
    readout = measure_spec(out / "pilots" / "proactive_alerts.yaml")
    plan = plan_pilot(open_data(out), "cost_to_serve", -0.05, window_days=56)
    return out, readout, plan
