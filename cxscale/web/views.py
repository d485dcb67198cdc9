"""What the dashboard's pages show, as plain dictionaries of formatted text built from the portfolio's records.

No rule lives here: stages, gates, permissions and verdicts come from cxscale.portfolio (the same functions the CLI
calls); this module only picks the fields a page shows and formats the numbers (cxscale.format). The JSON API returns
the records and documents themselves, not these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cxscale import format as fmt
from cxscale.documents.readout import ReadoutDocument
from cxscale.portfolio.log import Entry
from cxscale.portfolio.records import Initiative, Person

STAGES = ("idea", "pilot", "proof", "scale", "stopped", "retired")
#: What each role's view leads with (docs/dashboard.md#views).
VIEWS = {
    "executive": "value in money: proven by pilots, at stake in the pipeline",
    "operations": "the operational metrics: handle time, resolution, repeat contacts, CSAT",
    "commercial": "proof points and the claims they support",
}
_OPERATIONAL = ("handle", "aht", "resolution", "fcr", "repeat", "csat", "contacts_per", "transfer")


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


def proven_value(readout: ReadoutDocument | None) -> float | None:
    """The readout's annual value when its primary effect is proven (the readout's own verdict), else None."""
    if readout is None or readout.value is None or readout.value.role not in (None, "primary"):
        return None
    return readout.value.annual if readout.verdict == "proven" else None


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
    return {
        "id": i.id, "title": uc.title or i.id, "stage": i.stage,
        "since": i.stage_since.date().isoformat(),
        "metric": _metric_line(uc.metric),
        "verdict": r.verdict if r else None,
        "verdict_class": "good" if r and r.verdict == "proven" else
                         "bad" if r and r.verdict in ("harmful", "blocked") else "warn" if r else "",
        "value": proven_value(r),
        "value_text": money(proven_value(r), currency),
        "owners": {k: getattr(owners, k) for k in ("technology", "operations", "commercial", "executive_sponsor")}
                  if owners else {},
        "stage_text": uc.problem.journey_stage if uc.problem and uc.problem.journey_stage else "no touchpoint",
        "operational": bool(uc.metric and uc.metric.name and any(k in uc.metric.name for k in _OPERATIONAL)),
    }


def pipeline(initiatives: Sequence[Initiative], currency: str) -> dict[str, Any]:
    cards = [card(i, currency) for i in initiatives]
    by_stage = {s: [c for c in cards if c["stage"] == s] for s in STAGES}
    proven = sum(c["value"] or 0 for c in cards if c["stage"] in ("proof", "scale"))
    return {"stages": by_stage, "count": len(cards),
            "active": sum(1 for c in cards if c["stage"] in ("idea", "pilot", "proof", "scale")),
            "proven": money(proven, currency), "proven_value": proven,
            "at_scale": len(by_stage["scale"])}


def entry(e: Entry) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at.replace("T", " ")[:19], "actor": e.actor, "action": e.action,
            "subject": e.subject, "from": e.from_stage or "", "to": e.to_stage or "", "reason": e.reason,
            "override": e.action == "override", "hash": e.hash[:12]}
