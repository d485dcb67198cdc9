"""Compile metric definitions to Ibis aggregate expressions (docs/metrics.md#how-metrics-are-computed).

A metric becomes conditional aggregates inside ONE grouped aggregation per unit: every metric and every window
(pre, post) is a `sum(...) FILTER (WHERE ...)`-style aggregate of the same scan, never a query of its own.
Per unit, a mean-type metric (sum, count, proportion) yields one value `y`; a ratio-type metric (mean, ratio) yields
a numerator and a denominator (`num`, `den`) whose per-arm sums give the ratio and its delta-method variance.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxscale.engine import epoch_float
from cxscale.errors import DataError
from cxscale.metrics import expressions
from cxscale.metrics.definition import VIRTUAL_COLUMNS, Measure, MetricDef

_SECONDS_PER_DAY = 86400.0


def add_virtual_columns(interactions: ir.Table, needed: set[str]) -> ir.Table:
    """Add the virtual columns in `needed` (days to the customer's next / since the previous contact, days of data
    after the contact; VIRTUAL_COLUMNS).

    The first two need a window over each customer's contacts ordered by time, the last the table's latest start, so
    they are added only when a metric reads them (the repeat-contact rates)."""
    wanted = needed & set(VIRTUAL_COLUMNS)
    if not wanted:
        return interactions
    t = interactions
    epoch = epoch_float(t.started_at)
    w = ibis.window(group_by=t.customer_id, order_by=[t.started_at, t.interaction_id])
    cols = {}
    if "days_to_next_contact" in wanted:
        cols["days_to_next_contact"] = (epoch.lead().over(w) - epoch) / _SECONDS_PER_DAY
    if "days_since_previous_contact" in wanted:
        cols["days_since_previous_contact"] = (epoch - epoch.lag().over(w)) / _SECONDS_PER_DAY
    if "days_of_data_after" in wanted:
        cols["days_of_data_after"] = (epoch_float(t.started_at.max().as_scalar()) - epoch) / _SECONDS_PER_DAY
    return t.mutate(**cols)


def check_columns(metric: MetricDef, table: ir.Table, source_name: str) -> None:
    """Raise DataError naming the metric and the missing columns when the data cannot compute it."""
    missing = sorted(metric.columns() - set(table.columns))
    if missing:
        raise DataError(f"{source_name}: metric {metric.name} reads column(s) {', '.join(missing)}, which the data "
                        f"does not have; map them in the mapping file or pick another metric")


def _resolver(t: ir.Table):
    def resolve(name: str) -> ir.Value:
        return t[name]
    return resolve


def _condition(measure: Measure, t: ir.Table, period: ir.BooleanValue, where: str) -> ir.BooleanValue:
    cond = period
    if measure.filter:
        # a NULL filter (unknown) counts as not matching: FILTER (WHERE ...) and bool_or skip NULLs
        f = expressions.compile_expr(measure.filter, _resolver(t), f"{where}.filter")
        cond = cond & f
    return cond


def _value(measure: Measure, t: ir.Table, where: str) -> ir.FloatingValue:
    assert measure.value is not None
    return expressions.compile_expr(measure.value, _resolver(t), f"{where}.value").cast("float64")


def _sum_of(measure: Measure, t: ir.Table, period: ir.BooleanValue, where: str) -> ir.FloatingScalar:
    """Sum of the measure's value (or row count when it has none) over rows in the period matching its filter."""
    cond = _condition(measure, t, period, where)
    if measure.value is None:
        return t.count(where=cond)
    # NULL when no row matches; the caller fills per-unit NULLs with 0.
    return _value(measure, t, where).sum(where=cond)


def unit_aggregates(metric: MetricDef, t: ir.Table, period: ir.BooleanValue, prefix: str,
                    cluster_of: ir.Value | None = None) -> dict[str, ir.Scalar]:
    """Named per-unit aggregates of `metric` over the rows of `t` where `period` holds.

    Returns {prefix+"y"} for mean-type metrics, {prefix+"num", prefix+"den"} for ratio-type ones. With
    `cluster_of` (the analysis-unit id, e.g. customer_id when sites were randomised), every metric becomes a
    ratio at the assignment level: per-customer sums and counts are divided by the number of customers seen in
    the period, and a proportion counts the customers with a matching row.
    """
    where = f"metric {metric.name}"
    num, den = metric.numerator, metric.denominator
    if metric.type == "mean":
        assert num.value is not None
        den = Measure(value=None, filter=(f"({num.filter}) and ({num.value}) is not None" if num.filter
                                          else f"({num.value}) is not None"))
    if metric.is_ratio:
        assert den is not None
        return {prefix + "num": _sum_of(num, t, period, where), prefix + "den": _sum_of(den, t, period, where)}
    if cluster_of is not None:
        customers = cluster_of.nunique(where=period)
        if metric.type == "proportion":
            numer = cluster_of.nunique(where=_condition(num, t, period, where))
        else:
            numer = _sum_of(num, t, period, where)
        return {prefix + "num": numer, prefix + "den": customers}
    if metric.type == "proportion":
        return {prefix + "y": _condition(num, t, period, where).any().cast("float64")}
    return {prefix + "y": _sum_of(num, t, period, where)}


def is_ratio_at_unit(metric: MetricDef, clustered: bool) -> bool:
    """Whether the metric's per-unit result is a numerator/denominator pair (True) or one value y (False)."""
    return metric.is_ratio or clustered
