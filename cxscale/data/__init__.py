"""Reading data into the contract: one open_data() for paths and URLs, mapping files, validation and quarantine.

docs/data-contract.md describes the contract and the rules; docs/mapping.md the mapping files.
"""

from cxscale.data.dataset import Dataset
from cxscale.data.mapping import Mapping, load_mapping, shipped_mappings
from cxscale.data.open import open_data
from cxscale.data.validate import RuleResult, TableReport, ValidationReport

__all__ = [
    "Dataset",
    "Mapping",
    "RuleResult",
    "TableReport",
    "ValidationReport",
    "load_mapping",
    "open_data",
    "shipped_mappings",
]
