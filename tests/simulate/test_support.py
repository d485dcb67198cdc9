"""The support world is realistic enough that diagnosis and measurement are not trivial, its planted hotspots are
the worst intents when measured from the data, and its pilots are assigned as designed with true effects that the
data show (all aggregates computed in DuckDB)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest

from cxscale.contract import DEFAULT_RATE_CARD
from cxscale.simulate import simulate


def _con(out) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"create view i as select * from '{out}/interactions/*.parquet'")
    con.execute(f"create view o as select * from '{out}/outcomes/*.parquet'")
    con.execute(f"create view c as select * from '{out}/customers.parquet'")
    con.execute(f"create view a as select * from '{out}/assignments.parquet'")
    # Each contact with the gap to the same customer's next contact about the same intent (null when none).
    con.execute("""create view r as select *,
        lead(started_at) over (partition by customer_id, intent order by started_at) - started_at as gap,
        lead(channel) over (partition by customer_id, intent order by started_at) as next_channel from i""")
    return con


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def con(support_world):
    return _con(support_world.out)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A 30,000-customer world (about 1 s to write) for checks that need precision."""
    result = simulate("support", customers=30_000, seed=3, out=tmp_path_factory.mktemp("support30k"))
    return result, _con(result.out)


def _truth(result, pilot: str) -> dict:
    return next(p for p in result.ground_truth["pilots"] if p["pilot"] == pilot)


# --- hotspots ------------------------------------------------------------------------------------------------------

def _ranked(con, expr: str, where: str = "true", desc: bool = True) -> list[str]:
    order = "desc" if desc else "asc"
    return [r[0] for r in _rows(con, f"select intent from r where {where} group by intent order by {expr} {order}")]


def _hot(result, kind: str) -> set[str]:
    return {h["intent"] for h in result.ground_truth["hotspots"] if kind in h["kinds"]}


def test_planted_hotspots_have_the_highest_repeat_contact_rates(big):
    result, con = big
    hot = _hot(result, "repeat_contacts")
    ranked = _ranked(con, "avg(coalesce(gap <= interval 7 day, false)::int)")
    assert hot <= set(ranked[: len(hot) + 1]), ranked[:5]
    assert ranked[0] in hot


def test_planted_hotspots_have_the_highest_transfer_rates(big):
    result, con = big
    hot = _hot(result, "transfers")
    assert set(_ranked(con, "avg(transferred::int)")[: len(hot)]) == hot


def test_planted_hotspots_have_the_longest_waits_lowest_csat_and_highest_cost(big):
    result, con = big
    assert _ranked(con, "avg(wait_seconds)", "channel = 'voice'")[0] in _hot(result, "long_waits")
    assert _ranked(con, "avg(csat)", desc=False)[0] in _hot(result, "low_csat")
    hot = _hot(result, "cost")
    assert set(_ranked(con, "sum(cost)")[: len(hot)]) == hot


def test_planted_channel_switching_hotspots_switch_channel_most(big):
    result, con = big
    hot = _hot(result, "channel_switching")
    # share of contacts followed within 7 days by a contact about the same need in another channel
    ranked = _ranked(con, "avg(coalesce(gap <= interval 7 day and next_channel <> channel, false)::int)")
    assert hot <= set(ranked[: len(hot) + 1]), ranked[:5]
    # and, among repeat contacts, a switch is more common than for three quarters of the intents
    rates = dict(_rows(con, """select intent, avg((next_channel <> channel)::int) from r
                               where gap <= interval 7 day group by intent"""))
    q75 = float(np.quantile(list(rates.values()), 0.75))
    for intent in hot:
        assert rates[intent] > q75, (intent, rates[intent], q75)


# --- realism -------------------------------------------------------------------------------------------------------

def test_handle_times_are_heavy_tailed(con):
    ratio = _rows(con, """select quantile_cont(handle_seconds, 0.99) / median(handle_seconds) from i
                          where channel = 'voice'""")[0][0]
    assert ratio > 4.0


def test_csat_is_lower_when_unresolved_and_is_often_missing(con):
    by = dict(_rows(con, "select resolved, avg(csat) from i group by resolved"))
    assert by[True] - by[False] > 1.0
    rated = _rows(con, "select avg((csat is not null)::int) from i")[0][0]
    assert 0.1 < rated < 0.4


def test_repeat_contacts_follow_unresolved_contacts_often_in_another_channel(con):
    by = dict(_rows(con, "select resolved, avg(coalesce(gap <= interval 7 day, false)::int) from r group by 1"))
    assert by[False] > 3 * by[True]
    escalated = _rows(con, """select avg((next_channel <> 'self_service')::int) from r
                              where channel = 'self_service' and not resolved and gap <= interval 1 day""")[0][0]
    assert escalated > 0.6


def test_customers_differ_in_how_often_they_contact(con):
    mean, var = _rows(con, """select avg(n), var_samp(n) from (select c.customer_id, count(i.customer_id) n
                              from c left join i using (customer_id) group by 1)""")[0]
    assert var > 2 * mean  # over-dispersed: propensity differs by customer
    seg = dict(_rows(con, """select segment, count(i.customer_id) / count(distinct c.customer_id)
                             from c left join i using (customer_id) group by 1"""))
    assert seg["small_business"] > 1.5 * seg["prepaid"]


def test_contacts_follow_weekday_hour_and_billing_cycle_seasonality(con):
    dow = dict(_rows(con, "select isodow(started_at), count(*) from i group by 1"))
    assert dow[1] > 2 * dow[7]
    hours = dict(_rows(con, "select hour(started_at), count(*) from i group by 1"))
    assert hours.get(10, 0) > 10 * hours.get(3, 1)
    early = dict(_rows(con, """select journey_stage = 'billing', avg((day(started_at) <= 6)::int) from i
                               group by 1"""))
    assert early[True] > 1.4 * early[False]


def test_cost_follows_the_default_rate_card(con):
    for channel, fixed, per_minute in _rows(con, """select channel,
            regr_intercept(cost, handle_seconds / 60), regr_slope(cost, handle_seconds / 60) from i group by 1"""):
        assert (fixed, per_minute) == pytest.approx(DEFAULT_RATE_CARD[channel], abs=1e-3), channel


def test_churn_is_more_likely_after_an_abandoned_unresolved_need(con):
    rows = dict(_rows(con, """with abandoned as (select distinct customer_id from r where not resolved and gap is null)
        select customer_id in (select customer_id from abandoned), avg((customer_id in
            (select customer_id from o where outcome = 'churn'))::int) from c group by 1"""))
    assert rows[True] > 1.5 * rows[False]


def test_purchases_carry_values_and_churn_does_not(con):
    by = {r[0]: r[1:] for r in _rows(con, "select outcome, count(*), avg(value), count(value) from o group by 1")}
    assert by["purchase"][1] > 0 and by["purchase"][2] == by["purchase"][0]
    assert by["churn"][2] == 0


# --- pilots --------------------------------------------------------------------------------------------------------

def test_customer_pilots_are_split_evenly_and_do_not_overlap(con):
    for pilot in ("proactive_alerts", "ivr_greeting"):
        n, treated = _rows(con, f"""select count(*), sum((arm = 'treatment')::int) from a
                                    where pilot = '{pilot}' and unit_type = 'customer'""")[0]
        assert abs(treated / n - 0.5) < 4 * math.sqrt(0.25 / n), pilot
    both = _rows(con, """select count(*) from a x join a y using (unit_id)
                         where x.pilot = 'proactive_alerts' and y.pilot = 'ivr_greeting'""")[0][0]
    assert both == 0


def test_customer_pilots_enrol_only_customers_still_active_when_they_start(con, support_world):
    # Membership may use pre-assignment information only: a customer who churned before the start is never enrolled.
    for pilot in ("proactive_alerts", "ivr_greeting"):
        start = _truth(support_world, pilot)["start"]
        enrolled_after_churn = _rows(con, f"""select count(*) from a join o on a.unit_id = o.customer_id
            where a.pilot = '{pilot}' and o.outcome = 'churn' and o.occurred_at < '{start}'::timestamptz""")[0][0]
        churned_before = _rows(con, f"""select count(*) from o where outcome = 'churn'
                                       and occurred_at < '{start}'::timestamptz""")[0][0]
        assert churned_before > 50 and enrolled_after_churn == 0, pilot


def test_agent_pilot_treats_half_of_every_site(con):
    rows = _rows(con, """select i.site, count(distinct a.unit_id) filter (where arm = 'treatment'),
                                count(distinct a.unit_id) filter (where arm = 'control')
                         from a join (select distinct agent_id, site from i where agent_id is not null) i
                           on a.unit_id = i.agent_id where pilot = 'agent_assist' group by 1""")
    assert len(rows) == 9
    for site, treated, control in rows:
        assert abs(treated - control) <= 2, site


def test_site_pilot_is_four_against_four_and_the_rollout_covers_every_site_with_one_treated(con):
    arms = dict(_rows(con, "select arm, count(*) from a where pilot = 'after_contact_summaries' group by 1"))
    assert arms == {"control": 4, "treatment": 4}
    rollout = _rows(con, "select unit_id, arm from a where pilot = 'callback_rollout' order by arm desc")
    sites = {r[0] for r in _rows(con, "select distinct site from i where site is not null")}
    assert {r[0] for r in rollout} == sites
    assert [r for r in rollout if r[1] == "treatment"] == [("glasgow", "treatment")]
    overlap = _rows(con, """select count(*) from a where pilot = 'after_contact_summaries' and unit_id = 'glasgow'""")
    assert overlap[0][0] == 0


def test_the_placebo_pilot_has_exactly_zero_true_effects(support_world):
    effects = _truth(support_world, "ivr_greeting")["true_effects"]
    assert effects and all(e["absolute"] == 0.0 and e["relative"] == 0.0 for e in effects.values())


def test_every_other_pilot_has_a_planted_nonzero_effect_on_its_primary_metric(support_world):
    from cxscale.documents.pilot_spec import load_spec

    for p in support_world.ground_truth["pilots"]:
        if p["pilot"] == "ivr_greeting":
            continue
        primary = load_spec(support_world.out / p["spec"]).primary.metric
        assert abs(p["true_effects"][primary]["relative"]) > 0.05, p["pilot"]


def _window(result, pilot: str) -> tuple[str, str]:
    p = _truth(result, pilot)
    return p["start"], p["windows"]["post_days"]


def test_customer_pilot_difference_in_means_recovers_the_true_effect(big):
    result, con = big
    start, days = _window(result, "proactive_alerts")
    rows = _rows(con, f"""select a.arm, count(*), avg(coalesce(n, 0)), var_samp(coalesce(n, 0)) from a left join (
            select customer_id, count(*) n from i where started_at >= '{start}'::timestamptz
              and started_at < '{start}'::timestamptz + interval {days} day group by 1) x
            on a.unit_id = x.customer_id
        where pilot = 'proactive_alerts' group by 1""")
    by = {arm: (k, mean, var) for arm, k, mean, var in rows}
    diff = by["treatment"][1] - by["control"][1]
    se = math.sqrt(sum(var / k for k, _, var in by.values()))
    truth = _truth(result, "proactive_alerts")["true_effects"]["contacts_per_customer"]["absolute"]
    assert truth < -0.1
    assert abs(diff - truth) < 4 * se, (diff, truth, se)


def test_agent_pilot_ratio_of_handle_time_recovers_the_true_effect(big):
    result, con = big
    start, days = _window(result, "agent_assist")
    rows = _rows(con, f"""select a.arm, sum(handle_seconds), count(*) from i join a on i.agent_id = a.unit_id
        where a.pilot = 'agent_assist' and started_at >= '{start}'::timestamptz
          and started_at < '{start}'::timestamptz + interval {days} day group by 1""")
    aht = {arm: h / n for arm, h, n in rows}
    estimate = aht["treatment"] / aht["control"] - 1
    truth = _truth(result, "agent_assist")["true_effects"]["aht"]["relative"]
    assert truth < -0.08
    assert abs(estimate - truth) < 0.04, (estimate, truth)


def test_site_pilot_pre_post_change_recovers_the_true_effect(big):
    result, con = big
    start, days = _window(result, "after_contact_summaries")
    rows = _rows(con, f"""select a.arm, i.site,
            ln(avg(handle_seconds) filter (where started_at >= '{start}'::timestamptz
                                             and started_at < '{start}'::timestamptz + interval {days} day)
               / avg(handle_seconds) filter (where started_at < '{start}'::timestamptz
                                               and started_at >= '{start}'::timestamptz - interval 56 day))
        from i join a on i.site = a.unit_id where a.pilot = 'after_contact_summaries' group by 1, 2""")
    change = {arm: np.mean([r[2] for r in rows if r[0] == arm]) for arm in ("control", "treatment")}
    truth = _truth(result, "after_contact_summaries")["true_effects"]["aht"]["relative"]
    assert abs((change["treatment"] - change["control"]) - math.log1p(truth)) < 0.06


def _csat_panel(con, start: str, pre: int, post: int) -> dict[tuple[bool, str], tuple[float, int]]:
    rows = _rows(con, f"""select site = 'glasgow', case when started_at >= '{start}'::timestamptz then 'post'
                 when started_at >= '{start}'::timestamptz - interval {pre // 2} day then 'pre2' else 'pre1' end,
                 avg(csat), count(csat) from i
        where site is not null and started_at >= '{start}'::timestamptz - interval {pre} day
          and started_at < '{start}'::timestamptz + interval {post} day group by 1, 2""")
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def test_rollout_difference_in_differences_recovers_the_true_effect_with_parallel_pre_trends(big):
    result, con = big
    p = _truth(result, "callback_rollout")
    cell = _csat_panel(con, p["start"], p["windows"]["pre_days"], p["windows"]["post_days"])

    def pre(g: bool) -> tuple[float, int]:
        (m1, n1), (m2, n2) = cell[(g, "pre1")], cell[(g, "pre2")]
        return (m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2

    did = (cell[(True, "post")][0] - pre(True)[0]) - (cell[(False, "post")][0] - pre(False)[0])
    se = 1.2 * math.sqrt(1 / cell[(True, "post")][1] + 1 / pre(True)[1])
    truth = p["true_effects"]["csat_mean"]["absolute"]
    assert truth > 0.15
    assert abs(did - truth) < 4 * se, (did, truth, se)
    # Parallel pre-trends: glasgow's gap to the other sites is the same in both halves of the pre-period.
    gap1 = cell[(True, "pre1")][0] - cell[(False, "pre1")][0]
    gap2 = cell[(True, "pre2")][0] - cell[(False, "pre2")][0]
    se_pre = 1.2 * math.sqrt(1 / cell[(True, "pre1")][1] + 1 / cell[(True, "pre2")][1])
    assert abs(gap2 - gap1) < 4 * se_pre
