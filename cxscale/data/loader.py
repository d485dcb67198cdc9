"""load(): find the contract tables in a path (file, folder, DuckDB file, Ibis URL), map and type them.

`load(path)` reads a folder in the simulated world's layout (<table>.parquet, <table>.csv[.gz] or a folder <table>/
of parts) or any source through a mapping file, and returns a Dataset of contract-named, contract-typed Ibis tables
with every contract column present (derived or null, see Dataset.notes). `load(..., validate=True)` keeps only rows
that pass every rule of docs/data-contract.md, so downstream code never sees a bad row.
"""

from __future__ import annotations

from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from cxscale.contract import TABLES
from cxscale.data.dataset import Dataset
from cxscale.data.derive import complete
from cxscale.data.mapping import Mapping
from cxscale.data.prepared import Arms, Prepared, prepare
from cxscale.data.validate import ValidationReport, validate_prepared
from cxscale.errors import ContractError


def to_dataset(prep: Prepared, accepted_only: bool) -> Dataset:
    """The contract tables of a prepared source, completed with derived columns."""
    tables: dict[str, ibis.Table] = {}
    unwindowed: dict[str, ibis.Table] = {}
    notes: list[str] = list(prep.notes)
    for name, st in prep.tables.items():
        t = st.accepted() if accepted_only else st.expr
        contract = TABLES[name]
        extras = [c for c in st.columns if c not in contract.column_names] if contract.extra_columns_allowed else []
        provided = [c for c in st.columns if c in contract.column_names]
        tables[name], table_notes, unwindowed[name] = complete(name, t, provided, extras)
        notes += table_notes
    return Dataset(con=prep.con, tables=tables, source=prep.source, notes=notes, unwindowed=unwindowed)


def load(path: str | Path, mapping: str | Path | Mapping | None = None, con: BaseBackend | None = None, *,
         validate: bool = False, strict: bool = False, arms: Arms | None = None) -> Dataset:
    """Open the contract tables found at `path` on `con` (a new DuckDB connection by default).

    validate=False (default, the fast path for trusted sources such as the simulated world): every row, typed.
    validate=True: only rows passing every rule; the ValidationReport is attached as Dataset.report and rejected
    counts are in Dataset.notes. strict=True (implies validate) raises ContractError when any row is rejected.
    """
    if not validate and not strict:
        prep = prepare(path, mapping, con, arms, validating=False)
        return to_dataset(prep, accepted_only=False)
    prep = prepare(path, mapping, con, arms, validating=True)
    report = validate_prepared(prep)
    if strict and not report.ok:
        raise ContractError(report.error_message())
    ds = to_dataset(prep, accepted_only=True)
    ds.notes += report.summary_notes()
    ds.report = report
    return ds


def validated(path: str | Path, mapping: str | Path | Mapping | None = None, con: BaseBackend | None = None,
              arms: Arms | None = None) -> tuple[Dataset, ValidationReport]:
    """Accepted rows only, with the report: `ds, report = validated("data/", mapping="noshow")`."""
    ds = load(path, mapping, con, validate=True, arms=arms)
    return ds, ds.report
