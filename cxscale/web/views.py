"""What the dashboard's pages show, as plain dictionaries of formatted text built from the portfolio's records.

No rule lives here: stages, gates, permissions and verdicts come from cxscale.portfolio (the same functions the CLI
calls); this module only picks the fields a page shows and formats the numbers (cxscale.format). The JSON API returns
the records and documents themselves, not these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from cxscale import format as fmt
from cxscale.portfolio.audit import AuditFinding
from cxscale.portfolio.log import Entry
from cxscale.portfolio.records import Initiative, Person
from cxscale.portfolio.scorecard import LEVELS, TOP, Scorecard, proven_value, realised_value

STAGES = ("idea", "pilot", "proof", "scale", "stopped", "retired")
#: What each role's view leads with (docs/dashboard.md#views).
VIEWS = {
    "executive": "value in money: proven by pilots, at stake in the pipeline",
    "operations": "the operational metrics: handle time, resolution, repeat contacts, CSAT",
    "commercial": "proof points and the claims they support",
}
_OPERATIONAL = ("handle", "aht", "resolution", "fcr", "repeat", "csat", "contacts_per", "transfer")
#: The operational metrics the operations view leads with, by the catalog's names (prefixes).
OPERATIONS = (("handle time", ("aht", "handle_time")), ("resolution", ("resolution_rate", "fcr")),
              ("repeat contacts", ("repeat_contact_rate",)), ("CSAT", ("csat",)))


def default_view(person: Person) -> str:
    if "sponsor" in person.roles or "council" in person.roles:
        return "executive"
    if "operations" in person.functions or "technology" in person.functions:
        return "operations"
    if "commercial" in person.functions:
        return "commercial"
    return "executive"


def money(value: float | None, currency: str) -> str:
    return fmt.money(value, currency) if value is not None else fmt.MISSING


def _metric_line(uc_metric: Any) -> str:
    if uc_metric is None or uc_metric.name is None:
        return "no business metric"
    target = uc_metric.target
    goal = ""
    if target is not None:
        rel = getattr(target, "relative", None)
        goal = f" {fmt.relative(rel)}" if rel is not None else f" {fmt.number(target.absolute, sign=True)}"
    window = f" in {uc_metric.window_days} days" if uc_metric.window_days else ""
    return f"{uc_metric.name} {uc_metric.direction or ''}{goal}{window}".strip()


def card(i: Initiative, currency: str) -> dict[str, Any]:
    """One initiative as a card of the pipeline."""
    uc = i.use_case
    latest = i.latest_readout
    r = latest.readout if latest else None
    owners = uc.owners
    proven, realised = proven_value(i), realised_value(i)
    return {
        "id": i.id, "title": uc.title or i.id, "stage": i.stage,
        "since": i.stage_since.date().isoformat(),
        "metric": _metric_line(uc.metric),
        "verdict": r.verdict if r else None,
        "verdict_class": verdict_class(r.verdict if r else None),
        "value": proven.annual if proven else None,
        "value_text": money(proven.annual, proven.currency) if proven else fmt.MISSING,
        "realised": realised.annual if realised else None,
        "realised_text": money(realised.annual, realised.currency) if realised else fmt.MISSING,
        "owners": {k: getattr(owners, k) for k in ("technology", "operations", "commercial", "executive_sponsor")}
                  if owners else {},
        "stage_text": uc.problem.journey_stage if uc.problem and uc.problem.journey_stage else "no touchpoint",
        "operational": bool(uc.metric and uc.metric.name and any(k in uc.metric.name for k in _OPERATIONAL)),
    }


def pipeline(initiatives: Sequence[Initiative], currency: str) -> dict[str, Any]:
    """The pipeline by stage, with the yearly value proven (proof, scale) and realised at scale: the review pack's
    numbers (cxscale.portfolio.scorecard.proven_value, realised_value)."""
    cards = [card(i, currency) for i in initiatives]
    by_stage = {s: [c for c in cards if c["stage"] == s] for s in STAGES}
    proven = sum(c["value"] or 0 for c in cards)
    realised = sum(c["realised"] or 0 for c in cards)
    return {"stages": by_stage, "count": len(cards),
            "active": sum(1 for c in cards if c["stage"] in ("idea", "pilot", "proof", "scale")),
            "proven": money(proven, currency), "proven_value": proven,
            "proven_count": sum(1 for c in cards if c["value"] is not None),
            "realised": money(realised, currency), "realised_value": realised,
            "realised_count": sum(1 for c in cards if c["realised"] is not None),
            "at_scale": len(by_stage["scale"])}


def value_chart(initiatives: Sequence[Initiative], currency: str) -> str:
    """Value proven and realised a year, by stage (proof, scale): the executive view's chart."""
    from cxscale.charts.bars import bar_chart

    stages = ("proof", "scale")
    proven = [sum(v.annual for i in initiatives if i.stage == s and (v := proven_value(i))) for s in stages]
    realised = [sum(v.annual for i in initiatives if i.stage == s and (v := realised_value(i))) for s in stages]
    return bar_chart(list(stages), [("proven", proven), ("realised", realised)],
                     f"Value a year by stage ({currency})", fmt=lambda x: fmt.compact(x) if x is not None else "",
                     height=260)


def operations(initiatives: Sequence[Initiative]) -> list[dict[str, Any]]:
    """The operational metrics (handle time, resolution, repeat contacts, CSAT) as the latest readouts measured
    them: per metric, every initiative whose readout has it, with its relative effect, interval and verdict."""
    out = []
    for label, prefixes in OPERATIONS:
        rows = []
        for i in initiatives:
            latest = i.latest_readout
            for m in latest.readout.metrics if latest else []:
                if m.name.startswith(prefixes) and m.effect_rel is not None:
                    rows.append({"id": i.id, "title": i.use_case.title or i.id, "stage": i.stage, "metric": m.name,
                                 "role": m.role, "effect": fmt.relative(m.effect_rel),
                                 "ci": f"{fmt.relative(m.ci_rel[0])} to {fmt.relative(m.ci_rel[1])}",
                                 "verdict": str(m.verdict), "verdict_class": verdict_class(str(m.verdict))})
        out.append({"label": label, "rows": rows})
    return out


def verdict_class(verdict: str | None) -> str:
    if verdict in ("proven", "ok"):
        return "good"
    if verdict in ("harmful", "blocked", "breached"):
        return "bad"
    return "warn" if verdict else ""


def audit(findings: Sequence[AuditFinding]) -> dict[str, Any]:
    """The audit's findings for the page: per trap the initiatives in it, and the money at stake in flagged ones."""
    flagged = [f for f in findings if f.flags]
    currencies = sorted({f.money_at_stake.currency for f in flagged if f.money_at_stake.amount is not None})
    at_stake = sum(f.money_at_stake.amount or 0 for f in flagged)
    return {"findings": findings, "flagged": len(flagged), "clean": len(findings) - len(flagged),
            "traps": {t: sum(1 for f in findings if t in f.traps) for t in ("isolated", "unmeasured", "unowned")},
            "at_stake": money(at_stake, currencies[0]) if len(currencies) == 1 else
                        ", ".join(currencies) or fmt.MISSING,
            "priced": sum(1 for f in flagged if f.money_at_stake.amount is not None)}


def scorecard(card: Scorecard, trend: list[tuple[str, dict[str, int]]]) -> dict[str, Any]:
    """The scorecard's dimensions with their level names, and the trend as a chart of levels by quarter."""
    from cxscale.charts.bars import bar_chart

    dims = [{"dimension": d.dimension, "level": d.level, "level_name": LEVELS[d.level], "top": TOP,
             "checks": d.checks, "to_raise": d.to_raise} for d in card.dimensions]
    quarters = [q for q, _ in trend]
    series = [(d.dimension, [float(levels.get(d.dimension, 0)) for _, levels in trend]) for d in card.dimensions]
    chart = bar_chart(quarters, series, "Level by quarter (0 none, 1 started, 2 established, 3 mastered)",
                      fmt=lambda x: fmt.compact(x) if x is not None else "", whole=True, axis_max=TOP,
                      height=280) if quarters else ""
    return {"quarter": card.quarter, "as_of": card.as_of[:16].replace("T", " "), "dimensions": dims,
            "chart": Markup(chart), "quarters": quarters}


def entry(e: Entry) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at.replace("T", " ")[:19], "actor": e.actor, "action": e.action,
            "subject": e.subject, "from": e.from_stage or "", "to": e.to_stage or "", "reason": e.reason,
            "override": e.action == "override", "hash": e.hash[:12]}


def cost_chart(d: Any, dimension: str, top: int = 12) -> str:
    """Avoidable cost per year by intent or journey stage, from the diagnosis document (a Pareto chart)."""
    from cxscale.charts.pareto import pareto_chart

    rows = sorted(getattr(d.signals, dimension), key=lambda r: -(r.avoidable_cost_per_year or 0))[:top]
    name = "intent" if dimension == "intent" else "journey stage"
    return pareto_chart([getattr(r, dimension) for r in rows], [float(r.avoidable_cost_per_year or 0) for r in rows],
                        title=f"Avoidable cost per year by {name}", value_label=f"{d.currency} per year")


def hotspots(d: Any, top: int = 8) -> list[dict[str, Any]]:
    """The diagnosis's friction hotspots, best first, formatted for the journey page."""
    return [{"rank": h.rank, "intent": h.intent, "stage": h.journey_stage, "channel": h.channel,
             "volume": fmt.compact(h.volume), "cost": money(h.avoidable_cost_per_year, d.currency),
             "repeat": fmt.percent(h.repeat_contact_rate), "transfer": fmt.percent(h.transfer_rate),
             "csat": fmt.number(h.csat_mean)} for h in d.hotspots[:top]]


def listed(p: Any) -> dict[str, Any]:
    """One proof point of the library as a card."""
    low, high = p.ci
    return {"digest": p.digest, "short": p.digest[:12], "initiative": p.initiative, "title": p.title,
            "built": p.built_at[:10], "stage": p.journey_stage, "intent": p.intent, "channel": p.channel,
            "capabilities": p.capabilities, "metric": p.metric, "effect": fmt.percent(p.effect),
            "ci": f"{fmt.percent(low)} to {fmt.percent(high)}" if low is not None and high is not None else "",
            "verdict": p.verdict, "verdict_class": verdict_class(p.verdict), "owners": p.owners}


def proof_options(every: Sequence[Any]) -> dict[str, list[str]]:
    """The values each filter of the library can take: those of the stored proof points."""
    def values(get: Any) -> list[str]:
        return sorted({v for p in every for v in get(p) if v})

    return {"journey_stage": values(lambda p: [p.journey_stage]), "intent": values(lambda p: [p.intent]),
            "channel": values(lambda p: [p.channel]), "capability": values(lambda p: p.capabilities),
            "metric": values(lambda p: [p.metric])}


def proof_card(p: Any) -> dict[str, Any]:
    """A proof point's headline for its dashboard page: the claims, the primary effect, who signed off."""
    primary = p.primary_claim or next((c for c in p.claims if c.role == "primary"), None)
    r = p.readout
    return {"digest": p.content_digest, "short": p.content_digest[:12], "built": p.built_at[:16].replace("T", " "),
            "claims": p.claims, "primary": primary, "verdict": r.verdict, "verdict_class": verdict_class(r.verdict),
            "value": money(r.value.annual, r.value.currency) if r.value is not None else fmt.MISSING,
            "units": sum(r.n.values()) if r.n else None, "signed_off": p.signed_off,
            "stage": p.use_case.problem.journey_stage if p.use_case.problem else None,
            "tables": len(p.fingerprints)}
