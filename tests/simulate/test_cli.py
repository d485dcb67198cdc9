"""`cxscale simulate` writes a world, prints a summary for people or JSON for machines, and rejects bad options."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxscale.cli import app

runner = CliRunner()


def test_json_summary_lists_rows_pilots_and_period(tmp_path):
    res = runner.invoke(app, ["simulate", "--customers", "800", "--seed", "3", "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["rows"]["customers"] == 800 and doc["rows"]["interactions"] > 800
    assert [p["pilot"] for p in doc["pilots"]] == ["proactive_alerts", "agent_assist", "after_contact_summaries",
                                                   "callback_rollout", "ivr_greeting"]
    assert doc["period"]["start"].startswith("2026-01-05")
    assert (tmp_path / "ground_truth.json").is_file()


def test_people_get_tables_of_rows_and_planted_pilots(tmp_path):
    res = runner.invoke(app, ["simulate", "-s", "scheduling", "-n", "500", "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "interactions" in res.output and "two_way_reminders" in res.output and "no_show_rate" in res.output


def test_unknown_scenario_is_rejected_with_the_choices(tmp_path):
    res = runner.invoke(app, ["simulate", "--scenario", "retail", "--out", str(tmp_path)])
    assert res.exit_code != 0
    assert "support, scheduling" in res.output
    assert not (tmp_path / "ground_truth.json").exists()


def test_help_shows_an_example():
    res = runner.invoke(app, ["simulate", "--help"])
    assert res.exit_code == 0 and "cxscale simulate --scenario support" in res.output
