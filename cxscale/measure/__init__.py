"""Pilot measurement: spec -> sufficient statistics in the engine -> effects -> verdict and money (docs/readout.md).

`readout(spec, data)` and `measure_spec(path)` return the readout document (cxscale.documents.ReadoutDocument),
`write_html` writes its page, `plan_pilot` sizes a pilot before it runs (`cxscale plan`), and
`compare_observational` compares a non-randomised treatment naively and within strata on any table.
"""

from cxscale.measure.html import write_html
from cxscale.measure.observational import compare_observational
from cxscale.measure.observational_readout import observational_readout
from cxscale.measure.power import PilotPlan, plan_pilot
from cxscale.measure.readout import readout
from cxscale.measure.run import measure_spec
from cxscale.measure.sufficient import pilot_stats

__all__ = [
    "PilotPlan", "compare_observational", "measure_spec", "observational_readout", "pilot_stats", "plan_pilot",
    "readout", "write_html",
]
