"""Shared arithmetic: sums -> means and variances, and (estimate, variance) -> Effect. Vectorised over batches.

Every function works elementwise on floats or numpy arrays of one shape, so the simulations in tests/stats can
push thousands of simulated pilots through the same code the readout uses (docs/methods.md).
"""

from __future__ import annotations

from typing import Any

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

    Relative lift diff/base, its variance by the delta method (docs/methods.md, "Relative lift"):
    Var(d/b) ~ Var(d)/b^2 + d^2 Var(b)/b^4 - 2 d Cov(d, b)/b^3.
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
    return Effect(
        control=out(base),
        treatment=out(base + diff),
        effect_abs=out(diff),
        ci_abs=(out(diff - q * se), out(diff + q * se)),
        effect_rel=out(rel),
        ci_rel=(out(rel - q * se_rel), out(rel + q * se_rel)),
        p_value=out(p),
        se_abs=out(se),
        method=method,
        alpha=alpha,
        se_rel=out(se_rel),
        df=out(df),
    )
