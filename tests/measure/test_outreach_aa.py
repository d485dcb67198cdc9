"""A/A runs of the noshow_outreach capability pilot (customer-randomised, permanent 10% holdout): its readout keeps
the false-positive rate of the intent-to-treat and triggered effects near 5% (docs/capability-pilots.md), and its
tenure bands read the scheduling world's customers.tenure_months."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from cxscale.assignment import assign
from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import load_spec
from cxscale.measure.capability import capability_readout
from cxscale.simulate import simulate
from cxscale.simulate.capabilities import OUTREACH, OUTREACH_WEIGHTS
from tests.measure.relabel import relabelled


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("outreach") / "scheduling"
    simulate("scheduling", 8_000, 1, out, capabilities=True, workers=1)
    return out


def test_the_outreach_readout_has_tenure_bands_covering_the_truth(world):
    doc = capability_readout(load_spec(world / "pilots" / f"{OUTREACH}.yaml"), open_data(world, validate=False))
    truth = next(p for p in json.loads((world / "ground_truth.json").read_text())["pilots"] if p["pilot"] == OUTREACH)
    assert doc.capability is not None and doc.capability.tenure_source == "customers.tenure_months"
    assert [b.band for b in doc.capability.by_tenure] == list(truth["by_tenure"])
    for b in doc.capability.by_tenure:
        assert b.effect is not None and b.effect.n_control > 30, b.band
        ci = b.effect.ci_abs
        assert ci[0] <= truth["by_tenure"][b.band]["no_show_rate"]["absolute"] <= ci[1], b.band


@pytest.mark.slow
def test_aa_outreach_keeps_the_false_positive_rate_near_five_percent(world):
    """200 A/A pilots: the patients of the outreach arm split again into a 10% holdout and outreach by 200 seeds (the
    pilot's own design), their exposures relabelled, read out as the capability pilot. Every one of them was in
    outreach, so every effect is zero; with a correct test about 10 of 200 are significant (binomial: 2 to 20 holds
    with probability 0.999)."""
    ds = open_data(world, validate=False)
    spec = load_spec(world / "pilots" / f"{OUTREACH}.yaml")
    assert spec.capability is not None
    spec = spec.model_copy(update={"capability": spec.capability.model_copy(update={"tenure_bands": [0.0]})})
    a, e, i, o = ds.assignments, ds.table("exposures"), ds.interactions, ds.outcomes
    arm = a.filter((a.pilot == OUTREACH) & (a.arm == "treatment"))
    patients = arm.select("unit_id").to_pyarrow().column("unit_id").to_pylist()
    runs = 200
    splits = [(k, u, assign(u, seed=f"aa-{k}", weights=OUTREACH_WEIGHTS)) for k in range(runs) for u in patients]
    con = ds.con
    all_arms = con.create_table("aa_arms", pa.table({"_k": [k for k, _, _ in splits], "_uid": [u for _, u, _ in
                                                     splits], "_arm": [x for _, _, x in splits]}), temp=True)
    mine = e.filter(e.pilot_id == OUTREACH)
    tables = {**ds.tables,
              "interactions": con.create_table("aa_interactions", i.filter(i.customer_id.isin(patients)), temp=True),
              "outcomes": con.create_table("aa_outcomes", o.filter(o.customer_id.isin(patients)), temp=True),
              "exposures": con.create_table("aa_exposures", mine.filter(mine.unit_id.isin(patients)), temp=True)}
    base_a = con.create_table("aa_assignments", arm, temp=True)
    itt_hits = trig_hits = 0
    for k in range(runs):
        ex = tables["exposures"]
        relabel_a = relabelled(con, "aa_run_assignments", base_a, all_arms, k)
        relabel_e = relabelled(con, "aa_run_exposures", ex, all_arms, k)
        doc = capability_readout(spec, Dataset(con, {**tables, "assignments": relabel_a, "exposures": relabel_e},
                                               ds.source))
        itt_hits += doc.primary[0].p_value < 0.05
        trig_hits += doc.capability.triggered[0].p_value < 0.05
    assert 2 <= itt_hits <= 20, itt_hits
    assert 2 <= trig_hits <= 20, trig_hits
