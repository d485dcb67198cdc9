"""`cxscale log verify` and `cxscale log show`: an untouched log verifies (exit 0), a tampered one is one red line
naming the entry (exit 1), and both print one JSON document with --json."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.portfolio import append, checkpoint, generate_key, open_store
from tests.test_cli_contract import _run_main

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def _log(path, n=3):
    store = open_store(path)
    for i in range(1, n + 1):
        append(store, actor="ana.silva", action="advance", subject="no-show-outreach", reason=f"decision {i}",
               from_stage="idea", to_stage="pilot")
    return store


def test_an_untouched_log_verifies_with_its_checkpoint(tmp_path):
    store = _log(tmp_path / "p.db")
    checkpoint(store, generate_key(tmp_path / "log.pem")).write(tmp_path / "cp.json")
    res = CliRunner().invoke(app, ["log", "verify", "--store", str(tmp_path / "p.db"), "--checkpoint",
                                   str(tmp_path / "cp.json"), "--public-key", str(tmp_path / "log.pem.pub")], env=ENV)
    assert res.exit_code == 0, res.output
    assert "ok: the decision log's 3 entries verify, and the signed checkpoint of 3 entries holds" in res.stdout
    res = CliRunner().invoke(app, ["log", "verify", "--store", str(tmp_path / "p.db"), "--json"], env=ENV)
    assert res.exit_code == 0 and json.loads(res.stdout)["ok"] is True


def test_a_tampered_log_is_one_line_naming_the_entry_and_exit_1(tmp_path, monkeypatch):
    store = _log(tmp_path / "p.db")
    with store.engine.begin() as con:
        con.execute(text("DELETE FROM decision_log WHERE seq = 2"))
    code, out, err = _run_main(monkeypatch, "log", "verify", "--store", str(tmp_path / "p.db"))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["error: the decision log does not verify: entry 2 deleted: the log goes from "
                                        "1 to 3"]
    code, out, _ = _run_main(monkeypatch, "log", "verify", "--store", str(tmp_path / "p.db"), "--json")
    assert code == 1
    assert {k: json.loads(out)[k] for k in ("ok", "first_bad", "kind")} == {"ok": False, "first_bad": 2,
                                                                            "kind": "deleted"}


def test_a_checkpoint_needs_its_public_key(tmp_path, monkeypatch):
    code, _, err = _run_main(monkeypatch, "log", "verify", "--store", str(tmp_path / "p.db"), "--checkpoint",
                             str(tmp_path / "cp.json"))
    assert code == 1 and "--checkpoint and --public-key go together" in err


def test_show_lists_the_entries_for_people_and_as_json(tmp_path, monkeypatch):
    _log(tmp_path / "p.db")
    res = CliRunner().invoke(app, ["log", "show", "--store", str(tmp_path / "p.db")], env=ENV)
    assert res.exit_code == 0 and "decision 3" in res.stdout and "ana.silva" in res.stdout
    monkeypatch.setenv("CXSCALE_STORE", str(tmp_path / "p.db"))
    res = CliRunner().invoke(app, ["log", "show", "--json", "--subject", "no-show-outreach"], env=ENV)
    shown = json.loads(res.stdout)
    assert [e["seq"] for e in shown] == [1, 2, 3]
    assert set(shown[0]) == {"seq", "at", "actor", "action", "subject", "from_stage", "to_stage", "reason",
                             "evidence", "previous", "hash"}


def test_reading_a_store_never_written_creates_nothing(tmp_path):
    res = CliRunner().invoke(app, ["log", "show", "--json", "--store", str(tmp_path / "none.db")], env=ENV)
    assert res.exit_code == 0 and json.loads(res.stdout) == []
    res = CliRunner().invoke(app, ["log", "verify", "--store", str(tmp_path / "none.db")], env=ENV)
    assert res.exit_code == 0 and "0 entries verify" in res.stdout
    assert not (tmp_path / "none.db").exists()
