"""Means and proportions: Welch's t for a per-unit mean, the two-proportion Wald z for a 0/1 value.

Formulas and references: docs/methods.md ("Means: Welch", "Proportions", "Relative lift").
"""

from __future__ import annotations

import numpy as np

from cxscale.stats._effect import Parts, arr, check_alpha, effect_from, mean_var
from cxscale.stats.models import Effect, MeanStats


def welch_parts(control: MeanStats, treatment: MeanStats) -> tuple[np.ndarray, ...]:
    """(control mean, difference, Var(control mean), Var(treatment mean), Welch-Satterthwaite df)."""
    mc, vc = mean_var(control.n, control.sum, control.sum_sq)
    mt, vt = mean_var(treatment.n, treatment.sum, treatment.sum_sq)
    nc, nt = arr(control.n), arr(treatment.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        vmc, vmt = vc / nc, vt / nt
        df = (vmc + vmt) ** 2 / (vmc**2 / (nc - 1) + vmt**2 / (nt - 1))
    return mc, mt - mc, vmc, vmt, df


def mean_parts(control: MeanStats, treatment: MeanStats) -> Parts:
    mc, diff, vmc, vmt, df = welch_parts(control, treatment)
    # Cov(diff, control mean) = -Var(control mean): the arms are independent.
    return Parts(mc, diff, vmc + vmt, vmc, -vmc, df, "welch")


def proportion_parts(control: MeanStats, treatment: MeanStats) -> Parts:
    nc, nt = arr(control.n), arr(treatment.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        pc, pt = arr(control.sum) / nc, arr(treatment.sum) / nt
        vmc, vmt = pc * (1 - pc) / nc, pt * (1 - pt) / nt
    return Parts(pc, pt - pc, vmc + vmt, vmc, -vmc, np.inf, "proportion_z")


def mean_effect(control: MeanStats, treatment: MeanStats, alpha: float = 0.05) -> Effect:
    """Treatment minus control mean of a per-unit value, with Welch's unequal-variance t interval and p-value.

    Effect is in the metric's units; relative lift is a share (0.05 = +5%) with Fieller's interval.
    Agrees with scipy.stats.ttest_ind(equal_var=False). Fields may be arrays (a batch of pilots).
    """
    check_alpha(alpha)
    return effect_from(mean_parts(control, treatment), alpha)


def proportion_effect(control: MeanStats, treatment: MeanStats, alpha: float = 0.05) -> Effect:
    """Difference of two proportions (MeanStats of a 0/1 value; only n and sum are used), Wald z, unpooled SE.

    The same unpooled SE gives the interval and the p-value, so the interval excludes 0 exactly when p < alpha.
    Agrees with statsmodels test_proportions_2indep / confint_proportions_2indep(method="wald").
    """
    check_alpha(alpha)
    return effect_from(proportion_parts(control, treatment), alpha)
