"""connect(): DuckDB by default, any Ibis backend by URL. Nothing else in cxscale knows which engine runs.

Engine differences live behind this one seam (docs/architecture.md). Code elsewhere writes Ibis expressions and pulls
only aggregates out of the engine.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import ibis
import ibis.expr.datatypes as dt
import sqlglot.expressions as sge
from ibis.backends import BaseBackend
from ibis.backends.sql.compilers.base import SQLGlotCompiler

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
        # Bounded memory: CXSCALE_MEMORY_LIMIT (e.g. "6GB") caps DuckDB, which then spills sorts and joins to
        # CXSCALE_TEMP_DIR (default: DuckDB's own). Unset, DuckDB takes up to 80% of the machine's memory.
        if os.environ.get("CXSCALE_MEMORY_LIMIT"):
            kwargs["memory_limit"] = os.environ["CXSCALE_MEMORY_LIMIT"]
        if os.environ.get("CXSCALE_TEMP_DIR"):
            kwargs["temp_directory"] = os.environ["CXSCALE_TEMP_DIR"]
        if workspace is not None:
            Path(workspace).parent.mkdir(parents=True, exist_ok=True)
            return ibis.duckdb.connect(str(workspace), **kwargs)
        return ibis.duckdb.connect(**kwargs)
    if name == "spark":
        return ibis.pyspark.connect(spark_session())
    if "://" in name:
        _refuse_a_new_database_file(name)
        try:
            return ibis.connect(name)
        except Exception as exc:  # any driver error becomes one readable line, without the password
            password = urlsplit(name).password or ""
            raise DataError(f"cannot connect to engine {redact(name)!r}: "
                            f"{' '.join(redact(str(exc), password, unquote(password)).split())}") from exc
    raise DataError(f"unknown engine {redact(name)!r}: use one of {', '.join(ENGINES)} or an Ibis URL like "
                    "postgres://...")


#: The password of a URL (scheme://user:PASSWORD@host) and of a libpq-style key=value connection string.
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@/\s]*@")
_KEY_PASSWORD = re.compile(r"(\b(?:password|passwd|pwd|secret|token|api_key)\s*=\s*)[^\s&;,'\"]+", re.IGNORECASE)


def redact(text: str, *secrets: str) -> str:
    """`text` with every URL's password (postgres://user:***@host/db), every `password=...` value and each of
    `secrets` replaced by ***: what cxscale prints where a source or a driver's error is shown."""
    text = _KEY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _refuse_a_new_database_file(url: str) -> None:
    """DuckDB and SQLite create the database file a URL names when it does not exist; cxscale's commands only read,
    so a missing file is an error rather than a new empty database (a typo would otherwise leave files behind)."""
    parts = urlsplit(url)
    if parts.scheme not in ("duckdb", "sqlite", "file"):
        return
    # The path as Ibis reads it (ibis.backends.UrlFromPath): netloc and path together, or an in-memory database.
    path = parts.netloc + parts.path if parts.scheme == "file" else "/".join(
        p for p in (parts.netloc, parts.path[bool(parts.netloc):]) if p)
    if path in ("", ":memory:") or path.startswith(("md:", "motherduck:")):
        return
    if not Path(path).exists():
        raise DataError(f"{redact(url)}: no such database file ({Path(path).absolute()}); cxscale reads data and "
                        "never creates a database")


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


def read_csv_text(con: BaseBackend, location: str, table_name: str | None = None, *,
                  columns: list[str] | None = None, delimiter: str = ",", encoding: str = "utf-8",
                  skip_malformed: bool = False) -> Any:
    """Register a CSV file (or .csv.gz, or a glob of them) with every column read as text.

    Text first, types later: cxscale.data converts columns itself so that a bad value becomes a validation finding
    (with its row number) instead of a reader crash, and so that DuckDB and Spark see the same columns. `columns`
    (the header, read by cxscale.data.readers) and `delimiter` fix the dialect on DuckDB, so that a malformed row
    cannot mislead its sniffer; `skip_malformed` leaves such rows out (csv_rejects() lists them).
    """
    if _is_spark(con):
        return con.read_csv(location, table_name=table_name, inferSchema=False, header=True, sep=delimiter,
                            encoding=encoding)
    if columns is None:
        return con.read_csv(location, table_name=table_name, all_varchar=True, header=True)
    return con.read_csv(location, table_name=table_name, **_duckdb_csv(columns, delimiter, encoding),
                        ignore_errors=skip_malformed)


def _duckdb_csv(columns: list[str], delimiter: str, encoding: str) -> dict[str, Any]:
    # RFC 4180: fields quoted with ", a quote inside doubled; no comment lines.
    return {"auto_detect": False, "header": True, "columns": {c: "VARCHAR" for c in columns}, "delim": delimiter,
            "quote": '"', "escape": '"', "encoding": encoding}


_REJECTS = iter(range(1, 1 << 62))


def csv_rejects(con: BaseBackend, location: str, columns: list[str], delimiter: str = ",",
                encoding: str = "utf-8") -> Any | None:
    """The rows of a CSV that cannot be split into its header's columns, as a table (line: 1-based line of the
    record, the header being line 1; error_type; csv_line), from one scan of the file; None on engines without a
    rejects table (Spark, warehouses: a malformed row stops the read there)."""
    if _is_spark(con) or not _is_native(con):
        return None
    n = next(_REJECTS)
    scan = con.read_csv(location, **_duckdb_csv(columns, delimiter, encoding), store_rejects=True,
                        rejects_table=f"cx_rejects_{n}", rejects_scan=f"cx_reject_scans_{n}")
    scan.count().execute()
    return con.table(f"cx_rejects_{n}")


def with_row_number(con: BaseBackend, table: Any, name: str = "_row") -> Any:
    """Add a 1-based row number in source order (row 1 = the first data row of the file; on a warehouse table,
    the order of all its columns, see docs/data-contract.md#warehouse-tables)."""
    if _is_spark(con):
        # Spark needs an ordered window; monotonically_increasing_id() follows file order across partitions.
        order = _spark_mono_id()
        return table.mutate(**{name: ibis.row_number().over(order_by=order) + 1})
    if not _is_native(con):
        # A warehouse table has no row order: row N is the Nth row sorted by every column, left to right (for a
        # table whose first column is its id, the order of the ids), so the same table always numbers the same.
        order = [table[c] for c in _orderable(table)]
        return table.mutate(**{name: ibis.row_number().over(order_by=order) + 1})
    return table.mutate(**{name: ibis.row_number() + 1})


def parse_timestamp(con: BaseBackend, text: Any, fmt: str) -> Any:
    """Parse text with a strptime format (e.g. "%d/%m/%Y %H:%M"); null where it does not parse (never an error)."""
    if _is_spark(con):
        return _spark_to_timestamp(text, _java_pattern(fmt))
    if not _is_native(con):
        return _parse_by_pattern(text, fmt, backend_name(con))
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


# --- Keys for the journey windows (cxscale.journey) ----------------------------------------------------------------


def customer_key(customer_id: Any) -> Any:
    """A 64-bit integer per customer to partition window functions by, instead of the customer_id text: DuckDB's
    hash() and Spark's xxhash64(); the text itself on other engines.

    Sorting and partitioning by an 8-byte integer is cheaper than by text (docs/diagnosis.md#passes). Two different
    customers share a key with probability about n^2 / 2^65 for n customers (3e-6 for ten million); if they did,
    their contacts would be sequenced as one customer's, which changes only the signals of those contacts.
    """
    name = backend_name(customer_id._find_backend(use_default=True))
    if name == "duckdb":
        return _duckdb_hash(customer_id.cast("string"))
    if name == "pyspark":
        return _spark_xxhash64(customer_id.cast("string"))
    return customer_id.cast("string")


def texts_hash(*texts: Any) -> Any | None:
    """A 64-bit hash of one or four text values together (DuckDB's hash(), Spark's xxhash64()), or None on other
    engines. A join on it compares one integer instead of four texts (journey.codes.encode)."""
    if len(texts) not in (1, 4):
        raise ValueError(f"texts_hash takes one or four texts, not {len(texts)}")
    name = backend_name(texts[0]._find_backend(use_default=True))
    if name == "duckdb":
        return _duckdb_hash(*texts) if len(texts) == 1 else _duckdb_hash4(*texts)
    if name == "pyspark":
        return _spark_xxhash64(*texts) if len(texts) == 1 else _spark_xxhash64_4(*texts)
    return None


def epoch_seconds(ts: Any) -> Any:
    """Whole seconds since 1970-01-01 UTC of a timestamp (int64, rounded down, before 1970 too).

    From the stored instant in microseconds (DuckDB epoch_us, Spark unix_micros) by integer division: Ibis's own
    epoch_seconds() converts every UTC timestamp to a naive one first on DuckDB, a time-zone conversion per row that
    costs more than a window sort, rounds toward zero on Spark and to the nearest second on PostgreSQL. Other
    engines floor the fractional epoch (a double holds microseconds exactly up to about 2^32 seconds)."""
    name = backend_name(ts._find_backend(use_default=True))
    if name == "duckdb":
        return floor_divide(_duckdb_epoch_us(ts), 1_000_000, nonnegative=False)
    if name == "pyspark":
        return floor_divide(_spark_unix_micros(ts), 1_000_000, nonnegative=False)
    # Elsewhere (e.g. PostgreSQL's EXTRACT(epoch), a fraction) a cast alone would round to the nearest second.
    return ts.epoch_seconds().cast("float64").floor().cast("int64")


def instant(ts: Any, epoch_seconds: int) -> Any:
    """A literal of the timestamp column `ts`'s type (with its time zone or naive UTC) at `epoch_seconds`: comparing
    the column with it costs one integer comparison per row, where converting every row to epoch seconds costs a
    division (`started_at < instant(t, k + 1)` holds exactly when epoch_seconds(started_at) <= k)."""
    kind = ts.type()
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return ibis.literal(moment if kind.timezone else moment.replace(tzinfo=None), type=kind)


def epoch_float(ts: Any) -> Any:
    """Seconds since 1970-01-01 UTC of a timestamp as a float64, microseconds included, on every engine.

    For differences of timestamps (durations, days between contacts). Ibis's epoch_seconds() keeps the fraction on
    DuckDB (after a time-zone conversion per row) but truncates to whole seconds on Spark; the stored instant in
    microseconds gives the same value everywhere."""
    name = backend_name(ts._find_backend(use_default=True))
    if name == "duckdb":
        return _duckdb_epoch_us(ts).cast("float64") / 1e6
    if name == "pyspark":
        return _spark_unix_micros(ts).cast("float64") / 1e6
    return ts.epoch_seconds().cast("float64")


def floor_divide(a: Any, b: int, nonnegative: bool = True) -> Any:
    """a // b for an integer column `a` and a positive integer `b`, rounded down (int64).

    Ibis compiles // to FLOOR(a / b) over doubles, which is twice as slow on DuckDB (it shows on every row of a
    10M-row window, docs/diagnosis.md#passes) and inexact beyond 2^53 / b. DuckDB's and Spark's integer division
    are exact but round toward zero, so a possibly negative `a` (nonnegative=False) is corrected by one where the
    remainder is negative."""
    name = backend_name(a._find_backend(use_default=True))
    if name not in ("duckdb", "pyspark"):
        return (a // b).cast("int64")
    a = a.cast("int64")
    q = (_duckdb_divide if name == "duckdb" else _spark_div)(a, ibis.literal(b, type="int64"))
    return q if nonnegative else q - (a % b < 0).cast("int64")


def bit(position: Any) -> Any:
    """2**position as an int64, for 0 <= position < 63 (one bit of a set of small integer codes).

    The 1 is derived from the column: an integer literal is compiled as a 32-bit 1 on Spark (its shift then wraps)
    and PostgreSQL has no int4 << int8."""
    position = position.cast("int64")
    return (position * 0 + 1) << position.cast("int32")


def bit_or(value: Any) -> Any:
    """The bitwise OR of an int64 column, as a reduction (ready for .over(window)); Ibis has no rule for Spark."""
    if backend_name(value._find_backend(use_default=True)) == "pyspark":
        return _spark_bit_or(value)
    return value.bit_or()


def bit_or_of_others(value: Any, group_by: Any, order_by: list) -> Any:
    """The bitwise OR of an int64 column over the other rows of each row's partition (0 when there are none).

    DuckDB and PostgreSQL take it in one frame over the partition with EXCLUDE CURRENT ROW, which Ibis cannot
    write (a compiler hook adds it, _exclude_current_row): one aggregate instead of two, about 0.2 s less at 10M
    rows. Elsewhere (Spark has no EXCLUDE) it is the OR of the rows before and of the rows after."""
    if backend_name(value._find_backend(use_default=True)) in ("duckdb", "postgres"):
        whole = ibis.window(group_by=group_by, order_by=order_by, rows=(None, None))
        return _bit_or_of_others(value).over(whole).fill_null(0)
    before = ibis.window(group_by=group_by, order_by=order_by, rows=(None, -1))
    after = ibis.window(group_by=group_by, order_by=order_by, rows=(1, None))
    return bit_or(value).over(before).fill_null(0) | bit_or(value).over(after).fill_null(0)


@ibis.udf.agg.builtin(name="bit_or", signature=(("int64",), "int64"))
def _spark_bit_or(value):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.agg.builtin(name="bit_or", signature=(("int64",), "int64"))
def _bit_or_of_others(value):  # type: ignore[no-untyped-def]
    ...


#: The operation class of _bit_or_of_others, which the frame hook recognises.
_OTHERS_OP = type(_bit_or_of_others(ibis.literal(0, type="int64")).op())


def _exclude_current_row(minimize: Any) -> Any:
    """Ibis's hook on each window frame, extended to exclude the current row from _bit_or_of_others' frame and from
    no other. Were the hook ever skipped, the frame would keep the current row: every contact would then count as
    sharing its intent, which sends more of them through the customer x intent window but changes no sum."""

    def spec(op: Any, spec: Any) -> Any:
        spec = minimize(op, spec)
        if spec is not None and isinstance(op.func, _OTHERS_OP):
            spec = spec.copy()
            spec.set("exclude", sge.Var(this="CURRENT ROW"))
        return spec

    return staticmethod(spec)


SQLGlotCompiler._minimize_spec = _exclude_current_row(SQLGlotCompiler._minimize_spec)


@ibis.udf.scalar.builtin(name="divide", signature=(("int64", "int64"), "int64"))
def _duckdb_divide(a, b):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="div", signature=(("int64", "int64"), "int64"))
def _spark_div(a, b):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="unix_micros")
def _spark_unix_micros(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    ...


@ibis.udf.scalar.builtin(name="epoch_us")
def _duckdb_epoch_us(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    ...


@ibis.udf.scalar.builtin(name="hash", signature=(("string",), "uint64"))
def _duckdb_hash(text):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="xxhash64", signature=(("string",), "int64"))
def _spark_xxhash64(text):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="hash", signature=(("string", "string", "string", "string"), "uint64"))
def _duckdb_hash4(a, b, c, d):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="xxhash64", signature=(("string", "string", "string", "string"), "int64"))
def _spark_xxhash64_4(a, b, c, d):  # type: ignore[no-untyped-def]
    ...


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


# --- SQL engines without try_cast / try_strptime (PostgreSQL and other warehouses reached by URL) ---------------
#
# PostgreSQL raises on CAST('abc' AS DOUBLE PRECISION) and has no try_strptime, and one bad value would abort the whole
# query. There, text is matched against a pattern first and converted only where it matches (a CASE, evaluated per
# row), so a bad value still becomes a null and then a finding with its row number.

#: Plain or scientific decimal text, bounded so that it always fits a double (PostgreSQL raises on overflow).
_DECIMAL = r"[+-]?([0-9]{1,30}(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,2})?"
_FINITE = r"^\s*" + _DECIMAL + r"\s*$"
_NUMBER = r"^\s*(" + _DECIMAL + r"|[+-]?([Ii][Nn][Ff]([Ii][Nn][Ii][Tt][Yy])?|[Nn][Aa][Nn]))\s*$"
#: ISO 8601 as written by databases and spreadsheets: date, optional time, optional zone (Z, +02, +02:00, +0200).
_ISO = (r"^\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?)?"
        r"\s*(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*$")
#: strptime directives read on engines without try_strptime: the regex each matches and the part it fills.
_FIELDS = {"%Y": (r"([0-9]{4})", "year"), "%m": (r"([0-9]{1,2})", "month"), "%d": (r"([0-9]{1,2})", "day"),
           "%H": (r"([0-9]{1,2})", "hour"), "%M": (r"([0-9]{1,2})", "minute"), "%S": (r"([0-9]{1,2})", "second"),
           "%y": (r"([0-9]{2})", "year2")}


def reads_files(con: BaseBackend) -> bool:
    """True for engines that read CSV and Parquet files themselves (DuckDB, Spark); warehouses read their tables."""
    return _is_native(con)


def _is_native(con: BaseBackend) -> bool:
    """Engines with try_cast and try_strptime of their own (DuckDB) or Spark's lenient casts."""
    return backend_name(con) in ("duckdb", "pyspark")


def try_cast(con: BaseBackend, text: Any, to: Any) -> Any:
    """Cast text to a number or timestamp type; null where it does not convert (never an error)."""
    import ibis.expr.datatypes as dt

    target = dt.dtype(to)
    if _is_native(con) or not (target.is_numeric() or target.is_timestamp()):
        return text.try_cast(target)
    if target.is_integer():
        # Like DuckDB, decimal text rounds half away from zero ("2.5" -> 3): numeric's round() does, a double's goes
        # to even. Nested CASEs because SQL does not promise to evaluate AND left to right.
        number = text.strip().cast("decimal(38, 9)").round().cast(target)
        fits = ibis.ifelse(text.strip().cast("float64").abs() < 9.2e18, number, ibis.null(target))
        return ibis.ifelse(text.re_search(_FINITE).fill_null(False), fits, ibis.null(target))
    if target.is_numeric():
        return ibis.ifelse(text.re_search(_NUMBER).fill_null(False), text.strip().cast(target), ibis.null(target))
    groups = [text.re_extract(_ISO, i).nullif("") for i in range(1, 7)]
    year, month, day, hour, minute, second = (g.cast("int64") for g in groups)
    offset = text.re_extract(_ISO, 7).re_extract(r"^[+-]([0-9]{2})", 1).nullif("").cast("int64")
    ok = text.re_search(_ISO) & _valid_date(year, month, day) & (hour.fill_null(0) <= 23) & (
        minute.fill_null(0) <= 59) & (second.fill_null(0) <= 59) & (offset.fill_null(0) <= 15)
    zoned = text.strip().cast("timestamp('UTC')") if target.timezone else text.strip().cast("timestamp")
    return ibis.ifelse(ok.fill_null(False), zoned, ibis.null(target))


def _valid_date(year: Any, month: Any, day: Any) -> Any:
    """True when year-month-day is a calendar date (31 February is not), as an engine expression."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    last = ibis.cases((month.isin([4, 6, 9, 11]), 30), (month == 2, ibis.ifelse(leap, 29, 28)), else_=31)
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)


def _parse_by_pattern(text: Any, fmt: str, engine: str) -> Any:
    """strptime for engines without it, for numeric formats (%Y %y %m %d %H %M %S and literal text)."""
    import re

    pattern, parts, i = [], [], 0
    while i < len(fmt):
        two = fmt[i:i + 2]
        if two in _FIELDS:
            pattern.append(_FIELDS[two][0])
            parts.append(_FIELDS[two][1])
            i += 2
        elif two == "%%":
            pattern.append("%")
            i += 2
        elif fmt[i] == "%":
            raise DataError(f"format {fmt!r}: {two} is not supported on the {engine} engine (supported there: "
                            f"{' '.join(_FIELDS)} and literal text); give the column a timestamp type in the "
                            "warehouse, or read an export of it with DuckDB")
        else:
            pattern.append(re.escape(fmt[i]))
            i += 1
    regex = r"^\s*" + "".join(pattern) + r"\s*$"
    field = {p: text.re_extract(regex, n + 1).nullif("").cast("int64") for n, p in enumerate(parts)}
    if "year2" in field:  # strptime's pivot: 69-99 are 1969-1999, 00-68 are 2000-2068
        field.setdefault("year", ibis.ifelse(field["year2"] < 69, 2000 + field["year2"], 1900 + field["year2"]))
    year = field.get("year", ibis.literal(1970))
    month, day = field.get("month", ibis.literal(1)), field.get("day", ibis.literal(1))
    hour, minute, second = (field.get(k, ibis.literal(0)) for k in ("hour", "minute", "second"))
    ok = text.re_search(regex) & _valid_date(year, month, day) & (hour <= 23) & (minute <= 59) & (second <= 59)
    value = ibis.timestamp(year.cast("int32"), month.cast("int32"), day.cast("int32"), hour.cast("int32"),
                           minute.cast("int32"), second.cast("int32"))
    return ibis.ifelse(ok.fill_null(False), value, ibis.null("timestamp"))


def _orderable(table: Any) -> list[str]:
    """Columns a warehouse can sort on (text, numbers, dates, booleans), in table order."""
    kinds = ("is_string", "is_numeric", "is_temporal", "is_boolean")
    return [name for name, kind in table.schema().items() if any(getattr(kind, k)() for k in kinds)]
