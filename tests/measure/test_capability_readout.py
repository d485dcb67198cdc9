"""A capability pilot's readout on a simulated world with a planted effect: the intent-to-treat and triggered effects
cover the truth, the funnel equals the planted rates, tenure bands follow the planted gradient, and A/A splits keep
the false-positive rate near 5% (docs/capability-pilots.md#readout)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from cxscale.assignment import assign
from cxscale.cli import app
from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import Capability, PilotSpec, load_spec
from cxscale.measure import measure_spec
from cxscale.measure.capability import capability_readout
from cxscale.simulate import simulate
from tests.measure.relabel import relabelled

PILOT = "knowledge_guidance"
OUTREACH = "noshow_outreach"
#: pilot -> (scenario, customers, seed, primary metric)
WORLDS = {PILOT: ("support", 5_000, 2, "aht"), OUTREACH: ("scheduling", 8_000, 1, "no_show_rate")}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for pilot, (scenario, customers, seed, _) in WORLDS.items():
        out[pilot] = tmp_path_factory.mktemp("capability") / scenario
        simulate(scenario, customers, seed, out[pilot], capabilities=True, workers=1)
    return out


@pytest.fixture(scope="module")
def world(worlds) -> Path:
    return worlds[PILOT]


def _truth(worlds: dict[str, Path], pilot: str) -> dict:
    return next(p for p in json.loads((worlds[pilot] / "ground_truth.json").read_text())["pilots"]
                if p["pilot"] == pilot)


@pytest.fixture(scope="module")
def truth(worlds) -> dict:
    return _truth(worlds, PILOT)


@pytest.fixture(scope="module")
def docs(worlds) -> dict:
    return {pilot: measure_spec(worlds[pilot] / "pilots" / f"{pilot}.yaml") for pilot in WORLDS}


@pytest.fixture(scope="module")
def doc(docs):
    return docs[PILOT]


def _inside(value: float, ci: list[float]) -> bool:
    return ci[0] <= value <= ci[1]


@pytest.mark.parametrize("pilot", list(WORLDS))
def test_intent_to_treat_and_triggered_effects_cover_the_planted_truth(docs, worlds, pilot):
    doc, truth, metric = docs[pilot], _truth(worlds, pilot), WORLDS[pilot][3]
    itt = doc.primary[0]
    assert itt.name == metric and _inside(truth["true_effects"][metric]["absolute"], itt.ci_abs)
    assert doc.srm.ok and doc.capability is not None and doc.capability.srm_triggered.ok
    assert not doc.warnings, doc.warnings
    (trig,) = [e for e in doc.capability.triggered if e.metric == metric]
    assert _inside(truth["triggered_effects"][metric]["absolute"], trig.ci_abs)
    # Diluted by the contacts where the capability never triggers: the planted triggered effect is the larger one.
    assert truth["triggered_effects"][metric]["relative"] < truth["true_effects"][metric]["relative"] < 0


@pytest.mark.parametrize("pilot", list(WORLDS))
def test_funnel_equals_the_planted_rates(docs, worlds, pilot):
    doc, truth = docs[pilot], _truth(worlds, pilot)
    control, treatment = doc.capability.funnel
    assert (control.arm, treatment.arm) == (doc.control, "treatment")
    assert control.shown == 0 and control.used == 0  # control computes and logs, never shows
    planted = truth["funnel"]
    decisions = control.decisions + treatment.decisions
    trigger = (control.triggered + treatment.triggered) / decisions

    def near(observed: float, p: float, n: int) -> bool:  # within 4 binomial standard errors
        return abs(observed - p) <= 4 * math.sqrt(p * (1 - p) / n)

    assert near(trigger, planted["trigger_rate"], decisions)
    assert near(treatment.shown_rate, planted["shown_rate"], treatment.triggered)
    assert near(treatment.use_rate, planted["use_rate"], treatment.shown)
    assert treatment.used == round(treatment.use_rate * treatment.shown)


def test_novices_gain_more_than_veterans(doc, truth):
    bands = truth["by_tenure"]
    planted = [bands[b.band]["aht"]["relative"] for b in doc.capability.by_tenure]
    assert planted == sorted(planted) and planted[0] < planted[-1] < 0  # novices' handle time falls most
    assert doc.capability.tenure_source == "agents.tenure_months"
    for b in doc.capability.by_tenure:
        assert b.effect is not None and _inside(bands[b.band]["aht"]["absolute"], b.effect.ci_abs), b.band


def test_measure_prints_the_funnel_and_the_triggered_effect(world):
    res = CliRunner().invoke(app, ["measure", str(world / "pilots" / f"{PILOT}.yaml")], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    assert f"capability {PILOT}: funnel" in res.output and "triggered effect on aht" in res.output
    assert "tenure 0-6 months" in res.output
    js = CliRunner().invoke(app, ["measure", str(world / "pilots" / f"{PILOT}.yaml"), "--json"])
    assert json.loads(js.stdout)["capability"]["funnel"][1]["arm"] == "treatment"


def test_outreach_arms_are_recomputed_from_the_customer_id_alone(worlds):
    spec = load_spec(worlds[OUTREACH] / "pilots" / f"{OUTREACH}.yaml")
    assert spec.capability is not None and spec.control == "holdout"
    plan = spec.capability.plan(spec)
    a = open_data(worlds[OUTREACH], validate=False).assignments
    rows = a.filter(a.pilot == OUTREACH).select("unit_id", "arm").to_pyarrow().to_pylist()
    assert all(plan.arm(r["unit_id"]) == r["arm"] for r in rows)
    holdout = sum(r["arm"] == "holdout" for r in rows) / len(rows)
    assert 0.08 < holdout < 0.12  # the permanent 10% holdout


def test_the_worlds_arms_are_the_specs_plan(world):
    spec = load_spec(world / "pilots" / f"{PILOT}.yaml")
    assert spec.capability is not None and spec.capability.stratified
    ds = open_data(world, validate=False)
    agents = ds.table("agents").to_pyarrow().to_pylist()
    plan = spec.capability.plan(spec)
    a = ds.assignments
    written = {r["unit_id"]: r["arm"] for r in a.filter(a.pilot == PILOT).select("unit_id", "arm").to_pyarrow()
               .to_pylist()}
    assert plan.arms({r["agent_id"]: r["site"] for r in agents}) == written


def test_a_capability_pilot_is_randomised_by_agent_or_customer():
    base = {"pilot": "p", "primary": {"metric": "aht", "target": {"relative": -0.05}}, "capability": {"name": "g"}}
    assert PilotSpec.model_validate({**base, "unit": "agent"}).capability == Capability(name="g")
    with pytest.raises(ValueError, match="randomised by agent"):
        PilotSpec.model_validate({**base, "unit": "site"})
    with pytest.raises(ValueError, match="increasing lower edges"):
        PilotSpec.model_validate({**base, "capability": {"name": "g", "tenure_bands": [6, 0]}})
    spec = PilotSpec.model_validate({**base, "expected_split": {"control": 1, "treatment": 3}})
    assert spec.capability is not None
    plan = spec.capability.plan(spec)
    assert plan.seed == "p" and dict(plan.weights) == {"control": 1, "treatment": 3}


def test_without_exposures_the_readout_says_so(world, tmp_path):
    ds = open_data(world, validate=False)
    lean = Dataset(ds.con, {k: v for k, v in ds.tables.items() if k not in ("exposures", "feedback")}, ds.source)
    doc = capability_readout(load_spec(world / "pilots" / f"{PILOT}.yaml"), lean)
    assert doc.capability is None and any("no exposures table" in w for w in doc.warnings)


@pytest.mark.slow
def test_aa_capability_pilots_keep_the_false_positive_rate_near_five_percent(world):
    """200 A/A pilots: the control agents split again by 200 seeds, their exposures relabelled, read out as a
    capability pilot. Nobody saw guidance, so every effect is zero; with a correct test about 10 of 200 are
    significant (binomial: 2 to 20 holds with probability 0.999)."""
    ds = open_data(world, validate=False)
    spec = load_spec(world / "pilots" / f"{PILOT}.yaml")
    assert spec.capability is not None
    spec = spec.model_copy(update={"guardrails": [], "capability": spec.capability.model_copy(
        update={"tenure_bands": [0.0]})})
    a, e, i = ds.assignments, ds.table("exposures"), ds.interactions
    control = a.filter((a.pilot == PILOT) & (a.arm == "control"))
    agents = control.select("unit_id").to_pyarrow().column("unit_id").to_pylist()
    runs = 200
    # Every split once, and only the control agents' rows, materialised in the engine: each run reads a few small
    # tables (the readout's queries are what is under test, not the Parquet scans).
    splits = [(k, u, assign(u, seed=f"aa-{k}", weights={"control": 1, "treatment": 1}))
              for k in range(runs) for u in agents]
    con = ds.con
    all_arms = con.create_table("aa_arms", pa.table({"_k": [k for k, _, _ in splits], "_uid": [u for _, u, _ in
                                                     splits], "_arm": [x for _, _, x in splits]}), temp=True)
    mine = e.filter(e.pilot_id == PILOT)
    tables = {**ds.tables,
              "interactions": con.create_table("aa_interactions", i.filter(i.agent_id.isin(agents)), temp=True),
              "exposures": con.create_table("aa_exposures", mine.filter(mine.unit_id.isin(agents)), temp=True)}
    base_a = con.create_table("aa_assignments", control, temp=True)
    itt_hits = trig_hits = 0
    for k in range(runs):
        ex = tables["exposures"]
        relabel_a = relabelled(con, "aa_run_assignments", base_a, all_arms, k)
        relabel_e = relabelled(con, "aa_run_exposures", ex, all_arms, k)
        aa = Dataset(con, {**tables, "assignments": relabel_a, "exposures": relabel_e}, ds.source)
        doc = capability_readout(spec, aa)
        itt_hits += doc.primary[0].p_value < 0.05
        trig_hits += doc.capability.triggered[0].p_value < 0.05
    assert 2 <= itt_hits <= 20, itt_hits
    assert 2 <= trig_hits <= 20, trig_hits
