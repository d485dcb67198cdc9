"""The HTML reports are for people: they must render offline in a real browser (headless Chromium) with their charts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cxscale.demo import run_demo

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") or os.environ.get("CXSCALE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail("chromium is not installed; `make test` installs the Debian package chromium")
        pytest.skip("chromium is not installed (make test installs it)")
    return found


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
