"""Records built in the tests for the audit, the scorecard and the review pack: a clean use case, the people who own
it, stored readouts and decision-log entries, on a real diagnosis and a real readout of a small simulated world
(simulated once per test process)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cxscale.documents.base import digest
from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.pilot_spec import load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase
from cxscale.portfolio.log import GENESIS, Entry
from cxscale.portfolio.records import Initiative, Person, StoredReadout

AS_OF = datetime(2026, 9, 15, 12, tzinfo=UTC)
OWNERS = {"technology": "ana", "operations": "bruno", "commercial": "carla", "executive_sponsor": "daniel"}
PEOPLE = (Person("ana", "Ana Souza", ("technology",)), Person("bruno", "Bruno Lima", ("operations",)),
          Person("carla", "Carla Mendes", ("commercial",)), Person("daniel", "Daniel Rocha", (), ("sponsor",)))


@cache
def world() -> tuple[DiagnosisDocument, ReadoutDocument, Any]:
    """The diagnosis of a 5,000-customer world, the readout of its proactive_alerts pilot and that pilot's spec."""
    from cxscale.data import open_data
    from cxscale.journey import diagnose
    from cxscale.measure.run import measure_spec
    from cxscale.simulate.run import simulate

    out = Path(tempfile.mkdtemp(prefix="audit-world-"))
    simulate(out=out, customers=5000, seed=7)
    spec_path = out / "pilots" / "proactive_alerts.yaml"
    return diagnose(open_data(out)), measure_spec(spec_path), load_spec(spec_path)


def days_ago(days: float) -> datetime:
    return AS_OF - timedelta(days=days)


def use_case(**changes: Any) -> UseCase:
    """A use case no trap catches: a touchpoint of the world's diagnosis (billing_dispute at billing, by voice), real-time
    guidance, the proactive_alerts pilot's metric, baseline, target, window and spec, every owner named."""
    _, _, spec = world()
    data: dict[str, Any] = {
        "id": "clean", "title": "Guide agents through billing disputes", "mechanism": "guidance during the call",
        "problem": {"journey_stage": "billing", "intent": "billing_dispute", "channel": "voice"},
        "capabilities": ["real_time_guidance"],
        "metric": {"name": "cost_to_serve", "direction": "lower", "baseline": 4.2, "window_days": 56,
                   "target": {"relative": -0.05}},
        "guardrails": [{"metric": "csat_mean", "max_harm": {"relative": -0.02}}],
        "design": {"type": "randomised", "unit": "customer", "holdout_share": 0.5},
        "pilot_spec": spec.model_dump(exclude_unset=True), "data_sources": ["the simulated world"],
        "owners": dict(OWNERS)}
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return UseCase.model_validate(data)


def readout(**changes: Any) -> ReadoutDocument:
    """The world's proactive_alerts readout with `changes` (e.g. verdict="proven")."""
    return world()[1].model_copy(update=changes)


def stored(doc: ReadoutDocument, at: datetime) -> StoredReadout:
    return StoredReadout(at=at, readout=doc, digest=digest(doc))


def entry(subject: str, action: str, at: datetime, to_stage: str | None = None, from_stage: str | None = None,
          actor: str = "ana", seq: int = 1) -> Entry:
    return Entry(seq=seq, at=at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor=actor, action=action, subject=subject,
                 from_stage=from_stage, to_stage=to_stage, reason="the evidence holds", previous=GENESIS)


_PREVIOUS = {"pilot": "idea", "proof": "pilot", "scale": "proof"}


def initiative(id: str = "clean", stage: str = "pilot", since: float = 10, uc: UseCase | None = None,
               readouts: tuple[StoredReadout, ...] | None = None, decisions: tuple[Entry, ...] | None = None,
               **changes: Any) -> Initiative:
    """An initiative `since` days in `stage`, clean by default: entered by a logged advance, read out 5 days ago
    (from pilot on)."""
    doc = uc if uc is not None else use_case(id=id, **changes)
    if readouts is None:
        readouts = () if stage == "idea" else (stored(readout(), days_ago(min(5, since))),)
    if decisions is None:
        decisions = (entry(id, "advance", days_ago(since), stage, _PREVIOUS[stage]),) if stage in _PREVIOUS else ()
    return Initiative(id=id, use_case=doc, stage=stage, stage_since=days_ago(since),  # type: ignore[arg-type]
                      readouts=readouts, decisions=decisions)


def left(person_id: str) -> tuple[Person, ...]:
    """The people with `person_id` no longer active."""
    return tuple(replace(p, active=False) if p.id == person_id else p for p in PEOPLE)
