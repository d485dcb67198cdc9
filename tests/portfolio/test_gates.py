"""The gates of the lifecycle are pure rules over documents (docs/portfolio.md#gates): on the readouts of a real
simulated world (proactive_alerts is proven, ivr_greeting a placebo, callback_rollout inconclusive by design) and
on hand-built documents for the edge cases."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cxscale.documents.base import digest
from cxscale.documents.gate_decision import GateDecision, SignOff
from cxscale.documents.pilot_spec import PilotSpec, load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase
from cxscale.errors import GateError
from cxscale.portfolio import decide, idea_to_pilot, pilot_to_proof, proof_to_scale, recommend, sign_off, stop
from tests.contracts import assert_follows

DOCS = Path(__file__).resolve().parents[2] / "docs" / "portfolio.md"
OWNERS = {"technology": "Ana Souza", "operations": "Bruno Lima", "commercial": "Carla Mendes",
          "executive_sponsor": "Daniel Rocha"}


@pytest.fixture(scope="module")
def world(world_50k):
    from cxscale.measure.run import measure_spec

    pilots = ("proactive_alerts", "ivr_greeting", "callback_rollout")
    readouts = {p: measure_spec(world_50k / "pilots" / f"{p}.yaml") for p in pilots}
    specs = {p: load_spec(world_50k / "pilots" / f"{p}.yaml") for p in pilots}
    return world_50k, specs, readouts


def use_case(spec: PilotSpec, **changes: Any) -> UseCase:
    """A use case of a pilot spec that lints clean: its primary metric, target and window, owners named."""
    m = spec.primary
    data = {
        "id": spec.pilot.replace("_", "-"), "title": spec.description or spec.pilot, "mechanism": "the AI does it",
        "problem": {"journey_stage": "service", "intent": "billing", "channel": "phone",
                    "evidence": {"diagnosis": "diagnosis.json"}},
        "metric": {"name": m.metric, "baseline": 1.0, "window_days": spec.windows.post_days,
                   "target": m.target.model_dump(exclude_none=True)},
        "guardrails": [{"metric": g.metric, "max_harm": g.max_harm.model_dump(exclude_none=True)}
                       for g in spec.guardrails if g.max_harm is not None],
        "design": {"type": "randomised", "unit": spec.unit, "holdout_share": 0.5} if spec.design == "randomised"
        else {"type": "staged_rollout", "unit": spec.unit, "stages": ["wave 1"]},
        "pilot_spec": spec.model_dump(exclude_unset=True), "data_sources": ["the simulated world"],
        "owners": dict(OWNERS)}
    data.update(changes)
    return UseCase.model_validate(data)


def held(result) -> dict[str, bool]:
    return {c.name: c.held for c in result.conditions}


# --- idea -> pilot ---------------------------------------------------------------------------------------------


def test_idea_to_pilot_passes_with_a_clean_use_case_named_owners_and_a_feasible_power_plan(world):
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot

    out, specs, _ = world
    spec = specs["proactive_alerts"]
    uc = use_case(spec)
    plan = plan_pilot(open_data(out), "cost_to_serve", -0.05, window_days=56)
    result = idea_to_pilot(uc, plan)
    assert result.passed, result.missing
    power = result.conditions[-1]
    assert power.numbers["units_needed"] == plan.n_total <= power.numbers["units_available"]
    assert f"{plan.n_total:,} customers" in power.message
    # a target too small for the data: needed against available, and what all of them would detect
    tiny = plan_pilot(open_data(out), "cost_to_serve", -0.001, window_days=56)
    result = idea_to_pilot(use_case(spec), tiny)
    assert held(result) == {"lints clean": True, "owners named": True, "target detectable": False}
    assert f"{tiny.n_total:,}" in result.missing[0].message and "would detect" in result.missing[0].message
    # the plan must be of the use case's metric and window
    other = plan_pilot(open_data(out), "cost_to_serve", -0.05, window_days=28)
    assert "plan the use case's own" in idea_to_pilot(uc, other).missing[0].message


def test_idea_to_pilot_lists_every_failing_condition_of_a_slogan():
    slogan = UseCase.model_validate({"title": "Implement AI across our contact center"})
    result = idea_to_pilot(slogan, None)
    assert not result.passed and [c.name for c in result.missing] == ["lints clean", "owners named",
                                                                      "target detectable"]
    assert "no-owner" in result.missing[0].numbers["rules"]  # type: ignore[operator]
    assert result.missing[1].numbers["unnamed"] == ["technology", "operations", "commercial", "executive_sponsor"]
    assert result.missing[2].message.startswith("no power plan")


def test_unnamed_owners_fail_idea_to_pilot_even_with_a_plan(world):
    _, specs, _ = world
    uc = use_case(specs["proactive_alerts"], owners={"technology": "Ana Souza"})
    result = idea_to_pilot(uc, None)
    assert result.conditions[1].message == "no operations, commercial, executive sponsor owner named"


# --- pilot -> proof on the world's readouts --------------------------------------------------------------------


def test_a_proven_pilot_passes_pilot_to_proof_and_recommends_ship(world):
    _, specs, readouts = world
    result = pilot_to_proof(use_case(specs["proactive_alerts"]), readouts["proactive_alerts"])
    assert result.passed, result.missing
    assert result.recommendation is not None and result.recommendation.action == "ship"
    assert result.recommendation.rule == "win"
    recorded = next(c for c in result.conditions if c.name == "target recorded")
    assert recorded.numbers["target_reached"] == [readouts["proactive_alerts"].primary[0].target_reached]


def test_a_placebo_does_not_pass_and_is_not_shipped(world):
    _, specs, readouts = world
    result = pilot_to_proof(use_case(specs["ivr_greeting"]), readouts["ivr_greeting"])
    assert [c.name for c in result.missing] == ["primary moved"]
    assert "the interval holds 0" in result.missing[0].message
    assert result.recommendation is not None and result.recommendation.action in ("extend", "discuss")


def test_a_rollout_inconclusive_by_design_never_passes(world):
    _, specs, readouts = world
    result = pilot_to_proof(use_case(specs["callback_rollout"]), readouts["callback_rollout"])
    assert "causal design" in [c.name for c in result.missing]
    assert result.recommendation is not None and result.recommendation.rule == "not causal"


def test_a_readout_of_another_pilot_does_not_count(world):
    _, specs, readouts = world
    result = pilot_to_proof(use_case(specs["proactive_alerts"]), readouts["ivr_greeting"])
    assert result.conditions[0].message == "the readout is of pilot ivr_greeting, the use case's pilot spec is " \
        "proactive_alerts"
    assert not pilot_to_proof(use_case(specs["proactive_alerts"]), None).passed


# --- pilot -> proof and the recommendation on hand-built readouts ----------------------------------------------


def edited(doc: ReadoutDocument, **changes: Any) -> ReadoutDocument:
    """The readout with changes: top-level keys, or 'primary'/'guardrail' for the first such metric's fields."""
    data = copy.deepcopy(doc.to_json())
    for role in ("primary", "guardrail"):
        fields = changes.pop(role, {})
        next(m for m in data["metrics"] if m["role"] == role).update(fields)
    data.update(changes)
    return ReadoutDocument.model_validate(data)


HARMFUL = {"effect_abs": 0.4, "ci_abs": [0.1, 0.7], "effect_rel": 0.08, "ci_rel": [0.02, 0.14]}
FLAT = {"effect_abs": -0.1, "ci_abs": [-0.3, 0.1], "effect_rel": -0.02, "ci_rel": [-0.06, 0.02]}
NARROW_FLAT = {"effect_abs": 0.0, "ci_abs": [-0.05, 0.05], "effect_rel": 0.0, "ci_rel": [-0.01, 0.01]}

# (changes to the proven readout, action, rule): one case per rule of the table in docs/portfolio.md
CASES = [
    ({"window_complete": False}, None, "window open"),
    ({"options": "planned 10x"}, None, "too few units"),
    ({"srm": {"ok": False, "p_value": 0.0001}}, "discuss", "sample-ratio mismatch"),
    ({"verdict": "inconclusive by design"}, "discuss", "not causal"),
    ({"primary": HARMFUL, "verdict": "harmful"}, "roll back", "harm"),
    ({"guardrail": {"guardrail_status": "breached"}, "verdict": "harmful"}, "roll back", "harm"),
    ({"guardrail": {"guardrail_status": "watch"}}, "discuss", "win with a guardrail to watch"),
    ({}, "ship", "win"),
    ({"primary": FLAT, "verdict": "inconclusive"}, "extend", "target still possible"),
    ({"primary": NARROW_FLAT, "verdict": "not proven yet"}, "discuss", "no effect worth it"),
]


def _apply(doc: ReadoutDocument, changes: dict[str, Any]) -> ReadoutDocument:
    changes = dict(changes)
    if changes.get("options") == "planned 10x":
        changes["options"] = {**doc.to_json()["options"], "planned_units_per_arm": 10 * max(doc.n.values())}
    if "srm" in changes:
        changes["srm"] = {**doc.to_json()["srm"], **changes["srm"]}
    return edited(doc, **changes)


@pytest.mark.parametrize(("changes", "action", "rule"), CASES, ids=[c[2] for c in CASES])
def test_the_first_matching_rule_of_the_table_recommends(world, changes, action, rule):
    _, _, readouts = world
    rec = recommend(_apply(readouts["proactive_alerts"], changes))
    assert (rec.action, rec.rule) == (action, rule), rec.reason


def test_the_documented_recommendation_table_is_the_one_tested():
    section = DOCS.read_text().split("### The recommendation", 1)[1]
    table = next(block for block in section.split("\n\n") if block.startswith("|"))
    rows = [r.split("|")[2].strip().strip("`") for r in table.splitlines()[2:]]
    assert rows == list(dict.fromkeys(["no readout"] + [c[2] for c in CASES]))


def test_no_recommendation_before_the_window_completes_unless_sequential(world):
    _, specs, readouts = world
    early = edited(readouts["proactive_alerts"], window_complete=False)
    result = pilot_to_proof(use_case(specs["proactive_alerts"]), early)
    assert result.recommendation is not None and result.recommendation.action is None
    assert [c.name for c in result.missing] == ["window complete"]
    sequential = edited(early, options={**early.to_json()["options"], "sequential": True})
    assert pilot_to_proof(use_case(specs["proactive_alerts"]), sequential).recommendation.action == "ship"  # type: ignore[union-attr]


def test_an_observational_readout_never_passes_pilot_to_proof(world):
    _, specs, readouts = world
    data = readouts["proactive_alerts"].to_json()
    effect = {k: data["metrics"][0][k] for k in ("control", "treatment", "effect_abs", "ci_abs", "effect_rel",
                                                 "ci_rel", "p_value", "method", "alpha")}
    metric = {"name": "cost_to_serve", "role": "primary", "kind": "business", "direction": "lower",
              "unit_label": "currency", "naive": effect, "adjusted": effect, "strata": [], "overlap_share": 1.0,
              "verdict": "associated (not causal)", "reason": "an association"}
    observational = ReadoutDocument.model_validate({
        **data, "design": "observational", "verdict": "associated (not causal)", "causal": False,
        "observational": {"treatment": "alerted", "treated": "alerted", "untreated": "not", "adjust_for": [],
                          "bands": {}, "at": None, "gate": "never proof", "comparisons": [metric]}})
    result = pilot_to_proof(use_case(specs["proactive_alerts"]), observational)
    assert not result.passed and "causal design" in [c.name for c in result.missing]
    assert result.recommendation is not None and result.recommendation.action != "ship"


# --- decisions: reasons, overrides, self-approval --------------------------------------------------------------


def test_a_passing_gate_is_decided_with_a_reason_and_its_evidence(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    evidence = {"use_case": digest(uc), "readout": digest(readouts["proactive_alerts"])}
    decision = decide(pilot_to_proof(uc, readouts["proactive_alerts"]), uc, proposer="Bruno Lima",
                      reason="the pilot is proven", evidence=evidence)
    assert not decision.override and decision.passed and decision.evidence == evidence
    assert_follows(GateDecision, decision.model_dump(mode="json"))
    with pytest.raises(GateError, match="needs a reason"):
        decide(pilot_to_proof(uc, readouts["proactive_alerts"]), uc, proposer="Bruno Lima", reason="  ")


def test_advancing_a_harmful_pilot_is_an_override_that_needs_the_sponsor(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    harmful = edited(readouts["proactive_alerts"], primary=HARMFUL, verdict="harmful")
    result = pilot_to_proof(uc, harmful)
    assert result.recommendation is not None and result.recommendation.action == "roll back"
    with pytest.raises(GateError, match=r"override .* executive sponsor \(Daniel Rocha\), not Carla Mendes"):
        decide(result, uc, proposer="Bruno Lima", approver="Carla Mendes", reason="we believe in it")
    with pytest.raises(GateError, match="override"):
        decide(result, uc, proposer="Bruno Lima", reason="we believe in it")
    decision = decide(result, uc, proposer="Bruno Lima", approver="Daniel Rocha", reason="a data bug, see #12")
    assert decision.override and decision.approver == "Daniel Rocha" and not decision.passed
    assert decision.recommendation is not None and decision.recommendation.action == "roll back"


def test_advancing_when_the_recommendation_says_extend_is_an_override(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    result = pilot_to_proof(uc, edited(readouts["proactive_alerts"], primary=FLAT, verdict="inconclusive"))
    assert result.recommendation.action == "extend"  # type: ignore[union-attr]
    assert decide(result, uc, proposer="Bruno Lima", approver="Daniel Rocha", reason="budget ends").override


def test_advancing_with_fewer_units_than_planned_is_an_override(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    few = _apply(readouts["proactive_alerts"], {"options": "planned 10x"})
    result = pilot_to_proof(uc, few)
    assert result.passed and result.recommendation.action is None  # type: ignore[union-attr]
    with pytest.raises(GateError, match=r"against the recommendation \(none yet: .* units in the smallest arm"):
        decide(result, uc, proposer="Bruno Lima", reason="early win")
    assert decide(result, uc, proposer="Bruno Lima", approver="Daniel Rocha", reason="early win").override


def test_nobody_approves_their_own_proposal(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    harmful = pilot_to_proof(uc, edited(readouts["proactive_alerts"], primary=HARMFUL, verdict="harmful"))
    with pytest.raises(GateError, match="cannot approve their own proposal"):
        decide(harmful, uc, proposer="Daniel Rocha", approver="Daniel Rocha", reason="I say so")


def test_a_failing_gate_without_a_recommendation_is_refused_naming_the_condition(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    with pytest.raises(GateError, match="refused: target detectable: no power plan"):
        decide(idea_to_pilot(uc, None), uc, proposer="Ana Souza", approver="Daniel Rocha", reason="go")
    early = pilot_to_proof(uc, edited(readouts["proactive_alerts"], window_complete=False))
    with pytest.raises(GateError, match="refused: window complete"):
        decide(early, uc, proposer="Ana Souza", approver="Daniel Rocha", reason="go")


def test_any_stage_stops_with_a_reason():
    uc = UseCase.model_validate({"id": "x", "owners": OWNERS})
    for stage in ("idea", "pilot", "proof", "scale"):
        assert stop(stage, "the vendor left").passed  # type: ignore[arg-type]
    assert not stop("pilot", " ").passed
    with pytest.raises(GateError, match="needs a reason"):
        decide(stop("pilot", "the vendor left"), uc, proposer="Ana Souza", reason="")
    assert decide(stop("pilot", "the vendor left"), uc, proposer="Ana Souza", reason="the vendor left").to_stage \
        == "stopped"


# --- proof -> scale: sign-offs ---------------------------------------------------------------------------------


def test_proof_to_scale_needs_each_owner_on_the_current_evidence_and_a_proof_point(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    evidence = {"use_case": digest(uc), "readout": digest(readouts["proactive_alerts"])}
    signed = [sign_off(uc, OWNERS[f], f, evidence) for f in ("technology", "operations", "commercial")]  # type: ignore[arg-type]
    result = proof_to_scale(uc, signed, evidence)
    assert [c.name for c in result.missing] == ["proof point"]
    assert result.missing[0].message == "no proof point: cxscale proof build packages one"
    with pytest.raises(GateError, match="refused: proof point"):
        decide(result, uc, proposer="Ana Souza", approver="Daniel Rocha", reason="scale it")
    packaged = proof_to_scale(uc, signed, evidence, proof_point="ab" * 32)
    assert packaged.passed and packaged.conditions[-1].numbers["proof_point"] == "ab" * 32


def test_a_sign_off_by_someone_who_is_not_that_functions_owner_is_refused_and_does_not_count(world):
    _, specs, _ = world
    uc = use_case(specs["proactive_alerts"])
    with pytest.raises(GateError, match="Bruno Lima is not the technology owner .*Ana Souza"):
        sign_off(uc, "Bruno Lima", "technology", {})
    stray = SignOff(person="Bruno Lima", function="technology", evidence={})
    tech = proof_to_scale(uc, [stray], {}).conditions[0]
    assert not tech.held
    assert tech.message == "no sign-off by Ana Souza, the technology owner; Bruno Lima signed but is not the " \
        "technology owner: it does not count"


def test_a_sign_off_is_reset_when_its_evidence_changes(world):
    _, specs, readouts = world
    uc = use_case(specs["proactive_alerts"])
    then = {"use_case": digest(uc), "readout": digest(readouts["proactive_alerts"])}
    ops = sign_off(uc, "Bruno Lima", "operations", then)
    now = {**then, "readout": digest(edited(readouts["proactive_alerts"], reason="read again"))}
    assert now["readout"] != then["readout"]
    cond = proof_to_scale(uc, [ops], now).conditions[1]
    assert not cond.held and cond.numbers["changed"] == ["readout"]
    assert cond.message.startswith("Bruno Lima's sign-off is reset: the evidence changed since (readout)")
    assert proof_to_scale(uc, [ops], then).conditions[1].held


# --- the gate decision document --------------------------------------------------------------------------------


def test_a_digest_is_of_the_canonical_json_whatever_the_key_order(world):
    _, _, readouts = world
    doc = readouts["proactive_alerts"]
    again = ReadoutDocument.model_validate(json.loads(json.dumps(doc.to_json(), sort_keys=True)))
    assert digest(doc) == digest(again) == digest(doc.to_json())
    assert re.fullmatch(r"[0-9a-f]{64}", digest(doc))
    assert digest({"b": 1, "a": 1.0}) == digest({"a": 1, "b": 1})
