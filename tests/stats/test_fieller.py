"""The relative interval (Fieller) agrees with the absolute test, covers the true lift and rejects A/A at alpha.

Tolerances as in tests/stats/pilots.py: coverage over 5,000 pilots in 93.5-96.5%, A/A rate over 10,000 in 4-6%.
"Agrees" is exact: over every simulated readout the relative CI excludes 0 exactly when the absolute test rejects.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from pydantic import TypeAdapter

from cxscale.cli._app import relative_interval
from cxscale.documents.base import Num
from cxscale.stats import (
    CupedStats,
    Effect,
    MeanStats,
    cuped_effect,
    mean_effect,
    proportion_effect,
    ratio_effect,
    sequential_effect,
)
from tests.stats.pilots import cuped_stats, mean_stats, proportion_stats, ratio_stats, skewed


def _heavy_cuped(rng: np.random.Generator, sims: int, n: int, lift: float = 0.0) -> CupedStats:
    """Heavy-tailed cost (lognormal sigma 1.5, mean about 30) with a pre-period cost correlated with it."""
    x = rng.lognormal(0.0, 1.5, (sims, n)) * 10
    y = (0.6 * x + rng.lognormal(0.0, 1.5, (sims, n)) * 5) * (1 + lift)
    return cuped_stats(x, y)


HEAVY_MEAN = (0.6 * 10 + 5) * math.exp(1.5**2 / 2)  # E[y] in the control arm


def _rejects(e: Effect) -> np.ndarray:
    return np.asarray(e.p_value) < e.alpha


def _rel_excludes_zero(e: Effect) -> np.ndarray:
    lo, hi = np.asarray(e.ci_rel[0]), np.asarray(e.ci_rel[1])
    return (lo > 0) | (hi < 0)


def _rel_covers(e: Effect, lift: float) -> float:
    return float(np.mean((np.asarray(e.ci_rel[0]) <= lift) & (lift <= np.asarray(e.ci_rel[1]))))


def _aa_and_planted(rng: np.random.Generator, make, sims: int, lift: float) -> tuple[Effect, Effect]:
    return make(rng, sims, 0.0), make(rng, sims, lift)


KINDS = {
    # name: (builder of (control, treatment) stats for a lift, estimator, planted lift)
    "cuped heavy-tailed cost, 300/arm": (
        lambda rng, s, lift: (_heavy_cuped(rng, s, 300), _heavy_cuped(rng, s, 300, lift)), cuped_effect, 0.15),
    "means, skewed, 400/arm": (
        lambda rng, s, lift: (mean_stats(skewed(rng, s, 400, 10.0)), mean_stats(skewed(rng, s, 400, 10 * (1 + lift)))),
        mean_effect, 0.12),
    "ratio, handle seconds per contact, 300/arm": (
        lambda rng, s, lift: (ratio_stats(rng, s, 300, 1.5, 400.0), ratio_stats(rng, s, 300, 1.5, 400 * (1 + lift))),
        ratio_effect, 0.09),
    "proportions, 3,000/arm": (
        lambda rng, s, lift: (proportion_stats(rng, s, 3000, 0.1), proportion_stats(rng, s, 3000, 0.1 * (1 + lift))),
        proportion_effect, 0.15),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_relative_ci_excludes_zero_exactly_when_the_absolute_test_rejects(kind: str) -> None:
    make, estimator, lift = KINDS[kind]
    rng = np.random.default_rng(sum(map(ord, kind)))
    aa = estimator(*make(rng, 10_000, 0.0))
    planted = estimator(*make(rng, 5_000, lift))
    for e in (aa, planted):
        assert np.array_equal(_rel_excludes_zero(e), _rejects(e)), kind
        # and on the same side: the lift's sign is the effect's (control means are positive here)
        lo = np.asarray(e.ci_rel[0])
        assert np.array_equal(lo > 0, np.asarray(e.ci_abs[0]) > 0)
    aa_rate = float(np.mean(_rel_excludes_zero(aa)))
    coverage = _rel_covers(planted, lift)
    power = float(np.mean(_rejects(planted)))
    print(f"{kind}: relative CI A/A rejection {aa_rate:.4f}, coverage {coverage:.4f}, power {power:.2f}")
    assert 0.04 <= aa_rate <= 0.06
    assert 0.935 <= coverage <= 0.965
    assert 0.2 < power < 0.95  # planted lifts near the detection limit: many readouts close to the boundary


def test_sequential_relative_ci_agrees_with_the_always_valid_p_value() -> None:
    rng = np.random.default_rng(7)
    c, t = _heavy_cuped(rng, 5_000, 300), _heavy_cuped(rng, 5_000, 300, 0.2)
    e = sequential_effect(c, t, planned_n_per_arm=600)
    assert np.array_equal(_rel_excludes_zero(e), _rejects(e))
    assert 0.1 < float(np.mean(_rejects(e))) < 0.9
    assert _rel_covers(e, 0.2) >= 0.95  # a confidence sequence is conservative at a single look


def test_relative_interval_contains_the_lift_and_nears_the_delta_method_for_a_precise_control() -> None:
    rng = np.random.default_rng(3)
    e = mean_effect(mean_stats(skewed(rng, 1, 200_000, 10.0)), mean_stats(skewed(rng, 1, 200_000, 10.3)))
    lo, hi = float(e.ci_rel[0][0]), float(e.ci_rel[1][0])
    rel, se_rel = float(e.effect_rel[0]), float(e.se_rel[0])
    assert lo < rel < hi
    assert (lo, hi) == pytest.approx((rel - 1.96 * se_rel, rel + 1.96 * se_rel), rel=2e-3)


def test_a_control_mean_indistinguishable_from_zero_gives_an_unbounded_relative_interval() -> None:
    # control mean 0.5 with sd 10 over 20 units: not distinguishable from 0, so any lift is compatible with the data
    c = MeanStats(20, 10.0, 2000.0)
    flat = mean_effect(c, MeanStats(20, 12.0, 2000.0))  # effect not significant: every lift is possible
    assert flat.p_value > 0.05 and flat.ci_rel == (-math.inf, math.inf)
    up = mean_effect(c, MeanStats(20, 400.0, 10_000.0))  # effect significantly positive: a ray above a positive bound
    assert up.p_value < 0.05
    assert 0 < up.ci_rel[0] <= up.effect_rel and up.ci_rel[1] == math.inf
    down = mean_effect(MeanStats(20, 10.0, 2000.0), MeanStats(20, -400.0, 10_000.0))
    assert down.ci_rel[0] == -math.inf and down.effect_rel <= down.ci_rel[1] < 0
    # JSON carries the missing side as null (the readout document's serializer), and the CLI says the interval is
    # unbounded
    as_json = json.loads(TypeAdapter(list[Num]).dump_json(list(up.ci_rel)))
    assert as_json == [up.ci_rel[0], None]
    assert "unbounded" in relative_interval(up.ci_rel) and "unbounded" in relative_interval(as_json)
    assert relative_interval(flat.ci_rel) == "unbounded" and relative_interval(down.ci_rel).startswith("[unbounded, ")
    assert relative_interval((math.nan, math.nan)) == relative_interval((None, None)) == "[n/a, n/a]"
    assert relative_interval((-0.069, 0.019)) == "[-6.9, +1.9]"


def test_missing_statistics_stay_nan_not_unbounded() -> None:
    e = mean_effect(MeanStats(1, 3.0, 9.0), MeanStats(5, 10.0, 30.0))
    assert all(math.isnan(v) for v in e.ci_rel)
