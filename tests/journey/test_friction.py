"""Friction signals and avoidable cost: one grouped aggregation, exact roll-ups, hand-checked arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.journey.friction import dominant, rollup
from tests.journey.oracle import enriched_contacts, friction_sums
from tests.journey.tables import mini_world, tiny_interactions, tiny_outcomes

OPTIONS = DiagnosisOptions()


@pytest.fixture
def tiny_sums(duckdb_con):
    t = duckdb_con.create_table("tiny", tiny_interactions())
    o = duckdb_con.create_table("tiny_o", tiny_outcomes())
    return friction_sums(enriched_contacts(t, OPTIONS, o), OPTIONS).to_pandas()


def test_avoidable_cost_is_repeats_plus_switches_plus_half_of_transferred_first_contacts(tiny_sums):
    total = rollup(tiny_sums, [], OPTIONS).iloc[0]
    assert total["cost"] == pytest.approx(33.0)
    # i2 (4.0) is a repeat in another channel; i1 (10.0) is a transferred first contact: half of it is avoidable.
    assert total["avoidable_cost_switch"] == pytest.approx(4.0)
    assert total["avoidable_cost_repeat"] == pytest.approx(0.0)
    assert total["avoidable_cost_transfer"] == pytest.approx(5.0)
    assert total["avoidable_cost"] == pytest.approx(9.0)


def test_a_same_channel_repeat_is_fully_avoidable_and_never_counted_as_a_transfer(duckdb_con):
    df = tiny_interactions()
    df.loc[1, ["channel", "transferred"]] = ["voice", True]  # i2: repeat in the same channel, transferred
    t = duckdb_con.create_table("same", df)
    total = rollup(friction_sums(enriched_contacts(t), OPTIONS).to_pandas(), [], OPTIONS).iloc[0]
    assert total["avoidable_cost_repeat"] == pytest.approx(4.0)
    assert total["avoidable_cost_switch"] == pytest.approx(0.0)
    assert total["avoidable_cost_transfer"] == pytest.approx(5.0)


def test_signals_per_intent_match_the_hand_count(tiny_sums):
    by = rollup(tiny_sums, ["intent"], OPTIONS).set_index("intent")
    billing, tech = by.loc["billing"], by.loc["tech"]
    assert billing["volume"] == 3 and billing["episodes"] == 2
    assert billing["repeat_contact_rate_7d"] == pytest.approx(1 / 3)
    assert billing["repeat_contact_rate_30d"] == pytest.approx(2 / 3)
    assert billing["channel_switch_rate"] == pytest.approx(1 / 3)
    assert billing["contacts_per_episode"] == pytest.approx(1.5)
    assert billing["first_contact_resolution"] == pytest.approx(0.5)
    # Episode 1 runs from day 0 to day 2; episode 2 is a single contact (no handle time in the data).
    assert billing["time_to_resolution_seconds"] == pytest.approx(86400.0)
    assert billing["transfer_rate"] == pytest.approx(1 / 3)
    assert billing["csat_mean"] == pytest.approx(3.5) and billing["detractor_share"] == pytest.approx(0.5)
    assert tech["failure_rate"] == pytest.approx(0.5)
    assert tech["transfer_rate"] == pytest.approx(0.0)  # i5's unknown transfer is left out of the denominator


def test_near_the_ends_of_the_data_contacts_leave_the_rates_they_cannot_show(duckdb_con):
    """Censoring, worked by hand: tiny_interactions plus a contact on day 40 (c3), so the data spans days 0-40. An
    N-day repeat rate counts the contacts of day 40 - N or earlier; the channel-switch rate those of day 7 or later
    (a contact in the first week may repeat one before the data); first-contact resolution the episodes opened on
    days 7-33. Volume, episodes and cost keep every contact."""
    from cxscale.journey.diagnosis import data_span
    from cxscale.journey.friction import Span
    from tests.journey.tables import DAY, T0

    df = tiny_interactions()
    df.loc[len(df)] = ["i6", "c3", T0 + 40 * DAY, "chat", "tech", "use", 2.0, False, 4.0]
    t = duckdb_con.create_table("tiny_span", df)
    span = data_span(t)
    assert span == Span(int(T0.timestamp()), int((T0 + 40 * DAY).timestamp()))
    by = rollup(friction_sums(enriched_contacts(t, OPTIONS), OPTIONS, span).to_pandas(), ["intent"], OPTIONS)
    billing, tech = by.set_index("intent").loc["billing"], by.set_index("intent").loc["tech"]
    # Followed 7 and 14 days: i1 (repeated by i2 on day 2), i2 (next billing contact 18 days later), i3 (none).
    assert billing["repeat_contact_rate_7d"] == pytest.approx(1 / 3)
    assert billing["repeat_contact_rate_14d"] == pytest.approx(1 / 3)
    assert billing["repeat_contact_rate_30d"] == pytest.approx(1.0)  # i1 and i2 alone, both repeated within 30 days
    # Preceded by a week of data: i3 alone, which repeats nothing (i2's switch on day 2 is not counted).
    assert billing["channel_switch_rate"] == pytest.approx(0.0)
    # Observed on both sides: i3 (day 20) opens and closes its episode; episode 1 (day 0) is too early to tell.
    assert billing["first_contact_resolution"] == pytest.approx(1.0)
    assert billing["volume"] == 3 and billing["episodes"] == 2 and billing["cost"] == pytest.approx(24.0)
    assert tech["repeat_contact_rate_7d"] == pytest.approx(0.0)  # i4 and i5; i6 (day 40) is not followed
    assert tech["first_contact_resolution"] == pytest.approx(1.0)  # i4
    # Contacts per episode and time to resolution: the contacts and episode ends of days 7-33, i3 alone for billing
    # (an episode of one contact, with no handle time in the data), where every contact counted gives 1.5 contacts
    # and one day.
    assert billing["contacts_per_episode"] == pytest.approx(1.0)
    assert billing["time_to_resolution_seconds"] == pytest.approx(0.0)
    # Without the span every contact counts, the censored ones as not repeated.
    plain = rollup(friction_sums(enriched_contacts(t, OPTIONS), OPTIONS).to_pandas(), ["intent"], OPTIONS)
    assert plain.set_index("intent").loc["billing", "repeat_contact_rate_30d"] == pytest.approx(2 / 3)
    assert plain.set_index("intent").loc["billing", "channel_switch_rate"] == pytest.approx(1 / 3)
    assert plain.set_index("intent").loc["billing", "contacts_per_episode"] == pytest.approx(1.5)


def _episodes_seen_through_a_window(seed: int, episodes: int = 40_000) -> tuple[pd.DataFrame, float, float]:
    """Episodes opened uniformly over 400 days, each of a geometric number of contacts (mean 1/0.45) 0.5-5 days
    apart (within the 7-day episode window; one episode per customer) and 600 s of handle time each, seen through
    days 100-160 only: contacts, the true mean contacts per episode and the true mean time to resolution (seconds)."""
    rng = np.random.default_rng(seed)
    size = rng.geometric(0.45, episodes)
    episode = np.repeat(np.arange(episodes), size)
    position = np.concatenate([np.arange(n) for n in size])
    gaps = np.where(position > 0, np.floor(rng.uniform(0.5, 5, len(episode)) * 86400), 0)
    ts = np.floor(rng.uniform(0, 400, episodes) * 86400)[episode] + pd.Series(gaps).groupby(episode).cumsum().to_numpy()
    duration = pd.Series(gaps).groupby(episode).sum().to_numpy() + 600.0
    seen = (ts >= 100 * 86400) & (ts < 160 * 86400)
    df = pd.DataFrame({"interaction_id": np.arange(len(ts)).astype(str), "customer_id": episode.astype(str),
                       "started_at": pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(ts, unit="s"),
                       "channel": "voice", "intent": "billing", "journey_stage": "pay", "handle_seconds": 600.0,
                       "cost": 1.0})[seen]
    return df.reset_index(drop=True), float(size.mean()), float(duration.mean())


def test_contacts_per_episode_and_time_to_resolution_recover_planted_values_through_a_window(duckdb_con):
    """Episodes cut by the ends of the data look shorter: counting every contact (no span), the mean episode
    is 6% too small and resolves 12% too fast in this world; counting the contacts at least window_days from both
    ends (the span), both are within 2% of the planted values (about 13,000 contacts seen; seeds 1-6 gave -1.0% to
    -0.3% and -1.7% to 0.0%, against -5% to -6% and -11% to -13% counting every contact)."""
    from cxscale.journey.diagnosis import data_span

    df, size, duration = _episodes_seen_through_a_window(seed=1)
    t = duckdb_con.create_table("window_world", df)
    span = data_span(t)
    seen = rollup(friction_sums(enriched_contacts(t, OPTIONS), OPTIONS, span).to_pandas(), [], OPTIONS).iloc[0]
    every = rollup(friction_sums(enriched_contacts(t, OPTIONS), OPTIONS).to_pandas(), [], OPTIONS).iloc[0]
    assert seen["contacts_per_episode"] == pytest.approx(size, rel=0.02)
    assert seen["time_to_resolution_seconds"] == pytest.approx(duration, rel=0.02)
    assert every["contacts_per_episode"] < 0.96 * size
    assert every["time_to_resolution_seconds"] < 0.92 * duration


def test_rollups_from_the_finest_grain_equal_a_direct_aggregation(duckdb_con):
    df = mini_world(customers=300)
    t = duckdb_con.create_table("mini", df)
    sums = friction_sums(enriched_contacts(t), OPTIONS).to_pandas()
    by = rollup(sums, ["intent"], OPTIONS).set_index("intent")
    direct = df.groupby("intent").agg(volume=("interaction_id", "size"), cost=("cost", "sum"),
                                      transfer=("transferred", "mean"), csat=("csat", "mean"))
    assert by["volume"].to_dict() == direct["volume"].to_dict()
    assert by["cost"].to_dict() == pytest.approx(direct["cost"].to_dict())
    assert by["transfer_rate"].to_dict() == pytest.approx(direct["transfer"].to_dict())
    assert by["csat_mean"].to_dict() == pytest.approx(direct["csat"].to_dict())


def test_the_dominant_channel_is_the_one_with_most_contacts(tiny_sums):
    dom = dominant(tiny_sums, ["intent"], "channel").set_index("intent")
    assert dom.loc["billing", "channel"] == "voice"
    assert dom.loc["billing", "channel_share"] == pytest.approx(2 / 3)
