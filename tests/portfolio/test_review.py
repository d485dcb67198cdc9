"""The quarterly review pack (docs/portfolio-audit.md#the-review-pack): its numbers are the records' (stages, value
proven and realised, moves and decisions of the quarter, overrides), and the page renders offline in real Chromium
with its charts, no request leaving the file and no console error."""

from __future__ import annotations

import html
import re

import pytest

from cxscale.portfolio.log import Verification
from cxscale.portfolio.review import build_review, render_review, write_review
from cxscale.portfolio.scorecard import evaluate
from tests.conftest import system_tool
from tests.portfolio.records_for_audit import (
    AS_OF,
    PEOPLE,
    days_ago,
    entry,
    initiative,
    readout,
    stored,
    world,
)

OK = Verification(ok=True, size=6, head="0" * 64)


def portfolio():
    """Two pilots (one past its window), an idea, a proof and a scaled use case advanced by an override; one
    decision from the quarter before."""
    proven = readout(verdict="proven")
    realised = readout(value=readout().value.model_copy(update={"annual": 12_000.0}))
    return [
        initiative(id="pilot-ok"),
        initiative(id="pilot-late", since=70, title="Late pilot"),
        initiative(id="idea-1", stage="idea", since=5),
        initiative(id="proof-1", stage="proof", since=20, readouts=(stored(proven, days_ago(25)),)),
        initiative(id="scaled", stage="scale", since=30, readouts=(stored(proven, days_ago(60)),
                                                                   stored(realised, days_ago(3))),
                   decisions=(entry("scaled", "advance", days_ago(120), "proof", "pilot", seq=1),
                              entry("scaled", "signoff", days_ago(40), actor="bruno", seq=4),
                              entry("scaled", "override", days_ago(30), "scale", "proof", actor="daniel", seq=5))),
    ]


@pytest.fixture(scope="module")
def pack():
    history = [evaluate(portfolio()[:2], PEOPLE, world()[0], OK, days_ago(90), "2026Q2")]
    return build_review(portfolio(), PEOPLE, world()[0], "2026Q3", AS_OF, OK, history,
                        compounding={"verdict": "overlaps", "reason": "the whole is less than the sum",
                                     "combined_annual": 20_000.0, "sum_of_proven_annual": 37_085.9})


def test_the_packs_numbers_are_the_records(pack):
    stages = {r.stage: r for r in pack.pipeline}
    assert {s: r.initiatives for s, r in stages.items() if r.initiatives} == {
        "idea": ("idea-1",), "pilot": ("pilot-ok", "pilot-late"), "proof": ("proof-1",), "scale": ("scaled",)}
    annual = readout().value.annual
    assert stages["proof"].proven == pytest.approx(annual) and stages["scale"].proven == pytest.approx(annual)
    assert stages["scale"].realised == 12_000.0 and stages["proof"].realised == 0
    assert pack.currency == readout().value.currency
    # The quarter (2026-07-01 to 2026-10-01) holds every entry but the advance of 120 days before AS_OF.
    assert [e.subject for e in pack.decisions if e.subject == "scaled"] == ["scaled", "scaled"]
    assert [(e.subject, e.action) for e in pack.moves if e.action == "override"] == [("scaled", "override")]
    assert all(e.action != "signoff" for e in pack.moves)
    assert [f.initiative for f in pack.stalled] == ["pilot-late"]
    assert pack.stalled[0].keys == ("unmeasured/past_window_no_decision",)
    assert [(g.initiative, g.gate) for g in pack.next_gates] == [
        ("pilot-ok", "pilot -> proof"), ("pilot-late", "pilot -> proof"), ("idea-1", "idea -> pilot"),
        ("proof-1", "proof -> scale")]
    assert [q for q, _ in pack.trend] == ["2026Q2", "2026Q3"]


def test_the_page_shows_the_packs_numbers_and_marks_overrides(pack):
    page = render_review(pack)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    cur = pack.currency
    assert f"{readout().value.annual:,.0f} {cur}" in text and f"12,000 {cur}" in text
    overrides = re.findall(r'<tr class="decision overridden">.*?</tr>', page, flags=re.S)
    assert len(overrides) == 1 and "scaled" in overrides[0] and "override</span>" in overrides[0]
    assert len(re.findall(r'<tr class="decision( overridden)?">', page)) == len(pack.decisions)
    assert "unmeasured/past_window_no_decision" in text and "overlaps" in text
    assert text.count("level ") >= 4 and "2026Q2" in text


def test_a_pack_without_a_compounding_check_says_so(pack):
    page = render_review(build_review(portfolio(), PEOPLE, None, "2026Q3", AS_OF, None))
    assert "No compounding check was given" in page and "not verified" in page


def _chromium() -> str:
    return system_tool("chromium", "chromium-browser", package="chromium")


def test_the_pack_renders_offline_in_chromium_with_its_charts_and_no_error(pack, tmp_path):
    from playwright.sync_api import sync_playwright

    out = write_review(pack, tmp_path / "review.html")
    source = out.read_text()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", source), "the pack must work offline"
    errors, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(out.as_uri())
            svgs = page.locator("svg").count()
            texts = page.evaluate("""() => [...document.querySelectorAll('svg')].flatMap(svg => {
                const vb = svg.viewBox.baseVal;
                return [...svg.querySelectorAll('text')].map(t => { const b = t.getBBox();
                  return {t: t.textContent, ok: b.x >= -0.5 && b.x + b.width <= vb.width + 0.5}; }); })""")
            wide = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
            marks = page.evaluate("() => [...document.querySelectorAll('svg rect[fill]')].length")
        finally:
            browser.close()
    assert errors == [] and outside == []
    assert svgs == 4 and marks > 10
    assert [t["t"] for t in texts if not t["ok"]] == [], "chart text overflows its chart"
    assert wide, "the pack scrolls sideways at 1280 px"
