"""The exposures, feedback and agents tables: read like the other contract tables, bad rows rejected by rule with
their count, the rows named in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscale.data import open_data
from cxscale.errors import ContractError
from tests.data.conftest import report_of, write_csv, write_good_folder

EXPOSURES_HEADER = ["unit_id", "unit_type", "interaction_id", "capability", "pilot_id", "arm", "triggered", "shown",
                    "suggestion_id", "ts"]
GOOD_EXPOSURES = [
    ["c1", "customer", "i1", "guidance", "p1", "control", "true", "false", "s1", "2026-01-01 10:00:00"],
    ["c2", "customer", "i3", "guidance", "p1", "treatment", "true", "true", "s2", "2026-01-05 09:30:00"],
    ["c3", "customer", "i4", "guidance", "p1", "treatment", "false", "false", "", "2026-01-20 11:00:00"],
]
FEEDBACK_HEADER = ["suggestion_id", "action", "chosen_item", "edit_distance", "ts"]
GOOD_FEEDBACK = [
    ["s2", "displayed", "", "", "2026-01-05 09:30:01"],
    ["s2", "edited", "kb-12", "14", "2026-01-05 09:31:00"],
]


def _folder(tmp_path: Path, exposures: list[list[str]] = GOOD_EXPOSURES,
            feedback: list[list[str]] = GOOD_FEEDBACK) -> Path:
    write_good_folder(tmp_path)
    write_csv(tmp_path / "exposures.csv", EXPOSURES_HEADER, exposures)
    write_csv(tmp_path / "feedback.csv", FEEDBACK_HEADER, feedback)
    write_csv(tmp_path / "agents.csv", ["agent_id", "tenure_months", "team"], [["a1", "3", "north"]])
    return tmp_path


def test_capability_tables_open_typed(tmp_path):
    ds = open_data(_folder(tmp_path))
    assert ds.report is not None and ds.report.ok
    e = ds.table("exposures").to_pyarrow()
    assert e.num_rows == 3 and str(e.schema.field("triggered").type) == "bool"
    f = ds.table("feedback").to_pyarrow()
    assert f.column("edit_distance").to_pylist() == [None, 14]
    assert ds.table("agents").to_pyarrow().column("team").to_pylist() == ["north"]  # extra columns kept


@pytest.mark.parametrize(("table", "row", "column", "value", "rule"), [
    ("exposures", 1, "shown", "true", "shown_in_control"),
    ("exposures", 3, "shown", "true", "shown_not_triggered"),
    ("exposures", 2, "unit_type", "robot", "unknown_unit_type"),
    ("exposures", 2, "triggered", "maybe", "wrong_type"),
    ("exposures", 2, "ts", "yesterday", "unparseable_timestamp"),
    ("exposures", 2, "interaction_id", "i1", "duplicate_id"),
    ("feedback", 2, "action", "liked", "unknown_action"),
    ("feedback", 2, "edit_distance", "-3", "out_of_range"),
])
def test_bad_capability_rows_are_rejected_with_their_count(tmp_path, table, row, column, value, rule):
    rows = [list(r) for r in (GOOD_EXPOSURES if table == "exposures" else GOOD_FEEDBACK)]
    header = EXPOSURES_HEADER if table == "exposures" else FEEDBACK_HEADER
    rows[row - 1][header.index(column)] = value
    folder = _folder(tmp_path, **{table: rows})
    report = report_of(folder)
    t = report.tables[table]
    assert (t.rows_read, t.rows_rejected) == (len(rows), 1)
    (failed,) = [r for r in t.rules if r.rows]
    assert failed.rule == rule and failed.rows == 1
    assert f"{table}.csv ({table})" in failed.message and f"rule {rule}" in failed.message
    assert [e["row"] for e in failed.examples] == [row]
    with pytest.raises(ContractError, match=rule):
        open_data(folder, strict=True)
    assert open_data(folder).table(table).count().execute() == len(rows) - 1  # measured without the bad row


def test_shown_in_control_follows_the_declared_control_arm(tmp_path):
    rows = [["c1", "customer", "i1", "guidance", "p1", "base", "true", "true", "s1", "2026-01-01 10:00:00"],
            ["c2", "customer", "i3", "guidance", "p1", "control", "true", "true", "s2", "2026-01-05 09:30:00"]]
    report = report_of(_folder(tmp_path, exposures=rows), arms={"p1": ("base", "control")})
    (failed,) = [r for r in report.tables["exposures"].rules if r.rows]
    assert failed.rule == "shown_in_control" and [e["row"] for e in failed.examples] == [1]
