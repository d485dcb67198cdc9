"""Power planning: agrees with statsmodels, and the planned sample size really gives the promised power."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from cxscale.stats import (
    achieved_power,
    cuped_effect,
    mean_effect,
    power_plan,
    proportion_effect,
    ratio_effect,
)
from tests.stats.pilots import cluster_stats, cuped_arrays, cuped_stats, mean_stats, proportion_stats, skewed

# Simulated power with S = 5,000 pilots has binomial sd sqrt(0.8 * 0.2 / 5000) = 0.57 points; the band 0.77-0.83
# is +-3 points = 5.3 sd, leaving room for the normal approximation's small bias.


@pytest.mark.parametrize(("d", "n", "ratio"), [(0.1, 800, 1.0), (0.25, 120, 2.0), (0.05, 5000, 0.5)])
def test_achieved_power_equals_statsmodels(d: float, n: int, ratio: float) -> None:
    assert achieved_power(d * 3.0, 3.0, n, 0.05, ratio) == pytest.approx(
        NormalIndPower().power(d, n, 0.05, ratio=ratio), abs=1e-12)
    assert achieved_power(d * 3.0, 3.0, n, 0.05, ratio, test="t") == pytest.approx(
        TTestIndPower().power(d, n, 0.05, ratio=ratio), abs=1e-10)


@pytest.mark.parametrize(("effect", "ratio"), [(0.1, 1.0), (0.3, 2.0), (0.02, 1.0)])
def test_sample_size_equals_statsmodels_solve_power(effect: float, ratio: float) -> None:
    plan = power_plan(10.0, 2.0, effect_abs=effect * 2.0, ratio=ratio)
    ref = NormalIndPower().solve_power(effect, alpha=0.05, power=0.8, ratio=ratio)
    assert plan.n_per_arm_exact == pytest.approx(ref, rel=1e-6)
    assert plan.n_per_arm == math.ceil(ref)


def test_mde_is_the_effect_the_size_detects_with_the_target_power() -> None:
    plan = power_plan(200.0, 80.0, n_per_arm=2500, daily_units=250)
    assert achieved_power(plan.mde_abs, 80.0, 2500) == pytest.approx(0.8, abs=1e-9)
    assert plan.mde_rel == pytest.approx(plan.mde_abs / 200.0)
    assert plan.days == pytest.approx(20.0)
    back = power_plan(200.0, 80.0, effect_abs=plan.mde_abs)
    assert back.n_per_arm_exact == pytest.approx(2500, rel=1e-6)
    by_days = power_plan(200.0, 80.0, days=20, daily_units=250)
    assert by_days.mde_abs == pytest.approx(plan.mde_abs)


def test_cuped_and_clustering_scale_the_sample_size_by_the_variance_factor() -> None:
    base = power_plan(50.0, 10.0, effect_rel=0.02)
    cuped = power_plan(50.0, 10.0, effect_rel=0.02, rho=0.6)
    clustered = power_plan(50.0, 10.0, effect_rel=0.02, cluster_size=21, icc=0.05)
    assert cuped.n_per_arm_exact == pytest.approx(base.n_per_arm_exact * 0.64, rel=1e-6)
    assert clustered.n_per_arm_exact == pytest.approx(base.n_per_arm_exact * 2.0, rel=1e-6)


def test_bad_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        power_plan(1.0, 1.0)
    with pytest.raises(ValueError, match="daily_units"):
        power_plan(1.0, 1.0, days=10)
    with pytest.raises(ValueError, match="proportion"):
        power_plan(1.5, proportion=True, n_per_arm=100)


def test_planned_sample_size_gives_80_percent_power_for_means() -> None:
    rng = np.random.default_rng(51)
    mean, rel = 300.0, 0.05
    # lognormal sigma 0.8: sd = mean * sqrt(exp(0.64) - 1)
    plan = power_plan(mean, mean * math.sqrt(math.exp(0.64) - 1), effect_rel=rel)
    # an additive shift keeps the treatment arm's sd equal to the plan's (a multiplicative lift would widen it by
    # 5% and cost ~2 points of power: plan with the larger arm's sd when the effect is multiplicative)
    e = mean_effect(mean_stats(skewed(rng, 5000, plan.n_per_arm, mean)),
                    mean_stats(skewed(rng, 5000, plan.n_per_arm, mean) + mean * rel))
    power = float(np.mean(e.p_value < 0.05))
    print(f"simulated power at the planned n={plan.n_per_arm} (means): {power:.4f}")
    assert 0.77 <= power <= 0.83


def test_planned_sample_size_gives_80_percent_power_for_proportions() -> None:
    rng = np.random.default_rng(52)
    plan = power_plan(0.15, proportion=True, effect_abs=-0.01)
    e = proportion_effect(proportion_stats(rng, 5000, plan.n_per_arm, 0.15),
                          proportion_stats(rng, 5000, plan.n_per_arm, 0.14))
    power = float(np.mean(e.p_value < 0.05))
    print(f"simulated power at the planned n={plan.n_per_arm} (proportions): {power:.4f}")
    assert 0.77 <= power <= 0.83


def test_planned_sample_size_gives_80_percent_power_with_cuped() -> None:
    rng = np.random.default_rng(53)
    # the simulated pilots' outcome: y = 2 + 0.8 x + N(0, 1.3), x ~ Gamma(2, 1.5): Var(y) = 0.64 * 4.5 + 1.69
    var_y = 0.64 * 4.5 + 1.69
    rho = math.sqrt(0.64 * 4.5 / var_y)
    plan = power_plan(2 + 0.8 * 3.0, math.sqrt(var_y), effect_abs=0.2, rho=rho)
    xc, yc = cuped_arrays(rng, 5000, plan.n_per_arm)
    xt, yt = cuped_arrays(rng, 5000, plan.n_per_arm, effect=0.2)
    power = float(np.mean(cuped_effect(cuped_stats(xc, yc), cuped_stats(xt, yt)).p_value < 0.05))
    print(f"simulated power at the planned n={plan.n_per_arm} (CUPED, rho={rho:.2f}): {power:.4f}")
    assert 0.77 <= power <= 0.83


def test_planned_sample_size_gives_80_percent_power_for_a_cluster_design() -> None:
    rng = np.random.default_rng(54)
    # cluster_stats: clusters of ~20 customers, cluster sd 1, customer sd 4: ICC = 1/17
    plan = power_plan(20.0, math.sqrt(17.0), effect_abs=1.0, cluster_size=20.0, icc=1 / 17)
    clusters = math.ceil(plan.n_per_arm / 20)
    e = ratio_effect(cluster_stats(rng, 5000, clusters, 20.0), cluster_stats(rng, 5000, clusters, 20.0, effect=1.0))
    power = float(np.mean(e.p_value < 0.05))
    print(f"simulated power with {clusters} clusters per arm (cluster design): {power:.4f}")
    assert 0.77 <= power <= 0.83
