"""Plan a pilot: from a metric's baseline on the data, the units and days needed to detect a target change.

`plan_pilot(data, metric, target_relative)` is the stable entry point (diagnosis uses it to size use cases). The
baseline (mean and per-unit standard deviation) is computed in the engine over the last `window_days` of the data
for every unit of the given type seen in the data (units without activity count as zero for sum/count metrics);
the sample size comes from cxscale.stats.power_plan (two-sided test, docs/methods.md), roughly

    n per arm = (z_{1-alpha/2} + z_{power})^2 * 2 * sd^2 / (target_relative * baseline)^2

(sd of a ratio metric by the delta method; a proportion uses p(1-p) in each arm).

The plan compares what it needs with the population: the distinct units of the type in the data (within the
scope). Agents and sites are a fixed population: all units are assigned at the start, so a plan is feasible when
it needs no more units than exist, and then takes the measurement window alone. Customers arrive over time: the
days to enrol are the days back from the end of the data whose window holds the customers needed (the observed
enrolment curve: distinct customers with a contact in the last D days; repeat customers are counted once), and past
the data's span the rate at which new customers appeared over its last window_days days extends it; such a plan
is feasible when enrolment and measurement fit in MAX_PILOT_DAYS. Either way the plan says what is detectable with
every unit a pilot can enrol (mde_relative_all_units: all the agents or sites; the customers who contact within
MAX_PILOT_DAYS less the measurement window) and states it in `note`.

units_per_day (distinct units active in the baseline window / window_days) is kept as a summary of traffic; it
overstates how fast new customers arrive over longer windows (a customer who contacts every month is one unit).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

import ibis

from cxscale.contract import UNIT_TYPES
from cxscale.data.dataset import Dataset
from cxscale.errors import DataError, SpecError
from cxscale.measure.sufficient import TIME_COLUMN, UNIT_KEYS, history_stats, unit_history
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.definition import MetricDef
from cxscale.stats import MeanStats, RatioStats, power_plan
from cxscale.stats.power import MAX_PILOT_DAYS

__all__ = ["FIXED_UNITS", "MAX_PILOT_DAYS", "PilotPlan", "plan_pilot"]
#: Unit types that are a fixed population (all assigned at the start): enrolment is not a matter of days.
FIXED_UNITS = ("agent", "site")
_DAY = 86400.0


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
    #: Distinct units of the type in the data (within the scope); whether they are a fixed population (agents,
    #: sites: assigned at once) rather than arriving over time (customers).
    population: int | None = None
    fixed_population: bool | None = None
    #: Whether the target can be detected with the units available: for a fixed population n_total <= population,
    #: for customers days_total <= max_days. days_to_enrol and days_total are None when it cannot.
    feasible: bool | None = None
    max_days: int | None = None
    #: The units a pilot can enrol at most (all of a fixed population; the customers who contact within
    #: max_days - window_days days) and the smallest change they detect split over the arms, as a positive share
    #: of the baseline and in metric units (None with fewer than 2 per arm or when nothing is detectable).
    units_available: int | None = None
    mde_relative_all_units: float | None = None
    mde_abs_all_units: float | None = None
    #: The plan in plain words: what it needs against what exists, and what is detectable instead.
    note: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _within_bounds(m: MetricDef, baseline: float, target_relative: float, window_days: int) -> None:
    """Refuse a target the metric cannot reach: a share above 1, a CSAT mean above 5 (MetricDef.bounds)."""
    lo, hi = m.bounds
    aim = baseline * (1 + target_relative)
    if (hi is None or aim <= hi) and (lo is None or aim >= lo):
        return
    edge = hi if hi is not None and aim > hi else lo
    assert edge is not None
    limits = f"range {lo:g}-{hi:g}" if lo is not None and hi is not None else f"{'maximum' if hi is not None else 'minimum'} {edge:g}"
    reach = f"; the most it can change is {edge / baseline - 1:+.1%} (to {edge:g})" if baseline else ""
    raise SpecError(f"{m.name}: a target of {target_relative:+.1%} takes its baseline over the last {window_days} days, "
                    f"{baseline:.4g}, to {aim:.4g}, beyond the {limits} the metric can take{reach}")


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
    span = events.aggregate(first=ts.min(), end=ts.max()).to_pyarrow()
    first, end = span["first"][0].as_py(), span["end"][0].as_py()
    if end is None:
        raise DataError(f"{data.source}: {m.source} is empty; no baseline for {m.name}")
    # the window_days days that end with (and include) the last timestamp of the data
    start = end - timedelta(days=window_days) + timedelta(seconds=1)
    fixed = unit in FIXED_UNITS
    # One grouped query gives the baseline over every unit and the enrolment curve's counts (bench/README.md: it
    # was nine queries, most of them grouping every row by unit again).
    units = unit_history(data, m, key, start)
    span_days = (end - first).total_seconds() / _DAY
    w = min(window_days, span_days) or 1.0
    # the enrolment windows the plan asks about that lie within the data (past its span, the curve extrapolates)
    asked = [] if fixed else [max(MAX_PILOT_DAYS - window_days, 0), *([days] if days is not None else [])]
    within = [d for d in asked if d < span_days]
    since = {f"since_{i}": (units["last"] >= ibis.literal(end - timedelta(seconds=int(d * _DAY)))).sum()
             for i, d in enumerate(within)}
    s, counts = history_stats(
        units, m, active=(units["last"] >= ibis.literal(start)).sum(),
        recent=(units["first"] > ibis.literal(end - timedelta(seconds=int(w * _DAY)))).sum(), **since)
    n_units = s.n
    if n_units < 2:
        raise DataError(f"{data.source}: {m.source} holds {n_units} {unit}(s) (column {key}); the spread of a baseline "
                        "needs two or more")
    if isinstance(s, RatioStats) and s.den_sum == 0:
        raise DataError(f"{data.source}: {m.name} counts no rows in its denominator over the last {window_days} days "
                        f"of {m.source} (none of the {n_units:,} {unit}s has one); no baseline, so no sample size can "
                        "be computed")
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
    _within_bounds(m, baseline, target_relative, window_days)
    mde = abs(target_relative * baseline)
    if not (sd > 0 and mde > 0):
        raise DataError(f"{data.source}: {m.name} has no variation or a zero baseline over the last {window_days} "
                        f"days (baseline {baseline:.4g}, sd {sd:.4g}); no sample size can be computed")
    proportion = m.type == "proportion" and 0 < baseline < 1
    sd_plan = None if proportion else sd
    n_arm = power_plan(baseline, sd_plan, effect_rel=target_relative, alpha=alpha, power=power,
                       proportion=proportion).n_per_arm
    active = int(counts["active"])
    per_day = active / window_days
    n_total = n_arm * arms
    curve = _Enrolment(units, end, span_days, s.n, int(counts["recent"]) / w,
                       {d: int(counts[f"since_{i}"]) for i, d in enumerate(within)})

    def detectable(n: float) -> tuple[float, float] | tuple[None, None]:
        """The smallest change (positive share, metric units) n units split over the arms detect."""
        if n / arms < 2:
            return None, None
        # A rate's MDE depends on the direction: a fall of p is a rise of 1 - p.
        flip = proportion and target_relative < 0
        plan = power_plan(1 - baseline if flip else baseline, sd_plan, n_per_arm=n / arms, alpha=alpha,
                          power=power, proportion=proportion)
        if not math.isfinite(plan.mde_abs):
            return None, None
        return abs(plan.mde_abs / baseline), abs(plan.mde_abs)

    if fixed:
        available = curve.population
        feasible = n_total <= available
        days_enrol = 0.0 if feasible else None
    else:
        available = curve.enrolled(max(MAX_PILOT_DAYS - window_days, 0))
        days_enrol = curve.days_to(n_total)
        feasible = days_enrol is not None and days_enrol + window_days <= MAX_PILOT_DAYS
        if not feasible:
            days_enrol = None
    mde_all = detectable(available)
    mde_rel = mde_at = None
    if days is not None and not fixed:
        mde_rel, mde_at = detectable(curve.enrolled(days))
    plan = PilotPlan(m.name, unit, baseline, sd, target_relative, mde, alpha, power, arms, n_arm, n_total,
                     n_units, per_day, days_enrol, days_enrol + window_days if days_enrol is not None else None,
                     window_days, days, mde_rel, mde_at, target_absolute, curve.population, fixed, feasible,
                     MAX_PILOT_DAYS, available, *mde_all)
    return replace(plan, note=_note(plan, curve, "" if m.is_money else m.unit_label))


class _Enrolment:
    """How many distinct units a pilot enrolling over the last D days of the data reaches (units with a contact in
    them), from each unit's first and last contact; past the data's span, extended at the rate new units appeared
    over its last window_days days. The counts for the days asked come with the baseline's query; the days to reach
    n units are one more small query."""

    def __init__(self, units: ibis.Table, end: datetime, span_days: float, population: int, new_per_day: float,
                 within: dict[float, int]) -> None:
        self.units, self.end = units, end
        self.span_days, self.population, self.new_per_day = span_days, population, new_per_day
        self.within = within

    def enrolled(self, days: float) -> int:
        if days >= self.span_days:
            return self.population + int((days - self.span_days) * self.new_per_day)
        return self.within[days]

    def days_to(self, n: int) -> float | None:
        """Days back from the end of the data whose window holds n units; None when no new units appear."""
        if n > self.population:
            if self.new_per_day <= 0:
                return None
            return self.span_days + (n - self.population) / self.new_per_day
        nth = self.units.order_by(ibis.desc("last")).limit(1, offset=n - 1)["last"].to_pyarrow().to_pylist()[0]
        return max((self.end - nth).total_seconds() / _DAY, 1 / 24)


def _note(p: PilotPlan, curve: _Enrolment, unit_label: str) -> str:
    """The plan in words, every number the one beside it in the plan (unit_label: the metric's unit, "" for
    money, whose currency the plan does not know)."""
    units = f"{p.unit}s"
    label = f" {unit_label}" if unit_label and not unit_label.startswith("share") else ""
    need = f"detecting {p.target_relative:+.1%} ({p.mde_abs:,.4g}{label}) needs {p.n_total:,} {units} " \
           f"({p.n_per_arm:,} per arm)"
    if p.mde_relative_all_units is None:
        instead = "no change at all (too few)"
    elif p.target_relative < 0 and p.mde_relative_all_units >= 1:
        instead = (f"only a fall of {p.mde_abs_all_units:,.4g}{label} ({p.mde_relative_all_units:.0%}), more than "
                   f"the whole baseline: no reduction is detectable")
    else:
        instead = (f"changes of {p.mde_relative_all_units:.1%} ({p.mde_abs_all_units:,.4g}{label}) or more in "
                   f"either direction")
    # power_plan is a normal approximation; with few units per arm a t-test needs a larger change.
    few = " (a normal approximation: with under 30 per arm the test needs more)" \
        if p.units_available is not None and p.units_available / p.arms < 30 else ""
    if p.fixed_population:
        if p.feasible:
            return (f"{units} are a fixed population: the pilot needs {p.n_total:,} of the {p.population:,} {units} "
                    f"in the data ({p.n_per_arm:,} per arm), assigned at the start and measured for "
                    f"{p.window_days} days; all {p.population:,} would detect {instead}{few}")
        return (f"not feasible: {need} and the data has {p.population:,} (a fixed population); all "
                f"{p.population:,} enrolled (split over {p.arms} arms) would detect {instead}{few}")
    if p.feasible:
        assert p.days_to_enrol is not None
        if p.days_to_enrol > curve.span_days:
            where = (f"the data's {curve.span_days:,.0f} days hold {p.population:,} and new ones appeared at "
                     f"{curve.new_per_day:,.2f} a day")
        elif p.days_to_enrol < 1.5:
            where = "the data's last day holds that many"
        else:
            where = f"the last {p.days_to_enrol:,.0f} days of the data hold that many"
        enrol = "under a day" if p.days_to_enrol < 0.5 else "about a day" if p.days_to_enrol < 1.5 else \
            f"about {p.days_to_enrol:,.0f} days"
        return (f"{need}: {enrol} to enrol ({where}) + {p.window_days} days of measurement = "
                f"{p.days_total:,.0f} days")
    reach = max(p.max_days - p.window_days, 0) if p.max_days is not None else 0
    rate = f"{curve.new_per_day:,.2f}"
    return (f"not feasible within {p.max_days} days: {need}; the data's {curve.span_days:,.0f} days hold "
            f"{p.population:,} {units} and new ones appeared at {rate} a day, so a {reach}-day enrolment reaches "
            f"{p.units_available:,}, which would detect {instead}{few}")
