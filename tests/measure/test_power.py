"""plan_pilot: baseline from the data in the engine, sample size like statsmodels, days of traffic, and the plan
against the units that exist (a fixed population of agents or sites; customers arriving over time)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.data import open_data
from cxscale.errors import SpecError
from cxscale.measure.power import MAX_PILOT_DAYS, plan_pilot
from cxscale.simulate import simulate
from cxscale.stats import power_plan
from tests.measure.world import write_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("power"), n_customers=400, seed=9)


def test_baseline_is_per_customer_cost_over_the_last_window_including_idle_customers(world, duckdb_con):
    plan = plan_pilot(open_data(world, engine=duckdb_con, validate=False), "cost_to_serve", -0.05, window_days=14)
    it = pd.read_parquet(world / "interactions.parquet")
    start = it.started_at.max() - pd.Timedelta(days=14) + pd.Timedelta(seconds=1)
    per_customer = it[it.started_at >= start].groupby("customer_id").cost.sum()
    values = per_customer.reindex(it.customer_id.unique(), fill_value=0.0).to_numpy()
    assert plan.baseline == pytest.approx(values.mean(), rel=1e-9)
    assert plan.sd_per_unit == pytest.approx(values.std(ddof=1), rel=1e-9)
    assert plan.units_in_baseline == len(values)
    assert plan.units_per_day == pytest.approx(len(per_customer) / 14)


def test_sample_size_agrees_with_statsmodels(world, duckdb_con):
    plan = plan_pilot(open_data(world, engine=duckdb_con, validate=False), "aht", -0.10, window_days=28, alpha=0.05, power=0.8)
    d = abs(plan.mde_abs) / plan.sd_per_unit
    n = NormalIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=1.0)
    assert plan.n_per_arm == pytest.approx(np.ceil(n), abs=1)


def test_zero_target_is_refused(world, duckdb_con):
    with pytest.raises(SpecError, match="the target must be non-zero"):
        plan_pilot(open_data(world, engine=duckdb_con, validate=False), "aht", 0.0)
    with pytest.raises(SpecError, match="give one target"):
        plan_pilot(open_data(world, engine=duckdb_con, validate=False), "aht", -0.1, target_absolute=-10.0)


def test_an_absolute_target_plans_as_that_change_over_the_baseline(world, duckdb_con):
    """A spec's `target: {absolute: -30}` on aht (seconds) is the relative change -30 / baseline: the same units
    per arm, and the plan keeps the target as given."""
    ds = open_data(world, engine=duckdb_con, validate=False)
    relative = plan_pilot(ds, "aht", -0.10)
    absolute = plan_pilot(ds, "aht", target_absolute=-0.10 * relative.baseline)
    assert absolute.target_relative == pytest.approx(-0.10) and absolute.n_per_arm == relative.n_per_arm
    assert absolute.target_absolute == pytest.approx(-0.10 * relative.baseline) and relative.target_absolute is None


def test_enrolling_for_the_planned_days_detects_exactly_the_target(world, duckdb_con):
    ds = open_data(world, engine=duckdb_con, validate=False)
    plan = plan_pilot(ds, "cost_to_serve", -0.30, window_days=28)
    assert plan.feasible and plan.days_to_enrol is not None
    assert plan.days_total == pytest.approx(plan.days_to_enrol + 28)
    again = plan_pilot(ds, "cost_to_serve", -0.30, window_days=28, days=plan.days_to_enrol)
    assert abs(again.mde_relative_at_days) == pytest.approx(0.30, rel=0.01)


def test_days_to_enrol_customers_are_the_days_whose_contacts_hold_them(world, duckdb_con):
    """Customers arrive over time, but one who comes back is one unit: the days to enrol are those back from the
    end of the data whose window holds n_total distinct customers (not n_total / units_per_day, which counts a
    returning customer again in every window)."""
    plan = plan_pilot(open_data(world, engine=duckdb_con, validate=False), "cost_to_serve", -0.50, window_days=28)
    it = pd.read_parquet(world / "interactions.parquet")
    end = it.started_at.max()

    def distinct(days: float) -> int:
        return it[it.started_at >= end - pd.Timedelta(days=days)].customer_id.nunique()

    assert plan.fixed_population is False and plan.population == it.customer_id.nunique()
    assert distinct(plan.days_to_enrol) >= plan.n_total > distinct(plan.days_to_enrol - 0.01)


def test_customers_beyond_a_year_of_enrolment_are_not_feasible(world, duckdb_con):
    """The world's customers contact within 70 days, and few are new in its last 28: a target needing tens of
    thousands is not feasible within a year, and the plan says what the customers a year's pilot can enrol would
    detect instead (those of the data, then the new ones at the rate they appeared in the last 28 days)."""
    plan = plan_pilot(open_data(world, engine=duckdb_con, validate=False), "cost_to_serve", -0.05, window_days=28)
    it = pd.read_parquet(world / "interactions.parquet")
    first = it.groupby("customer_id").started_at.min()
    new_per_day = (first > it.started_at.max() - pd.Timedelta(days=28)).sum() / 28
    span = (it.started_at.max() - it.started_at.min()) / pd.Timedelta(days=1)
    assert plan.population == it.customer_id.nunique() < plan.n_total
    assert plan.units_available == plan.population + int((MAX_PILOT_DAYS - 28 - span) * new_per_day)
    assert not plan.feasible and plan.days_to_enrol is None and plan.days_total is None
    assert plan.max_days == MAX_PILOT_DAYS and plan.note.startswith(f"not feasible within {MAX_PILOT_DAYS} days")
    want = power_plan(plan.baseline, plan.sd_per_unit, n_per_arm=plan.units_available / 2)
    assert plan.mde_relative_all_units == pytest.approx(want.mde_rel, rel=1e-9) and want.mde_rel > 0.05
    assert f"{plan.mde_relative_all_units:.1%}" in plan.note


@pytest.fixture(scope="module")
def support_world(tmp_path_factory):
    """The 5,000-customer support world of issue 18 (460 agents at 9 sites)."""
    out = tmp_path_factory.mktemp("support") / "world"
    simulate(customers=5000, out=out)
    return out


def test_aht_by_agent_asks_for_no_more_agents_than_exist(support_world, duckdb_con):
    """Issue 18: -5% of AHT by agent asked for 2,126 agents per arm where 460 exist, to be enrolled over 268 days.
    A fixed population is assigned at once: the plan is not feasible and says what all 460 agents detect, which is
    power_plan's (and statsmodels') minimum detectable effect for 230 per arm."""
    plan = plan_pilot(open_data(support_world, engine=duckdb_con, validate=False), "aht", -0.05, unit="agent")
    agents = pd.read_parquet(support_world / "interactions", columns=["agent_id"]).agent_id.nunique()
    assert plan.population == plan.units_available == agents == 460 and plan.fixed_population
    assert plan.n_total > agents and not plan.feasible
    assert plan.days_to_enrol is None and plan.days_total is None
    assert plan.note.startswith("not feasible") and "4,252 agents" in plan.note and "has 460" in plan.note
    want = power_plan(plan.baseline, plan.sd_per_unit, n_per_arm=230)
    assert plan.mde_abs_all_units == pytest.approx(want.mde_abs, rel=1e-9)
    d = NormalIndPower().solve_power(nobs1=230, alpha=0.05, power=0.8, ratio=1.0)
    assert plan.mde_abs_all_units == pytest.approx(d * plan.sd_per_unit, rel=1e-4)
    assert plan.mde_relative_all_units == pytest.approx(plan.mde_abs_all_units / plan.baseline)
    assert f"{plan.mde_relative_all_units:.1%}" in plan.note and plan.mde_relative_all_units > 0.05
    # A reachable target needs some of them, at once: the measurement window is the whole pilot.
    easy = plan_pilot(open_data(support_world, engine=duckdb_con, validate=False), "aht", -0.20, unit="agent")
    assert easy.feasible and easy.n_total <= 460 and easy.days_to_enrol == 0 and easy.days_total == 28
    assert f"{easy.n_total:,} of the 460 agents" in easy.note


def test_customers_take_longer_to_enrol_than_the_linear_rate_says(support_world, duckdb_con):
    """Over 76 days the support world's customers who come back are counted once: the 2,538 customers -20% of AHT
    needs take longer than n_total / units_per_day (55 days at the 28-day rate), exactly the days whose contacts
    hold them."""
    plan = plan_pilot(open_data(support_world, engine=duckdb_con, validate=False), "aht", -0.20)
    it = pd.read_parquet(support_world / "interactions", columns=["customer_id", "started_at"])

    def held(days: float) -> int:
        return it[it.started_at >= it.started_at.max() - pd.Timedelta(days=days)].customer_id.nunique()

    assert plan.feasible and held(plan.days_to_enrol) >= plan.n_total > held(plan.days_to_enrol - 0.01)
    assert plan.days_to_enrol > 1.3 * plan.n_total / plan.units_per_day
    assert plan.days_total == pytest.approx(plan.days_to_enrol + 28) and f"{plan.days_total:,.0f} days" in plan.note


def test_site_level_power_says_the_nine_sites_cannot_detect_the_target(support_world):
    """Issue 18: 146 sites per arm where 9 exist, "about 0 sites per day". The text and the JSON say it is not
    feasible with the 9 sites and what they would detect; no days of traffic for a fixed population."""
    args = ["plan", "--data", str(support_world), "--metric", "aht", "--unit", "site", "--target",
            "-0.05"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "per day" not in text and "days to enrol" not in text
    assert "not feasible:" in text and "the data has 9 (a fixed population)" in text
    plan = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert plan["population"] == 9 and plan["feasible"] is False and plan["days_total"] is None
    want = power_plan(plan["baseline"], plan["sd_per_unit"], n_per_arm=4.5)
    assert plan["mde_relative_all_units"] == pytest.approx(want.mde_rel, rel=1e-9)
    assert f"{plan['mde_relative_all_units']:.1%}" in text and plan["note"] in text


def test_plan_reads_validated_rows_by_default_and_the_fast_path_on_request(tmp_path):
    """`cxscale plan` opens data as every command does: validated unless --no-validate; both plan on a clean world."""
    import json

    from typer.testing import CliRunner

    from cxscale.cli import app
    from cxscale.simulate import simulate

    simulate(out=tmp_path / "w", customers=2000, seed=3)
    args = ["plan", "--metric", "cost_to_serve", "--data", str(tmp_path / "w"), "--target", "-0.3", "--json"]
    plans = []
    for extra in ([], ["--no-validate"]):
        res = CliRunner().invoke(app, [*args, *extra])
        assert res.exit_code == 0, res.output
        plans.append(json.loads(res.stdout))
    assert plans[0]["n_per_arm"] == plans[1]["n_per_arm"] > 0


def test_the_plan_is_the_same_on_every_engine(world, engine, duckdb_con):
    """The baseline and the enrolment curve come from one grouped query per plan (and the days to enrol from one
    more): each engine gives DuckDB's plan, to 1e-9, for customers arriving over time and for a fixed population."""
    from dataclasses import asdict

    from tests.conftest import data_on

    here = open_data(**data_on(engine, world), validate=False)
    there = open_data(world, engine=duckdb_con, validate=False)
    cases = [("cost_to_serve", {"target_relative": -0.30, "days": 20}), ("resolution_rate", {"target_relative": 0.05}),
             ("aht", {"target_relative": -0.20, "unit": "agent"}), ("csat_mean", {"target_relative": 0.02})]
    for metric, kw in cases:
        got, want = asdict(plan_pilot(here, metric, **kw)), asdict(plan_pilot(there, metric, **kw))
        assert got.keys() == want.keys()
        for k, v in want.items():
            assert got[k] == (pytest.approx(v, rel=1e-9) if isinstance(v, float) else v), (metric, k)


def test_a_ratio_whose_denominator_counts_no_rows_is_refused_in_one_line(support_world, duckdb_con):
    """no_show_rate divides by appointments: the support world has none, so no baseline (it was a division by
    zero)."""
    from cxscale.errors import DataError

    ds = open_data(support_world, engine=duckdb_con, validate=False)
    with pytest.raises(DataError, match=r"no_show_rate counts no rows in its denominator over the last 28 days of "
                                        r"outcomes \(none of the [\d,]+ customers has one\)"):
        plan_pilot(ds, "no_show_rate", -0.05)


def test_a_plan_over_one_unit_is_refused_in_one_line(support_world, duckdb_con):
    """A scope of one site leaves one site: no spread to plan with (it was a division by zero)."""
    from cxscale.errors import DataError

    ds = open_data(support_world, engine=duckdb_con, validate=False)
    site = ds.table("interactions").site.min().to_pyarrow().as_py()
    with pytest.raises(DataError, match=r"interactions holds 1 site\(s\) \(column site\); the spread of a baseline "
                                        "needs two or more"):
        plan_pilot(ds, "aht", -0.05, unit="site", scope={"site": [site]})


def test_a_target_the_metric_cannot_reach_is_refused_in_one_line(support_world, duckdb_con):
    """A share cannot pass 1 nor a CSAT mean 5 (it was planned: +90% of a 0.70 resolution rate 'needs 32
    customers'). The line names the baseline, where the target takes it and the most the metric can change; a target
    up to the bound is planned."""
    ds = open_data(support_world, engine=duckdb_con, validate=False)
    rate = plan_pilot(ds, "resolution_rate", -0.05).baseline
    top = 1 / rate - 1
    with pytest.raises(SpecError, match=rf"^resolution_rate: a target of \+90\.0% takes its baseline over the last 28 "
                                        rf"days, {rate:.4g}, to {rate * 1.9:.4g}, beyond the range 0-1 the metric can "
                                        rf"take; the most it can change is \+{top:.1%} \(to 1\)$"):
        plan_pilot(ds, "resolution_rate", 0.9)
    with pytest.raises(SpecError, match=r"beyond the range 0-1 .* is \+"):  # an absolute target too
        plan_pilot(ds, "resolution_rate", target_absolute=rate)
    assert plan_pilot(ds, "resolution_rate", top * 0.99).feasible
    csat = plan_pilot(ds, "csat_mean", 0.05).baseline
    for target, edge in ((3.0, 5), (-0.9, 1)):
        with pytest.raises(SpecError, match=rf"csat_mean: .* beyond the range 1-5 .* \(to {edge}\)$"):
            plan_pilot(ds, "csat_mean", target)
    assert plan_pilot(ds, "csat_mean", 4.9 / csat - 1).n_total > 0
    # only what the definition bounds: a cost can rise by any share
    assert plan_pilot(ds, "cost_to_serve", 3.0).n_total > 0


def test_a_metric_is_bounded_where_its_definition_bounds_it():
    from cxscale.metrics.catalog import builtin_catalog

    catalog = builtin_catalog()
    bounds = {name: catalog.get(name).bounds for name in ("resolution_rate", "csat_top2box", "csat_mean", "aht",
                                                          "cost_to_serve", "contacts_per_customer")}
    assert bounds == {"resolution_rate": (0, 1), "csat_top2box": (0, 1), "csat_mean": (1, 5), "aht": (0, None),
                      "cost_to_serve": (None, None), "contacts_per_customer": (None, None)}
