"""The decision log: an untouched log verifies; every kind of tampering done directly in the database (an edit, a
deletion, a reordering, an insertion, a truncation seen through a signed checkpoint) fails and names the entry; no
committed entry is lost when a writer is killed, and concurrent writers never share a number."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from cxscale.documents import PilotSpec, digest
from cxscale.errors import CxscaleError
from cxscale.portfolio import (
    Checkpoint,
    Entry,
    append,
    checkpoint,
    entries,
    generate_key,
    load_private_key,
    load_public_key,
    open_store,
    verify,
)
from cxscale.portfolio.log import GENESIS

REPO = Path(__file__).resolve().parents[2]
EVIDENCE = {"readout": "0123456789abcdef" * 4, "spec": "fedcba9876543210" * 4}


def _five(store) -> list[Entry]:
    stages = [("idea", "pilot"), (None, None), ("pilot", "proof"), (None, None), ("proof", "scale")]
    return [append(store, actor=f"person-{i}", action="advance" if a else "signoff", subject="no-shows",
                   reason=f"decision {i}", from_stage=a, to_stage=b, evidence=EVIDENCE)
            for i, (a, b) in enumerate(stages, 1)]


def _sql(store, *statements: str, **params) -> None:
    with store.engine.begin() as con:
        for statement in statements:
            con.execute(text(statement), params)


def test_an_untouched_log_verifies_and_links_every_entry_to_the_one_before(store):
    written = _five(store)
    result = verify(store)
    assert result.ok and result.size == 5 and result.head == written[-1].hash and result.first_bad is None
    assert entries(store) == written
    assert written[0].previous == GENESIS
    assert [e.previous for e in written[1:]] == [e.hash for e in written[:-1]]
    assert all(e.at.endswith("Z") and e.computed_hash() == e.hash for e in written)


def test_any_text_reads_back_exactly_and_verifies(store):
    reason = "naïve — 🚀 über 30 %\n\ttabs, \"quotes\", back\\slash, \u2028 and a long tail " + "x" * 5000
    written = append(store, actor="zoë", action="override", subject="no-shows", reason=reason, from_stage="pilot",
                     to_stage="proof", evidence={"é": "ab" * 32})
    assert entries(store) == [written] and verify(store).ok


def test_an_empty_store_verifies_and_reading_it_creates_no_file(tmp_path):
    store = open_store(tmp_path / "never" / "written.db")
    assert verify(store).ok and verify(store).size == 0 and entries(store) == []
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("column", ["reason", "actor", "to_stage"])
def test_an_edited_entry_fails_and_is_named(store, column):
    _five(store)
    _sql(store, f"UPDATE decision_log SET {column} = 'forged' WHERE seq = 3")
    result = verify(store)
    assert (result.ok, result.first_bad, result.kind) == (False, 3, "edited")
    assert "entry 3 was edited" in result.reason


def test_edited_evidence_fails_and_is_named(store):
    _five(store)
    _sql(store, "UPDATE decision_log SET evidence = (SELECT evidence FROM decision_log WHERE seq = 1) WHERE seq = 2",
         "UPDATE decision_log SET evidence = '{}' WHERE seq = 4")
    result = verify(store)
    assert (result.first_bad, result.kind) == (4, "edited")


def test_an_edit_with_its_hash_recomputed_is_caught_at_the_next_entry(store):
    written = _five(store)
    forged = Entry(**{**written[2].to_json(), "reason": "forged"})
    _sql(store, "UPDATE decision_log SET reason = 'forged', hash = :h WHERE seq = 3", h=forged.computed_hash())
    result = verify(store)
    assert (result.first_bad, result.kind) == (4, "deleted")
    assert "entry 4 was chained to a hash no entry has" in result.reason


def test_a_deleted_entry_leaves_a_gap_that_is_named(store):
    _five(store)
    _sql(store, "DELETE FROM decision_log WHERE seq = 3")
    result = verify(store)
    assert (result.ok, result.first_bad, result.kind) == (False, 3, "deleted")
    assert result.reason == "entry 3 deleted: the log goes from 2 to 4"


def test_deleting_the_first_entries_is_named(store):
    _five(store)
    _sql(store, "DELETE FROM decision_log WHERE seq <= 2")
    result = verify(store)
    assert (result.first_bad, result.kind, result.reason) == (1, "deleted", "entries 1 to 2 deleted: the log goes "
                                                                             "from 0 to 3")


def test_a_deleted_entry_with_the_rest_renumbered_is_named(store):
    _five(store)
    _sql(store, "DELETE FROM decision_log WHERE seq = 3", "UPDATE decision_log SET seq = 3 WHERE seq = 4",
         "UPDATE decision_log SET seq = 4 WHERE seq = 5")
    result = verify(store)
    assert (result.first_bad, result.kind) == (3, "deleted")


def test_reordered_entries_are_named(store):
    _five(store)
    _sql(store, "UPDATE decision_log SET seq = -1 WHERE seq = 3", "UPDATE decision_log SET seq = 3 WHERE seq = 4",
         "UPDATE decision_log SET seq = 4 WHERE seq = -1")
    result = verify(store)
    assert (result.first_bad, result.kind) == (3, "reordered")
    assert result.reason == "entry 3 was moved: it was written after entry 4"


def test_an_inserted_entry_is_named_even_with_a_correct_hash(store):
    written = _five(store)
    for seq in (5, 4, 3):
        _sql(store, "UPDATE decision_log SET seq = :new WHERE seq = :old", new=seq + 1, old=seq)
    forged = Entry(**{**written[2].to_json(), "reason": "backdated approval", "previous": written[1].hash})
    row = {**forged.to_json(), "hash": forged.computed_hash(), "evidence": "{}"}
    forged_without_evidence = Entry(**{**forged.to_json(), "evidence": {}})
    row["hash"] = forged_without_evidence.computed_hash()
    _sql(store, "INSERT INTO decision_log (seq, at, actor, action, subject, from_stage, to_stage, reason, evidence, "
                "previous, hash) VALUES (:seq, :at, :actor, :action, :subject, :from_stage, :to_stage, :reason, "
                ":evidence, :previous, :hash)", **row)
    result = verify(store)
    assert (result.first_bad, result.kind) == (3, "inserted")
    assert result.reason == "entry 3 was inserted: entry 4 was written right after entry 2"


def test_a_truncated_log_verifies_alone_but_fails_against_its_checkpoint(store, tmp_path):
    _five(store)
    key = generate_key(tmp_path / "log.pem")
    checkpoint(store, key).write(tmp_path / "checkpoint.json")
    saved = Checkpoint.read(tmp_path / "checkpoint.json")
    public = load_public_key(tmp_path / "log.pem.pub")
    assert verify(store, saved, public).ok
    _sql(store, "DELETE FROM decision_log WHERE seq >= 4")
    assert verify(store).ok  # a hash chain alone cannot see its newest entries deleted
    result = verify(store, saved, public)
    assert (result.ok, result.first_bad, result.kind) == (False, 4, "truncated")
    assert result.reason == "the log holds 3 entries but the checkpoint signed 5: entries 4 to 5 deleted"


def test_a_log_cut_and_rewritten_to_its_old_size_fails_against_its_checkpoint(store, tmp_path):
    _five(store)
    key = generate_key(tmp_path / "log.pem")
    saved = checkpoint(store, key)
    _sql(store, "DELETE FROM decision_log WHERE seq >= 4")
    append(store, actor="mallory", action="stop", subject="no-shows", reason="rewritten")
    append(store, actor="mallory", action="stop", subject="no-shows", reason="rewritten")
    assert verify(store).ok
    result = verify(store, saved, key.public_key())
    assert (result.first_bad, result.kind) == (5, "truncated")


def test_a_log_that_grew_after_its_checkpoint_verifies(store, tmp_path):
    _five(store)
    key = generate_key(tmp_path / "log.pem")
    saved = checkpoint(store, key)
    append(store, actor="ana", action="stop", subject="no-shows", reason="no longer a priority")
    assert verify(store, saved, key.public_key()).ok


def test_a_checkpoint_with_a_bad_signature_fails(store, tmp_path):
    _five(store)
    key = generate_key(tmp_path / "log.pem")
    other = generate_key(tmp_path / "other.pem")
    saved = checkpoint(store, key)
    assert verify(store, saved, other.public_key()).kind == "signature"
    edited = Checkpoint(size=3, head=entries(store)[2].hash, signature=saved.signature)
    result = verify(store, edited, key.public_key())
    assert (result.ok, result.first_bad, result.kind) == (False, None, "signature")
    with pytest.raises(CxscaleError, match="needs the public key"):
        verify(store, saved)


def test_keys_are_pem_files_and_the_private_one_is_readable_by_its_owner_only(tmp_path):
    key = generate_key(tmp_path / "log.pem")
    assert (tmp_path / "log.pem").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "log.pem").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = load_private_key(tmp_path / "log.pem")
    assert loaded.public_key() == load_public_key(tmp_path / "log.pem.pub") == key.public_key()
    with pytest.raises(CxscaleError, match="already there"):
        generate_key(tmp_path / "log.pem")
    with pytest.raises(CxscaleError, match="not an unencrypted PEM private key"):
        load_private_key(tmp_path / "log.pem.pub")


def test_an_append_needs_a_known_action_a_reason_and_digests(tmp_path):
    store = open_store(tmp_path / "p.db")
    with pytest.raises(CxscaleError, match="not one of advance"):
        append(store, actor="ana", action="approve", subject="x", reason="r")
    with pytest.raises(CxscaleError, match="needs a reason"):
        append(store, actor="ana", action="stop", subject="x", reason="  ")
    with pytest.raises(CxscaleError, match="NUL character"):
        append(store, actor="ana", action="stop", subject="x", reason="r\x00")
    with pytest.raises(CxscaleError, match="evidence readout is not a SHA-256"):
        append(store, actor="ana", action="stop", subject="x", reason="r", evidence={"readout": "abc"})
    assert not (tmp_path / "p.db").exists()


def test_an_evidence_digest_is_the_sha256_of_the_documents_canonical_json():
    spec = PilotSpec.model_validate({"spec_version": 1, "pilot": "proactive_alerts",
                                     "primary": {"metric": "cost_to_serve", "target": {"relative": -0.05}}})
    assert digest(spec) == digest(spec.model_dump(mode="json"))
    assert digest({"b": 1, "a": [1.0, "é"]}) == digest({"a": [1.0, "é"], "b": 1})
    assert digest({"a": 1}) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"


def _writer(url: str, count: int, name: str, *go: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen([sys.executable, "-m", "tests.portfolio.writer", url, str(count), name, *map(str, go)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n", writer.communicate()
    return writer


def test_a_writer_killed_mid_append_leaves_a_log_that_verifies_with_every_committed_entry(store_url):
    writer = _writer(store_url, 100_000, "killed")
    committed = []
    assert writer.stdout is not None
    deadline = time.monotonic() + 60
    while len(committed) < 10 and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert len(committed) >= 10, writer.stderr.read() if writer.stderr else ""
    store = open_store(store_url)
    try:
        result = verify(store)
        assert result.ok, result.reason
        assert set(committed) <= {e.seq for e in entries(store)}
    finally:
        store.close()


#: Entries each of the concurrent writers appends: enough that both are writing at once.
PER_WRITER = 15


def test_concurrent_writers_never_share_a_number_and_the_log_verifies(store_url, tmp_path):
    go = tmp_path / "go"
    writers = [_writer(store_url, PER_WRITER, f"writer-{i}", go) for i in range(2)]
    go.touch()
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in outputs]
    numbers = [int(n) for out, _ in outputs for n in out.split()]
    store = open_store(store_url)
    try:
        result = verify(store)
        assert result.ok and result.size == 2 * PER_WRITER, result.reason
        assert sorted(numbers) == list(range(1, 2 * PER_WRITER + 1))
        assert {e.actor for e in entries(store)} == {"writer-0", "writer-1"}
    finally:
        store.close()
