"""The mastery scorecard (`cxscale scorecard`, docs/portfolio-audit.md#the-scorecard): how far the portfolio is
embedded, aligned, augmenting and governed, each a dimension of cumulative levels, as developer-portal maturity
scorecards do it: a dimension is at level N when every check of level N and below holds. Every check carries its
numbers and what would make it hold; each evaluation is stored (table scorecard_evaluations, revision 0003) so the
scorecard shows its trend quarter on quarter.

`evaluate` is pure (records in, a Scorecard out); `save_evaluation` and `evaluations` are the store functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.errors import CxscaleError
from cxscale.format import count, money, percent
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.portfolio.audit import capability_kind, entry_time, utc
from cxscale.portfolio.lint import is_technical
from cxscale.portfolio.log import Verification
from cxscale.portfolio.records import Initiative, Person
from cxscale.portfolio.store import Base, Store

Dimension = Literal["embedded", "aligned", "augmenting", "governed"]
DIMENSIONS: tuple[Dimension, ...] = ("embedded", "aligned", "augmenting", "governed")
#: The levels above 0; their names (as a portal's scorecard names them).
LEVELS = {0: "none", 1: "started", 2: "established", 3: "mastered"}
TOP = max(LEVELS)

#: Thresholds of the checks (docs/portfolio-audit.md#the-scorecard).
EMBEDDED_SHARE = {2: 0.25, 3: 0.5}
ALIGNED_TARGETS_STARTED = 0.5
ALIGNED_SHARE = 0.8
AUGMENTING_SHARE = 0.5
OWNERS_STARTED = 0.5
OWNERS_ESTABLISHED = 0.9
OVERRIDE_SHARE_MAX = 0.2

#: The agent and customer outcomes a deployment must keep (handle time, resolution, CSAT), by catalog metric.
OUTCOME_METRICS = {"aht": "handle time", "resolution_rate": "resolution", "repeat_contact_rate_7d": "resolution",
                   "repeat_contact_rate_14d": "resolution", "repeat_contact_rate_30d": "resolution",
                   "csat_mean": "CSAT", "csat_top2box": "CSAT"}
_ACTIVE = ("idea", "pilot", "proof", "scale")
_STAGE_ACTIONS = ("advance", "override", "stop", "retire")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class Check:
    """One check of a level: whether it holds, a sentence with its numbers, the numbers, what would make it hold."""

    name: str
    level: int
    held: bool
    message: str
    to_hold: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DimensionScore:
    """A dimension's level (the highest level whose checks and every lower level's all hold) and its checks."""

    dimension: Dimension
    level: int
    checks: tuple[Check, ...]

    @property
    def to_raise(self) -> list[Check]:
        """The checks of the next level that do not hold (and of its own level, when a lower one failed)."""
        return [c for c in self.checks if c.level == self.level + 1 and not c.held]


@dataclass(frozen=True)
class Scorecard:
    """One evaluation of the four dimensions, as of a moment, for a quarter ("2026Q3")."""

    as_of: str
    quarter: str
    dimensions: tuple[DimensionScore, ...]

    def level(self, dimension: Dimension) -> int:
        return next(d.level for d in self.dimensions if d.dimension == dimension)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for d, score in zip(out["dimensions"], self.dimensions, strict=True):
            d["level_name"] = LEVELS[score.level]
            d["to_raise"] = [c.name for c in score.to_raise]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scorecard:
        dims = tuple(DimensionScore(dimension=d["dimension"], level=int(d["level"]),
                                    checks=tuple(Check(**c) for c in d["checks"])) for d in data["dimensions"])
        return cls(as_of=data["as_of"], quarter=data["quarter"], dimensions=dims)


def _level(checks: Sequence[Check]) -> int:
    level = 0
    for n in range(1, TOP + 1):
        if not all(c.held for c in checks if c.level <= n):
            break
        level = n
    return level


def _share(n: int, of: int) -> float | None:
    return n / of if of else None


def quarter_of(moment: datetime) -> str:
    m = utc(moment)
    return f"{m.year}Q{(m.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """The first moment of a quarter ("2026Q3") and of the next one, UTC."""
    found = _QUARTER.match(quarter)
    if not found:
        raise CxscaleError(f"quarter {quarter!r} is not a quarter like 2026Q3 (year, Q, 1-4)")
    year, q = int(found.group(1)), int(found.group(2))
    start = datetime(year, 3 * q - 2, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if q == 4 else datetime(year, 3 * q + 1, 1, tzinfo=UTC)
    return start, end


# --- value proven and realised ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    annual: float
    currency: str
    at: datetime


def proven_value(i: Initiative) -> Value | None:
    """The yearly money of the proof: the primary value of the latest readout with verdict proven, taken before the
    initiative reached scale (at proof: any). None at idea or pilot, or with no proven readout."""
    if i.stage not in ("proof", "scale"):
        return None
    for r in reversed(i.readouts):
        v = r.readout.value
        if r.readout.verdict == "proven" and v is not None and v.role in (None, "primary") and \
                (i.stage == "proof" or utc(r.at) <= utc(i.stage_since)):
            return Value(v.annual, v.currency, utc(r.at))
    return None


def realised_value(i: Initiative) -> Value | None:
    """The yearly money realised at scale: the primary value of the latest readout taken since the initiative
    reached scale (its holdout reading). None before scale or with no such readout."""
    if i.stage != "scale":
        return None
    for r in reversed(i.readouts):
        v = r.readout.value
        if utc(r.at) >= utc(i.stage_since) and v is not None and v.role in (None, "primary"):
            return Value(v.annual, v.currency, utc(r.at))
    return None


def total(values: Iterable[Value | None]) -> tuple[float, str | None, list[str]]:
    """The sum of values, their one currency (None when there are none) and every currency seen."""
    found = [v for v in values if v is not None]
    currencies = sorted({v.currency for v in found})
    return sum(v.annual for v in found), currencies[0] if len(currencies) == 1 else None, currencies


# --- evaluation ------------------------------------------------------------------------------------------------


def evaluate(initiatives: Iterable[Initiative], people: Iterable[Person], diagnosis: DiagnosisDocument | None,
             verification: Verification | None, as_of: datetime, quarter: str | None = None,
             catalog: Catalog | None = None) -> Scorecard:
    """The scorecard of the portfolio as of `as_of` (quarter: default the quarter of as_of). verification: the
    decision log's (cxscale.portfolio.verify); None fails the check that the log verifies."""
    everyone = list(initiatives)
    items = [i for i in everyone if i.stage in _ACTIVE]
    quarter = quarter or quarter_of(as_of)
    quarter_bounds(quarter)
    cat = catalog or builtin_catalog()
    dims = (_embedded(items, diagnosis), _aligned(items, cat), _augmenting(items),
            _governed(items, everyone, {p.id: p for p in people}, verification))
    return Scorecard(as_of=utc(as_of).isoformat(), quarter=quarter,
                     dimensions=tuple(DimensionScore(name, _level(checks), tuple(checks))
                                      for name, checks in zip(DIMENSIONS, dims, strict=True)))


def _at_least(name: str, level: int, value: float | None, threshold: float, what: str, to_hold: str,
              **numbers: Any) -> Check:
    held = value is not None and value >= threshold
    said = percent(value) if value is not None else "n/a"
    return Check(name, level, held, f"{what}: {said} (needs {percent(threshold)})", to_hold,
                 {"value": value, "threshold": threshold, **numbers})


def _embedded(items: list[Initiative], diagnosis: DiagnosisDocument | None) -> list[Check]:
    if diagnosis is None:
        why = "no diagnosis given: the journey's stages and their cost-to-serve are unknown"
        return [Check(n, lv, False, why, "give the diagnosis (cxscale diagnose --json)") for n, lv in
                (("at scale in the journey", 1), ("stages touched", 2), ("cost-to-serve touched", 2),
                 ("stages touched", 3), ("cost-to-serve touched", 3))]
    stages = {s.journey_stage: s.cost or 0.0 for s in diagnosis.signals.journey_stage if s.volume > 0}
    scaled = [i for i in items if i.stage == "scale"]
    touched = sorted({i.use_case.problem.journey_stage for i in scaled if i.use_case.problem is not None
                      and i.use_case.problem.journey_stage in stages})  # type: ignore[misc]
    cost_all = sum(stages.values())
    stage_share = _share(len(touched), len(stages))
    cost_share = sum(stages[s] for s in touched) / cost_all if cost_all else None
    numbers = {"stages_touched": touched, "stages": len(stages), "scaled": len(scaled)}
    out = [Check("at scale in the journey", 1, bool(touched), f"{count(len(scaled))} use cases at scale touch "
                 f"{count(len(touched))} of the diagnosis's {count(len(stages))} journey stages"
                 + (f" ({', '.join(touched)})" if touched else ""),
                 "take a use case whose journey stage the diagnosis shows to scale", numbers)]
    for lv, need in EMBEDDED_SHARE.items():
        out.append(_at_least("stages touched", lv, stage_share, need, "journey stages touched by use cases at "
                             f"scale ({len(touched)} of {len(stages)})", "scale use cases at stages not touched yet",
                             **numbers))
        out.append(_at_least("cost-to-serve touched", lv, cost_share, need, "cost-to-serve of the stages touched, "
                             f"of the diagnosis's {money(cost_all, diagnosis.currency)}",
                             "scale use cases at the stages that cost most (cxscale diagnose)", **numbers))
    return out


def _aligned(items: list[Initiative], cat: Catalog) -> list[Check]:
    n = len(items)
    targeted = [i for i in items if (m := i.use_case.metric) is not None and m.name is not None
                and m.target is not None and is_technical(m.name, cat) is None]
    based = [i for i in items if (m := i.use_case.metric) is not None and m.name is not None
             and m.baseline is not None]
    past_idea = [i for i in items if i.stage != "idea"]
    read = [i for i in past_idea if i.readouts]
    t_share, b_share, r_share = _share(len(targeted), n), _share(len(based), n), _share(len(read), len(past_idea))
    counts = {"initiatives": n, "with_target": len(targeted), "with_baseline": len(based),
              "past_idea": len(past_idea), "with_readout": len(read)}
    proven, p_cur, p_all = total(proven_value(i) for i in items)
    realised, r_cur, r_all = total(realised_value(i) for i in items)
    out = [
        _at_least("business targets", 1, t_share, ALIGNED_TARGETS_STARTED, f"initiatives with a business metric and "
                  f"a target ({len(targeted)} of {n})", "give each use case a business metric with a target",
                  **counts),
        _at_least("business targets", 2, t_share, ALIGNED_SHARE, f"initiatives with a business metric and a target "
                  f"({len(targeted)} of {n})", "give each use case a business metric with a target", **counts),
        _at_least("baselines", 2, b_share, ALIGNED_SHARE, f"initiatives with a baseline ({len(based)} of {n})",
                  "copy each metric's baseline from the diagnosis", **counts),
        _at_least("readouts", 2, r_share, ALIGNED_SHARE, f"pilots and later with a readout ({len(read)} of "
                  f"{len(past_idea)})", "read out every pilot and attach the readout", **counts),
    ]
    for name, amount, cur, seen, what, how in (
            ("value proven", proven, p_cur, p_all, "yearly value proven by the readouts of proofs and scaled use "
             "cases", "prove a pilot: a readout with verdict proven and its value in money"),
            ("value realised", realised, r_cur, r_all, "yearly value realised at scale (the readouts since "
             "scale)", "read out a scaled use case against its holdout")):
        if len(seen) > 1:
            out.append(Check(name, 3, False, f"{what}: in {', '.join(seen)}, which do not add up", "read every "
                             "value in one currency", {"currencies": seen}))
        else:
            out.append(Check(name, 3, amount > 0, f"{what}: {money(amount, cur or '')}", how,
                             {"value": round(amount, 2), "currency": cur}))
    return out


def _augmenting(items: list[Initiative]) -> list[Check]:
    deployed = [i for i in items if i.stage in ("pilot", "proof", "scale")]
    assisting = sorted({c for i in deployed for c in i.use_case.capabilities if capability_kind(c) == "assist"})
    scaled = [i for i in items if i.stage == "scale"]
    at_scale = sorted({c for i in scaled for c in i.use_case.capabilities})
    assist_scale = [c for c in at_scale if capability_kind(c) == "assist"]
    share = _share(len(assist_scale), len(at_scale))
    out = [Check("assisting piloted", 1, bool(assisting), f"capabilities that assist agents in pilots or later: "
                 f"{', '.join(assisting) or 'none'}", "pilot a capability that assists agents (real-time "
                 "guidance, after-contact summaries, routing)", {"assisting": assisting}),
           _at_least("assisting at scale", 2, share, AUGMENTING_SHARE, f"capabilities at scale that assist agents "
                     f"rather than only deflect ({len(assist_scale)} of {len(at_scale)}: "
                     f"{', '.join(at_scale) or 'none at scale'})", "scale capabilities that assist agents",
                     assisting=assist_scale, at_scale=at_scale)]
    unguarded, breached = [], []
    for i in scaled:
        last = i.latest_readout
        guards = [m for m in last.readout.metrics if m.role == "guardrail" and m.name in OUTCOME_METRICS] \
            if last is not None else []
        if not guards:
            unguarded.append(i.id)
        breached += [f"{i.id}: {m.name}" for m in guards if m.guardrail_status == "breached"]
    out.append(Check("outcomes guarded", 3, bool(scaled) and not unguarded,
                     f"use cases at scale whose latest readout guards handle time, resolution or CSAT: "
                     f"{len(scaled) - len(unguarded)} of {len(scaled)}"
                     + (f" (not: {', '.join(unguarded)})" if unguarded else ""),
                     "guard each deployment with aht, resolution_rate or csat_mean in its readout",
                     {"scaled": len(scaled), "unguarded": unguarded}))
    out.append(Check("outcomes held", 3, bool(scaled) and not breached,
                     "no outcome guardrail breached where deployed" if scaled and not breached else
                     f"outcome guardrails breached: {', '.join(breached)}" if breached else "nothing at scale",
                     "fix or roll back the deployment whose guardrail is breached", {"breached": breached}))
    return out


def _governed(items: list[Initiative], everyone: list[Initiative], people: dict[str, Person],
              verification: Verification | None) -> list[Check]:
    roles = ("technology", "operations", "commercial", "executive_sponsor")
    slots = len(items) * len(roles)
    filled = sum(1 for i in items for r in roles if i.use_case.owners is not None
                 and (pid := getattr(i.use_case.owners, r)) in people and people[pid].active)
    owners = _share(filled, slots)
    past_idea = [i for i in items if i.stage != "idea"]
    logged = [i for i in past_idea if any(e.to_stage == i.stage and e.action in ("advance", "override")
                                          for e in i.decisions)]
    decisions = [e for i in everyone for e in i.decisions if e.action in _STAGE_ACTIONS]
    overrides = [e for e in decisions if e.action == "override"]
    o_share = _share(len(overrides), len(decisions))
    ok = verification is not None and verification.ok
    said = (" is not verified" if verification is None else f"'s {verification.size} entries verify" if verification.ok
            else f" does not verify: {verification.reason}")
    l_share = _share(len(logged), len(past_idea))
    owner_numbers = {"filled": filled, "slots": slots}
    return [
        Check("log verifies", 1, ok, f"the decision log{said}", "cxscale log verify names the first bad entry; "
              "restore it from a backup", {"size": verification.size if verification else None,
                                           "first_bad": verification.first_bad if verification else None}),
        _at_least("owners named", 1, owners, OWNERS_STARTED, f"owner places held by an active person ({filled} of "
                  f"{slots})", "name an active owner for each function and the sponsor", **owner_numbers),
        _at_least("owners named", 2, owners, OWNERS_ESTABLISHED, f"owner places held by an active person ({filled} "
                  f"of {slots})", "name an active owner for each function and the sponsor", **owner_numbers),
        _at_least("decisions logged", 2, l_share, 1.0, f"initiatives past idea whose stage was entered by a logged "
                  f"decision ({len(logged)} of {len(past_idea)})", "advance through the gates (cxscale gate "
                  "advance), which logs the decision", logged=len(logged), past_idea=len(past_idea)),
        _at_least("owners named", 3, owners, 1.0, f"owner places held by an active person ({filled} of {slots})",
                  "name an active owner for each function and the sponsor", **owner_numbers),
        Check("overrides rare", 3, o_share is not None and o_share <= OVERRIDE_SHARE_MAX,
              f"overrides: {len(overrides)} of {len(decisions)} stage decisions ({percent(o_share)}, at most "
              f"{percent(OVERRIDE_SHARE_MAX)})" if decisions else "no stage decision logged yet",
              "decide on the evidence: advance what the readout recommends", {"overrides": len(overrides),
                                                                               "decisions": len(decisions),
                                                                               "share": o_share}),
    ]


# --- the store -------------------------------------------------------------------------------------------------


class ScorecardEvaluation(Base):
    """One stored evaluation (revision 0003): when, for which quarter, and the scorecard as JSON."""

    __tablename__ = "scorecard_evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[str] = mapped_column(String(40), index=True)
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)


def save_evaluation(store: Store, card: Scorecard) -> None:
    """Keep an evaluation, so that the scorecard shows its trend."""
    with store.session() as session, session.begin():
        session.add(ScorecardEvaluation(as_of=card.as_of, quarter=card.quarter, evaluation=card.to_json()))


def evaluations(store: Store) -> list[Scorecard]:
    """Every stored evaluation, oldest first (none for a SQLite store never written)."""
    if not store.exists():
        return []
    with store.session() as session:
        rows = session.scalars(select(ScorecardEvaluation).order_by(ScorecardEvaluation.as_of,
                                                                    ScorecardEvaluation.id))
        return [Scorecard.from_json(r.evaluation) for r in rows]


def trend(history: Iterable[Scorecard]) -> list[tuple[str, dict[Dimension, int]]]:
    """The level of each dimension per quarter, oldest quarter first: the latest evaluation of each quarter."""
    latest: dict[str, Scorecard] = {}
    for card in sorted(history, key=lambda c: entry_time(c.as_of)):
        latest[card.quarter] = card
    return [(q, {d: latest[q].level(d) for d in DIMENSIONS}) for q in sorted(latest)]
