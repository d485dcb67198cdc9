"""The quarterly review pack as a PDF and with the compounding check of the capabilities at scale."""

from __future__ import annotations

import subprocess

from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.simulate import simulate
from tests.conftest import system_tool


def test_the_review_pack_prints_as_a_pdf_with_the_compounding_check(tmp_path):
    world = tmp_path / "scaled"
    simulate("scaled", customers=10_000, seed=3, out=world)
    out, pdf = tmp_path / "review.html", tmp_path / "review.pdf"
    res = CliRunner().invoke(app, ["review", "--quarter", "2026Q3", "--store", str(tmp_path / "p.db"),
                                   "--value-data", str(world), "--out", str(out), "--pdf", str(pdf)])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert "Does the portfolio compound?" in page
    assert any(word in page for word in ("compounds", "adds up", "overlaps"))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pdftoppm = system_tool("pdftoppm", package="poppler-utils")
    subprocess.run([pdftoppm, "-png", "-r", "30", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    first = sorted(tmp_path.glob("page-*.png"))
    assert first and first[0].stat().st_size > 5_000
