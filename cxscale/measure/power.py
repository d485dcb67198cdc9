"""Plan a pilot: from a metric's baseline on the data, the units and days needed to detect a target change.

`plan_pilot(data, metric, target_relative)` is the stable entry point (diagnosis uses it to size use cases). The
baseline (mean and per-unit standard deviation) is computed in the engine over the last `window_days` of the data
for every unit of the given type seen in the data (units without activity count as zero for sum/count metrics);
the sample size comes from cxscale.stats.power_plan (two-sided test, docs/methods.md), roughly

    n per arm = (z_{1-alpha/2} + z_{power})^2 * 2 * sd^2 / (target_relative * baseline)^2

(sd of a ratio metric by the delta method; a proportion uses p(1-p) in each arm).

Days of traffic: distinct units active in the baseline window / window_days (units_per_day, an approximation of
how fast eligible units arrive) -> days to enrol all arms, plus the measurement window itself.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import ibis

from cxscale.contract import UNIT_TYPES
from cxscale.data.dataset import Dataset
from cxscale.errors import DataError, SpecError
from cxscale.measure.spec import MetricRef, PilotSpec, Target, Windows
from cxscale.measure.sufficient import TIME_COLUMN, UNIT_KEYS, pilot_stats
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.definition import MetricDef
from cxscale.stats import MeanStats, RatioStats, power_plan


@dataclass(frozen=True)
class PilotPlan:
    """What a pilot needs to detect `target_relative` on `metric` (units: metric units, units, days)."""

    metric: str
    unit: str
    baseline: float
    sd_per_unit: float
    target_relative: float
    mde_abs: float
    alpha: float
    power: float
    arms: int
    n_per_arm: int
    n_total: int
    units_in_baseline: int
    units_per_day: float
    days_to_enrol: float | None
    days_total: float | None
    window_days: int
    #: With plan_pilot(..., days=D): the smallest relative change detectable when enrolling for D days (share),
    #: and in metric units. None otherwise.
    mde_days: float | None = None
    mde_relative_at_days: float | None = None
    mde_abs_at_days: float | None = None
    #: The target as given in metric units (plan_pilot(..., target_absolute=...)); target_relative is it over the
    #: baseline. None for a relative target.
    target_absolute: float | None = None

    def to_json(self) -> dict:
        return asdict(self)


def plan_pilot(data: Dataset, metric: str | MetricDef, target_relative: float | None = None, *,
               target_absolute: float | None = None, unit: str = "customer", window_days: int = 28,
               alpha: float = 0.05, power: float = 0.8, arms: int = 2, catalog: Catalog | None = None,
               days: float | None = None, scope: dict[str, list[str]] | None = None) -> PilotPlan:
    """Units per arm, total units and days of traffic to detect `target_relative` (share: -0.05 = 5% lower) or
    `target_absolute` (metric units, as a pilot spec's `target: {absolute: ...}`: -0.02 = two points lower for a
    rate; planned as that change over the baseline); with `days`, also the minimum detectable effect when enrolling
    for that many days. scope: a pilot spec's scope (Scope.values()): the interactions narrowed as its readout
    narrows them."""
    if (target_relative is None) == (target_absolute is None):
        raise SpecError("give one target: target_relative (e.g. -0.05 for 5% lower) or target_absolute (metric units)")
    if (target_relative if target_absolute is None else target_absolute) == 0:
        raise SpecError("the target must be non-zero (e.g. -0.05 for a 5% reduction)")
    if scope:
        data = data.at(scope)
    m = metric if isinstance(metric, MetricDef) else (catalog or builtin_catalog()).get(metric)
    if unit not in UNIT_TYPES:
        raise SpecError(f"unit {unit!r} is not one of {', '.join(UNIT_TYPES)}")
    key = UNIT_KEYS[m.source].get(unit)
    if key is None:
        raise SpecError(f"metric {m.name} comes from {m.source}, which has no {unit} column")
    events = data.table(m.source)
    ts = events[TIME_COLUMN[m.source]]
    end = ts.max().to_pyarrow().as_py()
    if end is None:
        raise DataError(f"{data.source}: {m.source} is empty; no baseline for {m.name}")
    # the window_days days that end with (and include) the last timestamp of the data
    start = ibis.literal(end) - ibis.interval(days=window_days) + ibis.interval(seconds=1)
    units = events.filter(events[key].notnull()).select(unit_id=events[key]).distinct()
    synthetic = units.mutate(arm=ibis.literal("baseline"), assigned_at=start.cast(ts.type()))
    target = Target(relative=target_relative, absolute=target_absolute)
    spec = PilotSpec(pilot="__plan__", unit=unit, primary=MetricRef(metric=m.name, target=target),  # type: ignore[arg-type]
                     windows=Windows(pre_days=0, post_days=window_days), control="baseline")
    ps = pilot_stats(data, spec, [m], cuped=False, winsorize=None, assignments=synthetic)
    s = ps.stats[(m.name, "baseline")].post
    n_units = s.n
    if isinstance(s, RatioStats):
        baseline = s.ratio
        mx, my = s.num_sum / n_units, s.den_sum / n_units
        var = ((s.num_sum_sq - n_units * mx**2) - 2 * baseline * (s.num_den_sum - n_units * mx * my)
               + baseline**2 * (s.den_sum_sq - n_units * my**2)) / (n_units - 1) / my**2
        sd = math.sqrt(max(var, 0.0))
    else:
        assert isinstance(s, MeanStats)
        baseline, sd = s.mean, math.sqrt(s.variance)
    if target_absolute is not None:
        if baseline == 0:
            raise DataError(f"{data.source}: {m.name} has a zero baseline over the last {window_days} days: an "
                            "absolute target is no relative change of it; no sample size can be computed")
        target_relative = target_absolute / baseline
    assert target_relative is not None
    mde = abs(target_relative * baseline)
    if not (sd > 0 and mde > 0):
        raise DataError(f"{data.source}: {m.name} has no variation or a zero baseline over the last {window_days} "
                        f"days (baseline {baseline:.4g}, sd {sd:.4g}); no sample size can be computed")
    proportion = m.type == "proportion" and 0 < baseline < 1
    n_arm = power_plan(baseline, None if proportion else sd, effect_rel=target_relative, alpha=alpha, power=power,
                       proportion=proportion).n_per_arm
    active = int(events.filter((ts >= start) & events[key].notnull())[key].nunique().to_pyarrow().as_py())
    per_day = active / window_days
    days_enrol = n_arm * arms / per_day if per_day > 0 else None
    mde_rel = mde_abs = None
    if days is not None and per_day > 0:
        n_days = days * per_day / arms
        plan = power_plan(baseline, None if proportion else sd, n_per_arm=n_days, alpha=alpha, power=power,
                          proportion=proportion)
        mde_rel, mde_abs = float(plan.mde_rel), float(plan.mde_abs)
    return PilotPlan(m.name, unit, baseline, sd, target_relative, mde, alpha, power, arms, n_arm, n_arm * arms,
                     n_units, per_day, days_enrol, days_enrol + window_days if days_enrol is not None else None,
                     window_days, days, mde_rel, mde_abs, target_absolute)
