"""Realised value at scale: every scaled capability's holdout and the portfolio-wide holdout read out by the pilot
readout engine (docs/value-at-scale.md).

A holdout is a pilot like any other: a spec (DIR/scale/<capability>.yaml, and DIR/scale/portfolio.yaml for the
portfolio-wide one) whose pilot id names assignment rows (arm treatment: gets the capability, control: held out),
read out over its window after scale by `cxscale.measure.readout`. So the realised effect has the same statistics,
checks (SRM, window complete) and money as the proven one: annual value = the good-direction effect per customer
per post window x 365 / post_days windows a year (recurring) x the customers in the data (docs/readout.md#money).
The proven effect of capability X is the readout of its pilot, DIR/pilots/X.yaml, on the same data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import PilotSpec, load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.errors import SpecError
from cxscale.measure.readout import readout
from cxscale.measure.run import rejection_warnings
from cxscale.metrics.catalog import Catalog, load_catalog

if TYPE_CHECKING:
    from cxscale.settings import Settings

#: The holdout spec of the portfolio-wide holdout, in the scale folder.
PORTFOLIO = "portfolio"


@dataclass(frozen=True)
class HoldoutReading:
    """One holdout read out: its readout, or None with the reason there is none, and when its window ran."""

    name: str
    spec: str
    pilot: str
    readout: ReadoutDocument | None
    #: The earliest assigned_at of the holdout's units, and the end of its post window (started + post_days).
    started: datetime | None
    ends: datetime | None
    missing: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "spec": self.spec, "pilot": self.pilot,
                "started": _iso(self.started), "ends": _iso(self.ends), "missing": self.missing,
                "readout": None if self.readout is None else self.readout.to_json()}


@dataclass(frozen=True)
class ScaledCapability:
    """A capability at scale: the readout of the pilot that proved it, and its holdout reading."""

    name: str
    proven_spec: str
    proven: ReadoutDocument
    holdout: HoldoutReading


@dataclass(frozen=True)
class ScaledPortfolio:
    """Everything `cxscale value` reads from a world: the capabilities, the portfolio holdout, the data's end."""

    capabilities: list[ScaledCapability]
    portfolio: HoldoutReading | None
    data_end: datetime | None
    data: str
    warnings: list[str]


def holdout_reading(ds: Dataset, spec_path: str | Path, catalog: Catalog | None = None,
                    name: str | None = None) -> HoldoutReading:
    """Read out the holdout pilot of `spec_path` on `ds`; no readout (with the reason) when the assignments hold none
    of its units: the holdout was not kept, or not recorded."""
    spec = load_spec(spec_path)
    name = name or Path(spec_path).stem
    started = _holdout_start(ds, spec)
    if started is None:
        return HoldoutReading(name, str(spec_path), spec.pilot, None, None, None,
                              f"the assignments hold no {spec.unit} of holdout pilot {spec.pilot!r}: the holdout was "
                              "not kept, or not recorded")
    ends = started + timedelta(days=spec.windows.post_days)
    return HoldoutReading(name, str(spec_path), spec.pilot, readout(spec, ds, catalog), started, ends)


def read_scaled(data: str | Path, scale_dir: str | Path | None = None, pilots_dir: str | Path | None = None,
                mapping: str | None = None, engine: str | None = None,
                metric_files: list[str | Path] | None = None, *, validate: bool = True,
                settings: Settings | None = None, progress: Callable[[str], None] | None = None) -> ScaledPortfolio:
    """Open the data once and read out every capability at scale: the holdout specs DIR/scale/*.yaml (default
    `data`/scale), each capability's proven pilot DIR/pilots/<capability>.yaml (default `data`/pilots), and the
    portfolio-wide holdout DIR/scale/portfolio.yaml when there is one."""
    tell = progress or (lambda _label: None)
    scale = Path(scale_dir) if scale_dir is not None else Path(data) / "scale"
    pilots = Path(pilots_dir) if pilots_dir is not None else Path(data) / "pilots"
    specs = sorted(scale.glob("*.yaml")) if scale.is_dir() else []
    if not specs:
        raise SpecError(f"{scale}: no holdout specs (*.yaml) found; give the folder with --scale (a simulated world "
                        "of scenario scaled has them in DIR/scale/)")
    for f in specs:
        if f.stem != PORTFOLIO and not (pilots / f"{f.stem}.yaml").is_file():
            raise SpecError(f"{f}: capability {f.stem} has a holdout but no proven pilot spec {pilots / f.name}; "
                            "each DIR/scale/X.yaml is read against the pilot that proved X, DIR/pilots/X.yaml")
    tell("opening the data")
    ds = open_data(data, mapping, engine, validate=validate, settings=settings)
    catalog = load_catalog(*(metric_files or []))
    capabilities, portfolio = [], None
    for f in specs:
        tell(f"reading out {f.stem}")
        reading = holdout_reading(ds, f, catalog)
        if f.stem == PORTFOLIO:
            portfolio = reading
            continue
        proven_spec = pilots / f"{f.stem}.yaml"
        capabilities.append(ScaledCapability(f.stem, str(proven_spec), readout(load_spec(proven_spec), ds, catalog),
                                             reading))
    return ScaledPortfolio(capabilities, portfolio, _data_end(ds), ds.source, rejection_warnings(ds))


def _holdout_start(ds: Dataset, spec: PilotSpec) -> datetime | None:
    """The earliest assigned_at of the holdout's units (None: it has none), counted in the engine."""
    if not ds.has("assignments"):
        return None
    a = ds.assignments
    a = a.filter((a.pilot == spec.pilot) & (a.unit_type == spec.unit))
    row = a.aggregate(n=a.count(), first=a.assigned_at.min()).to_pyarrow().to_pylist()[0]
    return _utc(row["first"]) if row["n"] else None


def _data_end(ds: Dataset) -> datetime | None:
    t = ds.interactions
    return _utc(t.aggregate(end=t.started_at.max()).to_pyarrow().to_pylist()[0]["end"])


def _utc(ts: Any) -> datetime | None:
    if ts is None or (isinstance(ts, float) and math.isnan(ts)):
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def _iso(ts: datetime | None) -> str | None:
    return None if ts is None else ts.isoformat()


__all__ = ["PORTFOLIO", "HoldoutReading", "ScaledCapability", "ScaledPortfolio", "holdout_reading", "read_scaled"]
