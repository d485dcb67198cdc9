"""cxscale reads CSV, CSV.gz, Parquet, a DuckDB file, a folder of them, and an Ibis URL the same way."""

from __future__ import annotations

import gzip
import shutil

import duckdb
import pytest

from cxscale.data import open_data
from cxscale.errors import DataError
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, report_of, write_csv


def _duckdb_file(tmp_path, rows):
    csv_path = write_csv(tmp_path / "src" / "interactions.csv", INTERACTIONS_HEADER, rows)
    db = tmp_path / "world.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"create table interactions as select * from read_csv('{csv_path}', all_varchar=true)")
    con.close()
    return db


def test_a_csv_gz_file_is_read_and_validated(tmp_path):
    plain = write_csv(tmp_path / "plain.csv", INTERACTIONS_HEADER,
                      corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 3, "csat", "6"))
    gz = tmp_path / "interactions.csv.gz"
    with plain.open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    report = report_of(gz)
    [result] = [r for r in report.tables["interactions"].rules if r.rows]
    assert result.rule == "csat_out_of_range" and [e["row"] for e in result.examples] == [3]
    assert "interactions.csv.gz" in result.message


def test_a_duckdb_file_is_read_by_table_name(tmp_path):
    db = _duckdb_file(tmp_path, corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 5, "handle_seconds", "-2"))
    report = report_of(db)
    t = report.tables["interactions"]
    assert (t.rows_read, t.rows_rejected) == (6, 1)
    assert t.rules[0].rule == "negative_duration" and t.rules[0].examples[0]["row"] == 5


def test_a_duckdb_url_is_read_as_an_engine(tmp_path):
    db = _duckdb_file(tmp_path, GOOD_INTERACTIONS)
    ds = open_data(f"duckdb://{db}")
    assert ds.interactions.count().to_pyarrow().as_py() == 6


def test_a_folder_of_parquet_parts_is_one_table(tmp_path):
    src = write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, GOOD_INTERACTIONS)
    (tmp_path / "world" / "interactions").mkdir(parents=True)
    for i, where in enumerate(("interaction_id <= 'i3'", "interaction_id > 'i3'")):
        duckdb.connect().execute(f"copy (select * from read_csv('{src}') where {where}) to "
                   f"'{tmp_path}/world/interactions/part-{i:05d}.parquet' (format parquet)")
    ds = open_data(tmp_path / "world", validate=False)
    assert ds.interactions.count().to_pyarrow().as_py() == 6
    assert ds.interactions.schema()["started_at"].is_timestamp()


def test_a_lone_file_must_be_named_after_its_table(tmp_path):
    path = write_csv(tmp_path / "export.csv", INTERACTIONS_HEADER, GOOD_INTERACTIONS)
    with pytest.raises(DataError, match="cannot tell which contract table"):
        report_of(path)


def test_a_missing_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no such file or folder"):
        open_data(tmp_path / "nowhere", validate=False)


def test_a_mapping_names_tables_inside_a_duckdb_file(tmp_path):
    from cxscale.engine import connect

    rows = [["17", "A-1", "2026-01-03 09:05", "Phone"], ["18", "A-2", "2026-01-03 17:30", "Fax"]]
    csv_path = write_csv(tmp_path / "export.csv", ["Ticket", "Client", "Opened", "Medium"], rows)
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"create table raw_tickets as select * from read_csv('{csv_path}', all_varchar=true)")
    (tmp_path / "crm.yaml").write_text("""
mapping_version: 1
tables:
  interactions:
    source: raw_tickets
    columns:
      interaction_id: Ticket
      customer_id: Client
      started_at: Opened
      channel: {from: Medium, map: {Phone: voice}}
""")
    con = connect()
    report = report_of(db, mapping=tmp_path / "crm.yaml", engine=con)
    [rule] = report.tables["interactions"].rules
    assert (rule.rule, rule.examples[0]["row"]) == ("unmapped_value", 2)
    assert "raw_tickets" in rule.message
    # The same file can be opened again on the same connection (the unmapped "Fax" row left out).
    assert open_data(db, mapping=tmp_path / "crm.yaml", engine=con).interactions.count().to_pyarrow().as_py() == 1
