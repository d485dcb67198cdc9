"""`make demo` tells the whole story on the demo world (50,000 customers, seed 42): the portfolio synced, every gate
taken on evidence, the planted stages reached, the audit flagging exactly the planted traps, proof points whose
numbers are their readouts', and a decision log that verifies against its signed checkpoint."""

from __future__ import annotations

import json

import pytest

from cxscale.demo import run_demo
from cxscale.portfolio import open_store, service
from cxscale.portfolio.audit import planted_key
from cxscale.portfolio.log import Checkpoint, load_public_key, verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-story")
    result = run_demo(out)  # the defaults make demo uses
    planted = {p["id"]: p for p in json.loads((out / "world" / "portfolio" / "planted.json").read_text())
               ["initiatives"]}
    return out, result, planted


def test_every_initiative_reaches_the_stage_its_evidence_earns(demo):
    out, result, planted = demo
    assert result.portfolio.stages == {iid: p["stage"] for iid, p in planted.items()}
    assert set(result.portfolio.stages.values()) == {"idea", "pilot", "proof", "scale", "stopped"}


def test_the_audit_flags_exactly_the_planted_traps(demo):
    _, result, planted = demo
    found = {f["initiative"]: sorted(flag["key"] for flag in f["flags"]) for f in result.portfolio.audit}
    expected = {iid: sorted(planted_key(trap, key) for trap, keys in p["flags"].items() for key in keys)
                for iid, p in planted.items() if p["stage"] not in ("stopped", "retired")}
    assert found == expected


def test_proof_points_carry_their_readouts_numbers_and_open_the_way_to_scale(demo):
    out, result, _ = demo
    store = open_store(out / "portfolio.db")
    try:
        for iid in result.portfolio.proof_points:
            proof = json.loads((out / "proof" / iid / "proof.json").read_text())
            readout = service.initiative(store, iid).latest_readout.readout
            primary = next(m for m in readout.metrics if m.role == "primary")
            shown = next(m for m in proof["readout"]["metrics"] if m["role"] == "primary")
            assert shown["effect_rel"] == pytest.approx(primary.effect_rel, rel=1e-9)
            assert shown["ci_rel"] == pytest.approx(primary.ci_rel, rel=1e-9)
            assert (out / "proof" / iid / "proof.pdf").read_bytes()[:5] == b"%PDF-"
        assert service.initiative(store, "proactive-bill-alerts").stage == "scale"
    finally:
        store.close()


def test_the_decision_log_verifies_against_its_signed_checkpoint_and_the_dashboard_has_logins(demo):
    out, result, _ = demo
    assert result.portfolio.log["verified"]
    store = open_store(out / "portfolio.db")
    try:
        check = verify(store, Checkpoint.read(out / "portfolio-log.checkpoint.json"),
                       load_public_key(out / "portfolio-log.key.pub"))
    finally:
        store.close()
    assert check.ok and check.size == result.portfolio.log["entries"]
    logins = json.loads((out / "demo-logins.json").read_text())
    assert logins["password"] == "demo" and {u["user"] for u in logins["users"]} >= {"demo.admin", "amira.khan"}


def test_an_owner_builds_a_proof_point_of_a_stored_initiative_by_its_id(demo, tmp_path):
    from typer.testing import CliRunner

    from cxscale.cli import app
    from cxscale.portfolio.people import authenticate

    out, result, _ = demo
    store = open_store(out / "portfolio.db")
    try:
        admin = authenticate(store, None, user="cxscale-demo")
        owner_id = service.initiative(store, "agent-assist-live").use_case.owners.technology
        tokens = {who: service.issue_token(store, who, admin) for who in (owner_id, "sam.taylor")}
        before = len([e for e in service.initiative(store, "agent-assist-live").decisions if e.action == "proof_point"])
    finally:
        store.close()
    runner = CliRunner()

    def build(who: str):
        token = tmp_path / f"{who}.token"
        token.write_text(tokens[who])
        token.chmod(0o600)
        return runner.invoke(app, ["proof", "build", "agent-assist-live", "--store", str(out / "portfolio.db"),
                                   "--data", str(out / "world"), "--out", str(tmp_path / who), "--no-pdf",
                                   "--token-file", str(token)])

    viewer = build("sam.taylor")
    assert viewer.exit_code == 1 and "viewer" in str(viewer.exception)
    owner = build(owner_id)
    assert owner.exit_code == 0, owner.output
    proof = json.loads((tmp_path / owner_id / "proof.json").read_text())
    assert proof["rebuild"]["command"].startswith("cxscale proof build agent-assist-live --store")
    store = open_store(out / "portfolio.db")
    try:
        entries = [e for e in service.initiative(store, "agent-assist-live").decisions if e.action == "proof_point"]
    finally:
        store.close()
    assert len(entries) == before + 1 and entries[-1].actor == owner_id
