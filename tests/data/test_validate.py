"""Every contract rule rejects the rows that break it, with a message naming the file, column, rule and rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscale.data import open_data
from cxscale.data.validate import RuleResult, ValidationReport
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


def _failures(report: ValidationReport) -> list[RuleResult]:
    return [r for t in report.tables.values() for r in t.rules if r.rows]


def _single_failure(report: ValidationReport) -> RuleResult:
    failures = _failures(report)
    assert len(failures) == 1, [f.message for f in failures]
    return failures[0]


def _interactions(tmp_path: Path, rows: list[list[str]], header: list[str] = INTERACTIONS_HEADER) -> Path:
    return write_csv(tmp_path / "interactions.csv", header, rows)


def _assert_message(result: RuleResult, rule: str, column: str, rows: list[int]) -> None:
    assert result.rule == rule
    assert result.column == column
    assert [e["row"] for e in result.examples] == rows
    assert "interactions.csv" in result.message or "assignments.csv" in result.message
    assert f"column {column}" in result.message
    assert f"rule {rule}" in result.message
    label = "row" if len(rows) == 1 else "rows"
    assert f"{label} {', '.join(map(str, rows))}:" in result.message


def test_clean_tables_pass_every_rule(good_folder):
    report = report_of(good_folder)
    assert report.ok, report.error_lines()
    assert {t: r.rows_read for t, r in report.tables.items()} == {
        "interactions": 6, "outcomes": 2, "assignments": 4, "customers": 2}


def test_missing_required_column_rejects_every_row_and_names_the_column(tmp_path):
    header = [c for c in INTERACTIONS_HEADER if c != "started_at"]
    rows = [[v for c, v in zip(INTERACTIONS_HEADER, r, strict=True) if c != "started_at"] for r in GOOD_INTERACTIONS]
    report = report_of(_interactions(tmp_path, rows, header))
    result = _single_failure(report)
    assert (result.rule, result.column, result.rows) == ("missing_column", "started_at", 6)
    assert "no column 'started_at'" in result.message and "interactions.csv" in result.message
    assert report.tables["interactions"].rows_accepted == 0


def test_unparseable_timestamp_names_rows_and_values(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "started_at", "31/02/2026 25:61")
    rows = corrupt(rows, INTERACTIONS_HEADER, 5, "started_at", "yesterday")
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    _assert_message(result, "unparseable_timestamp", "started_at", [2, 5])
    assert '"31/02/2026 25:61"' in result.message and "started_at.format" in result.message


def test_wrong_type_names_the_value(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 3, "handle_seconds", "3 minutes")
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    _assert_message(result, "wrong_type", "handle_seconds", [3])
    assert '"3 minutes"' in result.message


def test_duplicate_ids_keep_the_first_and_reject_the_repeats(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 4, "interaction_id", "i1")
    rows = corrupt(rows, INTERACTIONS_HEADER, 6, "interaction_id", "i1")
    report = report_of(_interactions(tmp_path, rows))
    result = _single_failure(report)
    _assert_message(result, "duplicate_id", "interaction_id", [4, 6])
    assert report.tables["interactions"].rows_accepted == 4


def test_repeated_assignments_are_counted_per_pilot_unit_type_and_unit_and_a_missing_key_is_not_a_repeat(tmp_path):
    write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, GOOD_INTERACTIONS)
    rows = [*GOOD_ASSIGNMENTS, ["c1", "customer", "p1", "control", "2026-01-03"],
            ["c1", "customer", "p1", "control", "2026-01-04"], ["c1", "customer", "p2", "control", "2026-01-03"],
            ["", "customer", "p1", "control", "2026-01-03"], ["", "customer", "p1", "control", "2026-01-03"]]
    write_csv(tmp_path / "assignments.csv", ASSIGNMENTS_HEADER, rows)
    rules = {r.rule: r for r in report_of(tmp_path).tables["assignments"].rules}
    assert rules["duplicate_id"].rows == 2 and [e["row"] for e in rules["duplicate_id"].examples] == [5, 6]
    assert rules["missing_value"].rows == 2


def test_a_value_of_only_whitespace_is_missing_and_one_that_starts_with_a_space_is_not(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "channel", " \t ")
    rows = corrupt(rows, INTERACTIONS_HEADER, 3, "channel", " email")
    rows = corrupt(rows, INTERACTIONS_HEADER, 4, "channel", "")
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    _assert_message(result, "missing_value", "channel", [2, 4])


def test_negative_durations_are_rejected(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 1, "handle_seconds", "-30")
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    _assert_message(result, "negative_duration", "handle_seconds", [1])
    assert "-30" in result.message


def test_csat_out_of_range_is_rejected_at_both_ends(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "csat", "0")
    rows = corrupt(rows, INTERACTIONS_HEADER, 4, "csat", "10")
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    _assert_message(result, "csat_out_of_range", "csat", [2, 4])


def test_missing_required_value_is_rejected(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 6, "customer_id", "")
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    _assert_message(result, "missing_value", "customer_id", [6])


def test_negative_cost_is_rejected(tmp_path):
    header = [*INTERACTIONS_HEADER, "cost"]
    rows = [[*r, "2.5"] for r in GOOD_INTERACTIONS]
    rows[2][-1] = "-1"
    result = _single_failure(report_of(_interactions(tmp_path, rows, header)))
    _assert_message(result, "negative_value", "cost", [3])


def _assignments(tmp_path: Path, rows: list[list[str]]) -> Path:
    return write_csv(tmp_path / "assignments.csv", ASSIGNMENTS_HEADER, rows)


def test_unknown_arm_is_rejected_when_arms_are_declared(tmp_path):
    rows = corrupt(GOOD_ASSIGNMENTS, ASSIGNMENTS_HEADER, 3, "arm", "treatmnt")
    result = _single_failure(report_of(_assignments(tmp_path, rows), arms={"p1": ("control", "treatment")}))
    assert (result.rule, result.column, [e["row"] for e in result.examples]) == ("unknown_arm", "arm", [3])
    assert "rule unknown_arm" in result.message and '"treatmnt"' in result.message
    assert "declared p1: control, treatment" in result.message


def test_arms_declared_for_every_pilot_apply_to_undeclared_pilots(tmp_path):
    rows = corrupt(GOOD_ASSIGNMENTS, ASSIGNMENTS_HEADER, 2, "arm", "variant_b")
    result = _single_failure(report_of(_assignments(tmp_path, rows), arms={"*": ("control", "treatment")}))
    assert result.rule == "unknown_arm" and [e["row"] for e in result.examples] == [2]


def test_arms_are_read_from_pilot_specs_beside_the_data(tmp_path):
    _assignments(tmp_path, corrupt(GOOD_ASSIGNMENTS, ASSIGNMENTS_HEADER, 4, "arm", "holdout"))
    (tmp_path / "pilots").mkdir()
    (tmp_path / "pilots" / "p1.yaml").write_text(
        "spec_version: 1\npilot: p1\nprimary:\n  metric: cost_to_serve\n  target:\n    relative: -0.05\n")
    result = _single_failure(report_of(tmp_path))
    assert result.rule == "unknown_arm" and [e["row"] for e in result.examples] == [4]


def test_a_pilot_with_one_arm_is_rejected(tmp_path):
    rows = [*GOOD_ASSIGNMENTS, ["c9", "customer", "p2", "control", "2026-01-03"]]
    result = _single_failure(report_of(_assignments(tmp_path, rows)))
    assert (result.rule, result.column, [e["row"] for e in result.examples]) == ("single_arm_pilot", "arm", [5])
    assert 'pilot="p2"' in result.message


def test_unknown_unit_type_is_rejected(tmp_path):
    rows = corrupt(GOOD_ASSIGNMENTS, ASSIGNMENTS_HEADER, 1, "unit_type", "household")
    result = _single_failure(report_of(_assignments(tmp_path, rows)))
    assert (result.rule, result.column, [e["row"] for e in result.examples]) == ("unknown_unit_type", "unit_type", [1])


def test_counts_add_up_when_rows_break_several_rules(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "csat", "7")
    rows = corrupt(rows, INTERACTIONS_HEADER, 2, "handle_seconds", "-1")
    rows = corrupt(rows, INTERACTIONS_HEADER, 5, "started_at", "never")
    report = report_of(_interactions(tmp_path, rows))
    t = report.tables["interactions"]
    assert (t.rows_read, t.rows_accepted, t.rows_rejected) == (6, 4, 2)
    assert {r.rule: r.rows for r in t.rules} == {"csat_out_of_range": 1, "negative_duration": 1,
                                                  "unparseable_timestamp": 1}
    assert len(report.error_lines()) == 3


def test_examples_stop_at_five_rows(tmp_path):
    rows = [[f"i{i}", "c1", "2026-01-01", "voice", "x", "-1", ""] for i in range(1, 13)]
    result = _single_failure(report_of(_interactions(tmp_path, rows)))
    assert result.rows == 12 and [e["row"] for e in result.examples] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("value", ["2026-01-01T10:00:00+02:00"])
def test_timestamps_with_an_offset_are_converted_to_utc(tmp_path, value):

    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 1, "started_at", value)
    ds = open_data(_interactions(tmp_path, rows))
    first = ds.interactions.filter(ds.interactions.interaction_id == "i1").started_at.max().to_pyarrow().as_py()
    assert first.isoformat() == "2026-01-01T08:00:00+00:00"


def _write_parquet(path: Path, header: list[str], rows: list[list[str | None]]) -> Path:
    """Text columns, an empty field null (as a CSV file's)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {c: pa.array([r[i] or None for r in rows], pa.string()) for i, c in enumerate(header)}
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def _with_ids(ids: list[str | None]) -> list[list[str | None]]:
    return [[i, *row[1:]] for i, row in zip(ids, GOOD_INTERACTIONS, strict=True)]


def _findings(report: ValidationReport, table: str) -> dict[tuple[str, str], tuple[int, list[int]]]:
    return {(r.rule, r.column): (r.rows, [e["row"] for e in r.examples]) for r in report.tables[table].rules}


@pytest.mark.parametrize("ids, found", [
    (["i1", "i2", "i3", "i4", "i5", "i6"], {}),
    (["i3", "i1", "i2", "i6", "i5", "i4"], {}),
    (["i1", "i2", "i2", "i3", "i4", "i4"], {("duplicate_id", "interaction_id"): (2, [3, 6])}),
    (["i6", "i1", "i1", "i5", "i4", "i2"], {("duplicate_id", "interaction_id"): (1, [3])}),
    (["i1", None, "i1", "i2", "i3", "i4"], {("duplicate_id", "interaction_id"): (1, [3]),
                                            ("missing_value", "interaction_id"): (1, [2])}),
])
def test_duplicate_ids_in_parquet_are_counted_whatever_their_order(tmp_path, ids, found):
    """Ids that rise down a Parquet file prove themselves unique in one pass (cxscale.data.validate); a repeat, or
    ids in another order, are counted from the distinct ids as in a CSV file."""
    report = report_of(_write_parquet(tmp_path / "interactions.parquet", INTERACTIONS_HEADER, _with_ids(ids)))
    assert _findings(report, "interactions") == found
    assert report.tables["interactions"].rows_rejected == sum(n for n, _ in found.values())


@pytest.mark.parametrize("name, proven", [("interactions.parquet", [True]), ("interactions.csv", [False])])
def test_ids_rising_down_a_parquet_file_are_proven_unique_by_one_pass(tmp_path, monkeypatch, name, proven):
    """The pass that spares the distinct count where it can (DuckDB, Parquet); a CSV file is not read twice for it."""
    from cxscale.data import validate

    found: list[bool] = []
    pass_over_keys = validate._proven_unique
    monkeypatch.setattr(validate, "_proven_unique", lambda st, key: found.append(pass_over_keys(st, key)) or found[-1])
    rows = _with_ids(["i1", "i2", "i3", "i4", "i5", "i6"])
    path = _write_parquet(tmp_path / name, INTERACTIONS_HEADER, rows) if name.endswith(".parquet") else \
        write_csv(tmp_path / name, INTERACTIONS_HEADER, rows)
    assert report_of(path).ok and found == proven


@pytest.mark.parametrize("keys, repeats", [
    ([("p1", "agent", "a9"), ("p1", "customer", "a1"), ("p1", "customer", "c2"), ("p2", "customer", "c1")], []),
    ([("p2", "customer", "c1"), ("p1", "customer", "c2"), ("p1", "customer", "c1"), ("p1", "agent", "c1")], []),
    ([("p1", "customer", "c1"), ("p1", "customer", "c2"), ("p1", "customer", "c2"), ("p2", "customer", "c2")], [3]),
    ([("p1", "customer", "c2"), ("p2", "customer", "c1"), ("p1", "customer", "c2"), ("p2", "customer", "c1")],
     [3, 4]),
])
def test_repeated_assignments_in_parquet_are_counted_whatever_their_order(tmp_path, keys, repeats):
    """The same for the key of three columns (pilot, unit_type, unit_id), compared in turn."""
    rows = [[unit, kind, pilot, "control", "2026-01-01"] for pilot, kind, unit in keys]
    report = report_of(_write_parquet(tmp_path / "assignments.parquet", ASSIGNMENTS_HEADER, rows))
    found = _findings(report, "assignments").get(("duplicate_id", "pilot+unit_type+unit_id"), (0, []))
    assert found == (len(repeats), repeats)


def test_duplicate_ids_and_one_arm_pilots_in_parquet_are_counted_alike_on_each_engine(tmp_path, engine):
    """duplicate_id and single_arm_pilot on every engine, from Parquet tables: the repeats found on DuckDB after its
    pass over the ids in order, elsewhere from the distinct ids, and a one-arm pilot's rows. The rows are written in
    the order a warehouse numbers them (by every column), so that row numbers agree."""
    _write_parquet(tmp_path / "interactions.parquet", INTERACTIONS_HEADER,
                   _with_ids(["i1", "i2", "i2", "i3", "i3", None]))
    _write_parquet(tmp_path / "assignments.parquet", ASSIGNMENTS_HEADER, [
        ["c1", "customer", "p1", "control", "2026-01-01"], ["c2", "customer", "p1", "control", "2026-01-03"],
        ["c2", "customer", "p1", "treatment", "2026-01-01"], ["c3", "customer", "p1", "treatment", "2026-01-02"],
        ["c4", "customer", "p1", "control", "2026-01-02"], ["c9", "customer", "p2", "control", "2026-01-03"],
        ["c9", "customer", "p2", "control", "2026-01-04"]])
    report = report_of(**data_on(engine, tmp_path))
    assert _findings(report, "interactions") == {("duplicate_id", "interaction_id"): (2, [3, 5]),
                                                 ("missing_value", "interaction_id"): (1, [6])}
    assert _findings(report, "assignments") == {("duplicate_id", "pilot+unit_type+unit_id"): (2, [3, 7]),
                                                ("single_arm_pilot", "arm"): (2, [6, 7])}
    assert (report.tables["interactions"].rows_rejected, report.tables["assignments"].rows_rejected) == (3, 3)
