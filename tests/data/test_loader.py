"""open_data(validate=False) returns every contract column (derived or null, with notes) and, with validation, only accepted rows."""

from __future__ import annotations

import pytest

from cxscale.contract import TABLES
from cxscale.data import open_data
from cxscale.errors import ContractError
from tests.data.conftest import GOOD_ASSIGNMENTS, GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, write_csv


def test_every_contract_column_is_present_with_contract_types(good_folder):
    ds = open_data(good_folder, validate=False)
    for name in ("interactions", "outcomes", "assignments"):
        schema = ds.table(name).schema()
        assert list(schema.names) == list(TABLES[name].column_names)
        for col in TABLES[name].columns:
            assert schema[col.name] == __import__("ibis").dtype(col.dtype), (name, col.name)
    assert list(ds.customers.columns) == ["customer_id", "segment"]


def test_missing_optional_columns_are_derived_and_noted(good_folder):
    ds = open_data(good_folder, validate=False)
    rows = {r["interaction_id"]: r for r in ds.interactions.to_pyarrow().to_pylist()}
    # cost = fixed + per handled minute from the default rate card; a site's own channel uses the "other" rate.
    assert rows["i1"]["cost"] == pytest.approx(1.50 + 0.85 * 5)
    assert rows["i6"]["cost"] == pytest.approx(1.00 + 0.60 * 1.5)
    # resolved: i1 is followed by i2 (same customer, same intent) 2 days later -> not resolved; i2 has no repeat.
    assert rows["i1"]["resolved"] is False
    assert rows["i2"]["resolved"] is True
    # i4-i6 are within 7 days of the last contact: their repeat could fall outside the data.
    assert rows["i6"]["resolved"] is None
    assert rows["i1"]["journey_stage"] == "unknown" and rows["i1"]["agent_id"] is None
    assert any(n.startswith("interactions.cost: derived") for n in ds.notes)
    assert any(n.startswith("interactions.transferred: not in the source") for n in ds.notes)


def test_without_window_columns_leaves_only_the_derived_resolution_null(good_folder):
    ds = open_data(good_folder, validate=False)
    lean = ds.without_window_columns("interactions")
    assert lean.schema() == ds.interactions.schema()
    full = ds.interactions.order_by("interaction_id").to_pyarrow().to_pylist()
    rows = lean.order_by("interaction_id").to_pyarrow().to_pylist()
    assert [r["resolved"] for r in rows] == [None] * len(rows) != [r["resolved"] for r in full]
    assert [{**r, "resolved": None} for r in full] == rows
    # A table without a derived window column is the table itself.
    assert ds.without_window_columns("outcomes") is ds.outcomes


def test_during_narrows_the_interactions_to_a_period_and_keeps_the_other_tables(good_folder):
    from datetime import datetime, timedelta, timezone

    ds = open_data(good_folder, validate=False)
    # 12:00 at UTC+2 is 10:00 UTC: i1 starts at the bound (kept), i4 on the 20th is after the end.
    since = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    period = ds.during(since, datetime(2026, 1, 20))
    for table in (period.interactions, period.without_window_columns("interactions")):
        assert sorted(table.interaction_id.to_pyarrow().to_pylist()) == ["i1", "i2", "i3"]
    # The resolution is still derived from every contact: i1's repeat is i2.
    rows = {r["interaction_id"]: r["resolved"] for r in period.interactions.to_pyarrow().to_pylist()}
    assert rows["i1"] is False
    assert period.assignments.count().to_pyarrow().as_py() == len(GOOD_ASSIGNMENTS)
    assert ds.during() is ds
    later = ds.during(since + timedelta(seconds=1))
    assert "i1" not in later.interactions.interaction_id.to_pyarrow().to_pylist()


def test_validated_load_never_shows_a_bad_row(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "csat", "11")
    write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, rows)
    everything = open_data(tmp_path, validate=False)
    accepted = open_data(tmp_path)
    assert everything.interactions.count().to_pyarrow().as_py() == 6
    assert accepted.interactions.count().to_pyarrow().as_py() == 5
    assert accepted.interactions.csat.max().to_pyarrow().as_py() == 5
    assert accepted.report.tables["interactions"].rows_rejected == 1
    assert "interactions: 6 rows read, 5 accepted, 1 rejected" in accepted.notes


def test_strict_load_raises_with_the_rule_lines(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "csat", "11")
    write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, rows)
    with pytest.raises(ContractError, match=r"column csat: rule csat_out_of_range: 1 of 6 rows.*row 2: 11\.0"):
        open_data(tmp_path, strict=True)


def test_columns_outside_the_contract_are_named_in_the_notes(tmp_path):
    header = [*INTERACTIONS_HEADER, "agent_notes"]
    write_csv(tmp_path / "interactions.csv", header, [[*r, "called back"] for r in GOOD_INTERACTIONS])
    ds = open_data(tmp_path, validate=False)
    assert "interactions.csv: columns not in the interactions contract are ignored: agent_notes" in ds.notes
    assert "agent_notes" not in ds.interactions.columns
