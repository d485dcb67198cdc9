"""Diagnosis' fast path (narrow queries over integer cell codes) changes nothing but speed: its sums and flows equal
those of the enriched view over the names, ties and sub-second contacts included, on every engine."""

from __future__ import annotations

import pandas as pd
import pytest

from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.journey.codes import DIMENSIONS, cell_codes
from cxscale.journey.contacts import base_contacts
from cxscale.journey.diagnosis import data_span
from cxscale.journey.flows import FLOW_DIMENSIONS, discover_flows, graphs_of_steps
from cxscale.journey.friction import GRAIN, Span
from cxscale.journey.passes import code_cells, diagnosis_sums, sequence
from tests.conftest import parquet_table
from tests.journey.oracle import enriched_contacts, flow_graphs, friction_sums, journey_steps
from tests.journey.tables import mini_world, tiny_interactions, tiny_outcomes

OPTIONS = DiagnosisOptions()


def _with_ties(df: pd.DataFrame, intents: str = "any") -> pd.DataFrame:
    """Make the first contacts of a few customers simultaneous with their next one (ties broken by
    interaction_id) and move one a fraction of a second, so that the ordering rules are exercised.
    intents="different": only pairs about two different intents are made simultaneous."""
    df = df.sort_values(["customer_id", "started_at", "interaction_id"]).reset_index(drop=True)
    same = df["customer_id"].eq(df["customer_id"].shift(-1))
    if intents == "different":
        same &= df["intent"].ne(df["intent"].shift(-1))
        same &= df["customer_id"].ne(df["customer_id"].shift(1))  # one pair per customer: its first two contacts
    tie_rows = df.index[same][:25]
    df.loc[tie_rows, "started_at"] = df.loc[tie_rows + 1, "started_at"].to_numpy()
    df.loc[tie_rows[:5], "started_at"] += pd.Timedelta(milliseconds=300)
    return df


def _load(engine, tmp_path, name: str, df: pd.DataFrame):
    # Through Parquet, so that Spark needs no Python workers to take the table in.
    path = tmp_path / f"{name}.parquet"
    df.to_parquet(path)
    return parquet_table(engine, path)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(GRAIN).reset_index(drop=True)


def _compare(t, o=None, tied: bool | None = None, need_tied: bool | None = None, whole: bool = True) -> pd.DataFrame:
    """Sums and flows three ways: the enriched view over names, the narrow queries with every customer sorted with
    the tie-break, and the diagnosis's way (passes.sequence: the tie-break only for customers with simultaneous
    contacts). `tied` / `need_tied`: whether the data must have such customers / such contacts about one intent.
    Also checks that the customer x intent window gets every contact that shares its intent with another contact of
    the same customer, and leaves out at least one that does not."""
    span = data_span(t)
    codes = code_cells(t, OPTIONS, span=span)
    seq = sequence(t, OPTIONS, codes)
    try:
        assert tied is None or (seq.n_tied > 0) == tied
        assert need_tied is None or (seq.need_tied is not None) == need_tied
        df = t.select("customer_id", "intent").to_pandas().fillna("unknown")
        sharing = int(df.groupby(["customer_id", "intent"]).size().loc[lambda n: n > 1].sum())
        windowed = int(seq.sharing.count().to_pyarrow().as_py())
        if seq.need_contacts is not None:
            windowed += int(seq.need_contacts.count().to_pyarrow().as_py())
        assert sharing <= windowed < len(df)
        by_name = _sorted(friction_sums(enriched_contacts(t, OPTIONS, o), OPTIONS, span).to_pandas())
        # The span leaves the last contacts out of the repeat rates and the first ones out of the switch rate.
        assert (by_name["followed_30d"] < by_name["contacts"]).any()
        assert (by_name["preceded_window"] < by_name["contacts"]).any()
        for sequenced in (None, seq):
            by_code = _sorted(diagnosis_sums(t, OPTIONS, codes, o, sequenced, span=span))[by_name.columns]
            pd.testing.assert_frame_equal(by_name, by_code, check_dtype=False)
        dims = tuple(FLOW_DIMENSIONS)
        # A small limit cuts through edges of equal count: they must still rank by name, not by code.
        for limit in (5, 200) if whole else (5,):
            expected = flow_graphs(enriched_contacts(t, OPTIONS), dims, limit)
            if whole:
                assert flow_graphs(journey_steps(t, codes), dims, limit, codes) == expected
            assert graphs_of_steps(seq.steps, dims, limit, codes) == expected
        if not whole:
            return by_code
        flows_only = sequence(t, OPTIONS, codes, episodes=False)
        try:
            assert flows_only.sharing is None
            assert graphs_of_steps(flows_only.steps, dims, 5, codes) == flow_graphs(enriched_contacts(t, OPTIONS), dims, 5)
        finally:
            flows_only.release()
        # One dimension's whole DFG on its own (coded by that dimension alone), with and without the medians.
        every = flow_graphs(enriched_contacts(t, OPTIONS), dims, 10**9)
        for dim in dims:
            assert discover_flows(t, dim) == every[dim]
            counted = discover_flows(t, dim, medians=False)
            assert [(f.source, f.target, f.count, f.median_seconds) for f in counted] == [
                (f.source, f.target, f.count, None) for f in every[dim]]
    finally:
        seq.release()
        codes.release()
    return by_code


@pytest.mark.parametrize(("seed", "listed", "seconds"), [(7, 5_000, 3), (8, 0, 3), (7, 5_000, 100)])
def test_fast_sums_and_flows_equal_the_enriched_view_ties_included(engine, tmp_path, monkeypatch, seed, listed,
                                                                   seconds):
    # The first world is checked whole; the other two change only how the tied customers are sequenced.
    # listed=0: the tied customers are joined from their cached table instead of named in an IN list.
    # seconds=100: their contacts in the 25 tied seconds are read again by second, the others taken from the cache.
    monkeypatch.setattr("cxscale.journey.passes.LISTED_TIED", listed)
    monkeypatch.setattr("cxscale.journey.passes.REREAD_SECONDS", seconds)
    t = _load(engine, tmp_path, f"world{seed}", _with_ties(mini_world(customers=300, seed=seed)))
    by_code = _compare(t, tied=True, need_tied=True, whole=(listed, seconds) == (5_000, 3))
    assert len(by_code) > 20 and by_code["repeat_contacts"].sum() > 0 and by_code["channel_switches"].sum() > 0


def test_a_reread_by_second_that_misses_its_contacts_falls_back_to_reading_the_tied_customers(engine, tmp_path,
                                                                                           monkeypatch):
    # If a second is not found again with its simultaneous contacts (here each is a second off, as a time zone
    # mismatch between the engine and the literals would put it), every contact of the tied customers is read
    # again: the results stay exact.
    from cxscale.journey import passes

    found, real = [], passes._seconds
    monkeypatch.setattr(passes, "_seconds", lambda pairs: found.append(1) or [s + 1 for s in real(pairs)])
    monkeypatch.setattr(passes, "REREAD_SECONDS", 100)
    _compare(_load(engine, tmp_path, "lost", _with_ties(mini_world(customers=300, seed=7))), tied=True, need_tied=True,
             whole=False)
    assert found


def test_simultaneous_contacts_about_different_intents_leave_the_episodes_sorted_by_start(engine, tmp_path):
    df = _with_ties(mini_world(customers=300, seed=5), intents="different")
    _compare(_load(engine, tmp_path, "cross", df), tied=True, need_tied=False)


def test_a_tied_customers_last_contact_alone_in_its_second_still_makes_its_step(engine, tmp_path, monkeypatch):
    # Read again by second, a tied customer's other contacts come from the cached sequence. The flows alone must
    # cache every contact for that, the last ones too: here only the first two contacts of a customer with three or
    # more tie, so each tied customer's last contact is alone in its second, and its step into it would be lost.
    monkeypatch.setattr("cxscale.journey.passes.REREAD_SECONDS", 100)
    world = mini_world(customers=300, seed=5)
    world = world[world.groupby("customer_id")["customer_id"].transform("size") >= 3]
    df = _with_ties(world, intents="different")
    t = _load(engine, tmp_path, "last", df)
    every = flow_graphs(enriched_contacts(t, OPTIONS), tuple(FLOW_DIMENSIONS), 10**9)
    for dim in FLOW_DIMENSIONS:
        assert discover_flows(t, dim) == every[dim]


def test_without_simultaneous_contacts_nothing_is_sorted_with_the_tie_break(engine, tmp_path):
    df = mini_world(customers=300, seed=9)
    df["started_at"] += pd.to_timedelta(range(len(df)), unit="s")  # no two contacts within one second
    by_code = _compare(_load(engine, tmp_path, "untied", df), tied=False)
    assert by_code["repeat_contacts"].sum() > 0


def test_more_intents_than_bits_still_give_the_same_sums(engine, tmp_path):
    # Intent codes are taken modulo 63 to mark the contacts that may share their intent: with over 63 intents some
    # share a bit, which may only add contacts to the customer x intent window, never change a sum.
    df = mini_world(customers=300, seed=11)
    df["intent"] = df["intent"] + "_" + (df["customer_id"].str[1:].astype(int) % 23).astype(str)
    assert df["intent"].nunique() > 63
    by_code = _compare(_load(engine, tmp_path, "many", df))
    assert by_code["repeat_contacts"].sum() > 0


def test_fast_path_carries_failures_after_contact_and_missing_dimensions(engine, tmp_path):
    df = tiny_interactions()
    df.loc[0, "journey_stage"] = None  # a missing stage groups as "unknown"
    by_code = _compare(_load(engine, tmp_path, "tiny", df), _load(engine, tmp_path, "out", tiny_outcomes()))
    assert by_code["failures_following"].sum() == 1 and "unknown" in set(by_code["journey_stage"])


def test_cell_codes_are_mixed_radix_and_decode_to_every_dimension(duckdb_con):
    t = duckdb_con.create_table("mw", mini_world(customers=200))
    codes = cell_codes(base_contacts(t))
    try:
        table = codes.table.to_pandas()
        assert set(table.columns) >= {*DIMENSIONS, "cell"} and table["cell"].is_unique
        expr = codes.table
        decoded = expr.select(*[(codes.code(expr.cell, d) == expr[f"{d}_code"]).name(d) for d in DIMENSIONS])
        assert decoded.to_pandas().all().all()
        assert codes.radix["intent"] == table["intent"].nunique()
    finally:
        codes.release()


@pytest.mark.parametrize("tied", [False, True])
def test_a_period_with_its_context_gives_the_whole_datas_sums_and_flows_for_its_contacts(engine, tmp_path, tied):
    """diagnose(since=, until=) reads window_days before `since` as context: every sum and flow equals the enriched
    view over all the data before `until`, restricted to the contacts from `since` on; cells seen only in the
    context are left out. Ties included (the context's simultaneous contacts order the period's too)."""
    from datetime import UTC, datetime, timedelta

    from cxscale.data.dataset import Dataset
    from cxscale.journey import diagnose

    df = mini_world(customers=600)
    df = _with_ties(df) if tied else df
    # A cell seen only before the period: it must not show up (0 contacts).
    df.loc[(df.started_at < "2026-01-20") & (df.index % 50 == 0), "journey_stage"] = "context_only_stage"
    t = _load(engine, tmp_path, "period", df)
    since, until = datetime(2026, 1, 25, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)
    whole = t.filter(t.started_at < until)
    enriched = enriched_contacts(whole, OPTIONS)
    # The span diagnose uses: from the context's start (the data starts earlier) to the last contact before `until`.
    span = Span(int((since - timedelta(days=7)).timestamp()), data_span(whole).last_ts)
    assert data_span(t).first_ts < span.first_ts
    expected = _sorted(friction_sums(enriched.filter(enriched.started_at >= since), OPTIONS, span).to_pandas())
    d = diagnose(Dataset(engine, {"interactions": t}, "period"), OPTIONS, use_cases=0, since=since, until=until)
    got = _sorted(d.sums)[expected.columns]
    pd.testing.assert_frame_equal(expected, got, check_dtype=False)
    assert "context_only_stage" not in set(got.journey_stage)
    flows = flow_graphs(enriched.filter(enriched.started_at >= since), tuple(FLOW_DIMENSIONS), OPTIONS.top_flows)
    assert {"intent": d.flows, "journey_stage": d.stage_flows, "channel": d.channel_flows} == flows
    # Without the context, the repeats of needs raised in the week before the period would open new episodes.
    alone = diagnose(Dataset(engine, {"interactions": t.filter(t.started_at >= since)}, "alone"), OPTIONS,
                     use_cases=0, until=until)
    assert d.overall.volume == alone.overall.volume
    assert d.overall.episodes < alone.overall.episodes
    assert any("read as context only" in n for n in d.notes)
    # The reference path (every contact through the window with the tie-break) gives the same sums.
    codes = code_cells(whole.filter(whole.started_at >= since - timedelta(days=7)), OPTIONS,
                       int(since.timestamp()), span)
    try:
        reference = diagnosis_sums(whole.filter(whole.started_at >= since - timedelta(days=7)), OPTIONS, codes,
                                   since_ts=int(since.timestamp()), span=span)
        pd.testing.assert_frame_equal(expected, _sorted(reference)[expected.columns], check_dtype=False)
    finally:
        codes.release()
