"""Directly-follows counts equal pm4py's discovery on a real help-desk log; loops are marked."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.journey import discover_flows
from tests.conftest import shared_data
from tests.journey.oracle import directly_follows, enriched_contacts, top_flows
from tests.journey.tables import T0, tiny_interactions


def _log_interactions(con, path, mapping):
    """An event log as contract interactions: case = customer, activity = intent, file order breaks ties."""
    try:
        from cxscale.data.mapping import shipped_mappings

        if mapping in shipped_mappings():
            from cxscale.data import open_data

            return open_data(path, mapping=mapping, engine=con, validate=False).interactions
    except ImportError:
        pass
    raw = con.read_csv(str(path), table_name=f"{mapping}_raw")
    raw = raw.mutate(_row=ibis.row_number())  # DuckDB keeps file order for a plain CSV scan
    return raw.select(
        interaction_id=raw._row.cast("string").lpad(8, "0"),
        customer_id=raw.CaseID.cast("string"),
        started_at=raw.CompleteTimestamp.cast("timestamp"),
        channel=ibis.literal("ticket"),
        intent=raw.ActivityID.cast("string"),
    )


@pytest.mark.parametrize(("file", "mapping"), [("helpdesk.csv", "helpdesk"), ("bpi_13_incidents.csv", "bpi13")])
def test_intent_flow_counts_equal_pm4py_directly_follows_on_real_event_logs(duckdb_con, file, mapping):
    pm4py = pytest.importorskip("pm4py")
    path = shared_data("eventlogs", file)
    log = pd.read_csv(path)
    log["ActivityID"] = log["ActivityID"].astype(str)
    log["CaseID"] = log["CaseID"].astype(str)
    log["CompleteTimestamp"] = pd.to_datetime(log["CompleteTimestamp"])
    expected, _start, _end = pm4py.discover_dfg(log, activity_key="ActivityID", timestamp_key="CompleteTimestamp",
                                                case_id_key="CaseID")
    interactions = _log_interactions(duckdb_con, path, mapping)
    dfg = directly_follows(enriched_contacts(interactions)).to_pandas()
    bare = lambda a: a.removeprefix("activity_")  # the shipped mapping names intents activity_<ActivityID>  # noqa: E731
    ours = {(bare(r.source), bare(r.target)): int(r.count) for r in dfg.itertuples()}
    assert len(expected) > 20
    assert ours == {k: int(v) for k, v in expected.items()}
    # The fast path (the diagnosis's sequencing; the benchmark times it): 91 and 8,893 events of these logs share
    # their case's timestamp with another, so the tie-break is exercised.
    fast = {(bare(f.source), bare(f.target)): f.count for f in discover_flows(interactions, medians=False)}
    assert fast == ours


def test_self_edges_are_loops_and_back_and_forth_edges_are_marked_reverse(duckdb_con):
    extra = pd.DataFrame({"interaction_id": ["j1", "j2", "j3"], "customer_id": ["c9"] * 3,
                          "started_at": [T0, T0 + pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=2)],
                          "channel": ["voice"] * 3, "intent": ["tech", "billing", "tech"], "journey_stage": ["use"] * 3})
    df = pd.concat([tiny_interactions(), extra], ignore_index=True)
    flows = {(f.source, f.target): f for f in top_flows(enriched_contacts(duckdb_con.create_table("l", df)))}
    assert flows[("billing", "billing")].loop and not flows[("billing", "billing")].reverse
    assert flows[("billing", "tech")].reverse and flows[("tech", "billing")].reverse
    assert not flows[("billing", "tech")].loop
    assert flows[("tech", "billing")].median_seconds == 3600


def test_flows_over_channels_count_channel_to_channel_steps(duckdb_con):
    e = enriched_contacts(duckdb_con.create_table("ch", tiny_interactions()), DiagnosisOptions())
    flows = {(f.source, f.target): f.count for f in top_flows(e, "channel")}
    assert flows == {("voice", "self_service"): 1, ("self_service", "voice"): 1, ("voice", "voice"): 1}


def test_top_flows_keeps_only_the_busiest_edges(duckdb_con):
    e = enriched_contacts(duckdb_con.create_table("top", tiny_interactions()))
    flows = top_flows(e, limit=1)
    assert [(f.source, f.target, f.count) for f in flows] == [("billing", "billing", 2)]


def test_all_flow_graphs_come_from_one_query_with_the_busiest_edges_first(duckdb_con):
    from tests.journey.oracle import flow_graphs

    e = enriched_contacts(duckdb_con.create_table("fg", tiny_interactions()))
    graphs = flow_graphs(e, limit=2)
    assert [(f.source, f.target, f.count) for f in graphs["intent"]] == [("billing", "billing", 2),
                                                                         ("billing", "tech", 1)]
    assert len(graphs["channel"]) == 2 and graphs["channel"][0].count == 1
    assert {(f.source, f.target) for f in graphs["journey_stage"]} == {("pay", "pay"), ("pay", "use")}
