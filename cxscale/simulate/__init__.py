"""The synthetic CX world: `simulate()` writes a scenario's interactions, outcomes, assignments, customers, pilot
specs and ground truth (docs/simulator.md)."""

from cxscale.simulate.run import DEFAULT_CUSTOMERS, SimulationResult, scenarios, simulate

__all__ = ["DEFAULT_CUSTOMERS", "SimulationResult", "scenarios", "simulate"]
