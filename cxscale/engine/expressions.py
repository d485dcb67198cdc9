"""The engine seam as functions: each asks the dialect of its connection or expression (dialect_of) for the
engine's version, so code elsewhere writes one expression for every engine."""

from __future__ import annotations

import importlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from cxscale.engine.dialect import Dialect

#: The engines with a dialect of their own, by the module of their Ibis backend class (Dialect.backend_module): the
#: dialect's module, and its class. Any other Ibis backend gets the portable Dialect. A dialect is imported with the
#: first connection of its engine, so a DuckDB command never builds Spark's functions (issue 25's start-up).
DIALECTS = {"ibis.backends.duckdb": ("cxscale.engine.duckdb", "DuckDB"),
            "ibis.backends.pyspark": ("cxscale.engine.spark", "Spark"),
            "ibis.backends.postgres": ("cxscale.engine.postgres", "Postgres")}


def dialect_of(con_or_expr: BaseBackend | Any) -> Dialect:
    """The dialect of a connection, or of the connection an expression reads from, by its Ibis backend class."""
    con = con_or_expr if isinstance(con_or_expr, BaseBackend) else con_or_expr._find_backend(use_default=True)
    for backend, (module, name) in DIALECTS.items():
        loaded = sys.modules.get(backend)  # a connection's class is in a loaded module: others are never imported
        if loaded is not None and isinstance(con, loaded.Backend):
            dialect: type[Dialect] = getattr(importlib.import_module(module), name)
            return dialect(con)
    return Dialect(con)


def blank(text: Any) -> Any:
    """Whether a text is empty or only whitespace, the engine's cheapest way (Dialect.blank)."""
    return dialect_of(text).blank(text)


def engine_name(con: BaseBackend) -> str:
    """The engine's name as documents show it (duckdb, pyspark, postgres)."""
    return dialect_of(con).name


def reads_files(con: BaseBackend) -> bool:
    """True for engines that read CSV and Parquet files themselves (DuckDB, Spark); warehouses read their tables."""
    return dialect_of(con).reads_files


def attach_database_file(con: BaseBackend, path: Path, alias: str) -> None:
    """The tables of a DuckDB database file, read-only, as database `alias` (Dialect.attach_database_file)."""
    dialect_of(con).attach_database_file(path, alias)


def read_csv_text(con: BaseBackend, location: str, table_name: str | None = None, *,
                  columns: list[str] | None = None, delimiter: str = ",", encoding: str = "utf-8",
                  skip_malformed: bool = False) -> Any:
    """A CSV file (or .csv.gz, or a glob of them) with every column as text (Dialect.read_csv_text)."""
    return dialect_of(con).read_csv_text(location, table_name, columns=columns, delimiter=delimiter,
                                         encoding=encoding, skip_malformed=skip_malformed)


def csv_rejects(con: BaseBackend, location: str, columns: list[str], delimiter: str = ",",
                encoding: str = "utf-8") -> Any | None:
    """The rows of a CSV that do not split into its header's columns, or None (Dialect.csv_rejects)."""
    return dialect_of(con).csv_rejects(location, columns, delimiter, encoding)


def with_row_number(con: BaseBackend, table: Any, name: str = "_row") -> Any:
    """`table` with a 1-based row number in source order (Dialect.with_row_number)."""
    return dialect_of(con).with_row_number(table, name)


def try_cast(con: BaseBackend, text: Any, to: Any) -> Any:
    """Text cast to a number or timestamp type; null where it does not convert (Dialect.try_cast)."""
    return dialect_of(con).try_cast(text, to)


def parse_timestamp(con: BaseBackend, text: Any, fmt: str) -> Any:
    """Text parsed with a strptime format; null where it does not parse (Dialect.parse_timestamp)."""
    return dialect_of(con).parse_timestamp(text, fmt)


def local_to_utc(con: BaseBackend, ts: Any, timezone: str) -> Any:
    """A zone-less timestamp read as wall-clock time in `timezone`, in UTC (Dialect.local_to_utc)."""
    return dialect_of(con).local_to_utc(ts, timezone)


def single_valued(table: Any, column: str, group: str) -> tuple[Any, Any]:
    """`table` and, for each row with a `group`, whether its group holds a single value of `column`
    (Dialect.single_valued)."""
    return dialect_of(table).single_valued(table, column, group)


def customer_key(customer_id: Any) -> Any:
    """What to partition a customer's window by: a 64-bit hash where the engine has one (Dialect.customer_key)."""
    return dialect_of(customer_id).customer_key(customer_id)


def texts_hash(*texts: Any) -> Any | None:
    """A 64-bit hash of one or four texts together, or None (Dialect.texts_hash)."""
    return dialect_of(texts[0]).texts_hash(*texts)


def epoch_seconds(ts: Any) -> Any:
    """Whole seconds since 1970-01-01 UTC of a timestamp, rounded down (Dialect.epoch_seconds)."""
    return dialect_of(ts).epoch_seconds(ts)


def epoch_float(ts: Any) -> Any:
    """Seconds since 1970-01-01 UTC of a timestamp as a float64, microseconds included (Dialect.epoch_float)."""
    return dialect_of(ts).epoch_float(ts)


def floor_divide(a: Any, b: int, nonnegative: bool = True) -> Any:
    """a // b for an integer column and a positive integer, rounded down, int64 (Dialect.floor_divide)."""
    return dialect_of(a).floor_divide(a, b, nonnegative)


def bit_or(value: Any) -> Any:
    """The bitwise OR of an int64 column, as a reduction (Dialect.bit_or)."""
    return dialect_of(value).bit_or(value)


def bit_or_of_others(value: Any, group_by: Any, order_by: list) -> Any:
    """The bitwise OR of an int64 column over the other rows of each row's partition, 0 when there are none
    (Dialect.bit_or_of_others)."""
    return dialect_of(value).bit_or_of_others(value, group_by, order_by)


def bit(position: Any) -> Any:
    """2**position as an int64, for 0 <= position < 63 (one bit of a set of small integer codes).

    The 1 is derived from the column: an integer literal is compiled as a 32-bit 1 on Spark (its shift then wraps)
    and PostgreSQL has no int4 << int8."""
    position = position.cast("int64")
    return (position * 0 + 1) << position.cast("int32")


def instant(ts: Any, epoch_seconds: int) -> Any:
    """A literal of the timestamp column `ts`'s type (with its time zone or naive UTC) at `epoch_seconds`: comparing
    the column with it costs one integer comparison per row, where converting every row to epoch seconds costs a
    division (`started_at < instant(t, k + 1)` holds exactly when epoch_seconds(started_at) <= k)."""
    kind = ts.type()
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return ibis.literal(moment if kind.timezone else moment.replace(tzinfo=None), type=kind)
