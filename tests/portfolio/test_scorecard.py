"""The mastery scorecard (docs/portfolio-audit.md#the-scorecard): a portfolio built for each level of each dimension
reaches exactly that level, the checks carry their numbers and what would raise the level, and stored evaluations
give the trend quarter on quarter (a SQLite file)."""

from __future__ import annotations

import pytest

from cxscale.errors import CxscaleError
from cxscale.portfolio.log import Verification
from cxscale.portfolio.records import Person
from cxscale.portfolio.scorecard import (
    LEVELS,
    evaluate,
    evaluations,
    proven_value,
    quarter_bounds,
    quarter_of,
    realised_value,
    save_evaluation,
    trend,
)
from cxscale.portfolio.store import downgrade, open_store, upgrade
from tests.portfolio.records_for_audit import (
    AS_OF,
    PEOPLE,
    days_ago,
    entry,
    initiative,
    readout,
    stored,
    world,
)

OK = Verification(ok=True, size=3, head="0" * 64)


def card(*initiatives, people=PEOPLE, verification=OK, diagnosis=..., as_of=AS_OF, quarter=None):
    return evaluate(initiatives, people, world()[0] if diagnosis is ... else diagnosis, verification, as_of,
                    quarter)


def scaled(id, stage="billing", **changes):
    return initiative(id=id, stage="scale", problem={"journey_stage": stage}, **changes)


# --- embedded --------------------------------------------------------------------------------------------------


def test_embedded_levels_follow_the_stages_and_cost_touched_at_scale():
    diagnosis = world()[0]
    cost = {s.journey_stage: s.cost for s in diagnosis.signals.journey_stage}
    assert len(cost) == 7  # billing, technical, onboarding, account, retention, sales, moving_home
    assert card(initiative(id="p")).level("embedded") == 0
    assert card(scaled("s", "sales")).level("embedded") == 1  # 1 of 7 stages
    two = card(scaled("a", "billing"), scaled("b", "technical"))  # 2 of 7 stages: 29%
    assert two.level("embedded") == 2
    checks = {(c.name, c.level): c for d in two.dimensions if d.dimension == "embedded" for c in d.checks}
    share = (cost["billing"] + cost["technical"]) / sum(cost.values())
    assert checks[("cost-to-serve touched", 2)].numbers["value"] == pytest.approx(share)
    assert checks[("stages touched", 3)].numbers["value"] == pytest.approx(2 / 7)
    assert [c.name for c in next(d for d in two.dimensions if d.dimension == "embedded").to_raise] == \
        ["stages touched"] + (["cost-to-serve touched"] if share < 0.5 else [])
    four = card(*(scaled(s, s) for s in ("billing", "technical", "onboarding", "account")))
    assert four.level("embedded") == 3


def test_embedded_without_a_diagnosis_is_level_0_and_says_why():
    d = next(d for d in card(scaled("a"), diagnosis=None).dimensions if d.dimension == "embedded")
    assert d.level == 0 and all("no diagnosis" in c.message for c in d.checks)


# --- aligned ---------------------------------------------------------------------------------------------------


def _proven_then_realised(id="s"):
    return scaled(id, readouts=(stored(readout(verdict="proven"), days_ago(40)), stored(readout(), days_ago(5))),
                  since=30)


def test_aligned_levels_follow_targets_baselines_readouts_and_money():
    assert card(initiative(id="a", metric=None), initiative(id="b", metric=None)).level("aligned") == 0
    assert card(initiative(id="a"), initiative(id="b"), initiative(id="c", metric=None)).level("aligned") == 1
    assert card(initiative(id="a"), initiative(id="b"), initiative(id="i", stage="idea")).level("aligned") == 2
    no_readout = card(initiative(id="a"), initiative(id="b", readouts=()))  # half the pilots read out
    assert no_readout.level("aligned") == 1
    top = card(initiative(id="a"), _proven_then_realised())
    assert top.level("aligned") == 3
    checks = {c.name: c for d in top.dimensions if d.dimension == "aligned" for c in d.checks}
    annual = readout().value.annual
    assert checks["value proven"].numbers["value"] == pytest.approx(annual, abs=0.01)
    assert checks["value realised"].numbers["value"] == pytest.approx(annual, abs=0.01)


def test_value_proven_is_the_proven_readout_before_scale_and_realised_the_one_since():
    s = scaled("s", since=30, readouts=(stored(readout(verdict="proven"), days_ago(40)),
                                        stored(readout(value=readout().value.model_copy(update={"annual": 5.0})),
                                               days_ago(5))))
    assert proven_value(s).annual == pytest.approx(readout().value.annual)
    assert realised_value(s).annual == 5.0
    assert proven_value(initiative(stage="pilot", readouts=(stored(readout(verdict="proven"), days_ago(1)),))) is None
    assert realised_value(scaled("t", since=30, readouts=(stored(readout(), days_ago(40)),))) is None


# --- augmenting ------------------------------------------------------------------------------------------------


def test_augmenting_levels_follow_assisting_capabilities_and_outcomes_held():
    deflect = dict(capabilities=["proactive_outreach"])
    assert card(initiative(id="a", **deflect)).level("augmenting") == 0
    assert card(initiative(id="a")).level("augmenting") == 1  # real-time guidance piloted, nothing at scale
    assert card(initiative(id="a"), scaled("s", **deflect)).level("augmenting") == 1  # only deflects at scale
    unguarded = readout(metrics=[m for m in readout().metrics if m.role != "guardrail"])
    assert card(scaled("s", readouts=(stored(unguarded, days_ago(5)),))).level("augmenting") == 2
    csat = next(m for m in readout().metrics if m.name == "csat_mean")
    assert csat.role == "guardrail" and csat.guardrail_status != "breached"
    half = card(scaled("s"), scaled("t", capabilities=["proactive_outreach", "routing"]))  # 2 of 3 assist
    assert half.level("augmenting") == 3
    breached = readout(metrics=[m.model_copy(update={"guardrail_status": "breached"}) if m is csat else m
                                for m in readout().metrics])
    worse = card(scaled("s", readouts=(stored(breached, days_ago(5)),)))
    assert worse.level("augmenting") == 2
    held = next(c for d in worse.dimensions if d.dimension == "augmenting" for c in d.checks
                if c.name == "outcomes held")
    assert held.numbers["breached"] == ["s: csat_mean"]


# --- governed --------------------------------------------------------------------------------------------------

ERIN = Person("erin", "Erin Ng", ("commercial",), active=False)


def test_governed_levels_follow_the_log_owners_decisions_and_overrides():
    four = [initiative(id=f"i{n}") for n in range(4)]
    assert card(*four, verification=None).level("governed") == 0
    bad = Verification(ok=False, size=3, head="0" * 64, first_bad=2, kind="edited", reason="entry 2 was edited")
    assert card(*four, verification=bad).level("governed") == 0
    half = [initiative(id=f"i{n}", owners={"commercial": None, "executive_sponsor": None}) for n in range(4)]
    assert card(*half).level("governed") == 1  # 8 of 16 owner places
    unlogged = [*four[:3], initiative(id="i3", decisions=())]
    assert card(*unlogged).level("governed") == 1  # 3 of 4 stages entered by a logged decision
    one_left = [*four[:3], initiative(id="i3", owners={"commercial": "erin"})]
    assert card(*one_left, people=(*PEOPLE, ERIN)).level("governed") == 2  # 15 of 16
    assert card(*four).level("governed") == 3  # every owner active, every stage logged, 0 of 4 overrides
    override = initiative(id="o", decisions=(entry("o", "override", days_ago(10), "pilot", "idea"),))
    assert card(*four, override).level("governed") == 3  # 1 of 5 stage decisions
    two = [*four[:2], override, initiative(id="p", decisions=(entry("p", "override", days_ago(10), "pilot", "idea"),))]
    g = next(d for d in card(*two).dimensions if d.dimension == "governed")
    assert g.level == 2 and [c.name for c in g.to_raise] == ["overrides rare"]
    assert "2 of 4 stage decisions (50.0%, at most 20.0%)" in g.to_raise[0].message


def test_a_portfolio_with_no_decision_at_all_is_not_governed_beyond_level_1():
    g = next(d for d in card(initiative(id="i", stage="idea")).dimensions if d.dimension == "governed")
    assert g.level == 1 and {c.name for c in g.to_raise} == {"decisions logged"}


# --- levels are cumulative -------------------------------------------------------------------------------------


def test_a_level_needs_every_check_below_it():
    # Every owner is named and no override, but the log does not verify: level 0 whatever holds above it.
    bad = Verification(ok=False, size=1, head="0" * 64, first_bad=1, kind="edited", reason="entry 1 was edited")
    g = next(d for d in card(initiative(id="i"), verification=bad).dimensions if d.dimension == "governed")
    assert g.level == 0
    assert all(c.held for c in g.checks if c.name != "log verifies" and c.level <= 2)
    assert LEVELS[g.level] == "none"


# --- stored, with a trend --------------------------------------------------------------------------------------


def test_two_stored_evaluations_give_the_trend_quarter_on_quarter(tmp_path):
    store = open_store(tmp_path / "portfolio.db")
    try:
        assert evaluations(store) == []
        q2 = card(initiative(id="a"), as_of=days_ago(90), quarter="2026Q2")
        q3 = card(initiative(id="a"), _proven_then_realised(), as_of=AS_OF)
        save_evaluation(store, q3)
        save_evaluation(store, q2)
    finally:
        store.close()
    reopened = open_store(tmp_path / "portfolio.db")
    try:
        history = evaluations(reopened)
    finally:
        reopened.close()
    assert [c.quarter for c in history] == ["2026Q2", "2026Q3"]
    assert history[1] == q3
    assert trend(history) == [("2026Q2", {d.dimension: d.level for d in q2.dimensions}),
                              ("2026Q3", {d.dimension: d.level for d in q3.dimensions})]
    assert trend(history)[0][1]["aligned"] == 2 and trend(history)[1][1]["aligned"] == 3


def test_the_scorecard_migration_goes_down_and_up_again(tmp_path):
    store = open_store(tmp_path / "portfolio.db")
    try:
        save_evaluation(store, card(initiative()))
        downgrade(store, "0002")
        from sqlalchemy import inspect

        assert "scorecard_evaluations" not in inspect(store.engine).get_table_names()
        upgrade(store)
        assert evaluations(store) == []
    finally:
        store.close()


def test_quarters():
    assert quarter_of(AS_OF) == "2026Q3"
    start, end = quarter_bounds("2026Q4")
    assert (start.month, end.year, end.month) == (10, 2027, 1)
    with pytest.raises(CxscaleError, match="2026Q5"):
        quarter_bounds("2026Q5")
