"""The proof-point library in the portfolio store: proof points searchable by what they proved where, learnings that
link the proof points supporting and contradicting a claim, and the index page (docs/proof-points.md#the-library).

Each proof point is one row keyed by its content digest (a rebuild from the same data is the same row), with the
columns the filters read (journey stage, intent, channel, capabilities, metric, effect size, owners, build date) and
its document as JSON. Free text is searched with the database's own full-text search: SQLite FTS5, PostgreSQL
tsvector. `record_proof` adds one and writes its proof_point entry into the decision log.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup
from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from cxscale import format as fmt
from cxscale.documents.proof_point import ProofPoint
from cxscale.errors import CxscaleError
from cxscale.portfolio.log import Entry, append
from cxscale.portfolio.store import Base, Store, open_store
from cxscale.proof.claims import label
from cxscale.templates import render as render_template

Stance = Literal["supports", "contradicts"]


class ProofPointRow(Base):
    __tablename__ = "proof_points"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    initiative: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text)
    built_at: Mapped[str] = mapped_column(String(32))
    journey_stage: Mapped[str | None] = mapped_column(String(200))
    intent: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(200))
    #: The capability names, each between "|" ("|agent_assist|knowledge_retrieval|"), so one is found exactly.
    capabilities: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(String(200))
    #: The primary relative effect as a size in the good direction (0.14 = 14% better), and its interval.
    effect: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(40))
    owners: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class LearningRow(Base):
    __tablename__ = "learnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim: Mapped[str] = mapped_column(Text)
    created: Mapped[str] = mapped_column(String(32))


class LearningLinkRow(Base):
    __tablename__ = "learning_links"

    learning_id: Mapped[int] = mapped_column(ForeignKey("learnings.id", ondelete="CASCADE"), primary_key=True)
    proof_point: Mapped[str] = mapped_column(ForeignKey("proof_points.digest"), primary_key=True)
    stance: Mapped[str] = mapped_column(String(20))


@dataclass(frozen=True)
class Listed:
    """One proof point as the library lists it."""

    digest: str
    initiative: str
    title: str
    built_at: str
    journey_stage: str | None
    intent: str | None
    channel: str | None
    capabilities: list[str]
    metric: str
    effect: float | None
    ci: tuple[float | None, float | None]
    verdict: str
    owners: list[str]


@dataclass(frozen=True)
class Learning:
    id: int
    claim: str
    created: str
    supports: list[str] = field(default_factory=list)
    contradicts: list[str] = field(default_factory=list)


def _sizes(p: ProofPoint) -> tuple[float | None, float | None, float | None]:
    m = p.readout.primary[0] if p.readout.primary else None
    if m is None or m.effect_rel is None or None in m.ci_rel:
        return None, None, None
    sign = -1 if m.direction == "lower" else 1
    lo, hi = sorted(sign * x for x in m.ci_rel if x is not None)
    return sign * m.effect_rel, lo, hi


def _row(p: ProofPoint) -> ProofPointRow:
    uc = p.use_case
    pr = uc.problem
    owners = [v for v in (uc.owners.model_dump().values() if uc.owners else []) if v]
    effect, lo, hi = _sizes(p)
    body = " ".join([p.title, uc.mechanism or "", p.spec.description,
                     *(str(v) for v in ((pr.journey_stage, pr.intent, pr.channel) if pr else ()) if v),
                     *uc.capabilities, *(c.text for c in p.claims)])
    return ProofPointRow(
        digest=p.content_digest, initiative=p.id, title=p.title, built_at=p.built_at,
        journey_stage=pr.journey_stage if pr else None, intent=pr.intent if pr else None,
        channel=pr.channel if pr else None, capabilities="|" + "|".join(uc.capabilities) + "|",
        metric=p.spec.primary.metric, effect=effect, ci_low=lo, ci_high=hi, verdict=str(p.readout.verdict),
        owners="|" + "|".join(owners) + "|", search_text=body, document=p.to_json())


def _sqlite(store: Store) -> bool:
    return store.url.get_backend_name() == "sqlite"


def add_proof(store: Store, proof: ProofPoint) -> str:
    """Store the proof point (once per content digest) and index its text; returns the digest."""
    row = _row(proof)
    key, body = row.digest, row.search_text
    with store.session() as session, session.begin():
        if session.get(ProofPointRow, key) is None:
            session.add(row)
            session.flush()
            if _sqlite(store):
                session.execute(text("INSERT INTO proof_points_fts (digest, body) VALUES (:d, :b)"),
                                {"d": key, "b": body})
    return key


def record_proof(target: str | Store, proof: ProofPoint, *, actor: str) -> Entry:
    """Add the proof point to the store and append its proof_point entry (its digest and its readout's) to the log."""
    store = open_store(target) if isinstance(target, str) else target
    try:
        digest = add_proof(store, proof)
        claim = proof.claims[0].text if proof.claims else proof.title
        return append(store, actor=actor, action="proof_point", subject=proof.id, reason=f"proof point: {claim}",
                      evidence={"proof_point": digest, "readout": proof.readout_digest})
    finally:
        if isinstance(target, str):
            store.close()


def _fts_query(words: str) -> str:
    """Free text as an FTS5 query of quoted terms (all must occur), so no word is read as FTS syntax."""
    terms = re.findall(r"\w+", words)
    if not terms:
        raise CxscaleError(f"search {words!r}: give at least one word")
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def list_proofs(store: Store, *, journey_stage: str | None = None, intent: str | None = None,
                channel: str | None = None, capability: str | None = None, metric: str | None = None,
                min_effect: float | None = None, owner: str | None = None, since: str | None = None,
                until: str | None = None, search: str | None = None) -> list[Listed]:
    """The stored proof points matching every filter given (exact names; min_effect: the primary effect's size in
    the good direction, a share; since/until: ISO dates of the build, until exclusive; search: words that must all
    occur in the title, problem, mechanism or claims), newest first."""
    if not store.exists():
        return []
    q = select(ProofPointRow)
    for column, value in ((ProofPointRow.journey_stage, journey_stage), (ProofPointRow.intent, intent),
                          (ProofPointRow.channel, channel), (ProofPointRow.metric, metric)):
        if value is not None:
            q = q.where(column == value)
    if capability is not None:
        q = q.where(ProofPointRow.capabilities.contains(f"|{capability}|", autoescape=True))
    if owner is not None:
        q = q.where(ProofPointRow.owners.contains(f"|{owner}|", autoescape=True))
    if min_effect is not None:
        q = q.where(ProofPointRow.effect >= min_effect)
    if since is not None:
        q = q.where(ProofPointRow.built_at >= since)
    if until is not None:
        q = q.where(ProofPointRow.built_at < until)
    if search is not None:
        if _sqlite(store):
            hits = text("SELECT digest FROM proof_points_fts WHERE proof_points_fts MATCH :q").bindparams(
                q=_fts_query(search))
            q = q.where(ProofPointRow.digest.in_(hits.columns(digest=String)))
        else:
            q = q.where(text("search @@ plainto_tsquery('english', :q)").bindparams(q=search))
    q = q.order_by(ProofPointRow.built_at.desc(), ProofPointRow.digest)
    with store.session() as session:
        return [_listed(r) for r in session.scalars(q)]  # read inside the session


def _listed(r: ProofPointRow) -> Listed:
    return Listed(r.digest, r.initiative, r.title, r.built_at, r.journey_stage, r.intent, r.channel,
                  [c for c in r.capabilities.split("|") if c], r.metric, r.effect, (r.ci_low, r.ci_high), r.verdict,
                  [o for o in r.owners.split("|") if o])


def get_proof(store: Store, digest: str) -> ProofPoint:
    """The stored proof point whose digest starts with `digest` (at least 8 characters, one match)."""
    if len(digest) < 8:
        raise CxscaleError(f"proof point {digest!r}: give at least 8 characters of its digest")
    with store.session() as session:
        rows = list(session.scalars(select(ProofPointRow).where(ProofPointRow.digest.startswith(digest))))
    if len(rows) != 1:
        raise CxscaleError(f"proof point {digest!r}: {'no' if not rows else len(rows)} stored proof point"
                           f"{'' if len(rows) == 1 else 's'} match; cxscale proof list shows them")
    return ProofPoint.model_validate(rows[0].document)


def add_learning(store: Store, claim: str, *, supports: Sequence[str] = (),
                 contradicts: Sequence[str] = ()) -> Learning:
    """A learning: a claim about what works, with the proof points (digests or 8+ character prefixes) that support
    and that contradict it."""
    if not claim.strip():
        raise CxscaleError("a learning states its claim")
    if not supports and not contradicts:
        raise CxscaleError("a learning links at least one proof point that supports or contradicts it")
    links = [(get_proof(store, d).content_digest, s) for ds, s in ((supports, "supports"),
                                                                     (contradicts, "contradicts")) for d in ds]
    with store.session() as session, session.begin():
        row = LearningRow(claim=claim.strip(), created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        session.add(row)
        session.flush()
        for digest, stance in links:
            session.add(LearningLinkRow(learning_id=row.id, proof_point=digest, stance=stance))
        learning_id = row.id
    return next(learning for learning in learnings(store) if learning.id == learning_id)


def learnings(store: Store) -> list[Learning]:
    if not store.exists():
        return []
    with store.session() as session:
        rows = list(session.scalars(select(LearningRow).order_by(LearningRow.id)))
        links = list(session.scalars(select(LearningLinkRow)))
    return [Learning(r.id, r.claim, r.created, [k.proof_point for k in links if k.learning_id == r.id and
                                                k.stance == "supports"],
                     [k.proof_point for k in links if k.learning_id == r.id and k.stance == "contradicts"])
            for r in rows]


def _size(x: float | None) -> str:
    return fmt.percent(x) if x is not None and math.isfinite(x) else "n/a"


def index_html(items: list[Listed], found: list[Learning]) -> str:
    """The library's index page: proof points grouped by capability, then journey stage, with what was proven, by
    how much and how sure; and the learnings with the proof points for and against each."""
    groups: dict[str, dict[str, list[dict[str, str]]]] = {}
    titles = {i.digest: i.title for i in items}
    for i in items:
        entry = {"title": i.title, "digest": i.digest[:12], "metric": label(i.metric), "effect": _size(i.effect),
                 "ci": f"{_size(i.ci[0])} to {_size(i.ci[1])}", "verdict": i.verdict,
                 "where": ", ".join(v for v in (i.intent, i.channel) if v) or "not stated",
                 "built": i.built_at[:10]}
        for capability in i.capabilities or ["(no capability named)"]:
            groups.setdefault(capability, {}).setdefault(i.journey_stage or "(no journey stage)", []).append(entry)
    return render_template(
        "proof_index.html", groups={c: dict(sorted(s.items())) for c, s in sorted(groups.items())},
        count=len(items), learnings=[{"claim": f.claim, "supports": [titles.get(d, d[:12]) for d in f.supports],
                                      "contradicts": [titles.get(d, d[:12]) for d in f.contradicts]} for f in found],
        marker=Markup("&#10003;"))


def write_index(store: Store, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(index_html(list_proofs(store), learnings(store)), encoding="utf-8")
    return path
