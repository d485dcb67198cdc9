"""The enriched contact view and episodes, checked on a hand-made example whose answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from cxscale.documents.diagnosis import DiagnosisOptions
from tests.conftest import parquet_table
from tests.journey.oracle import directly_follows, enriched_contacts, episodes
from tests.journey.tables import T0, tiny_interactions, tiny_outcomes


@pytest.fixture
def tiny(duckdb_con):
    return duckdb_con.create_table("tiny", tiny_interactions())


def _by_id(expr) -> pd.DataFrame:
    return expr.to_pandas().set_index("interaction_id").sort_index()


def test_episodes_group_same_intent_contacts_within_seven_days(tiny):
    ep = _by_id(episodes(tiny))
    assert ep["episode_id"].to_dict() == {
        "i1": "c1|billing|1", "i2": "c1|billing|1", "i3": "c1|billing|2", "i4": "c1|tech|1", "i5": "c2|tech|1",
    }
    assert ep["is_episode_end"].to_dict() == {"i1": False, "i2": True, "i3": True, "i4": True, "i5": True}


def test_a_wider_window_merges_episodes(tiny):
    ep = _by_id(episodes(tiny, window_days=30))
    assert ep.loc[["i1", "i2", "i3"], "episode_id"].nunique() == 1


def test_repeat_flags_follow_each_window(tiny):
    e = _by_id(enriched_contacts(tiny))
    assert e["repeat_7d"].tolist() == [True, False, False, False, False]
    assert e["repeat_14d"].tolist() == [True, False, False, False, False]
    # i2 -> i3 is 18 days: inside 30 days only.
    assert e["repeat_30d"].tolist() == [True, True, False, False, False]
    assert e["next_same_gap"]["i1"] == 2 * 86400


def test_a_repeat_in_another_channel_is_a_channel_switch(tiny):
    e = _by_id(enriched_contacts(tiny))
    assert e["is_repeat"].tolist() == [False, True, False, False, False]
    assert e["channel_switch"].tolist() == [False, True, False, False, False]
    assert e.loc["i2", "prev_same_channel"] == "voice"


def test_failure_outcomes_that_follow_within_the_window_are_attributed_to_the_contact(duckdb_con, tiny):
    outcomes = duckdb_con.create_table("tiny_outcomes", tiny_outcomes())
    e = _by_id(enriched_contacts(tiny, outcomes=outcomes))
    # c2's no-show is one day after its chat; c1's is 39 days after its last contact: beyond the 30-day window.
    assert e["failure_follows"].tolist() == [False, False, False, False, True]


def test_without_outcomes_failures_are_unknown_not_false(tiny):
    e = _by_id(enriched_contacts(tiny))
    assert e["failure_follows"].isna().all()


def test_missing_cost_is_filled_from_the_rate_card(duckdb_con):
    df = tiny_interactions().drop(columns=["cost"])
    df["handle_seconds"] = 120.0
    e = _by_id(enriched_contacts(duckdb_con.create_table("nocost", df)))
    # voice: 1.50 fixed + 0.85 per minute x 2 minutes.
    assert e.loc["i1", "cost"] == pytest.approx(1.50 + 0.85 * 2)


def test_ties_on_started_at_are_broken_by_interaction_id(duckdb_con):
    df = pd.DataFrame({"interaction_id": ["b", "a", "c"], "customer_id": ["k"] * 3,
                       "started_at": [T0, T0, T0 + pd.Timedelta(hours=1)], "channel": ["voice"] * 3,
                       "intent": ["x", "y", "z"]})
    e = _by_id(enriched_contacts(duckdb_con.create_table("ties", df)))
    assert e["next_intent"][["a", "b"]].tolist() == ["x", "z"]
    assert pd.isna(e.loc["c", "next_intent"])


def test_episodes_and_flow_counts_agree_on_every_engine(engine, tmp_path):
    # Through Parquet, so that Spark needs no Python workers to take the table in.
    tiny_interactions().to_parquet(tmp_path / "tiny.parquet")
    t = parquet_table(engine, tmp_path / "tiny.parquet")
    ep = episodes(t).to_pandas().set_index("interaction_id").sort_index()
    assert ep["episode_id"].tolist() == ["c1|billing|1", "c1|billing|1", "c1|billing|2", "c1|tech|1", "c2|tech|1"]
    dfg = directly_follows(enriched_contacts(t, DiagnosisOptions())).to_pandas()
    counts = {(r.source, r.target): int(r.count) for r in dfg.itertuples()}
    assert counts == {("billing", "billing"): 2, ("billing", "tech"): 1}
    med = dfg.set_index(["source", "target"])["median_seconds"]
    # billing -> billing gaps are 2 and 18 days: median 10 days.
    assert med[("billing", "billing")] == pytest.approx(10 * 86400)


def test_contacts_within_one_second_keep_their_true_order(duckdb_con):
    t1 = T0 + pd.Timedelta(milliseconds=200)
    df = pd.DataFrame({"interaction_id": ["a", "b"], "customer_id": ["k", "k"], "started_at": [t1, T0],
                       "channel": ["voice", "chat"], "intent": ["later", "earlier"]})
    e = _by_id(enriched_contacts(duckdb_con.create_table("subsecond", df)))
    assert e.loc["b", "next_intent"] == "later"
