"""The pilot readout: spec + data -> sufficient statistics in the engine -> effects -> verdict and money.

`readout(spec, data)` returns the ReadoutDocument that `cxscale measure --json` prints (docs/readout.md). Everything
heavy runs in the engine (cxscale.measure.sufficient); this module only combines a few numbers per arm into the
comparisons of a randomised pilot and hands a rollout to cxscale.measure.rollout; cxscale.measure.comparisons judges
both and assembles the document.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import MetricRef, PilotSpec
from cxscale.documents.readout import ReadoutDocument
from cxscale.errors import SpecError
from cxscale.measure import effects, verdict
from cxscale.measure.comparisons import Comparison, readout_document
from cxscale.measure.rollout import rollout_readout
from cxscale.measure.sufficient import MetricArmStats, PilotStats, pilot_stats
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import MeanStats, RatioStats

__all__ = ["metric_roles", "readout", "spec_warnings"]


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
    in the metric's bad direction makes "target reached" meaningless, and one beyond what the metric can move from
    any baseline (MetricDef.bounds: +1.5 of a share, +500% of a 1-5 CSAT mean) can never be reached."""
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
    why = primary.beyond_reach(target.relative, target.absolute) if target is not None else None
    if why is not None:
        out.append(f"primary target {why}: no pilot can reach it")
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


def comparisons(ps: PilotStats, spec: PilotSpec,
                roles: list[tuple[str, MetricRef, MetricDef]]) -> tuple[list[Comparison], float]:
    """The effect of every metric for every treatment arm against control, and the SRM check's p-value."""
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
            limit = verdict.too_few_units({spec.control: c.post.n, arm: t.post.n})
            rows.append(Comparison(role, ref, m, arm, e, c.post.n, t.post.n, _observed(c), _observed(t), t.cap,
                                   extra, limit))
    return rows, srm_p


def readout(spec: PilotSpec, data: Dataset, catalog: Catalog | None = None) -> ReadoutDocument:
    """Read out a pilot: one engine query for all metrics' per-arm statistics, then effects, verdict and money."""
    catalog = catalog or builtin_catalog()
    if spec.scope is not None:
        data = data.at(spec.scope.values())
    roles = metric_roles(spec, catalog)
    warnings = spec_warnings(spec, catalog)
    if spec.design == "rollout":
        return rollout_readout(spec, data, roles, warnings)
    _expected_split(spec)  # fail before the engine works
    defs = list({m.name: m for _, _, m in roles}.values())
    ps = pilot_stats(data, spec, defs)
    end, last = _utc(ps.data_end), _utc(ps.last_assigned)
    complete = end is None or last is None or end >= last + timedelta(days=spec.windows.post_days - 1)
    if not complete:
        warnings.append(f"the data ends {end:%Y-%m-%d}, before the post window of the last unit assigned "
                        f"({last:%Y-%m-%d} + {spec.windows.post_days} days) has elapsed")
    few = verdict.too_few_units(ps.n)
    if few:
        small = ", ".join(f"arm {a} has {k} unit{'' if k == 1 else 's'}" for a, k in ps.n.items() if k < 2)
        warnings.append(f"{small}: too few units to estimate a variance, so no interval or test is possible and the "
                        f"verdict is {verdict.INCONCLUSIVE_BY_DESIGN}; assign at least 2 units per arm")
    rows, srm_p = comparisons(ps, spec, roles)
    if srm_p < verdict.SRM_ALPHA:
        warnings.append(f"sample ratio mismatch (p = {srm_p:.2g}): units per arm {ps.n} do not match the planned "
                        "split; the verdict is blocked")
    # The money's enrolment is the stats query's count of assigned units (no scan of its own), per unit of
    # assignment; another analysis unit (customers inside agents) is counted by the money step.
    enrolled = float(ps.assigned) if ps.assigned is not None and ps.analysis_unit == ps.unit else None
    return readout_document(spec, data, rows, ps.n, srm_p, warnings, window_complete=complete,
                            money=not few, caps=ps.caps, enrolled=enrolled)  # no money figure without an interval
