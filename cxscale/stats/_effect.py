"""Shared arithmetic: sums -> means and variances, and (estimate, variance) -> Effect. Vectorised over batches.

Every function works elementwise on floats or numpy arrays of one shape, so the simulations in tests/stats can
push thousands of simulated pilots through the same code the readout uses (docs/methods.md).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from cxscale.stats.dist import t_ppf, t_sf
from cxscale.stats.models import Effect

Num = Any  # a float or a numpy array (a batch of pilots)


def check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be a share strictly between 0 and 1, got {alpha!r}")


def arr(x: Num) -> np.ndarray:
    return np.asarray(x, dtype=float)


def mean_var(n: Num, s: Num, ss: Num) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample variance (ddof=1, clipped at 0) from n, sum and sum of squares."""
    n, s, ss = arr(n), arr(s), arr(ss)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = s / n
        v = np.maximum((ss - s * m) / (n - 1), 0.0)
    return m, np.where(n >= 2, v, np.nan)


def cov(n: Num, sx: Num, sy: Num, sxy: Num) -> np.ndarray:
    """Sample covariance (ddof=1) from n, the two sums and the sum of products."""
    n = arr(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n >= 2, (arr(sxy) - arr(sx) * arr(sy) / n) / (n - 1), np.nan)


def quantile(alpha: float, df: Num) -> np.ndarray:
    """Two-sided critical value of t(df) (df = inf gives the normal)."""
    return t_ppf(1 - alpha / 2, arr(df))


def two_sided_p(stat: Num, df: Num) -> np.ndarray:
    return 2 * t_sf(np.abs(arr(stat)), arr(df))


def out(x: Num) -> Any:
    """A plain float for scalars (JSON friendly), the array itself for batches."""
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a


class Parts(NamedTuple):
    """What an estimator hands to build_effect: control level, difference, their variances and covariance, df."""

    base: Any
    diff: Any
    var_diff: Any
    var_base: Any
    cov_diff_base: Any
    df: Any
    method: str


def fieller_interval(base: Num, diff: Num, var_diff: Num, var_base: Num, cov_db: Num,
                     q: Num) -> tuple[np.ndarray, np.ndarray]:
    """Fieller's interval for the lift r = diff/base: every r with (diff - r base)^2 <= q^2 Var(diff - r base).

    That is a r^2 - 2 B r + c <= 0 with a = base^2 - q^2 Var(b), B = diff base - q^2 Cov(d, b),
    c = diff^2 - q^2 Var(d). r = 0 is in it exactly when c <= 0, i.e. when |diff/se| <= q: the interval excludes 0
    exactly when the absolute test rejects. a > 0 (the control level is distinguishable from 0 at the same q): a
    bounded interval around diff/base. a <= 0: unbounded; when c > 0 the set is two rays and the one holding the
    estimate is returned (the other needs a control level of the opposite sign), else the whole line.
    Roots as c / t and t / a with t = B + sign(B) sqrt(B^2 - a c), so the root nearest 0 has exactly the sign of c.
    """
    base, diff, q = arr(base), arr(diff), arr(q)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = base**2 - q**2 * arr(var_base)
        b = diff * base - q**2 * arr(cov_db)
        c = diff**2 - q**2 * arr(var_diff)
        t = b + np.where(b < 0, -1.0, 1.0) * np.sqrt(np.maximum(b**2 - a * c, 0.0))
        near, far = c / t, t / a
        low, high = np.minimum(near, far), np.maximum(near, far)
        up = diff / base > 0
        # a < 0 < c: the roots have opposite signs; the ray holding the estimate starts at the root on its side
        lo = np.where(a > 0, low, np.where((c > 0) & up, np.where(near > 0, near, far), -np.inf))
        hi = np.where(a > 0, high, np.where((c > 0) & ~up, np.where(near < 0, near, far), np.inf))
    missing = np.isnan(a) | np.isnan(b) | np.isnan(c)
    return np.where(missing, np.nan, lo), np.where(missing, np.nan, hi)


def build_effect(
    base: Num,
    diff: Num,
    var_diff: Num,
    var_base: Num,
    cov_diff_base: Num,
    alpha: float,
    df: Num,
    method: str,
    half_width_factor: Num | None = None,
) -> Effect:
    """Effect from an absolute difference and the control level it is relative to.

    The relative lift diff/base gets Fieller's interval with the same quantile as the absolute one, so the two agree
    on excluding 0 (docs/methods.md, "Relative lift"); se_rel is its delta-method standard error
    sqrt(Var(d)/b^2 + d^2 Var(b)/b^4 - 2 d Cov(d, b)/b^3), kept for the Bayesian summary.
    half_width_factor replaces the t quantile (sequential intervals use a wider, time-uniform one).
    """
    base, diff, var_diff, var_base, cov_db = arr(base), arr(diff), arr(var_diff), arr(var_base), arr(cov_diff_base)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(np.maximum(var_diff, 0.0))
        q = quantile(alpha, df) if half_width_factor is None else arr(half_width_factor)
        p = two_sided_p(diff / se, df)
        rel = diff / base
        var_rel = var_diff / base**2 + diff**2 * var_base / base**4 - 2 * diff * cov_db / base**3
        se_rel = np.sqrt(np.maximum(var_rel, 0.0))
    rel_lo, rel_hi = fieller_interval(base, diff, np.maximum(var_diff, 0.0), var_base, cov_db, q)
    return Effect(
        control=out(base),
        treatment=out(base + diff),
        effect_abs=out(diff),
        ci_abs=(out(diff - q * se), out(diff + q * se)),
        effect_rel=out(rel),
        ci_rel=(out(rel_lo), out(rel_hi)),
        p_value=out(p),
        se_abs=out(se),
        method=method,
        alpha=alpha,
        se_rel=out(se_rel),
        df=out(df),
    )


def effect_from(parts: Parts, alpha: float, half_width_factor: Num | None = None) -> Effect:
    return build_effect(*parts[:5], alpha, parts.df, parts.method, half_width_factor)
