"""The after_contact wrap-up pilot's readout (docs/capability-pilots.md#wrap-up-pilot): its planted intent-to-treat
and triggered effects inside the intervals, the anchoring guardrail catching a planted bias in the terminal, the
JSON and the page, no false alarm without it, and A/A re-splits of the control agents keeping the guardrail's
false-positive rate at alpha (where the contacts-as-independent chi-square does not)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.data import open_data
from cxscale.documents.pilot_spec import Capability, load_spec
from cxscale.measure import measure_spec
from cxscale.measure.anchoring import _unit_code_counts
from cxscale.measure.capability import _assignments
from cxscale.simulate import simulate
from cxscale.simulate.wrapup_pilot import WRAPUP
from cxscale.stats.code_mix import mix_check, randomisation_p

SPEC = Path("pilots") / f"{WRAPUP}.yaml"


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wrapup") / "plain"
    simulate("support", 100_000, 11, out, capabilities=True, workers=1)
    return out


@pytest.fixture(scope="module")
def anchored(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wrapup") / "anchored"
    simulate("support", 40_000, 11, out, capabilities=True, anchoring=True, workers=1)
    return out


def _truth(world: Path) -> dict:
    return next(p for p in json.loads((world / "ground_truth.json").read_text())["pilots"] if p["pilot"] == WRAPUP)


def test_planted_effects_are_inside_the_intervals_and_the_mix_does_not_shift(plain):
    doc, truth = measure_spec(plain / SPEC), _truth(plain)
    itt = doc.primary[0]
    assert itt.name == "aht" and itt.ci_abs[0] <= truth["true_effects"]["aht"]["absolute"] <= itt.ci_abs[1]
    assert doc.capability is not None and doc.capability.srm_triggered.ok and doc.srm.ok
    (trig,) = [e for e in doc.capability.triggered if e.metric == "aht"]
    assert trig.ci_abs[0] <= truth["triggered_effects"]["aht"]["absolute"] <= trig.ci_abs[1]
    assert truth["triggered_effects"]["aht"]["relative"] < truth["true_effects"]["aht"]["relative"] < 0
    # Novices gain most (planted), and the funnel is the planted one: every triggered suggestion shown, 80% kept.
    gains = [truth["by_tenure"][b]["aht"]["relative"] for b in truth["by_tenure"]]
    assert gains[0] < gains[1] < gains[2] < 0
    control, treatment = doc.capability.funnel
    assert control.shown == 0 and treatment.shown == treatment.triggered
    assert abs(treatment.trigger_rate - truth["funnel"]["trigger_rate"]) < 0.02
    assert abs(treatment.use_rate - truth["funnel"]["use_rate"]) < 0.02
    check = doc.capability.anchoring
    assert check is not None and not check.shifted and check.p_value > check.alpha
    assert check.units == {"control": 228, "treatment": 232} and min(check.contacts.values()) > 15_000
    assert not doc.warnings, doc.warnings


def test_the_guardrail_catches_planted_anchoring_in_terminal_json_and_page(anchored, tmp_path):
    spec = str(anchored / SPEC)
    js = CliRunner().invoke(app, ["measure", spec, "--json"])
    assert js.exit_code == 0, js.output
    check = json.loads(js.stdout)["capability"]["anchoring"]
    assert check["shifted"] and check["p_value"] < check["alpha"] and len(check["largest_shifts"]) == 3
    # The planted mistake flips a contact's resolution: the codes that moved most are resolved/follow_up codes.
    assert all(s["code"].endswith((":resolved", ":follow_up")) for s in check["largest_shifts"])
    res = CliRunner().invoke(app, ["measure", spec, "--html", str(tmp_path / "r.html")], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "SHIFTED" in res.output and "ANCHORING" in res.output
    page = (tmp_path / "r.html").read_text()
    assert "Anchoring guardrail" in page and "SHIFTED" in page


def test_randomisation_p_agrees_with_the_chi_square_when_units_are_contacts():
    """One contact per unit: contacts are independent, so the re-randomisation p-value is the chi-square's."""
    rng = np.random.default_rng(3)
    treated = rng.random(3_000) < 0.5
    codes = np.where(treated, rng.choice(5, 3_000, p=[0.3, 0.25, 0.2, 0.15, 0.1]),
                     rng.choice(5, 3_000, p=[0.28, 0.25, 0.21, 0.15, 0.11]))
    counts = np.eye(5)[codes]
    table = np.stack([counts[~treated].sum(axis=0), counts[treated].sum(axis=0)])
    assert abs(randomisation_p(counts, treated, permutations=4_999) - chi2_contingency(table)[1]) < 0.02


def test_aa_resplits_of_control_agents_keep_the_false_positive_rate_at_alpha(plain):
    """200 stratified hash re-splits of the 228 control agents (the pilot's own assignment, other seeds): the
    guardrail flags about alpha of them; the chi-square over contacts, blind to agents' habits, flags more."""
    ds, spec = open_data(plain), load_spec(plain / SPEC)
    units, codes, counts, strata = _unit_code_counts(ds, spec, _assignments(ds, spec))
    assert strata is not None
    control = np.array([a == "control" for a in units["arm"]])
    m, s, ids = counts[control], strata[control], np.array(units["unit"])[control]
    roster = {u: str(k) for u, k in zip(ids, s, strict=True)}
    alpha, runs, flagged, flagged_contacts = 0.05, 200, 0, 0
    for k in range(runs):
        cap = Capability(name=WRAPUP, seed=f"aa-{k}", stratified=True)
        arms = cap.plan(spec.model_copy(update={"capability": cap})).arms(roster)
        treated = np.array([arms[u] == "treatment" for u in ids])
        by_arm = {arm: dict(zip(codes, m[mask].sum(axis=0), strict=True))
                  for arm, mask in (("control", ~treated), ("treatment", treated))}
        flagged += randomisation_p(m, treated, s, 999, seed=k) < alpha
        flagged_contacts += mix_check(by_arm, alpha).p_value < alpha
    assert 0.02 <= flagged / runs <= 0.09, flagged / runs
    assert flagged_contacts > flagged


def test_cxscale_simulate_plants_anchoring_only_with_capabilities_in_support(tmp_path):
    res = CliRunner().invoke(app, ["simulate", "-n", "2000", "--capabilities", "--anchoring", "-o", str(tmp_path / "w"),
                                   "--json"])
    assert res.exit_code == 0, res.output
    mechanism = next(p["mechanism"] for p in json.loads((tmp_path / "w" / "ground_truth.json").read_text())["pilots"]
                     if p["pilot"] == WRAPUP)
    assert "Anchoring is planted" in mechanism
    bad = CliRunner().invoke(app, ["simulate", "-n", "2000", "--anchoring", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "add --capabilities" in bad.output


def test_a_shifted_code_mix_fails_the_pilot_to_proof_gate_and_a_steady_one_holds(plain, anchored):
    """The guardrail is not only a warning: the portfolio's pilot -> proof gate refuses a pilot whose agents anchored
    on its codes (contact-reason reporting would be corrupted at scale), naming the test's numbers."""
    from cxscale.portfolio.gates import pilot_to_proof
    from tests.proof.conftest import use_case_of

    for world, holds in ((plain, True), (anchored, False)):
        spec = load_spec(world / SPEC)
        doc = measure_spec(world / SPEC)
        uc = use_case_of(spec, design={"type": "randomised", "unit": "agent", "holdout_share": 0.5})
        (guard,) = [c for c in pilot_to_proof(uc, doc, spec=spec).conditions if c.name == "guardrails hold"]
        mix = doc.capability.anchoring
        assert guard.held is holds and f"wrap-up code mix (p = {mix.p_value:.3g}" in guard.message
        assert ("wrap_up_code_mix" in guard.numbers["breached"]) is not holds
