"""The desktop-facing HTTP router, driven through FastAPI's test client (a real ASGI app)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from cxscale.capabilities import builtin_models
from cxscale.capabilities.http import router


def _client() -> TestClient:
    app = FastAPI()
    app.include_router(router(builtin_models()), prefix="/capabilities")
    return TestClient(app)


def test_desktop_gets_a_suggestion_and_logs_feedback():
    c = _client()
    r = c.post("/capabilities/guidance/suggest", json={"interaction_id": "I7", "text": "moving house on 3 May"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["items"][0]["key"] == "kb-move_home" and s["interaction_id"] == "I7"
    f = c.post("/capabilities/feedback", json={"suggestion": s, "action": "accepted", "chosen_item": "kb-move_home"})
    assert f.status_code == 200, f.text
    assert f.json()["suggestion_id"] == s["suggestion_id"]


def test_bad_requests_get_one_clear_error():
    c = _client()
    assert c.post("/capabilities/nope/suggest", json={}).status_code == 404
    assert c.post("/capabilities/outreach/suggest", json={}).status_code == 404
    assert c.post("/capabilities/guidance/suggest", json={"turns": [["robot", "hi"]]}).status_code == 422
    s = c.post("/capabilities/guidance/suggest", json={"text": "password"}).json()
    forged = {**s, "suggestion_id": "0" * 16}
    r = c.post("/capabilities/feedback", json={"suggestion": forged, "action": "accepted"})
    assert r.status_code == 422 and "does not match" in r.json()["detail"]
