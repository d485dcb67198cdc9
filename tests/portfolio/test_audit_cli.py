"""`cxscale audit`, `cxscale scorecard` and `cxscale review` on records built in the test (the store's loader,
cxscale.cli.audit.load_records, is pointed at them): --json, exit codes for CI, stored evaluations and the pack."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import cxscale.cli.audit as cli_audit
from cxscale.cli import app
from tests.portfolio.records_for_audit import AS_OF, PEOPLE, initiative, world

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture
def portfolio(monkeypatch, tmp_path):
    items = [initiative(id="clean"), initiative(id="lonely", owners={"operations": None}),
             initiative(id="orphan", owners={"commercial": "zoe"})]
    monkeypatch.setattr(cli_audit, "load_records", lambda store: (items, list(PEOPLE)))
    diagnosis = tmp_path / "diagnosis.json"
    diagnosis.write_text(json.dumps(world()[0].as_json()))
    return ["--store", str(tmp_path / "p.db"), "--diagnosis", str(diagnosis), "--as-of", AS_OF.isoformat()]


def run(*args):
    return CliRunner().invoke(app, list(args), env=ENV)


def test_audit_json_lists_every_initiative_worst_first_with_its_flags(portfolio):
    res = run("audit", *portfolio, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(f["initiative"], [g["key"] for g in f["flags"]]) for f in doc["findings"]] == [
        ("lonely", ["isolated/no_operations_owner", "unowned/owner_missing"]), ("orphan", ["unowned/owner_unknown"]), ("clean", [])]
    assert doc["findings"][0]["flags"][0]["trap"] == "isolated" and doc["failing"] == []
    assert doc["findings"][2]["money_at_stake"]["amount"] > 0


@pytest.mark.parametrize("fail_on,code,failing", [("isolated", 1, ["lonely"]), ("unmeasured", 0, []),
                                                  ("isolated,unowned", 1, ["lonely", "orphan"]),
                                                  ("unowned", 1, ["lonely", "orphan"]),
                                                  ("unowned/owner_left", 0, [])])
def test_audit_fail_on_exits_1_only_for_the_traps_named(portfolio, fail_on, code, failing):
    res = run("audit", *portfolio, "--fail-on", fail_on, "--json")
    assert res.exit_code == code, res.output
    assert json.loads(res.stdout)["failing"] == failing
    table = run("audit", *portfolio, "--fail-on", fail_on)
    assert table.exit_code == code and "Pilot-trap audit (3 initiatives, 2 flagged)" in table.stdout


def test_audit_refuses_an_unknown_trap_and_a_bad_diagnosis_in_one_line(portfolio, tmp_path, monkeypatch):
    from tests.test_cli_contract import _run_main

    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1}')
    code, out, err = _run_main(monkeypatch, "audit", *portfolio[:2], "--fail-on", "lonely")
    assert code == 1 and "not a trap or reason key: lonely" in err
    code, out, err = _run_main(monkeypatch, "audit", "--store", portfolio[1], "--diagnosis", str(bad))
    assert code == 1 and f"{bad}: not the JSON of cxscale diagnose --json" in err and "Traceback" not in err


def test_scorecard_stores_each_evaluation_and_shows_the_trend(portfolio):
    first = run("scorecard", *portfolio, "--quarter", "2026Q2", "--json")
    assert first.exit_code == 0, first.output
    second = json.loads(run("scorecard", *portfolio, "--json").stdout)
    assert [t["quarter"] for t in second["trend"]] == ["2026Q2", "2026Q3"]
    levels = {d["dimension"]: d["level"] for d in second["scorecard"]["dimensions"]}
    assert second["trend"][1]["levels"] == levels
    dry = json.loads(run("scorecard", *portfolio, "--quarter", "2026Q4", "--no-save", "--json").stdout)
    assert [t["quarter"] for t in dry["trend"]] == ["2026Q2", "2026Q3", "2026Q4"]
    again = json.loads(run("scorecard", *portfolio, "--no-save", "--json").stdout)
    assert [t["quarter"] for t in again["trend"]] == ["2026Q2", "2026Q3"]


def test_scorecard_fail_below_exits_1_naming_the_dimensions(portfolio):
    res = run("scorecard", *portfolio, "--no-save", "--json", "--fail-below", "1")
    doc = json.loads(res.stdout)
    below = [d["dimension"] for d in doc["scorecard"]["dimensions"] if d["level"] < 1]
    assert below and doc["below"] == below and res.exit_code == 1
    table = run("scorecard", *portfolio, "--no-save", "--fail-below", "1")
    assert table.exit_code == 1 and f"below level 1: {', '.join(below)}" in table.stdout


def test_review_writes_the_pack(portfolio, tmp_path):
    out = tmp_path / "review.html"
    res = run("review", "--quarter", "2026Q3", "--out", str(out), *portfolio, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["stages"]["pilot"] == 3 and doc["out"] == str(out)
    assert "Portfolio review 2026Q3" in out.read_text()
