"""Always-valid inference: a normal-mixture confidence sequence you may look at every day (docs/methods.md,
"Sequential").

The mixture SPRT of Robbins (1970), as a confidence sequence in Howard et al. (2021) and Johari et al. (2017), applied
to the normal approximation of the difference in means (or ratios, or CUPED-adjusted means) - the approach of the
Eppo and Statsig sequential tests.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from cxscale.stats._effect import arr, check_alpha, effect_from, out
from cxscale.stats.fixed import fixed_parts
from cxscale.stats.models import CupedStats, Effect, MeanStats, RatioStats


def optimal_mixture_ratio(alpha: float) -> float:
    """r = tau^2 / v that makes the interval narrowest when v (the estimate's variance) reaches its planned value:
    the fixed point of r = log(1 + r) + 2 log(1/alpha) (about 8.2 at alpha = 0.05)."""
    r = 2 * math.log(1 / alpha) + 1.0
    for _ in range(100):
        r = math.log1p(r) + 2 * math.log(1 / alpha)
    return r


def confidence_sequence_half_width(v: np.ndarray, tau2: np.ndarray, alpha: float) -> np.ndarray:
    """Half-width of the normal-mixture confidence sequence for an estimate with variance v (metric units^2):
    sqrt(v (1 + v/tau2) log((1 + tau2/v) / alpha^2))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(v * (1 + v / tau2) * np.log((1 + tau2 / v) / alpha**2))


def always_valid_p(diff: np.ndarray, v: np.ndarray, tau2: np.ndarray) -> np.ndarray:
    """1 / (mixture likelihood ratio against effect 0), capped at 1:
    Lambda = sqrt(v / (v + tau2)) exp(tau2 diff^2 / (2 v (v + tau2)))."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lr = 0.5 * np.log(v / (v + tau2)) + tau2 * diff**2 / (2 * v * (v + tau2))
        return np.minimum(1.0, np.exp(-log_lr))


def sequential_effect(
    control: MeanStats | RatioStats | CupedStats,
    treatment: MeanStats | RatioStats | CupedStats,
    alpha: float = 0.05,
    planned_n_per_arm: float | None = None,
) -> Effect:
    """Always-valid interval and p-value for treatment minus control at the current look.

    The chance that the interval ever misses the true effect, over all looks, is at most alpha; so peeking daily and
    stopping as soon as p < alpha keeps the false-positive rate at alpha. planned_n_per_arm (units per arm) is the
    tuning: the interval is narrowest when each arm reaches it. Pass the same value at every look (the planned
    sample size); None uses the current n, which is only right for a single, final look.
    For a sequence of looks, the running minimum of p and intersection of intervals are also valid.
    """
    check_alpha(alpha)
    parts = fixed_parts(control, treatment)
    diff, v = arr(parts.diff), np.maximum(arr(parts.var_diff), 0.0)
    n_now = (arr(control.n) + arr(treatment.n)) / 2
    n_plan = n_now if planned_n_per_arm is None else arr(planned_n_per_arm)
    # v scales as 1/n: the estimate's variance at the planned size is v * n_now / n_plan.
    tau2 = optimal_mixture_ratio(alpha) * v * n_now / n_plan
    half = confidence_sequence_half_width(v, tau2, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = half / np.sqrt(v)
    # The relative interval is Fieller's with the same time-uniform factor, so it excludes 0 exactly when p < alpha.
    eff = effect_from(parts._replace(df=np.inf, method="sequential_msprt"), alpha, half_width_factor=factor)
    return dataclasses.replace(eff, p_value=out(always_valid_p(diff, v, tau2)))
