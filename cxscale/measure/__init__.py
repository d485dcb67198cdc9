"""Pilot measurement: spec -> sufficient statistics in the engine -> effects -> verdict and money (docs/readout.md).

`readout(spec, data)` and `measure_spec(path)` return the readout document (cxscale.documents.ReadoutDocument),
`write_html` writes its page, `plan_pilot` sizes a pilot before it runs (`cxscale plan`), and
`compare_observational` compares a non-randomised treatment naively and within strata on any table.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxscale.measure.html import write_html
    from cxscale.measure.observational import compare_observational
    from cxscale.measure.observational_readout import observational_readout
    from cxscale.measure.power import PilotPlan, plan_pilot
    from cxscale.measure.readout import readout
    from cxscale.measure.run import measure_spec
    from cxscale.measure.sufficient import pilot_stats

#: Each name's module, imported on first use: importing one submodule (cxscale.measure.run) does not load the page
#: templates and charts of the others before a command's first query (tests/test_startup.py).
_LAZY = {"write_html": "html", "compare_observational": "observational",
         "observational_readout": "observational_readout", "PilotPlan": "power", "plan_pilot": "power",
         "readout": "readout", "measure_spec": "run", "pilot_stats": "sufficient"}

__all__ = [
    "PilotPlan", "compare_observational", "measure_spec", "observational_readout", "pilot_stats", "plan_pilot",
    "readout", "write_html",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"cxscale.measure.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cxscale.measure' has no attribute {name!r}")
