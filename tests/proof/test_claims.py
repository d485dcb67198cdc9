"""Claim-check holds sales copy against a proof point: each kind of overstatement is rejected with its reason, the
generated claims are accepted. The numbers come from the proof point of the simulated agent-assist pilot."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.proof import check_claims
from cxscale.proof.claims import KINDS

runner = CliRunner()


def _one(text: str, proof):  # type: ignore[no-untyped-def]
    verdicts = check_claims(text, proof)
    assert len(verdicts) == 1, verdicts
    return verdicts[0]


def _primary(proof):  # type: ignore[no-untyped-def]
    return proof.readout.primary[0]


def test_the_generated_claims_are_accepted_and_say_the_readouts_numbers(world):
    p = world.proof
    m = _primary(p)
    assert p.claims[0].text.startswith(f"cut handle time by {abs(m.effect_rel):.0%} (95% CI ")
    assert f"across {m.n_treatment:,} agents over 8 weeks, worth " in p.claims[0].text
    assert p.claims[0].money == pytest.approx(world.readout.value.annual, rel=1e-9)
    for verdict in check_claims("\n".join(c.text for c in p.claims), p):
        assert verdict.ok, verdict


def test_a_number_outside_the_interval_is_rejected(world):
    lo, hi = sorted(-x for x in _primary(world.proof).ci_rel)
    v = _one(f"Our assistant cut handle time by {hi * 100 + 5:.0f}%.", world.proof)
    assert (v.ok, v.kind) == (False, "outside_interval")
    assert "is outside the interval of handle time" in v.reason


def test_the_upper_bound_quoted_as_the_effect_is_rejected(world):
    m = _primary(world.proof)
    far = max(-x for x in m.ci_rel)
    v = _one(f"Handle time down by up to {far * 100:.0f}%.", world.proof)
    assert (v.ok, v.kind) == (False, "upper_bound")
    assert f"the estimate is {abs(m.effect_rel):.0%}" in v.reason


def test_a_segment_result_generalised_to_all_is_rejected_and_accepted_when_it_names_its_segment(world):
    p = world.proof
    lo, hi = sorted(-x for x in _primary(p).ci_rel)
    seg, e = next((s, e) for s in p.segments for e in s.effects
                  if not lo - 0.01 <= -e.effect_rel <= hi + 0.01 and e.ci_rel[1] < 0)
    v = _one(f"The assistant cuts handle time by {-e.effect_rel * 100:.1f}%.", p)
    assert (v.ok, v.kind) == (False, "segment_generalised")
    assert f"where {seg.column} is {e.label} only" in v.reason
    named = _one(f"In {e.label} contacts the assistant cut handle time by {-e.effect_rel * 100:.1f}%.", p)
    assert named.ok, named


def test_a_relative_effect_on_the_wrong_base_is_rejected(world):
    m = _primary(world.proof)
    of_treatment = abs(m.effect_abs / m.treatment)
    v = _one(f"Handle time fell by {of_treatment * 100:.1f}%.", world.proof)
    assert (v.ok, v.kind) == (False, "wrong_base")
    assert "relative to the treatment level" in v.reason


def test_a_secondary_metric_presented_as_primary_is_rejected(world):
    v = _one("The assistant raised first-contact resolution by 11%.", world.proof)
    assert (v.ok, v.kind) == (False, "secondary_as_primary")
    assert "is a secondary metric of this pilot, not its primary (handle time)" in v.reason


def test_money_without_its_interval_is_rejected(world):
    value = world.proof.readout.value
    v = _one(f"It saves {value.annual / 1000:.1f}k EUR a year.", world.proof)
    assert (v.ok, v.kind) == (False, "money_without_interval")
    assert "quote both" in v.reason
    outside = _one(f"It saves {value.ci[1] * 2 / 1000:.0f}k EUR a year (95% CI 10k to 30k EUR).", world.proof)
    assert (outside.ok, outside.kind) == (False, "money_without_interval")


def test_a_stated_interval_and_unit_count_must_be_the_evidences(world):
    m = _primary(world.proof)
    est = abs(m.effect_rel) * 100
    v = _one(f"cut handle time by {est:.0f}% (95% CI 1-40%).", world.proof)
    assert (v.ok, v.kind) == (False, "interval_mismatch")
    units = _one(f"cut handle time by {est:.0f}% across 5,000 agents.", world.proof)
    assert (units.ok, units.kind) == (False, "units")


def test_claim_check_cli_exits_1_on_overstatement_and_0_on_the_claims(world, tmp_path):
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(world.proof.to_json()))
    copy = tmp_path / "brochure.txt"
    copy.write_text(world.proof.claims[0].text + "\nIt cuts handle time by 60%.\n")
    bad = runner.invoke(app, ["proof", "claim-check", str(copy), "--proof", str(proof), "--json"])
    assert bad.exit_code == 1, bad.output
    found = json.loads(bad.output)
    assert [v["ok"] for v in found] == [True, False] and found[1]["kind"] in KINDS
    good = runner.invoke(app, ["proof", "claim-check", world.proof.claims[0].text, "--proof", str(proof)])
    assert good.exit_code == 0, good.output
