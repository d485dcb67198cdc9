"""Ranked hotspots: the planted one comes first, and the score is the sum of its shown components."""

from __future__ import annotations

import pytest

from cxscale.data.dataset import Dataset
from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.journey import diagnose
from tests.journey.tables import mini_world


@pytest.fixture(scope="module")
def mini_diagnosis():
    from cxscale.engine import connect

    con = connect("duckdb")
    return diagnose(Dataset(con, {"interactions": con.create_table("mini", mini_world())}, "mini"))


def test_the_planted_hotspot_ranks_first(mini_diagnosis):
    top = mini_diagnosis.hotspots[0]
    assert (top.intent, top.journey_stage) == ("billing_dispute", "billing")
    assert {"repeat_contacts", "transfers", "low_csat"} <= set(top.kinds)


def test_the_score_is_the_sum_of_its_weighted_components(mini_diagnosis):
    for h in mini_diagnosis.hotspots:
        assert sum(h.score_components.values()) == pytest.approx(h.score, abs=0.05)
        assert set(h.score_components) == {"avoidable_cost", "friction", "csat_damage", "volume"}
    assert mini_diagnosis.hotspots[0].score <= 100


def test_hotspots_are_ranked_by_score(mini_diagnosis):
    scores = [h.score for h in mini_diagnosis.hotspots]
    assert scores == sorted(scores, reverse=True)
    assert [h.rank for h in mini_diagnosis.hotspots] == list(range(1, len(scores) + 1))


def test_money_is_annualised_with_the_period_length(mini_diagnosis):
    d = mini_diagnosis
    assert d.annualisation_factor == pytest.approx(365.25 / d.period.days)
    h = d.hotspots[0]
    assert h.avoidable_cost_per_year == pytest.approx(h.avoidable_cost * d.annualisation_factor)
    parts = h.avoidable_cost_parts
    assert sum(parts.model_dump().values()) == pytest.approx(h.avoidable_cost)


def test_each_hotspot_carries_its_baseline_and_evidence(mini_diagnosis):
    h = mini_diagnosis.hotspots[0]
    assert h.baseline.repeat_contact_rate_7d == h.repeat_contact_rate
    assert any("repeat-contact rate" in e for e in h.evidence)
    assert h.channel == h.channels[0].channel
    assert sum(c.volume for c in h.channels) == h.volume


def test_a_component_the_data_lacks_is_dropped_and_the_rest_reweighted(duckdb_con):
    df = mini_world(customers=400).drop(columns=["csat"])
    d = diagnose(Dataset(duckdb_con, {"interactions": duckdb_con.create_table("nocsat", df)}, "nocsat"),
                 DiagnosisOptions(min_volume=5))
    h = d.hotspots[0]
    assert "csat_damage" not in h.score_components
    assert h.csat_mean is None
    assert max(x.score for x in d.hotspots) <= 100
