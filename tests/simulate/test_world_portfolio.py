"""The demo world's portfolio (DIR/portfolio/): every file a valid document, the lint findings and gate outcomes
planted.json says, pilots that resolve, owners that exist (docs/simulator.md#the-portfolio)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cxscale.documents.use_case import UseCase, load_use_case
from cxscale.errors import CxscaleError
from cxscale.portfolio.lint import lint_file, resolve_pilot_spec, use_case_files
from cxscale.simulate import simulate
from cxscale.simulate.portfolio import DEMO_WORLD
from tests.contracts import assert_follows

ROLES = {"sponsor", "council", "viewer", "admin"}
FUNCTIONS = {"technology", "operations", "commercial"}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """The demo's world (support, 50,000 customers, seed 42: what planted.json's readouts describe)."""
    out = tmp_path_factory.mktemp("portfolio-world")
    simulate(DEMO_WORLD["scenario"], customers=DEMO_WORLD["customers"], seed=DEMO_WORLD["seed"], out=out)
    return out


@pytest.fixture(scope="module")
def planted(world) -> dict:
    return json.loads((world / "portfolio" / "planted.json").read_text())


@pytest.fixture(scope="module")
def data(world):
    from cxscale.data import open_data

    return open_data(world, validate=False)


@pytest.fixture(scope="module")
def people(world) -> dict[str, dict]:
    doc = yaml.safe_load((world / "portfolio" / "people.yaml").read_text())
    assert doc["people_version"] == 1
    return {p["id"]: p for p in doc["people"]}


def test_every_file_is_a_use_case_with_a_unique_id_and_planted_json_names_each_once(world, planted):
    files = use_case_files([world / "portfolio"])
    assert 12 <= len(files) <= 16
    ids = [load_use_case(f).id for f in files]
    assert len(set(ids)) == len(ids) and sorted(ids) == sorted(i["id"] for i in planted["initiatives"])
    for f in files:
        assert f.name == f"{load_use_case(f).id}.usecase.yaml"
        assert_follows(UseCase, yaml.safe_load(f.read_text()))
    assert {i["file"] for i in planted["initiatives"]} == {f.name for f in files}


def test_the_portfolio_sits_in_every_stage_and_plants_every_trap(planted):
    stages = {i["stage"] for i in planted["initiatives"]}
    assert stages == {"idea", "pilot", "proof", "scale", "stopped"}
    reasons = {(kind, r) for i in planted["initiatives"] for kind, rs in i["flags"].items() for r in rs}
    assert reasons >= {("isolated", "no-touchpoint"), ("isolated", "touchpoint-without-contacts"),
                       ("isolated", "no-operations-owner"), ("unmeasured", "technical-metric"),
                       ("unmeasured", "no-baseline"), ("unmeasured", "no-pilot-spec"), ("unowned", "owner-missing"),
                       ("unowned", "owner-left")}
    clean = [i for i in planted["initiatives"] if not any(i["flags"].values())]
    assert {i["stage"] for i in clean} == {"idea", "pilot", "proof", "scale", "stopped"}
    recs = {g.get("recommendation") for i in planted["initiatives"] for g in i["gates"] if g["gate"] == "pilot->proof"}
    assert recs == {"ship", "roll back", "discuss", None}


def test_each_use_case_lints_with_exactly_the_planted_findings(world, planted, data):
    for i in planted["initiatives"]:
        path = world / "portfolio" / i["file"]
        assert sorted({f.rule for f in lint_file(path)}) == i["lint"], i["id"]
        assert sorted({f.rule for f in lint_file(path, data=data)}) == i["lint_with_data"], i["id"]
    # The clean ones are clean of everything, warnings included, but for the one whose target is undetectable.
    clean = [i for i in planted["initiatives"] if not any(i["flags"].values())]
    assert [i["id"] for i in clean if i["lint_with_data"]] == ["roaming-satisfaction"]
    assert all(i["lint"] == [] for i in clean)


def test_pilot_references_resolve_to_the_worlds_planted_pilots(world, planted):
    truth = json.loads((world / "ground_truth.json").read_text())
    pilots = {p["pilot"] for p in truth["pilots"]}
    for i in planted["initiatives"]:
        path = world / "portfolio" / i["file"]
        uc = load_use_case(path)
        assert uc.pilot_spec == i["pilot_spec"]
        spec = resolve_pilot_spec(uc, path)
        if i["pilot"] is None:
            continue
        assert spec is not None and spec.pilot == i["pilot"] in pilots
        assert spec.primary.metric == uc.metric.name and spec.windows.post_days == uc.metric.window_days
        assert (path.parent / uc.pilot_spec).resolve().is_relative_to(world.resolve())


def test_owners_exist_in_people_yaml_and_have_the_function_they_own(world, planted, people):
    assert any(p.get("os_user") == "cxscale-demo" and "admin" in p["roles"] for p in people.values())
    assert {r for p in people.values() for r in p["roles"]} == ROLES
    assert [p["id"] for p in people.values() if not p["active"]] == ["jonas.weber"]
    for p in people.values():
        assert set(p) <= {"id", "name", "functions", "roles", "active", "os_user"}
        assert set(p["functions"]) <= FUNCTIONS and set(p["roles"]) <= ROLES and isinstance(p["active"], bool)
    for i in planted["initiatives"]:
        owners = load_use_case(world / "portfolio" / i["file"]).owners
        named = owners.model_dump(exclude_none=True)
        missing = {"technology", "operations", "commercial", "executive_sponsor"} - set(named)
        assert bool(missing) == ("owner-missing" in i["flags"]["unowned"]), i["id"]
        assert ("operations" in missing) == ("no-operations-owner" in i["flags"]["isolated"]), i["id"]
        left = [who for who in named.values() if not people[who]["active"]]
        assert bool(left) == ("owner-left" in i["flags"]["unowned"]), i["id"]
        for role, who in named.items():
            person = people[who]
            assert (role in person["functions"]) if role != "executive_sponsor" else ("sponsor" in person["roles"])


def test_evidence_figures_are_the_diagnosis_figures_of_their_hotspot(world, planted, data):
    from cxscale.journey import diagnose

    d = diagnose(data, use_cases=0)
    hotspots = {(h.intent, h.journey_stage): h for h in d.hotspots}
    seen = 0
    for i in planted["initiatives"]:
        p = load_use_case(world / "portfolio" / i["file"]).problem
        h = hotspots.get((p.intent, p.journey_stage)) if p.intent else None
        if h is None:
            continue
        fig = p.evidence.figures
        assert fig["contacts"] == h.volume and fig["channel_share"] == pytest.approx(h.channel_share, abs=1e-6)
        assert fig["transfer_rate"] == pytest.approx(h.transfer_rate, abs=1e-6)
        assert fig["csat_mean"] == pytest.approx(h.csat_mean, abs=1e-6)
        assert fig["cost_per_contact"] == pytest.approx(h.baseline.cost_per_contact, abs=1e-6)
        if p.evidence.hotspot_rank is not None:
            assert p.evidence.hotspot_rank == h.rank
        seen += 1
    assert seen >= 10
    # The esim touchpoint is not in the data at all.
    assert not any(h.intent == "esim_activation" for h in d.hotspots)


def test_the_gates_say_what_planted_json_says_on_the_demo_world(world, planted, data):
    """Each initiative's idea -> pilot (lint, owners, the power plan on the data) and pilot -> proof (the readout
    of its pilot spec, and its recommendation) as planted."""
    from cxscale.measure.power import plan_pilot
    from cxscale.measure.readout import readout
    from cxscale.portfolio.gates import idea_to_pilot, pilot_to_proof

    for i in planted["initiatives"]:
        path = world / "portfolio" / i["file"]
        uc = load_use_case(path)
        spec = resolve_pilot_spec(uc, path)
        gates = {g["gate"]: g for g in i["gates"]}
        unit = spec.unit if spec else uc.design.unit
        try:
            plan = plan_pilot(data, uc.metric.name, uc.metric.target.relative, unit=unit,
                              window_days=uc.metric.window_days, scope=spec.scope.values() if spec and spec.scope
                              else None)
        except CxscaleError:  # no plan (no contacts at the touchpoint): a condition that does not hold
            plan = None
        result = idea_to_pilot(uc, plan, spec=spec, findings=lint_file(path))
        assert result.passed == gates["idea->pilot"]["passes"], (i["id"], result.missing)
        assert [c.name for c in result.missing] == gates["idea->pilot"]["missing"], i["id"]
        if "pilot->proof" not in gates:
            continue
        result = pilot_to_proof(uc, readout(spec, data) if spec else None, spec=spec)
        want = gates["pilot->proof"]
        assert result.recommendation.action == want["recommendation"], (i["id"], result.recommendation)
        assert result.passed == want["passes"], (i["id"], result.missing)
        assert [c.name for c in result.missing] == want["missing"], i["id"]
        # The stages follow: a passed gate moves on, a readout saying roll back or discuss is stopped.
        assert (i["stage"] in ("proof", "scale")) == want["passes"], i["id"]
        assert (i["stage"] == "stopped") == (want["recommendation"] in ("roll back", "discuss")), i["id"]
        assert (i["stop_reason"] is not None) == (i["stage"] == "stopped"), i["id"]


def test_the_same_seed_writes_the_same_portfolio(world, tmp_path):
    simulate("support", customers=DEMO_WORLD["customers"], seed=DEMO_WORLD["seed"], out=tmp_path)
    mine = sorted(p.relative_to(world) for p in (world / "portfolio").rglob("*") if p.is_file())
    assert mine == sorted(p.relative_to(tmp_path) for p in (tmp_path / "portfolio").rglob("*") if p.is_file())
    for rel in mine:
        assert (tmp_path / rel).read_bytes() == (world / rel).read_bytes(), rel


def test_the_scheduling_world_has_no_portfolio(tmp_path):
    simulate("scheduling", customers=2000, seed=1, out=tmp_path)
    assert not (tmp_path / "portfolio").exists()
