"""No decision is lost or half-written when the process taking it dies, and two people taking the same gate at once
cannot both succeed: real processes on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from cxscale.portfolio import entries, open_store, service, verify
from cxscale.portfolio.store import DecisionLogEntry, SignOffRow
from tests.portfolio import folio

REPO = Path(__file__).resolve().parents[2]
ID = "proactive-alerts"
#: Sign-offs committed before the writer is killed: two rounds of the three functions and one more, so the kill
#: lands at some point of a round (what the test asserts holds wherever it lands).
KILL_AFTER = 7


def _setup(url: str, pilot_world, tmp_path: Path, *, to_proof: bool) -> None:
    world, readout, plan = pilot_world
    store = open_store(url)
    try:
        service.sync(store, folio.write_folder(tmp_path / "portfolio", world), None)
        p = {x.id: x for x in service.people(store)}
        service.advance(store, ID, "pilot", "the plan holds", p["ana.souza"], plan=folio.detectable(plan))
        service.attach_readout(store, ID, folio.winning(readout), p["ana.souza"])
        if to_proof:
            service.advance(store, ID, "proof", "it works", p["bruno.lima"])
    finally:
        store.close()


def _start(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.portfolio.gate_writer", url, *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n", proc.communicate()
    return proc


def test_a_decision_maker_killed_mid_write_leaves_whole_decisions_and_a_log_that_verifies(store_url, pilot_world,
                                                                                          tmp_path):
    _setup(store_url, pilot_world, tmp_path, to_proof=True)
    writer = _start(store_url, "signoff", "-", "-")
    committed = []
    assert writer.stdout is not None
    deadline = time.monotonic() + 60
    while len(committed) < KILL_AFTER and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert len(committed) >= KILL_AFTER, writer.stderr.read() if writer.stderr else ""
    store = open_store(store_url)
    try:
        result = verify(store)
        assert result.ok, result.reason
        logged = {e.seq for e in entries(store) if e.action == "signoff"}
        assert set(committed) <= logged
        with store.session() as s:  # every sign-off row has its entry and every entry its row: none half-written
            rows = set(s.scalars(select(SignOffRow.log_seq)))
            assert rows == logged
            assert s.scalar(select(func.count()).select_from(DecisionLogEntry)) == result.size
    finally:
        store.close()


def test_two_people_advancing_the_same_gate_at_once_cannot_both_succeed(store_url, pilot_world, tmp_path):
    _setup(store_url, pilot_world, tmp_path, to_proof=False)
    go = tmp_path / "go"
    writers = [_start(store_url, "advance", who, str(go)) for who in ("bruno.lima", "eva.council")]
    go.touch()
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in outputs]
    results = sorted(out.split(" ", 1)[0] for out, _ in outputs)
    assert results == ["ok", "refused"], outputs
    refused = next(out for out, _ in outputs if out.startswith("refused"))
    assert "is at proof: its next gate is proof -> scale, not -> proof" in refused
    store = open_store(store_url)
    try:
        advances = [e for e in entries(store) if e.action == "advance" and e.to_stage == "proof"]
        assert len(advances) == 1 and verify(store).ok
        assert service.initiative(store, ID).stage == "proof"
    finally:
        store.close()
