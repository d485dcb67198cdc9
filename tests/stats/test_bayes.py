"""Bayesian normal approximation: flat prior reproduces the z interval, priors shrink, direction is respected."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from cxscale.stats import MeanStats, bayes_effect, bayes_from_effect, mean_effect

C, T = MeanStats(5000, 5000 * 4.0, 5000 * 20.0), MeanStats(5000, 5000 * 4.1, 5000 * 21.0)


def test_flat_prior_credible_interval_is_the_relative_z_interval() -> None:
    e = mean_effect(C, T)
    b = bayes_effect(C, T)
    z = sps.norm.isf(0.025)
    assert b.ci_rel == pytest.approx((e.effect_rel - z * e.se_rel, e.effect_rel + z * e.se_rel), rel=1e-12)
    assert b.mean_abs == pytest.approx(e.effect_abs, rel=1e-12)
    assert b.prob_treatment_better == pytest.approx(sps.norm.cdf(e.effect_rel / e.se_rel), rel=1e-12)


def test_expected_losses_match_a_monte_carlo_of_the_posterior() -> None:
    b = bayes_effect(C, T)
    draws = np.random.default_rng(0).normal(b.mean_abs, b.sd_rel * 4.0, 2_000_000)
    assert b.expected_loss == pytest.approx(np.maximum(-draws, 0).mean(), rel=0.02)
    assert b.expected_loss_control == pytest.approx(np.maximum(draws, 0).mean(), rel=0.01)


def test_a_tight_prior_at_zero_shrinks_the_lift() -> None:
    flat = bayes_effect(C, T)
    tight = bayes_effect(C, T, prior_sd_rel=0.01)
    assert 0 < tight.mean_rel < flat.mean_rel
    assert tight.ci_rel[1] - tight.ci_rel[0] < flat.ci_rel[1] - flat.ci_rel[0]


def test_lower_is_better_flips_the_probability() -> None:
    up = bayes_effect(C, T)
    down = bayes_effect(C, T, lower_is_better=True)
    assert up.prob_treatment_better + down.prob_treatment_better == pytest.approx(1.0)
    assert down.expected_loss == pytest.approx(up.expected_loss_control)


def test_a_zero_control_mean_is_refused() -> None:
    e = mean_effect(MeanStats(10, 0.0, 0.0), MeanStats(10, 1.0, 1.0))
    with pytest.raises(ValueError, match="control mean"):
        bayes_from_effect(e)
