"""Dialect: what differs between engines, as one class per engine (duckdb.py, spark.py, postgres.py) over this base.

The base is the portable behaviour, written in plain Ibis: what a SQL warehouse reached by URL gets (PostgreSQL has
its own class only for a window frame; any other Ibis backend gets this one). A warehouse reads its own tables, not
files, and has neither try_cast nor try_strptime: text is matched against a pattern first and converted only where
it matches (a CASE, evaluated per row), so that a bad value becomes a null, and then a finding with its row number,
instead of an error that aborts the whole query.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
from ibis.backends import BaseBackend

from cxscale.engine.compilers import ExcludeCurrentRow, bit_or_excluding_row, extended
from cxscale.errors import DataError


class Dialect:
    """The engine-specific expressions of one connection (`con`), portable versions here; dialect_of() picks the
    subclass of a connection or expression by its Ibis backend class."""

    #: The module of the Ibis backend class this dialect serves. It is looked up only when already imported (no
    #: connection can be of a class whose module is not loaded), so an optional driver is never imported for it.
    backend_module: ClassVar[str | None] = None
    #: Whether the engine reads CSV and Parquet files itself (DuckDB, Spark); warehouses read their tables.
    reads_files: ClassVar[bool] = False
    #: Whether replace_rows() can change a cached table in place (DuckDB); elsewhere callers build a new table.
    replaces_rows: ClassVar[bool] = False
    #: What the connection's SQL compiler needs beyond Ibis's (cxscale.engine.compilers), installed by install().
    compiler_mixins: ClassVar[tuple[type, ...]] = ()
    #: Whether a window without an order runs over a table's rows in one stream, as they are read, and a LIMIT above
    #: it stops the read (DuckDB): validation then proves a key unique by one pass (cxscale.data.validate).
    streams_in_order: ClassVar[bool] = False

    def __init__(self, con: BaseBackend) -> None:
        self.con = con

    def install(self) -> None:
        """What the connection needs, installed once when cxscale connects (cxscale.engine.connect): a compiler of
        its own with compiler_mixins and a cache of the SQL it compiled (compile_cache), attributes of this
        connection only (a second install changes nothing)."""
        if self.compiler_mixins:
            self.con.compiler = extended(self.con.compiler, self.compiler_mixins)  # type: ignore[attr-defined]
        if not hasattr(self.con.compile, "cache_info"):
            self.con.compile = compile_cache(self.con.compile)  # type: ignore[attr-defined]

    @property
    def read_errors(self) -> tuple[type[Exception], ...]:
        """What the engine raises when the data it reads cannot be read or converted (a damaged file, bytes in
        another encoding, a missing table, a value that overflows): the errors the data layer turns into one line
        naming the source. Anything else is a bug and keeps its traceback."""
        import pyarrow as pa

        return (pa.ArrowException, OSError, UnicodeError)

    @property
    def name(self) -> str:
        """The engine's name as documents show it: Ibis's name of the backend (duckdb, pyspark, postgres)."""
        return str(self.con.name)

    # --- Reading ------------------------------------------------------------------------------------------------

    def attach_database_file(self, path: Path, alias: str) -> None:
        """Make the tables of a DuckDB database file readable, read-only, as database `alias` (once per
        connection: attaching it again reuses it)."""
        raise DataError(f"{path}: a DuckDB file is read with the DuckDB engine (use --engine duckdb)")

    def read_csv_text(self, location: str, table_name: str | None = None, *, columns: list[str] | None = None,
                      delimiter: str = ",", encoding: str = "utf-8", skip_malformed: bool = False) -> Any:
        """Register a CSV file (or .csv.gz, or a glob of them) with every column read as text.

        Text first, types later: cxscale.data converts columns itself so that a bad value becomes a validation
        finding (with its row number) instead of a reader crash, and so that every engine sees the same columns.
        `columns` (the header, read by cxscale.data.readers) and `delimiter` fix the dialect where the engine would
        otherwise sniff it; `skip_malformed` leaves rows that do not split into the columns out (csv_rejects())."""
        raise DataError(f"{location}: the {self.name} engine reads its own tables, not files; read the file with the "
                        "duckdb or spark engine")

    def csv_rejects(self, location: str, columns: list[str], delimiter: str = ",",
                    encoding: str = "utf-8") -> Any | None:
        """The rows of a CSV that cannot be split into its header's columns, as a table (line: 1-based line of the
        record, the header being line 1; error_type; csv_line); None on engines without a rejects table (a
        malformed row stops the read there)."""
        return None

    def with_row_number(self, table: Any, name: str = "_row") -> Any:
        """Add a 1-based row number in source order (row 1 = the first data row of the file; on a warehouse
        table, the order of all its columns, see docs/data-contract.md#warehouse-tables)."""
        # A warehouse table has no row order: row N is the Nth row sorted by every column, left to right (for a
        # table whose first column is its id, the order of the ids), so the same table always numbers the same.
        order = [table[c] for c in _orderable(table)]
        return table.mutate(**{name: ibis.row_number().over(order_by=order) + 1})

    # --- Converting text ----------------------------------------------------------------------------------------

    def try_cast(self, text: Any, to: Any) -> Any:
        """Cast text to a number or timestamp type; null where it does not convert (never an error)."""
        target = dt.dtype(to)
        if not (target.is_numeric() or target.is_timestamp()):
            return text.try_cast(target)
        if target.is_integer():
            # Like DuckDB, decimal text rounds half away from zero ("2.5" -> 3): numeric's round() does, a double's
            # goes to even. Nested CASEs because SQL does not promise to evaluate AND left to right.
            number = text.strip().cast("decimal(38, 9)").round().cast(target)
            fits = ibis.ifelse(text.strip().cast("float64").abs() < 9.2e18, number, ibis.null(target))
            return ibis.ifelse(text.re_search(_FINITE).fill_null(False), fits, ibis.null(target))
        if target.is_numeric():
            return ibis.ifelse(text.re_search(_NUMBER).fill_null(False), text.strip().cast(target),
                               ibis.null(target))
        groups = [text.re_extract(_ISO, i).nullif("") for i in range(1, 7)]
        year, month, day, hour, minute, second = (g.cast("int64") for g in groups)
        offset = text.re_extract(_ISO, 7).re_extract(r"^[+-]([0-9]{2})", 1).nullif("").cast("int64")
        ok = text.re_search(_ISO) & _valid_date(year, month, day) & (hour.fill_null(0) <= 23) & (
            minute.fill_null(0) <= 59) & (second.fill_null(0) <= 59) & (offset.fill_null(0) <= 15)
        zoned = text.strip().cast("timestamp('UTC')") if target.timezone else text.strip().cast("timestamp")
        return ibis.ifelse(ok.fill_null(False), zoned, ibis.null(target))

    def parse_timestamp(self, text: Any, fmt: str) -> Any:
        """Parse text with a strptime format (e.g. "%d/%m/%Y %H:%M"); null where it does not parse (never an
        error). Here for numeric formats only (%Y %y %m %d %H %M %S and literal text), by pattern."""
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
                raise DataError(f"format {fmt!r}: {two} is not supported on the {self.name} engine (supported there: "
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

    def local_to_utc(self, ts: Any, timezone: str) -> Any:
        """Read a zone-less timestamp as wall-clock time in `timezone` (IANA name, e.g. "Europe/Rome"); UTC out."""
        return _timezone(timezone, ts).cast("timestamp('UTC')")

    def blank(self, text: Any) -> Any:
        """Whether a text is empty or only whitespace (space, tab, newline, CR, VT, FF). Only a text that starts
        with whitespace can strip to nothing, so the engine strips just those (stripping every value made this rule
        most of a validation's time); here the first character is compared with each whitespace character."""
        return (text.length() == 0) | (text.substr(0, 1).isin(_WHITESPACE) & (text.strip().length() == 0))

    def single_valued(self, table: Any, column: str, group: str) -> tuple[Any, Any]:
        """`table` with what the flag needs, and for each row with a `group` whether its group holds a single value
        of `column` (nulls aside; null where it holds none): the least and greatest value of each group, as windows
        (columns _<column>_lo and _<column>_hi)."""
        lo, hi = f"_{column}_lo", f"_{column}_hi"
        table = table.mutate(**{lo: table[column].min().over(group_by=group),
                                hi: table[column].max().over(group_by=group)})
        return table, table[lo] == table[hi]

    # --- Keys and time arithmetic for the journey windows (cxscale.journey) -------------------------------------

    def customer_key(self, customer_id: Any) -> Any:
        """A value per customer to partition window functions by: a 64-bit hash of the customer_id text where the
        engine has one, the text itself here.

        Sorting and partitioning by an 8-byte integer is cheaper than by text (docs/diagnosis.md#passes). Two
        different customers share a hash with probability about n^2 / 2^65 for n customers (3e-6 for ten million);
        if they did, their contacts would be sequenced as one customer's, which changes only those contacts'
        signals."""
        return customer_id.cast("string")

    def texts_hash(self, *texts: Any) -> Any | None:
        """A 64-bit hash of one or four text values together, or None where the engine has none. A join on it
        compares one integer instead of four texts (journey.codes.encode)."""
        _one_or_four(texts)
        return None

    def epoch_seconds(self, ts: Any) -> Any:
        """Whole seconds since 1970-01-01 UTC of a timestamp (int64, rounded down, before 1970 too).

        Ibis's own epoch_seconds() rounds toward zero on Spark and to the nearest second on PostgreSQL, and on DuckDB
        converts every UTC timestamp to a naive one first (a time-zone conversion per row that costs more than a
        window sort): engines that store microseconds divide those (DuckDB, Spark). Here the fractional epoch is
        floored (a double holds microseconds exactly up to about 2^32 seconds)."""
        return ts.epoch_seconds().cast("float64").floor().cast("int64")

    def epoch_float(self, ts: Any) -> Any:
        """Seconds since 1970-01-01 UTC of a timestamp as a float64, microseconds included, on every engine (for
        differences of timestamps: durations, days between contacts)."""
        return ts.epoch_seconds().cast("float64")

    def floor_divide(self, a: Any, b: int, nonnegative: bool = True) -> Any:
        """a // b for an integer column `a` and a positive integer `b`, rounded down (int64).

        Ibis compiles // to FLOOR(a / b) over doubles, which is twice as slow on DuckDB (it shows on every row of a
        10M-row window, docs/diagnosis.md#passes) and inexact beyond 2^53 / b: engines with an integer division use
        it (_floored). nonnegative: `a` is never negative (saves the correction)."""
        return (a // b).cast("int64")

    def bit_or(self, value: Any) -> Any:
        """The bitwise OR of an int64 column, as a reduction (ready for .over(window))."""
        return value.bit_or()

    def bit_or_of_others(self, value: Any, group_by: Any, order_by: list) -> Any:
        """The bitwise OR of an int64 column over the other rows of each row's partition (0 when there are none):
        one frame over the partition with EXCLUDE CURRENT ROW where the connection's compiler writes it
        (compilers.ExcludeCurrentRow, installed when cxscale connects), else the OR of the rows before and of the
        rows after, so the result never includes the row."""
        if isinstance(getattr(self.con, "compiler", None), ExcludeCurrentRow):
            whole = ibis.window(group_by=group_by, order_by=order_by, rows=(None, None))
            return bit_or_excluding_row(value).over(whole).fill_null(0)
        before = ibis.window(group_by=group_by, order_by=order_by, rows=(None, -1))
        after = ibis.window(group_by=group_by, order_by=order_by, rows=(1, None))
        return self.bit_or(value).over(before).fill_null(0) | self.bit_or(value).over(after).fill_null(0)

    # --- Cached tables ------------------------------------------------------------------------------------------

    def replace_rows(self, table: Any, column: str, keys: list, rows: Any) -> None:
        """Replace the rows of the cached `table` whose `column` is one of the integer `keys` with `rows` (the same
        columns and types), in place; only where `replaces_rows`."""
        raise NotImplementedError(f"the {self.name} engine cannot change a cached table in place")


#: Compiled queries a connection keeps (compile_cache).
COMPILED = 128


def compile_cache(compile_: Callable[..., str]) -> Callable[..., str]:
    """A connection's compile (expression -> SQL) that compiles each expression once: Ibis compiles in Python, and
    a readout's query takes it 40-90 ms, far more than DuckDB takes to run it on a pilot's few thousand rows, so that
    compiling was two thirds of a small readout's time (an A/A simulation reads out hundreds). An expression is
    immutable and compares by structure (a table by name, schema and connection), so one equal to a compiled one
    has the same SQL, whatever data its tables hold by then. The COMPILED most recently used are kept; an expression
    with parameters, or holding an in-memory table (whose data the cache would keep alive), is compiled every time."""
    @functools.lru_cache(maxsize=COMPILED)
    def compiled(op: ops.Node, limit: Any, pretty: bool) -> str:
        return compile_(op.to_expr(), limit=limit, pretty=pretty)

    def compile(expr: Any, /, *, limit: Any = None, params: Any = None, pretty: bool = False) -> str:
        op = expr.op()
        if params or op.find(ops.InMemoryTable):
            return compile_(expr, limit=limit, params=params, pretty=pretty)
        return compiled(op, limit, pretty)

    compile.cache_info = compiled.cache_info  # type: ignore[attr-defined]
    return compile


def _floored(divide: Any, a: Any, b: int, nonnegative: bool) -> Any:
    """a // b by an engine's integer division `divide`, which is exact but rounds toward zero: a possibly negative
    `a` (nonnegative=False) is corrected by one where the remainder is negative."""
    a = a.cast("int64")
    q = divide(a, ibis.literal(b, type="int64"))
    return q if nonnegative else q - (a % b < 0).cast("int64")


def _one_or_four(texts: tuple) -> None:
    if len(texts) not in (1, 4):
        raise ValueError(f"texts_hash takes one or four texts, not {len(texts)}")


@ibis.udf.scalar.builtin(name="timezone", signature=(("string", "timestamp"), "timestamp('UTC')"))
def _timezone(tz, ts):  # type: ignore[no-untyped-def]
    ...


_WHITESPACE = [" ", "\t", "\n", "\r", "\v", "\f"]

#: Plain or scientific decimal text, bounded so that it always fits a double (PostgreSQL raises on overflow).
_DECIMAL = r"[+-]?([0-9]{1,30}(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,2})?"
_FINITE = r"^\s*" + _DECIMAL + r"\s*$"
_NUMBER = r"^\s*(" + _DECIMAL + r"|[+-]?([Ii][Nn][Ff]([Ii][Nn][Ii][Tt][Yy])?|[Nn][Aa][Nn]))\s*$"
#: ISO 8601 as written by databases and spreadsheets: date, optional time, optional zone (Z, +02, +02:00, +0200).
_ISO = (r"^\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?)?"
        r"\s*(Z|z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*$")
#: strptime directives read by pattern: the regex each matches and the part it fills.
_FIELDS = {"%Y": (r"([0-9]{4})", "year"), "%m": (r"([0-9]{1,2})", "month"), "%d": (r"([0-9]{1,2})", "day"),
           "%H": (r"([0-9]{1,2})", "hour"), "%M": (r"([0-9]{1,2})", "minute"), "%S": (r"([0-9]{1,2})", "second"),
           "%y": (r"([0-9]{2})", "year2")}


def _valid_date(year: Any, month: Any, day: Any) -> Any:
    """True when year-month-day is a calendar date (31 February is not), as an engine expression."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    last = ibis.cases((month.isin([4, 6, 9, 11]), 30), (month == 2, ibis.ifelse(leap, 29, 28)), else_=31)
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)


def _orderable(table: Any) -> list[str]:
    """Columns a warehouse can sort on (text, numbers, dates, booleans), in table order."""
    kinds = ("is_string", "is_numeric", "is_temporal", "is_boolean")
    return [name for name, kind in table.schema().items() if any(getattr(kind, k)() for k in kinds)]
