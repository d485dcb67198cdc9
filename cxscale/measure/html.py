"""The readout page: one self-contained HTML file (template cxscale/templates/readout.html: inline CSS and SVG chart;
no JavaScript, no CDN). Every number is formatted in its metric's unit by cxscale.format; each metric shows its
target (or, for a guardrail, the tolerated harm) and whether it was reached (or the guardrail's status)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from markupsafe import Markup

from cxscale import format as fmt
from cxscale.charts.effects import EffectRow, effect_chart
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target
from cxscale.documents.readout import MetricResult, ReadoutDocument
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.templates import render as render_template

_GOOD, _BAD = {"proven"}, {"harmful", "blocked"}


def _refs(spec: PilotSpec) -> dict[tuple[str, str], MetricRef]:
    """The spec's metric references by (role, metric): a secondary's target is in the spec, not in the document."""
    refs = {("primary", spec.primary.metric): spec.primary}
    refs.update({("guardrail", g.metric): g for g in spec.guardrails})
    refs.update({("secondary", m.metric): m for m in spec.secondary})
    return refs


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _harm(m: MetricResult) -> float | None:
    """A guardrail's tolerated relative harm, signed the bad way (the verdict compares with its size)."""
    h = m.target
    if m.role != "guardrail" or h is None or h.relative is None:
        return None
    return abs(h.relative) if m.direction == "lower" else -abs(h.relative)


def chart_rows(doc: ReadoutDocument, spec: PilotSpec) -> list[EffectRow]:
    """One chart row per metric and treatment arm, relative scale, with its target and tolerated harm."""
    multi = len(doc.treatments) > 1
    refs = _refs(spec)
    rows = []
    for m in doc.metrics:
        target = refs[(m.role, m.name)].target
        label = f"{m.name} ({m.role}{', ' + m.arm if multi else ''})"
        rows.append(EffectRow(label, _nan(m.effect_rel), _nan(m.ci_rel[0]), _nan(m.ci_rel[1]), verdict=m.verdict,
                              target=target.relative if (m.role != "guardrail" and target) else None,
                              direction=m.direction, harm=_harm(m)))
    return rows


def _nan(x: float | None) -> float:
    """A number of a document read back from JSON is None where the readout had NaN."""
    return math.nan if x is None else x


def _target(t: Target | None, unit: fmt.Unit) -> str:
    if t is None:
        return ""
    return fmt.relative(t.relative) if t.relative is not None else unit.change(t.absolute)


def _tolerated(m: MetricResult, u: fmt.Unit) -> str:
    """A guardrail's tolerated harm, signed the bad way (the verdict compares the estimate with its size)."""
    h = m.target
    if h is None:
        return "none tolerated"
    size = abs(h.relative if h.relative is not None else h.absolute or 0.0)
    bad = size if m.direction == "lower" else -size
    return fmt.relative(bad) if h.relative is not None else u.change(bad)


def _reached(m: MetricResult, target: Target | None) -> tuple[str, str]:
    """(text, css class) of the reached / status cell."""
    if m.role == "guardrail":
        return m.guardrail_status or m.verdict, m.guardrail_status or ""
    if target is None:
        return "no target", ""
    if not _finite(m.effect_abs) or m.target_reached is None:
        return "no estimate", ""
    if m.target_reached_ci:
        return "yes, whole CI", "yes"
    return ("estimate only", "partial") if m.target_reached else ("no", "no")


def metric_row(m: MetricResult, ref: MetricRef, catalog: Catalog, currency: str, multi: bool) -> dict[str, Any]:
    """The strings of one table row; the metric's description and type come from its definition in `catalog`."""
    d = catalog.get(m.name)
    u = fmt.unit(m.unit_label, d.type, currency)
    target = _tolerated(m, u) if m.role == "guardrail" else _target(ref.target, u) or "none"
    reached, reached_class = _reached(m, ref.target)
    p_adj = m.p_value_adjusted
    return {
        "name": m.name, "description": d.description, "technical": m.kind == "technical",
        "role": m.role, "arm": m.arm if multi else "",
        "control": u.level(m.control), "treatment": u.level(m.treatment),
        "change": u.change(m.effect_abs), "change_ci": fmt.interval(m.ci_abs[0], m.ci_abs[1], u.change),
        "relative": fmt.relative(m.effect_rel), "relative_ci": fmt.interval(m.ci_rel[0], m.ci_rel[1], fmt.relative),
        "p": fmt.p_value(m.p_value),
        "p_adjusted": f"adj. {fmt.p_value(p_adj)}" if fmt.p_value(p_adj) != fmt.p_value(m.p_value) else "",
        "target": target, "reached": reached, "reached_class": reached_class,
        "verdict": m.verdict, "reason": m.reason,
    }


def _srm(doc: ReadoutDocument) -> dict[str, Any]:
    if not doc.srm.applicable:
        return {"text": "SRM check: not applicable (not randomised).", "failed": False}
    split = "units per arm match the planned split" if doc.srm.ok else "units per arm do not match the planned split"
    return {"text": f"SRM check: p = {fmt.p_value(doc.srm.p_value)}, {split}.", "failed": not doc.srm.ok}


def render(doc: ReadoutDocument, spec: PilotSpec, catalog: Catalog | None = None) -> str:
    """The whole page as an HTML string: the readout document, with the spec's description and targets and the
    metric definitions' descriptions (`catalog`: the one the readout used; default the built-in one)."""
    catalog = catalog or builtin_catalog()
    currency = spec.value.currency
    multi = len(doc.treatments) > 1
    refs = _refs(spec)
    value = None
    if doc.value:
        v = doc.value
        value = {"annual": fmt.money(v.annual, v.currency),
                 "ci": f"{fmt.interval(v.ci[0], v.ci[1], lambda x: fmt.money(x, ''))} {v.currency}", "basis": v.basis,
                 "title": v.title, "per": v.per}
    return render_template(
        "readout.html", pilot=doc.pilot, description=spec.description, verdict=doc.verdict, reason=doc.reason,
        verdict_class="good" if doc.verdict in _GOOD else "bad" if doc.verdict in _BAD else "warn",
        design=doc.design, unit=doc.unit, scope=scope_text(doc.scope),
        units=", ".join(f"{arm} {fmt.count(n)}" for arm, n in doc.n.items()), srm=_srm(doc), value=value,
        chart=Markup(effect_chart(chart_rows(doc, spec), width=1000)),
        metrics=[metric_row(m, refs[(m.role, m.name)], catalog, currency, multi) for m in doc.metrics],
        capability=_capability(doc), warnings=doc.warnings, schema_version=doc.schema_version, source=doc.data)


def _capability(doc: ReadoutDocument) -> dict[str, Any] | None:
    """A capability pilot's funnel, triggered effects and tenure bands as page text (docs/capability-pilots.md)."""
    c = doc.capability
    if c is None:
        return None

    def share(v: float | None) -> str:
        return fmt.percent(v, decimals=0)

    def effect(e: Any) -> str:
        return (f"{fmt.relative(e.effect_rel)} (CI {fmt.interval(e.ci_rel[0], e.ci_rel[1], fmt.relative)}), "
                f"p = {fmt.p_value(e.p_value)}, {fmt.count(e.n_control)} vs {fmt.count(e.n_treatment)} units")

    return {
        "name": c.name,
        "funnel": [{"arm": f.arm, "decisions": fmt.count(f.decisions),
                    "triggered": f"{fmt.count(f.triggered)} ({share(f.trigger_rate)})",
                    "shown": f"{fmt.count(f.shown)} ({share(f.shown_rate)})",
                    "used": f"{fmt.count(f.used)} ({share(f.use_rate)})"} for f in c.funnel],
        "srm": f"triggered units: {', '.join(f'{a} {fmt.count(n)}' for a, n in c.triggered_units.items())}; SRM "
               f"check p = {fmt.p_value(c.srm_triggered.p_value)}"
               + ("" if c.srm_triggered.ok else ": the triggered effect is not comparable"),
        "triggered": [f"{e.metric} ({e.arm}): {effect(e)}" for e in c.triggered],
        "tenure": [f"{b.band}: {'too few units in an arm' if b.effect is None else effect(b.effect)}"
                   for b in c.by_tenure],
        "anchoring": None if c.anchoring is None else {
            "shifted": c.anchoring.shifted,
            "text": f"Wrap-up code mix ({c.anchoring.column}, {c.anchoring.codes} codes, "
                    + ", ".join(f"{a} {fmt.count(n)} contacts" for a, n in c.anchoring.contacts.items())
                    + f"): randomisation p = {fmt.p_value(c.anchoring.p_value)} over "
                    f"{fmt.count(sum(c.anchoring.units.values()))} units, alpha {c.anchoring.alpha:g}: "
                    + ("SHIFTED, treated agents may be saving suggested codes without correcting them"
                       if c.anchoring.shifted else "no shift found"),
            "shifts": [f"{s.code}: {fmt.percent(s.control, decimals=1)} in control, "
                       f"{fmt.percent(s.treatment, decimals=1)} in treatment"
                       for s in c.anchoring.largest_shifts]},
        "switchback": _switchback(doc),
    }


def _switchback(doc: ReadoutDocument) -> str | None:
    """A switchback's slots and contacts in a sentence (docs/capability-pilots.md#switchback)."""
    s = doc.switchback
    if s is None:
        return None
    slots = ", ".join(f"{a} {fmt.count(s.slots_with_contacts.get(a, 0))} of {fmt.count(n)}" for a, n in s.slots.items())
    stratified = "".join(f"; post-stratified by queue and time of day, {e.metric} ({e.arm}): {fmt.relative(e.effect_rel)}, "
                         f"p = {fmt.p_value(e.p_value)}" for e in s.stratified)
    return (f"Switchback: {fmt.count(s.queues)} queues ({', '.join(s.queue_by)}) x {s.slot_minutes}-minute slots, each "
            f"slot a unit; slots with contacts {slots}; {fmt.count(s.contacts)} contacts analysed, "
            f"{fmt.count(s.burn_in_contacts)} in the first {s.burn_in_minutes} minutes of their slot left out "
            f"(burn-in){stratified}")


def scope_text(scope: dict[str, list[str]] | None) -> str:
    """", contacts at intent X, journey_stage Y" for a scoped readout (docs/pilot-spec.md#scope); "" without a scope."""
    if not scope:
        return ""
    return ", contacts at " + "; ".join(f"{k} {', '.join(v)}" for k, v in scope.items())


def write_html(doc: ReadoutDocument, path: str | Path, spec: PilotSpec, catalog: Catalog | None = None) -> Path:
    """Write the readout page to `path` and return it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render(doc, spec, catalog), encoding="utf-8")
    return p
