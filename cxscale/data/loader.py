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

from cxscale.contract import RULES, TABLES
from cxscale.data.dataset import Dataset
from cxscale.data.derive import complete
from cxscale.data.mapping import Mapping
from cxscale.data.prepared import Arms, Prepared, prepare
from cxscale.data.readers import reader_problem
from cxscale.data.stage import Check, plausible_range, value_checks
from cxscale.data.validate import ValidationReport, validate_prepared
from cxscale.errors import ContractError, DataError


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
         validate: bool = False, strict: bool = False, arms: Arms | None = None,
         allow_outside_data: bool = False) -> Dataset:
    """Open the contract tables found at `path` on `con` (a new DuckDB connection by default).

    validate=False (default, the fast path for trusted sources such as the simulated world): every row, typed.
    validate=True: only rows passing every rule; the ValidationReport is attached as Dataset.report and rejected
    counts are in Dataset.notes. strict=True (implies validate) raises ContractError when any row is rejected.
    Even unvalidated, a source that cannot be read, has no interactions, or holds non-finite numbers or implausible
    timestamps is refused (guard). allow_outside_data: a mapping's sources may lie outside the data folder.
    """
    if not validate and not strict:
        prep = prepare(path, mapping, con, arms, validating=False, allow_outside_data=allow_outside_data)
        guard(prep)
        return to_dataset(prep, accepted_only=False)
    prep = prepare(path, mapping, con, arms, validating=True, allow_outside_data=allow_outside_data)
    report = validate_prepared(prep)
    if strict and not report.ok:
        raise ContractError(report.error_message())
    ds = to_dataset(prep, accepted_only=True)
    ds.notes += report.summary_notes()
    ds.report = report
    return ds


def validated(path: str | Path, mapping: str | Path | Mapping | None = None, con: BaseBackend | None = None,
              arms: Arms | None = None, allow_outside_data: bool = False) -> tuple[Dataset, ValidationReport]:
    """Accepted rows only, with the report: `ds, report = validated("data/", mapping="noshow")`."""
    ds = load(path, mapping, con, validate=True, arms=arms, allow_outside_data=allow_outside_data)
    return ds, ds.report


def guard(prep: Prepared) -> None:
    """The fast path's minimum: one aggregate per table proves the source reads, interactions has rows, numbers are
    finite and timestamps plausible; else one line (DataError) says what and how to see the rows. Values that break
    these rules would otherwise end as 'infB' in a readout or overflow the engine (docs/data-contract.md#loading)."""
    plausible = plausible_range(prep.mapping.plausible if prep.mapping else (None, None))
    for name, st in prep.tables.items():
        t = st.expr
        checks = [c for col in st.columns if col in t.columns for c in value_checks(t, col, plausible, [])[0]]
        contract = TABLES[name]
        checks += [Check("missing_value", c.name, t[c.name].isnull()) for c in contract.columns
                   if not c.nullable and c.name in st.columns and c.name in t.columns]
        aggs = {"n": t.count(), **{f"c{i}": ibis.ifelse(c.expr, 1, 0).sum() for i, c in enumerate(checks)}}
        try:
            counts = t.aggregate(**aggs).to_pyarrow().to_pylist()[0]
        except Exception as exc:  # an unreadable source (damaged file, bytes in another encoding, a ragged row)
            raise DataError(f"{', '.join(st.sources)} ({name}): the engine could not read the source: "
                            f"{reader_problem(exc)}") from exc
        where = f"{', '.join(st.sources)} ({name})"
        if name == "interactions" and not counts["n"]:
            raise DataError(f"{where}: no rows (the source is empty or has only a header)")
        for i, c in enumerate(checks):
            if counts[f"c{i}"]:
                detail = f" ({c.detail})" if c.detail else ""
                raise ContractError(
                    f"{where}: column {c.column}: rule {c.rule}: {counts[f'c{i}']:,} of {counts['n']:,} rows: "
                    f"{RULES[c.rule]}{' (or its value did not convert)' if c.rule == 'missing_value' else ''}"
                    f"{detail}; run `cxscale validate {prep.source} --quarantine rejected.csv` to see them; "
                    "validating while loading (`cxscale diagnose --validate`, load(validate=True)) leaves them out")
