"""Property-based checks shared by every estimator: arm order, scale, translation, interval contains the estimate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from cxscale.stats import (
    CupedStats,
    Effect,
    MeanStats,
    RatioStats,
    cuped_effect,
    mean_effect,
    proportion_effect,
    ratio_effect,
    sequential_effect,
)

VALUES = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=40).map(np.array)
POSITIVE = st.lists(st.floats(1.0, 1e3, allow_nan=False), min_size=3, max_size=40).map(np.array)
SCALES = st.floats(0.01, 100.0)


def _mean(v: np.ndarray) -> MeanStats:
    return MeanStats(len(v), float(v.sum()), float((v**2).sum()))


def _ratio(num: np.ndarray, den: np.ndarray) -> RatioStats:
    return RatioStats(len(num), float(num.sum()), float((num**2).sum()), float(den.sum()), float((den**2).sum()),
                      float((num * den).sum()))


def _cuped(x: np.ndarray, y: np.ndarray) -> CupedStats:
    return CupedStats(len(x), float(y.sum()), float((y**2).sum()), float(x.sum()), float((x**2).sum()),
                      float((x * y).sum()))


def _spread(v: np.ndarray) -> bool:
    return bool(np.std(v) > 1e-3 * (1 + np.abs(v).max()))


def _check_interval(e: Effect) -> None:
    assert e.ci_abs[0] <= e.effect_abs <= e.ci_abs[1]
    assert e.ci_rel[0] <= e.effect_rel <= e.ci_rel[1]
    assert e.effect_rel * e.control == pytest.approx(e.effect_abs, rel=1e-9, abs=1e-9)
    assert e.ci_abs[1] - e.effect_abs == pytest.approx(e.effect_abs - e.ci_abs[0], rel=1e-9, abs=1e-9)
    assert 0.0 <= e.p_value <= 1.0


def _check_swap(a: Effect, b: Effect) -> None:
    assert b.effect_abs == pytest.approx(-a.effect_abs, rel=1e-9, abs=1e-9)
    assert b.se_abs == pytest.approx(a.se_abs, rel=1e-6)
    assert b.p_value == pytest.approx(a.p_value, rel=1e-6, abs=1e-12)


@given(VALUES, VALUES)
def test_mean_effect_flips_sign_when_arms_swap(c: np.ndarray, t: np.ndarray) -> None:
    assume(_spread(c) and _spread(t))
    _check_swap(mean_effect(_mean(c), _mean(t)), mean_effect(_mean(t), _mean(c)))


@given(POSITIVE, POSITIVE, SCALES)
def test_mean_effect_scales_with_the_metric_and_keeps_lift_and_p(c: np.ndarray, t: np.ndarray, k: float) -> None:
    assume(_spread(c) and _spread(t))
    a, b = mean_effect(_mean(c), _mean(t)), mean_effect(_mean(k * c), _mean(k * t))
    assert b.effect_abs == pytest.approx(k * a.effect_abs, rel=1e-6, abs=1e-9)
    assert b.ci_abs == pytest.approx((k * a.ci_abs[0], k * a.ci_abs[1]), rel=1e-6, abs=1e-6)
    assert b.effect_rel == pytest.approx(a.effect_rel, rel=1e-6, abs=1e-9)
    assert b.p_value == pytest.approx(a.p_value, rel=1e-5, abs=1e-12)
    _check_interval(a)


@given(VALUES, VALUES, st.floats(-1e3, 1e3))
def test_mean_effect_ignores_a_common_shift(c: np.ndarray, t: np.ndarray, shift: float) -> None:
    assume(_spread(c) and _spread(t))
    a, b = mean_effect(_mean(c), _mean(t)), mean_effect(_mean(c + shift), _mean(t + shift))
    assert b.effect_abs == pytest.approx(a.effect_abs, rel=1e-6, abs=1e-6)
    assert b.se_abs == pytest.approx(a.se_abs, rel=1e-4)


@given(st.integers(50, 10_000), st.integers(50, 10_000), st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_proportion_effect_flips_sign_and_contains_its_estimate(nc: int, nt: int, pc: float, pt: float) -> None:
    kc, kt = round(nc * pc), round(nt * pt)
    assume(0 < kc < nc and 0 < kt < nt)
    a = proportion_effect(MeanStats(nc, kc, kc), MeanStats(nt, kt, kt))
    _check_swap(a, proportion_effect(MeanStats(nt, kt, kt), MeanStats(nc, kc, kc)))
    _check_interval(a)


@given(POSITIVE, POSITIVE, SCALES, st.randoms(use_true_random=False))
@settings(max_examples=60)
def test_ratio_effect_flips_sign_scales_and_contains_its_estimate(c, t, k, rnd) -> None:
    assume(_spread(c) and _spread(t))
    dc = np.array([rnd.randint(1, 5) for _ in c], dtype=float)
    dt = np.array([rnd.randint(1, 5) for _ in t], dtype=float)
    a = ratio_effect(_ratio(c, dc), _ratio(t, dt))
    assume(a.se_abs > 1e-9 * (1 + abs(a.effect_abs)))
    _check_swap(a, ratio_effect(_ratio(t, dt), _ratio(c, dc)))
    b = ratio_effect(_ratio(k * c, dc), _ratio(k * t, dt))
    assert b.effect_abs == pytest.approx(k * a.effect_abs, rel=1e-6, abs=1e-9)
    assert b.effect_rel == pytest.approx(a.effect_rel, rel=1e-6, abs=1e-9)
    _check_interval(a)


@given(POSITIVE, POSITIVE, SCALES, st.integers(0, 2**32 - 1))
@settings(max_examples=60)
def test_cuped_effect_flips_sign_scales_and_contains_its_estimate(c, t, k, seed) -> None:
    assume(_spread(c) and _spread(t))
    rng = np.random.default_rng(seed)
    xc, xt = c * 0.5 + rng.normal(0, 10, len(c)), t * 0.5 + rng.normal(0, 10, len(t))
    a = cuped_effect(_cuped(xc, c), _cuped(xt, t))
    assume(a.se_abs > 1e-6 * (1 + abs(a.effect_abs)))
    _check_swap(a, cuped_effect(_cuped(xt, t), _cuped(xc, c)))
    b = cuped_effect(_cuped(xc, k * c), _cuped(xt, k * t))
    assert b.effect_abs == pytest.approx(k * a.effect_abs, rel=1e-6, abs=1e-6)
    assert b.se_abs == pytest.approx(k * a.se_abs, rel=1e-6)
    _check_interval(a)


@given(POSITIVE, POSITIVE, st.floats(10, 1e5))
def test_sequential_interval_contains_the_estimate_and_is_wider_than_the_z_interval(c, t, planned) -> None:
    assume(_spread(c) and _spread(t))
    s = sequential_effect(_mean(c), _mean(t), planned_n_per_arm=planned)
    _check_interval(s)
    # half-width^2 / se^2 = (1 + 1/r) log((1 + r) / alpha^2) > log(1 / alpha^2) = 5.99 > 1.96^2 for every r
    assert s.ci_abs[1] - s.effect_abs >= 1.96 * s.se_abs


@given(VALUES, VALUES)
def test_welch_p_value_equals_scipy_ttest_ind(c: np.ndarray, t: np.ndarray) -> None:
    assume(_spread(c) and _spread(t))
    e = mean_effect(_mean(c), _mean(t))
    assert e.p_value == pytest.approx(sps.ttest_ind(t, c, equal_var=False).pvalue, abs=1e-9)


@given(POSITIVE, POSITIVE)
def test_relative_interval_is_the_absolute_one_over_a_precisely_known_control(c: np.ndarray, t: np.ndarray) -> None:
    # a control arm 10^8 times larger with the same mean and variance: the lift's interval is the effect's / control
    assume(_spread(c) and _spread(t))
    k = 1e8
    big = MeanStats(len(c) * k, float(c.sum()) * k, float((c**2).sum()) * k)
    e = mean_effect(big, _mean(t))
    assert e.ci_rel == pytest.approx((e.ci_abs[0] / e.control, e.ci_abs[1] / e.control), rel=1e-3, abs=1e-6)
