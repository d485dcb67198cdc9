"""Always-valid inference: peeking every day keeps the false-positive rate at alpha; the fixed-horizon test does not."""

from __future__ import annotations

import numpy as np
import pytest

from cxscale.stats import (
    CupedStats,
    MeanStats,
    RatioStats,
    cuped_effect,
    mean_effect,
    ratio_effect,
    sequential_effect,
)
from cxscale.stats.sequential import optimal_mixture_ratio
from tests.stats.pilots import skewed

DAYS, PER_DAY = 28, 60


def _daily_looks(rng: np.random.Generator, sims: int, mean_c: float, mean_t: float) -> tuple[MeanStats, MeanStats]:
    """Cumulative per-arm sums at the end of each day: fields of shape (sims, DAYS)."""
    arms = []
    for mean in (mean_c, mean_t):
        s = np.zeros((sims, DAYS))
        ss = np.zeros((sims, DAYS))
        for d in range(DAYS):
            v = skewed(rng, sims, PER_DAY, mean)
            s[:, d], ss[:, d] = v.sum(1), (v**2).sum(1)
        n = np.broadcast_to(PER_DAY * np.arange(1, DAYS + 1), (sims, DAYS))
        arms.append(MeanStats(n=n, sum=s.cumsum(1), sum_sq=ss.cumsum(1)))
    return arms[0], arms[1]


def test_peeking_daily_keeps_the_sequential_false_positive_rate_at_five_percent() -> None:
    # 5,000 A/A pilots, 28 daily looks each. The mixture SPRT's rate is ~1.3% here; the bound 5% sits > 20 binomial
    # sd (0.16 points) above it. The fixed-horizon rate peeked daily is ~27%; 10% is > 25 sd (0.63 points) below it.
    rng = np.random.default_rng(41)
    c, t = _daily_looks(rng, 5000, 300.0, 300.0)
    seq = sequential_effect(c, t, alpha=0.05, planned_n_per_arm=DAYS * PER_DAY)
    fixed = mean_effect(c, t, alpha=0.05)
    seq_fpr = float(np.mean((seq.p_value <= 0.05).any(axis=1)))
    fixed_peek_fpr = float(np.mean((fixed.p_value < 0.05).any(axis=1)))
    fixed_final_fpr = float(np.mean(fixed.p_value[:, -1] < 0.05))
    print(f"A/A daily peeking: sequential {seq_fpr:.4f}, fixed-horizon peeked {fixed_peek_fpr:.4f}, "
          f"fixed-horizon at the end only {fixed_final_fpr:.4f}")
    assert seq_fpr <= 0.05
    assert fixed_peek_fpr > 0.10
    # the interval excludes 0 exactly when the always-valid p-value is <= alpha
    excludes = (seq.ci_abs[0] > 0) | (seq.ci_abs[1] < 0)
    assert np.mean(excludes == (seq.p_value <= 0.05)) > 0.9999


def test_confidence_sequence_covers_the_planted_effect_at_every_look() -> None:
    rng = np.random.default_rng(42)
    c, t = _daily_looks(rng, 5000, 300.0, 315.0)
    seq = sequential_effect(c, t, planned_n_per_arm=DAYS * PER_DAY)
    always = float(np.mean(((seq.ci_abs[0] <= 15.0) & (seq.ci_abs[1] >= 15.0)).all(axis=1)))
    print(f"sequential: share of pilots whose interval covered the truth at all 28 looks {always:.4f}")
    assert always >= 0.95


def test_sequential_interval_is_wider_than_fixed_and_narrowest_near_the_planned_size() -> None:
    c, t = MeanStats(1000, 5000.0, 35000.0), MeanStats(1000, 5200.0, 37000.0)
    fixed = mean_effect(c, t)
    widths = {}
    for planned in (100, 1000, 10_000):
        e = sequential_effect(c, t, planned_n_per_arm=planned)
        widths[planned] = e.ci_abs[1] - e.ci_abs[0]
        assert e.effect_abs == pytest.approx(fixed.effect_abs)
        assert widths[planned] > fixed.ci_abs[1] - fixed.ci_abs[0]
    assert widths[1000] < widths[100] and widths[1000] < widths[10_000]


def test_optimal_mixture_ratio_solves_its_fixed_point() -> None:
    r = optimal_mixture_ratio(0.05)
    assert r == pytest.approx(np.log1p(r) + 2 * np.log(20), rel=1e-12)
    assert 8 < r < 8.5


def test_sequential_accepts_ratio_and_cuped_statistics_and_refuses_mixed_kinds() -> None:
    r = RatioStats(200, 3000.0, 60000.0, 400.0, 1000.0, 7000.0)
    r2 = RatioStats(210, 3300.0, 66000.0, 410.0, 1010.0, 7500.0)
    cu = CupedStats(300, 900.0, 3100.0, 600.0, 1400.0, 2000.0)
    cu2 = CupedStats(310, 980.0, 3400.0, 615.0, 1430.0, 2100.0)
    pairs = ((sequential_effect(r, r2), ratio_effect(r, r2)), (sequential_effect(cu, cu2), cuped_effect(cu, cu2)))
    for seq, fixed in pairs:
        assert seq.effect_abs == pytest.approx(fixed.effect_abs)
        assert seq.ci_abs[1] - seq.ci_abs[0] > fixed.ci_abs[1] - fixed.ci_abs[0]
        assert seq.p_value >= fixed.p_value
    with pytest.raises(TypeError, match="same kind"):
        sequential_effect(r, cu)  # type: ignore[arg-type]
