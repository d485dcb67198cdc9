"""Per-arm sufficient statistics of a pilot's metrics, computed in the engine in one query (docs/readout.md#engine).

The query has two levels and no per-metric scans:
1. per unit of assignment: one grouped aggregation per source table (interactions, outcomes) with conditional
   aggregates for every metric and both windows (pre: `pre_days` before assigned_at, post: `post_days` from it);
   units with no rows in a window count as zero (they are left-joined from the assignments).
2. per arm: n, sums, sums of squares and cross-products of those per-unit values.
Only the per-arm numbers (a few dozen floats) leave the engine. When every unit was assigned at one instant (a
cohort), the windows are the same dates for all units: level 1 sums each unit's rows before they meet the
assignments, one row per unit instead of every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.errors import DataError, SpecError
from cxscale.metrics.compile import add_virtual_columns, check_columns, unit_aggregates
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import CupedStats, MeanStats, RatioStats

if TYPE_CHECKING:
    import pyarrow as pa

#: The column a switchback readout adds to interactions: the contact's slot unit id (cxscale.measure.switchback).
SLOT_COLUMN = "slot_id"
#: Column of each source that links a row to a unit of each type, and the source's time column.
UNIT_KEYS = {
    "interactions": {"customer": "customer_id", "agent": "agent_id", "site": "site", "slot": SLOT_COLUMN},
    "outcomes": {"customer": "customer_id"},
}
TIME_COLUMN = {"interactions": "started_at", "outcomes": "occurred_at"}


@dataclass(frozen=True)
class MetricArmStats:
    """One metric in one arm: post-period statistics, and the pre-period covariate for CUPED when available."""

    metric: str
    arm: str
    post: MeanStats | RatioStats
    pre: MeanStats | RatioStats | None = None
    cuped: CupedStats | None = None
    #: Cap applied to per-unit values (winsorising), in metric units; None when not capped.
    cap: float | None = None


@dataclass(frozen=True)
class PilotStats:
    """Everything the readout needs from the engine for one pilot."""

    pilot: str
    unit: str
    analysis_unit: str
    #: Units assigned per arm (all assigned units, including those with no activity).
    n: dict[str, int]
    stats: dict[tuple[str, str], MetricArmStats]
    #: Latest timestamp in the source tables (UTC), to tell whether the post window has elapsed.
    data_end: datetime | None = None
    #: Latest assignment time over the pilot's units (UTC).
    last_assigned: datetime | None = None
    caps: dict[str, float] = field(default_factory=dict)
    #: Assignment rows of the pilot's unit type in every arm (its units, which the contract keeps unique): the
    #: enrolment a one-off's money and its basis name, counted by this query rather than a scan of its own.
    assigned: int | None = None


def _assignments(ds: Dataset, spec: PilotSpec) -> ir.Table:
    a = ds.assignments
    return (a.filter((a.pilot == spec.pilot) & (a.unit_type == spec.unit))
            .select("unit_id", "arm", "assigned_at"))


def _per_unit_tables(ds: Dataset, spec: PilotSpec, metrics: list[MetricDef], a: ir.Table, clustered: bool,
                     cuped: bool, cohort: datetime | None = None) -> tuple[list[ir.Table], list[ir.Scalar]]:
    """Per source: a table of units with at least one row in their windows (unit_id, arm, and for each metric i of
    that source the columns m{i}_{post,pre}_{y|num,den}); plus each source's latest timestamp.

    cohort: the instant every unit was assigned at, when there is one: the windows are then the same dates for all
    units, so the rows are summed per unit first and meet the assignments after (a join of one row per unit, not of
    every row: the stats query at 10M in 3.6 s against 5.4 s, bench/README.md)."""
    tables: list[ir.Table] = []
    ends: list[ir.Scalar] = []
    post_days = spec.windows.post_days
    pre_days = spec.windows.pre_days if cuped else 0
    for source in ("interactions", "outcomes"):
        ms = [(i, m) for i, m in enumerate(metrics) if m.source == source]
        if not ms:
            continue
        key = UNIT_KEYS[source].get(spec.unit)
        if key is None:
            raise SpecError(f"pilot {spec.pilot}: metrics {', '.join(m.name for _, m in ms)} come from {source}, "
                            f"which has no {spec.unit} column; {spec.unit}-level pilots can only use interaction "
                            "metrics")
        events = ds.table(source)
        if key not in events.columns:  # slot ids exist only in a switchback readout's interactions
            raise SpecError(f"pilot {spec.pilot}: unit {spec.unit} is a switchback's queue x time slot: read it with "
                            "cxscale.measure.switchback.switchback_readout (what `cxscale measure` does), which gives "
                            "every contact its slot")
        for _, m in ms:
            check_columns(m, add_virtual_columns(events, m.columns()) if source == "interactions" else events,
                          f"{ds.source}: {source}")
        needed = set().union(*(m.columns() for _, m in ms))
        if source == "interactions":
            events = add_virtual_columns(events, needed)
        ts = TIME_COLUMN[source]
        ends.append(events[ts].max())
        keep = sorted(({key, ts} | needed | ({"customer_id"} if clustered else set())) & set(events.columns))
        ev = events.select(*keep).filter(events[key].notnull())
        if cohort is not None:
            # A literal: as a scalar subquery over the assignments, DuckDB ran the query on one core (bench/README).
            j, at = ev, ibis.literal(cohort)
        else:
            j = ev.inner_join(a, ev[key] == a.unit_id)
            at = j.assigned_at
        start = at - ibis.interval(days=pre_days) if pre_days else at
        j = j.filter((j[ts] >= start) & (j[ts] < at + ibis.interval(days=post_days)))
        if cohort is None:
            at = j.assigned_at  # the filtered table's
        j = j.mutate(_post=j[ts] >= at)  # the period as a column, read by every aggregate's filter
        post, pre = j._post, ~j._post
        aggs: dict[str, ir.Scalar] = {}
        cluster = j.customer_id if clustered else None
        for i, m in ms:
            aggs.update(unit_aggregates(m, j, post, f"m{i}_post_", cluster))
            if pre_days and not (m.is_ratio or clustered):
                # CUPED adjusts by a per-unit pre-period mean; ratio metrics have no such covariate, and their
                # pre-period sums would cost a third of the aggregates for nothing (bench/README.md).
                aggs.update(unit_aggregates(m, j, pre, f"m{i}_pre_", cluster))
        if cohort is not None:
            sums = j.group_by(j[key].name("_uid")).aggregate(**aggs)
            arms = a.select(_unit=a.unit_id, _arm=a.arm)
            per_unit = sums.inner_join(arms, sums._uid == arms._unit).select("_uid", "_arm", *aggs)
        else:
            per_unit = j.group_by(j.unit_id.name("_uid"), j.arm.name("_arm")).aggregate(**aggs)
        tables.append(per_unit.mutate(**{c: per_unit[c].cast("float64").fill_null(0.0) for c in aggs}))
    return tables, ends


def unit_history(ds: Dataset, metric: MetricDef, key: str, since: datetime) -> ir.Table:
    """Every unit (by column `key` of the metric's source) with a row there: the times of its first and last row
    (`first`, `last`) and the metric's per-unit value over its rows from `since` on (the columns m0_post_* that
    `_arm_aggregates` sums; zero for a unit without such rows). Power planning reads the baseline and the enrolment
    curve off this one grouped table (cxscale.measure.power)."""
    events = ds.table(metric.source)
    if metric.source == "interactions":
        events = add_virtual_columns(events, metric.columns())
    check_columns(metric, events, f"{ds.source}: {metric.source}")
    if key not in events.columns:
        raise SpecError(f"{ds.source}: {metric.source} has no column {key}: a switchback's slots exist only in its "
                        "readout (cxscale.measure.switchback)")
    ts = TIME_COLUMN[metric.source]
    ev = events.filter(events[key].notnull())
    ev = ev.mutate(_post=ev[ts] >= ibis.literal(since))
    aggs = unit_aggregates(metric, ev, ev._post, "m0_post_")
    units = ev.group_by(ev[key].name("_uid")).aggregate(first=ev[ts].min(), last=ev[ts].max(), **aggs)
    return units.mutate(**{c: units[c].cast("float64").fill_null(0.0) for c in aggs})


def _unit_table(a: ir.Table, per_unit: list[ir.Table]) -> ir.Table:
    """Every assigned unit with its metric values, zeros for units without rows (needed for quantile caps)."""
    units = a
    value_cols: list[str] = []
    for t in per_unit:
        cols = [c for c in t.columns if c.startswith("m")]
        value_cols += cols
        units = units.left_join(t.drop("_arm"), units.unit_id == t._uid).drop("_uid")
    return units.mutate(**{c: units[c].fill_null(0.0) for c in value_cols})


def _arm_aggregates(t: ir.Table, metrics: list[MetricDef], clustered: bool) -> dict[str, ir.Scalar]:
    """Per-arm sums, sums of squares and cross-products of the per-unit columns present in `t`."""
    aggs: dict[str, ir.Scalar] = {}
    for i, m in enumerate(metrics):
        p = f"m{i}_"
        if m.is_ratio or clustered:
            for per in ("post", "pre"):
                if f"{p}{per}_num" not in t.columns:
                    continue
                num, den = t[f"{p}{per}_num"], t[f"{p}{per}_den"]
                aggs.update({f"{p}{per}_num_sum": num.sum(), f"{p}{per}_num_sq": (num * num).sum(),
                             f"{p}{per}_den_sum": den.sum(), f"{p}{per}_den_sq": (den * den).sum(),
                             f"{p}{per}_numden": (num * den).sum()})
        elif f"{p}post_y" in t.columns:
            y = t[f"{p}post_y"]
            aggs.update({f"{p}y_sum": y.sum(), f"{p}y_sq": (y * y).sum()})
            if f"{p}pre_y" in t.columns:
                x = t[f"{p}pre_y"]
                aggs.update({f"{p}x_sum": x.sum(), f"{p}x_sq": (x * x).sum(), f"{p}xy": (x * y).sum()})
    return aggs


def _caps(units: ir.Table, metrics: list[MetricDef], q: float, clustered: bool) -> dict[str, float]:
    """Upper caps per mean-type metric: the approximate q-quantile of per-unit values, pooled over arms."""
    exprs = {}
    for i, m in enumerate(metrics):
        if not (m.is_ratio or clustered):
            exprs[f"m{i}_post_y"] = units[f"m{i}_post_y"].approx_quantile(q)
            if f"m{i}_pre_y" in units.columns:
                exprs[f"m{i}_pre_y"] = units[f"m{i}_pre_y"].approx_quantile(q)
    if not exprs:
        return {}
    row = units.aggregate(**exprs).to_pyarrow().to_pylist()[0]
    return {k: float(v) for k, v in row.items() if v is not None}


def pilot_stats(ds: Dataset, spec: PilotSpec, metrics: list[MetricDef], cuped: bool | None = None,
                winsorize: float | None = None, assignments: ir.Table | None = None) -> PilotStats:
    """Compute every metric's per-arm sufficient statistics for `spec` on `ds` in the engine (one query).

    cuped (default: spec.options.cuped) adds the pre-period covariate; winsorize (default: spec.options.winsorize)
    caps per-unit values of sum/count/proportion metrics at that pooled quantile (computed in the engine first).
    assignments (unit_id, arm, assigned_at) replaces the pilot's assignments (power planning uses a synthetic one).
    """
    cuped = spec.options.cuped if cuped is None else cuped
    winsorize = spec.options.winsorize if winsorize is None else winsorize
    analysis = spec.analysis_unit or spec.unit
    clustered = analysis != spec.unit
    if clustered and analysis != "customer":
        raise SpecError(f"pilot {spec.pilot}: analysis_unit {analysis} inside unit {spec.unit} is not supported; "
                        "analyse per customer or per unit of assignment")
    a = _assignments(ds, spec) if assignments is None else assignments
    per_unit, ends = _per_unit_tables(ds, spec, metrics, a, clustered, cuped,
                                      cohort=_one_instant(a) if assignments is None else None)
    caps: dict[str, float] = {}
    per_arm = a.group_by("arm").aggregate(n=a.count(), last_assigned=a.assigned_at.max())
    if winsorize:
        # Quantiles need every unit, zeros included: build the full unit table, cap, then sum per arm.
        units = _unit_table(a, per_unit)
        caps = _caps(units, metrics, winsorize, clustered)
        if caps:
            units = units.mutate(**{c: ibis.least(units[c], cap) for c, cap in caps.items()})
        sums = units.group_by("arm").aggregate(**_arm_aggregates(units, metrics, clustered))
        per_arm = per_arm.left_join(sums, "arm").drop("arm_right")
    else:
        # Units without rows add zero to every sum, square and cross-product: sum only units with rows (no join
        # back to the assignments), per source, and take n from the assignments.
        for t in per_unit:
            sums = t.group_by(t._arm).aggregate(**_arm_aggregates(t, metrics, clustered))
            per_arm = per_arm.left_join(sums, per_arm.arm == sums._arm).drop("_arm")
    if ends:
        end = ends[0] if len(ends) == 1 else ibis.greatest(*ends)
        per_arm = per_arm.mutate(data_end=end)
    # pyarrow, not pandas: a few numbers need no DataFrame (and importing pandas costs more than the query at 1M)
    rows = {r["arm"]: r for r in _pylist(per_arm.to_pyarrow())}
    return _to_stats(spec, metrics, rows, caps, analysis, clustered, require_arms=assignments is None)


def _one_instant(a: ir.Table) -> datetime | None:
    """The instant every unit was assigned at (UTC), when there is one (a cohort, as when a pilot randomises its
    customers at launch); None otherwise. One small query over the assignments."""
    row = _pylist(a.aggregate(first=a.assigned_at.min(), last=a.assigned_at.max()).to_pyarrow())[0]
    return row["first"] if row["first"] is not None and row["first"] == row["last"] else None


def _pylist(table: pa.Table) -> list[dict]:
    """The rows of a result as dicts, a zoned timestamp as a UTC datetime. pyarrow makes the tzinfo of a zoned
    timestamp through pandas, whose import (0.1-0.3 s, bench/README.md) would be its only use in a readout: the
    instant is read without its zone (Arrow keeps it in UTC) and given UTC."""
    import pyarrow as pa

    zoned = [i for i, f in enumerate(table.schema) if pa.types.is_timestamp(f.type) and f.type.tz is not None]
    for i in zoned:
        table = table.set_column(i, table.field(i).name, table.column(i).cast(pa.timestamp(table.field(i).type.unit)))
    rows = table.to_pylist()
    names = [table.field(i).name for i in zoned]
    for r in rows:
        for name in names:
            if r[name] is not None:
                r[name] = r[name].replace(tzinfo=UTC)
    return rows


def _f(v: object) -> float:
    """A per-arm sum; None/NaN (an arm without any rows in a source) is an empty sum, 0."""
    x = float(v) if v is not None else 0.0  # type: ignore[arg-type]
    return x if x == x else 0.0


def _ratio(r: dict, p: str, n: int) -> RatioStats:
    return RatioStats(n, _f(r[f"{p}num_sum"]), _f(r[f"{p}num_sq"]), _f(r[f"{p}den_sum"]), _f(r[f"{p}den_sq"]),
                      _f(r[f"{p}numden"]))


def history_stats(units: ir.Table, metric: MetricDef, **counts: ir.Scalar) -> tuple[MeanStats | RatioStats, dict]:
    """One query over a `unit_history` table: the metric's statistics over all its units (n: every unit), and the
    scalars `counts` the caller defines over it (by name)."""
    aggs = {"n": units.count(), **_arm_aggregates(units, [metric], False), **counts}
    row = _pylist(units.aggregate(**aggs).to_pyarrow())[0]
    n = int(row["n"])
    s = _ratio(row, "m0_post_", n) if metric.is_ratio else MeanStats(n, _f(row["m0_y_sum"]), _f(row["m0_y_sq"]))
    return s, {k: row[k] for k in counts}


def _to_stats(spec: PilotSpec, metrics: list[MetricDef], rows: dict[str, dict], caps: dict[str, float],
              analysis: str, clustered: bool, require_arms: bool = True) -> PilotStats:
    missing = [arm for arm in spec.arms if arm not in rows] if require_arms else []
    if missing:
        raise DataError(f"assignments: pilot {spec.pilot!r} has no {spec.unit} units in arm(s) {', '.join(missing)} "
                        f"(arms found: {', '.join(sorted(rows)) or 'none'}); check the pilot name, unit and arm names "
                        "in the spec against the assignments table")
    stats: dict[tuple[str, str], MetricArmStats] = {}
    for arm, r in rows.items():
        n = int(r["n"])
        for i, m in enumerate(metrics):
            p = f"m{i}_"
            if m.is_ratio or clustered:
                pre = _ratio(r, f"{p}pre_", n) if f"{p}pre_num_sum" in r else None
                stats[(m.name, arm)] = MetricArmStats(m.name, arm, _ratio(r, f"{p}post_", n), pre)
            else:
                post = MeanStats(n, _f(r[f"{p}y_sum"]), _f(r[f"{p}y_sq"]))
                pre_ms = cup = None
                if f"{p}x_sum" in r:
                    pre_ms = MeanStats(n, _f(r[f"{p}x_sum"]), _f(r[f"{p}x_sq"]))
                    cup = CupedStats(n, post.sum, post.sum_sq, pre_ms.sum, pre_ms.sum_sq, _f(r[f"{p}xy"]))
                stats[(m.name, arm)] = MetricArmStats(m.name, arm, post, pre_ms, cup, caps.get(f"{p}post_y"))
    first = next(iter(rows.values()))
    last_assigned = max((r["last_assigned"] for r in rows.values() if r["last_assigned"] is not None), default=None)
    return PilotStats(
        pilot=spec.pilot, unit=spec.unit, analysis_unit=analysis,
        n={arm: int(rows[arm]["n"]) for arm in (spec.arms if require_arms else rows)}, stats=stats,
        data_end=first.get("data_end"), last_assigned=last_assigned,
        caps={metrics[int(k.split("_")[0][1:])].name: v for k, v in caps.items() if "_post_" in k},
        assigned=sum(int(r["n"]) for r in rows.values()),
    )
