"""Warehouse tables through an Ibis URL, on a real PostgreSQL server: same counts, values and findings as DuckDB.

The server is the session fixture `postgres` (tests/pg.py). Each schema holds one source: `world` a simulated world,
`messy` a landing table of text with contract violations (inserted in reverse order, so row numbers must come from
sorting, not from the heap), `raw` an export with its own column names read through a mapping.
"""

from __future__ import annotations

import json
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.data import open_data
from cxscale.data.quarantine import write_quarantine
from cxscale.data.validate import ValidationReport
from tests.data.conftest import INTERACTIONS_HEADER, report_of, write_csv

runner = CliRunner()

#: Text rows as a landing table holds them; None is SQL null (an empty CSV field). Row N here = row N in messages:
#: the rows are already in the order of their columns, which is how a warehouse table is numbered.
MESSY = [
    ["i1", "c1", "2026-01-01T10:00:00+02:00", "voice", "billing", "300", "5"],
    ["i1", "c1", "2026-01-03 10:00:00", "chat", "billing", "120", "4"],          # duplicate_id
    ["i3", "c2", "2026-02-30 09:30:00", "email", "move", "60", None],            # unparseable_timestamp
    ["i4", "c3", "2026-01-20 11:00:00", "voice", "move", "200", "8"],            # csat_out_of_range
    ["i5", None, "2026-01-21 12:00:00", "self_service", "move", "3 minutes", None],  # missing_value, wrong_type
    ["i6", "c4", "2026-01-22 08:00:00", "clinic_desk", "billing", "-3", "3"],    # negative_duration
    ["i7", "c4", "31/02/2026 25:61", "voice", "billing", "1e2", "2"],            # unparseable_timestamp
    ["i8", "c5", "2026-01-23", "chat", "move", " 42 ", "1"],
]

EXPORT = [
    ["a", "03/07/2026 9:05", "03/07/2026 9:20", "Phone", "billing"],
    ["b", "04/07/2026 17:30", "04/07/2026 17:00", "Chat", "move"],
    ["c", "5 July", "05/07/2026 10:00", "Phone", "move"],
    ["d", "06/07/2026 08:00", "06/07/2026 08:01", "Fax", "move"],
    ["e", "29/02/2026 08:00", "01/03/2026 08:00", "Chat", "move"],
]
EXPORT_HEADER = ["Client", "Opened", "Closed", "Medium", "Reason"]

MAPPING = """
mapping_version: 1
tables:
  interactions:
    source: {source}
    columns:
      interaction_id: {{template: "t-{{_row}}"}}
      customer_id: Client
      started_at: {{from: Opened, format: "%d/%m/%Y %H:%M", timezone: Europe/Rome}}
      channel: {{from: Medium, map: {{Phone: voice, Chat: chat}}}}
      intent: Reason
      handle_seconds: {{seconds_between: [Opened, Closed], format: "%d/%m/%Y %H:%M"}}
"""


def _text_table(header: list[str], rows: list[list[str | None]]) -> pa.Table:
    return pa.table({c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(header)})


@pytest.fixture(scope="module")
def warehouse(postgres, tmp_path_factory):
    """The three schemas on the server, and the same data as files for DuckDB."""
    from cxscale.simulate import simulate

    files = tmp_path_factory.mktemp("warehouse")
    world = files / "world"
    simulate("support", 400, 7, world)
    con = ibis.connect(postgres.url())
    for schema in ("world", "messy", "raw"):
        con.create_database(schema, force=True)
    for name in ("interactions", "outcomes", "assignments", "customers"):
        parts = sorted((world / name).glob("*.parquet")) or [world / f"{name}.parquet"]
        con.create_table(name, pa.concat_tables(pq.read_table(p) for p in parts), database="world", overwrite=True)
    # Reverse insertion order: a plain row_number() would follow the heap and number these rows backwards.
    con.create_table("interactions", _text_table(INTERACTIONS_HEADER, MESSY[::-1]), database="messy", overwrite=True)
    con.create_table("crm_contacts", _text_table(EXPORT_HEADER, EXPORT[::-1]), database="raw", overwrite=True)
    write_csv(files / "messy" / "interactions.csv", INTERACTIONS_HEADER,
              [["" if v is None else v for v in r] for r in MESSY])
    write_csv(files / "raw" / "crm_contacts.csv", EXPORT_HEADER, EXPORT)
    con.disconnect()
    return postgres, files


def _findings(report: ValidationReport, table: str = "interactions") -> list[tuple]:
    t = report.tables[table]
    return [(r.rule, r.column, r.rows, [(e["row"], e["values"]) for e in r.examples]) for r in t.rules]


def test_the_fixture_server_is_a_real_postgres(postgres):
    con = ibis.connect(postgres.url())
    assert con.name == "postgres" and con.version.startswith(("1", "2"))
    assert postgres.startup_seconds < 60


def test_a_simulated_world_in_postgres_is_accepted_with_the_same_counts_as_duckdb(warehouse):
    server, files = warehouse
    on_pg = report_of(server.url("world"))
    on_duckdb = report_of(files / "world")
    assert on_pg.ok, on_pg.error_lines()
    counts = {t: (r.rows_read, r.rows_accepted) for t, r in on_pg.tables.items()}
    assert counts == {t: (r.rows_read, r.rows_accepted) for t, r in on_duckdb.tables.items()}
    assert set(counts) == {"interactions", "outcomes", "assignments", "customers"}
    assert all(n > 0 for n, _ in counts.values())


def test_an_aggregate_on_postgres_equals_the_same_aggregate_on_duckdb(warehouse):
    server, files = warehouse

    def per_channel(path: str | Path) -> list[dict]:
        i = open_data(path).interactions
        return (i.group_by("channel").agg(n=i.count(), cost=i.cost.sum(), handle=i.handle_seconds.mean(),
                                          resolved=ibis.ifelse(i.resolved, 1, 0).sum(),
                                          first=i.started_at.min())
                .order_by("channel").to_pyarrow().to_pylist())

    on_pg, on_duckdb = per_channel(server.url("world")), per_channel(files / "world")
    assert [r["channel"] for r in on_pg] == [r["channel"] for r in on_duckdb] and len(on_pg) >= 2
    for a, b in zip(on_pg, on_duckdb, strict=True):
        assert (a["n"], a["resolved"], a["first"]) == (b["n"], b["resolved"], b["first"])
        assert a["cost"] == pytest.approx(b["cost"], rel=1e-9)
        assert a["handle"] == pytest.approx(b["handle"], rel=1e-9)


def test_the_cli_validates_a_postgres_url(warehouse):
    server, _ = warehouse
    result = runner.invoke(app, ["validate", server.url("world"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] and doc["tables"]["customers"]["rows_read"] == 400


def test_a_messy_table_is_rejected_with_the_same_rules_rows_and_values_as_duckdb(warehouse):
    server, files = warehouse
    on_pg = report_of(server.url("messy"))
    on_duckdb = report_of(files / "messy")
    t = on_pg.tables["interactions"]
    assert (t.rows_read, t.rows_accepted, t.rows_rejected) == (8, 2, 6)
    assert _findings(on_pg) == _findings(on_duckdb)
    assert {r.rule: [e["row"] for e in r.examples] for r in t.rules} == {
        "duplicate_id": [2], "unparseable_timestamp": [3, 7], "csat_out_of_range": [4], "missing_value": [5],
        "wrong_type": [5], "negative_duration": [6]}
    # Messages differ only in the source label: the table name instead of the file name.
    pg_lines = [m.replace("interactions (interactions)", "SOURCE") for m in on_pg.error_lines()]
    duck_lines = [m.replace("interactions.csv (interactions)", "SOURCE") for m in on_duckdb.error_lines()]
    assert pg_lines == duck_lines
    assert 'rows 3, 7: "2026-02-30 09:30:00", "31/02/2026 25:61"' in pg_lines[[r.rule for r in t.rules].index(
        "unparseable_timestamp")]


def test_accepted_rows_have_the_same_values_on_postgres_and_duckdb(warehouse):
    server, files = warehouse

    def accepted(path: str | Path) -> list[tuple]:
        i = open_data(path).interactions
        rows = i.select("interaction_id", "started_at", "handle_seconds", "csat").to_pyarrow().to_pylist()
        return sorted((r["interaction_id"], r["started_at"].isoformat(), r["handle_seconds"], r["csat"])
                      for r in rows)

    assert accepted(server.url("messy")) == accepted(files / "messy") == [
        ("i1", "2026-01-01T08:00:00+00:00", 300.0, 5.0), ("i8", "2026-01-23T00:00:00+00:00", 42.0, 1.0)]


def test_the_cli_rejects_the_messy_table_with_one_line_per_rule(warehouse):
    server, _ = warehouse
    result = runner.invoke(app, ["validate", server.url("messy")])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 6
    assert any("column csat: rule csat_out_of_range" in ln and "row 4" in ln for ln in lines)


def test_quarantine_of_a_postgres_table_lists_rejected_rows_in_row_order(warehouse, tmp_path):
    from cxscale.data.prepared import prepare

    server, _ = warehouse
    out = tmp_path / "rejected.csv"
    write_quarantine(prepare(server.url("messy")), out)
    import duckdb

    assert [r[0] for r in duckdb.connect().execute(f"select source_row from '{out}'").fetchall()] == [2, 3, 4, 5, 6, 7]


def test_a_mapping_reads_warehouse_tables_by_name_like_files(warehouse, tmp_path):
    server, files = warehouse
    (tmp_path / "pg.yaml").write_text(MAPPING.format(source="crm_contacts"))
    (tmp_path / "csv.yaml").write_text(MAPPING.format(source="crm_contacts.csv"))
    on_pg = report_of(server.url("raw"), mapping=tmp_path / "pg.yaml")
    on_duckdb = report_of(files / "raw", mapping=tmp_path / "csv.yaml")
    assert _findings(on_pg) == _findings(on_duckdb)
    assert {r.rule: [e["row"] for e in r.examples] for r in on_pg.tables["interactions"].rules} == {
        "unparseable_timestamp": [3, 5], "unmapped_value": [4], "negative_duration": [2]}

    def rows(path: str | Path, mapping: Path) -> list[dict]:
        i = open_data(path, mapping=mapping).interactions
        return i.select("interaction_id", "customer_id", "started_at", "handle_seconds").order_by(
            "interaction_id").to_pyarrow().to_pylist()

    got = rows(server.url("raw"), tmp_path / "pg.yaml")
    assert got == rows(files / "raw", tmp_path / "csv.yaml")
    # 9:05 in Rome in July (UTC+2) is 07:05 UTC; 29 February 2026 does not exist, so row 5 is rejected.
    assert [(r["interaction_id"], r["started_at"].isoformat(), r["handle_seconds"]) for r in got] == [
        ("t-1", "2026-07-03T07:05:00+00:00", 900.0)]


def test_a_mapping_source_may_name_the_schema(warehouse, tmp_path):
    server, _ = warehouse
    (tmp_path / "m.yaml").write_text(MAPPING.format(source="raw.crm_contacts"))
    report = report_of(server.url(), mapping=tmp_path / "m.yaml")
    assert report.tables["interactions"].rows_read == 5
    assert report.tables["interactions"].sources == ["raw.crm_contacts"]


TEXTS = ["2026-01-02 03:04:05", "2026-01-02T03:04:05Z", "2026-01-02 03:04:05+02:00", "2026-01-02 03:04:05.250",
         "2026-01-02", " 2024-02-29 23:59 ", "2025-02-29 00:00:00", "2026-04-31", "2026-13-01", "2026-01-01 25:00",
         "01/02/2026", "yesterday", "", None]
NUMBERS = ["1", " 42 ", "-0.5", ".5", "2.5", "5.", "1e2", "+3E-1", "-1e30", "abc", "1,5", "3 minutes", "", "inf",
           "NaN", None]
FORMATTED = ["03/07/26 9:05", "29/02/24 23:59", "29/02/25 00:00", "31/04/26 10:00", "12/13/26 10:00", "01/01/70 24:00",
             "01/01/69 00:00", "1/1/68 0:00", "03-07-26 9:05", None]


def test_text_converts_to_the_same_numbers_and_timestamps_on_postgres_and_duckdb(postgres):
    from cxscale.engine import connect, parse_timestamp, try_cast

    def convert(con) -> list[tuple]:
        ts = ibis.memtable({"v": pa.array(TEXTS, pa.string())})
        num = ibis.memtable({"v": pa.array(NUMBERS, pa.string())})
        fmt = ibis.memtable({"v": pa.array(FORMATTED, pa.string())})
        out = [con.execute(ts.select(a=try_cast(con, ts.v, "timestamp('UTC')"))).a.tolist(),
               con.execute(num.select(a=try_cast(con, num.v, "float64"), b=try_cast(con, num.v, "int64")))
               .to_dict("list"),
               con.execute(fmt.select(a=parse_timestamp(con, fmt.v.strip(), "%d/%m/%y %H:%M"))).a.tolist()]
        return [[None if x is None or x != x else str(x) for x in col] if isinstance(col, list) else
                {k: [None if x is None or x != x else float(x) for x in v] for k, v in col.items()} for col in out]

    on_pg, on_duckdb = convert(ibis.connect(postgres.url())), convert(connect("duckdb"))
    assert on_pg == on_duckdb
    # Values PostgreSQL's own cast would raise on (year 0, a 16-hour offset) are nulls there too, not query errors.
    pg = ibis.connect(postgres.url())
    odd = ibis.memtable({"v": ["0000-01-01", "2026-01-01 10:00+16:00", "2026-01-01 10:00+14:00"]})
    assert pg.execute(odd.select(a=try_cast(pg, odd.v, "timestamp('UTC')"))).a.isna().tolist() == [True, True, False]
    assert on_pg[1]["b"][:9] == [1, 42, -1, 1, 3, 5, 100, 0, None]  # integers round half away from zero
    assert on_pg[2] == ["2026-07-03 09:05:00", "2024-02-29 23:59:00", None, None, None, None, "1969-01-01 00:00:00",
                        "2068-01-01 00:00:00", None, None]
    assert on_pg[0][:7] == ["2026-01-02 03:04:05+00:00", "2026-01-02 03:04:05+00:00", "2026-01-02 01:04:05+00:00",
                            "2026-01-02 03:04:05.250000+00:00", "2026-01-02 00:00:00+00:00",
                            "2024-02-29 23:59:00+00:00", None]


def test_the_fixture_skips_locally_and_fails_in_ci_without_a_server(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "CXSCALE_REQUIRE_SHARED_DATA")}
    env["CXSCALE_PG_BIN"] = str(tmp_path / "nowhere")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
           f"{__file__}::test_the_fixture_server_is_a_real_postgres"]
    root = Path(__file__).resolve().parents[2]
    local = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert local.returncode == 0 and "1 skipped" in local.stdout and "not found in" in local.stdout, local.stdout
    ci = subprocess.run(cmd, env={**env, "CI": "true"}, cwd=root, capture_output=True, text=True, timeout=120,
                        check=False)
    assert ci.returncode == 1 and "1 error" in ci.stdout and "required because CI=true" in ci.stdout, ci.stdout


def test_a_missing_schema_or_table_is_named_in_one_line(warehouse, tmp_path):
    from cxscale.errors import DataError

    server, files = warehouse
    with pytest.raises(DataError, match=r"no contract tables found .* the URL's schema does not exist"):
        report_of(server.url("nosuchschema"))
    (tmp_path / "m.yaml").write_text(MAPPING.format(source="crm_contactz"))
    with pytest.raises(DataError, match=r"no table 'crm_contactz'"):
        report_of(server.url("raw"), mapping=tmp_path / "m.yaml")
    with pytest.raises(DataError, match="files and folders are read with the duckdb or spark engine"):
        report_of(files / "messy", engine=ibis.connect(server.url()))


def test_a_diagnosis_on_postgres_equals_the_same_diagnosis_on_duckdb(warehouse):
    """The journey windows, codes and flow graphs run on PostgreSQL too (customer keys are the text there), with the
    same sums, hotspots, flows and pilot plans as on DuckDB."""
    from cxscale.journey import diagnose

    server, files = warehouse
    on_pg = diagnose(open_data(server.url("world")), use_cases=2)
    on_duckdb = diagnose(open_data(files / "world"), use_cases=2)
    assert on_pg.engine == "postgres" and on_duckdb.engine == "duckdb"
    key = ["intent", "journey_stage", "channel", "site"]
    a = on_pg.sums.sort_values(key).reset_index(drop=True)
    b = on_duckdb.sums.sort_values(key).reset_index(drop=True)[a.columns]
    assert len(a) > 10 and a["repeat_contacts"].sum() > 0
    import pandas as pd

    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
    assert [(h.intent, h.journey_stage, h.volume) for h in on_pg.hotspots] == \
        [(h.intent, h.journey_stage, h.volume) for h in on_duckdb.hotspots]
    assert on_pg.flows == on_duckdb.flows
    assert [u.pilot_window for u in on_pg.use_cases] == [u.pilot_window for u in on_duckdb.use_cases]


def test_a_pilot_readout_on_postgres_equals_the_same_readout_on_duckdb(warehouse):
    from cxscale.measure import measure_spec

    server, files = warehouse
    spec = sorted((files / "world" / "pilots").glob("*.yaml"))[0]
    on_pg = measure_spec(spec, server.url("world")).to_json()
    on_duckdb = measure_spec(spec, files / "world").to_json()
    assert on_pg["verdict"] == on_duckdb["verdict"] and on_pg["srm"]["counts"] == on_duckdb["srm"]["counts"]
    assert on_pg["srm"]["p_value"] == pytest.approx(on_duckdb["srm"]["p_value"], rel=1e-9)
    assert len(on_pg["metrics"]) >= 2
    for a, b in zip(on_pg["metrics"], on_duckdb["metrics"], strict=True):
        assert (a["name"], a["arm"], a["n_control"], a["n_treatment"], a["verdict"]) == \
            (b["name"], b["arm"], b["n_control"], b["n_treatment"], b["verdict"])
        for field in ("effect_abs", "p_value"):
            assert a[field] == pytest.approx(b[field], rel=1e-6, abs=1e-12), (a["name"], field)
        assert a["ci_abs"] == pytest.approx(b["ci_abs"], rel=1e-6, abs=1e-12), a["name"]


def test_the_cli_measures_and_diagnoses_a_postgres_url(warehouse):
    server, files = warehouse
    spec = sorted((files / "world" / "pilots").glob("*.yaml"))[0]
    res = runner.invoke(app, ["measure", str(spec), "--data", server.url("world"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["pilot"] == spec.stem
    res = runner.invoke(app, ["diagnose", "--data", server.url("world"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["engine"] == "postgres"


def test_a_period_of_a_postgres_table_is_diagnosed_like_the_same_period_on_duckdb(warehouse):
    """--since/--until become a filter on started_at that PostgreSQL runs (a literal of its timestamp type)."""
    from datetime import datetime, timedelta

    from cxscale.journey import diagnose

    server, files = warehouse
    whole = diagnose(open_data(files / "world", validate=False), use_cases=0)
    start = datetime.fromisoformat(whole.period.start.replace("Z", "+00:00")) + timedelta(days=20)
    since, until = start, start + timedelta(days=30)
    on_pg = diagnose(open_data(server.url("world"), validate=False), use_cases=0, since=since, until=until)
    on_duckdb = diagnose(open_data(files / "world", validate=False), use_cases=0, since=since, until=until)
    assert 0 < on_pg.overall.volume == on_duckdb.overall.volume < whole.overall.volume
    assert on_pg.period == on_duckdb.period and on_pg.period.since < on_pg.period.start
    assert [(h.intent, h.journey_stage, h.volume) for h in on_pg.hotspots] == \
        [(h.intent, h.journey_stage, h.volume) for h in on_duckdb.hotspots]
