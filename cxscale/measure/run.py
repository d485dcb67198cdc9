"""Entry points the CLI calls: resolve the data folder for a spec, load data and read the pilot out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cxscale.data.dataset import Dataset
from cxscale.data.loader import load
from cxscale.documents.pilot_spec import load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.engine import connect
from cxscale.errors import DataError
from cxscale.measure.observational_readout import observational_readout
from cxscale.measure.readout import readout
from cxscale.metrics.catalog import load_catalog

if TYPE_CHECKING:
    from cxscale.settings import Settings


def resolve_data(spec_path: str | Path, data: str | Path | None) -> str | Path:
    """The data: `data` if given (a path, or a warehouse URL such as postgres://... kept as it is), else the world
    folder when the spec sits in DIR/pilots/ (simulated worlds)."""
    if data is not None:
        return str(data) if "://" in str(data) else Path(data)
    p = Path(spec_path).resolve()
    if p.parent.name == "pilots" and (p.parent.parent / "ground_truth.json").exists() or (
            p.parent.name == "pilots" and any((p.parent.parent / t).exists() for t in
                                              ("interactions", "interactions.parquet", "assignments.parquet"))):
        return p.parent.parent
    raise DataError(f"{spec_path}: give the data with --data PATH (only specs inside a simulated world's "
                    "DIR/pilots/ folder find their data by themselves)")


def open_data(path: str | Path, mapping: str | None = None, engine: str | None = None,
              validate: bool | None = None, settings: Settings | None = None) -> Dataset:
    """Load the data at `path` (optionally through a mapping) on the chosen engine.

    validate: measure only rows that pass the data contract. Default: on for raw exports read through a mapping, off
    for contract-typed sources such as a simulated world (the fast path). settings: the engine's (cxscale.settings;
    None: the defaults).
    """
    # A URL names its own engine.
    con = connect(engine, settings=settings) if engine or "://" not in str(path) else None
    # absolute: the loader resolves folders of Parquet parts against the working directory otherwise
    path = Path(path).resolve() if Path(path).exists() else path
    return load(path, mapping=mapping, con=con, validate=mapping is not None if validate is None else validate)


def rejection_warnings(ds: Dataset) -> list[str]:
    """One warning per table with rows left out because they break the data contract (nothing is dropped silently)."""
    if ds.report is None:
        return []
    out = []
    for t in ds.report.tables.values():
        if t.rows_rejected:
            rules = ", ".join(f"{r.rule} {r.rows:,}" for r in t.rules if r.rows)
            out.append(f"{t.table}: {t.rows_rejected:,} of {t.rows_read:,} rows break the data contract ({rules}) "
                       "and are not measured; `cxscale validate --quarantine FILE` writes them out")
    return out


def measure_spec(spec_path: str | Path, data: str | Path | None = None, mapping: str | None = None,
                 engine: str | None = None, metric_files: list[str | Path] | None = None,
                 settings: Settings | None = None) -> ReadoutDocument:
    """Read out the pilot described by the spec file on its data: an observational design as an association
    (cxscale.measure.observational_readout), a randomised or rollout one as effects (cxscale.measure.readout)."""
    spec = load_spec(spec_path)
    ds = open_data(resolve_data(spec_path, data), mapping, engine, settings=settings)
    catalog = load_catalog(*(metric_files or []))
    result = observational_readout(spec, ds, catalog) if spec.design == "observational" else \
        readout(spec, ds, catalog)
    result.warnings.extend(rejection_warnings(ds))
    return result
