"""Sample-size planning: minimum detectable effect, units per arm, days needed (docs/methods.md, "Power").

Two-sided tests at level alpha on a difference of means or proportions, with CUPED variance reduction
(1 - rho^2) and the cluster design effect 1 + (m - 1) ICC.
"""

from __future__ import annotations

import math
from typing import Literal

from cxscale.stats._effect import check_alpha
from cxscale.stats.dist import nct_cdf, nct_sf, norm_cdf, norm_isf, norm_ppf, norm_sf, t_isf
from cxscale.stats.models import PowerResult

#: The longest pilot (enrolment and measurement, days) a plan calls feasible: longer, the business and the data
#: change under it, and no decision waits that long.
MAX_PILOT_DAYS = 365


def achieved_power(
    effect_abs: float,
    baseline_sd: float,
    n_per_arm: float,
    alpha: float = 0.05,
    ratio: float = 1.0,
    test: Literal["z", "t"] = "z",
) -> float:
    """Power (share 0-1) of the two-sided test of a true difference effect_abs (metric units) with n_per_arm units
    in control and ratio * n_per_arm in treatment, per-unit sd baseline_sd. Both tails count, like statsmodels
    NormalIndPower ("z") and TTestIndPower ("t", pooled df)."""
    check_alpha(alpha)
    n2 = n_per_arm * ratio
    shift = effect_abs / (baseline_sd * math.sqrt(1 / n_per_arm + 1 / n2))
    if test == "z":
        crit = norm_isf(alpha / 2)
        return float(norm_sf(crit - shift) + norm_cdf(-crit - shift))
    if test == "t":
        df = n_per_arm + n2 - 2
        crit = t_isf(alpha / 2, df)
        return float(nct_sf(crit, df, shift) + nct_cdf(-crit, df, shift))
    raise ValueError(f"test must be 'z' or 't', got {test!r}")


def _power_het(delta: float, n: float, var_c: float, var_t: float, ratio: float, alpha: float) -> float:
    """Two-sided z power when the arms' per-unit variances differ (proportions under the alternative)."""
    se = math.sqrt(var_c / n + var_t / (ratio * n))
    crit = norm_isf(alpha / 2)
    return float(norm_sf(crit - abs(delta) / se) + norm_cdf(-crit - abs(delta) / se))


def power_plan(
    baseline_mean: float,
    baseline_sd: float | None = None,
    *,
    n_per_arm: float | None = None,
    effect_abs: float | None = None,
    effect_rel: float | None = None,
    daily_units: float | None = None,
    days: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    rho: float = 0.0,
    cluster_size: float = 1.0,
    icc: float = 0.0,
    proportion: bool = False,
) -> PowerResult:
    """Plan a two-arm test. Give the size (n_per_arm, or days with daily_units) to get the minimum detectable
    effect, or a target effect (effect_abs in metric units or effect_rel as a share of baseline_mean) to get the
    units per arm. daily_units is the number of units entering the pilot per day across all arms.

    proportion=True: baseline_mean is a rate (share 0-1), the per-unit variance is p(1-p) in each arm at its own
    rate. rho: correlation of the outcome with its pre-period covariate (CUPED). cluster_size, icc: customers per
    cluster and intra-cluster correlation; n_per_arm then counts customers, not clusters.
    """
    check_alpha(alpha)
    if not 0 < power < 1:
        raise ValueError(f"power must be a share strictly between 0 and 1, got {power!r}")
    if not -1 < rho < 1 or not 0 <= icc <= 1 or cluster_size < 1 or ratio <= 0:
        raise ValueError("need -1 < rho < 1, 0 <= icc <= 1, cluster_size >= 1 and ratio > 0")
    if proportion:
        if not 0 < baseline_mean < 1:
            raise ValueError(f"a proportion baseline must lie strictly between 0 and 1, got {baseline_mean!r}")
        baseline_sd = math.sqrt(baseline_mean * (1 - baseline_mean))
    if baseline_sd is None or baseline_sd <= 0:
        raise ValueError("baseline_sd must be > 0 (or set proportion=True)")
    if days is not None:
        if daily_units is None:
            raise ValueError("days needs daily_units (units entering the pilot per day, all arms)")
        n_per_arm = days * daily_units / (1 + ratio)
    if effect_rel is not None:
        effect_abs = effect_rel * baseline_mean
    if (n_per_arm is None) == (effect_abs is None):
        raise ValueError("give exactly one of n_per_arm (or days with daily_units) and a target effect")

    vf = (1 - rho**2) * (1 + (cluster_size - 1) * icc)
    var_c = vf * baseline_sd**2
    p1 = baseline_mean

    def var_t(delta: float) -> float:
        return vf * (p1 + delta) * (1 - p1 - delta) if proportion else var_c

    from scipy import optimize  # here, not at import: scipy.optimize takes a quarter of a second to load

    if effect_abs is not None:
        delta = abs(effect_abs)
        if delta == 0 or (proportion and not 0 < p1 + effect_abs < 1):
            raise ValueError(f"the target effect {effect_abs!r} must be non-zero (and keep a rate within 0-1)")
        vt = var_t(effect_abs)
        guess = (norm_isf(alpha / 2) + norm_ppf(power)) ** 2 * (var_c + vt / ratio) / delta**2
        n_exact = optimize.brentq(
            lambda n: _power_het(delta, n, var_c, vt, ratio, alpha) - power, guess * 0.5, guess * 2 + 10, xtol=1e-10
        )
        n_plan = float(n_exact)
        mde = effect_abs
    else:
        assert n_per_arm is not None
        n_plan = float(n_per_arm)
        n_exact = n_plan
        upper = (1 - p1) * (1 - 1e-12) if proportion else 100 * baseline_sd * math.sqrt(vf) + 1

        def gap(d: float) -> float:
            return _power_het(d, n_plan, var_c, var_t(d), ratio, alpha) - power

        mde = float(optimize.brentq(gap, 1e-12 * (1 + baseline_sd), upper, xtol=1e-14)) if gap(upper) > 0 else math.nan
    n_int = math.ceil(n_plan - 1e-9)
    return PowerResult(
        n_per_arm=n_int,
        mde_abs=float(mde),
        mde_rel=float(mde / baseline_mean) if baseline_mean else math.nan,
        days=None if daily_units is None else n_int * (1 + ratio) / daily_units,
        alpha=alpha,
        power=power,
        variance_factor=vf,
        sd_effective=baseline_sd * math.sqrt(vf),
        n_per_arm_exact=float(n_exact),
    )
