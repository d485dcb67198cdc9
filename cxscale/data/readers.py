"""Readers: find and open sources (CSV, CSV.gz, Parquet, a DuckDB file, a folder of them, an Ibis URL) as Ibis tables.

CSV columns are read as text and converted by cxscale.data.convert, so a bad value becomes a finding with its row
number instead of a reader crash. Rows stay in the engine.
"""

from __future__ import annotations

import csv
import glob
import gzip
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import ibis
from ibis.backends import BaseBackend
from ibis.common.exceptions import TableNotFound

from cxscale.contract import TABLES
from cxscale.engine import (
    attach_database_file,
    connect,
    csv_rejects,
    dialect_of,
    engine_name,
    is_url,
    read_csv_text,
    reads_files,
    redact,
)
from cxscale.errors import DataError
from cxscale.settings import Settings

_FILE_SUFFIXES = (".parquet", ".csv", ".csv.gz")
_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")


@dataclass
class Origin:
    """Where the data lives: a folder or file on disk, a DuckDB file (attached as `alias`), or tables on a URL."""

    kind: str  # "folder", "file", "duckdb", "url"
    path: str
    con: BaseBackend
    alias: str | None = None
    #: The file locations (paths or globs) read so far: what the validation cache fingerprints (cxscale.data.cache).
    read: list[str] = field(default_factory=list)

    @property
    def base(self) -> Path:
        p = Path(self.path)
        return p if self.kind == "folder" else p.parent


def open_origin(path: str | Path, con: BaseBackend | None = None, settings: Settings | None = None) -> Origin:
    """Classify `path` and make sure it can be read on `con` (a new DuckDB connection with `settings` when None)."""
    text = str(path)
    if is_url(text):
        if con is not None:
            raise DataError(f"{redact(text)}: a URL names its own engine; do not pass another engine as well")
        scheme = text.split("://", 1)[0]
        # The origin shows where the data is in messages and documents: never with the URL's password.
        return Origin("url", redact(text), connect("spark" if scheme == "spark" else text, settings=settings))
    p = Path(text)
    if not p.exists():
        raise DataError(f"{p}: no such file or folder")
    con = con or connect(settings=settings)
    if not reads_files(con):
        raise DataError(f"{p}: files and folders are read with the duckdb or spark engine; the {engine_name(con)} "
                        "engine reads its own tables: pass its URL as PATH (postgres://user@host/db/schema)")
    if p.is_dir():
        # Absolute, so that sources found inside the folder resolve the same whatever the working directory.
        return Origin("folder", str(p.resolve()), con)
    if p.name.endswith(_DUCKDB_SUFFIXES):
        alias = "cx_src_" + re.sub(r"\W", "_", p.stem)
        attach_database_file(con, p, alias)
        return Origin("duckdb", text, con, alias)
    if not p.name.endswith(_FILE_SUFFIXES):
        raise DataError(f"{p}: unknown format; cxscale reads .csv, .csv.gz, .parquet, .duckdb files and folders of them")
    return Origin("file", text, con)


def table_of_file(path: str | Path) -> str | None:
    """The contract table a lone file holds, from its name (interactions.csv, bad_interactions.csv.gz)."""
    stem = Path(path).name.split(".")[0]
    for name in TABLES:
        if stem == name or stem.endswith("_" + name) or stem.startswith(name + "_"):
            return name
    return None


def discover(origin: Origin) -> dict[str, str]:
    """Contract tables present in an origin without a mapping: table name -> source (file, glob or table name)."""
    found: dict[str, str] = {}
    if origin.kind == "file":
        name = table_of_file(origin.path)
        if name is None:
            raise DataError(f"{origin.path}: cannot tell which contract table this file holds; name it after the "
                            f"table ({', '.join(f'{t}.csv' for t in TABLES)}) or pass a mapping file (--mapping)")
        return {name: origin.path}
    if origin.kind == "folder":
        root = Path(origin.path)
        for name in TABLES:
            location = _find_in_folder(root, name)
            if location:
                found[name] = location
        return found
    for name in TABLES:
        try:
            table(origin, name)
        except Exception:  # noqa: BLE001 - a missing table is simply not present
            continue
        found[name] = name
    return found


def _find_in_folder(root: Path, name: str) -> str | None:
    for suffix in _FILE_SUFFIXES:
        f = root / f"{name}{suffix}"
        if f.exists():
            return str(f)
    d = root / name
    if d.is_dir():
        for pattern in ("*.parquet", "*.csv", "*.csv.gz"):
            if any(d.glob(pattern)):
                return str(d / pattern)
    return None


def resolve_source(origin: Origin, source: str, mapping_folder: Path | None = None,
                   allow_outside_data: bool = False) -> str:
    """A mapping part's source as a readable location: a file inside the data path's folder or the mapping file's
    folder, or a table name on a DuckDB file or URL. A source elsewhere (absolute, `..`, a glob leaving the folder)
    is refused unless `allow_outside_data` (docs/mapping.md#where-sources-are-found)."""
    if origin.kind in ("duckdb", "url"):
        return source
    if origin.kind == "file" and Path(origin.path).name == Path(source).name:
        return origin.path
    bases = [b for b in (origin.base, mapping_folder) if b is not None]
    for base in bases:
        candidate = base / source  # an absolute source is itself
        matches = [Path(f) for f in glob.glob(str(candidate), recursive=True)] if "*" in source else (
            [candidate] if candidate.exists() else [])
        if matches:
            if not allow_outside_data and not _inside(matches, bases):
                raise DataError(f"{source}: the mapping's source lies outside the data folder ({origin.base}) and the "
                                "mapping's folder; copy the file into the data folder, or allow it explicitly "
                                "(--allow-outside-data)")
            return str(candidate)
    looked = ", ".join(str(b) for b in bases)
    raise DataError(f"{source}: source file not found (looked in {looked}); pass the folder that holds it as PATH")


def _inside(files: list[Path], bases: list[Path]) -> bool:
    """Whether every file lies inside one of the folders (links resolved: a link out of the folder is outside)."""
    roots = [b.resolve() for b in bases]
    return all(any(f == r or r in f.parents for r in roots) for f in (m.resolve() for m in files))


def table(origin: Origin, source: str, table_name: str | None = None, encoding: str | None = None,
          validating: bool = False) -> ibis.Table:
    """Open one source on the origin's engine. Files are registered as views; nothing is loaded into Python.

    When `validating`, a CSV row that cannot be split into the header's columns stays in the table as a row with
    null values and `_malformed` (what is wrong, and the line), numbered with the others in `_row`."""
    con = origin.con
    if origin.kind == "duckdb":
        return con.table(source, database=origin.alias)
    if origin.kind == "url":
        schema, dot, name = source.rpartition(".")
        try:
            return con.table(name, database=schema) if dot else con.table(source)
        except (TableNotFound, *dialect_of(con).read_errors) as exc:  # a missing table or schema: one line naming it
            raise DataError(f"{origin.path}: no table {source!r} ({str(exc).strip().splitlines()[0]}); name a table "
                            "of the URL's schema, or schema.table") from exc
    location = _file_location(source)
    origin.read.append(location)
    if ".parquet" in location:
        try:
            return con.read_parquet(location, table_name=table_name)
        except dialect_of(con).read_errors as exc:  # damaged or not Parquet: one line naming the file
            raise DataError(f"{label(location)}: cannot read as Parquet ({first_line(exc)}); the file is damaged "
                            "(e.g. cut short by a copy) or not Parquet: export it again") from exc
    code = encoding or "utf-8"
    columns, delimiter = csv_header(location, code)
    try:
        t = read_csv_text(con, location, table_name, columns=columns, delimiter=delimiter, encoding=code,
                          skip_malformed=validating)
        rejects = csv_rejects(con, location, columns, delimiter, code) if validating else None
    except dialect_of(con).read_errors as exc:  # reader errors (bad quoting, binary file): one line naming the file
        raise DataError(f"{label(location)}: cannot read as CSV: {reader_problem(exc)}") from exc
    if rejects is None or not int(rejects.count().execute()):
        return t
    return _with_malformed_rows(t, rejects)


def _file_location(source: str) -> str:
    """A file source as the engine reads it: a folder of parts as the glob of its files."""
    p = Path(source)
    if not p.is_dir():
        return source
    found = _find_in_folder(p.parent, p.name)
    if found is None and p.name.endswith(_FILE_SUFFIXES):
        raise DataError(f"{source}: is a folder, not a file; name the file (or a folder of parts {p.name}/*.parquet)")
    return found or str(p / "*.parquet")


def columnar(origin: Origin, source: str) -> bool:
    """Whether the engine reads the source column by column (Parquet, a database's table), so that a query of one
    column reads that column alone; a CSV file is parsed whole whatever the query reads."""
    return origin.kind in ("duckdb", "url") or ".parquet" in _file_location(source)


def _with_malformed_rows(t: ibis.Table, rejects: ibis.Table) -> ibis.Table:
    """The rows read plus one row per malformed record, numbered in file order.

    The reader skipped the malformed records, so the k-th row read is data row k + (malformed records before it).
    Malformed record i (in file order, data row r_i) comes after r_i - i rows read; a running count over both, in
    that order, gives every row its number. Only sources with malformed rows pay this window."""
    good = t.mutate(_k=(ibis.row_number() + 1).cast("float64"), _r=ibis.null("int64"),
                    _malformed=ibis.null("string"))
    # One reject per missing column of a short row: one row per record.
    r = rejects.group_by("line").aggregate(_what=rejects.error_type.min(), _text=rejects.csv_line.min())
    r = r.select(_r=(r.line - 1).cast("int64"), _what=r._what, _text=r._text)
    r = r.mutate(_k=(r._r - ibis.row_number().over(order_by=r._r) - 1).cast("float64") + 0.5)
    # An unclosed quote swallows the rest of the file: show its lines joined by a visible \n.
    text = r._text.re_replace(r"\s+$", "").re_replace(r"\r?\n", "\\\\n")
    what = r._what.lower() + ": " + ibis.ifelse(
        text.length() > 120, text.substr(0, 120) + "...", text)
    bad = r.select(**{c: ibis.null(t[c].type()) for c in t.columns}, _k=r._k, _r=r._r,
                   _malformed=what.cast("string"))
    both = ibis.union(good, bad, distinct=False)
    before = ibis.ifelse(both._malformed.notnull(), 1, 0).sum().over(
        ibis.window(order_by=both._k, preceding=None, following=0))
    row = ibis.ifelse(both._r.notnull(), both._r, both._k.cast("int64") + before)
    return both.mutate(_row=row.cast("int64")).drop("_k", "_r")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def reader_problem(exc: BaseException) -> str:
    """An engine's reader error in words a user can act on (the encoding, a malformed line)."""
    text = str(exc)
    if "Invalid unicode" in text or "byte sequence" in text or "MalformedInputException" in text:
        return ("the file is not UTF-8 text; set its encoding in the mapping file (encoding: latin-1 or utf-16, "
                "docs/mapping.md#encoding)")
    m = re.search(r"CSV Error on Line: (\d+)", text)
    if m and ("Expected Number of Columns" in text or "quote" in text.lower()):
        return (f"line {m.group(1)} does not split into the header's columns ({first_line(exc)}); `cxscale validate` "
                "quarantines such rows")
    return first_line(exc)


def csv_header(location: str, encoding: str = "utf-8") -> tuple[list[str], str]:
    """The column names and the delimiter of a CSV (the first file of a glob), from its first line, read in Python:
    only the header leaves the file. Raises DataError for an empty file, a gzip that is not gzip, or text that is not
    in `encoding`."""
    files = sorted(Path(location).parent.glob(Path(location).name)) if "*" in location else [Path(location)]
    if not files:
        raise DataError(f"{location}: no files match")
    f = files[0]
    try:
        with (gzip.open(f, "rb") if f.name.endswith(".gz") else f.open("rb")) as fh:
            head = fh.read(1 << 16)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{f.name}: cannot read as {'gzip-compressed ' if f.name.endswith('.gz') else ''}CSV "
                        f"({exc}); check the file (a .gz name on a file that is not compressed?)") from exc
    if not head.strip():
        raise DataError(f"{f.name}: the file is empty (no header, no rows)")
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    if utf16 and encoding != "utf-16":
        raise DataError(f"{f.name}: the file is UTF-16 text; set encoding: utf-16 in the mapping file "
                        "(docs/mapping.md#encoding), or save it as UTF-8")
    try:
        text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line = head[:exc.start].count(b"\n") + 1
        raise DataError(f"{f.name}: line {line}: byte 0x{head[exc.start]:02X} is not UTF-8 text; set the file's "
                        "encoding in the mapping file (encoding: latin-1 for Western European exports, or utf-16; "
                        "docs/mapping.md#encoding)") from None
    first = text.lstrip("\ufeff").splitlines()[0] if text.lstrip("\ufeff") else ""
    delimiter = max(",;\t|", key=first.count) if any(d in first for d in ",;\t|") else ","
    names = [n.strip() for n in next(csv.reader([first], delimiter=delimiter))]
    empty = [i + 1 for i, n in enumerate(names) if not n]
    if empty:
        raise DataError(f"{f.name}: header column {empty[0]} has no name; name every column in the first line")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(f"{f.name}: the header names column {repeated[0]!r} twice; give every column its own name")
    return names, delimiter


def label(source: str) -> str:
    """Short name of a source for messages (file name, or table name)."""
    if "/" not in source and "\\" not in source:
        return source
    p = Path(source)
    return f"{p.parent.name}/{p.name}" if "*" in p.name else p.name


def listing(origin: Origin, limit: int = 10) -> str:
    """A few table names on a URL's engine, for messages ("none" when there are none or they cannot be listed)."""
    con = origin.con
    try:
        current, known = con.current_database, con.list_databases()  # type: ignore[attr-defined]
        if current is None or current not in known:  # PostgreSQL: the URL names a schema that does not exist
            return f"none, the URL's schema does not exist (schemas: {', '.join(sorted(known)[:limit])})"
        names = sorted(con.list_tables())
    except Exception:  # noqa: BLE001 - only used to improve an error message
        return "cannot be listed"
    if not names:
        return "none"
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
