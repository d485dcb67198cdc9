"""Shared fixtures: real engines (DuckDB, local Spark, a throwaway PostgreSQL server), the shared real datasets.

One suite over every engine, in the way Ibis's test suite runs one suite over its backends: a test that takes the
`engine` fixture runs on each, and marks what an engine does not support:

    @pytest.mark.notimpl(["postgres"], reason="...")   # expected to fail there, strictly (xfail strict)

Data reaches an engine through `parquet_table` (a Parquet file as a table) and `data_on` (a folder of contract
tables, for open_data()): in place where the engine reads files, copied into the warehouse's schema
otherwise.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

# Rich fixes a console's width from COLUMNS when the console is made (on the first import of cxscale.cli). Make it
# here, with no COLUMNS, so every test's own COLUMNS applies whichever test happens to import the CLI first.
os.environ.pop("COLUMNS", None)
# Commands check the data every time in tests (a test parses what one command prints, whichever test read the same
# world before it), and nothing is written to the user's cache folder; tests/data/test_validation_cache.py turns the
# validation cache on where it is the subject.
os.environ["CXSCALE_VALIDATION_CACHE"] = "false"
import cxscale.cli  # noqa: E402, F401
from tests.pg import postgres  # noqa: E402, F401 - the PostgreSQL server fixture (one per session)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CXSCALE_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; skips the test when absent unless CXSCALE_REQUIRE_SHARED_DATA=1 (then fails)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CXSCALE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{path} is missing and CXSCALE_REQUIRE_SHARED_DATA=1: the shared datasets must be present")
        pytest.skip(f"{path} is absent (the real datasets live beside the checkout in ../shared/data)")
    return path


def system_tool(*names: str, package: str) -> str:
    """The path of the first of `names` on PATH (a Debian package's program: chromium, pdftoppm). Absent, the test
    is skipped locally but fails in CI and under CXSCALE_REQUIRE_SHARED_DATA=1 (.ci/run), where `make test` has
    installed `package`: there a missing tool is a broken set-up, never a silent skip."""
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
    if os.environ.get("CI") or os.environ.get("CXSCALE_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(f"{names[0]} is not installed: `make test` installs the Debian package {package}")
    pytest.skip(f"{names[0]} is not installed (`make test` installs the Debian package {package})")


#: The engines of the suite: DuckDB, Spark (slow to start: `-m spark` runs those), PostgreSQL (a throwaway server).
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark),
           pytest.param("postgres", marks=pytest.mark.postgres)]

_SCHEMAS = itertools.count(1)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest):
    """A real engine connection: in-process DuckDB, a local-mode Spark session (Java 17), or a schema of its own on
    the session's PostgreSQL server (tests/pg.py)."""
    from cxscale.engine import connect

    _mark_known_gaps(request, request.param)
    if request.param != "postgres":
        yield connect(request.param)
        return
    server = request.getfixturevalue("postgres")
    schema = f"engine_{next(_SCHEMAS)}"
    admin = connect(server.url())
    admin.create_database(schema)  # type: ignore[attr-defined]
    admin.disconnect()
    con = connect(server.url(schema))
    yield con
    con.disconnect()


def _mark_known_gaps(request: pytest.FixtureRequest, engine: str) -> None:
    """`notimpl([engines], reason=..., raises=...)` on a test: on those engines it must fail (strict xfail)."""
    for mark in request.node.iter_markers("notimpl"):
        if engine in mark.args[0]:
            request.applymarker(pytest.mark.xfail(reason=f"{engine}: {mark.kwargs['reason']}", strict=True,
                                                  raises=mark.kwargs.get("raises", Exception)))


def parquet_table(con: Any, path: Path) -> Any:
    """A Parquet file as a table on the engine: read in place where the engine reads files (through Parquet, so
    that Spark needs no Python workers to take a table in), created in the warehouse's schema otherwise."""
    from cxscale.engine import reads_files

    if reads_files(con):
        return con.read_parquet(str(path))
    import pyarrow.parquet as pq

    return con.create_table(path.name.split(".")[0], pq.read_table(path), overwrite=True)


def data_on(con: Any, path: Path) -> dict[str, Any]:
    """What open_data() takes to read the contract tables at `path` (a folder of them, or one file named after its
    table) on the engine: the path and the connection where the engine reads files; on a warehouse, the
    URL of its schema, holding a copy of each table (Parquet typed as it is, CSV as text with empty fields null, as
    a landing table holds an export)."""
    from cxscale.contract import TABLES
    from cxscale.engine import reads_files

    if reads_files(con):
        return {"source": path, "engine": con}
    import pyarrow as pa
    import pyarrow.csv as pc
    import pyarrow.parquet as pq

    folder = path if path.is_dir() else path.parent
    for name in TABLES:
        parts = sorted((folder / name).glob("*.parquet")) or sorted(folder.glob(f"{name}.parquet"))
        csv = folder / f"{name}.csv"
        if path.is_file() and path not in (*parts, csv):
            continue
        if parts:
            table = pa.concat_tables(pq.read_table(p) for p in parts)
        elif csv.exists():
            with csv.open() as f:
                header = f.readline().strip().split(",")
            table = pc.read_csv(csv, convert_options=pc.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=True))
        else:
            continue
        con.create_table(name, table, overwrite=True)
    info = con.con.info
    return {"source": f"postgres://{info.user}@{info.host}:{info.port}/{info.dbname}/{con.current_database}",
            "engine": None}


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory):
    """The URL (spark://127.0.0.1:PORT) of a Spark standalone cluster started for the session: one master, two
    workers on loopback (tests/spark_cluster.py); stopped at the end."""
    from tests.spark_cluster import SparkCluster

    with SparkCluster(tmp_path_factory.mktemp("spark-cluster")) as cluster:
        yield cluster.url


@pytest.fixture
def duckdb_con():
    from cxscale.engine import connect

    return connect("duckdb")
