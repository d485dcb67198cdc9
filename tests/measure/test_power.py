"""plan_pilot: baseline from the data in the engine, sample size like statsmodels, days of traffic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower

from cxscale.data import load
from cxscale.errors import SpecError
from cxscale.measure.power import plan_pilot
from tests.measure.world import write_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("power"), n_customers=400, seed=9)


def test_baseline_is_per_customer_cost_over_the_last_window_including_idle_customers(world, duckdb_con):
    plan = plan_pilot(load(world, con=duckdb_con), "cost_to_serve", -0.05, window_days=14)
    it = pd.read_parquet(world / "interactions.parquet")
    start = it.started_at.max() - pd.Timedelta(days=14) + pd.Timedelta(seconds=1)
    per_customer = it[it.started_at >= start].groupby("customer_id").cost.sum()
    values = per_customer.reindex(it.customer_id.unique(), fill_value=0.0).to_numpy()
    assert plan.baseline == pytest.approx(values.mean(), rel=1e-9)
    assert plan.sd_per_unit == pytest.approx(values.std(ddof=1), rel=1e-9)
    assert plan.units_in_baseline == len(values)
    assert plan.units_per_day == pytest.approx(len(per_customer) / 14)


def test_sample_size_agrees_with_statsmodels(world, duckdb_con):
    plan = plan_pilot(load(world, con=duckdb_con), "aht", -0.10, window_days=28, alpha=0.05, power=0.8)
    d = abs(plan.mde_abs) / plan.sd_per_unit
    n = NormalIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=1.0)
    assert plan.n_per_arm == pytest.approx(np.ceil(n), abs=1)
    assert plan.days_to_enrol == pytest.approx(plan.n_total / plan.units_per_day)
    assert plan.days_total == pytest.approx(plan.days_to_enrol + 28)


def test_zero_target_is_refused(world, duckdb_con):
    with pytest.raises(SpecError, match="the target must be non-zero"):
        plan_pilot(load(world, con=duckdb_con), "aht", 0.0)
    with pytest.raises(SpecError, match="give one target"):
        plan_pilot(load(world, con=duckdb_con), "aht", -0.1, target_absolute=-10.0)


def test_an_absolute_target_plans_as_that_change_over_the_baseline(world, duckdb_con):
    """A spec's `target: {absolute: -30}` on aht (seconds) is the relative change -30 / baseline: the same units
    per arm, and the plan keeps the target as given."""
    ds = load(world, con=duckdb_con)
    relative = plan_pilot(ds, "aht", -0.10)
    absolute = plan_pilot(ds, "aht", target_absolute=-0.10 * relative.baseline)
    assert absolute.target_relative == pytest.approx(-0.10) and absolute.n_per_arm == relative.n_per_arm
    assert absolute.target_absolute == pytest.approx(-0.10 * relative.baseline) and relative.target_absolute is None


def test_enrolling_for_the_planned_days_detects_exactly_the_target(world, duckdb_con):
    ds = load(world, con=duckdb_con)
    plan = plan_pilot(ds, "cost_to_serve", -0.10, window_days=28)
    again = plan_pilot(ds, "cost_to_serve", -0.10, window_days=28, days=plan.days_to_enrol)
    assert abs(again.mde_relative_at_days) == pytest.approx(0.10, rel=0.01)
    shorter = plan_pilot(ds, "cost_to_serve", -0.10, window_days=28, days=plan.days_to_enrol / 4)
    assert abs(shorter.mde_relative_at_days) == pytest.approx(0.20, rel=0.02)  # a quarter of the units: 2x MDE
