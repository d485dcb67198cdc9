"""Non-randomised rollouts: difference-in-differences on a small unit x week panel built in the engine.

A rollout treats one site (or team) first; the other units of the pilot are the comparison. The engine returns one
row per unit and week (numerator and denominator sums of the metric, a few hundred rows at most); the statistics
(cxscale.stats.did: two-way fixed-effects DiD, cluster-robust by unit, with a small-cluster method when few units
are treated; cxscale.stats.event_study: leads and lags with a pre-trend test) run on that panel
(docs/readout.md#rollouts).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.readout import ReadoutDocument
from cxscale.engine import epoch_float
from cxscale.errors import DataError, SpecError
from cxscale.measure.comparisons import Comparison, readout_document
from cxscale.measure.sufficient import TIME_COLUMN, UNIT_KEYS
from cxscale.metrics.compile import add_virtual_columns, check_columns, unit_aggregates
from cxscale.metrics.definition import MetricDef
from cxscale.stats import Effect, design_limit, did, event_study

_SECONDS_PER_WEEK = 7 * 86400


@dataclass(frozen=True)
class UnitWeekSums:
    """The rollout's panel: per unit and week (relative to the first treatment, week 0 = first treated week) the
    metric's numerator and denominator sums; treated marks units in a treatment arm, post marks weeks from the first
    treatment on (the same weeks for every unit, as difference-in-differences compares periods)."""

    unit: np.ndarray
    week: np.ndarray
    treated: np.ndarray
    post: np.ndarray
    num: np.ndarray
    den: np.ndarray

    @property
    def value(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.num / self.den


def unit_week_sums(ds: Dataset, spec: PilotSpec, metric: MetricDef) -> UnitWeekSums:
    """One grouped aggregation in the engine: unit x week sums of the metric over the pre and post windows."""
    source = metric.source
    key = UNIT_KEYS[source].get(spec.unit)
    if key is None:
        raise SpecError(f"pilot {spec.pilot}: metric {metric.name} comes from {source}, which has no {spec.unit} "
                        "column")
    a = ds.assignments
    a = a.filter((a.pilot == spec.pilot) & (a.unit_type == spec.unit)).select("unit_id", "arm", "assigned_at")
    events = ds.table(source)
    if source == "interactions":
        events = add_virtual_columns(events, metric.columns())
    check_columns(metric, events, f"{ds.source}: {source}")
    ts = TIME_COLUMN[source]
    treated_arms = list(spec.treatments)
    first = a.filter(a.arm.isin(treated_arms)).assigned_at.min().as_scalar()
    j = events.inner_join(a, events[key] == a.unit_id)
    offset = epoch_float(j[ts]) - epoch_float(first)
    j = j.filter((offset >= -spec.windows.pre_days * 86400) & (offset < spec.windows.post_days * 86400))
    j = j.mutate(_week=(offset.cast("float64") / _SECONDS_PER_WEEK).floor().cast("int64"),
                 _treated=j.arm.isin(treated_arms))
    clustered = metric.type in ("sum", "count", "proportion")
    aggs = unit_aggregates(metric, j, ibis.literal(True), "", j.customer_id if clustered else None)
    t: ir.Table = j.group_by(["unit_id", "_week", "_treated"]).aggregate(**aggs)
    df = t.execute()
    if df.empty:
        raise DataError(f"{ds.source}: no {source} rows for pilot {spec.pilot} in its windows; check the "
                        "assignments and the windows")
    return UnitWeekSums(df["unit_id"].to_numpy(str), df["_week"].to_numpy(int), df["_treated"].to_numpy(bool),
                 df["_week"].to_numpy(int) >= 0, df["num"].to_numpy(float), df["den"].to_numpy(float))


def rollout_readout(spec: PilotSpec, data: Dataset, roles: list, warnings: list[str]) -> ReadoutDocument:
    """Read out a rollout: per metric a unit x week panel from the engine, DiD with cluster-robust SEs, and an
    event-study pre-trend check that warns when pre-period trends differ (p < alpha)."""
    alpha = spec.options.alpha
    rows = []
    n: dict[str, int] = {}
    for role, ref, m in roles:
        panel = unit_week_sums(data, spec, m)
        for arm, is_treated in ((spec.control, False), *((t, True) for t in spec.treatments)):
            n.setdefault(arm, len(np.unique(panel.unit[panel.treated == is_treated])))
        ok = panel.den > 0
        args = (panel.unit[ok], panel.week[ok], panel.treated[ok], panel.post[ok], panel.value[ok])
        d = did(*args, weights=panel.den[ok], alpha=alpha)
        es = event_study(*args, weights=panel.den[ok], alpha=alpha)
        cell = ok & panel.treated & panel.post
        treated_post = float(panel.num[cell].sum() / panel.den[cell].sum()) if cell.any() else float("nan")
        c, est = treated_post - d.effect, d.effect
        lo, hi = float(d.ci[0]), float(d.ci[1])
        rel = est / c if c else float("nan")
        rel_lo, rel_hi = sorted((lo / c, hi / c)) if c else (rel, rel)  # sorted: a negative level flips the bounds
        e = Effect(c, treated_post, est, (lo, hi), rel, (rel_lo, rel_hi), d.p_value, d.se, f"did ({d.method})", alpha,
                   se_rel=d.se / abs(c) if c else float("nan"))
        limit = design_limit(d.n_clusters, d.n_treated_clusters, alpha, spec.unit)
        if not es.parallel_trends_ok:
            warnings.append(f"{m.name}: treated and comparison units trended differently before the rollout "
                            f"(event-study pre-trend p = {es.pretrend_p:.2g}); the parallel-trends assumption of "
                            "difference-in-differences is doubtful, read the effect with caution")
        warnings.extend(f"{m.name}: {w}" for w in (*d.warnings, *es.warnings) if w)
        extra = {"pretrend_p_value": es.pretrend_p, "parallel_trends_ok": es.parallel_trends_ok,
                 "clusters": d.n_clusters, "treated_clusters": d.n_treated_clusters, "few_clusters": d.few_clusters,
                 "event_study": {"rel_weeks": list(es.rel_periods), "coef": list(es.coef),
                                 "ci": [list(ci) for ci in es.ci]}}
        for arm in spec.treatments:
            rows.append(Comparison(role, ref, m, arm, e, n.get(spec.control, 0), n.get(arm, 0), c, c + est,
                                   extra=extra, design_limit=limit))
    warnings.append("rollout: not randomised; effects are difference-in-differences estimates against the "
                    "comparison units and rest on parallel trends")
    return readout_document(spec, data, rows, n, None, warnings)
