"""The readout page: one self-contained HTML file (inline CSS and SVG chart; no JavaScript, no CDN)."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from cxscale.charts.effects import EffectRow, effect_chart
from cxscale.measure.readout import Readout
from cxscale.measure.spec import PilotSpec


def _num(v: float | None, pct: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{v:+.2%}" if pct else f"{v:,.4g}"


def _srm_text(srm: dict) -> str:
    if srm["p_value"] is None:
        return "SRM check not applicable (not randomised)."
    return f"SRM check p = {srm['p_value']:.3g} ({'ok' if srm['ok'] else 'FAILED: verdict blocked'})."


def chart_rows(r: Readout) -> list[EffectRow]:
    """One chart row per metric and treatment arm, relative scale; the primary's target is drawn."""
    multi = len(r.spec.treatments) > 1
    rows = []
    for m in r.metrics:
        target = m.ref.target.relative if (m.role == "primary" and m.ref.target) else None
        label = f"{m.metric.name} ({m.role}{', ' + m.arm if multi else ''})"
        rows.append(EffectRow(label, m.effect.effect_rel, *m.effect.ci_rel, verdict=m.verdict, target=target,
                              direction=m.metric.direction))
    return rows


def render(r: Readout) -> str:
    doc = r.to_json()
    head = ("<tr><th>metric</th><th>role</th><th>arm</th><th>control</th><th>treatment</th><th>effect</th>"
            "<th>CI</th><th>relative</th><th>relative CI</th><th>p (adj.)</th><th>verdict</th></tr>")
    body = []
    for m in r.metrics:
        e = m.effect
        body.append(
            f"<tr><td>{escape(m.metric.name)}</td><td>{m.role}</td><td>{escape(m.arm)}</td>"
            f"<td>{_num(m.control)}</td><td>{_num(m.treatment)}</td><td>{_num(e.effect_abs)}</td>"
            f"<td>[{_num(e.ci_abs[0])}, {_num(e.ci_abs[1])}]</td><td>{_num(e.effect_rel, True)}</td>"
            f"<td>[{_num(e.ci_rel[0], True)}, {_num(e.ci_rel[1], True)}]</td>"
            f"<td>{m.effect.p_value:.3g} ({m.p_value_adjusted:.3g})</td><td>{escape(m.verdict)}</td></tr>")
    value = ""
    if r.value:
        v = r.value
        value = (f"<p><b>Annual value:</b> {v.annual:,.0f} {escape(v.currency)} per year "
                 f"(CI {v.ci[0]:,.0f} to {v.ci[1]:,.0f}). <small>{escape(v.basis)}</small></p>")
    warnings = "".join(f"<li>{escape(w)}</li>" for w in r.warnings)
    srm = doc["srm"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Readout: {escape(r.spec.pilot)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#24292f}}
table{{border-collapse:collapse;font-size:13px}} td,th{{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}} .verdict{{font-size:1.3rem;font-weight:600}}
</style></head><body>
<h1>Pilot readout: {escape(r.spec.pilot)}</h1>
<p>{escape(r.spec.description)}</p>
<p class="verdict">Verdict: {escape(r.verdict)}</p><p>{escape(r.reason)}</p>
<p>Design {escape(r.spec.design)}, unit {escape(r.spec.unit)}{escape(scope_text(r.spec))}; units per arm
{escape(", ".join(f"{arm} {n:,}" for arm, n in r.n.items()))};
{_srm_text(srm)}</p>
{value}
{effect_chart(chart_rows(r))}
<table>{head}{''.join(body)}</table>
{f'<h2>Warnings</h2><ul>{warnings}</ul>' if warnings else ''}
<p><small>cxscale readout schema {doc['schema_version']}; data: {escape(r.source)}</small></p>
</body></html>
"""


def scope_text(spec: PilotSpec) -> str:
    """", contacts at intent X, journey_stage Y" for a scoped spec (docs/pilot-spec.md#scope); "" without a scope."""
    if spec.scope is None:
        return ""
    return ", contacts at " + "; ".join(f"{k} {', '.join(v)}" for k, v in spec.scope.values().items())


def write_html(r: Readout, path: str | Path) -> Path:
    """Write the readout page to `path` and return it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render(r))
    return p
