"""CUPED: regression adjustment of the outcome with its pre-period value, theta pooled within arms.

The estimate equals the treatment coefficient of OLS y ~ 1 + treat + x (docs/methods.md, "CUPED").
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from cxscale.stats._effect import Parts, arr, check_alpha, effect_from
from cxscale.stats.models import CupedStats, Effect


def _centred(s: CupedStats) -> tuple[np.ndarray, ...]:
    """n, means of y and x, and within-arm centred sums Syy, Sxx, Sxy."""
    n = arr(s.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        my, mx = arr(s.y_sum) / n, arr(s.x_sum) / n
        syy = arr(s.y_sum_sq) - arr(s.y_sum) * my
        sxx = arr(s.x_sum_sq) - arr(s.x_sum) * mx
        sxy = arr(s.xy_sum) - arr(s.x_sum) * my
    return n, my, mx, syy, sxx, sxy


def cuped_theta(control: CupedStats, treatment: CupedStats) -> np.ndarray:
    """Pooled within-arm slope of y on x: the OLS coefficient of x in y ~ 1 + treat + x (0 when x is constant)."""
    _, _, _, _, sxx_c, sxy_c = _centred(control)
    _, _, _, _, sxx_t, sxy_t = _centred(treatment)
    sxx = sxx_c + sxx_t
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sxx > 0, (sxy_c + sxy_t) / sxx, 0.0)


def cuped_parts(control: CupedStats, treatment: CupedStats, se: Literal["robust", "classic"] = "robust") -> Parts:
    if se not in ("robust", "classic"):
        raise ValueError(f"se must be 'robust' or 'classic', got {se!r}")
    nc, myc, mxc, syy_c, sxx_c, sxy_c = _centred(control)
    nt, myt, mxt, syy_t, sxx_t, sxy_t = _centred(treatment)
    theta = cuped_theta(control, treatment)
    diff = (myt - myc) - theta * (mxt - mxc)
    rss_c = np.maximum(syy_c - 2 * theta * sxy_c + theta**2 * sxx_c, 0.0)
    rss_t = np.maximum(syy_t - 2 * theta * sxy_t + theta**2 * sxx_t, 0.0)
    sxx = sxx_c + sxx_t
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = (rss_c + rss_t) / (nc + nt - 3)
        var_theta = np.where(sxx > 0, sigma2 / sxx, 0.0)
        if se == "classic":
            var_diff = sigma2 * (1 / nc + 1 / nt) + (mxt - mxc) ** 2 * var_theta
            df = nc + nt - 3
        else:
            vc, vt = rss_c / (nc - 1) / nc, rss_t / (nt - 1) / nt
            var_diff = vc + vt + (mxt - mxc) ** 2 * var_theta
            df = (vc + vt) ** 2 / (vc**2 / (nc - 1) + vt**2 / (nt - 1))
        var_base = syy_c / (nc - 1) / nc
        # Cov(adjusted diff, control mean) = -Cov(ybar_c - theta xbar_c, ybar_c) (theta held fixed).
        cov_db = -(syy_c - theta * sxy_c) / (nc - 1) / nc
    return Parts(myc, diff, var_diff, var_base, cov_db, df, f"cuped_{se}")


def cuped_effect(
    control: CupedStats,
    treatment: CupedStats,
    alpha: float = 0.05,
    se: Literal["robust", "classic"] = "robust",
) -> Effect:
    """CUPED-adjusted treatment minus control (metric units) and relative lift against the control mean (share).

    se="robust" (default): per-arm residual variances, Var = s_t^2/n_t + s_c^2/n_c + (xbar_t - xbar_c)^2 Var(theta),
    Welch-Satterthwaite df; it stays right when the arms' variances differ (like OLS HC standard errors).
    se="classic": the OLS non-robust SE of the treat coefficient, df = N - 3 (equals statsmodels to 1e-6).
    Effect.control is the unadjusted control mean, Effect.treatment = control + adjusted effect.
    """
    check_alpha(alpha)
    return effect_from(cuped_parts(control, treatment, se), alpha)
