"""Use-case drafts: metric, baseline, target and the pilot window, written as YAML."""

from __future__ import annotations

import math

import pytest
import yaml

from cxscale.data.dataset import Dataset
from cxscale.journey import diagnose, draft_use_case, dump_draft
from cxscale.journey.planning import pilot_window, sample_size_per_arm
from cxscale.metrics import builtin_catalog
from tests.journey.tables import a_hotspot, a_period, mini_world


def test_sample_size_for_two_proportions_matches_the_textbook_value():
    # 50% -> 40%, alpha 5% two-sided, power 80%: 385 per arm (Fleiss' formula without continuity correction).
    assert sample_size_per_arm(0.5, 0.4) == 385


def test_sample_size_for_two_means_matches_the_textbook_value():
    # Half a standard deviation: 63 per arm.
    assert sample_size_per_arm(4.0, 4.5, sd=1.0) == 63


def test_the_window_is_the_days_of_traffic_both_arms_need():
    w = pilot_window(0.5, 0.4, units_per_day=77.0)
    assert w.days == math.ceil(2 * 385 / 77.0) == 10


@pytest.fixture(scope="module")
def top_draft():
    from cxscale.engine import connect

    con = connect("duckdb")
    ds = Dataset(con, {"interactions": con.create_table("mini", mini_world())}, "mini")
    d = diagnose(ds, currency="EUR")
    return d, d.use_cases[0].as_json(), ds


def test_the_top_hotspot_becomes_a_draft_with_a_measured_baseline(top_draft):
    d, draft, _ds = top_draft
    h = d.hotspots[0]
    assert draft["journey_touchpoint"]["intent"] == h.intent
    assert draft["business_metric"]["name"] == "repeat_contact_rate_7d"
    assert draft["business_metric"]["baseline"] == h.baseline.repeat_contact_rate_7d
    assert draft["target"]["value"] == pytest.approx(0.8 * draft["business_metric"]["baseline"], rel=1e-4)
    assert draft["money_at_stake"]["currency"] == "EUR"
    assert draft["evidence"] == h.evidence


def _check_drafts_against_plans(d, ds) -> set[bool]:
    """Every draft, planned over the top touchpoints' cached contacts, equals the plan over the whole data: its
    window when the plan is feasible, none (and the plan's reason) when not. Returns the feasibilities seen."""
    from cxscale.journey.diagnosis import touchpoint
    from cxscale.measure import power

    seen = set()
    for h, written in zip(d.hotspots, d.use_cases, strict=False):
        draft = written.as_json()
        metric, w, size = draft["business_metric"]["name"], draft["pilot_window"], draft["pilot_size"]
        if size["unit"] == "contact":
            continue  # the plan could not be made: the window over contacts (test_without_a_power_plan...)
        plan = power.plan_pilot(touchpoint(ds, h.intent, h.journey_stage), metric,
                                draft["target"]["relative_change"])
        assert size == {"feasible": plan.feasible, "unit": "customer", "needed": plan.n_total,
                        "population": plan.population, "units_available": plan.units_available,
                        "max_days": 365, "mde_relative_all_units": plan.mde_relative_all_units,
                        "mde_abs_all_units": plan.mde_abs_all_units, "note": plan.note}
        seen.add(plan.feasible)
        if plan.feasible:
            assert w["sample_size_per_arm"] == plan.n_per_arm
            assert w["days"] == math.ceil(plan.days_total) <= 365
        else:
            assert w is None and plan.days_total is None and size["note"].startswith("not feasible")
        # The draft's pilot spec is scoped to the touchpoint: its readout reads the contacts the plan read, so the
        # plan's baseline is the metric as the readout will compute it.
        scope = draft["pilot_spec"]["scope"]
        assert scope == {"intent": [h.intent], "journey_stage": [h.journey_stage]}
        if builtin_catalog().get(metric).source == "interactions":
            at_scope = power.plan_pilot(ds.at(scope), metric, draft["target"]["relative_change"])
            assert plan.baseline == pytest.approx(at_scope.baseline, rel=1e-12)
            if w is not None:
                assert w["baseline_per_unit"] == plan.baseline
    return seen


def test_the_draft_pilot_window_comes_from_the_measurement_engines_power_plan(top_draft):
    d, _draft, ds = top_draft
    assert len(d.use_cases) == 3
    assert _check_drafts_against_plans(d, ds) == {False}  # 1,500 customers: no -20% is detectable in a year


def test_a_larger_world_gets_windows_from_the_power_plan():
    from cxscale.engine import connect

    con = connect("duckdb")
    ds = Dataset(con, {"interactions": con.create_table("mini", mini_world(customers=30000))}, "mini")
    assert _check_drafts_against_plans(diagnose(ds, currency="EUR"), ds) == {True}


def test_help_desk_drafts_carry_the_warning_instead_of_a_pilot_of_millions_of_days(tmp_path):
    """Issue 18: on the help-desk log a draft asked for 1,312,181 customers per arm over 2,161,268 days. A window
    longer than a year is not feasible: the draft has none, and its pilot_size says so and what the customers a
    year can enrol would detect, which is power_plan's minimum detectable effect for them."""
    from typer.testing import CliRunner

    from cxscale.cli import app
    from cxscale.data import open_data
    from cxscale.documents.use_case_draft import UseCaseDraft
    from cxscale.journey.diagnosis import touchpoint
    from cxscale.measure.power import plan_pilot
    from cxscale.stats import power_plan
    from tests.conftest import shared_data
    from tests.contracts import assert_follows

    data = shared_data("eventlogs")
    res = CliRunner().invoke(app, ["diagnose", "--data", str(data), "--mapping", "helpdesk", "--use-cases",
                                   str(tmp_path)])
    assert res.exit_code == 0, res.output
    ds = open_data(data / "helpdesk.csv", mapping="helpdesk", validate=False)
    drafts = {u.id: u.as_json() for u in diagnose(ds).use_cases}
    draft = drafts["uc-activity-1-help-desk-repeat-contact-rate-7d"]
    assert_follows(UseCaseDraft, draft)
    size = draft["pilot_size"]
    assert draft["pilot_window"] is None and size["feasible"] is False and size["needed"] > 2_000_000
    assert size["note"].startswith("not feasible within 365 days") and f"{size['needed']:,} customers" in size["note"]
    assert all(d["pilot_window"] is None or d["pilot_window"]["days"] <= 365 for d in drafts.values())
    text = " ".join(res.stdout.split())
    assert "2161268 days" not in text and f"pilot for {draft['id']}: {size['note']}" in text
    # The written use case says so on top, in the same words.
    header = (tmp_path / f"{draft['id']}.usecase.yaml").read_text().split("\nusecase_version:")[0]
    assert " ".join(header.replace("# ", "").split()).endswith(" ".join(size["note"].split()))
    plan = plan_pilot(touchpoint(ds, "activity_1", "help_desk"), "repeat_contact_rate_7d", -0.2)
    assert size["units_available"] == plan.units_available < plan.population + 365 * 2  # a year's customers
    want = power_plan(plan.baseline, plan.sd_per_unit, n_per_arm=plan.units_available / 2)
    assert size["mde_abs_all_units"] == pytest.approx(want.mde_abs, rel=1e-9)
    # More than the whole rate: no reduction is detectable, and the note says so rather than "-812%".
    assert size["mde_relative_all_units"] > 1 and "no reduction is detectable" in size["note"]


def test_without_a_power_plan_the_window_follows_from_the_touchpoint_volume(top_draft):
    d, _draft, _ds = top_draft
    h = d.hotspots[0]
    draft = draft_use_case(h, d.period, "EUR", "mini").as_json()
    w = draft["pilot_window"]
    n = sample_size_per_arm(draft["business_metric"]["baseline"], draft["target"]["value"])
    assert w["sample_size_per_arm"] == n
    assert w["days"] == math.ceil(2 * n / (h.volume / d.period.days))


def test_a_draft_round_trips_through_yaml(top_draft):
    d, draft, _ds = top_draft
    text = dump_draft(d.use_cases[0])
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
    draft = draft_use_case(a_hotspot(**hotspot), a_period(**period), "EUR", "test").as_json()
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
    assert draft["guardrails"][0]["baseline"] == _d.hotspots[0].baseline.csat_mean
    assert draft["owners"] == {"technology": None, "operations": None, "commercial": None}


def test_every_drafts_pilot_spec_is_one_cxscale_measure_reads(top_draft):
    from cxscale.documents.pilot_spec import PilotSpec
    from cxscale.measure.readout import spec_warnings
    from cxscale.metrics import builtin_catalog
    from tests.contracts import assert_follows

    d, _draft, _ds = top_draft
    catalog = builtin_catalog()
    for written in d.use_cases:
        draft = written.as_json()
        spec = assert_follows(PilotSpec, draft["pilot_spec"])
        assert spec.pilot == draft["id"] and spec.primary.metric == draft["business_metric"]["name"]
        assert spec.primary.target.relative == draft["target"]["relative_change"]
        assert spec.windows.post_days == ((draft["pilot_window"] or {}).get("measurement_days") or 28)
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
    from cxscale.documents.pilot_spec import PilotSpec

    baseline = {"repeat_contact_rate_7d": 0.3, "transfer_rate": 0.2, "failure_rate": 0.2, "csat_mean": 3.1,
                "csat_sd": 1.1, "aht_seconds": 400.0, "cost_per_contact": 4.0, "cost_sd": 2.0}
    hotspot = {"rank": 1, "intent": "i", "journey_stage": "s", "channel": "voice", "channel_share": 1.0,
               "volume": 900, "score": 50.0, "kinds": [kind], "evidence": [], "avoidable_cost_per_year": 1e4,
               "avoidable_cost_parts": {"repeat_contacts": 1.0, "channel_switches": 0.0, "transfers": 0.0},
               "baseline": baseline}
    period = {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z", "days": 59.0}
    draft = draft_use_case(a_hotspot(**hotspot), a_period(**period), "EUR", "test").as_json()
    assert draft["business_metric"]["name"] == metric and draft["mechanism"]["capability"] == capability
    assert [g["metric"] for g in draft["guardrails"]] == guardrails
    PilotSpec.model_validate(draft["pilot_spec"])
    # Without CSAT in the data, no CSAT guardrail is suggested.
    no_csat = draft_use_case(a_hotspot(**{**hotspot, "baseline": {**baseline, "csat_mean": None}}), a_period(**period),
                             "EUR", "test").as_json()
    assert "csat_mean" not in [g["metric"] for g in no_csat["guardrails"]]


def test_the_documented_example_follows_the_draft_format():
    import re
    from pathlib import Path

    from cxscale.documents.pilot_spec import PilotSpec
    from cxscale.documents.use_case import UseCase
    from cxscale.documents.use_case_draft import UseCaseDraft
    from cxscale.portfolio.lint import lint_use_case
    from tests.contracts import assert_follows

    page = (Path(__file__).resolve().parents[2] / "docs" / "use-case-draft.md").read_text()
    use_case, block = re.findall(r"^```yaml\n(.*?)^```", page, flags=re.MULTILINE | re.DOTALL)
    uc = assert_follows(UseCase, yaml.safe_load(use_case))
    assert _lint_rules(lint_use_case(uc)) == _OWNER_FINDINGS
    draft = assert_follows(UseCaseDraft, yaml.safe_load(block))
    assert draft.mechanism is not None and draft.owners is not None and draft.guardrails
    assert_follows(PilotSpec, yaml.safe_load(block)["pilot_spec"])


def test_a_window_over_contacts_longer_than_a_year_is_not_feasible():
    """The fallback over contacts (no power plan) is capped too: 4 contacts a day cannot show a -25% transfer rate
    within a year, so the draft has no window and says what a year's 1,460 contacts would detect."""
    from cxscale.stats import power_plan

    hotspot = {"rank": 1, "intent": "i", "journey_stage": "s", "channel": "voice", "channel_share": 1.0,
               "volume": 236, "score": 50.0, "kinds": ["transfers"], "evidence": [], "avoidable_cost_per_year": 1e4,
               "avoidable_cost_parts": {"repeat_contacts": 0.0, "channel_switches": 0.0, "transfers": 1.0},
               "baseline": {"transfer_rate": 0.05}}
    period = {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z", "days": 59.0}
    draft = draft_use_case(a_hotspot(**hotspot), a_period(**period), "EUR", "test").as_json()
    size = draft["pilot_size"]
    assert draft["pilot_window"] is None and size["feasible"] is False and size["units_available"] == 1460
    assert size["note"].startswith("not feasible within 365 days") and "1,460 contacts of 365 days" in size["note"]
    want = power_plan(0.95, n_per_arm=730, proportion=True)  # a fall of the 5% rate is a rise of the 95%
    assert size["mde_abs_all_units"] == pytest.approx(want.mde_abs) and size["mde_relative_all_units"] < 1


# --- the drafts as use cases (usecase_version 1) ----------------------------------------------------------------


def _lint_rules(findings) -> list[tuple[str, str, str]]:
    return sorted((f.rule, f.severity, f.path) for f in findings)


_OWNER_FINDINGS = sorted(("no-owner", "error", f"owners.{r}")
                         for r in ("technology", "operations", "commercial", "executive_sponsor"))


def test_diagnose_writes_use_cases_that_lint_with_only_their_owners_missing(top_draft, tmp_path):
    """Each draft is written as <id>.usecase.yaml, the portfolio's document, beside its pilot spec: the problem and
    evidence come from the hotspot, the rest as drafted, and the lint reports exactly what a person must fill (the
    four owners), plus, with the data, the undetectable target the draft's own plan found."""
    from cxscale.documents.use_case import UseCase, load_use_case
    from cxscale.journey import write_drafts
    from cxscale.portfolio.lint import lint_file, resolve_pilot_spec
    from tests.contracts import assert_follows

    d, _draft, ds = top_draft
    paths = write_drafts(d.use_cases, tmp_path, d.hotspots, diagnosis="diagnosis.json")
    assert [p.name for p in paths] == [f"{u.id}.usecase.yaml" for u in d.use_cases]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [p.name for p in paths] + [f"{u.id}.pilot.yaml" for u in d.use_cases])
    for path, draft, h in zip(paths, d.use_cases, d.hotspots, strict=False):
        text = path.read_text()
        assert text.startswith("# A use case drafted by `cxscale diagnose` from hotspot #")
        assert "owners (technology, operations, commercial, executive_sponsor)" in text
        uc = load_use_case(path)
        assert_follows(UseCase, yaml.safe_load(text))
        p = uc.problem
        assert (p.journey_stage, p.intent, p.channel) == (h.journey_stage, h.intent, h.channel)
        assert p.evidence.diagnosis == "diagnosis.json" and p.evidence.hotspot_rank == h.rank
        assert p.evidence.figures["contacts"] == h.volume and p.evidence.figures["score"] == h.score
        assert p.evidence.figures[draft.business_metric.name] == draft.business_metric.baseline
        assert uc.metric.name == draft.business_metric.name and uc.metric.baseline == draft.business_metric.baseline
        assert uc.metric.target.relative == draft.target.relative_change
        assert uc.capabilities == [draft.mechanism.capability] and uc.mechanism == draft.mechanism.summary
        assert [g.metric for g in uc.guardrails] == [g.metric for g in draft.guardrails]
        assert resolve_pilot_spec(uc, path) == draft.pilot_spec
        assert uc.metric.window_days == draft.pilot_spec.windows.post_days
        assert uc.owners.model_dump() == dict.fromkeys(("technology", "operations", "commercial",
                                                        "executive_sponsor"))
        assert _lint_rules(lint_file(path)) == _OWNER_FINDINGS
        # 1,500 customers: the draft's plan found the -20% undetectable in a year, and so does the lint, once.
        assert draft.pilot_size.feasible is False and "The target as drafted is not detectable" in text
        assert _lint_rules(lint_file(path, data=ds)) == sorted(
            [*_OWNER_FINDINGS, ("undetectable-target", "error", "metric.target")])


def test_drafted_use_cases_with_a_detectable_target_lint_with_only_their_owners_missing(tmp_path):
    from cxscale.engine import connect
    from cxscale.journey import write_drafts
    from cxscale.portfolio.lint import lint_file

    con = connect("duckdb")
    ds = Dataset(con, {"interactions": con.create_table("mini", mini_world(customers=30000))}, "mini")
    d = diagnose(ds, currency="EUR")
    paths = write_drafts(d.use_cases, tmp_path, d.hotspots)
    assert all(u.pilot_size.feasible for u in d.use_cases)
    planned = 0
    for path, draft in zip(paths, d.use_cases, strict=True):
        text = path.read_text()
        assert "The target as drafted is not detectable" not in text
        # The number says so: a draft whose window is the fallback over contacts had no power plan on the data,
        # and neither has the lint (its header says that too).
        fallback = draft.pilot_size.unit == "contact"
        assert ("No power plan could be made" in text) is fallback
        extra = [("undetectable-target", "error", "metric.target")] if fallback else []
        assert _lint_rules(lint_file(path, data=ds)) == sorted([*_OWNER_FINDINGS, *extra])
        planned += not fallback
    assert planned == 2


def test_without_its_hotspot_a_use_case_keeps_the_drafts_own_figures_and_embeds_its_spec(top_draft):
    from cxscale.journey import dump_use_case, use_case_of
    from cxscale.portfolio.lint import lint_use_case

    d, _draft, _ds = top_draft
    draft = d.use_cases[0]
    uc = use_case_of(draft)
    assert uc.pilot_spec == draft.pilot_spec and uc.problem.evidence.diagnosis == "mini"
    assert uc.problem.evidence.figures[draft.business_metric.name] == draft.business_metric.baseline
    assert _lint_rules(lint_use_case(uc)) == _OWNER_FINDINGS
    assert yaml.safe_load(dump_use_case(uc))["owners"] == {"technology": None, "operations": None,
                                                           "commercial": None, "executive_sponsor": None}
