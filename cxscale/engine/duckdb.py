"""DuckDB, the default engine: reads files itself (with a rejects table for malformed CSV rows), try_cast and
try_strptime of its own, 64-bit hashes, integer division and the stored instant in microseconds."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from cxscale.engine.compilers import ExcludeCurrentRow
from cxscale.engine.dialect import Dialect, _floored, _one_or_four
from cxscale.errors import DataError

_REJECTS = iter(range(1, 1 << 62))


class DuckDB(Dialect):
    backend_module = "ibis.backends.duckdb"
    compiler_mixins = (ExcludeCurrentRow,)
    reads_files = True
    replaces_rows = True
    streams_in_order = True

    def install(self) -> None:
        """The compiler mixins, to_pyarrow() without pandas on this connection (below), and no progress bar: DuckDB
        draws one on stdout for a query longer than two seconds, even when stdout is a file, so that
        `cxscale measure --json > readout.json` at 10M interactions wrote it before the document (the commands show a
        status line of their own, on the terminal only)."""
        super().install()
        self.con.raw_sql("SET enable_progress_bar = false")
        self.con.to_pyarrow = types.MethodType(_to_pyarrow, self.con)  # type: ignore[method-assign]

    @property
    def read_errors(self) -> tuple[type[Exception], ...]:
        import duckdb

        return (*super().read_errors, duckdb.Error)

    def attach_database_file(self, path: Path, alias: str) -> None:
        import duckdb

        try:
            self.con.attach(str(path), name=alias, read_only=True)  # type: ignore[attr-defined]
        except duckdb.Error as exc:  # attached before on this connection: reuse it
            if "already" not in str(exc):
                raise DataError(f"{path}: cannot open as a DuckDB file: {str(exc).splitlines()[0]}") from exc

    def read_csv_text(self, location: str, table_name: str | None = None, *, columns: list[str] | None = None,
                      delimiter: str = ",", encoding: str = "utf-8", skip_malformed: bool = False) -> Any:
        # `columns` and `delimiter` fix the dialect, so that a malformed row cannot mislead DuckDB's sniffer.
        if columns is None:
            return self.con.read_csv(location, table_name=table_name, all_varchar=True, header=True)
        return self.con.read_csv(location, table_name=table_name, **_csv(columns, delimiter, encoding),
                                 ignore_errors=skip_malformed)

    def csv_rejects(self, location: str, columns: list[str], delimiter: str = ",",
                    encoding: str = "utf-8") -> Any | None:
        # From one scan of the file, into a rejects table of its own.
        n = next(_REJECTS)
        scan = self.con.read_csv(location, **_csv(columns, delimiter, encoding), store_rejects=True,
                                 rejects_table=f"cx_rejects_{n}", rejects_scan=f"cx_reject_scans_{n}")
        scan.count().execute()
        return self.con.table(f"cx_rejects_{n}")

    def with_row_number(self, table: Any, name: str = "_row") -> Any:
        # A file's scan keeps file order.
        return table.mutate(**{name: ibis.row_number() + 1})

    def try_cast(self, text: Any, to: Any) -> Any:
        return text.try_cast(dt.dtype(to))

    def parse_timestamp(self, text: Any, fmt: str) -> Any:
        return _try_strptime(text, fmt)

    def blank(self, text: Any) -> Any:
        return _blank_by_bytes(text)

    def single_valued(self, table: Any, column: str, group: str) -> tuple[Any, Any]:
        # The groups with a single value as an IN list, instead of two windows: DuckDB computes a window over one
        # large group (a pilot's assignments) on one thread, most of the assignments' validation at 10M
        # interactions; the list costs a hash lookup per row. (Spark refuses the subquery inside an aggregate over a
        # table with row numbers, which it computes with a non-deterministic function.)
        extremes = table.filter(table[group].notnull()).group_by(group).aggregate(
            lo=table[column].min(), hi=table[column].max())
        return table, table[group].isin(extremes.filter(extremes.lo == extremes.hi)[group])

    def customer_key(self, customer_id: Any) -> Any:
        return _hash(customer_id.cast("string"))

    def texts_hash(self, *texts: Any) -> Any | None:
        _one_or_four(texts)
        return _hash(*texts) if len(texts) == 1 else _hash4(*texts)

    def epoch_seconds(self, ts: Any) -> Any:
        return self.floor_divide(_epoch_us(ts), 1_000_000, nonnegative=False)

    def epoch_float(self, ts: Any) -> Any:
        # Ibis's epoch_seconds() keeps the fraction here, but after a time-zone conversion per row.
        return _epoch_us(ts).cast("float64") / 1e6

    def floor_divide(self, a: Any, b: int, nonnegative: bool = True) -> Any:
        return _floored(_divide, a, b, nonnegative)

    def replace_rows(self, table: Any, column: str, keys: list, rows: Any) -> None:
        # A delete over the key column and an insert of a few rows: cheaper than copying every other row.
        op = table.op()
        name = ".".join(f'"{part}"' for part in (op.namespace.catalog, op.namespace.database, op.name) if part)
        con = self.con.con  # type: ignore[attr-defined]
        con.execute(f'DELETE FROM {name} WHERE "{column}" IN ({", ".join(str(int(k)) for k in keys)})')
        con.execute(f"INSERT INTO {name} {self.con.compile(rows)}")


def _blank_by_bytes(text: Any) -> Any:
    """Dialect.blank where text compares byte by byte (DuckDB, Spark): every whitespace character sorts below "!",
    so `text < "!"` finds the texts that are empty or start with whitespace (or another control character) in one
    comparison. The portable test of the first character costs 14 s on 10M ids on DuckDB, this one next to
    nothing (bench/README.md)."""
    return (text < "!") & (text.strip().length() == 0)


def _to_pyarrow(self: Any, expr: Any, /, *, params: Any = None, limit: Any = None, **kwargs: Any) -> Any:
    """Ibis's DuckDB to_pyarrow, less its import of ibis.backends.duckdb.converter: that module imports pandas
    (0.2-0.3 s) for its pandas converter, before the first query of every command that pulls a few aggregates
    (tests/test_startup.py). The Arrow converter it would use differs from Ibis's own only for null-typed columns,
    which are made here as it makes them."""
    table = self._to_duckdb_relation(expr, params=params, limit=limit, **kwargs).to_arrow_table()
    return expr.__pyarrow_result__(table, data_mapper=_arrow_data())


def _arrow_data() -> type:
    """ibis.backends.duckdb.converter.DuckDBPyArrowData, without the module (and its pandas)."""
    global _ARROW_DATA
    if _ARROW_DATA is None:
        import pyarrow as pa
        from ibis.formats.pyarrow import PyArrowData

        class DuckDBArrowData(PyArrowData):
            @classmethod
            def convert_scalar(cls, scalar: Any, dtype: Any) -> Any:
                return pa.scalar(None) if dtype.is_null() else super().convert_scalar(scalar, dtype)

            @classmethod
            def convert_column(cls, column: Any, dtype: Any) -> Any:
                return pa.nulls(len(column)) if dtype.is_null() else super().convert_column(column, dtype)

        _ARROW_DATA = DuckDBArrowData
    return _ARROW_DATA


_ARROW_DATA: type | None = None


def _csv(columns: list[str], delimiter: str, encoding: str) -> dict[str, Any]:
    # RFC 4180: fields quoted with ", a quote inside doubled; no comment lines.
    return {"auto_detect": False, "header": True, "columns": {c: "VARCHAR" for c in columns}, "delim": delimiter,
            "quote": '"', "escape": '"', "encoding": encoding}


@ibis.udf.scalar.builtin(name="divide", signature=(("int64", "int64"), "int64"))
def _divide(a, b):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us(ts: dt.Timestamp(timezone="UTC")) -> dt.int64:  # type: ignore[valid-type]
    ...


@ibis.udf.scalar.builtin(name="hash", signature=(("string",), "uint64"))
def _hash(text):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="hash", signature=(("string", "string", "string", "string"), "uint64"))
def _hash4(a, b, c, d):  # type: ignore[no-untyped-def]
    ...


@ibis.udf.scalar.builtin(name="try_strptime", signature=(("string", "string"), "timestamp"))
def _try_strptime(text, fmt):  # type: ignore[no-untyped-def]
    ...
