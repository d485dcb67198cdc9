"""prepare(): stage every contract table of a source (file, folder, DuckDB file, Ibis URL) on one engine
connection, through a mapping file when given, with the checks of every contract rule attached.

Both cxscale.data.validate (which counts what the checks reject) and cxscale.data.open (which turns the staged
tables into a Dataset) start from a Prepared source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ibis.backends import BaseBackend

from cxscale.contract import TABLES
from cxscale.data import readers
from cxscale.data.mapping import Mapping, identity_part, load_mapping
from cxscale.data.stage import StagedTable, build_checks, plausible_range, stage_part, union_parts
from cxscale.engine import redact
from cxscale.errors import DataError

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
            arms: Arms | None = None, validating: bool = True, allow_outside_data: bool = False) -> Prepared:
    """Stage every contract table found at `path` (through `mapping` when given); with `validating`, attach the
    checks of every rule. `arms` declares pilot arms in addition to the mapping and DIR/pilots/*.yaml specs.
    `allow_outside_data` lets a mapping's sources lie outside the data and mapping folders."""
    return prepare_origin(readers.open_origin(path, con), redact(str(path)), mapping, arms, validating,
                          allow_outside_data)


def prepare_origin(origin: readers.Origin, source: str, mapping: str | Path | Mapping | None = None,
                   arms: Arms | None = None, validating: bool = True, allow_outside_data: bool = False) -> Prepared:
    """prepare() on an origin already open (a source read twice, validated then fast, connects once); `source`
    names it in messages (without a URL's password)."""
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
    plausible = plausible_range(m.plausible if m else (None, None))
    staged: dict[str, StagedTable] = {}
    for name, table_parts in parts.items():
        exprs, rules, missing, labels = [], {}, {}, []
        provided: list[str] = []
        columnar = True
        for part in table_parts:
            expr, part_rules, part_missing, label, part_columnar = stage_part(origin, name, part, folder, validating,
                                                                              allow_outside_data)
            columnar = columnar and part_columnar
            exprs.append(expr)
            rules.update(part_rules)
            missing.update(part_missing)
            labels.append(label)
            provided += [c for c in part.columns if c not in provided]
        provided += [c for c in TABLES[name].required_columns if c not in provided]
        t = union_parts(exprs)
        st = StagedTable(name, t, provided, labels, columnar=columnar)
        if validating:
            st.expr, st.checks = build_checks(name, t, provided, rules, missing, pilots, plausible)
        staged[name] = st
    return Prepared(origin.con, source, staged, pilots, m, notes)


def _spec_arms(origin: readers.Origin) -> tuple[Arms, list[tuple[str, str]]]:
    """Arms declared by pilot specs stored beside the data (DIR/pilots/*.yaml, as the simulator writes them), and the
    spec files that could not be read (a draft there must not stop the data from loading)."""
    if origin.kind != "folder":
        return {}, []
    from cxscale.documents.pilot_spec import load_spec
    from cxscale.errors import SpecError

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
    from cxscale.documents.pilot_spec import load_spec

    return {s.pilot: tuple(s.arms) for s in (load_spec(p) for p in paths)}
