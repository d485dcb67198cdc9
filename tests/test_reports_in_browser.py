"""The HTML reports are for people: they must render offline in a real browser (headless Chromium) with their charts."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cxscale.demo import run_demo
from cxscale.measure.html import write_html
from tests.conftest import system_tool
from tests.measure.pages import SPEC, arms_readout, edge_readout

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    return system_tool("chromium", "chromium-browser", package="chromium")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, customers=4000, seed=3)
    return out


def _browser(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


def _screenshot(page: Path, tmp: Path) -> Image.Image:
    png = tmp / f"{page.stem}.png"
    _browser(page, tmp, f"--screenshot={png}", "--window-size=1280,1000")
    assert png.exists(), f"chromium wrote no screenshot of {page}"
    return Image.open(png).convert("RGB")


@pytest.mark.parametrize("name,charts", [("diagnosis.html", 3), ("readouts/proactive_alerts.html", 1)])
def test_report_renders_its_charts_in_a_real_browser(reports: Path, tmp_path: Path, name: str, charts: int):
    page = reports / name
    html = page.read_text()
    assert not re.search(r"""(src|href)=["']https?://""", html), "reports must work offline: no remote assets"
    dom = _browser(page, tmp_path, "--dump-dom").stdout
    svgs = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    assert len(svgs) >= charts
    assert all(len(re.findall(r"<(rect|path|line|circle|polygon)\b", s)) >= 3 for s in svgs[:charts])

    image = _screenshot(page, tmp_path)
    pixels = np.asarray(image).reshape(-1, 3).astype(np.int64)
    ink = float((pixels.sum(axis=1) < 720).mean())
    colours = len(np.unique(pixels, axis=0))
    assert ink > 0.02, f"{name} renders almost blank ({ink:.1%} non-white pixels)"
    assert colours > 50, f"{name} renders with only {colours} colours: charts are missing"


# Measures, in the page as Chromium lays it out, every SVG text's box (getBBox, in viewBox units) and whether the
# page scrolls sideways; the result is written into the DOM, which --dump-dom prints.
MEASURE = """<script>
const texts = [];
document.querySelectorAll("svg").forEach((svg, i) => {
  const vb = svg.viewBox.baseVal;
  svg.querySelectorAll("text").forEach(t => {
    const b = t.getBBox();
    texts.push({svg: i, text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height, vw: vb.width, vh: vb.height});
  });
});
const rows = [...document.querySelectorAll("tr.metric")];
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify({texts, rows: rows.length,
  targets: rows.filter(r => r.querySelector("td.target") && r.querySelector("td.target").textContent.trim()).length,
  page_width: document.documentElement.scrollWidth, window_width: window.innerWidth});
document.body.appendChild(out);
</script>"""


def _measure(page: Path, tmp: Path) -> dict:
    probe = tmp / f"{page.stem}.measure.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = _browser(probe, tmp, "--dump-dom", "--window-size=1280,1000").stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, flags=re.S)
    assert found, f"chromium did not run the measuring script on {page}"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def readout_pages(tmp_path_factory: pytest.TempPathFactory, reports: Path) -> list[Path]:
    """The demo's readouts, and a two-arm readout with long metric names, a metric without an estimate and (edge) a
    relative CI unbounded on one side."""
    arms = arms_readout(tmp_path_factory.mktemp("arms"))
    out = tmp_path_factory.mktemp("pages")
    return sorted((reports / "readouts").glob("*.html")) + [write_html(arms, out / "long_names.html", SPEC),
                                                          write_html(edge_readout(arms), out / "edge.html", SPEC)]


def test_readout_pages_keep_every_chart_text_inside_the_chart_and_a_target_on_every_row(readout_pages, tmp_path):
    assert len(readout_pages) >= 4
    for page in readout_pages:
        m = _measure(page, tmp_path)
        assert m["texts"], f"{page.name}: no chart text measured"
        for t in m["texts"]:
            inside = t["x"] >= -0.5 and t["x"] + t["w"] <= t["vw"] + 0.5 and t["y"] >= -0.5 and \
                t["y"] + t["h"] <= t["vh"] + 0.5
            assert inside, f"{page.name}: chart text {t['text']!r} overflows its SVG ({t})"
        assert m["rows"] > 0 and m["targets"] == m["rows"], f"{page.name}: a metric row has no target cell"
        assert m["page_width"] <= m["window_width"], f"{page.name}: the page scrolls sideways at 1280 px"


def test_readout_page_with_unbounded_and_missing_numbers_renders_without_inf_or_nan(readout_pages, tmp_path):
    page = next(p for p in readout_pages if p.name == "edge.html")
    dom = _browser(page, tmp_path, "--dump-dom").stdout
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", dom, flags=re.S)))
    words = set(re.findall(r"[a-z]+", text.lower()))
    assert "unbounded" in words and not words & {"nan", "inf", "infinity"}
    assert re.search(r"\d%", text), "rates must read as percentages"
    image = _screenshot(page, tmp_path)
    pixels = np.asarray(image).reshape(-1, 3).astype(np.int64)
    assert float((pixels.sum(axis=1) < 720).mean()) > 0.02, "the page renders almost blank"
