"""connect(): DuckDB by default, any Ibis backend by URL. Nothing else in cxscale knows which engine runs.

Engine differences live behind this one seam (docs/architecture.md). Code elsewhere writes Ibis expressions and pulls
only aggregates out of the engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from cxscale.errors import DataError

#: Engine names accepted by connect() besides URLs.
ENGINES = ("duckdb", "spark")


def connect(engine: str | None = None, workspace: str | Path | None = None, threads: int | None = None) -> BaseBackend:
    """Open an engine.

    engine: None or "duckdb" (in-process DuckDB; file-backed when workspace is given), "spark" (PySpark local mode),
    or any Ibis URL such as "postgres://user@host/db" or "duckdb:///path/to/file.duckdb".
    """
    name = (engine or os.environ.get("CXSCALE_ENGINE") or "duckdb").strip()
    if name == "duckdb":
        kwargs: dict[str, Any] = {}
        if threads:
            kwargs["threads"] = threads
        if workspace is not None:
            Path(workspace).parent.mkdir(parents=True, exist_ok=True)
            return ibis.duckdb.connect(str(workspace), **kwargs)
        return ibis.duckdb.connect(**kwargs)
    if name == "spark":
        return ibis.pyspark.connect(spark_session())
    if "://" in name:
        try:
            return ibis.connect(name)
        except Exception as exc:  # any driver error becomes one readable line
            raise DataError(f"cannot connect to engine {name!r}: {exc}") from exc
    raise DataError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)} or an Ibis URL like postgres://...")


_SPARK = None


def spark_session() -> Any:
    """A shared local-mode Spark session in UTC (Java 17), created once per process."""
    global _SPARK
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on install extras
            raise DataError("Spark engine needs pyspark: pip install 'cxscale[spark]'") from exc
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        _SPARK = (
            SparkSession.builder.master(os.environ.get("CXSCALE_SPARK_MASTER", "local[2]"))
            .appName("cxscale")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", os.environ.get("CXSCALE_SPARK_PARTITIONS", "4"))
            .config("spark.driver.memory", os.environ.get("CXSCALE_SPARK_MEMORY", "4g"))
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def backend_name(con: BaseBackend) -> str:
    """The backend's short name ("duckdb", "pyspark", "postgres", ...)."""
    return str(con.name)


# --- Reading and parsing seams used by cxscale.data (the only places that differ between engines) ---------------


def _is_spark(con: BaseBackend) -> bool:
    return backend_name(con) == "pyspark"


def read_csv_text(con: BaseBackend, location: str, table_name: str | None = None) -> Any:
    """Register a CSV file (or .csv.gz, or a glob of them) with every column read as text.

    Text first, types later: cxscale.data converts columns itself so that a bad value becomes a validation finding
    (with its row number) instead of a reader crash, and so that DuckDB and Spark see the same columns.
    """
    if _is_spark(con):
        return con.read_csv(location, table_name=table_name, inferSchema=False, header=True)
    return con.read_csv(location, table_name=table_name, all_varchar=True, header=True)


def with_row_number(con: BaseBackend, table: Any, name: str = "_row") -> Any:
    """Add a 1-based row number in source order (row 1 = the first data row of the file)."""
    if _is_spark(con):
        # Spark needs an ordered window; monotonically_increasing_id() follows file order across partitions.
        order = _spark_mono_id()
        return table.mutate(**{name: ibis.row_number().over(order_by=order) + 1})
    return table.mutate(**{name: ibis.row_number() + 1})


def parse_timestamp(con: BaseBackend, text: Any, fmt: str) -> Any:
    """Parse text with a strptime format (e.g. "%d/%m/%Y %H:%M"); null where it does not parse (never an error)."""
    if _is_spark(con):
        return _spark_to_timestamp(text, _java_pattern(fmt))
    return _duckdb_try_strptime(text, fmt)


#: strptime directives -> Java DateTimeFormatter letters. Single letters (d, M, H) accept one or two digits, like
#: strptime does ("2023-06-01 7:29"); "yyyy"-style padding would reject unpadded values on Spark only.
_JAVA = {"%Y": "yyyy", "%y": "yy", "%m": "M", "%d": "d", "%H": "H", "%I": "h", "%M": "m", "%S": "s", "%f": "SSSSSS",
         "%p": "a", "%b": "MMM", "%B": "MMMM", "%a": "EEE", "%A": "EEEE", "%j": "D", "%z": "XX", "%Z": "z", "%%": "%"}


def _java_pattern(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        two = fmt[i:i + 2]
        if two in _JAVA:
            out.append(_JAVA[two])
            i += 2
        elif fmt[i].isalpha():
            out.append(f"'{fmt[i]}'")
            i += 1
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


def local_to_utc(con: BaseBackend, ts: Any, timezone: str) -> Any:
    """Read a zone-less timestamp as wall-clock time in `timezone` (IANA name, e.g. "Europe/Rome") and return UTC."""
    if _is_spark(con):
        return _spark_to_utc_timestamp(ts, timezone).cast("timestamp('UTC')")
    return _duckdb_timezone(timezone, ts).cast("timestamp('UTC')")


@ibis.udf.scalar.builtin(name="monotonically_increasing_id", signature=((), "int64"))
def _spark_mono_id():  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="try_strptime", signature=(("string", "string"), "timestamp"))
def _duckdb_try_strptime(text, fmt):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="to_timestamp", signature=(("string", "string"), "timestamp"))
def _spark_to_timestamp(text, pattern):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="to_utc_timestamp", signature=(("timestamp", "string"), "timestamp"))
def _spark_to_utc_timestamp(ts, tz):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="timezone", signature=(("string", "timestamp"), "timestamp('UTC')"))
def _duckdb_timezone(tz, ts):  # type: ignore[no-untyped-def]
    ...
