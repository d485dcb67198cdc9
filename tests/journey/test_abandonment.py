"""Abandonment: where the data says which contacts the customer gave up on, the diagnosis measures it per cell,
flags it as a kind of friction, and a draft proposes a pilot on the catalog's abandonment_rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxscale.data.dataset import Dataset
from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.engine import connect
from cxscale.journey import diagnose
from tests.contracts import assert_follows
from tests.journey.tables import mini_world

#: The planted hotspot: a third of plan_change calls are abandoned, against about 5% elsewhere.
PLANTED = ("plan_change", 0.33)


def _world(seed: int = 11) -> pd.DataFrame:
    frame = mini_world()
    rng = np.random.default_rng(seed)
    share = np.where(frame.intent == PLANTED[0], PLANTED[1], 0.05)
    frame["abandoned"] = pd.array(rng.random(len(frame)) < share, dtype="boolean")
    frame.loc[frame.channel.isin(["self_service", "email"]), "abandoned"] = pd.NA  # unknown outside the queues
    return frame


@pytest.fixture(scope="module")
def result():
    frame = _world()
    con = connect("duckdb")
    return frame, diagnose(Dataset(con, {"interactions": con.create_table("w", frame)}, "abandon"), currency="EUR")


def test_the_abandonment_rate_is_abandoned_over_contacts_whose_abandonment_is_known(result):
    frame, d = result
    known = frame.dropna(subset=["abandoned"])
    assert d.overall.abandonment_rate == pytest.approx(known.abandoned.astype(bool).mean(), rel=1e-12)
    for h in d.hotspots:
        cell = known[(known.intent == h.intent) & (known.journey_stage == h.journey_stage)]
        assert h.baseline.abandonment_rate == pytest.approx(cell.abandoned.astype(bool).mean(), rel=1e-12)
    by_channel = {r.channel: r.abandonment_rate for r in d.signals.channel}
    assert by_channel["email"] is None and by_channel["voice"] is not None


def test_the_planted_abandonment_is_flagged_and_drafted_as_a_routing_pilot(result):
    from cxscale.journey import draft_use_case

    _frame, d = result
    (planted,) = [h for h in d.hotspots if h.intent == PLANTED[0]]
    assert "abandonment" in planted.kinds
    assert [k for h in d.hotspots if h is not planted for k in h.kinds if k == "abandonment"] == []
    assert any(e.startswith("abandonment rate") for e in planted.evidence)
    draft = draft_use_case(planted.model_copy(update={"kinds": ["abandonment"]}), d.period, "EUR", "abandon")
    assert draft.business_metric.name == "abandonment_rate"
    assert draft.mechanism.capability == "routing"
    assert draft.as_json()["pilot_spec"]["primary"] == {"metric": "abandonment_rate", "target": {"relative": -0.3}}


def test_the_document_with_abandonment_follows_the_schema(result):
    _frame, d = result
    assert_follows(DiagnosisDocument, d.as_json())


def test_a_pilot_on_abandonment_is_sized_by_the_measurement_engine(result):
    """The catalog's abandonment_rate reads the same column: the measurement engine sizes a pilot on it."""
    from cxscale.measure.power import plan_pilot

    frame, _d = result
    con = connect("duckdb")
    ds = Dataset(con, {"interactions": con.create_table("w", frame)}, "abandon")
    plan = plan_pilot(ds, "abandonment_rate", -0.3)
    # The plan's baseline is the share over the last 28 days of the data (its window ends at the last contact).
    last = frame[frame.started_at > frame.started_at.max() - pd.Timedelta(days=28)].dropna(subset=["abandoned"])
    assert plan.baseline == pytest.approx(last.abandoned.astype(bool).mean(), rel=1e-9)
    assert plan.n_per_arm > 0


def test_without_the_column_there_is_no_abandonment_rate_and_no_column_in_the_table():
    con = connect("duckdb")
    d = diagnose(Dataset(con, {"interactions": con.create_table("w", mini_world())}, "plain"), currency="EUR")
    assert d.overall.abandonment_rate is None
    assert all("abandonment" not in h.kinds for h in d.hotspots)


def test_every_kind_and_capability_cxscale_writes_is_a_documented_one(result):
    from cxscale.documents.diagnosis import FRICTION_KINDS
    from cxscale.documents.use_case_draft import CAPABILITIES
    from cxscale.journey.opportunities import FRICTION_RATES
    from cxscale.journey.usecase import SUGGESTION_FOR_KIND

    assert set(FRICTION_KINDS) == set(FRICTION_RATES.values()) | {"low_csat"} == set(SUGGESTION_FOR_KIND)
    assert {s.capability for s in SUGGESTION_FOR_KIND.values()} <= set(CAPABILITIES)
    _frame, d = result
    assert {k for h in d.hotspots for k in h.kinds} <= set(FRICTION_KINDS)
