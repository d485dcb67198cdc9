"""Ratio metrics and cluster-randomised designs by the delta method: agreement with cluster-robust OLS, coverage."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxscale.stats import MeanStats, RatioStats, mean_effect, ratio_effect
from tests.stats.pilots import cluster_stats, covered, ratio_stats


def _ratio(num: np.ndarray, den: np.ndarray) -> RatioStats:
    return RatioStats(n=len(num), num_sum=float(num.sum()), num_sum_sq=float((num**2).sum()), den_sum=float(den.sum()),
                      den_sum_sq=float((den**2).sum()), num_den_sum=float((num * den).sum()))


def test_ratio_with_unit_denominators_is_the_welch_mean() -> None:
    rng = np.random.default_rng(3)
    c, t = rng.exponential(5.0, 200), rng.exponential(6.0, 250)
    r = ratio_effect(_ratio(c, np.ones_like(c)), _ratio(t, np.ones_like(t)))
    m = mean_effect(MeanStats(200, c.sum(), (c**2).sum()), MeanStats(250, t.sum(), (t**2).sum()))
    assert r.effect_abs == pytest.approx(m.effect_abs, abs=1e-12)
    assert r.se_abs == pytest.approx(m.se_abs, rel=1e-12)
    assert r.se_rel == pytest.approx(m.se_rel, rel=1e-12)


def test_cluster_ratio_matches_cluster_robust_ols_on_customer_rows() -> None:
    # Customer-level OLS y ~ 1 + treat with CR0 cluster-robust SEs (no small-sample factor) is the delta method
    # without its per-arm n/(n-1): Var_delta = Var_CR0 * n/(n-1) with n clusters per arm.
    rng = np.random.default_rng(5)
    n = 30
    ys, treat, groups, stats = [], [], [], []
    for arm in (0, 1):
        nums, dens = [], []
        for k in range(n):
            m = int(rng.integers(3, 40))
            y = 10 + arm + rng.normal(0, 2) + rng.normal(0, 4, m)
            ys.append(y)
            treat.append(np.full(m, arm))
            groups.append(np.full(m, arm * n + k))
            nums.append(y.sum())
            dens.append(m)
        stats.append(_ratio(np.array(nums), np.array(dens, dtype=float)))
    y, d, g = np.concatenate(ys), np.concatenate(treat), np.concatenate(groups)
    fit = sm.OLS(y, sm.add_constant(d.astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": g, "use_correction": False})
    e = ratio_effect(stats[0], stats[1])
    assert e.effect_abs == pytest.approx(fit.params[1], abs=1e-6)
    assert e.se_abs**2 * (n - 1) / n == pytest.approx(fit.bse[1] ** 2, rel=1e-9)


def test_ratio_intervals_cover_the_planted_effect_95_percent() -> None:
    # 5,000 pilots: binomial sd 0.31 points, band +-1.5 points = 4.9 sd (see tests/stats/pilots.py).
    rng = np.random.default_rng(21)
    sims, n = 5000, 800
    e = ratio_effect(ratio_stats(rng, sims, n, 1.3, 300.0), ratio_stats(rng, sims, n, 1.3, 285.0))
    cov_abs = float(np.mean(covered(e, -15.0)))
    rel = -15.0 / 300.0
    cov_rel = float(np.mean((e.ci_rel[0] <= rel) & (rel <= e.ci_rel[1])))
    print(f"ratio coverage abs {cov_abs:.4f} rel {cov_rel:.4f}")
    assert 0.935 <= cov_abs <= 0.965
    assert 0.935 <= cov_rel <= 0.965


def test_cluster_randomised_intervals_cover_the_planted_effect_95_percent() -> None:
    rng = np.random.default_rng(22)
    sims, clusters = 5000, 60
    e = ratio_effect(cluster_stats(rng, sims, clusters, 20.0), cluster_stats(rng, sims, clusters, 20.0, effect=-0.8))
    cov_abs = float(np.mean(covered(e, -0.8)))
    cov_rel = float(np.mean((e.ci_rel[0] <= -0.04) & (e.ci_rel[1] >= -0.04)))
    print(f"cluster-randomised coverage abs {cov_abs:.4f} rel {cov_rel:.4f}")
    assert 0.935 <= cov_abs <= 0.965
    assert 0.935 <= cov_rel <= 0.965


def test_treating_clustered_customers_as_independent_would_undercover() -> None:
    # The reason cluster designs need the ratio estimator: customer-level Welch ignores the shared cluster shock.
    # Design effect 1 + (m - 1) ICC = 1 + 19/17 = 2.1, so the naive 95% interval covers P(|Z| < 1.96/1.45) = 82%
    # (2,000 pilots: sd 0.9 points; 87% is > 5 sd away).
    rng = np.random.default_rng(23)
    sims, clusters = 2000, 60
    c, t = cluster_stats(rng, sims, clusters, 20.0), cluster_stats(rng, sims, clusters, 20.0)
    naive = []
    for s in (c, t):
        # customer-level sums: sum_sq over customers is not in the cluster sums, so rebuild the naive variance from
        # the true within-cluster (16) plus between-cluster (1) per-customer variance.
        naive.append(MeanStats(n=s.den_sum, sum=s.num_sum, sum_sq=s.num_sum**2 / s.den_sum + 17.0 * (s.den_sum - 1)))
    e_naive = mean_effect(naive[0], naive[1])
    e_cluster = ratio_effect(c, t)
    assert np.mean(covered(e_naive, 0.0)) < 0.87 < 0.93 < np.mean(covered(e_cluster, 0.0))
