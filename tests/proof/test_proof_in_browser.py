"""The proof point's page and the library's index in a real browser (headless Chromium), offline: no reference is
loaded from anywhere, every chart draws, no text leaves its chart, the page does not scroll sideways."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np

from cxscale.proof import render
from cxscale.proof.library import index_html, list_proofs, record_proof
from tests.test_reports_in_browser import _browser, _screenshot

PROBE = """<script>
window.addEventListener("load", () => {
  const texts = [];
  document.querySelectorAll("svg").forEach((svg, i) => {
    const vb = svg.viewBox.baseVal;
    svg.querySelectorAll("text").forEach(t => {
      const b = t.getBBox();
      texts.push({svg: i, text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height, vw: vb.width, vh: vb.height});
    });
  });
  const refs = [...document.querySelectorAll("[src],[href]")].map(e => e.getAttribute("src") || e.getAttribute("href"));
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({texts, refs, svgs: document.querySelectorAll("svg").length,
    resources: performance.getEntriesByType("resource").map(r => r.name),
    page_width: document.documentElement.scrollWidth, window_width: window.innerWidth});
  document.body.appendChild(out);
});
</script>"""


def _probe(page: Path, tmp: Path) -> dict:
    probe = tmp / f"{page.stem}.probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _browser(probe, tmp, "--dump-dom", "--window-size=1280,1000", "--virtual-time-budget=5000").stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S)
    assert found, f"chromium did not run the probe on {page}"
    return json.loads(html.unescape(found.group(1)))


def test_the_proof_page_has_no_broken_reference_offline_and_draws_its_charts(world, tmp_path):
    page = tmp_path / "proof.html"
    page.write_text(render(world.proof), encoding="utf-8")
    found = _probe(page, tmp_path)
    assert found["refs"] == [] and found["resources"] == [], "the page is self-contained: it references nothing"
    assert found["svgs"] >= 2 + len(world.proof.segments)  # all metrics, the weeks, one per segment column
    for t in found["texts"]:
        assert t["x"] >= -0.5 and t["x"] + t["w"] <= t["vw"] + 0.5, f"chart text {t['text']!r} overflows its SVG"
    assert found["page_width"] <= found["window_width"], "the page scrolls sideways at 1280 px"
    pixels = np.asarray(_screenshot(page, tmp_path)).reshape(-1, 3).astype(np.int64)
    assert float((pixels.sum(axis=1) < 720).mean()) > 0.02, "the page renders almost blank"


def test_the_library_index_renders_offline(world, store, tmp_path):
    record_proof(store, world.proof, actor="ana")
    page = tmp_path / "library.html"
    page.write_text(index_html(list_proofs(store), []), encoding="utf-8")
    found = _probe(page, tmp_path)
    assert found["refs"] == [] and found["resources"] == []
    dom = _browser(page, tmp_path, "--dump-dom").stdout
    assert "agent_assist" in dom and world.proof.title in dom
