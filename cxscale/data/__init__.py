"""Reading data into the contract: readers, mapping files, derivations, validation and quarantine.

docs/data-contract.md describes the contract and the rules; docs/mapping.md the mapping files.
"""

from cxscale.data.dataset import Dataset
from cxscale.data.loader import load, validated
from cxscale.data.mapping import Mapping, load_mapping, shipped_mappings
from cxscale.data.prepared import prepare
from cxscale.data.quarantine import write_quarantine
from cxscale.data.validate import RuleResult, TableReport, ValidationReport, validate

__all__ = [
    "Dataset",
    "Mapping",
    "RuleResult",
    "TableReport",
    "ValidationReport",
    "load",
    "load_mapping",
    "prepare",
    "shipped_mappings",
    "validate",
    "validated",
    "write_quarantine",
]
