"""Engine parity: loading, validation and an aggregate give the same numbers on DuckDB, Spark (local mode) and
PostgreSQL (tables copied into a schema of the test server), known gaps marked.

Runs through the `engine` fixture so engine-specific SQL cannot creep into cxscale.data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscale.data import open_data
from cxscale.errors import DataError
from tests.conftest import data_on, parquet_table
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, write_csv, write_good_folder

MAPPING = """
mapping_version: 1
tables:
  interactions:
    source: export.csv
    columns:
      interaction_id: {template: "t-{_row}"}
      customer_id: Client
      started_at: {from: Opened, format: "%d/%m/%Y %H:%M", timezone: Europe/Rome}
      channel: {from: Medium, map: {Phone: voice, Chat: chat}}
      intent: Reason
      handle_seconds: {seconds_between: [Opened, Closed], format: "%d/%m/%Y %H:%M"}
"""


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "csat", "8")
    rows = corrupt(rows, INTERACTIONS_HEADER, 3, "started_at", "31/02/2026 25:61")
    rows = corrupt(rows, INTERACTIONS_HEADER, 5, "interaction_id", "i1")
    rows = corrupt(rows, INTERACTIONS_HEADER, 6, "handle_seconds", "-3")
    return write_csv(tmp_path / "data" / "interactions.csv", INTERACTIONS_HEADER, rows).parent


@pytest.mark.notimpl(["postgres"], raises=AssertionError, reason="a warehouse table has no row order: its rows are "
                     "numbered by sorting every column (docs/data-contract.md#warehouse-tables), and the duplicate "
                     "id i1 sorts second; tests/data/test_warehouse.py checks the rows there")
def test_validation_finds_the_same_rows_on_every_engine(engine, messy):
    report = open_data(**data_on(engine, messy), report_only=True).report
    t = report.tables["interactions"]
    assert (t.rows_read, t.rows_accepted, t.rows_rejected) == (6, 2, 4)
    found = {r.rule: [e["row"] for e in r.examples] for r in t.rules}
    assert found == {"unparseable_timestamp": [3], "csat_out_of_range": [2], "negative_duration": [6],
                     "duplicate_id": [5]}


def test_loading_derives_and_aggregates_the_same_on_every_engine(engine, tmp_path):
    ds = open_data(**data_on(engine, write_good_folder(tmp_path)))
    i = ds.interactions
    per_channel = (i.group_by("channel").agg(n=i.count(), cost=i.cost.sum(), handle=i.handle_seconds.mean(),
                                             resolved=i.resolved.cast("int64").sum())
                   .order_by("channel").to_pyarrow().to_pylist())
    assert [(r["channel"], r["n"]) for r in per_channel] == [
        ("chat", 1), ("clinic_desk", 1), ("email", 1), ("self_service", 1), ("voice", 2)]
    voice = per_channel[-1]
    assert voice["cost"] == pytest.approx(2 * 1.50 + 0.85 * (300 + 200) / 60)
    assert voice["handle"] == pytest.approx(250.0)
    assert sum(r["resolved"] or 0 for r in per_channel) == 2
    assert ds.assignments.arm.nunique().to_pyarrow().as_py() == 2


@pytest.mark.notimpl(["postgres"], raises=DataError, reason="the mapping names a file (export.csv) and a warehouse "
                     "reads its tables: tests/data/test_warehouse.py maps the same export there")
def test_a_mapping_with_formats_and_time_zones_gives_the_same_values(engine, tmp_path):
    write_csv(tmp_path / "export.csv", ["Client", "Opened", "Closed", "Medium", "Reason"], [
        ["a", "03/07/2026 9:05", "03/07/2026 9:20", "Phone", "billing"],
        ["b", "04/07/2026 17:30", "04/07/2026 17:00", "Chat", "move"],
        ["c", "5 July", "05/07/2026 10:00", "Phone", "move"],
        ["d", "06/07/2026 08:00", "06/07/2026 08:01", "Fax", "move"],
    ])
    (tmp_path / "m.yaml").write_text(MAPPING)
    report = open_data(tmp_path, mapping=tmp_path / "m.yaml", engine=engine, report_only=True).report
    found = {r.rule: [e["row"] for e in r.examples] for r in report.tables["interactions"].rules}
    assert found == {"unparseable_timestamp": [3], "unmapped_value": [4], "negative_duration": [2]}
    ds = open_data(tmp_path, mapping=tmp_path / "m.yaml", engine=engine)
    [row] = ds.interactions.to_pyarrow().to_pylist()
    # 9:05 in Rome in July (UTC+2) is 07:05 UTC; 15 minutes of handle time.
    assert row["interaction_id"] == "t-1"
    assert row["started_at"].isoformat() == "2026-07-03T07:05:00+00:00"
    assert row["handle_seconds"] == 900.0


@pytest.mark.spark
def test_tables_in_the_spark_catalog_are_read_by_url(tmp_path):
    from cxscale.engine import spark_session
    from cxscale.settings import Settings

    spark = spark_session(Settings.defaults())
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 4, "csat", "0")
    csv_path = write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, rows)
    spark.read.csv(str(csv_path), header=True).createOrReplaceTempView("interactions")
    try:
        report = open_data("spark://", report_only=True).report
        t = report.tables["interactions"]
        assert (t.rows_read, t.rows_rejected) == (6, 1)
        assert t.rules[0].rule == "csat_out_of_range" and t.rules[0].examples[0]["row"] == 4
    finally:
        spark.catalog.dropTempView("interactions")


def test_epoch_seconds_and_floor_divide_round_down_on_every_engine(engine, tmp_path):
    """The time arithmetic seams agree on every engine: engine.epoch_seconds and engine.floor_divide round down,
    before 1970 and for negative numbers too; engine.epoch_float keeps the microseconds."""
    import pandas as pd

    from cxscale.engine import epoch_float, epoch_seconds, floor_divide

    df = pd.DataFrame({
        "t": pd.to_datetime(["1969-12-31 23:59:59.5", "1970-01-01 00:00:00", "2026-01-01 00:00:00.7"], utc=True,
                            format="ISO8601"),
        "a": [-2_000_001, -1_000_000, 1_999_999],
    })
    df.to_parquet(tmp_path / "x.parquet")
    t = parquet_table(engine, tmp_path / "x.parquet")
    got = t.select(e=epoch_seconds(t.t), q=floor_divide(t.a, 1_000_000, nonnegative=False),
                   f=epoch_float(t.t)).to_pandas()
    assert got["e"].tolist() == [-1, 0, 1_767_225_600]
    # Durations keep their microseconds everywhere (Ibis's epoch_seconds() drops them on Spark).
    assert got["f"].tolist() == [-0.5, 0.0, 1_767_225_600.7]
    assert got["q"].tolist() == [-3, -1, 1]


def test_bit_or_of_others_leaves_out_the_row_itself_on_every_engine(engine, tmp_path):
    """engine.bit_or_of_others is the OR over the other rows of the partition: one frame with EXCLUDE CURRENT ROW on
    DuckDB, two frames on Spark. Only its own frame loses the row: a plain OR over the same window keeps it."""
    import ibis
    import pandas as pd

    from cxscale.engine import bit_or, bit_or_of_others

    pd.DataFrame({"k": [1, 1, 1, 2, 3, 3], "s": [1, 2, 3, 1, 1, 2], "v": [1, 2, 1, 4, 8, 8]}).to_parquet(
        tmp_path / "x.parquet")
    t = parquet_table(engine, tmp_path / "x.parquet")
    whole = ibis.window(group_by="k", order_by="s", rows=(None, None))
    got = t.select("k", "s", others=bit_or_of_others(t.v, "k", ["s"]), every=bit_or(t.v).over(whole))
    rows = got.order_by(["k", "s"]).to_pandas()
    assert rows["others"].tolist() == [3, 1, 3, 0, 8, 8]
    assert rows["every"].tolist() == [3, 3, 3, 4, 8, 8]


def test_each_engine_gets_its_own_dialect_by_its_backend_class(engine, tmp_path):
    import pandas as pd

    from cxscale.engine import dialect_of
    from cxscale.engine.duckdb import DuckDB
    from cxscale.engine.postgres import Postgres
    from cxscale.engine.spark import Spark

    expected = {"duckdb": DuckDB, "pyspark": Spark, "postgres": Postgres}[engine.name]
    assert type(dialect_of(engine)) is expected
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "a.parquet")
    assert type(dialect_of(parquet_table(engine, tmp_path / "a.parquet").a)) is expected  # an expression's too


def test_nothing_in_ibis_is_patched_and_a_connection_cxscale_did_not_open_still_excludes_the_row(tmp_path):
    """The frame hook is a compiler of cxscale's own connections (cxscale.engine.compilers), installed when they
    connect: Ibis's compilers are left as they are, and on a connection opened by Ibis itself bit_or_of_others
    takes the two-frame way, with the same values."""
    import ibis
    import pandas as pd
    from ibis.backends.sql.compilers.base import SQLGlotCompiler
    from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

    from cxscale.engine import bit_or_of_others, connect

    assert SQLGlotCompiler._minimize_spec is SQLGlotCompiler.__dict__["_minimize_spec"].__func__
    df = pd.DataFrame({"k": [1, 1, 1, 2, 3, 3], "s": [1, 2, 3, 1, 1, 2], "v": [1, 2, 1, 4, 8, 8]})
    ours, theirs = connect("duckdb"), ibis.duckdb.connect()
    assert type(theirs.compiler) is DuckDBCompiler and type(ours.compiler) is not DuckDBCompiler
    for con in (ours, theirs):
        t = con.create_table("x", df)
        got = t.select("k", "s", o=bit_or_of_others(t.v, "k", ["s"]))
        assert ("EXCLUDE CURRENT ROW" in con.compile(got)) == (con is ours)
        assert got.order_by(["k", "s"]).to_pandas()["o"].tolist() == [3, 1, 3, 0, 8, 8]


def test_blank_is_empty_or_whitespace_only_on_every_engine(engine, tmp_path):
    """engine.blank, the missing-value test of every text column: DuckDB and Spark compare bytes (text < "!"), the
    portable version the first character; both find exactly the empty and whitespace-only texts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cxscale.engine import blank

    # (" \v\f" is left out: Spark's trim, which Ibis's strip() compiles to, keeps a vertical tab or form feed, as
    # it did before blank() compared bytes)
    texts = ["", " ", "\t", " \n\r\t ", " a", "a ", "a", "!", "\x01", "é", "  x  "]
    pq.write_table(pa.table({"i": list(range(len(texts))), "s": texts}), tmp_path / "s.parquet")
    t = parquet_table(engine, tmp_path / "s.parquet")
    got = t.select(t.i, b=blank(t.s)).to_pyarrow().to_pylist()
    assert [r["i"] for r in got if r["b"]] == [0, 1, 2, 3]


def test_a_query_asked_again_is_compiled_once_and_reads_what_its_table_holds_now(engine, tmp_path):
    """compile_cache: Ibis compiles in Python (most of a small readout's time), so an equal expression is compiled
    once per connection. A table (here a view) replaced under its name and schema keeps the SQL, and the answer is
    the new data's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, values in (("first", [1, 2, 3]), ("second", [10, 20])):
        pq.write_table(pa.table({"x": values}), tmp_path / f"{name}.parquet")

    def total() -> int:
        t = engine.table("cc_rows")
        return int(t.filter(t.x > 0).x.sum().to_pyarrow().as_py())

    engine.create_view("cc_rows", parquet_table(engine, tmp_path / "first.parquet"), overwrite=True)
    assert total() == 6
    engine.create_view("cc_rows", parquet_table(engine, tmp_path / "second.parquet"), overwrite=True)
    hits, misses = engine.compile.cache_info().hits, engine.compile.cache_info().misses
    assert total() == 30
    assert (engine.compile.cache_info().hits, engine.compile.cache_info().misses) == (hits + 1, misses)


def test_a_query_of_in_memory_data_is_compiled_every_time_and_not_kept(duckdb_con):
    # The cache would keep the data of an in-memory table alive as long as its query.
    import ibis

    t = ibis.memtable({"x": [1, 2, 3]})
    kept = duckdb_con.compile.cache_info().currsize
    assert duckdb_con.to_pyarrow(t.x.sum()).as_py() == 6
    assert duckdb_con.to_pyarrow(t.x.sum()).as_py() == 6
    assert duckdb_con.compile.cache_info().currsize == kept
