"""Ratio metrics sum(num)/sum(den) by the delta method; also the estimator for cluster-randomised designs.

In a cluster-randomised pilot each unit is a cluster (a site, an agent): num = sum of y over its customers and
den = number of customers, so the ratio is the customer-level mean and its variance respects the clustering.
Formulas and references: docs/methods.md ("Ratio metrics and cluster-randomised designs").
"""

from __future__ import annotations

import numpy as np

from cxscale.stats._effect import Parts, arr, check_alpha, cov, effect_from, mean_var
from cxscale.stats.models import Effect, RatioStats


def ratio_and_variance(s: RatioStats) -> tuple[np.ndarray, np.ndarray]:
    """Ratio R = mean(num)/mean(den) and Var(R) ~ (Var(num) - 2R Cov(num, den) + R^2 Var(den)) / (n mean(den)^2)."""
    my, vy = mean_var(s.n, s.num_sum, s.num_sum_sq)
    mx, vx = mean_var(s.n, s.den_sum, s.den_sum_sq)
    cxy = cov(s.n, s.num_sum, s.den_sum, s.num_den_sum)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = my / mx
        v = np.maximum(vy - 2 * r * cxy + r**2 * vx, 0.0) / (arr(s.n) * mx**2)
    return r, v


def ratio_parts(control: RatioStats, treatment: RatioStats) -> Parts:
    rc, vc = ratio_and_variance(control)
    rt, vt = ratio_and_variance(treatment)
    return Parts(rc, rt - rc, vc + vt, vc, -vc, arr(control.n) + arr(treatment.n) - 2, "delta")


def ratio_effect(control: RatioStats, treatment: RatioStats, alpha: float = 0.05) -> Effect:
    """Treatment minus control ratio (metric units), relative lift (share), delta-method
    interval for the difference and Fieller's for the lift.

    The reference distribution is t with n_control + n_treatment - 2 degrees of freedom (the normal for large n;
    slightly wider with few clusters). Fields may be arrays (a batch of pilots).
    """
    check_alpha(alpha)
    return effect_from(ratio_parts(control, treatment), alpha)
