"""The scheduling world: an appointment journey with reminders, reschedules and no-shows, and a customer-randomised
reminder pilot whose planted effect on no_show_rate the data show (aggregates in DuckDB)."""

from __future__ import annotations

import math

import duckdb
import pytest

from cxscale.simulate import simulate


def _con(out) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"create view i as select * from '{out}/interactions/*.parquet'")
    con.execute(f"create view o as select * from '{out}/outcomes/*.parquet'")
    con.execute(f"create view a as select * from '{out}/assignments.parquet'")
    return con


@pytest.fixture(scope="module")
def con(scheduling_world):
    return _con(scheduling_world.out)


def _pilot(result) -> dict:
    (pilot,) = result.ground_truth["pilots"]
    return pilot


def test_the_journey_has_booking_reminder_rescheduling_and_visit_stages(con):
    stages = {r[0] for r in con.execute("select distinct journey_stage from i").fetchall()}
    assert {"booking", "reminder", "rescheduling", "pre_visit", "post_visit"} <= stages
    reminders = con.execute("""select count(*), count(agent_id), count(distinct channel) from i
                               where journey_stage = 'reminder'""").fetchone()
    assert reminders[0] > 0 and reminders[1] == 0 and reminders[2] == 1


def test_no_show_rate_is_realistic_and_outcomes_carry_visit_values(con):
    rate, n_null, low = con.execute("""select avg((outcome = 'no_show')::int), count(*) - count(value), min(value)
                                       from o""").fetchone()
    # Calibrated on the real no-show data: 28.7% of its appointments booked a day or more ahead are missed
    # (tests/simulate/test_noshow.py checks the rates by band).
    assert 0.22 < rate < 0.34
    assert n_null == 0 and low > 0


def test_online_rescheduling_often_fails_over_to_the_phone(con):
    switch = con.execute("""with r as (select *, lead(channel) over (partition by customer_id, intent
                              order by started_at) nxt from i where intent = 'reschedule')
                            select avg((nxt = 'voice')::int) from r where channel = 'self_service'
                              and not resolved and nxt is not null""").fetchone()[0]
    assert switch > 0.5


def test_referral_booking_hotspot_has_the_most_transfers_and_longest_waits(con, scheduling_world):
    hot = {h["intent"] for h in scheduling_world.ground_truth["hotspots"] if "transfers" in h["kinds"]}
    top = con.execute("select intent from i group by 1 order by avg(transferred::int) desc limit 1").fetchone()[0]
    wait = con.execute("""select intent from i where channel = 'voice' group by 1
                          order by avg(wait_seconds) desc limit 1""").fetchone()[0]
    assert {top, wait} == hot == {"referral_booking"}


def test_reminder_pilot_is_split_evenly_and_only_treated_patients_get_two_way_reminders(con, scheduling_world):
    n, treated = con.execute("select count(*), sum((arm = 'treatment')::int) from a").fetchone()
    assert abs(treated / n - 0.5) < 4 * math.sqrt(0.25 / n)
    start = _pilot(scheduling_world)["start"]
    by_arm = dict(con.execute("""select coalesce(a.arm, 'none'), count(*) from i left join a
                                  on i.customer_id = a.unit_id where intent = 'two_way_reminder'
                                  group by 1""").fetchall())
    assert set(by_arm) == {"treatment"} and by_arm["treatment"] > 0
    early = con.execute(f"""select count(*) from i where intent = 'two_way_reminder'
                            and started_at < '{start}'::timestamptz""").fetchone()[0]
    assert early == 0


def test_reminder_pilot_difference_in_no_show_rate_recovers_the_true_effect(tmp_path):
    result = simulate("scheduling", customers=30_000, seed=4, out=tmp_path)
    p = _pilot(result)
    truth = p["true_effects"]["no_show_rate"]
    assert truth["relative"] < -0.15
    rows = _rows_by_arm(_con(result.out), p["start"], p["windows"]["post_days"])
    rate = {arm: ns / k for arm, (ns, k) in rows.items()}
    diff = rate["treatment"] - rate["control"]
    se = math.sqrt(sum(r * (1 - r) / rows[arm][1] for arm, r in rate.items()))
    assert abs(diff - truth["absolute"]) < 4 * se, (diff, truth, se)


def _rows_by_arm(con, start: str, days: int) -> dict[str, tuple[int, int]]:
    rows = con.execute(f"""select a.arm, sum((outcome = 'no_show')::int), count(*) from o join a
                           on o.customer_id = a.unit_id where occurred_at >= '{start}'::timestamptz
                           and occurred_at < '{start}'::timestamptz + interval {days} day group by 1""").fetchall()
    return {arm: (ns, k) for arm, ns, k in rows}


def test_reminder_pilot_adds_sms_contacts_at_a_small_cost(scheduling_world):
    effects = _pilot(scheduling_world)["true_effects"]
    assert effects["contacts_per_customer"]["absolute"] > 0
    assert 0 < effects["cost_to_serve"]["relative"] < 0.05
