"""A proof point of an agent pilot shows the effect by agent tenure band when the data has agents.tenure_months:
where novices and veterans gain differently, which is what an operations owner asks before scaling."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cxscale.data import open_data
from cxscale.documents import load_spec
from cxscale.measure import readout
from cxscale.metrics.catalog import builtin_catalog
from cxscale.proof.evidence import segments, tenure_bands


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("tenure-world")
    simulate(out=out, customers=3000, seed=42, capabilities=True)  # capabilities: the agents table with tenure
    return out


def test_an_agent_pilot_is_segmented_by_tenure_band_and_each_band_is_the_readout_of_its_agents(world):
    spec = load_spec(world / "pilots" / "agent_assist.yaml")
    ds = open_data(world)
    seg = segments(spec, ds, builtin_catalog())[0]
    assert (seg.column, seg.table) == ("tenure_months", "agents")
    assert [e.label for e in seg.effects] == ["0-6 months", "6-24 months", "24+ months"]
    agents = ds.table("agents")
    for e, (_, lo, hi) in zip(seg.effects, tenure_bands(spec), strict=True):
        t = agents.tenure_months
        band = agents.filter((t >= lo) & (t < hi)).agent_id
        a = ds.assignments.filter(ds.assignments.unit_id.isin(band))
        again = readout(spec, replace(ds, tables={**ds.tables, "assignments": a})).primary[0]
        assert (e.n_control, e.n_treatment) == (again.n_control, again.n_treatment)
        assert e.effect_rel == pytest.approx(again.effect_rel, rel=1e-9)
    whole = readout(spec, ds).primary[0]
    assert sum(e.n_control + e.n_treatment for e in seg.effects) == whole.n_control + whole.n_treatment


def test_the_capability_s_own_bands_are_used_and_verify_recomputes_them_by_name(world):
    spec = load_spec(world / "pilots" / "knowledge_guidance.yaml")
    spec = spec.model_copy(update={"capability": spec.capability.model_copy(update={"tenure_bands": [0.0, 12.0]})})
    ds = open_data(world)
    auto = segments(spec, ds, builtin_catalog())[0]
    assert [e.label for e in auto.effects] == ["0-12 months", "12+ months"]
    named = segments(spec, ds, builtin_catalog(), ["tenure_months"])  # what verify_proof passes
    assert [(s.column, [(e.label, e.n_control, e.n_treatment) for e in s.effects]) for s in named] == [
        (auto.column, [(e.label, e.n_control, e.n_treatment) for e in auto.effects])]
    for again, e in zip(named[0].effects, auto.effects, strict=True):  # the engine sums in parallel: not bit-equal
        assert again.effect_rel == pytest.approx(e.effect_rel, rel=1e-9)


def test_without_an_agents_table_there_is_no_tenure_segment(tmp_path):
    from cxscale.simulate.run import simulate

    simulate(out=tmp_path / "w", customers=1500, seed=7)
    spec = load_spec(tmp_path / "w" / "pilots" / "agent_assist.yaml")
    assert "tenure_months" not in [s.column for s in segments(spec, open_data(tmp_path / "w"), builtin_catalog())]
