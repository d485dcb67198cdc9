"""`cxscale audit`, `scorecard` and `review` end to end on a real store: the simulated world's portfolio synced with
`cxscale portfolio sync`, its diagnosis from `cxscale diagnose --json`. The audit gives exactly the flags the world's
manifest plants (portfolio/planted.json, read through audit.planted_key), and the scorecard and the pack count what
the store holds."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cxscale.portfolio import open_store, service
from cxscale.portfolio.audit import NO_READOUT, audit, entry_time, planted_key
from tests.test_cli_contract import _run_main

QUARTER = "2026Q4"
#: The flag the synced store cannot show: a pilot with nothing to read out needs to be at pilot, and sync leaves
#: every initiative at idea (the demo moves them; tests/test_demo.py).
STAGED = NO_READOUT


@pytest.fixture(scope="module")
def folio(tmp_path_factory):
    """A 5,000-customer world (seed 42), its diagnosis and its portfolio synced into a SQLite store; one
    initiative stopped, so that the store holds a move."""
    monkeypatch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("audit-store")
    world, store, diagnosis = root / "world", root / "p.db", root / "diagnosis.json"
    try:
        assert _run_main(monkeypatch, "simulate", "--customers", "5000", "--seed", "42", "--out", str(world))[0] == 0
        code, out, err = _run_main(monkeypatch, "diagnose", "--data", str(world), "--json")
        assert code == 0, err
        diagnosis.write_text(out)
        code, out, err = _run_main(monkeypatch, "portfolio", "sync", str(world / "portfolio"), "--store", str(store))
        assert code == 0, out + err
    finally:
        monkeypatch.undo()
    opened = open_store(store)
    people = {p.id: p for p in service.people(opened)}
    service.stop(opened, "outage-alerts-technical", "superseded by proactive-bill-alerts", people["david.chen"])
    opened.close()
    planted = json.loads((world / "portfolio" / "planted.json").read_text())
    return {"store": str(store), "diagnosis": str(diagnosis), "planted": planted["initiatives"], "world": world}


def _cli(monkeypatch, *args: str) -> tuple[int, dict, str]:
    code, out, err = _run_main(monkeypatch, *args)
    return code, json.loads(out) if out.startswith("{") else {}, err


def _planted(initiative: dict) -> list[str]:
    return sorted(planted_key(trap, key) for trap, keys in initiative["flags"].items() for key in keys)


def test_the_audit_of_the_synced_store_flags_exactly_what_the_world_plants(folio, monkeypatch):
    code, doc, err = _cli(monkeypatch, "audit", "--store", folio["store"], "--diagnosis", folio["diagnosis"], "--json")
    assert code == 0, err
    got = {f["initiative"]: sorted(g["key"] for g in f["flags"]) for f in doc["findings"]}
    want = {i["id"]: [k for k in _planted(i) if k != STAGED] for i in folio["planted"]
            if i["id"] != "outage-alerts-technical"}  # stopped: not audited
    assert got == want
    assert all(f["unchecked"] == [] for f in doc["findings"])  # the diagnosis checked every touchpoint
    assert any(got.values()) and any(not v for v in got.values())  # flagged ones and clean ones


def test_a_planted_pilot_with_nothing_to_read_out_is_flagged_at_its_stage(folio):
    """The one stage-bound flag: the store's record moved to the stage the demo leaves it at."""
    opened = open_store(folio["store"])
    try:
        records, people = service.initiatives(opened), service.people(opened)
    finally:
        opened.close()
    staged = {i["id"]: i["stage"] for i in folio["planted"] if STAGED in _planted(i)}
    assert staged and set(staged.values()) == {"pilot"}
    moved = [replace(r, stage=staged[r.id]) for r in records if r.id in staged]
    at = max(r.stage_since for r in moved)
    for finding in audit(moved, people, None, at):
        want = next(i for i in folio["planted"] if i["id"] == finding.initiative)
        assert sorted(finding.keys) == _planted(want)


def test_audit_fail_on_exits_1_for_the_planted_traps(folio, monkeypatch):
    for trap in ("isolated", "unmeasured", "unowned"):
        code, doc, _ = _cli(monkeypatch, "audit", "--store", folio["store"], "--diagnosis", folio["diagnosis"],
                            "--fail-on", trap, "--json")
        want = sorted(i["id"] for i in folio["planted"] if i["id"] != "outage-alerts-technical"
                      and any(k.startswith(f"{trap}/") and k != STAGED for k in _planted(i)))
        assert (code, sorted(doc["failing"])) == (1 if want else 0, want), trap


def test_the_scorecard_of_the_store_counts_its_owners_and_its_log_and_stores_its_evaluation(folio, monkeypatch):
    args = ("--store", folio["store"], "--diagnosis", folio["diagnosis"])
    _, audited, _ = _cli(monkeypatch, "audit", *args, "--json")
    code, doc, err = _cli(monkeypatch, "scorecard", *args, "--quarter", QUARTER, "--json")
    assert code == 0, err
    checks = {(d["dimension"], c["name"], c["level"]): c for d in doc["scorecard"]["dimensions"] for c in d["checks"]}
    # every owner place of the audited initiatives, less those the audit finds missing or held by someone who left
    empty = sum(len(f["evidence"].get("missing", [])) + len(f["evidence"].get("people", []))
                for finding in audited["findings"] for f in finding["flags"]
                if f["key"] in ("unowned/owner_missing", "unowned/owner_left"))
    owners = checks[("governed", "owners named", 1)]["numbers"]
    assert empty > 0 and (owners["slots"], owners["filled"]) == (4 * len(audited["findings"]),
                                                                 4 * len(audited["findings"]) - empty)
    opened = open_store(folio["store"])
    try:
        from cxscale.portfolio import verify

        size = verify(opened).size
    finally:
        opened.close()
    log = checks[("governed", "log verifies", 1)]
    assert log["held"] and log["numbers"]["size"] == size > 0
    assert doc["saved"] and [t["quarter"] for t in doc["trend"]] == [QUARTER]
    again = _cli(monkeypatch, "scorecard", *args, "--quarter", QUARTER, "--no-save", "--json")[1]
    assert [t["quarter"] for t in again["trend"]] == [QUARTER]


def test_the_review_pack_of_the_store_holds_its_stages_and_its_stop(folio, monkeypatch, tmp_path):
    out = tmp_path / "review.html"
    opened = open_store(folio["store"])
    try:
        [stop] = [e for e in service.initiative(opened, "outage-alerts-technical").decisions if e.action == "stop"]
    finally:
        opened.close()
    at = entry_time(stop.at)
    quarter = f"{at.year}Q{(at.month - 1) // 3 + 1}"  # the quarter of the stop, whenever the test runs
    code, doc, err = _cli(monkeypatch, "review", "--store", folio["store"], "--diagnosis", folio["diagnosis"],
                          "--quarter", quarter, "--as-of", stop.at, "--out", str(out), "--json")
    assert code == 0, err
    assert doc["stages"] == {"idea": len(folio["planted"]) - 1, "pilot": 0, "proof": 0, "scale": 0, "stopped": 1,
                             "retired": 0}
    assert (doc["moves"], doc["decisions"], doc["overrides"]) == (1, 1, 0)
    page = out.read_text()
    assert f"Portfolio review {quarter}" in page and "outage-alerts-technical" in page
