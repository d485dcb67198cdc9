"""Readers: find and open sources (CSV, CSV.gz, Parquet, a DuckDB file, a folder of them, an Ibis URL) as Ibis tables.

CSV columns are read as text and converted by cxscale.data.convert, so a bad value becomes a finding with its row
number instead of a reader crash. Rows stay in the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from cxscale.contract import TABLES
from cxscale.engine import backend_name, connect, read_csv_text, reads_files, redact
from cxscale.errors import DataError

_FILE_SUFFIXES = (".parquet", ".csv", ".csv.gz")
_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")


@dataclass
class Origin:
    """Where the data lives: a folder or file on disk, a DuckDB file (attached as `alias`), or tables on a URL."""

    kind: str  # "folder", "file", "duckdb", "url"
    path: str
    con: BaseBackend
    alias: str | None = None

    @property
    def base(self) -> Path:
        p = Path(self.path)
        return p if self.kind == "folder" else p.parent


def is_url(path: str | Path) -> bool:
    return "://" in str(path)


def open_origin(path: str | Path, con: BaseBackend | None = None) -> Origin:
    """Classify `path` and make sure it can be read on `con` (a new DuckDB connection when None)."""
    text = str(path)
    if is_url(text):
        if con is not None:
            raise DataError(f"{redact(text)}: a URL names its own engine; do not pass another engine as well")
        scheme = text.split("://", 1)[0]
        # The origin shows where the data is in messages and documents: never with the URL's password.
        return Origin("url", redact(text), connect("spark" if scheme == "spark" else text))
    p = Path(text)
    if not p.exists():
        raise DataError(f"{p}: no such file or folder")
    con = con or connect()
    if not reads_files(con):
        raise DataError(f"{p}: files and folders are read with the duckdb or spark engine; the {backend_name(con)} "
                        "engine reads its own tables: pass its URL as PATH (postgres://user@host/db/schema)")
    if p.is_dir():
        # Absolute, so that sources found inside the folder resolve the same whatever the working directory.
        return Origin("folder", str(p.resolve()), con)
    if p.name.endswith(_DUCKDB_SUFFIXES):
        if not hasattr(con, "attach"):
            raise DataError(f"{p}: a DuckDB file is read with the DuckDB engine (use --engine duckdb)")
        alias = "cx_src_" + re.sub(r"\W", "_", p.stem)
        try:
            con.attach(str(p), name=alias, read_only=True)  # type: ignore[attr-defined]
        except Exception as exc:  # attached before on this connection: reuse it
            if "already" not in str(exc):
                raise DataError(f"{p}: cannot open as a DuckDB file: {str(exc).splitlines()[0]}") from exc
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


def resolve_source(origin: Origin, source: str, mapping_folder: Path | None = None) -> str:
    """A mapping part's source as a readable location: a file relative to the data path or the mapping file, or a
    table name on a DuckDB file or URL."""
    if origin.kind in ("duckdb", "url"):
        return source
    if origin.kind == "file" and Path(origin.path).name == Path(source).name:
        return origin.path
    if Path(source).is_absolute():
        return source
    for base in (origin.base, mapping_folder):
        if base is None:
            continue
        candidate = base / source
        if candidate.exists() or ("*" in source and any(base.glob(source))):
            return str(candidate)
    looked = ", ".join(str(b) for b in (origin.base, mapping_folder) if b is not None)
    raise DataError(f"{source}: source file not found (looked in {looked}); pass the folder that holds it as PATH")


def table(origin: Origin, source: str, table_name: str | None = None) -> ibis.Table:
    """Open one source on the origin's engine. Files are registered as views; nothing is loaded into Python."""
    con = origin.con
    if origin.kind == "duckdb":
        return con.table(source, database=origin.alias)
    if origin.kind == "url":
        schema, dot, name = source.rpartition(".")
        try:
            return con.table(name, database=schema) if dot else con.table(source)
        except Exception as exc:  # a missing table or schema: one line naming it
            raise DataError(f"{origin.path}: no table {source!r} ({str(exc).strip().splitlines()[0]}); name a table "
                            "of the URL's schema, or schema.table") from exc
    location = source
    p = Path(location)
    if p.is_dir():
        location = _find_in_folder(p.parent, p.name) or str(p / "*.parquet")
    if ".parquet" in location:
        return con.read_parquet(location, table_name=table_name)
    try:
        t = read_csv_text(con, location, table_name)
    except Exception as exc:  # reader errors (bad quoting, binary file) become one line naming the file
        raise DataError(f"{location}: cannot read as CSV: {str(exc).splitlines()[0]}") from exc
    if len(t.columns) == 1 and any(d in t.columns[0] for d in ",;\t|"):
        # The reader's sniffer gives up on splitting when rows disagree with the header.
        raise DataError(f"{location}: cannot split the CSV into columns (the header reads as one column "
                        f"{t.columns[0][:80]!r}): some rows have more fields than the header or an unclosed quote; "
                        "fix those rows or export the file again")
    return t


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
