"""A proof point from real data: the randomised MineThatData e-mail experiment (Hillstrom, 2008) through the shipped
mapping and pilot spec. Its numbers are the readout's, its segments are the customers' purchase channels, its claims
pass claim-check and the classic overstatements of an e-mail campaign's lift do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cxscale.data import open_data
from cxscale.documents import ProofPoint, UseCase, digest, load_spec
from cxscale.measure.run import measure_spec
from cxscale.portfolio.records import Initiative, StoredReadout
from cxscale.proof import build_proof, check_claims, render
from cxscale.proof.verify import verify_proof
from tests.conftest import shared_data
from tests.contracts import assert_follows

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def hillstrom() -> ProofPoint:
    folder = shared_data("hillstrom", "hillstrom.csv").parent
    spec = load_spec("hillstrom")
    doc = measure_spec("hillstrom", folder, mapping="hillstrom")
    uc = UseCase.model_validate({
        "id": "email-campaign", "title": "A targeted e-mail doubles purchases within two weeks",
        "problem": {"journey_stage": "purchase", "channel": "email"},
        "mechanism": "One e-mail with the customer's kind of merchandise brings them back to the web shop.",
        "capabilities": ["next_best_action"],
        "metric": {"name": "conversion_rate", "direction": "higher", "baseline": 0.0057, "window_days": 14,
                   "target": {"relative": 0.5}},
        "design": {"type": "randomised", "unit": "customer", "holdout_share": 0.33},
        "pilot_spec": spec.model_dump(mode="json", exclude_none=True),
        "owners": {"technology": "Ana", "operations": "Bruno", "commercial": "Carla", "executive_sponsor": "Dora"}})
    at = datetime(2026, 12, 1, tzinfo=UTC)
    initiative = Initiative(id="email-campaign", use_case=uc, stage="proof", stage_since=at,
                            readouts=(StoredReadout(at, doc, digest(doc)),))
    data = open_data(folder, "hillstrom")
    return build_proof(initiative, data, spec=spec, mapping="hillstrom", built_at=at,
                       segment_columns=["channel", "newbie"])


def test_the_real_data_proof_point_holds_the_readouts_numbers_and_verifies(hillstrom):
    p = hillstrom
    assert_follows(ProofPoint, p.to_json())
    assert sum(p.readout.n.values()) == 64_000
    fingerprint = {f.table: f.rows for f in p.fingerprints}
    assert fingerprint["assignments"] == fingerprint["customers"] == 64_000
    mens = next(m for m in p.readout.primary if m.arm == "mens_email")
    claim = next(c for c in p.claims if c.arm == "mens_email")
    assert claim.text.startswith(f"raised conversion (mens_email) by {mens.effect_rel:.0%} (95% CI ")
    assert "across 21,307 customers over 2 weeks" in claim.text
    channel = next(s for s in p.segments if s.column == "channel")
    assert sorted({e.label for e in channel.effects}) == ["Multichannel", "Phone", "Web"]
    assert sum(e.n_control for e in channel.effects if e.arm == "mens_email") == p.readout.n["control"]
    assert verify_proof(p, open_data(shared_data("hillstrom"), "hillstrom")).ok
    assert "Where the effect holds" in render(p)


def test_real_claims_pass_and_overstatements_of_the_lift_fail(hillstrom):
    p = hillstrom
    assert all(v.ok for v in check_claims("\n".join(c.text for c in p.claims), p))
    mens = next(m for m in p.readout.primary if m.arm == "mens_email")
    points = abs(mens.effect_abs) * 100  # +0.68 percentage points of conversion, called "0.7%"
    (v,) = check_claims(f"The mens_email campaign lifted conversion by {points:.1f}%.", p)
    assert (v.ok, v.kind) == (False, "wrong_base") and "percentage points, not percent" in v.reason
    (up,) = check_claims(f"The mens_email campaign lifted conversion by {mens.ci_rel[1] * 100:.0f}%.", p)
    assert (up.ok, up.kind) == (False, "upper_bound")
    (spend,) = check_claims("E-mail raised revenue per customer by 60%.", p)
    assert (spend.ok, spend.kind) == (False, "secondary_as_primary")
