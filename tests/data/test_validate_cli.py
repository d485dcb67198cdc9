"""`cxscale validate`: a table for people, JSON for machines, exit 1 in strict mode, quarantine exits 0."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, write_csv

runner = CliRunner()


@pytest.fixture
def broken(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 3, "started_at", "31/02/2026 25:61")
    write_csv(tmp_path / "data" / "interactions.csv", INTERACTIONS_HEADER, rows)
    return tmp_path / "data"


def test_a_clean_folder_passes_with_exit_zero(good_folder):
    result = runner.invoke(app, ["validate", str(good_folder)])
    assert result.exit_code == 0, result.output
    assert "interactions" in result.output and "all pass" in result.output


def test_strict_mode_exits_one_with_one_line_per_rule(broken):
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1
    assert "column started_at: rule unparseable_timestamp" in lines[0] and "row 3" in lines[0]


def test_quarantine_writes_rejected_rows_and_exits_zero(broken, tmp_path):
    out = tmp_path / "rejected.csv"
    result = runner.invoke(app, ["validate", str(broken), "--quarantine", str(out)])
    assert result.exit_code == 0, result.output
    assert duckdb.connect().execute(f"select source_row, rule from '{out}'").fetchall() == [(3, "unparseable_timestamp")]


def test_json_report_counts_rows_per_table_and_rule(broken):
    result = runner.invoke(app, ["validate", str(broken), "--no-strict", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    t = doc["tables"]["interactions"]
    assert (t["rows_read"], t["rows_accepted"], t["rows_rejected"]) == (6, 5, 1)
    assert t["rules"][0]["rule"] == "unparseable_timestamp" and t["rules"][0]["examples"][0]["row"] == 3


def test_arms_option_declares_arms(tmp_path):
    write_csv(tmp_path / "assignments.csv", ["unit_id", "unit_type", "pilot", "arm", "assigned_at"],
              [["a", "agent", "p", "control", "2026-01-01"], ["b", "agent", "p", "treatmnt", "2026-01-01"]])
    result = runner.invoke(app, ["validate", str(tmp_path), "--arms", "p=control,treatment", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["tables"]["assignments"]["rules"][0]["rule"] == "unknown_arm"


@pytest.mark.parametrize("scenario", ["support", "scheduling"])
def test_the_simulated_world_is_accepted(tmp_path, scenario):
    from cxscale.simulate import simulate

    simulate(scenario, 1_500, 5, tmp_path / "world")
    result = runner.invoke(app, ["validate", str(tmp_path / "world"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc["tables"]) == {"interactions", "outcomes", "assignments", "customers"}
    assert all(t["rows_rejected"] == 0 and t["rows_read"] > 0 for t in doc["tables"].values())
