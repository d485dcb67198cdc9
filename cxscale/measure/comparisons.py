"""From comparisons to the readout document (docs/readout.md): the multiplicity correction over the comparisons, the
guardrails, each metric's verdict (the rules: cxscale.measure.verdict), the pilot's verdict and the money, assembled
into the ReadoutDocument that `cxscale measure` prints. Randomised pilots (cxscale.measure.readout) and rollouts
(cxscale.measure.rollout) both end here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import MetricRef, PilotSpec
from cxscale.documents.readout import (
    SCHEMA_VERSION,
    AnnualMoney,
    MetricResult,
    ReadoutDocument,
    ReadoutOptions,
    ReadoutWindows,
    Srm,
    TargetChange,
)
from cxscale.measure import effects, verdict
from cxscale.measure.money import (
    NATURE_UNSTATED,
    annual_value,
    handle_time_value,
    units_in_data,
    units_in_pilot,
)
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect

_ROLE_ORDER = {"primary": 0, "guardrail": 1, "secondary": 2}


@dataclass(frozen=True)
class Comparison:
    """One metric, one treatment arm: the effect before multiplicity correction and judgement."""

    role: str
    ref: MetricRef
    metric: MetricDef
    arm: str
    effect: Effect
    n_control: int
    n_treatment: int
    #: Observed (unadjusted) metric values per arm; the effect may be CUPED-adjusted.
    control: float
    treatment: float
    cap: float | None = None
    #: Fields of the metric's result that only some designs have (bayes; a rollout's clusters and event study).
    extra: dict[str, Any] = field(default_factory=dict)
    #: Why the design cannot reach alpha for this comparison (too few units or clusters), or None.
    design_limit: str | None = None


def readout_document(spec: PilotSpec, data: Dataset, rows: list[Comparison], n: dict[str, int],
                     srm_p_value: float | None, warnings: list[str], *, window_complete: bool = True,
                     money: bool = True, caps: dict[str, float] | None = None,
                     enrolled: float | None = None) -> ReadoutDocument:
    """The readout of `rows` (comparisons in role order: primary, guardrails, secondaries): judged, with the pilot's
    verdict and, when `money`, the annual value. srm_p_value None: no planned split to check (not randomised).
    enrolled: the pilot's units in every arm when the caller has counted them (else the money counts them)."""
    srm_ok = srm_p_value is None or srm_p_value >= verdict.SRM_ALPHA
    results = judge_comparisons(rows, spec, srm_ok, window_complete)
    pilot_verdict, reason = overall(results, srm_ok)
    value = annual_value_of(data, spec, rows, results, enrolled) if money else None
    if value is not None and not value.nature_stated and NATURE_UNSTATED not in warnings:
        warnings.append(NATURE_UNSTATED)  # the money rests on an assumed nature (docs/readout.md#money)
    s = spec
    return ReadoutDocument(
        schema_version=SCHEMA_VERSION, pilot=s.pilot, design=s.design, unit=s.unit,
        analysis_unit=s.analysis_unit or s.unit, scope=s.scope.values() if s.scope is not None else None,
        arms=s.arms, control=s.control, n=n,
        windows=ReadoutWindows(pre_days=s.windows.pre_days, post_days=s.windows.post_days),
        window_complete=window_complete, options=ReadoutOptions(**s.options.model_dump()),
        srm=Srm(p_value=srm_p_value, ok=srm_ok, threshold=verdict.SRM_ALPHA, counts=n,
                applicable=srm_p_value is not None),
        verdict=pilot_verdict, reason=reason, metrics=results, value=value, warnings=warnings, data=data.source,
        **({"caps": caps} if caps else {}))


def judge_comparisons(rows: list[Comparison], spec: PilotSpec, srm_ok: bool,
                      window_complete: bool) -> list[MetricResult]:
    """One result per comparison, in the order of `rows`. Adjust p-values over primary and secondary comparisons
    (guardrails stay unadjusted: missing a harm is the costlier error), then judge guardrails first and the primary
    and secondary metrics with them."""
    assert [_ROLE_ORDER[r.role] for r in rows] == sorted(_ROLE_ORDER[r.role] for r in rows), "rows in role order"
    alpha = spec.options.alpha
    family = [i for i, r in enumerate(rows) if r.role in ("primary", "secondary")]
    adjusted = effects.adjust([rows[i].effect.p_value for i in family], spec.options.correction)
    p_adj = {i: r.effect.p_value for i, r in enumerate(rows)}
    p_adj.update(dict(zip(family, adjusted, strict=True)))

    out: dict[int, MetricResult] = {}
    breached: dict[str, list[str]] = {}
    for i, r in enumerate(rows):
        if r.role != "guardrail":
            continue
        g = verdict.guardrail_status(r.metric, r.effect, r.ref.max_harm, r.design_limit)
        if g.verdict == "breached":
            breached.setdefault(r.arm, []).append(r.metric.name)
        out[i] = _result(r, p_adj[i], g.verdict, g.reason, guardrail_status=g.verdict)
    for i, r in enumerate(rows):
        if r.role == "guardrail":
            continue
        j = verdict.judge(r.metric, r.effect, p_adj[i], alpha, r.ref.target, srm_ok=srm_ok,
                          window_complete=window_complete,
                          breached=breached.get(r.arm) if r.role == "primary" else None, design_limit=r.design_limit)
        reached, reached_ci = verdict.target_reached(r.metric, r.effect, r.ref.target)
        out[i] = _result(r, p_adj[i], j.verdict, j.reason, reached, reached_ci)
    return [out[i] for i in range(len(rows))]


def _result(r: Comparison, p_adjusted: float, verdict: str, reason: str, target_reached: bool | None = None,
            target_reached_ci: bool | None = None, guardrail_status: str | None = None) -> MetricResult:
    e, m = r.effect, r.metric
    target = r.ref.target if r.role == "primary" else r.ref.max_harm
    return MetricResult(
        name=m.name, role=r.role, arm=r.arm, kind=m.kind, direction=m.direction, unit_label=m.unit_label,
        control=r.control, treatment=r.treatment, effect_abs=e.effect_abs, ci_abs=list(e.ci_abs),
        effect_rel=e.effect_rel, ci_rel=list(e.ci_rel), p_value=e.p_value, p_value_adjusted=p_adjusted,
        method=e.method, alpha=e.alpha,
        target=TargetChange(**target.model_dump(exclude_none=True)) if target else None,
        target_reached=target_reached, target_reached_ci=target_reached_ci, verdict=verdict, reason=reason,
        guardrail_status=guardrail_status, n_control=r.n_control, n_treatment=r.n_treatment, cap=r.cap, **r.extra)


def overall(metrics: list[MetricResult], srm_ok: bool) -> tuple[str, str]:
    """The pilot's verdict: blocked on SRM; else proven if any arm's primary is proven; else harmful, inconclusive by
    design, inconclusive, not proven yet in that order."""
    primary = [m for m in metrics if m.role == "primary"]
    if not srm_ok:
        return verdict.BLOCKED, primary[0].reason
    for v in (verdict.PROVEN, verdict.HARMFUL, verdict.INCONCLUSIVE_BY_DESIGN, verdict.INCONCLUSIVE, verdict.NOT_YET):
        hit = [m for m in primary if m.verdict == v]
        if hit:
            arm = f" (arm {hit[0].arm})" if len(primary) > 1 else ""
            return v, hit[0].reason + arm
    return verdict.NOT_YET, ""  # pragma: no cover - every primary has one of the verdicts


def annual_value_of(ds: Dataset, spec: PilotSpec, rows: list[Comparison],
                    results: list[MetricResult], enrolled: float | None = None) -> AnnualMoney | None:
    """Money for the primary metric when it is money (else the first money metric), or through the rate card
    when the primary is a handle time; annualised by the spec's value.nature (docs/readout.md#money). `results`
    are the judged `rows`, in the same order; enrolled: the pilot's analysis units in every arm, if counted."""
    money = [(r, m) for r, m in zip(rows, results, strict=True) if r.metric.is_money and r.metric.type == "sum"]
    v = spec.value
    p = rows[0] if rows and rows[0].role == "primary" else None
    if p is not None and not (p.metric.is_money and p.metric.type == "sum") and p.metric.unit_label == "seconds" \
            and p.metric.is_ratio and p.metric.source == "interactions" and ds.has("assignments"):
        return handle_time_value(ds, p.metric, p.effect, p.arm, spec.pilot, spec.unit, v.currency, v.nature,
                                 spec.windows.post_days, v.repeats_per_year)
    if not money:
        return None
    best, judgement = money[0]
    analysis_unit = spec.analysis_unit or spec.unit
    if enrolled is None and ds.has("assignments"):
        enrolled = units_in_pilot(ds, spec.pilot, spec.unit, analysis_unit)
    if v.units_per_year:
        units, source = v.units_per_year, "spec value.units_per_year"
    elif v.nature == "one_off" and enrolled is not None:
        units, source = enrolled, f"the pilot's {analysis_unit}s in every arm: the list one campaign reaches"
    else:
        units, source = units_in_data(ds, analysis_unit, scoped=spec.scope is not None)
    value = annual_value(best.metric, best.effect, best.arm, spec.windows.post_days, units, source, v.currency,
                         v.nature, v.repeats_per_year, None if v.units_per_year else enrolled)
    if best.role == "primary":
        return value
    # A guardrail's or secondary's money is not the pilot's verdict: say which and how sure it is.
    caveat = (f"; {best.metric.name} is a {best.role} metric, {judgement.verdict} (adjusted p = "
              f"{judgement.p_value_adjusted:.2g}); the CI is its effect's, not adjusted for multiplicity")
    return value.model_copy(update={"role": best.role, "basis": value.basis + caveat})
