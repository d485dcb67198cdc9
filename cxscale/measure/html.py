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
from cxscale.documents.pilot_spec import PilotSpec, Target
from cxscale.measure.judge import SCHEMA_VERSION, MetricReadout, Readout
from cxscale.templates import render as render_template

_GOOD, _BAD = {"proven"}, {"harmful", "blocked"}


def _harm(m: MetricReadout) -> float | None:
    """A guardrail's tolerated relative harm, signed the bad way (the verdict compares with its size)."""
    h = m.ref.max_harm
    if m.role != "guardrail" or h is None or h.relative is None:
        return None
    return abs(h.relative) if m.metric.direction == "lower" else -abs(h.relative)


def chart_rows(r: Readout) -> list[EffectRow]:
    """One chart row per metric and treatment arm, relative scale, with its target and tolerated harm."""
    multi = len(r.spec.treatments) > 1
    rows = []
    for m in r.metrics:
        target = m.ref.target.relative if (m.role != "guardrail" and m.ref.target) else None
        label = f"{m.metric.name} ({m.role}{', ' + m.arm if multi else ''})"
        rows.append(EffectRow(label, m.effect.effect_rel, *m.effect.ci_rel, verdict=m.verdict, target=target,
                              direction=m.metric.direction, harm=_harm(m)))
    return rows


def _target(t: Target | None, unit: fmt.Unit) -> str:
    if t is None:
        return ""
    return fmt.relative(t.relative) if t.relative is not None else unit.change(t.absolute)


def _tolerated(m: MetricReadout, u: fmt.Unit) -> str:
    """A guardrail's tolerated harm, signed the bad way (the verdict compares the estimate with its size)."""
    h = m.ref.max_harm
    if h is None:
        return "none tolerated"
    size = abs(h.relative if h.relative is not None else h.absolute or 0.0)
    bad = size if m.metric.direction == "lower" else -size
    return fmt.relative(bad) if h.relative is not None else u.change(bad)


def _reached(m: MetricReadout) -> tuple[str, str]:
    """(text, css class) of the reached / status cell."""
    if m.role == "guardrail":
        return m.guardrail_status or m.verdict, m.guardrail_status or ""
    if m.ref.target is None:
        return "no target", ""
    if not math.isfinite(m.effect.effect_abs) or m.target_reached is None:
        return "no estimate", ""
    if m.target_reached_ci:
        return "yes, whole CI", "yes"
    return ("estimate only", "partial") if m.target_reached else ("no", "no")


def metric_row(m: MetricReadout, currency: str, multi: bool) -> dict[str, Any]:
    """The strings of one table row."""
    e = m.effect
    u = fmt.unit(m.metric.unit_label, m.metric.type, currency)
    control = m.control if m.control is not None else e.control
    treatment = m.treatment if m.treatment is not None else e.treatment
    target = _tolerated(m, u) if m.role == "guardrail" else _target(m.ref.target, u) or "none"
    reached, reached_class = _reached(m)
    p_adj = m.p_value_adjusted
    return {
        "name": m.metric.name, "description": m.metric.description, "technical": m.metric.kind == "technical",
        "role": m.role, "arm": m.arm if multi else "",
        "control": u.level(control), "treatment": u.level(treatment),
        "change": u.change(e.effect_abs), "change_ci": fmt.interval(*e.ci_abs, u.change),
        "relative": fmt.relative(e.effect_rel), "relative_ci": fmt.interval(*e.ci_rel, fmt.relative),
        "p": fmt.p_value(e.p_value),
        "p_adjusted": f"adj. {fmt.p_value(p_adj)}" if fmt.p_value(p_adj) != fmt.p_value(e.p_value) else "",
        "target": target, "reached": reached, "reached_class": reached_class,
        "verdict": m.verdict, "reason": m.reason,
    }


def _srm(r: Readout) -> dict[str, Any]:
    if r.srm_p_value is None:
        return {"text": "SRM check: not applicable (not randomised).", "failed": False}
    split = "units per arm match the planned split" if r.srm_ok else "units per arm do not match the planned split"
    return {"text": f"SRM check: p = {fmt.p_value(r.srm_p_value)}, {split}.", "failed": not r.srm_ok}


def render(r: Readout) -> str:
    """The whole page as an HTML string."""
    currency = r.spec.value.currency
    multi = len(r.spec.treatments) > 1
    value = None
    if r.value:
        v = r.value
        value = {"annual": fmt.money(v.annual, v.currency),
                 "ci": f"{fmt.interval(*v.ci, lambda x: fmt.money(x, ''))} {v.currency}", "basis": v.basis,
                 "title": v.title, "per": v.per}
    return render_template(
        "readout.html", pilot=r.spec.pilot, description=r.spec.description, verdict=r.verdict, reason=r.reason,
        verdict_class="good" if r.verdict in _GOOD else "bad" if r.verdict in _BAD else "warn",
        design=r.spec.design, unit=r.spec.unit, scope=scope_text(r.spec),
        units=", ".join(f"{arm} {fmt.count(n)}" for arm, n in r.n.items()), srm=_srm(r), value=value,
        chart=Markup(effect_chart(chart_rows(r), width=1000)), metrics=[metric_row(m, currency, multi) for m in r.metrics],
        warnings=r.warnings, schema_version=SCHEMA_VERSION, source=r.source)


def scope_text(spec: PilotSpec) -> str:
    """", contacts at intent X, journey_stage Y" for a scoped spec (docs/pilot-spec.md#scope); "" without a scope."""
    if spec.scope is None:
        return ""
    return ", contacts at " + "; ".join(f"{k} {', '.join(v)}" for k, v in spec.scope.values().items())


def write_html(r: Readout, path: str | Path) -> Path:
    """Write the readout page to `path` and return it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render(r), encoding="utf-8")
    return p
