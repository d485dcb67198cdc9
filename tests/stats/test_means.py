"""Welch means and two-proportion tests: exact agreement with scipy/statsmodels, A/A false-positive rate, coverage."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxscale.stats import MeanStats, mean_effect, proportion_effect
from tests.stats.pilots import covered, mean_stats, proportion_stats, skewed


def _stats(v: np.ndarray) -> MeanStats:
    return MeanStats(n=len(v), sum=float(v.sum()), sum_sq=float((v**2).sum()))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_welch_matches_scipy_statsmodels_and_ols(seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = rng.lognormal(1.0, 0.7, size=300 + 50 * seed)
    t = rng.lognormal(1.1, 0.9, size=410)
    e = mean_effect(_stats(c), _stats(t), alpha=0.1)
    ref = sps.ttest_ind(t, c, equal_var=False)
    assert e.p_value == pytest.approx(ref.pvalue, abs=1e-9)
    assert e.df == pytest.approx(ref.df, rel=1e-9)
    lo, hi = CompareMeans(DescrStatsW(t), DescrStatsW(c)).tconfint_diff(alpha=0.1, usevar="unequal")
    assert e.ci_abs == pytest.approx((lo, hi), abs=1e-6)
    x = sm.add_constant(np.r_[np.zeros(len(c)), np.ones(len(t))])
    fit = sm.OLS(np.r_[c, t], x).fit(cov_type="HC1")
    assert e.effect_abs == pytest.approx(fit.params[1], abs=1e-6)
    assert e.effect_rel == pytest.approx(t.mean() / c.mean() - 1, abs=1e-12)


def test_proportion_matches_statsmodels_wald() -> None:
    c, t = MeanStats(2000, 240, 240), MeanStats(2100, 300, 300)
    e = proportion_effect(c, t)
    ref = sm_proportion.test_proportions_2indep(300, 2100, 240, 2000, method="wald", compare="diff")
    lo, hi = sm_proportion.confint_proportions_2indep(300, 2100, 240, 2000, method="wald", compare="diff")
    assert e.p_value == pytest.approx(ref.pvalue, abs=1e-9)
    assert e.ci_abs == pytest.approx((lo, hi), abs=1e-9)
    assert e.effect_abs == pytest.approx(300 / 2100 - 240 / 2000, abs=1e-12)


def test_degenerate_inputs_give_nan_not_errors() -> None:
    e = mean_effect(MeanStats(1, 3.0, 9.0), MeanStats(5, 10.0, 30.0))
    assert np.isnan(e.p_value) and np.isnan(e.se_abs)
    with pytest.raises(ValueError, match="alpha"):
        mean_effect(MeanStats(5, 1.0, 1.0), MeanStats(5, 1.0, 1.0), alpha=1.5)


def test_aa_false_positive_rate_is_five_percent() -> None:
    # 10,000 A/A pilots: binomial sd of the rate is 0.22 points; 4-6% is +-4.6 sd (see tests/stats/pilots.py).
    rng = np.random.default_rng(20261124)
    sims, n = 10_000, 400
    e = mean_effect(mean_stats(skewed(rng, sims, n, 300.0)), mean_stats(skewed(rng, sims, n, 300.0)))
    fpr = float(np.mean(e.p_value < 0.05))
    print(f"A/A fixed-horizon Welch false-positive rate: {fpr:.4f}")
    assert 0.04 <= fpr <= 0.06
    # the interval and the p-value agree: CI excludes 0 exactly when p < alpha
    excludes = (e.ci_abs[0] > 0) | (e.ci_abs[1] < 0)
    assert np.array_equal(excludes, e.p_value < 0.05)


def test_aa_proportion_false_positive_rate_is_five_percent() -> None:
    rng = np.random.default_rng(7)
    sims = 10_000
    e = proportion_effect(proportion_stats(rng, sims, 3000, 0.12), proportion_stats(rng, sims, 3000, 0.12))
    fpr = float(np.mean(e.p_value < 0.05))
    print(f"A/A proportion false-positive rate: {fpr:.4f}")
    assert 0.04 <= fpr <= 0.06


def test_mean_intervals_cover_the_planted_effect_95_percent() -> None:
    # 5,000 pilots: binomial sd 0.31 points, band +-1.5 points = 4.9 sd (see tests/stats/pilots.py).
    rng = np.random.default_rng(11)
    sims, n, base, lift = 5000, 500, 300.0, 0.04
    e = mean_effect(mean_stats(skewed(rng, sims, n, base)), mean_stats(skewed(rng, sims, n, base * (1 + lift))))
    cov_abs = float(np.mean(covered(e, base * lift)))
    cov_rel = float(np.mean((e.ci_rel[0] <= lift) & (lift <= e.ci_rel[1])))
    print(f"mean coverage abs {cov_abs:.4f} rel {cov_rel:.4f}")
    assert 0.935 <= cov_abs <= 0.965
    assert 0.935 <= cov_rel <= 0.965


def test_proportion_intervals_cover_the_planted_effect_95_percent() -> None:
    rng = np.random.default_rng(12)
    sims, n, p, d = 5000, 2500, 0.2, 0.015
    e = proportion_effect(proportion_stats(rng, sims, n, p), proportion_stats(rng, sims, n, p + d))
    cov_abs = float(np.mean(covered(e, d)))
    cov_rel = float(np.mean((e.ci_rel[0] <= d / p) & (d / p <= e.ci_rel[1])))
    print(f"proportion coverage abs {cov_abs:.4f} rel {cov_rel:.4f}")
    assert 0.935 <= cov_abs <= 0.965
    assert 0.935 <= cov_rel <= 0.965
