"""Timestamps that cannot be real are rejected: UTC offsets no zone has (unparseable_timestamp) and dates outside the
plausible range (implausible_timestamp: by default 1970 to a year from now; the mapping's `plausible` sets it)."""

from __future__ import annotations

import pytest

from cxscale.data.mapping import parse_mapping
from cxscale.errors import SpecError
from tests.conftest import data_on
from tests.data.conftest import (
    ASSIGNMENTS_HEADER,
    GOOD_ASSIGNMENTS,
    GOOD_INTERACTIONS,
    INTERACTIONS_HEADER,
    corrupt,
    report_of,
    write_csv,
)
from tests.data.hostile import assert_one_line, broken_world, cli


def _interactions(tmp_path, value, row=3):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, row, "started_at", value)
    return write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, rows)


@pytest.mark.parametrize("value", ["0001-01-01 00:00:00", "1900-01-01", "1969-12-31 23:59:59", "2999-01-01 10:00"])
def test_a_date_outside_the_plausible_range_is_rejected(tmp_path, value):
    [rule] = report_of(_interactions(tmp_path, value)).tables["interactions"].rules
    assert (rule.rule, rule.column, [e["row"] for e in rule.examples]) == ("implausible_timestamp", "started_at", [3])
    assert "plausible from 1970-01-01" in rule.message and f'source="{value}"' in rule.message


@pytest.mark.parametrize("value", ["2026-01-05 09:30:00+25:00", "2026-01-05 09:30:00-13:00",
                                   "2026-01-05 09:30:00+14:30", "2026-01-05 09:30+0575"])
def test_an_offset_no_zone_has_is_not_a_timestamp(tmp_path, value):
    [rule] = report_of(_interactions(tmp_path, value)).tables["interactions"].rules
    assert (rule.rule, rule.column, rule.rows) == ("unparseable_timestamp", "started_at", 1)
    assert f'"{value}"' in rule.message and "-12:00 to +14:00" in rule.message


@pytest.mark.parametrize("value", ["2026-01-05 09:30:00+14:00", "2026-01-05 09:30:00-12:00",
                                   "2026-01-05 09:30:00+05:30", "2026-01-05T09:30:00Z"])
def test_real_offsets_are_accepted(tmp_path, value):
    assert report_of(_interactions(tmp_path, value)).ok


def test_other_timestamp_columns_are_checked_too(good_folder):
    rows = corrupt(GOOD_ASSIGNMENTS, ASSIGNMENTS_HEADER, 2, "assigned_at", "2999-01-01")
    write_csv(good_folder / "assignments.csv", ASSIGNMENTS_HEADER, rows)
    write_csv(good_folder / "outcomes.csv", ["customer_id", "occurred_at", "outcome"], [["c1", "1900-01-01", "churn"]])
    report = report_of(good_folder)
    assert [(r.rule, r.column, r.rows) for r in report.tables["assignments"].rules] == [
        ("implausible_timestamp", "assigned_at", 1)]
    assert [(r.rule, r.column) for r in report.tables["outcomes"].rules] == [("implausible_timestamp", "occurred_at")]


def test_the_mapping_sets_the_plausible_range(tmp_path):
    _interactions(tmp_path, "2026-01-03 10:00:00")
    (tmp_path / "m.yaml").write_text("""
mapping_version: 1
plausible: {from: 2026-01-02, to: 2026-01-21}
tables:
  interactions:
    source: interactions.csv
    columns: {interaction_id: interaction_id, customer_id: customer_id, started_at: started_at, channel: channel}
""")
    [rule] = report_of(tmp_path, tmp_path / "m.yaml").tables["interactions"].rules
    # 2026-01-01 (row 1) is before, 2026-01-21 and 2026-01-22 (rows 5, 6) are not before the end.
    assert (rule.rule, [e["row"] for e in rule.examples]) == ("implausible_timestamp", [1, 5, 6])
    assert "plausible from 2026-01-02 to before 2026-01-21" in rule.message


@pytest.mark.parametrize("body, key", [("plausible: {from: soon}", "plausible.from"),
                                       ("plausible: {from: 2026-02-01, to: 2026-01-01}", "must be before"),
                                       ("plausible: {since: 2020-01-01}", "plausible: expected")])
def test_a_bad_plausible_range_names_the_key(body, key):
    import yaml

    raw = yaml.safe_load(f"mapping_version: 1\n{body}\n"
                         "tables: {customers: {source: c.csv, columns: {customer_id: id}}}\n")
    with pytest.raises(SpecError, match=key):
        parse_mapping(raw, "m.yaml")


@pytest.mark.parametrize("when", ["0001-01-01 00:00:00", "2999-01-01 00:00:00"])
def test_an_implausible_date_is_left_out_or_without_validation_refused_in_one_line(small_world, tmp_path, when):
    sql = (f"select * replace (case when row_number() over () = 3 then '{when}' else cast(started_at as varchar) "
           "end as started_at) from {src}")
    world = broken_world(small_world, tmp_path / "world" / "interactions.csv", sql)
    for command in (["diagnose", "--data", world], ["diagnose", "--json", "--data", world],
                    ["measure", world / "pilots" / "agent_assist.yaml", "--json"]):
        assert_one_line(*cli(*command, "--no-validate"), "column started_at", "rule implausible_timestamp")
        code, output = cli(*command)
        assert code == 0 and "implausible_timestamp" in output, output
    assert_one_line(*cli("validate", world), "rule implausible_timestamp", "row 3")


@pytest.mark.notimpl(["postgres"], raises=AssertionError, reason="1e400 is rejected as wrong_type, not "
                     "non_finite_number: a warehouse's text is cast only where it matches a number whose exponent "
                     "cannot overflow a double (cxscale.engine.dialect)")
def test_every_impossible_value_is_rejected_on_each_engine(tmp_path, engine):
    """The same hostile file on DuckDB and Spark: every bad row rejected, under these rules (Spark's reader takes
    the text 'inf' for no number at all, so there it is wrong_type: rejected all the same)."""
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "started_at", "2026-01-03 10:00:00+25:00")
    rows = corrupt(rows, INTERACTIONS_HEADER, 3, "started_at", "0001-01-01 10:00:00")
    rows = corrupt(rows, INTERACTIONS_HEADER, 4, "handle_seconds", "1e400")
    rows = corrupt(rows, INTERACTIONS_HEADER, 5, "started_at", "2999-01-05 10:00:00")
    report = report_of(**data_on(engine, write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, rows)))
    t = report.tables["interactions"]
    assert (t.rows_read, t.rows_rejected) == (6, 4)
    assert {(r.rule, r.column): [e["row"] for e in r.examples] for r in t.rules} == {
        ("unparseable_timestamp", "started_at"): [2], ("implausible_timestamp", "started_at"): [3, 5],
        ("non_finite_number", "handle_seconds"): [4]}
