"""The service that carries an initiative through its gates, on a SQLite file and on PostgreSQL: sync keeps every
version and says what it refused; gates advance only on evidence and only by people allowed to; an override waits
for the sponsor, who never approves their own proposal; sign-offs reset when the evidence changes; every decision
is a log entry with its evidence digests, and the log verifies."""

from __future__ import annotations

import pytest
import yaml

from cxscale.documents import digest
from cxscale.errors import AccessError, CxscaleError, GateError
from cxscale.portfolio import service, verify
from cxscale.portfolio.people import PersonEntry
from tests.portfolio import folio

ID = "proactive-alerts"


@pytest.fixture
def synced(store, pilot_world, tmp_path):
    world, readout, plan = pilot_world
    folder = folio.write_folder(tmp_path / "portfolio", world)
    report = service.sync(store, folder, None)
    assert report.count("added") == len(folio.PEOPLE) + 1
    return store, {p.id: p for p in service.people(store)}, folder, readout, folio.detectable(plan)


def at_pilot(synced):
    store, p, _, readout, plan = synced
    service.advance(store, ID, "pilot", "the power plan detects -5% in 56 days", p["ana.souza"], plan=plan)
    return store, p, readout


def at_proof(synced):
    store, p, readout = at_pilot(synced)
    service.attach_readout(store, ID, folio.winning(readout), p["ana.souza"])
    service.advance(store, ID, "proof", "cost to serve -8%, every guardrail holds", p["bruno.lima"])
    return store, p, readout


def test_sync_adds_then_keeps_every_version_and_reports_unchanged_changed_and_refused(synced, pilot_world):
    store, p, folder, _, _ = synced
    world = pilot_world[0]
    again = service.sync(store, folder, p["eva.council"])
    assert {i.status for i in again.items} == {"unchanged"}
    edited = folio.use_case(world, title="Proactive alerts, sharper")
    (folder / "proactive-alerts.usecase.yaml").write_text(yaml.safe_dump(edited))
    (folder / "slogan.usecase.yaml").write_text("title: Implement AI across our contact center\n")
    (folder / "typo.usecase.yaml").write_text("id: typo\nowner: {technology: ana.souza}\n")
    (folder / "twice.usecase.yaml").write_text(yaml.safe_dump(folio.use_case(world)))
    (folder / "unowned.usecase.yaml").write_text(yaml.safe_dump(folio.use_case(world, "unowned", owners=None)))
    report = {(i.id, i.status): i for i in service.sync(store, folder, p["eva.council"]).items if i.kind == "use case"}
    assert report[(ID, "changed")].version == 2
    assert "no id" in report[("slogan", "refused")].why
    assert "owner" in report[("typo", "refused")].why and "typo.usecase.yaml" in report[("typo", "refused")].why
    assert "id proactive-alerts is also the id of" in report[("twice", "refused")].why
    assert report[("unowned", "added")].why.startswith("4 lint errors")  # stored: the audit reads unowned ones
    rec = service.initiative(store, ID)
    assert (rec.version, rec.use_case.title, rec.stage) == (2, "Proactive alerts, sharper", "idea")
    assert digest(rec.use_case) != digest(folio.use_case(world)) and isinstance(rec.use_case.pilot_spec, object)


def test_a_pilot_spec_file_is_stored_inside_the_use_case_so_editing_it_is_a_new_version(store, pilot_world, tmp_path):
    world = pilot_world[0]
    doc = folio.use_case(world)
    spec = doc.pop("pilot_spec")
    folder = folio.write_folder(tmp_path / "f", world, **{ID: {**doc, "pilot_spec": "alerts.yaml"}})
    (folder / "alerts.yaml").write_text(yaml.safe_dump(spec))
    service.sync(store, folder, None)
    assert service.initiative(store, ID).use_case.pilot_spec.pilot == "proactive_alerts"  # type: ignore[union-attr]
    (folder / "alerts.yaml").write_text(yaml.safe_dump({**spec, "description": "edited"}))
    admin = service.people(store)[0]
    [item] = [i for i in service.sync(store, folder, _person(store, "eva.council")).items if i.kind == "use case"]
    assert (item.status, item.version) == ("changed", 2) and admin


def _person(store, pid):
    return next(p for p in service.people(store) if p.id == pid)


def test_idea_to_pilot_needs_the_power_plan_and_data_plans_it(synced, pilot_world):
    from cxscale.data import open_data

    store, p, _, _, plan = synced
    missing = service.check(store, ID).missing
    assert [c.name for c in missing] == ["target detectable"] and "no power plan" in missing[0].message
    on_data = service.check(store, ID, open_data(pilot_world[0]))
    assert [c.name for c in on_data.missing] == ["target detectable"]
    assert on_data.missing[0].numbers["units_needed"] == pilot_world[2].n_total
    with pytest.raises(GateError, match="refused: target detectable"):
        service.advance(store, ID, "pilot", "we believe in it", p["ana.souza"])
    outcome = service.advance(store, ID, "pilot", "the plan holds", p["ana.souza"], plan=plan)
    assert (outcome.action, outcome.from_stage, outcome.to_stage) == ("advance", "idea", "pilot")
    assert set(outcome.entry.evidence) == {"use_case", "power_plan", "gate_decision"}
    assert outcome.entry.evidence["gate_decision"] == digest(outcome.decision)  # type: ignore[arg-type]
    assert service.initiative(store, ID).stage == "pilot"


def test_a_gate_moves_one_stage_at_a_time_and_every_decision_needs_a_reason(synced):
    store, p, _, _, plan = synced
    with pytest.raises(GateError, match="next gate is idea -> pilot, not -> proof"):
        service.advance(store, ID, "proof", "skip", p["ana.souza"], plan=plan)
    with pytest.raises(GateError, match="needs a reason"):
        service.advance(store, ID, "pilot", "  ", p["ana.souza"], plan=plan)


def test_a_viewer_an_outsider_and_an_inactive_person_cannot_advance(synced):
    store, p, _, _, plan = synced
    with pytest.raises(AccessError, match="vic.viewer is a viewer and reads only"):
        service.advance(store, ID, "pilot", "r", p["vic.viewer"], plan=plan)
    with pytest.raises(AccessError, match="adam.admin may not advance proactive-alerts: only an owner"):
        service.advance(store, ID, "pilot", "r", p["adam.admin"], plan=plan)
    service.deactivate(store, "ana.souza", "left the company", p["adam.admin"])
    with pytest.raises(AccessError, match="ana.souza has left"):
        service.advance(store, ID, "pilot", "r", p["ana.souza"], plan=plan)  # the stale record is re-read
    assert service.initiative(store, ID).stage == "idea"


def test_advancing_against_the_recommendation_waits_for_the_sponsor(synced):
    store, p, readout = at_pilot(synced)
    service.attach_readout(store, ID, readout, p["ana.souza"])  # as measured: extend
    assert service.check(store, ID).recommendation.action == "extend"  # type: ignore[union-attr]
    with pytest.raises(GateError, match="daniel.rocha cannot approve their own proposal"):
        service.advance(store, ID, "proof", "the sponsor wants it", p["daniel.rocha"])
    proposed = service.advance(store, ID, "proof", "the board wants it this quarter", p["eva.council"])
    assert proposed.pending and proposed.waiting_for == "daniel.rocha" and proposed.entry.action == "propose"
    assert service.initiative(store, ID).stage == "pilot"
    with pytest.raises(AccessError, match="eva.council may not approve proactive-alerts: only the initiative's "
                                          "executive sponsor"):
        service.approve(store, ID, p["eva.council"])
    approved = service.approve(store, ID, p["daniel.rocha"])
    assert (approved.action, approved.to_stage) == ("override", "proof")
    assert approved.decision is not None and approved.decision.override
    assert (approved.decision.proposer, approved.decision.approver) == ("eva.council", "daniel.rocha")
    assert "proposed by eva.council, approved by daniel.rocha" in approved.entry.reason
    assert service.initiative(store, ID).stage == "proof" and service.proposals(store) == []
    with pytest.raises(GateError, match="no override waits"):
        service.approve(store, ID, p["daniel.rocha"])


def test_an_override_proposed_on_evidence_that_changed_is_not_approved(synced):
    store, p, readout = at_pilot(synced)
    service.attach_readout(store, ID, readout, p["ana.souza"])
    service.advance(store, ID, "proof", "the board wants it", p["eva.council"])
    service.attach_readout(store, ID, folio.edited(readout, effect_rel=-0.07), p["ana.souza"])
    with pytest.raises(GateError, match=r"the evidence changed since eva.council proposed the override \(readout\)"):
        service.approve(store, ID, p["daniel.rocha"])


def test_sign_offs_are_by_each_functions_owner_and_reset_by_a_new_readout_or_an_edited_spec(synced, pilot_world):
    store, p, readout = at_proof(synced)
    with pytest.raises(AccessError, match="only its technology owner signs off for technology"):
        service.signoff(store, ID, "technology", p["carla.mendes"])
    with pytest.raises(AccessError, match="vic.viewer is a viewer"):
        service.signoff(store, ID, "technology", p["vic.viewer"])
    for function, who in (("technology", "ana.souza"), ("operations", "bruno.lima"), ("commercial", "carla.mendes")):
        service.signoff(store, ID, function, p[who])
    held = {c.name: c.held for c in service.check(store, ID).conditions}
    assert held == {"technology sign-off": True, "operations sign-off": True, "commercial sign-off": True,
                    "proof point": False}
    service.attach_readout(store, ID, folio.edited(folio.winning(readout), effect_rel=-0.09), p["ana.souza"])
    reset = {c.name: c.message for c in service.check(store, ID).missing}
    assert reset["operations sign-off"] == ("bruno.lima's sign-off is reset: the evidence changed since (readout); "
                                            "sign again")
    service.signoff(store, ID, "operations", p["bruno.lima"])
    _, _, folder, _, _ = synced
    (folder / "proactive-alerts.usecase.yaml").write_text(yaml.safe_dump(folio.use_case(pilot_world[0],
                                                                                         title="edited")))
    service.sync(store, folder, p["eva.council"])
    assert "(use_case)" in {c.name: c.message for c in service.check(store, ID).missing}["operations sign-off"]
    with pytest.raises(GateError, match="refused: technology sign-off"):
        service.advance(store, ID, "scale", "all signed", p["eva.council"])


def test_an_owner_signs_off_only_for_one_of_their_own_functions(synced, pilot_world, tmp_path):
    store, p, _ = at_proof(synced)
    people = [dict(x, functions=["commercial"]) if x["id"] == "ana.souza" else x for x in folio.PEOPLE]
    folio.write_folder(tmp_path / "portfolio", pilot_world[0], people=people)
    service.sync(store, tmp_path / "portfolio", p["adam.admin"])
    with pytest.raises(AccessError, match="technology is not one of their functions"):
        service.signoff(store, ID, "technology", p["ana.souza"])


def test_a_sign_off_is_for_proof_only(synced):
    store, p, _, _, _ = synced
    with pytest.raises(GateError, match="is at idea: sign-offs are for the proof -> scale gate"):
        service.signoff(store, ID, "technology", p["ana.souza"])


def test_stop_needs_the_sponsor_or_the_council_and_a_reason_and_ends_the_initiative(synced):
    store, p, _, _, plan = synced
    with pytest.raises(AccessError, match="only the initiative's executive sponsor or a council member"):
        service.stop(store, ID, "no budget", p["ana.souza"])
    with pytest.raises(GateError, match="needs a reason"):
        service.stop(store, ID, " ", p["daniel.rocha"])
    stopped = service.stop(store, ID, "no budget this year", p["daniel.rocha"])
    assert (stopped.from_stage, stopped.to_stage) == ("idea", "stopped")
    with pytest.raises(GateError, match="is stopped: it moves no further"):
        service.advance(store, ID, "pilot", "r", p["ana.souza"], plan=plan)
    with pytest.raises(GateError, match="cannot be stopped"):
        service.stop(store, ID, "again", p["daniel.rocha"])


def test_a_readout_of_another_pilot_is_refused_and_the_same_one_is_kept_once(synced):
    store, p, readout = at_pilot(synced)
    other = folio.winning(readout).model_copy(update={"pilot": "ivr_greeting"})
    with pytest.raises(GateError, match="the readout is of pilot ivr_greeting, the use case's pilot spec is "
                                        "proactive_alerts"):
        service.attach_readout(store, ID, other, p["ana.souza"])
    with pytest.raises(CxscaleError, match="not a readout"):
        service.attach_readout(store, ID, {"pilot": "x"}, p["ana.souza"])
    service.attach_readout(store, ID, readout, p["ana.souza"])
    service.attach_readout(store, ID, readout, p["bruno.lima"])
    assert len(service.initiative(store, ID).readouts) == 1


def test_every_decision_is_a_log_entry_with_evidence_digests_and_the_log_verifies(synced):
    store, p, readout = at_proof(synced)
    service.signoff(store, ID, "technology", p["ana.souza"])
    record = service.initiative(store, ID)
    assert [e.action for e in record.decisions] == ["advance", "advance", "signoff"]
    advance = record.decisions[1]
    assert advance.evidence["readout"] == record.latest_readout.digest == digest(folio.winning(readout))  # type: ignore[union-attr]
    assert advance.evidence["use_case"] == digest(record.use_case)
    result = verify(store)
    assert result.ok and result.size == len(folio.PEOPLE) + 3


def test_people_changes_need_an_admin_once_one_can_sign_in(synced, pilot_world, tmp_path):
    store, p, _, _, _ = synced
    assert service.bootstrapping(store)  # no admin can sign in yet: no token, no os_user
    service.issue_token(store, "adam.admin", None)
    assert not service.bootstrapping(store)
    with pytest.raises(AccessError, match="no credential: only an admin may make a token for ana.souza"):
        service.issue_token(store, "ana.souza", None)
    with pytest.raises(AccessError, match="bruno.lima may not manage people"):
        service.issue_token(store, "ana.souza", p["bruno.lima"])
    assert service.issue_token(store, "bruno.lima", p["bruno.lima"]).startswith("cxs_")  # their own
    people = [dict(x, roles=["council"]) if x["id"] == "vic.viewer" else x for x in folio.PEOPLE]
    folio.write_folder(tmp_path / "portfolio", pilot_world[0], people=people)
    refused = [i for i in service.sync(store, tmp_path / "portfolio", p["eva.council"]).items if i.status != "unchanged"]
    assert [(i.id, i.status) for i in refused] == [("vic.viewer", "refused")]
    assert "only an admin" in refused[0].why
    changed = [i for i in service.sync(store, tmp_path / "portfolio", p["adam.admin"]).items if i.status != "unchanged"]
    assert [(i.id, i.status) for i in changed] == [("vic.viewer", "changed")]
    entry = service.initiative  # noqa: F841
    assert _person(store, "vic.viewer").roles == ("council",)
    with pytest.raises(AccessError, match="no credential"):
        service.sync(store, tmp_path / "portfolio", None)
    with pytest.raises(AccessError, match="ana.souza may not sync"):
        service.sync(store, tmp_path / "portfolio", p["ana.souza"])
    added = service.add_person(store, PersonEntry(id="zoe.new", name="Zoë New", roles=["viewer"]), p["adam.admin"])
    assert (added.action, added.subject, added.actor) == ("role_change", "person:zoe.new", "adam.admin")


def _to_scale(store) -> None:
    """From proof to scale. The proof -> scale gate cannot pass until proof points exist (its `proof point`
    condition), so the test takes that gate's place with the log entry the gate will write: the stage is the
    log's."""
    from cxscale.portfolio import append

    append(store, actor="daniel.rocha", action="advance", subject=ID, reason="scaled (the proof-point gate's place)",
           from_stage="proof", to_stage="scale", evidence={"use_case": digest(service.initiative(store, ID).use_case)})
    assert service.initiative(store, ID).stage == "scale"


def test_only_a_scaled_capability_retires_by_its_sponsor_or_the_council_for_a_reason(synced):
    store, p, _ = at_proof(synced)
    with pytest.raises(GateError, match=r"refused: at scale: at proof, not at scale: only a scaled capability is "
                                        r"retired \(stop it instead\)"):
        service.retire(store, ID, "replaced", p["daniel.rocha"])
    _to_scale(store)
    with pytest.raises(AccessError, match="carla.mendes may not retire proactive-alerts: only the initiative's "
                                          "executive sponsor or a council member may"):
        service.retire(store, ID, "replaced", p["carla.mendes"])
    with pytest.raises(GateError, match="needs a reason"):
        service.retire(store, ID, "  ", p["daniel.rocha"])
    outcome = service.retire(store, ID, "replaced by outage alerts", p["daniel.rocha"])
    e = outcome.entry
    assert (outcome.action, outcome.from_stage, outcome.to_stage) == ("retire", "scale", "retired")
    assert (e.action, e.actor, e.from_stage, e.to_stage, e.reason) == ("retire", "daniel.rocha", "scale", "retired",
                                                                         "replaced by outage alerts")
    assert set(e.evidence) == {"use_case", "readout", "gate_decision"}
    assert service.initiative(store, ID).stage == "retired" and verify(store).ok
    with pytest.raises(GateError, match="retired already: it is an end"):
        service.retire(store, ID, "again", p["eva.council"])
    with pytest.raises(GateError, match="retired cannot be stopped"):
        service.stop(store, ID, "again", p["eva.council"])


def test_sync_lists_use_cases_whose_file_is_gone_and_deletes_nothing(synced, pilot_world):
    store, p, folder, _, plan = synced
    world = pilot_world[0]
    (folder / "second.usecase.yaml").write_text(yaml.safe_dump(folio.use_case(world, "second")))
    (folder / "third.usecase.yaml").write_text(yaml.safe_dump(folio.use_case(world, "third")))
    service.sync(store, folder, p["eva.council"])
    service.advance(store, ID, "pilot", "the plan holds", p["ana.souza"], plan=plan)
    service.stop(store, "third", "folded into proactive-alerts", p["daniel.rocha"])
    for name in ("proactive-alerts", "third"):
        (folder / f"{name}.usecase.yaml").unlink()
    (folder / "second.usecase.yaml").write_text("id: second\nnot: [valid\n")  # broken, not gone
    report = service.sync(store, folder, p["eva.council"])
    missing = {i.id: i for i in report.items if i.status == "missing"}
    assert sorted(missing) == [ID, "third"] and report.count("missing") == 2 == report.to_json()["missing"]
    assert missing[ID].why == (f"in the store (version 1) but in no file of the folder; it is at pilot: restore its "
                               f"file (git history: {folder / 'proactive-alerts.usecase.yaml'}), or end it "
                               f"(cxscale stop {ID} --reason)")
    assert missing["third"].why.endswith("it is stopped: nothing to do (its history stays in the store)")
    assert [i.id for i in report.items if i.status == "refused"] == ["second"]
    assert {i.id for i in service.initiatives(store)} == {ID, "second", "third"}
    assert service.initiative(store, ID).stage == "pilot" and verify(store).ok
