"""The JSON API fuzzed from its own OpenAPI schema (schemathesis, in process over ASGI): whatever a client sends,
with a personal API token or with the session cookie and its CSRF header, the API answers without a server error
and every answer matches the schema (status codes, content types, bodies)."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from cxscale.portfolio import open_store, service
from cxscale.proof.library import add_proof
from cxscale.web import WebConfig, create_app
from tests.web.conftest import csrf_of, login

#: Examples per operation and credential: enough to reach every status code the API declares, well under a minute.
EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, web_world, built_store, proof_point):
    """One copy of the test store for the whole module (the fuzzer may stop initiatives: that is allowed), the app
    over it, and both credentials of eva.council (council: every decision is open to her)."""
    world, _, _ = web_world
    path = tmp_path_factory.mktemp("fuzz") / "portfolio.db"
    shutil.copyfile(built_store, path)
    store = open_store(path)
    try:
        root = next(p for p in service.people(store) if p.id == "root")
        token = service.issue_token(store, "eva.council", root)
        add_proof(store, proof_point)
    finally:
        store.close()
    app = create_app(WebConfig(store=str(path), workspace=path.parent, data=world))
    client = TestClient(app)
    login(client, "eva.council")
    session = {"cookies": {"cxscale_session": client.cookies["cxscale_session"]},
               "headers": {"X-CSRF-Token": csrf_of(client)}}
    return app, {"token": {"headers": {"Authorization": f"Bearer {token}"}}, "session": session}


def test_the_api_keeps_to_its_schema(fuzzed):
    """Every operation, EXAMPLES generated requests each (derandomized: the same requests every run), each sent
    with both credentials. (schemathesis' pytest loader does not run under pytest 9: its strategies are driven by
    hypothesis here instead.)"""
    app, credentials = fuzzed
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    calls: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
        def run(case) -> None:
            for auth in credentials.values():
                case.call_and_validate(headers=auth["headers"], cookies=auth.get("cookies", {}))
                calls.append(case.operation.label)

        run()
    assert len(set(calls)) == len(list(schema.get_all_operations())) >= 14
    print(f"schemathesis: {len(calls)} calls over {len(set(calls))} operations")


def test_the_schema_describes_every_api_call(fuzzed):
    """Every /api route is in the published schema with its answers (so the fuzzer above reaches all of them)."""
    doc = TestClient(fuzzed[0]).get("/api/openapi.json").json()
    routes = {r.path for r in fuzzed[0].routes if getattr(r, "path", "").startswith("/api/")} - {
        "/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"}
    assert routes == set(doc["paths"])
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert {"200", "401"} <= set(op["responses"]), f"{method.upper()} {path} does not declare 401"
