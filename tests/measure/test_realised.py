"""Holdout readouts at scale (cxscale.measure.realised): the same readout engine as a pilot's, on a simulated
scaled world whose true effects are known."""

from __future__ import annotations

import shutil

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cxscale.data import open_data
from cxscale.measure.realised import holdout_reading, read_scaled
from cxscale.simulate import simulate


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return simulate("scaled", customers=30_000, seed=11, out=tmp_path_factory.mktemp("scaled"))


def _within(m, truth, z=3.0):
    """The truth within z standard errors (from the 95% interval): a fixed seed's check that cannot be a 1-in-20
    miss, while a bias of a few standard errors still fails (coverage over 25 worlds: docs/value-at-scale.md)."""
    se = (m.ci_abs[1] - m.ci_abs[0]) / 3.92
    return abs(m.effect_abs - truth) <= z * se


def test_every_holdout_and_pilot_covers_its_true_effect(world):
    s = world.ground_truth["scale"]
    read = read_scaled(world.out)
    truth = {h["capability"]: h["true_effects"] for h in s["holdouts"]}
    proven = {p["pilot"]: p["true_effects"] for p in world.ground_truth["pilots"]}
    assert sorted(c.name for c in read.capabilities) == sorted(truth)
    for c in read.capabilities:
        r = c.holdout.readout
        assert r is not None and r.srm_ok and r.window_complete and r.windows.post_days == 91
        for m in r.metrics:
            assert _within(m, truth[c.name][m.name]["absolute"]), (c.name, m.name)
        for m in c.proven.metrics:
            assert _within(m, proven[c.name][m.name]["absolute"]), (c.name, m.name)
        assert c.holdout.started.isoformat() == s["start"]
        assert (c.holdout.ends - c.holdout.started).days == 91
    p = read.portfolio
    assert p is not None and p.readout is not None
    m = p.readout.primary[0]
    assert _within(m, s["portfolio"]["true_effects"]["cost_to_serve"]["absolute"])


def test_money_is_annualised_over_the_customers_every_window(world):
    r = read_scaled(world.out).portfolio.readout
    v = r.value
    assert v.nature == "recurring" and v.periods_per_year == pytest.approx(365 / 91)
    assert v.units_per_year == world.customers
    m = r.primary[0]
    assert v.annual == pytest.approx(-m.effect_abs * 365 / 91 * world.customers)


def test_a_holdout_not_kept_has_no_reading(world, tmp_path):
    a = pq.read_table(world.out / "assignments.parquet")
    pq.write_table(a.filter(pc.field("pilot") != "bill_alerts_holdout"), tmp_path / "assignments.parquet")
    ds = open_data(world.out, validate=False)
    kept = holdout_reading(ds, world.out / "scale" / "bill_alerts.yaml")
    assert kept.readout is not None and kept.missing is None
    shutil.copytree(world.out / "interactions", tmp_path / "interactions")
    shutil.copy(world.out / "customers.parquet", tmp_path)
    gone = holdout_reading(open_data(tmp_path, validate=False), world.out / "scale" / "bill_alerts.yaml")
    assert gone.readout is None and gone.started is None
    assert "no customer of holdout pilot 'bill_alerts_holdout'" in gone.missing
