"""--quarantine keeps going and writes every rejected row, with its rules and reasons; counts add up."""

from __future__ import annotations

import duckdb

from cxscale.data.prepared import prepare
from cxscale.data.quarantine import write_quarantine
from cxscale.data.validate import validate_prepared
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, write_csv


def _broken(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "csat", "9")
    rows = corrupt(rows, INTERACTIONS_HEADER, 2, "handle_seconds", "-4")
    rows = corrupt(rows, INTERACTIONS_HEADER, 4, "started_at", "not a date")
    rows = corrupt(rows, INTERACTIONS_HEADER, 6, "interaction_id", "i1")
    write_csv(tmp_path / "data" / "interactions.csv", INTERACTIONS_HEADER, rows)
    return tmp_path / "data"


def _read(path):
    # A connection of its own: the module-level default one is shared with every other test in the process.
    return duckdb.connect().execute(f"select * from '{path}' order by source_row").fetchall()


def test_quarantine_holds_exactly_the_rejected_rows_with_reasons(tmp_path):
    prep = prepare(_broken(tmp_path))
    report = validate_prepared(prep)
    out = tmp_path / "rejected.csv"
    write_quarantine(prep, out)
    rows = _read(out)
    t = report.tables["interactions"]
    assert len(rows) == t.rows_rejected == 3
    assert t.rows_read == t.rows_accepted + t.rows_rejected
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("interactions", "interactions.csv", 2, "negative_duration;csat_out_of_range"),
        ("interactions", "interactions.csv", 4, "unparseable_timestamp"),
        ("interactions", "interactions.csv", 6, "duplicate_id"),
    ]
    assert "found not a date" in rows[1][4]
    assert "interaction_id=i1" in rows[2][5]
    per_rule = sum(r.rows for r in t.rules)
    assert per_rule == sum(len(r[3].split(";")) for r in rows)


def test_quarantine_can_be_parquet(tmp_path):
    prep = prepare(_broken(tmp_path))
    out = tmp_path / "rejected.parquet"
    write_quarantine(prep, out)
    assert [r[2] for r in _read(out)] == [2, 4, 6]
