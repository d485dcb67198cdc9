"""Pilot measurement: spec -> sufficient statistics in the engine -> effects -> verdict and money (docs/readout.md).

Public entry points, imported lazily so that `cxscale.documents.pilot_spec` (used by the simulator and the data loader)
stays light and free of import cycles:
readout, Readout, ReadoutDocument (the readout JSON as a model), measure_spec, plan_pilot, PilotPlan,
compare_observational, pilot_stats.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "readout": "cxscale.measure.readout",
    "Readout": "cxscale.measure.readout",
    "ReadoutDocument": "cxscale.documents.readout",
    "measure_spec": "cxscale.measure.run",
    "plan_pilot": "cxscale.measure.power",
    "PilotPlan": "cxscale.measure.power",
    "compare_observational": "cxscale.measure.observational",
    "pilot_stats": "cxscale.measure.sufficient",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'cxscale.measure' has no attribute {name!r}")
