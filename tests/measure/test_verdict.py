"""Verdict rules in plain words: proven, harmful, inconclusive, not proven yet, blocked; guardrails; targets."""

from __future__ import annotations

from cxscale.measure import verdict
from cxscale.measure.spec import Target
from cxscale.metrics import builtin_catalog
from cxscale.stats.models import Effect

COST = builtin_catalog().get("cost_to_serve")  # lower is better
CSAT = builtin_catalog().get("csat_mean")  # higher is better


def _effect(d: float, lo: float, hi: float, c: float = 10.0) -> Effect:
    return Effect(c, c + d, d, (lo, hi), d / c, (lo / c, hi / c), 0.5, 0.1, "welch")


def _judge(e: Effect, p: float, target=Target(relative=-0.05), **kw):
    kw = {"srm_ok": True, "window_complete": True} | kw
    return verdict.judge(COST, e, p, 0.05, target, **kw).verdict


def test_significant_reduction_of_a_cost_is_proven():
    assert _judge(_effect(-1.0, -1.5, -0.5), 0.001) == "proven"


def test_significant_increase_of_a_cost_is_harmful():
    assert _judge(_effect(1.0, 0.5, 1.5), 0.001) == "harmful"


def test_failed_sample_ratio_check_blocks_even_a_clear_win():
    assert _judge(_effect(-1.0, -1.5, -0.5), 0.001, srm_ok=False) == "blocked"


def test_breached_guardrail_makes_a_winning_primary_harmful():
    assert _judge(_effect(-1.0, -1.5, -0.5), 0.001, breached=["csat_mean"]) == "harmful"


def test_ci_holding_zero_and_target_is_inconclusive():
    assert _judge(_effect(-0.2, -1.0, 0.6), 0.6) == "inconclusive"


def test_ci_holding_zero_but_ruling_out_the_target_is_not_proven_yet():
    assert _judge(_effect(-0.05, -0.3, 0.2), 0.7) == "not proven yet"


def test_too_early_readout_is_not_proven_yet():
    assert _judge(_effect(-0.2, -1.0, 0.6), 0.6, window_complete=False) == "not proven yet"


def test_significant_win_that_fails_the_correction_is_not_proven():
    assert _judge(_effect(-1.0, -1.5, -0.1), 0.09) != "proven"


def test_target_reached_uses_the_point_estimate_and_reports_the_ci_bound_too():
    reached, reached_ci = verdict.target_reached(COST, _effect(-0.8, -1.2, -0.4), Target(relative=-0.05))
    assert reached is True and reached_ci is False  # -8% estimate, CI bound -4%
    assert verdict.target_reached(COST, _effect(-0.3, -0.5, -0.1), Target(relative=-0.05)) == (False, False)
    assert verdict.target_reached(CSAT, _effect(0.6, 0.55, 0.7), Target(absolute=0.5)) == (True, True)


def test_guardrail_is_breached_only_by_significant_harm_beyond_the_tolerance():
    harm = _effect(-0.5, -0.8, -0.2)  # csat down, significant
    assert verdict.guardrail_status(CSAT, harm, None).verdict == "breached"
    assert verdict.guardrail_status(CSAT, harm, Target(absolute=-1.0)).verdict == "watch"
    assert verdict.guardrail_status(CSAT, harm, Target(absolute=-0.1)).verdict == "breached"
    assert verdict.guardrail_status(CSAT, _effect(-0.1, -0.4, 0.2), None).verdict == "watch"
    assert verdict.guardrail_status(CSAT, _effect(0.1, -0.2, 0.4), None).verdict == "ok"


def test_missing_estimate_is_never_ok_nor_proven():
    nan = float("nan")
    e = Effect(3.0, nan, nan, (nan, nan), nan, (nan, nan), nan, nan, "delta")
    assert verdict.guardrail_status(CSAT, e, None).verdict == "watch"
    assert verdict.judge(CSAT, e, nan, 0.05, None, srm_ok=True, window_complete=True).verdict == "not proven yet"
