"""load(): find the contract tables in a path (file, folder, DuckDB file) and expose them as Ibis tables.

First version: a folder laid out like the simulated world (<table>.parquet, <table>.csv or a folder <table>/ of
Parquet parts). Mapping files, other sources and derivations extend this module.
"""

from __future__ import annotations

from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from cxscale.contract import TABLES
from cxscale.data.dataset import Dataset
from cxscale.engine import connect
from cxscale.errors import DataError


def _find(root: Path, name: str) -> str | None:
    for suffix in (".parquet", ".csv", ".csv.gz"):
        f = root / f"{name}{suffix}"
        if f.exists():
            return str(f)
    d = root / name
    if d.is_dir():
        parts = sorted(d.glob("*.parquet"))
        if parts:
            return str(d / "*.parquet")
    return None


def _read(con: BaseBackend, location: str, name: str) -> ibis.Table:
    if ".parquet" in location:
        return con.read_parquet(location, table_name=f"cx_{name}")
    return con.read_csv(location, table_name=f"cx_{name}")


def load(path: str | Path, mapping: str | Path | None = None, con: BaseBackend | None = None) -> Dataset:
    """Open the contract tables found at `path` on `con` (a new DuckDB connection by default)."""
    root = Path(path)
    if not root.exists():
        raise DataError(f"{root}: no such file or folder")
    con = con or connect()
    tables: dict[str, ibis.Table] = {}
    for name in TABLES:
        location = _find(root, name)
        if location:
            tables[name] = _read(con, location, name)
    if not tables:
        raise DataError(f"{root}: no contract tables found (expected interactions, outcomes, assignments, customers "
                        "as .parquet/.csv files or folders)")
    return Dataset(con=con, tables=tables, source=str(root))
