"""CUPED: the estimate equals OLS with the covariate; classic SE equals OLS; robust SE tracks HC2; coverage."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxscale.stats import CupedStats, cuped_effect, cuped_theta, mean_effect
from tests.stats.pilots import covered, cuped_arrays, cuped_stats, mean_stats


def _stats(x: np.ndarray, y: np.ndarray) -> CupedStats:
    return CupedStats(len(x), float(y.sum()), float((y**2).sum()), float(x.sum()), float((x**2).sum()),
                      float((x * y).sum()))


@pytest.mark.parametrize(("nc", "nt", "sd_t"), [(500, 500, 1.3), (300, 900, 3.0), (2000, 1000, 2.0)])
def test_cuped_equals_ols_with_centred_covariate(nc: int, nt: int, sd_t: float) -> None:
    rng = np.random.default_rng(nc + nt)
    xc, xt = rng.gamma(2, 1.5, nc), rng.gamma(2, 1.5, nt)
    yc = 2 + 0.8 * xc + rng.normal(0, 1.3, nc)
    yt = 2.3 + 0.8 * xt + rng.normal(0, sd_t, nt)
    x = np.r_[xc, xt]
    design = np.column_stack([np.ones(nc + nt), np.r_[np.zeros(nc), np.ones(nt)], x - x.mean()])
    ols = sm.OLS(np.r_[yc, yt], design)
    classic, hc2 = ols.fit(), ols.fit(cov_type="HC2")
    c, t = _stats(xc, yc), _stats(xt, yt)
    e_classic = cuped_effect(c, t, se="classic")
    e_robust = cuped_effect(c, t)
    assert e_robust.effect_abs == pytest.approx(classic.params[1], abs=1e-6)
    assert float(cuped_theta(c, t)) == pytest.approx(classic.params[2], abs=1e-6)
    assert e_classic.se_abs == pytest.approx(classic.bse[1], abs=1e-6)
    assert e_classic.p_value == pytest.approx(classic.pvalues[1], abs=1e-6)
    assert e_classic.ci_abs == pytest.approx(tuple(classic.conf_int()[1]), abs=1e-6)
    # robust: per-arm residual variances; within 0.5% of HC2 (exact HC needs fourth moments, not in the sums)
    assert e_robust.se_abs == pytest.approx(hc2.bse[1], rel=5e-3)


def test_cuped_narrows_the_interval_by_about_sqrt_one_minus_rho_squared() -> None:
    rng = np.random.default_rng(4)
    xc, yc = cuped_arrays(rng, 1, 20_000)
    xt, yt = cuped_arrays(rng, 1, 20_000, effect=0.1)
    rho = np.corrcoef(np.r_[xc[0], xt[0]], np.r_[yc[0], yt[0]])[0, 1]
    e_cuped = cuped_effect(cuped_stats(xc, yc), cuped_stats(xt, yt))
    e_plain = mean_effect(mean_stats(yc), mean_stats(yt))
    assert float(e_cuped.se_abs[0] / e_plain.se_abs[0]) == pytest.approx(np.sqrt(1 - rho**2), rel=0.02)


def test_cuped_intervals_cover_the_planted_effect_95_percent() -> None:
    # 5,000 pilots: binomial sd 0.31 points, band +-1.5 points = 4.9 sd (see tests/stats/pilots.py).
    rng = np.random.default_rng(31)
    sims, n, effect = 5000, 300, 0.25
    xc, yc = cuped_arrays(rng, sims, n)
    xt, yt = cuped_arrays(rng, sims, n, effect=effect)
    e = cuped_effect(cuped_stats(xc, yc), cuped_stats(xt, yt))
    cov_abs = float(np.mean(covered(e, effect)))
    rel = effect / (2 + 0.8 * 3.0)  # control mean: 2 + 0.8 E[x], E[x] = 2 * 1.5
    cov_rel = float(np.mean((e.ci_rel[0] <= rel) & (rel <= e.ci_rel[1])))
    print(f"CUPED coverage abs {cov_abs:.4f} rel {cov_rel:.4f}")
    assert 0.935 <= cov_abs <= 0.965
    assert 0.935 <= cov_rel <= 0.965


def test_cuped_aa_false_positive_rate_is_five_percent() -> None:
    # 10,000 A/A pilots: sd 0.22 points, band +-1 point = 4.6 sd.
    rng = np.random.default_rng(32)
    sims, n = 10_000, 200
    xc, yc = cuped_arrays(rng, sims, n)
    xt, yt = cuped_arrays(rng, sims, n)
    fpr = float(np.mean(cuped_effect(cuped_stats(xc, yc), cuped_stats(xt, yt)).p_value < 0.05))
    print(f"A/A CUPED false-positive rate: {fpr:.4f}")
    assert 0.04 <= fpr <= 0.06
