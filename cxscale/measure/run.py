"""Entry points the CLI calls: find the data of a spec, open it (cxscale.data.open_data) and read the pilot out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.errors import DataError
from cxscale.measure.capability import capability_readout
from cxscale.measure.observational_readout import observational_readout
from cxscale.measure.readout import readout
from cxscale.measure.switchback import switchback_readout
from cxscale.metrics.catalog import load_catalog

if TYPE_CHECKING:
    from cxscale.settings import Settings


def resolve_data(spec_path: str | Path, data: str | Path | None) -> str | Path:
    """The data: `data` if given (an existing path made absolute, anything else such as a warehouse URL kept as it
    is), else the world folder when the spec sits in DIR/pilots/ (simulated worlds)."""
    if data is not None:
        return Path(data).resolve() if Path(data).exists() else str(data)
    p = Path(spec_path).resolve()
    if p.parent.name == "pilots" and (p.parent.parent / "ground_truth.json").exists() or (
            p.parent.name == "pilots" and any((p.parent.parent / t).exists() for t in
                                              ("interactions", "interactions.parquet", "assignments.parquet"))):
        return p.parent.parent
    raise DataError(f"{spec_path}: give the data with --data PATH (only specs inside a simulated world's "
                    "DIR/pilots/ folder find their data by themselves)")


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
                 engine: str | None = None, metric_files: list[str | Path] | None = None, *, validate: bool = True,
                 quarantine: str | Path | None = None, opened: Callable[[Dataset], None] | None = None,
                 settings: Settings | None = None) -> ReadoutDocument:
    """Read out the pilot described by the spec file on its data: an observational design as an association
    (cxscale.measure.observational_readout), a randomised or rollout one as effects (cxscale.measure.readout), a
    capability pilot with its triggered effect, funnel and tenure bands as well (cxscale.measure.capability).

    The data is opened with cxscale.data.open_data (validate, quarantine as there); `opened` is called with it before
    the readout (the CLI reports rejected rows there, as `cxscale validate` does)."""
    spec = load_spec(spec_path)
    ds = open_data(resolve_data(spec_path, data), mapping, engine, validate=validate, quarantine=quarantine,
                   settings=settings)
    if opened is not None:
        opened(ds)
    catalog = load_catalog(*(metric_files or []))
    if spec.design == "observational":
        result = observational_readout(spec, ds, catalog)
    elif spec.unit == "slot":  # a switchback (routing): the capability readout on queue x time slots
        result = switchback_readout(spec, ds, catalog)
    elif spec.capability is not None:  # a capability pilot: the readout plus its triggered effect and funnel
        result = capability_readout(spec, ds, catalog)
    else:
        result = readout(spec, ds, catalog)
    result.warnings.extend(rejection_warnings(ds))
    return result
