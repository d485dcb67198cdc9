"""Entry points the CLI calls: resolve the data folder for a spec, load data and read the pilot out."""

from __future__ import annotations

from pathlib import Path

from cxscale.data.dataset import Dataset
from cxscale.data.loader import load
from cxscale.engine import connect
from cxscale.errors import DataError
from cxscale.measure.readout import Readout, readout
from cxscale.measure.spec import load_spec
from cxscale.metrics.catalog import load_catalog


def resolve_data(spec_path: str | Path, data: str | Path | None) -> Path:
    """The data path: `data` if given, else the world folder when the spec sits in DIR/pilots/ (simulated worlds)."""
    if data is not None:
        return Path(data)
    p = Path(spec_path).resolve()
    if p.parent.name == "pilots" and (p.parent.parent / "ground_truth.json").exists() or (
            p.parent.name == "pilots" and any((p.parent.parent / t).exists() for t in
                                              ("interactions", "interactions.parquet", "assignments.parquet"))):
        return p.parent.parent
    raise DataError(f"{spec_path}: give the data with --data PATH (only specs inside a simulated world's "
                    "DIR/pilots/ folder find their data by themselves)")


def open_data(path: str | Path, mapping: str | None = None, engine: str | None = None) -> Dataset:
    """Load the data at `path` (optionally through a mapping) on the chosen engine."""
    con = connect(engine) if engine else None
    # absolute: the loader resolves folders of Parquet parts against the working directory otherwise
    path = Path(path).resolve() if Path(path).exists() else path
    if mapping is None:
        return load(path, con=con)
    return load(path, mapping=mapping, con=con)


def measure_spec(spec_path: str | Path, data: str | Path | None = None, mapping: str | None = None,
                 engine: str | None = None, metric_files: list[str | Path] | None = None) -> Readout:
    """Read out the pilot described by the spec file on its data."""
    spec = load_spec(spec_path)
    ds = open_data(resolve_data(spec_path, data), mapping, engine)
    return readout(spec, ds, load_catalog(*(metric_files or [])))
