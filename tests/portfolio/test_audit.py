"""The pilot-trap audit (docs/portfolio-audit.md): each flag raised by a record built to have exactly it, a clean
initiative at every stage with none, money at stake as documented, and the ranking worst first."""

from __future__ import annotations

import pytest

from cxscale.errors import CxscaleError
from cxscale.portfolio import audit as a
from tests.portfolio.records_for_audit import (
    AS_OF,
    PEOPLE,
    days_ago,
    entry,
    initiative,
    left,
    readout,
    stored,
    world,
)


def run(*initiatives, people=PEOPLE, diagnosis=..., **options):
    return a.audit(initiatives, people, world()[0] if diagnosis is ... else diagnosis, AS_OF, **options)


@pytest.mark.parametrize("stage", ["idea", "pilot", "proof", "scale"])
def test_a_clean_initiative_has_no_flag_at_any_stage(stage):
    (found,) = run(initiative(stage=stage))
    assert found.flags == () and found.traps == () and found.unchecked == ()
    assert found.stage == stage and found.days_in_stage == 10.0


# Each case: the initiative's changes from the clean one, and the reason keys it must get (and no other): one,
# except a missing operations owner, which is both isolated (nobody owns the workflow) and unowned (an owner
# missing).
CASES = [
    (dict(problem={"journey_stage": None, "intent": None, "channel": None}), a.NO_TOUCHPOINT),
    (dict(problem={"journey_stage": "the_moon"}), a.TOUCHPOINT_WITHOUT_CONTACTS),
    (dict(owners={"operations": None}), (a.NO_OPERATIONS_OWNER, a.OWNER_MISSING)),
    (dict(capabilities=["real_time_guidance", "crystal_ball"]), a.CAPABILITY_UNUSED),
    (dict(metric=None), a.NO_BUSINESS_METRIC),
    (dict(metric={"name": "containment_rate", "direction": "higher", "target": {"relative": 0.1}}),
     a.TECHNICAL_METRIC),
    (dict(metric={"baseline": None}), a.NO_BASELINE),
    (dict(pilot_spec=None), a.NO_PILOT_SPEC),
    (dict(owners={"commercial": None}), a.OWNER_MISSING),
    (dict(owners={"commercial": "zoe"}), a.OWNER_UNKNOWN),
]


@pytest.mark.parametrize("changes,keys", CASES, ids=[k if isinstance(k, str) else "+".join(k) for _, k in CASES])
def test_a_use_case_built_with_one_trap_gets_exactly_its_reason_key(changes, keys):
    keys = (keys,) if isinstance(keys, str) else keys
    (found,) = run(initiative(**changes))
    assert found.keys == keys, [f.message for f in found.flags]
    for flag, key in zip(found.flags, keys, strict=True):
        assert flag.trap == key.split("/")[0] and flag.message and flag.clear


def test_a_missing_operations_owner_says_so_in_both_traps():
    (found,) = run(initiative(owners={"operations": None, "commercial": None}))
    assert found.traps == ("isolated", "unowned")
    missing = next(f for f in found.flags if f.key == a.OWNER_MISSING)
    assert missing.evidence == {"missing": ["operations", "commercial"]}
    assert missing.message.startswith("no operations, commercial owner named")


@pytest.mark.parametrize(("trap", "key", "expected"), [
    ("isolated", "no-touchpoint", a.NO_TOUCHPOINT), ("isolated", "no-operations-owner", a.NO_OPERATIONS_OWNER),
    ("unmeasured", "no-readout", a.NO_READOUT), ("unowned", "owner-left", a.OWNER_LEFT),
    ("unowned", "owner_missing", a.OWNER_MISSING), ("unowned", "unowned/owner-missing", a.OWNER_MISSING),
])
def test_a_planted_manifests_keys_map_to_the_audits(trap, key, expected):
    assert a.planted_key(trap, key) == expected


def test_a_planted_key_the_audit_does_not_know_is_refused():
    with pytest.raises(CxscaleError, match="unowned no-touchpoint: not a reason key of the audit"):
        a.planted_key("unowned", "no-touchpoint")


def test_the_evidence_of_a_touchpoint_without_contacts_gives_the_diagnosis_counts():
    diagnosis = world()[0]
    (found,) = run(initiative(problem={"journey_stage": "the_moon"}))
    ev = found.flags[0].evidence
    billing = next(s.volume for s in diagnosis.signals.intent if s.intent == "billing_dispute")
    assert ev["journey_stage_contacts"] is None and ev["intent_contacts"] == billing > 0
    assert f"intent 'billing_dispute' {billing:,} contacts" in found.flags[0].message


def test_a_pilot_without_a_readout_is_unmeasured():
    (found,) = run(initiative(readouts=()))
    assert found.keys == (a.NO_READOUT,)
    assert found.flags[0].evidence == {"days_in_stage": 10.0}


def test_a_readout_older_than_its_window_at_scale_is_stale():
    (found,) = run(initiative(stage="scale", since=100, readouts=(stored(readout(), days_ago(70)),)))
    assert found.keys == (a.STALE_READOUT,)
    assert found.flags[0].evidence["readout_age_days"] == 70.0 and found.flags[0].evidence["window_days"] == 56


def test_a_pilot_past_its_window_with_no_decision_since_is_unmeasured():
    (found,) = run(initiative(since=70))
    assert found.keys == (a.PAST_WINDOW,)
    assert found.flags[0].evidence["window_days"] == 56 and found.flags[0].evidence["days_in_stage"] == 70.0
    later = entry("clean", "signoff", days_ago(5))
    (decided,) = run(initiative(since=70, decisions=(entry("clean", "advance", days_ago(70), "pilot", "idea"),
                                                     later)))
    assert decided.flags == ()


def test_an_owner_who_left_is_unowned_and_named():
    (found,) = run(initiative(), people=left("carla"))
    assert found.keys == (a.OWNER_LEFT,)
    assert found.flags[0].evidence == {"roles": ["commercial"], "people": ["carla"]}
    assert "Carla Mendes" in found.flags[0].message


def test_no_decision_for_longer_than_the_limit_is_unowned_and_the_limit_is_configurable():
    idea = initiative(stage="idea", since=120)
    (found,) = run(idea)
    assert found.keys == (a.NO_DECISION,)
    assert found.flags[0].evidence["days_without_decision"] == 120.0
    (lenient,) = run(idea, stale_after_days=150)
    assert lenient.flags == ()
    recent = initiative(stage="idea", since=120, decisions=(entry("clean", "role_change", days_ago(30)),))
    assert run(recent)[0].flags == ()


def test_stopped_and_retired_initiatives_are_not_audited():
    assert run(initiative(stage="stopped", metric=None), initiative(id="old", stage="retired")) == []


def test_without_a_diagnosis_the_touchpoint_check_is_reported_as_not_run():
    (found,) = run(initiative(problem={"journey_stage": "the_moon"}), diagnosis=None)
    assert found.flags == ()
    assert found.unchecked[0].startswith(a.TOUCHPOINT_WITHOUT_CONTACTS)
    assert found.money_at_stake.amount is None and found.money_at_stake.basis == "no diagnosis given"


def test_money_at_stake_is_the_hotspots_avoidable_cost_times_the_target():
    diagnosis = world()[0]
    hot = next(h for h in diagnosis.hotspots if (h.intent, h.journey_stage) == ("billing_dispute", "billing"))
    (found,) = run(initiative())
    assert found.money_at_stake.amount == pytest.approx(hot.avoidable_cost_per_year * 0.05, abs=0.01)
    assert found.money_at_stake.currency == diagnosis.currency
    assert f"hotspot #{hot.rank}" in found.money_at_stake.basis
    (stage_only,) = run(initiative(problem={"intent": None}))
    row = next(s for s in diagnosis.signals.journey_stage if s.journey_stage == "billing")
    assert stage_only.money_at_stake.amount == pytest.approx(row.avoidable_cost_per_year * 0.05, abs=0.01)
    (absolute,) = run(initiative(metric={"target": {"absolute": -0.42}}))  # baseline 4.2: 10%
    assert absolute.money_at_stake.amount == pytest.approx(hot.avoidable_cost_per_year * 0.1, abs=0.01)
    (no_show,) = run(initiative(metric={"name": "no_show_rate", "baseline": 0.2, "target": {"relative": -0.3}}))
    assert no_show.money_at_stake.amount is None and "does not move the cost" in no_show.money_at_stake.basis


def test_the_worst_come_first_more_traps_then_more_flags_then_more_money():
    two_traps = initiative(id="two-traps", owners={"operations": None, "commercial": None})
    two_flags = initiative(id="two-flags", pilot_spec=None, metric={"baseline": None})
    big = initiative(id="big", metric={"baseline": None, "target": {"relative": -0.5}})
    small = initiative(id="small", metric={"baseline": None})
    clean = initiative(id="clean")
    found = run(clean, small, big, two_flags, two_traps)
    assert [f.initiative for f in found] == ["two-traps", "two-flags", "big", "small", "clean"]
    assert [f.rank for f in found] == [1, 2, 3, 4, 5]
    assert found[0].traps == ("isolated", "unowned")


def test_fail_on_selects_by_trap_or_reason_key_and_refuses_an_unknown_one():
    found = run(initiative(id="x", pilot_spec=None), initiative(id="y", owners={"commercial": None}),
                initiative(id="z"))
    assert [f.initiative for f in a.blocking(found, ["unmeasured"])] == ["x"]
    assert [f.initiative for f in a.blocking(found, [a.OWNER_MISSING, "isolated"])] == ["y"]
    assert [f.initiative for f in a.blocking(found, ["unowned/owner-missing"])] == ["y"]
    with pytest.raises(CxscaleError, match="not a trap or reason key: lonely"):
        a.blocking(found, ["lonely"])


def test_every_reason_key_is_documented():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "portfolio-audit.md").read_text()
    assert [k for k in a.REASON_KEYS if f"`{k}`" not in docs] == []
