"""The synthetic CX world: `simulate()` writes a scenario's interactions, outcomes, assignments, customers, pilot
specs and ground truth (docs/simulator.md).

`simulate`, `scenarios` and `SimulationResult` are imported on first use, so that `cxscale --help` does not load
the simulator's numpy and pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Customers in a world when none is given (`cxscale simulate --customers`).
DEFAULT_CUSTOMERS = 20_000

if TYPE_CHECKING:
    from cxscale.simulate.run import SimulationResult, scenarios, simulate

_LAZY = {"SimulationResult", "scenarios", "simulate"}

__all__ = ["DEFAULT_CUSTOMERS", "SimulationResult", "scenarios", "simulate"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("cxscale.simulate.run"), name)
    raise AttributeError(f"module 'cxscale.simulate' has no attribute {name!r}")
