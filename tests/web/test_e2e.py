"""The dashboard as a person uses it, in a real headless Chromium against a live server on a loopback port: log in,
open the pipeline, open an initiative, sign off, advance a gate, see both decisions in the log, the audit, scorecard and review
pack, search the proof-point library, open a proof point and download its PDF. No console error,
no request leaves the host. Screenshots of every page are written to the test's folder and, with
CXSCALE_DASHBOARD_SCREENSHOTS=docs/img, to the docs (docs/dashboard.md shows them)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cxscale.portfolio import open_store, service
from cxscale.web import WebConfig, create_app
from tests.portfolio import folio
from tests.web.browser import FLAGS, Watch, chromium, live_server
from tests.web.conftest import PASSWORD

DEMO = (("ana.souza", "technology owner of the pilots"), ("daniel.rocha", "executive sponsor"),
        ("carla.mendes", "commercial owner"), ("vic.viewer", "reads only"))


@pytest.fixture(scope="module")
def diagnosis_json(web_world, tmp_path_factory) -> Path:
    """The diagnosis of the test world (the journey page and the audit read it from the workspace)."""
    from cxscale.data import open_data
    from cxscale.journey import diagnose

    path = tmp_path_factory.mktemp("diagnosis") / "diagnosis.json"
    path.write_text(json.dumps(diagnose(open_data(web_world[0])).as_json()))
    return path


@pytest.fixture
def site(portfolio, diagnosis_json, with_proof):
    """The test portfolio with `at-pilot`'s readout now winning (its pilot -> proof gate holds), the world's
    diagnosis and a proof point in the library, served live."""
    store = open_store(portfolio.store_path)
    try:
        service.attach_readout(store, "at-pilot", folio.winning(portfolio.readout), portfolio.person("root"))
    finally:
        store.close()
    shutil.copyfile(diagnosis_json, portfolio.store_path.parent / "diagnosis.json")
    app = create_app(WebConfig(store=str(portfolio.store_path), workspace=portfolio.store_path.parent,
                               data=portfolio.world, demo_logins=DEMO, demo_password=PASSWORD))
    with live_server(app) as base:
        yield base


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), headless=True, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


def _shot(page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot, checked to show something (not a blank or one-colour page)."""
    png = tmp_path / f"dashboard-{name}.png"
    page.screenshot(path=str(png), full_page=True)
    pixels = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels[:: max(1, len(pixels) // 200_000)], axis=0)) > 20, f"{name}: the page looks blank"
    target = os.environ.get("CXSCALE_DASHBOARD_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(target) / png.name)
    return png


def _login(page, base: str, user: str) -> None:
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_sign_off_and_advance_in_a_real_browser(site, browser, tmp_path):
    base = site
    watch = Watch(base)
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    watch.attach(context)
    page = context.new_page()

    page.goto(f"{base}/login")
    assert "Demo mode" in page.content()
    _shot(page, tmp_path, "login")
    _login(page, base, "ana.souza")
    assert page.locator("h1").first.inner_text() == "Portfolio pipeline"
    assert page.locator("[data-stage=proof] .item").count() == 1
    _shot(page, tmp_path, "pipeline")

    # Open the initiative at proof from its card, and sign off for technology (ana's own function).
    page.click("[data-stage=proof] .item")
    page.wait_for_url(f"{base}/initiatives/at-proof")
    assert page.get_by_role("button", name="Sign off for technology").count() == 1
    assert page.get_by_role("button", name="Sign off for commercial").count() == 0
    _shot(page, tmp_path, "initiative")
    page.get_by_role("button", name="Sign off for technology").click()
    page.wait_for_url(f"{base}/initiatives/at-proof?flash=*")
    assert "technology sign-off recorded" in page.locator(".flash.ok").inner_text()
    assert "signed off by ana.souza" in page.content()

    # Advance at-pilot through its gate (every condition holds on the winning readout).
    page.goto(f"{base}/initiatives/at-pilot")
    assert "every condition holds" in page.content()
    page.fill("#reason-advance", "the readout proves the cost cut")
    page.get_by_role("button", name="Advance to proof").click()
    page.wait_for_url(f"{base}/initiatives/at-pilot?flash=*")
    assert page.locator(".meta .badge").first.inner_text() == "proof"

    # Both decisions are in the log, which verifies.
    page.click("nav >> text=Decision log")
    page.wait_for_url(f"{base}/log")
    assert "The log verifies" in page.locator(".flash.ok").inner_text()
    rows = page.locator("table tr").all_inner_texts()
    assert any("ana.souza" in r and "advance" in r and "the readout proves the cost cut" in r for r in rows)
    assert any("ana.souza" in r and "signoff" in r for r in rows)
    _shot(page, tmp_path, "log")

    page.click("nav >> text=Journey")
    page.wait_for_url(f"{base}/journey")
    _shot(page, tmp_path, "journey")

    # The audit, the scorecard with its trend, the review pack opened and downloaded, the role views.
    page.click("nav >> text=Audit")
    page.wait_for_url(f"{base}/audit")
    assert page.locator(".finding").count() == 3
    _shot(page, tmp_path, "audit")
    page.click("nav >> text=Scorecard")
    page.wait_for_url(f"{base}/scorecard")
    assert page.locator("figure svg").count() == 1
    _shot(page, tmp_path, "scorecard")
    page.click("nav >> text=Review")
    page.wait_for_url(f"{base}/review")
    _shot(page, tmp_path, "review")
    with page.expect_download() as got:
        page.click("text=Download (HTML)")
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name.startswith("review-") and "<svg" in saved.read_text()
    page.click("text=/Open the .* pack/")
    page.wait_for_url(f"{base}/review/*.html")
    _shot(page, tmp_path, "review-pack")
    # The proof-point library: search, open a proof point, download its PDF.
    page.goto(f"{base}/")
    page.click("nav >> text=Proof points")
    page.wait_for_url(f"{base}/proof")
    _shot(page, tmp_path, "proof-library")
    page.fill("#q", "nothing like this")
    page.click("form.filters button")
    assert page.locator(".proof-card").count() == 0
    page.fill("#q", "agent guidance")
    page.select_option("#f-journey_stage", "billing")
    page.click("form.filters button")
    page.wait_for_url("**/proof?q=agent+guidance*")
    assert page.locator(".proof-card").count() == 1
    page.click(".proof-card")
    page.wait_for_url(f"{base}/proof/*")
    assert "cut handle time by 14%" in page.content()
    _shot(page, tmp_path, "proof")
    with page.expect_download() as got:
        page.click("text=Download the PDF")
    pdf = tmp_path / got.value.suggested_filename
    got.value.save_as(pdf)
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    page.click("text=Open the page")
    page.wait_for_url(f"{base}/proof/*/page.html")
    _shot(page, tmp_path, "proof-page")

    for view in ("executive", "operations", "commercial"):
        page.goto(f"{base}/?view={view}")
        _shot(page, tmp_path, f"pipeline-{view}")

    assert watch.errors == []
    assert watch.outside == []
    context.close()
