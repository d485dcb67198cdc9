"""`cxscale demo` is the README's first command: it must run end to end and tell the truth about its world."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxscale.cli import app


def test_demo_runs_the_whole_pipeline_from_a_relative_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths, as a user types them
    result = CliRunner().invoke(app, ["demo", "--customers", "6000", "--out", "demo", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)

    tables = doc["validation"]["tables"]
    assert tables["interactions"]["rows_read"] > 10_000
    assert all(t["rows_rejected"] == 0 for t in tables.values())

    truth = json.loads((tmp_path / "demo" / "world" / "ground_truth.json").read_text())
    planted = {(h["intent"], h["journey_stage"]) for h in truth["hotspots"]}
    top = {(h["intent"], h["journey_stage"]) for h in doc["diagnosis"]["hotspots"][: len(planted)]}
    assert top == planted

    readouts = {r["pilot"]: r for r in doc["readouts"]}
    assert set(readouts) == {p["pilot"] for p in truth["pilots"]}
    placebo = [p["pilot"] for p in truth["pilots"] if all(e["absolute"] == 0 for e in p["true_effects"].values())]
    assert placebo and all(readouts[p]["verdict"] != "proven" for p in placebo)
    for pilot in readouts:
        assert (tmp_path / "demo" / "readouts" / f"{pilot}.html").stat().st_size > 1000
    assert "<svg" in (tmp_path / "demo" / "diagnosis.html").read_text()


def test_demo_prints_tables_for_people(tmp_path):
    # 80 columns: what a pipe or a CI log gets. Every cell must be whole there: folded onto a second line if need
    # be, never cut short with an ellipsis.
    result = CliRunner().invoke(app, ["demo", "--customers", "3000", "--out", str(tmp_path / "d")],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for heading in ("the world", "validated against the data contract", "where the journey breaks",
                    "pilots measured in business terms"):
        assert heading in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "\u2026" not in result.stdout
    truth = json.loads((tmp_path / "d" / "world" / "ground_truth.json").read_text())
    for pilot in truth["pilots"]:
        assert pilot["pilot"] in result.stdout
