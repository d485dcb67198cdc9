"""Observational comparisons: what a non-randomised difference looks like, naive and stratified, labelled not causal.

When a "treatment" was not randomised (SMS reminders sent only for appointments booked far ahead), the naive
difference mixes the treatment with whatever decided who got it. This reports both the naive difference and the
difference within strata of a suspected confounder (direct standardisation to the strata's pooled size), and the
treated share per stratum, which shows the confounding. Neither number is a causal effect (docs/readout.md#observational).

One grouped aggregation (stratum x group: n, sum, sum of squares) runs in the engine; the rest is arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from cxscale.measure import effects
from cxscale.stats.dist import norm_ppf, norm_sf
from cxscale.stats.models import Effect, MeanStats, RatioStats

NOT_CAUSAL = ("observational comparison: the groups were not randomised, so neither the naive nor the stratified "
              "difference is a causal effect; stratification removes only the confounding by the strata variable")


@dataclass(frozen=True)
class Stratum:
    """One stratum: units and outcome mean (share 0-1 for a 0/1 outcome) per group, and the treated share."""

    stratum: str
    n_treated: int
    n_control: int
    mean_treated: float
    mean_control: float
    difference: float
    treated_share: float


@dataclass(frozen=True)
class ObservationalComparison:
    outcome: str
    treatment: str
    strata_by: str
    naive: Effect
    adjusted: Effect
    strata: list[Stratum]
    #: Share of units in strata where both groups occur (the adjusted difference uses only those).
    overlap_share: float
    causal: bool = False
    note: str = NOT_CAUSAL


Stats = MeanStats | RatioStats


def _mean_stats(n: float, s: float, ss: float) -> MeanStats:
    return MeanStats(int(n), float(s), float(ss))


def compare_observational(table: ir.Table, outcome: ir.Value, treated: ir.BooleanValue, stratum: ir.Value, *,
                          outcome_name: str = "outcome", treatment_name: str = "treated",
                          strata_name: str = "stratum", alpha: float = 0.05) -> ObservationalComparison:
    """Naive and stratum-adjusted differences (treated minus not treated) of `outcome`, computed in the engine."""
    t = table.mutate(_y=outcome.cast("float64"), _g=treated.fill_null(False), _s=stratum.cast("string"))
    t = t.filter(t._y.notnull())
    agg = t.group_by(["_s", "_g"]).aggregate(n=t.count(), s=t._y.sum(), ss=(t._y * t._y).sum()).execute()
    cells: dict[tuple[str, bool], Stats] = {(str(r["_s"]), bool(r["_g"])): _mean_stats(r["n"], r["s"], r["ss"])
                                            for r in agg.to_dict("records")}
    return standardise(cells, alpha, outcome_name=outcome_name, treatment_name=treatment_name,
                       strata_name=strata_name)


def _value(s: Stats) -> float:
    return s.ratio if isinstance(s, RatioStats) else s.mean


def _pooled(cells: list[Stats]) -> Stats:
    if isinstance(cells[0], RatioStats):
        return RatioStats(*(sum(getattr(c, f) for c in cells) for f in RatioStats.__dataclass_fields__))
    return MeanStats(*(sum(getattr(c, f) for c in cells) for f in MeanStats.__dataclass_fields__))


def _comparable(s: Stats) -> bool:
    """Enough units (two) for a variance, and for a ratio a denominator to divide by."""
    return s.n >= 2 and (not isinstance(s, RatioStats) or s.den_sum > 0)


def standardise(cells: dict[tuple[str, bool], Stats], alpha: float = 0.05, *, outcome_name: str = "outcome",
                treatment_name: str = "treated", strata_name: str = "stratum",
                order: Callable[[str], Any] | None = None) -> ObservationalComparison:
    """Naive and stratum-adjusted differences from per (stratum, treated) statistics (means or ratios).

    The adjusted difference is direct standardisation: the strata's differences weighted by each stratum's units,
    over the strata where both groups have at least two units; its variance is the weighted sum of the strata's
    variances (strata are independent). `order` sorts the strata for the report (default: by their first number)."""
    groups = {g: [c for (_, gg), c in cells.items() if gg == g] for g in (True, False)}
    if not groups[True] or not groups[False]:
        raise ValueError("an observational comparison needs treated and untreated units")
    naive = effects.effect_of(_pooled(groups[False]), _pooled(groups[True]), alpha)

    strata, rows, n_overlap, n_all = [], [], 0.0, 0.0
    for s in sorted({k[0] for k in cells}, key=order or _stratum_order):
        t, c = cells.get((s, True)), cells.get((s, False))
        nt, nc = (t.n if t else 0), (c.n if c else 0)
        n_all += nt + nc
        mt = _value(t) if t and t.n else math.nan
        mc = _value(c) if c and c.n else math.nan
        strata.append(Stratum(s, int(nt), int(nc), mt, mc, mt - mc, nt / (nt + nc) if nt + nc else math.nan))
        if t is not None and c is not None and _comparable(t) and _comparable(c):
            e = effects.effect_of(c, t, alpha)
            rows.append((nt + nc, e.effect_abs, mc, e.se_abs ** 2))
            n_overlap += nt + nc
    diff, var, ctrl = 0.0, 0.0, 0.0
    for n, d, mc, v in rows:
        w = n / n_overlap
        diff += w * d
        ctrl += w * mc
        var += w * w * v
    if not rows:
        diff = var = ctrl = math.nan
    se = math.sqrt(var)
    z = float(norm_ppf(1 - alpha / 2))
    p = float(2 * norm_sf(abs(diff / se))) if se > 0 else math.nan
    adjusted = Effect(ctrl, ctrl + diff, diff, (diff - z * se, diff + z * se), diff / ctrl if ctrl else math.nan,
                      ((diff - z * se) / ctrl, (diff + z * se) / ctrl) if ctrl else (math.nan, math.nan), p, se,
                      f"stratified by {strata_name} (direct standardisation)", alpha)
    return ObservationalComparison(outcome_name, treatment_name, strata_name, naive, adjusted, strata,
                                   n_overlap / n_all if n_all else math.nan)


def _stratum_order(s: str) -> tuple[float, str]:
    """Order strata like '0', '1-2', '3-7', '31+' numerically by their first number, others by name."""
    head = "".join(ch for ch in s.split("-")[0] if ch.isdigit() or ch == ".")
    try:
        return float(head), s
    except ValueError:
        return math.inf, s
