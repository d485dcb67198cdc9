"""cxscale: take customer-experience AI from pilot to scale.

This module holds the version and the errors every layer raises. Each package lists its own public surface in its
`__init__` (`__all__`): cxscale.documents, cxscale.data, cxscale.metrics, cxscale.stats, cxscale.measure,
cxscale.journey, cxscale.simulate, cxscale.charts; modules not listed there are internals that may move.
The layers and what each folder holds: docs/architecture.md.
"""

from cxscale.errors import ContractError, CxscaleError, DataError, SpecError

__version__ = "0.1.0"

__all__ = ["ContractError", "CxscaleError", "DataError", "SpecError", "__version__"]
