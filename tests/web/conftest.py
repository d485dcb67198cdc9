"""A dashboard over a real SQLite store: the test portfolio of tests/portfolio/folio.py synced, one initiative
carried to proof on a winning readout (so that sign-offs are possible), everyone with a password."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cxscale.portfolio import open_store, service
from cxscale.portfolio.passwords import set_password
from cxscale.portfolio.people import authenticate
from cxscale.web import WebConfig, create_app
from tests.portfolio import folio

PASSWORD = "correct horse battery"
ADMIN = {"id": "root", "name": "Root Admin", "functions": [], "roles": ["admin", "council"], "os_user": "cxscale-test"}


@pytest.fixture(scope="session")
def web_world(tmp_path_factory):
    """A 5,000-customer world, the readout of its proactive_alerts pilot (as measured: it recommends extend) and
    its power plan."""
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot
    from cxscale.measure.run import measure_spec
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("web-world")
    simulate(out=out, customers=5_000, seed=42)
    readout = measure_spec(out / "pilots" / "proactive_alerts.yaml")
    plan = plan_pilot(open_data(out), "cost_to_serve", -0.05, window_days=56)
    return out, readout, plan


@dataclass
class Portfolio:
    store_path: Path
    world: Path
    readout: object
    plan: object

    def person(self, person_id: str):
        store = open_store(self.store_path)
        try:
            return next(p for p in service.people(store) if p.id == person_id)
        finally:
            store.close()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory, web_world) -> Path:
    """The store, built once: `at-proof` is at proof on a winning readout; `at-pilot` is at pilot on a readout that
    recommends extend; `at-idea` waits at idea."""
    world, readout, plan = web_world
    tmp_path = tmp_path_factory.mktemp("web-store")
    folder = folio.write_folder(tmp_path / "portfolio", world, people=[*folio.PEOPLE, ADMIN], **{
        "at-proof": folio.use_case(world, "at-proof"), "at-pilot": folio.use_case(world, "at-pilot"),
        "at-idea": folio.use_case(world, "at-idea", title="<script>alert('title')</script> Idea")})
    path = tmp_path / "portfolio.db"
    store = open_store(path)
    try:
        service.sync(store, folder, None)
        root = authenticate(store, None, user="cxscale-test")
        ana = next(p for p in service.people(store) if p.id == "ana.souza")
        for iid, doc in (("at-proof", folio.winning(readout)), ("at-pilot", readout)):
            service.advance(store, iid, "pilot", "lints clean and the plan detects the target", ana,
                            plan=folio.detectable(plan))
            service.attach_readout(store, iid, doc, root)
        service.advance(store, "at-proof", "proof", "the readout says ship", ana)
        for p in [*folio.PEOPLE, ADMIN]:
            set_password(store, p["id"], PASSWORD, None)
    finally:
        store.close()
    return path


@pytest.fixture
def portfolio(tmp_path, web_world, built_store) -> Portfolio:
    """A copy of the built store for one test (SQLite: the file is the whole store)."""
    world, readout, plan = web_world
    path = tmp_path / "portfolio.db"
    shutil.copyfile(built_store, path)
    return Portfolio(path, world, readout, plan)


@pytest.fixture
def app(portfolio: Portfolio):
    return create_app(WebConfig(store=str(portfolio.store_path), workspace=portfolio.store_path.parent,
                                data=portfolio.world, login_failures=5))


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app)


def login(client: TestClient, user: str, password: str = PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"user": user, "password": password, "csrf": token, "next": "/"},
                       follow_redirects=False)


def csrf_of(client: TestClient, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


@pytest.fixture(scope="session")
def proof_point(web_world):
    """The proof point of the test world's proven agent_assist pilot, built as tests/proof builds it."""
    from cxscale.data import open_data
    from cxscale.documents import load_spec
    from cxscale.measure.run import measure_spec
    from cxscale.proof import build_proof
    from tests.proof.conftest import BUILT, World, use_case_of

    world = web_world[0]
    spec_path = world / "pilots" / "agent_assist.yaml"
    spec = load_spec(spec_path)
    readout = measure_spec(spec_path)
    w = World(world, spec_path, spec, readout, use_case_of(spec), None)  # type: ignore[arg-type]
    return build_proof(w.initiative(), open_data(world), spec=spec, built_at=BUILT)


@pytest.fixture
def with_proof(portfolio, proof_point):
    """The test store with the proof point in its library."""
    from cxscale.proof.library import add_proof

    store = open_store(portfolio.store_path)
    try:
        add_proof(store, proof_point)
    finally:
        store.close()
    return proof_point
