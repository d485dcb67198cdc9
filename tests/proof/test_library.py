"""The proof-point library on SQLite and PostgreSQL: filters, full-text search (FTS5, tsvector), learnings, the
decision-log entry and the proof -> scale condition, the index page, and the migration up, down and up again."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents import ProofPoint, digest
from cxscale.portfolio import entries, proof_to_scale, sign_off, verify
from cxscale.portfolio.store import downgrade, upgrade
from cxscale.proof.library import add_learning, index_html, learnings, list_proofs, record_proof
from tests.proof.conftest import OWNERS, use_case_of

runner = CliRunner()


def _other(world) -> ProofPoint:  # type: ignore[no-untyped-def]
    """A second proof point: the same evidence packaged for an IVR initiative at onboarding, built later."""
    uc = use_case_of(world.spec, id="ivr-onboarding", title="A friendlier IVR at onboarding",
                     capabilities=["ivr_routing"], mechanism="The IVR greets callers by name and routes them.",
                     problem={"journey_stage": "onboarding", "intent": "activation", "channel": "phone"},
                     owners={**OWNERS, "technology": "Eva Noor"})
    return world.proof.model_copy(update={"id": "ivr-onboarding", "title": uc.title, "use_case": uc,
                                          "built_at": "2027-02-01T08:00:00Z"})


def test_filters_and_full_text_search_find_the_right_proof_points(world, store):
    first, second = world.proof, _other(world)
    for p in (first, second):
        record_proof(store, p, actor="ana")
    ids = lambda **f: [x.initiative for x in list_proofs(store, **f)]  # noqa: E731
    assert ids() == ["ivr-onboarding", "agent-assist"]  # newest first
    assert ids(journey_stage="billing") == ids(intent="billing_dispute") == ids(channel="voice") == ["agent-assist"]
    assert ids(capability="agent_assist") == ["agent-assist"] and ids(capability="agent") == []
    assert ids(owner="Eva Noor") == ["ivr-onboarding"] and len(ids(owner="Bruno Lima")) == 2
    size = -world.readout.primary[0].effect_rel
    assert len(ids(min_effect=size - 0.01)) == 2 and ids(min_effect=size + 0.01) == []
    assert ids(metric="aht") == ids() and ids(metric="csat_mean") == []
    assert ids(since="2027-01-01") == ["ivr-onboarding"] and ids(until="2027-01-01") == ["agent-assist"]
    assert ids(search="next step suggests") == ["agent-assist"]
    assert ids(search="friendlier greets") == ["ivr-onboarding"]
    assert ids(search="handle time") == ["ivr-onboarding", "agent-assist"]  # from the claims of both
    assert ids(search='chatbot " OR *') == []  # no word is read as query syntax
    record_proof(store, first, actor="ana")  # a rebuild is the same row, one more log entry
    assert len(list_proofs(store)) == 2


def test_building_into_the_store_logs_its_digest_and_fills_the_proof_to_scale_condition(world, store):
    entry = record_proof(store, world.proof, actor="ana")
    assert (entry.action, entry.subject) == ("proof_point", "agent-assist")
    assert entry.evidence == {"proof_point": world.proof.content_digest, "readout": world.proof.readout_digest}
    assert [e.action for e in entries(store)] == ["proof_point"] and verify(store).ok
    uc = world.use_case
    evidence = {"use_case": digest(uc), "readout": world.proof.readout_digest}
    signed = [sign_off(uc, OWNERS[f], f, evidence) for f in ("technology", "operations", "commercial")]  # type: ignore[arg-type]
    assert not proof_to_scale(uc, signed, evidence).passed
    assert proof_to_scale(uc, signed, evidence, proof_point=entry.evidence["proof_point"]).passed


def test_learnings_link_supporting_and_contradicting_proof_points_and_the_index_shows_them(world, store):
    first, second = world.proof, _other(world)
    for p in (first, second):
        record_proof(store, p, actor="ana")
    learned = add_learning(store, "Guidance during the contact cuts handle time",
                           supports=[first.content_digest[:10]], contradicts=[second.content_digest[:10]])
    assert (learned.supports, learned.contradicts) == ([first.content_digest], [second.content_digest])
    assert learnings(store) == [learned]
    page = index_html(list_proofs(store), learnings(store))
    assert page.index("<h2>agent_assist</h2>") < page.index("<h3>billing</h3>") < page.index("<h2>ivr_routing</h2>")
    assert "contradicted by A friendlier IVR at onboarding" in page
    assert "supported by Real-time agent guidance cuts handle time" in page
    with pytest.raises(Exception, match="at least one proof point"):
        add_learning(store, "no evidence")


def test_the_migration_goes_up_down_and_up_again(world, store):
    record_proof(store, world.proof, actor="ana")
    downgrade(store, "base")
    upgrade(store)
    assert list_proofs(store) == []
    record_proof(store, world.proof, actor="ana")
    assert [p.initiative for p in list_proofs(store, search="suggests")] == ["agent-assist"]


def _people(db: str, tmp_path, **roles: list[str]) -> None:
    """A store whose people include the operating-system user running the tests (their credential on SQLite)."""
    import yaml

    from cxscale.portfolio import open_store, service
    from cxscale.portfolio.people import os_user

    folder = tmp_path / "people"
    folder.mkdir()
    (folder / "people.yaml").write_text(yaml.safe_dump({"people_version": 1, "people": [
        {"id": "me", "name": "Me", "functions": ["operations"], "roles": roles.get("me", ["council"]),
         "os_user": os_user()}]}))
    store = open_store(db)
    try:
        service.sync(store, folder, None)
    finally:
        store.close()


def test_the_cli_adds_lists_learns_and_writes_the_index(world, tmp_path):
    db = str(tmp_path / "p.db")
    _people(db, tmp_path)
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(world.proof.to_json()))
    added = runner.invoke(app, ["proof", "add", str(proof), "--store", db])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["proof", "list", "--store", db, "--capability", "agent_assist", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output)[0]["initiative"] == "agent-assist"
    learned = runner.invoke(app, ["proof", "learn", "assist works", "--supports", world.proof.content_digest[:8],
                                  "--store", db])
    assert learned.exit_code == 0, learned.output
    index = tmp_path / "library.html"
    assert runner.invoke(app, ["proof", "index", "--out", str(index), "--store", db]).exit_code == 0
    assert "assist works" in index.read_text()


def test_only_an_owner_or_the_council_adds_a_proof_point_and_only_the_council_learns(world, tmp_path):
    db = str(tmp_path / "p.db")
    _people(db, tmp_path, me=["viewer"])
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(world.proof.to_json()))
    refused = runner.invoke(app, ["proof", "add", str(proof), "--store", db])
    assert refused.exit_code == 1 and "viewer" in str(refused.exception)
    learned = runner.invoke(app, ["proof", "learn", "assist works", "--store", db])
    assert learned.exit_code == 1 and "viewer" in str(learned.exception)
