"""The proof point's page: one self-contained HTML document (template cxscale/templates/proof.html, inline CSS and
SVG, nothing fetched) that prints as the PDF (cxscale.pdf). Every number comes from the ProofPoint document and is
formatted in its unit by cxscale.format; nothing is computed here but the layout."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup

from cxscale import format as fmt
from cxscale.charts.effects import EffectRow, effect_chart
from cxscale.documents.proof_point import EffectAt, ProofPoint
from cxscale.documents.readout import MetricResult
from cxscale.measure.html import chart_rows, metric_row
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.proof.claims import label
from cxscale.templates import render as render_template
from cxscale.yamlfile import dump_yaml


def _nan(x: float | None) -> float:
    return math.nan if x is None else x


def _rows(effects: list[EffectAt], multi: bool, target: float | None, relative_to: float | None = None) -> list[EffectRow]:
    out = []
    for e in effects:
        if relative_to:  # a rollout's event study is absolute: as a share of the comparison level
            est, lo, hi = (_nan(v) / abs(relative_to) if v is not None else math.nan
                           for v in (e.effect_abs, *e.ci_abs))
        else:
            est, lo, hi = _nan(e.effect_rel), _nan(e.ci_rel[0]), _nan(e.ci_rel[1])
        n = f"{fmt.count(e.n_control)} vs {fmt.count(e.n_treatment)}"
        name = f"{e.label}{', ' + e.arm if multi else ''}" + ("" if relative_to else f" ({n})")
        out.append(EffectRow(name, est, lo, hi, verdict=e.verdict if e.verdict in ("proven", "harmful") else "",
                             target=target))
    return out


def _owners(p: ProofPoint) -> list[dict[str, str]]:
    o = p.use_case.owners
    if o is None:
        return []
    return [{"function": f.replace("_", " "), "person": getattr(o, f)} for f in
            ("technology", "operations", "commercial", "executive_sponsor") if getattr(o, f)]


def _problem(p: ProofPoint) -> dict[str, Any]:
    pr = p.use_case.problem
    if pr is None:
        return {"where": "", "figures": [], "source": ""}
    where = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in
                      (("journey stage", pr.journey_stage), ("intent", pr.intent), ("channel", pr.channel)) if v)
    ev = pr.evidence
    figures = [{"name": k.replace("_", " "), "value": fmt.number(v)} for k, v in (ev.figures.items() if ev else [])]
    source = (f"{ev.diagnosis}" + (f", hotspot {ev.hotspot_rank}" if ev.hotspot_rank else "")) if ev else ""
    return {"where": where, "figures": figures, "source": source}


def _target_text(m: MetricResult) -> tuple[str, str]:
    t = m.target
    goal = "none" if t is None else fmt.relative(t.relative) if t.relative is not None else \
        fmt.unit(m.unit_label).change(t.absolute)
    if m.target_reached_ci:
        return goal, "reached: the whole interval is past the target"
    if m.target_reached:
        return goal, "reached by the estimate, not by the whole interval"
    return goal, "not reached: the effect is real but smaller than the target"


def render(p: ProofPoint, catalog: Catalog | None = None, *, created: str | None = None) -> str:
    """The page as an HTML string. `created` (ISO 8601) is written as its dcterms.created meta (the PDF's creation
    date); it is the only part of the page that depends on when it was built."""
    catalog = catalog or builtin_catalog()
    doc, spec = p.readout, p.spec
    multi = len(doc.treatments) > 1
    refs = {("primary", spec.primary.metric): spec.primary, **{("guardrail", g.metric): g for g in spec.guardrails},
            **{("secondary", s.metric): s for s in spec.secondary}}
    currency = spec.value.currency
    metrics = [metric_row(m, refs[(m.role, m.name)], catalog, currency, multi) for m in doc.metrics]
    primary = doc.primary
    target = spec.primary.target.relative if spec.primary.target else None
    head = primary[0]
    goal, reached = _target_text(head)
    if multi:  # each arm's own: one arm can reach the target and another not
        reached = "; ".join(f"{m.arm} {_target_text(m)[1]}" for m in primary)
    value = doc.value
    tiles = [{"label": f"{label(m.name)}{' (' + m.arm + ')' if multi else ''}", "value": fmt.relative(m.effect_rel),
              "sub": f"{1 - doc.options.alpha:.0%} CI {fmt.interval(m.ci_rel[0], m.ci_rel[1], fmt.relative)}"}
             for m in primary]
    if value is not None:
        whose = f" ({value.role}: {label(value.metric)}, {value.arm})" if value.role not in (None, "primary") else ""
        tiles.append({"label": value.title.lower() + whose, "value": fmt.money(value.annual, value.currency),
                      "sub": f"CI {fmt.money(value.ci[0], '')} to {fmt.money(value.ci[1], value.currency)}"})
    tiles.append({"label": "units", "value": fmt.count(sum(doc.n.values())),
                  "sub": f"{doc.unit}s over {doc.windows.post_days} days"})
    weekly_rel = head.control if doc.design == "rollout" else None
    weekly_chart = Markup(effect_chart(_rows(p.weekly, multi, None if weekly_rel else target, weekly_rel),
                                       title=("Effect by week relative to the rollout (event study)" if weekly_rel
                                              else "Effect so far, cumulative to the end of each week"), width=900)) \
        if p.weekly else None
    segments = [{"column": s.column.replace("_", " "), "how": s.how,
                 "chart": Markup(effect_chart(_rows(s.effects, multi, target),
                                              title=f"Effect of {label(head.name)} by {s.column.replace('_', ' ')}",
                                              width=900)),
                 "rows": [{"label": e.label, "arm": e.arm, "n": f"{fmt.count(e.n_control)} / {fmt.count(e.n_treatment)}",
                           "effect": fmt.relative(e.effect_rel),
                           "ci": fmt.interval(e.ci_rel[0], e.ci_rel[1], fmt.relative), "verdict": e.verdict}
                          for e in s.effects]}
                for s in p.segments if s.effects]
    guards = [m for m in metrics if m["role"] == "guardrail"]
    uc = p.use_case
    design = uc.design
    return render_template(
        "proof.html", p=p, doc=doc, title=p.title, created=created or p.built_at, problem=_problem(p),
        mechanism=uc.mechanism or spec.description, capabilities=", ".join(uc.capabilities) or "not named",
        deployed=(f"{design.type.replace('_', ' ')} by {design.unit}" if design else doc.design) +
        (f"; stages {', '.join(design.stages)}" if design and design.stages else ""),
        scope=", ".join(f"{k} {', '.join(v)}" for k, v in (doc.scope or {}).items()) or "every contact of the units",
        claims=[c.text for c in p.claims], tiles=tiles, goal=goal, reached=reached, owners=_owners(p),
        signed=p.signed_off, recommendation=p.recommendation,
        arms=[{"arm": a, "n": fmt.count(doc.n.get(a, 0)), "role": "control" if a == doc.control else "treatment"}
              for a in doc.arms],
        srm=("not applicable (not randomised)" if not doc.srm.applicable else
             f"p = {fmt.p_value(doc.srm.p_value)}: the split matches the plan" if doc.srm.ok else
             f"p = {fmt.p_value(doc.srm.p_value)}: the split does not match the plan"),
        chart=Markup(effect_chart(chart_rows(doc, spec), width=900)), metrics=metrics, guardrails=guards,
        value=value, weekly_chart=weekly_chart, rollout=doc.design == "rollout",
        pretrend=[{"metric": m.name, "p": fmt.p_value(m.pretrend_p_value), "ok": m.parallel_trends_ok}
                  for m in primary if m.pretrend_p_value is not None],
        segments=segments, gate=p.gate, warnings=doc.warnings,
        fingerprints=[{"table": f.table, "rows": fmt.count(f.rows), "hash": f.content_hash, "engine": f.engine,
                       "columns": len(f.columns)} for f in p.fingerprints],
        spec_yaml=dump_yaml(spec.model_dump(mode="json", exclude_defaults=True) | {"pilot": spec.pilot}),
        digest=p.content_digest, alpha=doc.options.alpha, confidence=f"{1 - doc.options.alpha:.0%}")
