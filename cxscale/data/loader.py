"""load(): find the contract tables in a path (file, folder, DuckDB file, Ibis URL), map and type them.

`load(path)` reads a folder in the simulated world's layout (<table>.parquet, <table>.csv[.gz] or a folder <table>/
of parts) or any source through a mapping file, and returns a Dataset of contract-named, contract-typed Ibis tables
with every contract column present (derived or null, see Dataset.notes). `load(..., validate=True)` keeps only rows
that pass every rule of docs/data-contract.md, so downstream code never sees a bad row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
from ibis.backends import BaseBackend

from cxscale.contract import TABLES
from cxscale.data import readers
from cxscale.data.dataset import Dataset
from cxscale.data.derive import complete
from cxscale.data.mapping import Mapping, identity_part, load_mapping
from cxscale.data.stage import StagedTable, build_checks, stage_part, union_parts
from cxscale.errors import ContractError, DataError

if TYPE_CHECKING:
    from cxscale.data.validate import ValidationReport

#: Declared arms: pilot -> arm names (control first).
Arms = dict[str, tuple[str, ...]]


@dataclass
class Prepared:
    """The contract tables of a source, staged on one engine connection (rows stay in the engine)."""

    con: BaseBackend
    source: str
    tables: dict[str, StagedTable]
    pilots: Arms = field(default_factory=dict)
    mapping: Mapping | None = None
    notes: list[str] = field(default_factory=list)


def prepare(path: str | Path, mapping: str | Path | Mapping | None = None, con: BaseBackend | None = None,
            arms: Arms | None = None, validating: bool = True) -> Prepared:
    """Stage every contract table found at `path` (through `mapping` when given); with `validating`, attach the
    checks of every rule. `arms` declares pilot arms in addition to the mapping and DIR/pilots/*.yaml specs."""
    origin = readers.open_origin(path, con)
    m = mapping if isinstance(mapping, Mapping) or mapping is None else load_mapping(mapping)
    notes = []
    if m is not None:
        parts = {t: list(ps) for t, ps in m.tables.items()}
        folder: Path | None = m.folder
    else:
        parts = {}
        for name, location in readers.discover(origin).items():
            present = readers.table(origin, location).columns
            parts[name] = [identity_part(name, location, list(present))]
            ignored = [c for c in present if c not in parts[name][0].columns]
            if ignored:
                notes.append(f"{readers.label(location)}: columns not in the {name} contract are ignored: "
                             f"{', '.join(ignored)}")
        folder = None
        if not parts and origin.kind == "url":
            raise DataError(f"{origin.path}: no contract tables found (expected tables named {', '.join(TABLES)}; "
                            f"tables there: {readers.listing(origin)}); name the schema in the URL "
                            "(postgres://user@host/db/schema), or map other table names with --mapping")
        if not parts:
            raise DataError(f"{origin.path}: no contract tables found (expected interactions, outcomes, assignments, "
                            "customers as .parquet/.csv files or folders, or pass a mapping file with --mapping)")
    spec_arms, unreadable = _spec_arms(origin)
    notes += [f"{f}: not read for its arms ({why}); its pilot's arms are not checked" for f, why in unreadable]
    pilots = {**spec_arms, **(m.pilots if m else {}), **(arms or {})}
    staged: dict[str, StagedTable] = {}
    for name, table_parts in parts.items():
        exprs, rules, missing, labels = [], {}, {}, []
        provided: list[str] = []
        for part in table_parts:
            expr, part_rules, part_missing, label = stage_part(origin, name, part, folder, validating)
            exprs.append(expr)
            rules.update(part_rules)
            missing.update(part_missing)
            labels.append(label)
            provided += [c for c in part.columns if c not in provided]
        provided += [c for c in TABLES[name].required_columns if c not in provided]
        t = union_parts(exprs)
        st = StagedTable(name, t, provided, labels)
        if validating:
            st.expr, st.checks = build_checks(name, t, provided, rules, missing, pilots)
        staged[name] = st
    return Prepared(origin.con, str(path), staged, pilots, m, notes)


def _spec_arms(origin: readers.Origin) -> tuple[Arms, list[tuple[str, str]]]:
    """Arms declared by pilot specs stored beside the data (DIR/pilots/*.yaml, as the simulator writes them), and the
    spec files that could not be read (a draft there must not stop the data from loading)."""
    if origin.kind != "folder":
        return {}, []
    from cxscale.errors import SpecError
    from cxscale.measure.spec import load_spec

    out: Arms = {}
    unreadable: list[tuple[str, str]] = []
    for f in sorted((Path(origin.path) / "pilots").glob("*.yaml")):
        try:
            spec = load_spec(f)
        except SpecError as exc:
            unreadable.append((str(f), str(exc).split(": ", 1)[-1]))
            continue
        out[spec.pilot] = tuple(spec.arms)
    return out, unreadable


def arms_from_specs(paths: list[str | Path]) -> Arms:
    """Declared arms from pilot spec files (control first)."""
    from cxscale.measure.spec import load_spec

    return {s.pilot: tuple(s.arms) for s in (load_spec(p) for p in paths)}


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
    from cxscale.data.validate import validate_prepared

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
