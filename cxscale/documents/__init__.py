"""The versioned documents: the contracts between cxscale's layers, one Pydantic model each.

A document's model is what the code builds and what a consumer reads; its JSON Schema (docs/schemas/, `cxscale schema
NAME`) is generated from it. How versions change: cxscale/documents/base.py. This package imports nothing of cxscale
above it (contract, errors and the YAML reader only), so every layer may use it.

- the pilot spec people write (`PilotSpec`, docs/pilot-spec.md),
- the readout of `cxscale measure --json` (`ReadoutDocument`, docs/readout.md),
- the diagnosis of `cxscale diagnose --json` (`DiagnosisDocument`, docs/diagnosis.md),
- the use-case drafts of `cxscale diagnose --use-cases DIR` (`UseCaseDraft`, docs/use-case-draft.md),
- the use cases of the portfolio people write (`UseCase`, docs/portfolio.md),
- the portfolio's gate decisions (`GateDecision`, docs/portfolio.md#gates),
- the proof points of `cxscale proof build` (`ProofPoint`, docs/proof-points.md).
- the people of a portfolio folder, its people.yaml (`PeopleDocument`, docs/portfolio.md#people-and-credentials).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cxscale.documents.base import OpenModel, StrictModel, canonical_json, digest, unknown_fields

if TYPE_CHECKING:
    from cxscale.documents.diagnosis import DiagnosisDocument
    from cxscale.documents.gate_decision import GateDecision
    from cxscale.documents.people import PeopleDocument
    from cxscale.documents.pilot_spec import PilotSpec, dump_spec, load_spec
    from cxscale.documents.proof_point import ProofPoint
    from cxscale.documents.readout import ReadoutDocument
    from cxscale.documents.use_case import UseCase, load_use_case
    from cxscale.documents.use_case_draft import UseCaseDraft

#: Each model's module, imported on first use: building a Pydantic model costs milliseconds, and a command needs one
#: or two of the nine before its first query (`cxscale measure` the pilot spec, not the diagnosis or the proof
#: point; tests/test_startup.py).
_LAZY = {"DiagnosisDocument": "diagnosis", "GateDecision": "gate_decision", "PeopleDocument": "people",
         "PilotSpec": "pilot_spec", "dump_spec": "pilot_spec", "load_spec": "pilot_spec", "ProofPoint": "proof_point",
         "ReadoutDocument": "readout", "UseCase": "use_case", "load_use_case": "use_case",
         "UseCaseDraft": "use_case_draft"}

__all__ = [
    "DiagnosisDocument", "GateDecision", "OpenModel", "PeopleDocument", "PilotSpec", "ProofPoint", "ReadoutDocument", "StrictModel", "UseCase",
    "UseCaseDraft", "canonical_json", "digest", "dump_spec", "load_spec", "load_use_case", "unknown_fields",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"cxscale.documents.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cxscale.documents' has no attribute {name!r}")
