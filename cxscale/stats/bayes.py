"""Bayesian readout with a normal approximation: posterior of the relative lift (docs/methods.md, "Bayesian")."""

from __future__ import annotations

import math

from cxscale.stats._effect import check_alpha
from cxscale.stats.dist import norm_cdf, norm_isf, norm_pdf
from cxscale.stats.fixed import fixed_effect
from cxscale.stats.models import BayesResult, CupedStats, Effect, MeanStats, RatioStats


def _positive_part_mean(m: float, s: float) -> float:
    """E[max(0, X)] for X ~ N(m, s^2)."""
    if s <= 0:
        return max(m, 0.0)
    return m * norm_cdf(m / s) + s * norm_pdf(m / s)


def bayes_from_effect(
    effect: Effect,
    prior_mean_rel: float = 0.0,
    prior_sd_rel: float | None = None,
    alpha: float = 0.05,
    lower_is_better: bool = False,
) -> BayesResult:
    """Posterior of the relative lift from any Effect (its effect_rel and se_rel as a normal likelihood).

    The prior is normal on the relative lift (share): N(prior_mean_rel, prior_sd_rel^2); None is a flat prior, for
    which the credible interval equals the frequentist z interval. Absolute numbers are the relative posterior times
    the observed control mean (metric units).
    """
    check_alpha(alpha)
    m, s, base = float(effect.effect_rel), float(effect.se_rel), float(effect.control)
    if not (math.isfinite(m) and math.isfinite(s) and math.isfinite(base)) or base == 0:
        raise ValueError("the Bayesian readout needs a finite relative lift and a non-zero control mean")
    if prior_sd_rel is not None:
        if prior_sd_rel <= 0:
            raise ValueError(f"prior_sd_rel must be > 0 (or None for a flat prior), got {prior_sd_rel!r}")
        if s > 0:
            prec = 1 / s**2 + 1 / prior_sd_rel**2
            m = (m / s**2 + prior_mean_rel / prior_sd_rel**2) / prec
            s = math.sqrt(1 / prec)
    z = norm_isf(alpha / 2)
    mean_abs, sd_abs = m * base, s * abs(base)
    # gain: the improvement from shipping treatment, in metric units (sign flipped when lower is better).
    gain_mean = -mean_abs if lower_is_better else mean_abs
    prob = float(norm_cdf(gain_mean / sd_abs)) if sd_abs > 0 else float(gain_mean > 0)
    return BayesResult(
        prob_treatment_better=prob,
        expected_loss=float(_positive_part_mean(-gain_mean, sd_abs)),
        expected_loss_control=float(_positive_part_mean(gain_mean, sd_abs)),
        mean_abs=mean_abs,
        ci_abs=(float(mean_abs - z * sd_abs), float(mean_abs + z * sd_abs)),
        mean_rel=m,
        ci_rel=(float(m - z * s), float(m + z * s)),
        sd_rel=s,
        prior_mean_rel=prior_mean_rel,
        prior_sd_rel=prior_sd_rel,
        alpha=alpha,
    )


def bayes_effect(
    control: MeanStats | RatioStats | CupedStats,
    treatment: MeanStats | RatioStats | CupedStats,
    prior_mean_rel: float = 0.0,
    prior_sd_rel: float | None = None,
    alpha: float = 0.05,
    lower_is_better: bool = False,
) -> BayesResult:
    """Posterior probability that treatment is better, expected loss and credible intervals (see bayes_from_effect)."""
    eff = fixed_effect(control, treatment, alpha)
    return bayes_from_effect(eff, prior_mean_rel, prior_sd_rel, alpha, lower_is_better)
