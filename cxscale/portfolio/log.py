"""The decision log: every gate decision, sign-off, override, stop and role change, append-only and tamper-evident.

Each entry is hashed (SHA-256) over the RFC 8785 canonical JSON of its content together with the previous entry's
hash (the first entry's previous hash is 64 zeros), so editing, deleting, reordering or inserting an entry breaks the
chain from that entry on. A chain cannot see its newest entries deleted, so signed checkpoints (size and head hash,
Ed25519) are kept outside the database; `verify` checks the log against one. Format and rules: docs/portfolio-log.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import rfc8785
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from cxscale.errors import CxscaleError, StoreError
from cxscale.portfolio.store import DecisionLogEntry, Store

if TYPE_CHECKING:  # cryptography loads with the first signature (12 ms a command that signs nothing need not pay)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: The previous hash of the first entry.
GENESIS = "0" * 64
#: What an entry records.
ACTIONS = ("advance", "signoff", "propose", "override", "stop", "retire", "role_change", "proof_point")
#: How often an append that lost the race for the next number reads the new head and tries again.
APPEND_TRIES = 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Entry:
    """One decision as stored: `seq` its position (1, 2, ...), `at` UTC ISO 8601 text, `evidence` document name ->
    SHA-256 hex of its canonical JSON, `previous` the hash of the entry before, `hash` this entry's hash."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    from_stage: str | None
    to_stage: str | None
    reason: str
    evidence: dict[str, str] = field(default_factory=dict)
    previous: str = GENESIS
    hash: str = ""

    def content(self) -> dict[str, Any]:
        """What the hash covers besides the previous hash: everything but the position and the hashes (the chain
        fixes the position, so verify can tell a reordered entry from an edited one)."""
        return {"at": self.at, "actor": self.actor, "action": self.action, "subject": self.subject,
                "from_stage": self.from_stage, "to_stage": self.to_stage, "reason": self.reason,
                "evidence": dict(self.evidence)}

    def computed_hash(self) -> str:
        """SHA-256 hex of the RFC 8785 JSON of {"entry": content, "previous": previous hash}."""
        return hashlib.sha256(rfc8785.dumps({"entry": self.content(), "previous": self.previous})).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entry(row: DecisionLogEntry) -> Entry:
    return Entry(seq=row.seq, at=row.at, actor=row.actor, action=row.action, subject=row.subject,
                 from_stage=row.from_stage, to_stage=row.to_stage, reason=row.reason, evidence=dict(row.evidence),
                 previous=row.previous, hash=row.hash)


T = TypeVar("T")


def append(store: Store, *, actor: str, action: str, subject: str, reason: str, from_stage: str | None = None,
           to_stage: str | None = None, evidence: Mapping[str, str] | None = None,
           session: Session | None = None) -> Entry:
    """Append one decision in one transaction: read the head, insert the next number chained to it.

    Writers wait for each other (Store.lock_log), and two that read the same head still cannot both insert its
    successor (the number is the primary key): the loser reads the new head and tries again after a random pause,
    up to APPEND_TRIES times, then fails with StoreError. With `session`, the entry is written in that open
    transaction instead (a write session of `write`, which retries), so that it commits or vanishes with the rest
    of the transaction's work (a stage change and its entry).
    """
    if action not in ACTIONS:
        raise CxscaleError(f"decision log: action {action!r} is not one of {', '.join(ACTIONS)}")
    if not reason.strip():
        raise CxscaleError(f"decision log: a {action} of {subject} needs a reason")
    if not actor.strip():
        raise CxscaleError(f"decision log: a {action} of {subject} needs the person who took it")
    if any(value and "\x00" in value for value in (actor, subject, reason, from_stage, to_stage)):
        raise CxscaleError(f"decision log: a {action} of {subject!r} holds a NUL character, which no database keeps")
    digests = dict(evidence or {})
    bad = sorted(name for name, value in digests.items() if not _HEX64.match(value))
    if bad:
        raise CxscaleError(f"decision log: evidence {', '.join(bad)} is not a SHA-256 hex digest (use "
                           "cxscale.documents.digest(document))")

    def insert(s: Session) -> Entry:
        store.lock_log(s)
        head = s.scalars(select(DecisionLogEntry).order_by(DecisionLogEntry.seq.desc()).limit(1)).first()
        entry = Entry(seq=head.seq + 1 if head else 1, at=_utc_now(), actor=actor, action=action, subject=subject,
                      from_stage=from_stage, to_stage=to_stage, reason=reason, evidence=digests,
                      previous=head.hash if head else GENESIS)
        entry = replace(entry, hash=entry.computed_hash())
        s.add(DecisionLogEntry(**asdict(entry)))
        s.flush()
        return entry

    if session is not None:
        return insert(session)
    return write(store, insert, f"a {action} of {subject}")


def write(store: Store, work: Callable[[Session], T], what: str = "a decision") -> T:
    """Run `work(session)` in one write transaction holding the decision log's lock, and commit: what it reads
    (a stage, the log's head) cannot change before it commits, and what it writes (a stage change and its log
    entry) commits together or not at all. A transaction that lost the race for the log's next number, or met
    SQLite's lock past its timeout, is run again from the start (work must only read and write the store), up
    to APPEND_TRIES times, then StoreError."""
    for attempt in range(APPEND_TRIES):
        if attempt:  # wait a random while so that the same writer does not win every race
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
        try:
            with store.write_session() as session, session.begin():
                store.lock_log(session)
                return work(session)
        except IntegrityError:
            continue  # another writer took the number: read the new head
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise StoreError(f"portfolio store: cannot write {what} to {store!r}: {exc.orig}") from exc
            continue  # SQLite: another writer held the lock past the timeout
    raise StoreError(f"decision log: could not write {what} after {APPEND_TRIES} tries: other writers kept taking "
                     "the next entry; try again")


def entries(store: Store) -> list[Entry]:
    """Every entry in sequence order (none for a SQLite store never written)."""
    if not store.exists():
        return []
    with store.session() as session:
        return [_entry(row) for row in session.scalars(select(DecisionLogEntry).order_by(DecisionLogEntry.seq))]


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log held `size` entries with head hash `head`. `signature` is the base64
    Ed25519 signature of the RFC 8785 JSON {"head": ..., "size": ...}. Keep it outside the database."""

    size: int
    head: str
    signature: str

    def signed_bytes(self) -> bytes:
        return rfc8785.dumps({"head": self.head, "size": self.size})

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> Checkpoint:
        try:
            data = json.loads(path.read_text())
            return cls(size=int(data["size"]), head=str(data["head"]), signature=str(data["signature"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CxscaleError(f"{path}: not a decision-log checkpoint ({exc}); expected JSON with size, head and "
                               "signature") from exc


def checkpoint(store: Store, private_key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log's current size and head hash."""
    log = entries(store)
    unsigned = Checkpoint(size=len(log), head=log[-1].hash if log else GENESIS, signature="")
    signature = base64.b64encode(private_key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(size=unsigned.size, head=unsigned.head, signature=signature)


@dataclass(frozen=True)
class Verification:
    """What verify found: `ok`, the number of entries and the head hash; when not ok, the first bad entry's number
    (`first_bad`, None for a bad checkpoint signature), the `kind` (edited, deleted, reordered, inserted,
    truncated, signature) and the reason in words."""

    ok: bool
    size: int
    head: str
    first_bad: int | None = None
    kind: str | None = None
    reason: str = ""


def verify(store: Store, checkpoint: Checkpoint | None = None,
           public_key: Ed25519PublicKey | None = None) -> Verification:
    """Recompute the chain and name the first bad entry; with a checkpoint, check its signature and that the log
    still holds the checkpointed entries (fewer entries, or another hash at that size, is truncation)."""
    log = entries(store)
    size, head = len(log), log[-1].hash if log else GENESIS

    def bad(seq: int | None, kind: str, reason: str) -> Verification:
        return Verification(ok=False, size=size, head=head, first_bad=seq, kind=kind, reason=reason)

    if checkpoint is not None:
        if public_key is None:
            raise CxscaleError("decision log: verifying against a checkpoint needs the public key that signed it")
        from cryptography.exceptions import InvalidSignature

        try:
            public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
        except (InvalidSignature, ValueError):
            return bad(None, "signature", f"the checkpoint of size {checkpoint.size} is not signed by this key")
    by_hash = {entry.hash: entry for entry in log}
    for i, entry in enumerate(log):
        expected_seq = i + 1 if i == 0 else log[i - 1].seq + 1
        if entry.seq != expected_seq:
            missing = (f"entry {expected_seq}" if entry.seq == expected_seq + 1
                       else f"entries {expected_seq} to {entry.seq - 1}")
            return bad(expected_seq, "deleted", f"{missing} deleted: the log goes from {expected_seq - 1} to "
                                                f"{entry.seq}")
        if entry.computed_hash() != entry.hash:
            return bad(entry.seq, "edited", f"entry {entry.seq} was edited: its content does not match its hash")
        previous = log[i - 1].hash if i else GENESIS
        if entry.previous == previous:
            continue
        earlier = by_hash.get(entry.previous)
        if earlier is not None and earlier.seq > entry.seq:
            return bad(entry.seq, "reordered", f"entry {entry.seq} was moved: it was written after entry "
                                               f"{earlier.seq}")
        if earlier is not None or (entry.previous == GENESIS and i > 0):
            first = earlier.seq + 1 if earlier is not None else 1
            return bad(first, "inserted", f"entry {first} was inserted: entry {entry.seq} was written right "
                                          f"after {f'entry {earlier.seq}' if earlier else 'the start'}")
        return bad(entry.seq, "deleted", f"an entry before entry {entry.seq} was deleted or rewritten: entry "
                                         f"{entry.seq} was chained to a hash no entry has")
    if checkpoint is not None:
        if size < checkpoint.size:
            return bad(size + 1, "truncated", f"the log holds {size} entries but the checkpoint signed "
                                              f"{checkpoint.size}: entries {size + 1} to {checkpoint.size} deleted")
        if checkpoint.size and log[checkpoint.size - 1].hash != checkpoint.head:
            return bad(checkpoint.size, "truncated", f"entry {checkpoint.size} has another hash than the "
                                                     "checkpoint signed: the log was cut and rewritten from there")
    return Verification(ok=True, size=size, head=head)


def generate_key(path: Path) -> Ed25519PrivateKey:
    """Make an Ed25519 key: the private key as PEM at `path` (readable by its owner only), the public key beside it
    at `path` + ".pub". Refuses to overwrite a key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        raise CxscaleError(f"{path}: a key is already there; move it away to make a new one")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path(path).write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                serialization.PublicFormat.SubjectPublicKeyInfo))
    return key


def public_path(private_path: Path) -> Path:
    """Where generate_key writes the public key of a private key file."""
    return private_path.with_name(private_path.name + ".pub")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file (unencrypted PKCS8, as generate_key writes it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise CxscaleError(f"{path}: not an unencrypted PEM private key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CxscaleError(f"{path}: the checkpoint key must be Ed25519, found {type(key).__name__}")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CxscaleError(f"{path}: not a PEM public key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CxscaleError(f"{path}: the checkpoint key must be Ed25519, found {type(key).__name__}")
    return key
