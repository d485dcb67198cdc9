"""The dashboard's pages over the test store: each shows what the CLI command of the same name computes (audit,
scorecard, review), the pipeline's three role views lead with their own numbers, and the API returns the same."""

from __future__ import annotations

import re

from cxscale.portfolio import open_store, service
from cxscale.portfolio.audit import audit
from tests.web.conftest import login


def _findings(portfolio):
    store = open_store(portfolio.store_path)
    try:
        return audit(service.initiatives(store), service.people(store), None, __import__("datetime").datetime.now(
            __import__("datetime").UTC))
    finally:
        store.close()


def test_the_audit_page_shows_the_audit_worst_first(client, portfolio):
    login(client, "vic.viewer")
    page = client.get("/audit")
    assert page.status_code == 200
    found = _findings(portfolio)
    ranks = [int(r) for r in re.findall(r'class="rank">#(\d+)<', page.text)]
    assert ranks == [f.rank for f in found] == sorted(ranks)
    for f in found:
        for g in f.flags:
            assert g.key in page.text
    api = client.get("/api/audit").json()["findings"]
    assert [f["initiative"] for f in api] == [f.initiative for f in found]


def test_the_scorecard_page_shows_each_dimension_and_stores_nothing(client, portfolio):
    login(client, "vic.viewer")
    page = client.get("/scorecard").text
    for d in ("embedded", "aligned", "augmenting", "governed"):
        assert f'<div class="k">{d}</div>' in page
    assert "<svg" in page  # the trend chart
    card = client.get("/api/scorecard").json()
    assert {d["dimension"] for d in card["scorecard"]["dimensions"]} == {"embedded", "aligned", "augmenting",
                                                                         "governed"}
    from cxscale.portfolio.scorecard import evaluations

    store = open_store(portfolio.store_path)
    try:
        assert evaluations(store) == []
    finally:
        store.close()


def test_the_review_pack_opens_and_downloads(client):
    login(client, "ana.souza")
    page = client.get("/review?quarter=2026Q4")
    assert page.status_code == 200 and 'href="/review/2026Q4.html?download=true"' in page.text
    pack = client.get("/review/2026Q4.html")
    assert pack.status_code == 200 and "2026Q4" in pack.text and "<svg" in pack.text
    assert "content-disposition" not in pack.headers
    download = client.get("/review/2026Q4.html?download=true")
    assert download.headers["content-disposition"] == 'attachment; filename="review-2026Q4.html"'
    assert client.get("/review/2026Q9.html").status_code == 404
    assert client.get("/review?quarter=nonsense").status_code == 404


def test_each_role_view_leads_with_its_own_numbers(client):
    login(client, "daniel.rocha")
    executive = client.get("/").text
    assert "Value proven a year" in executive and "Value realised a year" in executive
    assert "Money at stake" in executive
    operations = client.get("/?view=operations").text
    for label in ("handle time", "resolution", "repeat contacts", "CSAT"):
        assert f'<div class="k">{label}</div>' in operations
    assert "csat_mean" in operations  # the guardrail the test readout measures
    commercial = client.get("/?view=commercial").text
    assert "Proven results to claim" in commercial


def test_pages_need_a_login(client):
    for path in ("/audit", "/scorecard", "/review", "/review/2026Q4.html"):
        assert client.get(path, follow_redirects=False).status_code == 303
    assert client.get("/api/audit").status_code == client.get("/api/scorecard").status_code == 401


def test_the_proof_library_searches_and_filters_and_each_proof_point_downloads(client, with_proof):
    login(client, "carla.mendes")
    library = client.get("/proof").text
    short = with_proof.content_digest
    assert f'href="/proof/{short}"' in library and "1 proof point." in library
    assert f'href="/proof/{short}"' in client.get("/proof?q=guidance").text
    assert "0 proof points" in client.get("/proof?q=nothingmatchesthis").text
    assert "0 proof points" in client.get("/proof?journey_stage=retention").text
    assert f'href="/proof/{short}"' in client.get("/proof?journey_stage=billing&capability=agent_assist").text
    page = client.get(f"/proof/{short[:12]}").text
    claim = next(c for c in with_proof.claims if c.role == "primary")
    assert claim.text in page and "cut handle time by 14%" in page
    assert "<svg" in client.get(f"/proof/{short}/page.html").text
    pdf = client.get(f"/proof/{short}/proof.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert client.get("/proof/nothex").status_code == client.get("/proof/00000000").status_code == 404
    commercial = client.get("/?view=commercial").text
    assert "Claims they support" in commercial and with_proof.title in commercial
    assert [p["digest"] for p in client.get("/api/proof-points", params={"search": "guidance"}).json()] == [short]
    assert client.get(f"/api/proof-points/{short[:10]}").json()["id"] == with_proof.id


def test_the_log_page_verifies_against_the_workspace_checkpoint_with_its_key(client, portfolio):
    """As `make demo` leaves it: portfolio-log.checkpoint.json and the key pair beside the store."""
    from cxscale.portfolio.log import checkpoint, generate_key

    folder = portfolio.store_path.parent
    store = open_store(portfolio.store_path)
    try:
        checkpoint(store, generate_key(folder / "portfolio-log.key")).write(folder / "portfolio-log.checkpoint.json")
    finally:
        store.close()
    login(client, "vic.viewer")
    assert "The log verifies" in client.get("/log").text
    assert client.get("/api/log").json()["verified"] is True
    assert client.get("/scorecard").status_code == 200
