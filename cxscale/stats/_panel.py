"""Panel plumbing for difference-in-differences: validation, two-way fixed-effects design, weighted least squares
with cluster-robust covariance (the same arithmetic as statsmodels WLS(...).fit(cov_type="cluster"))."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Panel:
    """A validated unit x period panel. unit_code/period_code index unit_ids/period_values."""

    unit_code: np.ndarray
    period_code: np.ndarray
    unit_ids: np.ndarray
    period_values: np.ndarray
    treated: np.ndarray  # per row, bool
    post: np.ndarray  # per row, bool
    y: np.ndarray
    w: np.ndarray
    unit_treated: np.ndarray  # per unit, bool

    @property
    def n_units(self) -> int:
        return len(self.unit_ids)


def make_panel(unit: Any, period: Any, treated: Any, post: Any, y: Any, weights: Any = None) -> Panel:
    """Check and encode the panel arrays (one row per unit x period cell); raise ValueError naming the rule."""
    unit_a = np.asarray(unit)
    period_a = np.asarray(period)
    treated_a = np.asarray(treated).astype(bool)
    post_a = np.asarray(post).astype(bool)
    y_a = np.asarray(y, dtype=float)
    w_a = np.ones_like(y_a) if weights is None else np.asarray(weights, dtype=float)
    n = len(y_a)
    for name, a in (("unit", unit_a), ("period", period_a), ("treated", treated_a), ("post", post_a),
                    ("weights", w_a)):
        if a.shape != (n,):
            raise ValueError(f"panel column {name} has shape {a.shape}, expected ({n},) like y")
    bad = np.flatnonzero(~np.isfinite(y_a) | ~np.isfinite(w_a) | (w_a <= 0))
    if bad.size:
        raise ValueError(f"panel rows {bad[:5].tolist()} have a non-finite y or a weight <= 0; drop or fix them")
    unit_ids, unit_code = np.unique(unit_a, return_inverse=True)
    period_values, period_code = np.unique(period_a, return_inverse=True)
    g = len(unit_ids)
    unit_treated = np.zeros(g, dtype=bool)
    for flag in (True, False):
        np.logical_or.at(unit_treated, unit_code[treated_a == flag], flag)
    mixed = np.zeros(g, dtype=bool)
    np.logical_or.at(mixed, unit_code, treated_a != unit_treated[unit_code])
    if mixed.any():
        raise ValueError(f"treated must be constant within a unit; units {unit_ids[mixed][:5].tolist()} mix values")
    post_by_period = np.zeros(len(period_values), dtype=int)
    np.add.at(post_by_period, period_code, post_a.astype(int))
    count_by_period = np.bincount(period_code, minlength=len(period_values))
    uneven = (post_by_period > 0) & (post_by_period < count_by_period)
    if uneven.any():
        raise ValueError(
            f"post must mark the same periods for every unit (one rollout date); periods "
            f"{period_values[uneven][:5].tolist()} are post for some units only")
    if unit_treated.all() or not unit_treated.any():
        raise ValueError("the panel needs at least one treated and one untreated unit")
    if post_a.all() or not post_a.any():
        raise ValueError("the panel needs periods both before and after the rollout (post False and True)")
    return Panel(unit_code, period_code, unit_ids, period_values, treated_a, post_a, y_a, w_a, unit_treated)


def twfe_design(p: Panel, extra: np.ndarray) -> np.ndarray:
    """[extra columns, one dummy per unit, one dummy per period except the first] (no intercept)."""
    n = len(p.y)
    units = np.zeros((n, p.n_units))
    units[np.arange(n), p.unit_code] = 1.0
    periods = np.zeros((n, len(p.period_values)))
    periods[np.arange(n), p.period_code] = 1.0
    return np.column_stack([extra, units, periods[:, 1:]])


def wls_cluster(x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WLS coefficients and cluster-robust covariance with the small-sample factor G/(G-1) * (N-1)/(N-K).

    Same as statsmodels WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": groups}) (docs/methods.md,
    "Cluster-robust standard errors").
    """
    sw = np.sqrt(w)
    xw, yw = x * sw[:, None], y * sw
    bread = np.linalg.pinv(xw.T @ xw)
    beta = bread @ (xw.T @ yw)
    resid = yw - xw @ beta
    n, k = x.shape
    scores = np.zeros((groups.max() + 1, k))
    np.add.at(scores, groups, xw * resid[:, None])
    g = len(np.unique(groups))
    meat = scores.T @ scores
    factor = g / (g - 1) * (n - 1) / (n - k)
    return beta, factor * bread @ meat @ bread


def pooled_two_sample(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of means mean(a) - mean(b), its pooled-variance SE and the df (len(a) + len(b) - 2)."""
    df = len(a) + len(b) - 2
    ss = float(((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum())
    se = np.sqrt(ss / df * (1 / len(a) + 1 / len(b))) if df > 0 else np.nan
    return float(a.mean() - b.mean()), float(se), float(df)
