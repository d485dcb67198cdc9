"""Verdict rules in plain words: proven, harmful, inconclusive, not proven yet, blocked; guardrails; targets."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target
from cxscale.documents.readout import ReadoutDocument
from cxscale.measure import verdict
from cxscale.measure.comparisons import Comparison, judge_comparisons
from cxscale.metrics import builtin_catalog
from cxscale.stats import MeanStats, mean_effect, sequential_effect
from cxscale.stats.models import Effect
from tests.contracts import assert_follows

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


# --- Reasons checked against the numbers shown beside them, over simulated readouts -------------------------------

def _batch(rng: np.random.Generator, n: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> MeanStats:
    """Per-arm sums of n normal units, drawn exactly (the mean is normal, the variance scaled chi-square)."""
    m = rng.normal(mean, sd / np.sqrt(n))
    v = sd**2 * rng.chisquare(n - 1) / (n - 1)
    return MeanStats(n=n, sum=n * m, sum_sq=(n - 1) * v + n * m**2)


def _one(batch: Effect, i: int) -> Effect:
    pick = {f.name: getattr(batch, f.name) for f in dataclasses.fields(Effect)}
    for k, v in pick.items():
        if isinstance(v, tuple):
            pick[k] = (float(v[0][i]), float(v[1][i]))
        elif isinstance(v, np.ndarray):
            pick[k] = float(v[i])
    return Effect(**pick)


def _simulated_effects(rng: np.random.Generator, sims: int, sequential: bool = False) -> Effect:
    """A batch of readouts of a metric with control mean 10: 3 to 300 units per arm, noisy to precise, true lifts
    around 0 (some control means are not distinguishable from 0, so some relative CIs are unbounded)."""
    n = rng.choice([3, 5, 10, 30, 100, 300], sims).astype(float)
    sd = rng.choice([1.0, 5.0, 20.0, 60.0], sims)
    lift = rng.normal(0.0, 0.15, sims)
    c, t = _batch(rng, n, np.full(sims, 10.0), sd), _batch(rng, n, 10 * (1 + lift), sd)
    return sequential_effect(c, t) if sequential else mean_effect(c, t)


CLAIMS = ("lies entirely on the bad side of 0", "excludes 0 on the good side", "holds 0", "holds both 0 and the target",
          "rules out the target", "any effect is smaller than the target", "lies short of the target",
          "holds the target", "the whole CI reaches the target", "there is no target", "is not below")


def _claims(row: Comparison, m, alpha: float) -> list[str]:
    """Check every claim the reason makes against the interval on the scale it names; return the claims found. `m`:
    the result of judging `row` (the spec's target comes from the row: a secondary's is not in the document)."""
    e, r = m, m.reason
    lower = m.direction == "lower"
    found = []
    target = row.ref.target
    named = "relative" if "the relative CI" in r else "absolute" if "the absolute CI" in r else None
    # a reason that names no scale speaks of the target's (the relative one without a target)
    scale = named or ("absolute" if target is not None and target.absolute is not None else "relative")
    lo, hi = e.ci_rel if scale == "relative" else e.ci_abs
    good = hi < 0 if lower else lo > 0
    bad = lo > 0 if lower else hi < 0
    value = None if target is None else (target.relative if scale == "relative" else target.absolute)
    if target is not None and value is None:  # only when the control level is not positive
        assert "there is no target" not in r and scale == "absolute" and not e.control > 0, r
    checks = {
        # each phrase a reason may use, and what must then be true of the numbers
        "lies entirely on the bad side of 0": lambda: bad,
        "excludes 0 on the good side": lambda: good,
        "holds 0": lambda: lo <= 0 <= hi,
        "holds both 0 and the target": lambda: lo <= 0 <= hi and lo <= value <= hi,
        "rules out the target": lambda: not lo <= value <= hi,
        "any effect is smaller than the target": lambda: (value < lo) if lower else (value > hi),
        "lies short of the target": lambda: (lo > value) if lower else (hi < value),
        "holds the target": lambda: lo <= value <= hi,
        "the whole CI reaches the target": lambda: (hi <= value) if lower else (lo >= value),
        "there is no target": lambda: target is None,
        "is not below": lambda: m.p_value_adjusted >= alpha,
    }
    assert set(checks) == set(CLAIMS)
    for phrase, holds in checks.items():
        if phrase in r:
            assert holds(), f"{m.verdict}: {r!r} but {scale} CI = ({lo}, {hi}), target {value}, p_adj " \
                            f"{m.p_value_adjusted}"
            found.append(phrase)
    return found if named else []


SPECS = [PilotSpec(pilot="sim", primary=MetricRef(metric="cost_to_serve", target=primary), guardrails=[
    MetricRef(metric="csat_mean")], secondary=[MetricRef(metric="csat_mean"),
                                               MetricRef(metric="cost_to_serve", target=Target(absolute=-0.5))])
         for primary in (Target(relative=-0.05), Target(relative=-0.3), Target(absolute=-1.0), Target(relative=0.1))]


@pytest.mark.parametrize("sequential", [False, True])
def test_every_reason_is_true_of_the_interval_shown_beside_it(sequential: bool) -> None:
    rng = np.random.default_rng(18 + sequential)
    sims = 2000 if not sequential else 500
    batches = {k: _simulated_effects(rng, sims, sequential) for k in ("primary", "guardrail", "cost2", "csat2")}
    srm = rng.random(sims) > 0.03
    complete = rng.random(sims) > 0.1
    kinds: Counter = Counter()
    said: Counter = Counter()
    for i in range(sims):
        spec = SPECS[i % len(SPECS)]
        effects = {k: _one(b, i) for k, b in batches.items()}
        # csat is higher-is-better: flip the simulated effects' meaning by using them as they are (both directions
        # occur), costs are lower-is-better
        refs = [("primary", spec.primary, COST, "primary"), ("guardrail", spec.guardrails[0], CSAT, "guardrail"),
                ("secondary", spec.secondary[0], CSAT, "csat2"), ("secondary", spec.secondary[1], COST, "cost2")]
        rows = [Comparison(role, ref, metric, "treatment", effects[k], 100, 100, effects[k].control,
                           effects[k].treatment) for role, ref, metric, k in refs]
        out = judge_comparisons(rows, spec, srm_ok=bool(srm[i]), window_complete=bool(complete[i]))
        breached = [g.name for g in out if g.role == "guardrail" and g.guardrail_status == "breached"]
        for row, m in zip(rows, out, strict=True):
            if m.role == "guardrail":
                continue
            e, p_adj, v = m, m.p_value_adjusted, m.verdict
            good_abs = e.ci_abs[1] < 0 if m.direction == "lower" else e.ci_abs[0] > 0
            kinds[(m.role, v)] += 1
            claims = _claims(row, m, 0.05)
            said.update(claims)
            if not srm[i]:
                assert v == "blocked"
                continue
            wins = p_adj < 0.05 and good_abs and not (m.role == "primary" and breached)
            assert (v == "proven") == wins, f"{v}: {m.reason} (p_adj {p_adj}, CI {e.ci_abs}, breached {breached})"
            if v == "proven":
                assert "excludes 0 on the good side" in claims and f"< {0.05:g}" in m.reason
            if v == "harmful":
                assert "lies entirely on the bad side of 0" in claims or (
                    m.role == "primary" and breached and m.reason == "guardrail breached: " + ", ".join(breached))
            if v == "inconclusive":
                assert "holds 0" in claims or "holds both 0 and the target" in claims
            if v == "not proven yet" and complete[i]:
                assert claims, m.reason  # every sentence says something checkable about the interval shown
            if "too early" in m.reason:
                assert not complete[i]
    print(dict(kinds), dict(said))
    # the simulation reaches every branch and every kind of sentence
    assert set(said) == set(CLAIMS) and min(said.values()) >= 3, said
    for role in ("primary", "secondary"):
        for v in ("proven", "harmful", "inconclusive", "not proven yet"):
            assert kinds[(role, v)] >= 10, (role, v, kinds)


# --- Designs that cannot reach alpha: one treated site, one unit in an arm ------------------------------------------

def test_rollout_with_one_treated_site_is_inconclusive_by_design(tmp_path):
    from cxscale.measure.run import measure_spec
    from cxscale.simulate.run import simulate

    simulate(out=tmp_path, customers=3000, seed=5)
    r = measure_spec(tmp_path / "pilots" / "callback_rollout.yaml")  # 1 treated site of 9
    primary = r.primary[0]
    assert primary.treated_clusters == 1
    assert r.verdict == primary.verdict == "inconclusive by design"
    assert "one treated site" in primary.reason and "alpha 0.05" in primary.reason
    assert r.reason.startswith(primary.reason)
    guardrails = [m for m in r.metrics if m.role == "guardrail"]
    assert guardrails and all(g.guardrail_status == "watch" and "one treated site" in g.reason for g in guardrails)
    assert_follows(ReadoutDocument, r.to_json())


def test_pilot_with_one_unit_in_an_arm_says_there_are_too_few_units(tmp_path, duckdb_con):
    from cxscale.data import open_data
    from cxscale.measure.readout import readout
    from tests.measure.world import write_world

    root = write_world(tmp_path, n_customers=60, seed=3, unit="site", n_sites=3)  # sites: control 2, treatment 1
    spec = PilotSpec(pilot="p1", unit="site", primary=MetricRef(metric="cost_to_serve", target=Target(relative=-0.05)),
                     guardrails=[MetricRef(metric="csat_mean")], secondary=[MetricRef(metric="aht")])
    r = readout(spec, open_data(root, engine=duckdb_con, validate=False))
    assert r.n == {"control": 2, "treatment": 1} and r.srm_ok
    assert r.verdict == "inconclusive by design"
    for m in r.metrics:
        assert "too few units to estimate a variance" in m.reason and "treatment has 1 unit" in m.reason
        assert m.verdict == ("watch" if m.role == "guardrail" else "inconclusive by design")
    assert any("treatment" in w and "1 unit" in w and "too few units to estimate a variance" in w
               for w in r.warnings)
    assert_follows(ReadoutDocument, r.to_json())


def test_the_terminal_readout_of_a_one_unit_arm_shows_no_nan(tmp_path):
    """The table says n/a where no variance exists, and the warning names the arm; never a bare nan."""
    from typer.testing import CliRunner

    from cxscale.cli import app
    from cxscale.documents.pilot_spec import dump_spec
    from tests.measure.world import write_world

    root = write_world(tmp_path, n_customers=60, seed=3, unit="site", n_sites=3)
    spec = PilotSpec(pilot="p1", unit="site", primary=MetricRef(metric="cost_to_serve", target=Target(relative=-0.05)),
                     secondary=[MetricRef(metric="aht")])
    dump_spec(spec, tmp_path / "p1.yaml")
    res = CliRunner().invoke(app, ["measure", str(tmp_path / "p1.yaml"), "--data", str(root)], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    assert "nan" not in res.stdout.lower().replace("n/a", "")
    assert "inconclusive by design" in res.stdout and "too few units to estimate a variance" in res.stdout
