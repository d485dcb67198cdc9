"""Reading data into the contract: readers, mapping files, derivations, validation and quarantine."""

from cxscale.data.dataset import Dataset
from cxscale.data.loader import load

__all__ = ["Dataset", "load"]
