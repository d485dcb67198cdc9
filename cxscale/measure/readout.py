"""The pilot readout: spec + data -> sufficient statistics in the engine -> effects -> verdict and money.

`readout(spec, data)` returns a Readout whose `to_json()` is the versioned document of `cxscale measure --json`
(docs/readout.md). Everything heavy runs in the engine (cxscale.measure.sufficient); this module only combines
a few numbers per arm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cxscale.data.dataset import Dataset
from cxscale.errors import SpecError
from cxscale.measure import effects, verdict
from cxscale.measure.money import AnnualValue, annual_value, handle_time_value, units_in_data
from cxscale.measure.spec import MetricRef, PilotSpec
from cxscale.measure.sufficient import MetricArmStats, PilotStats, pilot_stats
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect, MeanStats, RatioStats

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
            "analysis_unit": s.analysis_unit or s.unit, "arms": s.arms, "control": s.control, "n": self.n,
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


def _utc(ts: Any) -> datetime | None:
    if ts is None or (isinstance(ts, float) and math.isnan(ts)):
        return None
    if hasattr(ts, "to_pydatetime"):
        ts = ts.to_pydatetime()
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def metric_roles(spec: PilotSpec, catalog: Catalog) -> list[tuple[str, MetricRef, MetricDef]]:
    """(role, reference, definition) for the primary, guardrail and secondary metrics of the spec."""
    refs = [("primary", spec.primary)] + [("guardrail", g) for g in spec.guardrails] + \
           [("secondary", s) for s in spec.secondary]
    return [(role, ref, catalog.get(ref.metric)) for role, ref in refs]


def spec_warnings(spec: PilotSpec, catalog: Catalog) -> list[str]:
    """Warnings about the spec itself: a technical primary metric does not show business value; a target that points
    in the metric's bad direction makes "target reached" meaningless."""
    out = []
    primary = catalog.get(spec.primary.metric)
    if primary.kind == "technical":
        out.append(f"primary metric {primary.name} is a technical metric: {primary.why_not_business or 'it measures the system, not the business outcome'}")
    target = spec.primary.target
    change = None if target is None else (target.relative if target.relative is not None else target.absolute)
    if change is not None and change != 0 and not primary.better(change):
        good = "lower" if primary.direction == "lower" else "higher"
        out.append(f"primary target {change:+g} moves {primary.name} the wrong way ({good} is better): a target is the "
                   f"change to reach, e.g. {-change:+g}")
    return out


def _stats_for(s: MetricArmStats, use_cuped: bool) -> Any:
    if use_cuped and s.cuped is not None and isinstance(s.pre, MeanStats) and s.pre.variance > 0:
        return s.cuped
    return s.post


def _observed(s: MetricArmStats) -> float:
    return s.post.ratio if isinstance(s.post, RatioStats) else s.post.mean


def _expected_split(spec: PilotSpec) -> dict[str, float]:
    """The planned share per arm for the SRM check (equal by default); every arm needs one."""
    expected = spec.expected_split or {a: 1.0 for a in spec.arms}
    missing = [a for a in spec.arms if a not in expected]
    if missing:
        raise SpecError(f"pilot {spec.pilot}: expected_split has no share for arm(s) {', '.join(missing)}; give one "
                        f"share per arm ({', '.join(spec.arms)}), e.g. expected_split: "
                        + "{" + ", ".join(f"{a}: {1 / len(spec.arms):.2g}" for a in spec.arms) + "}")
    return expected


def compare(ps: PilotStats, spec: PilotSpec, roles: list[tuple[str, MetricRef, MetricDef]],
            window_complete: bool) -> tuple[list[MetricReadout], float]:
    """Effects, adjusted p-values, guardrail statuses and verdicts for every metric and treatment arm."""
    expected = _expected_split(spec)
    alpha = spec.options.alpha
    srm_p = effects.srm_p_value(ps.n, expected)
    rows = []
    for role, ref, m in roles:
        for arm in spec.treatments:
            c, t = ps.stats[(m.name, spec.control)], ps.stats[(m.name, arm)]
            use_cuped = spec.options.cuped and c.cuped is not None
            sc, st = _stats_for(c, use_cuped), _stats_for(t, use_cuped)
            if type(sc) is not type(st):  # one arm without pre-period variance: fall back to the plain estimator
                sc, st = c.post, t.post
            e = effects.effect_of(sc, st, alpha, spec.options.sequential, spec.options.planned_units_per_arm)
            extra: dict[str, Any] = {}
            if spec.options.bayesian:
                extra["bayes"] = effects.bayes_summary(e, m.direction == "lower", alpha)
            rows.append(Comparison(role, ref, m, arm, e, c.post.n, t.post.n, _observed(c), _observed(t), t.cap,
                                   extra))
    return judge_all(rows, spec, srm_p >= SRM_ALPHA, window_complete), srm_p


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
        g = verdict.guardrail_status(r.metric, r.effect, r.ref.max_harm)
        if g.verdict == "breached":
            breached.setdefault(r.arm, []).append(r.metric.name)
        out.append(MetricReadout(r.metric, r.role, r.arm, r.effect, p_adj[i], r.ref, g.verdict, g.reason,
                                 guardrail_status=g.verdict, **common(r)))
    for i, r in enumerate(rows):
        if r.role == "guardrail":
            continue
        j = verdict.judge(r.metric, r.effect, p_adj[i], alpha, r.ref.target, srm_ok=srm_ok,
                          window_complete=window_complete,
                          breached=breached.get(r.arm) if r.role == "primary" else None)
        reached, reached_ci = verdict.target_reached(r.metric, r.effect, r.ref.target)
        out.append(MetricReadout(r.metric, r.role, r.arm, r.effect, p_adj[i], r.ref, j.verdict, j.reason, reached,
                                 reached_ci, **common(r)))
    order = {"primary": 0, "guardrail": 1, "secondary": 2}
    out.sort(key=lambda m: order[m.role])
    return out


def overall(metrics: list[MetricReadout], srm_ok: bool) -> tuple[str, str]:
    """The pilot's verdict: blocked on SRM; else proven if any arm's primary is proven; else harmful, inconclusive,
    not proven yet in that order."""
    primary = [m for m in metrics if m.role == "primary"]
    if not srm_ok:
        return verdict.BLOCKED, primary[0].reason
    for v in (verdict.PROVEN, verdict.HARMFUL, verdict.INCONCLUSIVE, verdict.NOT_YET):
        hit = [m for m in primary if m.verdict == v]
        if hit:
            arm = f" (arm {hit[0].arm})" if len(primary) > 1 else ""
            return v, hit[0].reason + arm
    return verdict.NOT_YET, ""  # pragma: no cover - every primary has one of the verdicts


def _value(ds: Dataset, spec: PilotSpec, metrics: list[MetricReadout]) -> AnnualValue | None:
    """Money for the primary metric when it is money (else the first money metric), or through the rate card
    when the primary is a handle time."""
    money = [m for m in metrics if m.metric.is_money and m.metric.type == "sum"]
    primary = metrics[0] if metrics and metrics[0].role == "primary" else None
    if primary is not None and primary not in money and primary.metric.unit_label == "seconds" \
            and primary.metric.is_ratio and primary.metric.source == "interactions" and ds.has("assignments"):
        return handle_time_value(ds, primary.metric, primary.effect, primary.arm, spec.pilot, spec.unit,
                                 spec.value.currency)
    if not money:
        return None
    best = money[0]
    if spec.value.units_per_year:
        units, source = spec.value.units_per_year, "spec value.units_per_year"
    else:
        units, source = units_in_data(ds, spec.analysis_unit or spec.unit)
    return annual_value(best.metric, best.effect, best.arm, spec.windows.post_days, units, source,
                        spec.value.currency)


def readout(spec: PilotSpec, data: Dataset, catalog: Catalog | None = None) -> Readout:
    """Read out a pilot: one engine query for all metrics' per-arm statistics, then effects, verdict and money."""
    catalog = catalog or builtin_catalog()
    roles = metric_roles(spec, catalog)
    warnings = spec_warnings(spec, catalog)
    if spec.design == "rollout":
        from cxscale.measure.rollout import rollout_readout

        return rollout_readout(spec, data, roles, warnings)
    _expected_split(spec)  # fail before the engine works
    defs = list({m.name: m for _, _, m in roles}.values())
    ps = pilot_stats(data, spec, defs)
    end, last = _utc(ps.data_end), _utc(ps.last_assigned)
    complete = end is None or last is None or end >= last + timedelta(days=spec.windows.post_days - 1)
    if not complete:
        warnings.append(f"the data ends {end:%Y-%m-%d}, before the post window of the last unit assigned "
                        f"({last:%Y-%m-%d} + {spec.windows.post_days} days) has elapsed")
    metrics, srm_p = compare(ps, spec, roles, complete)
    if srm_p < SRM_ALPHA:
        warnings.append(f"sample ratio mismatch (p = {srm_p:.2g}): units per arm {ps.n} do not match the planned "
                        "split; the verdict is blocked")
    v, reason = overall(metrics, srm_p >= SRM_ALPHA)
    return Readout(spec, ps.n, srm_p, metrics, v, reason, _value(data, spec, metrics), warnings, data.source,
                   complete, extra={"caps": ps.caps} if ps.caps else {})
