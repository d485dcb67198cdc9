"""On a small simulated world, diagnosis finds the hotspots the simulator planted (ground_truth.json)."""

from __future__ import annotations

import json

import pytest

from cxscale.data import open_data
from cxscale.journey import diagnose


@pytest.fixture(scope="module", params=[3, 11])
def world(request, tmp_path_factory):
    simulate = pytest.importorskip("cxscale.simulate").simulate
    out = tmp_path_factory.mktemp(f"world{request.param}")
    simulate("support", customers=4000, seed=request.param, out=out)
    return out


def test_planted_hotspots_rank_at_the_top(world):
    truth = json.loads((world / "ground_truth.json").read_text())
    planted = {(h["intent"], h["journey_stage"]) for h in truth["hotspots"]}
    d = diagnose(open_data(world, validate=False))
    top = [(h.intent, h.journey_stage) for h in d.hotspots[: len(planted)]]
    assert set(top) == planted
    # Clear separation: the weakest planted hotspot scores well above the best unplanted one.
    assert d.hotspots[len(planted) - 1].score > 1.5 * d.hotspots[len(planted)].score


def test_planted_kinds_of_friction_are_named(world):
    truth = json.loads((world / "ground_truth.json").read_text())
    d = diagnose(open_data(world, validate=False))
    found = {(h.intent, h.journey_stage): set(h.kinds) for h in d.hotspots}
    for h in truth["hotspots"]:
        expected = set(h["kinds"]) - {"cost"}  # cost is the ranking itself, not a friction kind
        assert expected <= found[(h["intent"], h["journey_stage"])], h["intent"]


def test_money_uses_the_world_currency_and_period(world):
    truth = json.loads((world / "ground_truth.json").read_text())
    d = diagnose(open_data(world, validate=False))
    assert d.currency == truth["currency"]
    assert d.period.days == pytest.approx(182, abs=3)
