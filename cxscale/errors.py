"""One exception hierarchy. The CLI turns any CxscaleError into one red line and exit code 1.

A message names the file, the column or field, the rule, what was found and what to do.
"""


class CxscaleError(Exception):
    """A problem the user can act on (bad input, bad spec, missing data)."""


class ContractError(CxscaleError):
    """Data does not meet the data contract (docs/data-contract.md)."""


class DataError(CxscaleError):
    """Data cannot be found or read (missing file, unknown format, unreachable engine)."""


class SpecError(CxscaleError):
    """A pilot spec, metric definition or mapping file is invalid."""


class StoreError(CxscaleError):
    """The portfolio store cannot be opened or written (bad URL, a write that lost a race too often)."""


class GateError(CxscaleError):
    """A gate decision is refused: a condition does not hold, a reason or the sponsor's approval is missing."""


class AccessError(CxscaleError):
    """Who is acting is not established (no credential, a forged or revoked token) or may not do what they asked."""
