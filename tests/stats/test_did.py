"""Difference-in-differences and event study: equal statsmodels cluster-robust WLS; small-cluster inference holds
its level where cluster-robust SEs fail; the pre-trend test warns on a violated trend."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from cxscale.stats import did, event_study


def panel(rng: np.random.Generator, units: int, treated: int, periods: int, first_post: int, effect: float,
          trend: float = 0.0, weights: bool = False) -> dict[str, np.ndarray]:
    """Balanced panel: y = unit level + period shock + effect * treated * post + trend * treated * period + noise."""
    u = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(periods), units)
    tr = u < treated
    post = t >= first_post
    y = (rng.normal(0, 3, units)[u] + rng.normal(0, 1, periods)[t] + effect * (tr & post) + trend * tr * t
         + rng.normal(0, 1, units * periods))
    w = rng.integers(20, 200, units * periods).astype(float) if weights else np.ones(units * periods)
    return {"unit": np.array([f"site-{i}" for i in u]), "period": t, "treated": tr, "post": post, "y": y,
            "weights": w}


def _statsmodels_twfe(p: dict[str, np.ndarray], extra: np.ndarray):
    codes = np.unique(p["unit"], return_inverse=True)[1]
    units = np.eye(codes.max() + 1)[codes]
    periods = np.eye(p["period"].max() + 1)[p["period"]][:, 1:]
    x = np.column_stack([extra, units, periods])
    return sm.WLS(p["y"], x, weights=p["weights"]).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)


def test_did_equals_statsmodels_cluster_robust_wls() -> None:
    p = panel(np.random.default_rng(61), units=24, treated=11, periods=10, first_post=6, effect=2.0, weights=True)
    res = did(**p)
    fit = _statsmodels_twfe(p, (p["treated"] & p["post"]).astype(float))
    assert res.estimate_twfe == pytest.approx(fit.params[0], abs=1e-6)
    assert res.se_cluster == pytest.approx(fit.bse[0], abs=1e-6)
    assert res.p_cluster == pytest.approx(fit.pvalues[0], abs=1e-6)
    assert res.ci_cluster == pytest.approx(tuple(fit.conf_int()[0]), abs=1e-6)
    assert not res.few_clusters and res.method == "twfe_cluster" and res.effect == res.estimate_twfe


def test_event_study_equals_statsmodels_and_passes_parallel_trends() -> None:
    p = panel(np.random.default_rng(62), units=24, treated=12, periods=9, first_post=5, effect=1.5)
    res = event_study(**p)
    rel = p["period"] - 5
    ks = [k for k in range(-5, 4) if k != -1]
    fit = _statsmodels_twfe(p, np.column_stack([(p["treated"] & (rel == k)).astype(float) for k in ks]))
    assert res.rel_periods == tuple(ks)
    assert np.allclose(res.coef, fit.params[: len(ks)], atol=1e-6)
    assert np.allclose(res.se, fit.bse[: len(ks)], atol=1e-6)
    leads = [i for i, k in enumerate(ks) if k <= -2]
    wald = fit.wald_test(np.eye(len(fit.params))[leads], use_f=True, scalar=True)
    assert res.pretrend_p == pytest.approx(float(wald.pvalue), abs=1e-6)
    assert res.pretrend_method == "wald_cluster" and res.parallel_trends_ok and not res.warnings


def test_event_study_warns_when_treated_units_already_drifted_before_the_rollout() -> None:
    many = event_study(**panel(np.random.default_rng(63), 24, 12, 9, 5, effect=1.0, trend=0.6))
    assert not many.parallel_trends_ok and "parallel trends" in many.warnings[-1]
    few = event_study(**panel(np.random.default_rng(64), 8, 1, 12, 6, effect=1.0, trend=0.6))
    assert few.pretrend_method == "pre_slope_unit_t"
    assert not few.parallel_trends_ok and "parallel trends" in few.warnings[-1]
    flat = event_study(**panel(np.random.default_rng(65), 8, 1, 12, 6, effect=1.0))
    assert flat.parallel_trends_ok


def test_one_treated_site_of_eight_uses_the_small_cluster_method_and_warns() -> None:
    res = did(**panel(np.random.default_rng(66), units=8, treated=1, periods=12, first_post=6, effect=3.0))
    assert res.few_clusters and res.method == "unit_level_t" and res.effect == res.effect_small
    assert res.p_randomization >= 1 / 8
    assert any("cannot go below 0.125" in w for w in res.warnings)
    # balanced, unweighted panel: the unit-level contrast equals the two-way fixed-effects estimate
    assert res.effect_small == pytest.approx(res.estimate_twfe, abs=1e-9)


@pytest.mark.slow
def test_small_cluster_intervals_hold_coverage_where_cluster_robust_ones_fail() -> None:
    # 5,000 panels of 8 sites, 1 treated: the unit-level t interval is exact under these normal shocks (coverage
    # band 93.5-96.5%: 4.9 binomial sd); the cluster-robust interval is known to undercover badly (< 80% here).
    rng = np.random.default_rng(67)
    small, cluster = [], []
    for _ in range(5000):
        r = did(**panel(rng, units=8, treated=1, periods=8, first_post=4, effect=2.0))
        small.append(r.ci_small[0] <= 2.0 <= r.ci_small[1])
        cluster.append(r.ci_cluster[0] <= 2.0 <= r.ci_cluster[1])
    cov_small, cov_cluster = float(np.mean(small)), float(np.mean(cluster))
    print(f"1 treated of 8 sites: unit-level t coverage {cov_small:.4f}, cluster-robust coverage {cov_cluster:.4f}")
    assert 0.935 <= cov_small <= 0.965
    assert cov_cluster < 0.80


def test_panel_rules_are_enforced_with_the_offending_units() -> None:
    p = panel(np.random.default_rng(68), 6, 2, 6, 3, effect=0.0)
    bad = dict(p, treated=p["treated"] ^ (np.arange(36) == 0))
    with pytest.raises(ValueError, match="site-0"):
        did(**bad)
    staggered = dict(p, post=p["post"] ^ (np.arange(36) == 5))
    with pytest.raises(ValueError, match="same periods"):
        did(**staggered)
    with pytest.raises(ValueError, match="untreated"):
        did(**dict(p, treated=np.ones(36, dtype=bool)))


def test_units_without_pre_rows_are_left_out_of_the_unit_level_method_with_a_warning() -> None:
    p = panel(np.random.default_rng(69), 8, 2, 8, 4, effect=1.0)
    keep = ~((p["unit"] == "site-7") & ~p["post"])
    res = did(**{k: v[keep] for k, v in p.items()})
    assert any("site-7" in w for w in res.warnings)
    assert np.isfinite(res.effect_small) and np.isfinite(res.p_small)


def test_designs_that_cannot_reach_alpha_are_named_with_the_reason() -> None:
    from cxscale.stats import design_limit

    one = design_limit(n_clusters=9, n_treated=1, alpha=0.05, unit="site")
    assert one is not None and "one treated site" in one and "alpha 0.05" in one
    assert "one untreated site" in (design_limit(n_clusters=9, n_treated=8, alpha=0.05, unit="site") or "")
    floor = design_limit(n_clusters=5, n_treated=2, alpha=0.05)  # 1/C(5, 2) = 0.1 > 0.05
    assert floor is not None and "0.1" in floor
    assert design_limit(n_clusters=7, n_treated=2, alpha=0.05) is None  # 1/21 = 0.048 <= 0.05
    assert design_limit(n_clusters=40, n_treated=20, alpha=0.05) is None


def test_one_treated_unit_test_holds_its_level_only_if_its_variance_is_the_others() -> None:
    # Why one treated cluster cannot reach alpha by design: the unit-level t-test estimates the treated unit's
    # variance from the untreated units; if the treated site's change is twice as variable (a bigger or different
    # site, or a noisy rollout) the "5%" test rejects a true null about a quarter of the time, and one treated unit
    # gives no data to check it. 2,000 null panels of 9 sites: sd 0.49 points at 5%, 0.98 at 26%.
    rng = np.random.default_rng(68)
    rejected = {1.0: [], 2.0: []}
    for _ in range(2000):
        for k in rejected:
            p = panel(rng, units=9, treated=1, periods=6, first_post=3, effect=0.0)
            p["y"] = p["y"] + (k - 1) * np.where(p["treated"] & p["post"], rng.normal(0, 1.2), 0.0)
            rejected[k].append(did(**p).p_value < 0.05)
    equal, unequal = (float(np.mean(v)) for v in rejected.values())
    print(f"1 treated of 9 sites, null effect: rejection {equal:.3f} (equal variance), {unequal:.3f} (treated 2x sd)")
    assert 0.03 <= equal <= 0.07
    assert unequal > 0.12
