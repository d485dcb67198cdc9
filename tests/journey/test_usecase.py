"""Use-case drafts: metric, baseline, target and the pilot window, written as YAML."""

from __future__ import annotations

import math

import pytest
import yaml

from cxscale.data.dataset import Dataset
from cxscale.journey import diagnose, draft_use_case, dump_draft
from cxscale.journey.planning import pilot_window, sample_size_per_arm
from cxscale.metrics import builtin_catalog
from tests.journey.tables import mini_world


def test_sample_size_for_two_proportions_matches_the_textbook_value():
    # 50% -> 40%, alpha 5% two-sided, power 80%: 385 per arm (Fleiss' formula without continuity correction).
    assert sample_size_per_arm(0.5, 0.4) == 385


def test_sample_size_for_two_means_matches_the_textbook_value():
    # Half a standard deviation: 63 per arm.
    assert sample_size_per_arm(4.0, 4.5, sd=1.0) == 63


def test_the_window_is_the_days_of_traffic_both_arms_need():
    w = pilot_window(0.5, 0.4, units_per_day=77.0)
    assert w.window_days == math.ceil(2 * 385 / 77.0) == 10


@pytest.fixture(scope="module")
def top_draft():
    from cxscale.engine import connect

    con = connect("duckdb")
    ds = Dataset(con, {"interactions": con.create_table("mini", mini_world())}, "mini")
    d = diagnose(ds, currency="EUR")
    return d, d.use_cases[0], ds


def test_the_top_hotspot_becomes_a_draft_with_a_measured_baseline(top_draft):
    d, draft, _ds = top_draft
    h = d.hotspots[0]
    assert draft["journey_touchpoint"]["intent"] == h["intent"]
    assert draft["business_metric"]["name"] == "repeat_contact_rate_7d"
    assert draft["business_metric"]["baseline"] == h["baseline"]["repeat_contact_rate_7d"]
    assert draft["target"]["value"] == pytest.approx(0.8 * draft["business_metric"]["baseline"], rel=1e-4)
    assert draft["money_at_stake"]["currency"] == "EUR"
    assert draft["evidence"] == h["evidence"]


def test_the_draft_pilot_window_comes_from_the_measurement_engines_power_plan(top_draft):
    power = pytest.importorskip("cxscale.measure.power")
    from cxscale.journey.diagnosis import touchpoint

    d, _draft, ds = top_draft
    # Every draft, planned over the top touchpoints' cached contacts, equals the plan over the whole data.
    assert len(d.use_cases) == 3
    checked = 0
    for h, draft in zip(d.hotspots, d.use_cases, strict=False):
        plan = power.plan_pilot(touchpoint(ds, h["intent"], h["journey_stage"]), draft["business_metric"]["name"],
                                draft["target"]["relative_change"])
        w = draft["pilot_window"]
        assert "plan_pilot" in w["method"]
        assert w["sample_size_per_arm"] == plan.n_per_arm
        assert w["days"] == math.ceil(plan.days_total)
        # The draft's pilot spec is scoped to the touchpoint: its readout reads the contacts the plan read, so the
        # plan's baseline is the metric as the readout will compute it.
        scope = draft["pilot_spec"]["scope"]
        assert scope == {"intent": [h["intent"]], "journey_stage": [h["journey_stage"]]}
        metric = draft["business_metric"]["name"]
        if builtin_catalog().get(metric).source == "interactions":
            assert w["baseline_per_unit"] == pytest.approx(
                power.plan_pilot(ds.at(scope), metric, draft["target"]["relative_change"]).baseline, rel=1e-12)
            checked += 1
    assert checked


def test_without_a_power_plan_the_window_follows_from_the_touchpoint_volume(top_draft):
    d, _draft, _ds = top_draft
    h = d.hotspots[0]
    draft = draft_use_case(h, d.period, "EUR", "mini")
    w = draft["pilot_window"]
    n = sample_size_per_arm(draft["business_metric"]["baseline"], draft["target"]["value"])
    assert w["sample_size_per_arm"] == n
    assert w["days"] == math.ceil(2 * n / (h["volume"] / d.period["days"]))


def test_a_draft_round_trips_through_yaml(top_draft):
    _d, draft, _ds = top_draft
    text = dump_draft(draft)
    assert yaml.safe_load(text) == draft
    assert "&id" not in text  # no YAML anchors: each part reads on its own


def test_a_transfer_hotspot_gets_the_transfer_rate_metric():
    hotspot = {
        "rank": 2, "intent": "move_home", "journey_stage": "moving_home", "channel": "voice", "channel_share": 0.7,
        "volume": 4000, "score": 60.0, "kinds": ["transfers"], "evidence": ["x"],
        "avoidable_cost_per_year": 1e5,
        "avoidable_cost_parts": {"repeat_contacts": 1.0, "channel_switches": 1.0, "transfers": 5.0},
        "baseline": {"transfer_rate": 0.4, "repeat_contact_rate_7d": 0.1},
    }
    period = {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z", "days": 59.0}
    draft = draft_use_case(hotspot, period, "EUR", "test")
    assert draft["business_metric"]["name"] == "transfer_rate"
    assert draft["target"]["value"] == pytest.approx(0.3)
    assert draft["money_at_stake"]["estimated_savings_per_year_at_target"] == pytest.approx(25000.0)


def test_a_draft_carries_a_mechanism_guardrails_the_data_measures_and_empty_owner_slots(top_draft):
    """A use case, not a slogan: the draft says what would act at the touchpoint, what must not get worse, and
    that three owners are still to be named."""
    _d, draft, _ds = top_draft
    assert draft["mechanism"]["capability"] == "real_time_guidance"
    assert draft["journey_touchpoint"]["intent"] in draft["mechanism"]["summary"]
    # The mini world has CSAT but no handle time: CSAT is guarded at its touchpoint value, AHT is left out.
    assert [g["metric"] for g in draft["guardrails"]] == ["csat_mean"]
    assert draft["guardrails"][0]["baseline"] == _d.hotspots[0]["baseline"]["csat_mean"]
    assert draft["owners"] == {"technology": None, "operations": None, "commercial": None}


def test_every_drafts_pilot_spec_is_one_cxscale_measure_reads(top_draft):
    from cxscale.measure.readout import spec_warnings
    from cxscale.measure.spec import PilotSpec
    from cxscale.metrics import builtin_catalog
    from tests.contracts import assert_follows

    d, _draft, _ds = top_draft
    catalog = builtin_catalog()
    for draft in d.use_cases:
        spec = assert_follows(PilotSpec, draft["pilot_spec"])
        assert spec.pilot == draft["id"] and spec.primary.metric == draft["business_metric"]["name"]
        assert spec.primary.target.relative == draft["target"]["relative_change"]
        assert spec.windows.post_days == draft["pilot_window"]["measurement_days"]
        assert [g.metric for g in spec.guardrails] == [g["metric"] for g in draft["guardrails"]]
        assert all(m in catalog for m in [spec.primary.metric, *(g.metric for g in spec.guardrails)])
        assert spec_warnings(spec, catalog) == []  # the target moves the metric the good way


@pytest.mark.parametrize(("kind", "metric", "capability", "guardrails"), [
    ("repeat_contacts", "repeat_contact_rate_7d", "real_time_guidance", ["csat_mean", "aht"]),
    ("transfers", "transfer_rate", "routing", ["csat_mean", "repeat_contact_rate_7d"]),
    ("outcome_failures", "no_show_rate", "proactive_outreach", ["contacts_per_customer", "csat_mean"]),
    ("low_csat", "csat_mean", "real_time_guidance", ["cost_to_serve", "aht"]),
    ("long_waits", "cost_to_serve", "routing", ["csat_mean", "repeat_contact_rate_7d"]),
])
def test_each_kind_of_friction_gets_its_metric_mechanism_and_guardrails(kind, metric, capability, guardrails):
    from cxscale.measure.spec import PilotSpec

    baseline = {"repeat_contact_rate_7d": 0.3, "transfer_rate": 0.2, "failure_rate": 0.2, "csat_mean": 3.1,
                "csat_sd": 1.1, "aht_seconds": 400.0, "cost_per_contact": 4.0, "cost_sd": 2.0}
    hotspot = {"rank": 1, "intent": "i", "journey_stage": "s", "channel": "voice", "channel_share": 1.0,
               "volume": 900, "score": 50.0, "kinds": [kind], "evidence": [], "avoidable_cost_per_year": 1e4,
               "avoidable_cost_parts": {"repeat_contacts": 1.0, "channel_switches": 0.0, "transfers": 0.0},
               "baseline": baseline}
    period = {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z", "days": 59.0}
    draft = draft_use_case(hotspot, period, "EUR", "test")
    assert draft["business_metric"]["name"] == metric and draft["mechanism"]["capability"] == capability
    assert [g["metric"] for g in draft["guardrails"]] == guardrails
    PilotSpec.model_validate(draft["pilot_spec"])
    # Without CSAT in the data, no CSAT guardrail is suggested.
    no_csat = draft_use_case({**hotspot, "baseline": {**baseline, "csat_mean": None}}, period, "EUR", "test")
    assert "csat_mean" not in [g["metric"] for g in no_csat["guardrails"]]


def test_the_documented_example_follows_the_draft_format():
    import re
    from pathlib import Path

    from cxscale.journey.schema import UseCaseDraft
    from cxscale.measure.spec import PilotSpec
    from tests.contracts import assert_follows

    page = (Path(__file__).resolve().parents[2] / "docs" / "use-case-draft.md").read_text()
    (block,) = re.findall(r"^```yaml\n(.*?)^```", page, flags=re.MULTILINE | re.DOTALL)
    draft = assert_follows(UseCaseDraft, yaml.safe_load(block))
    assert draft.mechanism is not None and draft.owners is not None and draft.guardrails
    assert_follows(PilotSpec, yaml.safe_load(block)["pilot_spec"])
