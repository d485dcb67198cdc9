"""cxscale: take customer-experience AI from pilot to scale.

The public surface is re-exported here; internals can move freely.
"""

from cxscale.errors import ContractError, CxscaleError, DataError, SpecError

__version__ = "0.1.0"

__all__ = ["ContractError", "CxscaleError", "DataError", "SpecError", "__version__"]
