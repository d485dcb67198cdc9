"""open_data(): the one way to open data, for every command, the web app and the capabilities.

A source is a path (a file, a folder of them, a DuckDB file) or an Ibis URL (postgres://user@host/db/schema), read
as it is or through a mapping file, on an engine (DuckDB by default; a URL names its own). By default it is validated
against the data contract: only rows passing every rule reach the Dataset, and its report (rows read, accepted and
rejected per table and rule) is Dataset.report (docs/data-contract.md#opening-data).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from cxscale.contract import RULES, TABLES
from cxscale.data.cache import fingerprint, load_pass, store_pass
from cxscale.data.dataset import Dataset
from cxscale.data.derive import complete
from cxscale.data.mapping import Mapping
from cxscale.data.prepared import Arms, Prepared, prepare_origin
from cxscale.data.quarantine import write_quarantine
from cxscale.data.readers import open_origin, reader_problem
from cxscale.data.stage import Check, plausible_range, value_checks
from cxscale.data.validate import validate_prepared
from cxscale.engine import connect, dialect_of, redact
from cxscale.errors import ContractError, DataError
from cxscale.settings import Settings


def open_data(source: str | Path, mapping: str | Path | Mapping | None = None,
              engine: str | BaseBackend | None = None, *, validate: bool = True, strict: bool = False,
              quarantine: str | Path | None = None, arms: Arms | None = None, allow_outside_data: bool = False,
              report_only: bool = False, progress: Callable[[str], None] | None = None,
              settings: Settings | None = None, validation_cache: Path | None = None) -> Dataset:
    """The contract tables at `source` (through `mapping`: a file or a shipped mapping's name) as a Dataset.

    engine: "duckdb" (default), "spark", an Ibis URL, or an open connection (to share one between sources); a URL
    source names its own engine. validate (default): only rows passing every rule, the ValidationReport as
    Dataset.report and its counts in Dataset.notes; a table missing a contract column is refused (ContractError, the
    line `cxscale validate` prints), since none of its rows could be used. strict: any rejected row is refused.
    quarantine: write the rejected rows with their reasons to this .csv/.parquet file (and do not refuse them).
    validate=False is the fast path for trusted sources: every row, typed, after one guarding aggregate per table
    (readable, interactions not empty, required values present, numbers finite, timestamps plausible).
    arms declares pilot arms beyond the mapping and DIR/pilots/*.yaml; allow_outside_data lets a mapping's sources
    lie outside the data and mapping folders; report_only (cxscale validate) reports a missing column instead of
    refusing it; progress is called with a short label before each step; settings (cxscale.settings, read by the
    faces) configure the connection opened here. validation_cache: a folder where a pass is kept and read back while
    the source's files are unchanged (cxscale.data.cache; the CLI's, cache_folder(settings)); None: always check.
    """
    tell = progress or (lambda _label: None)
    origin = open_origin(source, connect(engine, settings=settings) if isinstance(engine, str) else engine, settings)
    label = redact(str(source))  # a URL without its password

    def staged(validating: bool) -> Prepared:
        return prepare_origin(origin, label, mapping, arms, validating, allow_outside_data)

    if not validate:
        prep = staged(validating=False)
        _guard(prep)
        return _dataset(prep, accepted_only=False)
    fast = key = None
    if validation_cache is not None and quarantine is None and not report_only:
        # Staged as the fast path reads it first: that records the files the fingerprint covers.
        fast = staged(validating=False)
        key = fingerprint(origin, fast)
        cached = load_pass(validation_cache, key) if key else None
        if cached is not None:
            ds = _dataset(fast, accepted_only=False)
            ds.notes += cached.summary_notes() + [
                f"validated against the data contract at {cached.reused}, every row passing; the source's files are "
                "unchanged since (size, modification time, Parquet footer or content), so the result is reused "
                "(--revalidate or CXSCALE_VALIDATION_CACHE=false checks again)"]
            ds.report = cached
            return ds
    prep = staged(validating=True)
    report = validate_prepared(prep, lambda table: tell(f"validating {table}"))
    if key is not None and validation_cache is not None and fast is not None and fingerprint(origin, fast) == key:
        store_pass(validation_cache, key, report)  # unchanged while it was checked
    if quarantine is not None and not report.ok:
        tell(f"writing {quarantine}")
        write_quarantine(prep, quarantine)
    missing = [r.message for t in report.tables.values() for r in t.rules if r.rule == "missing_column" and r.rows]
    if missing and not report_only:
        raise ContractError("\n".join(missing))
    if strict and not report.ok and quarantine is None:
        raise ContractError(report.error_message())
    # Every row passes: read the source as the fast path does, without the rules' columns and windows, so that
    # validating costs one scan per table and the figures are those of the unvalidated read.
    ds = _dataset(fast or staged(validating=False), accepted_only=False) if report.ok and not report_only else \
        _dataset(prep, accepted_only=True)
    ds.notes += report.summary_notes()
    ds.report = report
    return ds


def _dataset(prep: Prepared, accepted_only: bool) -> Dataset:
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


def _guard(prep: Prepared) -> None:
    """The fast path's minimum: one aggregate per table proves the source reads, interactions has rows, numbers are
    finite and timestamps plausible; else one line (DataError) says what and how to see the rows. Values that break
    these rules would otherwise end as 'infB' in a readout or overflow the engine (docs/data-contract.md#opening-data)."""
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
        except dialect_of(t).read_errors as exc:  # an unreadable source (damaged file, other encoding, ragged row)
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
                    "opened with validation (the default, without --no-validate) they are left out")
