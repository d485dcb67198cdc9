"""The readout's result and how it is judged: per metric and arm a MetricReadout (effect, adjusted p-value, verdict),
the pilot's Readout with its versioned JSON (docs/readout.md), the multiplicity correction over the comparisons, the
guardrails, the overall verdict and the money. Randomised pilots (cxscale.measure.readout) and rollouts
(cxscale.measure.rollout) both end here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import MetricRef, PilotSpec
from cxscale.measure import effects, verdict
from cxscale.measure.money import AnnualValue, annual_value, handle_time_value, units_in_data, units_in_pilot
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect

SCHEMA_VERSION = 1
#: SRM threshold: a chi-square p-value below this blocks the verdict (a strict level, as is usual for SRM).
SRM_ALPHA = 0.001



@dataclass(frozen=True)
class MetricReadout:
    """One metric, one treatment arm vs control."""

    metric: MetricDef
    role: str  # primary, guardrail, secondary
    arm: str
    effect: Effect
    p_value_adjusted: float
    ref: MetricRef
    verdict: str
    reason: str
    target_reached: bool | None = None
    target_reached_ci: bool | None = None
    guardrail_status: str | None = None
    n_control: int = 0
    n_treatment: int = 0
    cap: float | None = None
    #: Observed (unadjusted) metric values per arm; the effect may be CUPED-adjusted.
    control: float | None = None
    treatment: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        e = self.effect
        target = self.ref.target if self.role == "primary" else self.ref.max_harm
        doc = {
            "name": self.metric.name, "role": self.role, "arm": self.arm, "kind": self.metric.kind,
            "direction": self.metric.direction, "unit_label": self.metric.unit_label,
            "control": self.control if self.control is not None else e.control,
            "treatment": self.treatment if self.treatment is not None else e.treatment,
            "effect_abs": e.effect_abs, "ci_abs": list(e.ci_abs), "effect_rel": e.effect_rel, "ci_rel": list(e.ci_rel),
            "p_value": e.p_value, "p_value_adjusted": self.p_value_adjusted, "method": e.method, "alpha": e.alpha,
            "target": target.model_dump(exclude_none=True) if target else None,
            "target_reached": self.target_reached, "target_reached_ci": self.target_reached_ci,
            "verdict": self.verdict, "reason": self.reason, "guardrail_status": self.guardrail_status,
            "n_control": self.n_control, "n_treatment": self.n_treatment, "cap": self.cap,
        }
        doc.update(self.extra)
        return doc


@dataclass(frozen=True)
class Readout:
    """The whole readout of one pilot."""

    spec: PilotSpec
    n: dict[str, int]
    srm_p_value: float | None
    metrics: list[MetricReadout]
    verdict: str
    reason: str
    value: AnnualValue | None
    warnings: list[str]
    source: str
    window_complete: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.value is not None and self.value.warning and self.value.warning not in self.warnings:
            self.warnings.append(self.value.warning)  # the money rests on an assumed nature (docs/readout.md#money)

    @property
    def srm_ok(self) -> bool:
        """True when the SRM check passed or does not apply (non-randomised designs have no planned split)."""
        return self.srm_p_value is None or self.srm_p_value >= SRM_ALPHA

    @property
    def primary(self) -> list[MetricReadout]:
        return [m for m in self.metrics if m.role == "primary"]

    def to_json(self) -> dict[str, Any]:
        s = self.spec
        doc = {
            "schema_version": SCHEMA_VERSION, "pilot": s.pilot, "design": s.design, "unit": s.unit,
            "analysis_unit": s.analysis_unit or s.unit,
            "scope": s.scope.values() if s.scope is not None else None,
            "arms": s.arms, "control": s.control, "n": self.n,
            "windows": {"pre_days": s.windows.pre_days, "post_days": s.windows.post_days},
            "window_complete": self.window_complete,
            "options": s.options.model_dump(),
            "srm": {"p_value": self.srm_p_value, "ok": self.srm_ok, "threshold": SRM_ALPHA, "counts": self.n,
                    "applicable": self.srm_p_value is not None},
            "verdict": self.verdict, "reason": self.reason,
            "metrics": [m.to_json() for m in self.metrics],
            "value": self.value.to_json() if self.value else None,
            "warnings": self.warnings, "data": self.source,
        }
        doc.update(self.extra)
        return finite_json(doc)


def finite_json(x: Any) -> Any:
    """JSON has no NaN/inf: they become null."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: finite_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite_json(v) for v in x]
    return x


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
    control: float
    treatment: float
    cap: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Why the design cannot reach alpha for this comparison (too few units or clusters), or None.
    design_limit: str | None = None


def judge_all(rows: list[Comparison], spec: PilotSpec, srm_ok: bool, window_complete: bool) -> list[MetricReadout]:
    """Adjust p-values over primary and secondary comparisons (guardrails stay unadjusted: missing a harm is the
    costlier error), then judge guardrails first and the primary and secondary metrics with them."""
    alpha = spec.options.alpha
    family = [i for i, r in enumerate(rows) if r.role in ("primary", "secondary")]
    adjusted = effects.adjust([rows[i].effect.p_value for i in family], spec.options.correction)
    p_adj = {i: r.effect.p_value for i, r in enumerate(rows)}
    p_adj.update(dict(zip(family, adjusted, strict=True)))

    def common(r: Comparison) -> dict[str, Any]:
        return {"n_control": r.n_control, "n_treatment": r.n_treatment, "cap": r.cap, "control": r.control,
                "treatment": r.treatment, "extra": r.extra}

    out: list[MetricReadout] = []
    breached: dict[str, list[str]] = {}
    for i, r in enumerate(rows):
        if r.role != "guardrail":
            continue
        g = verdict.guardrail_status(r.metric, r.effect, r.ref.max_harm, r.design_limit)
        if g.verdict == "breached":
            breached.setdefault(r.arm, []).append(r.metric.name)
        out.append(MetricReadout(r.metric, r.role, r.arm, r.effect, p_adj[i], r.ref, g.verdict, g.reason,
                                 guardrail_status=g.verdict, **common(r)))
    for i, r in enumerate(rows):
        if r.role == "guardrail":
            continue
        j = verdict.judge(r.metric, r.effect, p_adj[i], alpha, r.ref.target, srm_ok=srm_ok,
                          window_complete=window_complete,
                          breached=breached.get(r.arm) if r.role == "primary" else None, design_limit=r.design_limit)
        reached, reached_ci = verdict.target_reached(r.metric, r.effect, r.ref.target)
        out.append(MetricReadout(r.metric, r.role, r.arm, r.effect, p_adj[i], r.ref, j.verdict, j.reason, reached,
                                 reached_ci, **common(r)))
    order = {"primary": 0, "guardrail": 1, "secondary": 2}
    out.sort(key=lambda m: order[m.role])
    return out


def overall(metrics: list[MetricReadout], srm_ok: bool) -> tuple[str, str]:
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


def annual_value_of(ds: Dataset, spec: PilotSpec, metrics: list[MetricReadout]) -> AnnualValue | None:
    """Money for the primary metric when it is money (else the first money metric), or through the rate card
    when the primary is a handle time; annualised by the spec's value.nature (docs/readout.md#money)."""
    money = [m for m in metrics if m.metric.is_money and m.metric.type == "sum"]
    primary = metrics[0] if metrics and metrics[0].role == "primary" else None
    v = spec.value
    if primary is not None and primary not in money and primary.metric.unit_label == "seconds" \
            and primary.metric.is_ratio and primary.metric.source == "interactions" and ds.has("assignments"):
        return handle_time_value(ds, primary.metric, primary.effect, primary.arm, spec.pilot, spec.unit,
                                 v.currency, v.nature, spec.windows.post_days, v.repeats_per_year)
    if not money:
        return None
    best = money[0]
    analysis_unit = spec.analysis_unit or spec.unit
    enrolled = units_in_pilot(ds, spec.pilot, spec.unit, analysis_unit) if ds.has("assignments") else None
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
    caveat = (f"; {best.metric.name} is a {best.role} metric, {best.verdict} (adjusted p = "
              f"{best.p_value_adjusted:.2g}); the CI is its effect's, not adjusted for multiplicity")
    return replace(value, role=best.role, basis=value.basis + caveat)
