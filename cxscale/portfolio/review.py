"""The quarterly review pack (`cxscale review --quarter 2026Q3`, docs/portfolio-audit.md#the-review-pack): one
self-contained offline HTML page for the council: the pipeline by stage with value proven and realised, what moved
this quarter and every decision taken (overrides marked), the stalled pilots and their flags, the gates coming next,
the scorecard with its trend, and the compounding check when one is given.

`build_review` gathers the numbers from plain records (pure, like the audit and the scorecard); `render_review`
turns them into the page (cxscale/templates/review.html, charts from cxscale/charts). The PDF comes from the
proof-point issue's renderer (cxscale.pdf) once it is merged; this module writes HTML only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from cxscale.charts.bars import bar_chart
from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.gate_decision import GateCondition, Stage
from cxscale.format import compact, count, money, number
from cxscale.portfolio.audit import STALE_AFTER_DAYS, AuditFinding, audit, entry_time, utc, window_days
from cxscale.portfolio.gates import idea_to_pilot, pilot_to_proof
from cxscale.portfolio.log import Entry, Verification
from cxscale.portfolio.records import Initiative, Person
from cxscale.portfolio.scorecard import (
    DIMENSIONS,
    LEVELS,
    TOP,
    Scorecard,
    evaluate,
    proven_value,
    quarter_bounds,
    realised_value,
    total,
    trend,
)
from cxscale.templates import render

STAGES: tuple[Stage, ...] = ("idea", "pilot", "proof", "scale", "stopped", "retired")
_MOVES = ("advance", "override", "stop", "retire")
_FUNCTIONS = ("technology", "operations", "commercial")


@dataclass(frozen=True)
class StageRow:
    """One stage of the pipeline: its initiatives, and the yearly value proven and realised by them."""

    stage: Stage
    initiatives: tuple[str, ...]
    proven: float
    realised: float


@dataclass(frozen=True)
class NextGate:
    """The gate an initiative faces next, what is known of its conditions from the records, and when it is due."""

    initiative: str
    gate: str
    conditions: tuple[GateCondition, ...]
    recommendation: str | None = None
    due: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReviewPack:
    """The numbers of one quarter's review, in the records' units (money per year in `currency`)."""

    quarter: str
    as_of: datetime
    currency: str
    pipeline: tuple[StageRow, ...]
    moves: tuple[Entry, ...]
    decisions: tuple[Entry, ...]
    stalled: tuple[AuditFinding, ...]
    findings: tuple[AuditFinding, ...]
    next_gates: tuple[NextGate, ...]
    scorecard: Scorecard
    trend: list[tuple[str, dict[str, int]]]
    verification: Verification | None
    compounding: Mapping[str, Any] | None = None
    titles: dict[str, str] = field(default_factory=dict)


def build_review(initiatives: Iterable[Initiative], people: Iterable[Person], diagnosis: DiagnosisDocument | None,
                 quarter: str, as_of: datetime, verification: Verification | None,
                 history: Sequence[Scorecard] = (), compounding: Mapping[str, Any] | None = None,
                 stale_after_days: int = STALE_AFTER_DAYS) -> ReviewPack:
    """The review of `quarter` ("2026Q3") as of `as_of`: history holds the stored scorecard evaluations (the trend
    adds this one); compounding is the value-at-scale check's result as JSON (cxscale.portfolio.value), or None."""
    items, crowd = list(initiatives), list(people)
    start, end = quarter_bounds(quarter)
    findings = audit(items, crowd, diagnosis, as_of, stale_after_days)
    card = evaluate(items, crowd, diagnosis, verification, as_of, quarter)
    values = [(i, proven_value(i), realised_value(i)) for i in items]
    _, currency, seen = total([v for _, p, r in values for v in (p, r)])
    pipeline = tuple(StageRow(s, tuple(i.id for i, _, _ in values if i.stage == s),
                              sum(p.annual for i, p, _ in values if i.stage == s and p is not None),
                              sum(r.annual for i, _, r in values if i.stage == s and r is not None))
                     for s in STAGES)
    in_quarter = sorted((e for i in items for e in i.decisions if start <= entry_time(e.at) < end),
                        key=lambda e: (entry_time(e.at), e.seq))
    return ReviewPack(
        quarter=quarter, as_of=utc(as_of), currency=currency or (", ".join(seen) if seen else ""),
        pipeline=pipeline, moves=tuple(e for e in in_quarter if e.action in _MOVES), decisions=tuple(in_quarter),
        stalled=tuple(f for f in findings if f.stage == "pilot" and f.flags), findings=tuple(findings),
        next_gates=tuple(g for i in items if (g := next_gate(i)) is not None), scorecard=card,
        trend=[(q, {str(d): lv for d, lv in levels.items()}) for q, levels in trend([*history, card])], verification=verification,
        compounding=compounding, titles={i.id: i.use_case.title or i.id for i in items})


def next_gate(i: Initiative) -> NextGate | None:
    """The next gate of an idea, pilot or proof, judged on what the records hold: idea -> pilot without the power
    plan (it needs the data: cxscale gate check), pilot -> proof on the latest readout with its recommendation,
    proof -> scale as the sign-offs logged since the proof began."""
    uc = i.use_case
    if i.stage == "idea":
        result = idea_to_pilot(uc, None)
        return NextGate(i.id, "idea -> pilot", tuple(c for c in result.conditions if c.name != "target detectable"),
                        note="the power plan is judged on the data: cxscale gate check " + i.id)
    if i.stage == "pilot":
        last = i.latest_readout
        result = pilot_to_proof(uc, last.readout if last else None)
        window = window_days(uc)
        due = (utc(i.stage_since) + timedelta(days=window)).date().isoformat() if window else None
        rec = result.recommendation
        return NextGate(i.id, "pilot -> proof", result.conditions, recommendation=(
            f"{rec.action}: {rec.reason}" if rec and rec.action else f"none yet: {rec.reason}" if rec else None),
            due=due)
    if i.stage == "proof":
        since = utc(i.stage_since)
        signed = {e.actor for e in i.decisions if e.action == "signoff" and entry_time(e.at) >= since}
        conditions = []
        for f in _FUNCTIONS:
            owner = getattr(uc.owners, f) if uc.owners is not None else None
            held = owner is not None and owner in signed
            conditions.append(GateCondition(name=f"{f} sign-off", held=held, numbers={"owner": owner},
                                            message=f"{owner} signed off" if held else
                                            f"no sign-off logged by {owner}" if owner else f"no {f} owner named"))
        return NextGate(i.id, "proof -> scale", tuple(conditions),
                        note="the gate also checks each sign-off's evidence and the proof point: cxscale gate "
                             "check " + i.id)
    return None


# --- the page --------------------------------------------------------------------------------------------------


def _when(at: str) -> str:
    return entry_time(at).strftime("%Y-%m-%d %H:%M")


def render_review(pack: ReviewPack) -> str:
    """The review pack as one self-contained HTML page (inline CSS and SVG, nothing fetched)."""
    cur = pack.currency
    active = [r for r in pack.pipeline if r.stage in ("idea", "pilot", "proof", "scale")]
    charts = {
        "pipeline": bar_chart([r.stage for r in active], [("initiatives", [len(r.initiatives) for r in active])],
                              "Initiatives by stage", "initiatives", fmt=lambda v: compact(v, 0), whole=True),
        "value": bar_chart([r.stage for r in active if r.stage in ("proof", "scale")],
                           [("value proven", [r.proven for r in active if r.stage in ("proof", "scale")]),
                            ("value realised", [r.realised if r.stage == "scale" else None
                                                for r in active if r.stage in ("proof", "scale")])],
                           "Yearly value proven and realised", f"per year, {cur}" if cur else "per year"),
        "stalled": bar_chart([f.initiative for f in pack.stalled],
                             [("days in pilot", [f.days_in_stage for f in pack.stalled])],
                             "Stalled pilots: days in pilot", "days", fmt=lambda v: compact(v, 0), whole=True),
        "trend": bar_chart(list(DIMENSIONS), [(q, [levels[d] for d in DIMENSIONS]) for q, levels in pack.trend[-4:]],
                           "Scorecard level by quarter", f"level 0-{TOP}", fmt=lambda v: compact(v, 0), whole=True,
                           axis_max=TOP),
    }
    pipeline = [{"stage": r.stage, "count": count(len(r.initiatives)), "names": ", ".join(r.initiatives),
                 "proven": money(r.proven, cur) if r.stage in ("proof", "scale") else "",
                 "realised": money(r.realised, cur) if r.stage == "scale" else ""} for r in pack.pipeline]
    decisions = [{"seq": e.seq, "when": _when(e.at), "who": e.actor, "what": e.action, "subject": e.subject,
                  "title": pack.titles.get(e.subject, e.subject),
                  "stage": f"{e.from_stage or '?'} -> {e.to_stage or '?'}" if e.from_stage or e.to_stage else "",
                  "reason": e.reason, "override": e.action == "override"} for e in pack.decisions]
    stalled = [{"id": f.initiative, "title": f.title or f.initiative, "days": number(f.days_in_stage),
                "flags": [{"key": g.key, "message": g.message, "to_clear": g.clear} for g in f.flags]}
               for f in pack.stalled]
    gates = [{"id": g.initiative, "title": pack.titles.get(g.initiative, g.initiative), "gate": g.gate,
              "due": g.due or "", "recommendation": g.recommendation or "", "note": g.note,
              "conditions": [{"name": c.name, "held": c.held, "message": c.message} for c in g.conditions]}
             for g in pack.next_gates]
    dims = [{"name": d.dimension, "level": d.level, "level_name": LEVELS[d.level],
             "checks": [{"name": c.name, "level": c.level, "held": c.held, "message": c.message,
                         "to_hold": c.to_hold} for c in d.checks]} for d in pack.scorecard.dimensions]
    traps = {t: sum(1 for f in pack.findings if t in f.traps) for t in ("isolated", "unmeasured", "unowned")}
    v = pack.verification
    log = ("not verified" if v is None else f"the decision log's {v.size} entries verify" if v.ok
           else f"the decision log does not verify: {v.reason}")
    compounding = None
    if pack.compounding is not None:
        c = pack.compounding
        compounding = {"verdict": str(c.get("verdict", "")), "reason": str(c.get("reason", "")),
                       "rows": [(k, _plain(val)) for k, val in c.items() if k not in ("verdict", "reason")
                                and not isinstance(val, dict | list)]}
    return render("review.html", quarter=pack.quarter, as_of=pack.as_of.strftime("%Y-%m-%d %H:%M UTC"),
                  currency=cur, charts={k: Markup(v) for k, v in charts.items()}, pipeline=pipeline,
                  moves=[d for d in decisions if d["what"] in _MOVES], decisions=decisions, stalled=stalled,
                  gates=gates, dimensions=dims, trend=[(q, [levels[d] for d in DIMENSIONS]) for q, levels in pack.trend],
                  dimension_names=list(DIMENSIONS), traps=traps, audited=len(pack.findings), log=log,
                  log_ok=v is not None and v.ok, compounding=compounding)


def _plain(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "n/a"}[value]
    if isinstance(value, int | float):
        return number(value)
    return str(value)


def write_review(pack: ReviewPack, path: str | Path) -> Path:
    """Write the pack's HTML page to `path` (UTF-8)."""
    out = Path(path)
    out.write_text(render_review(pack), encoding="utf-8")
    return out
