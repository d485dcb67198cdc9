"""The readout of an observational design: treated by a rule, not at random, so read as an association.

The spec's observational block names columns of the customers table: who was treated, what to adjust for (strata:
text columns as they are, numeric ones in bands given in the spec or quantile bands computed in the engine) and
optionally when (`at`, the start of each unit's window). One grouped aggregation in the engine gives per stratum and
group the metrics' sufficient statistics; cxscale.measure.observational turns them into the naive and the
stratum-adjusted difference. The verdicts have their own words ("associated (not causal)", "no association found"),
never "proven"; there is no money value; `causal` is false (docs/readout.md#observational). The result is a
ReadoutDocument with its observational section.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.types as ir

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.readout import (
    SCHEMA_VERSION,
    ObservationalEffect,
    ObservationalMetric,
    ObservationalSection,
    ObservationalStratum,
    ReadoutDocument,
    ReadoutOptions,
    ReadoutWindows,
    Srm,
)
from cxscale.errors import DataError
from cxscale.measure.observational import ObservationalComparison, Stats, standardise
from cxscale.measure.readout import metric_roles, spec_warnings
from cxscale.measure.sufficient import TIME_COLUMN
from cxscale.measure.verdict import SRM_ALPHA
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.compile import add_virtual_columns, check_columns, unit_aggregates
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect, MeanStats, RatioStats

ASSOCIATED = "associated (not causal)"
NO_ASSOCIATION = "no association found"
NOT_COMPARABLE = "not comparable"
#: The verdicts an observational readout can have; "proven", "harmful" and "not proven yet" are not among them.
VERDICTS = (ASSOCIATED, NO_ASSOCIATION, NOT_COMPARABLE)

#: What a stage gate must make of an observational readout (docs/readout.md#observational).
GATE_RULE = ("association only, never proof of an effect: a gate that asks for a demonstrated effect must not pass "
             "on this readout; it can justify a randomised pilot of the change")

_UNKNOWN = "unknown"


def _effect(e: Effect) -> ObservationalEffect:
    return ObservationalEffect(control=e.control, treatment=e.treatment, effect_abs=e.effect_abs, ci_abs=list(e.ci_abs),
                               effect_rel=e.effect_rel, ci_rel=list(e.ci_rel), p_value=e.p_value, method=e.method,
                               alpha=e.alpha)


def _association(role: str, m: MetricDef, c: ObservationalComparison, verdict: str, reason: str) -> ObservationalMetric:
    """One metric's part of the document: the naive and the adjusted comparison, and its observational verdict."""
    return ObservationalMetric(
        name=m.name, role=role, kind=m.kind, direction=m.direction, unit_label=m.unit_label, naive=_effect(c.naive),
        adjusted=_effect(c.adjusted), overlap_share=c.overlap_share, verdict=verdict, reason=reason,
        strata=[ObservationalStratum(stratum=s.stratum, n_treated=s.n_treated, n_control=s.n_control,
                                     mean_treated=s.mean_treated, mean_control=s.mean_control,
                                     difference=s.difference, treated_share=s.treated_share) for s in c.strata])


def _band_labels(edges: list[float], integer: bool) -> list[str]:
    """Labels of the bands below, between and above `edges` (lower edges): [0, 1, 3] on whole numbers gives
    <0, 0, 1-2, 3+; on other numbers <0, 0 to <1, 1 to <3, 3+."""
    def num(x: float) -> str:
        return f"{x:g}"

    out = [f"<{num(edges[0])}"]
    for lo, hi in zip(edges, edges[1:], strict=False):
        if integer and float(lo).is_integer() and float(hi).is_integer():
            out.append(num(lo) if hi - lo == 1 else f"{num(lo)}-{num(hi - 1)}")
        else:
            out.append(f"{num(lo)} to <{num(hi)}")
    out.append(f"{num(edges[-1])}+")
    return out


def _banded(col: ir.NumericValue, edges: list[float], labels: list[str]) -> ir.StringValue:
    """The band label of each value; a missing value is "unknown" (not the top band, where a CASE would put it)."""
    cases = [(col.isnull(), _UNKNOWN), (col < edges[0], labels[0])]
    cases += [((col >= lo) & (col < hi), name) for lo, hi, name in zip(edges, edges[1:], labels[1:], strict=False)]
    return ibis.cases(*cases, else_=labels[-1]).cast("string")


def _strata(units: ir.Table, spec: PilotSpec, source: str) -> tuple[ir.StringValue, dict[str, list[float]],
                                                                      dict[str, list[str]]]:
    """The stratum label of each unit (its adjustment columns' values or bands, joined by ", "), the band edges used
    per numeric column, and each column's labels in their natural order."""
    o = spec.observational
    assert o is not None
    quantiles = {c: k for c, k in o.bands.items() if isinstance(k, int) and units[c].type().is_numeric()}
    computed: dict[str, list[float]] = {}
    if quantiles:  # one small aggregation: the quantile edges of every column that asks for them
        exprs = {f"{c}__{i}": units[c].approx_quantile(i / k) for c, k in quantiles.items() for i in range(1, k)}
        exprs.update({f"{c}__0": units[c].min() for c in quantiles})
        row = units.aggregate(**exprs).to_pyarrow().to_pylist()[0]
        for c, k in quantiles.items():
            found = [row[f"{c}__{i}"] for i in range(k)]
            # whole numbers band on whole edges (a quantile of lead days is a day)
            whole = units[c].type().is_integer()
            computed[c] = sorted({float(round(v)) if whole else float(v) for v in found if v is not None})
            if not computed[c]:
                raise DataError(f"{source}: customers.{c} has no values to band")
    parts, edges_used, order = [], {}, {}
    for c in o.adjust_for:
        col = units[c]
        kind = col.type()
        if kind.is_numeric() and not kind.is_boolean():
            if c not in o.bands:
                raise DataError(f"{source}: customers.{c} is numeric ({kind}): give its bands in the spec, e.g. "
                                f"observational.bands: {{{c}: [0, 1, 3, 8]}} (lower edges) or {{{c}: 5}} (quantiles)")
            given = o.bands[c]
            edges = computed[c] if isinstance(given, int) else [float(x) for x in given]
            labels = _band_labels(edges, kind.is_integer())
            edges_used[c], order[c] = edges, [*labels, _UNKNOWN]
            parts.append(_banded(col, edges, labels))
        else:
            if c in o.bands:
                raise DataError(f"{source}: customers.{c} is {kind}, not numeric: it has no bands; remove "
                                f"observational.bands.{c}")
            order[c] = []
            parts.append(col.cast("string").fill_null(_UNKNOWN))
    label = parts[0]
    for p in parts[1:]:
        label = label + ", " + p
    return label, edges_used, order


def _customers(ds: Dataset, spec: PilotSpec) -> ir.Table:
    """The customers table with the spec's columns checked: treatment boolean, `at` a timestamp."""
    o = spec.observational
    assert o is not None
    c = ds.table("customers")
    cols = [o.treatment, *o.adjust_for, *([o.at] if o.at else [])]
    missing = [x for x in cols if x not in c.columns]
    if missing:
        raise DataError(f"{ds.source}: customers has no column {', '.join(missing)} named in the spec's observational "
                        f"block (columns: {', '.join(x for x in c.columns if x != 'customer_id')})")
    if not c[o.treatment].type().is_boolean():
        raise DataError(f"{ds.source}: customers.{o.treatment} is {c[o.treatment].type()}, not boolean: the "
                        "treatment column says true for treated units (map it with type: boolean)")
    if o.at and not c[o.at].type().is_timestamp():
        raise DataError(f"{ds.source}: customers.{o.at} is {c[o.at].type()}, not a timestamp: observational.at is "
                        "when each unit's window starts")
    return c


def _per_unit(ds: Dataset, spec: PilotSpec, metrics: list[MetricDef], units: ir.Table) -> ir.Table:
    """`units` with every metric's per-unit value columns (m{i}_y or m{i}_num, m{i}_den), zero without rows."""
    o = spec.observational
    assert o is not None
    out, value_cols = units, []
    for source in ("interactions", "outcomes"):
        ms = [(i, m) for i, m in enumerate(metrics) if m.source == source]
        if not ms:
            continue
        events = ds.table(source)
        needed = set().union(*(m.columns() for _, m in ms))
        if source == "interactions":
            events = add_virtual_columns(events, needed)
        for _, m in ms:
            check_columns(m, events, f"{ds.source}: {source}")
        ts = TIME_COLUMN[source]
        ev = events.select(*sorted(({"customer_id", ts} | needed) & set(events.columns)))
        j = ev.inner_join(units.select("_uid", "_at"), ev.customer_id == units._uid)
        if o.at:
            j = j.filter((j[ts] >= j._at) & (j[ts] < j._at + ibis.interval(days=spec.windows.post_days)))
        aggs: dict[str, ir.Scalar] = {}
        for i, m in ms:
            aggs.update(unit_aggregates(m, j, ibis.literal(True), f"m{i}_"))
        per = j.group_by(j._uid.name("_pid")).aggregate(**aggs)
        value_cols += list(aggs)
        out = out.left_join(per, out._uid == per._pid).drop("_pid")
    return out.mutate(**{c: out[c].cast("float64").fill_null(0.0) for c in value_cols})


def _cell_aggregates(t: ir.Table, metrics: list[MetricDef]) -> dict[str, ir.Scalar]:
    aggs: dict[str, ir.Scalar] = {"n": t.count()}
    for i, m in enumerate(metrics):
        p = f"m{i}_"
        if m.is_ratio:
            num, den = t[p + "num"], t[p + "den"]
            aggs.update({p + "num_sum": num.sum(), p + "num_sq": (num * num).sum(), p + "den_sum": den.sum(),
                         p + "den_sq": (den * den).sum(), p + "numden": (num * den).sum()})
        else:
            y = t[p + "y"]
            aggs.update({p + "y_sum": y.sum(), p + "y_sq": (y * y).sum()})
    return aggs


def _stats(r: dict[str, Any], i: int, m: MetricDef) -> Stats:
    p, n = f"m{i}_", int(r["n"])
    f = {k: float(v or 0.0) for k, v in r.items() if k.startswith(p)}
    if m.is_ratio:
        return RatioStats(n, f[p + "num_sum"], f[p + "num_sq"], f[p + "den_sum"], f[p + "den_sq"], f[p + "numden"])
    return MeanStats(n, f[p + "y_sum"], f[p + "y_sq"])


def _amount(m: MetricDef, x: float) -> str:
    """A difference in words: percentage points for shares, else the metric's units."""
    if m.unit_label == "share":
        return f"{abs(x) * 100:.1f} points"
    return f"{abs(x):,.4g}" + (f" {m.unit_label}" if m.unit_label else "")


def _signed(m: MetricDef, x: float) -> str:
    return ("+" if x >= 0 else "-") + _amount(m, x)


def judge_association(m: MetricDef, c: ObservationalComparison, spec: PilotSpec) -> tuple[str, str]:
    """The observational verdict and its reason, from the adjusted interval shown beside it (never "proven")."""
    treated, others = spec.treatments[0], spec.control
    naive = (f"the naive difference ({treated} minus {others}) is {_signed(m, c.naive.effect_abs)} "
             f"(95% CI {_signed(m, c.naive.ci_abs[0])} to {_signed(m, c.naive.ci_abs[1])})")
    a = c.adjusted
    if not (math.isfinite(a.effect_abs) and math.isfinite(a.ci_abs[0]) and math.isfinite(a.ci_abs[1])):
        return NOT_COMPARABLE, (f"No {c.strata_by} stratum has at least two {treated} and two {others} units, so "
                                f"the groups cannot be compared like for like; {naive}.")
    lo, hi = a.ci_abs
    units = f"{spec.unit}s"
    within = f"Compared within the same {c.strata_by} {'band' if spec.observational and spec.observational.bands else 'stratum'}"
    shown = f"(95% CI {_signed(m, lo)} to {_signed(m, hi)}); {naive}"
    if lo > 0 or hi < 0:
        way = "higher" if a.effect_abs > 0 else "lower"
        return ASSOCIATED, (f"{within}, {treated} {units} have a {m.name} {_amount(m, a.effect_abs)} {way} than "
                            f"{others} {units} {shown}. Not causal: the groups were not randomised.")
    return NO_ASSOCIATION, (f"{within}, the difference in {m.name} between {treated} and {others} {units} is "
                            f"{_signed(m, a.effect_abs)}, and its interval includes zero {shown}. This is no evidence "
                            "of an effect either way, and not proof of none.")


def observational_readout(spec: PilotSpec, data: Dataset, catalog: Catalog | None = None) -> ReadoutDocument:
    """Read out an observational design: one grouped aggregation per stratum and group in the engine, then the naive
    and the stratum-adjusted comparison of every metric, with verdicts that never say proven."""
    o = spec.observational
    assert o is not None, "design observational carries its observational block (PilotSpec._check)"
    catalog = catalog or builtin_catalog()
    if spec.scope is not None:
        data = data.at(spec.scope.values())
    roles = metric_roles(spec, catalog)
    warnings = spec_warnings(spec, catalog)
    if spec.primary.target is not None:
        warnings.append("primary.target is not judged: an association is not an effect, so it cannot reach a target")
    c = _customers(data, spec)
    units = c.mutate(_uid=c.customer_id, _g=c[o.treatment], _at=c[o.at] if o.at else ibis.null("timestamp"))
    left_out = units.aggregate(no_treatment=units._g.isnull().sum(),
                               no_at=(units._at.isnull() & units._g.notnull()).sum() if o.at else ibis.literal(0))
    units = units.filter(units._g.notnull())
    if o.at:
        units = units.filter(units._at.notnull())
    stratum, bands, order = _strata(units, spec, data.source)
    units = units.mutate(_s=stratum)
    defs = list({m.name: m for _, _, m in roles}.values())
    per_unit = _per_unit(data, spec, defs, units.select("_uid", "_g", "_s", "_at"))
    cells_t = per_unit.group_by(["_s", "_g"]).aggregate(**_cell_aggregates(per_unit, defs))
    rows = cells_t.to_pyarrow().to_pylist()
    dropped = left_out.to_pyarrow().to_pylist()[0]
    if dropped["no_treatment"]:
        warnings.append(f"customers: {dropped['no_treatment']:,} units have no {o.treatment} value and are left out")
    if dropped["no_at"]:
        warnings.append(f"customers: {dropped['no_at']:,} units have no {o.at} value and are left out")
    n = {spec.control: sum(int(r["n"]) for r in rows if not r["_g"]),
         spec.treatments[0]: sum(int(r["n"]) for r in rows if r["_g"])}
    if not all(n.values()):
        raise DataError(f"{data.source}: customers.{o.treatment} is {'true' if n[spec.control] == 0 else 'false'} "
                        f"for every unit ({n[spec.control]:,} {spec.control}, {n[spec.treatments[0]]:,} "
                        f"{spec.treatments[0]}): there is nothing to compare")

    def key(label: str) -> tuple:
        parts = label.split(", ")
        return tuple((order[col].index(v), v) if v in order.get(col, []) else (len(order.get(col, [])), v)
                     for col, v in zip(o.adjust_for, parts, strict=False))

    strata_name = " x ".join(o.adjust_for)
    out: list[ObservationalMetric] = []
    for role, _ref, m in roles:
        i = defs.index(m)
        cells = {(str(r["_s"]), bool(r["_g"])): _stats(r, i, m) for r in rows}
        cmp = standardise(cells, spec.options.alpha, outcome_name=m.name, treatment_name=o.treatment,
                          strata_name=strata_name, order=key)
        v, reason = judge_association(m, cmp, spec)
        out.append(_association(role, m, cmp, v, reason))
    first = out[0]
    overlap = first.overlap_share
    if overlap is not None and math.isfinite(overlap) and overlap < 1:
        warnings.append(f"{1 - overlap:.1%} of units are in {strata_name} strata with only one group (e.g. no "
                        f"{spec.treatments[0]} at all) and are left out of the adjusted comparison")
    warnings.append(f"observational: not randomised; the adjustment removes only the confounding by {strata_name}, "
                    "not by anything else that decided who was treated")
    s = spec
    return ReadoutDocument(
        schema_version=SCHEMA_VERSION, pilot=s.pilot, design=s.design, unit=s.unit, analysis_unit=s.unit,
        scope=s.scope.values() if s.scope is not None else None, arms=s.arms, control=s.control, n=n,
        windows=ReadoutWindows(pre_days=s.windows.pre_days, post_days=s.windows.post_days), window_complete=True,
        options=ReadoutOptions(**s.options.model_dump()),
        srm=Srm(p_value=None, ok=True, threshold=SRM_ALPHA, counts=n, applicable=False),
        verdict=first.verdict, reason=first.reason, metrics=[], value=None, warnings=warnings, data=data.source,
        causal=False,
        observational=ObservationalSection(treatment=o.treatment, treated=s.treatments[0], untreated=s.control,
                                           adjust_for=o.adjust_for, bands=bands, at=o.at, gate=GATE_RULE,
                                           comparisons=out))
