"""The synthetic world's planted effects are recovered by `cxscale measure` on its own pilot specs, and its placebo
pilot is not declared proven (ground truth from ground_truth.json)."""

from __future__ import annotations

import json

import pytest

from cxscale.documents.readout import ReadoutDocument
from cxscale.measure.run import measure_spec
from tests.contracts import assert_follows

CUSTOMERS, SEED = 50_000, 42


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("world")
    simulate(out=out, customers=CUSTOMERS, seed=SEED)
    truth = json.loads((out / "ground_truth.json").read_text())
    readouts = {p["pilot"]: measure_spec(out / p["spec"]).to_json() for p in truth["pilots"]}
    return truth, readouts


def _pilots(world, planted: bool):
    truth, readouts = world
    for p in truth["pilots"]:
        primary = readouts[p["pilot"]]["metrics"][0]
        effect = p["true_effects"].get(primary["name"], {}).get("absolute", 0.0)
        if (effect != 0.0) == planted:
            yield p, readouts[p["pilot"]], primary, effect


def test_every_pilot_spec_of_the_world_reads_out(world):
    truth, readouts = world
    assert len(readouts) == len(truth["pilots"]) >= 3
    assert {r["design"] for r in readouts.values()} >= {"randomised", "rollout"}
    for doc in readouts.values():  # customer, site and agent units; randomised and rollout
        assert_follows(ReadoutDocument, doc)


def test_planted_primary_effects_are_significant_and_their_cis_cover_the_truth(world):
    planted = list(_pilots(world, planted=True))
    assert len(planted) >= 3
    for p, doc, primary, effect in planted:
        lo, hi = primary["ci_abs"]
        assert lo <= effect <= hi, (p["pilot"], effect, lo, hi)
        # a rollout to one site cannot reach alpha whatever its data (docs/methods.md, "Designs that cannot ...")
        expected = "inconclusive by design" if primary.get("treated_clusters") == 1 else "proven"
        assert doc["verdict"] == expected, (p["pilot"], doc["verdict"], doc["reason"])


def test_every_true_effect_of_every_metric_is_covered_but_rarely_missed(world):
    truth, readouts = world
    checked = missed = 0
    for p in truth["pilots"]:
        for m in readouts[p["pilot"]]["metrics"]:
            t = p["true_effects"].get(m["name"])
            if t is not None:
                checked += 1
                missed += not (m["ci_abs"][0] <= t["absolute"] <= m["ci_abs"][1])
    assert checked >= 10 and missed <= 1  # 95% intervals: at most one miss in this world


def test_placebo_pilot_is_not_declared_proven(world):
    placebo = list(_pilots(world, planted=False))
    assert placebo, "the world should hold a no-effect pilot"
    for p, doc, _, _ in placebo:
        assert doc["verdict"] != "proven", p["pilot"]


def test_money_of_the_cost_pilot_is_an_annual_saving_with_its_ci(world):
    _, readouts = world
    money = [r["value"] for r in readouts.values() if r["value"] and r["verdict"] == "proven"]
    assert money
    for v in money:
        assert v["currency"] == "EUR" and v["ci"][0] <= v["annual"] <= v["ci"][1] and v["annual"] > 0


def test_rollout_is_read_by_difference_in_differences_without_an_srm_check(world):
    _, readouts = world
    rollouts = [r for r in readouts.values() if r["design"] == "rollout"]
    assert rollouts
    for doc in rollouts:
        assert doc["srm"]["applicable"] is False and doc["srm"]["p_value"] is None
        primary = doc["metrics"][0]
        assert primary["method"].startswith("did") and primary["clusters"] >= 2
        assert "pretrend_p_value" in primary and primary["event_study"]["rel_weeks"]
        assert any("not randomised" in w for w in doc["warnings"])


def test_site_and_agent_randomised_pilots_compute_variance_over_their_units(world):
    truth, readouts = world
    for p in truth["pilots"]:
        doc = readouts[p["pilot"]]
        if doc["design"] == "randomised" and doc["unit"] in ("site", "agent"):
            primary = doc["metrics"][0]
            assert primary["n_control"] + primary["n_treatment"] == sum(p["units"].values())
            assert primary["method"] == "delta"


@pytest.mark.spark
@pytest.mark.slow
def test_rollout_and_site_pilots_read_out_the_same_on_spark(world, tmp_path_factory):
    truth, readouts = world
    out = tmp_path_factory.getbasetemp()
    for p in truth["pilots"]:
        if p["unit"] != "site":
            continue
        spec = next(out.glob(f"world*/{p['spec']}"))
        doc = measure_spec(spec, engine="spark").to_json()
        assert_follows(ReadoutDocument, doc)
        want = readouts[p["pilot"]]
        assert doc["verdict"] == want["verdict"]
        for a, b in zip(doc["metrics"], want["metrics"], strict=True):
            assert a["effect_abs"] == pytest.approx(b["effect_abs"], rel=1e-9, abs=1e-12)
            assert a["ci_abs"] == pytest.approx(b["ci_abs"], rel=1e-9, abs=1e-12)
        if want["value"]:
            assert doc["value"]["annual"] == pytest.approx(want["value"]["annual"], rel=1e-9)
