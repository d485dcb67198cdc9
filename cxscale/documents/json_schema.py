"""The JSON Schemas of the versioned documents (cxscale/documents/base.py): which model each is generated from, and
writing them to docs/schemas/ (`python -m cxscale.documents.json_schema docs/schemas`; a test checks that the files are current).
`cxscale schema NAME` prints one."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.gate_decision import GateDecision
from cxscale.documents.people import PeopleDocument
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.proof_point import ProofPoint
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase
from cxscale.documents.use_case_draft import UseCaseDraft


@dataclass(frozen=True)
class Published:
    """One versioned document: its name, version, who writes or reads it, and its model."""

    name: str
    version: int
    what: str
    model: type[BaseModel]

    @property
    def file_name(self) -> str:
        """Its JSON Schema's file under docs/schemas/."""
        return f"{self.name}-v{self.version}.schema.json"


def published() -> dict[str, Published]:
    """The documents with a published JSON Schema, by name (as `cxscale schema NAME` takes it)."""
    docs = [
        Published("pilot-spec", 1, "YAML people write; read by cxscale measure", PilotSpec),
        Published("readout", 1, "cxscale measure --json", ReadoutDocument),
        Published("diagnosis", 1, "cxscale diagnose --json", DiagnosisDocument),
        Published("use-case-draft", 1, "cxscale diagnose --use-cases DIR (YAML)", UseCaseDraft),
        Published("use-case", 1, "YAML people write; read by cxscale usecase lint", UseCase),
        Published("gate-decision", 1, "a gate decision of the portfolio (cxscale.portfolio.gates.decide)", GateDecision),
        Published("proof-point", 1, "cxscale proof build (proof.json beside its HTML and PDF)", ProofPoint),
        Published("people", 1, "YAML people write: a portfolio folder's people.yaml", PeopleDocument),
    ]
    return {d.name: d for d in docs}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema (draft 2020-12), by the names the documents use (e.g. a flow's `from` and `to`)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema(by_alias=True)}


def schema_text(model: type[BaseModel]) -> str:
    return json.dumps(json_schema(model), indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in published().values():
        path = folder / doc.file_name
        path.write_text(schema_text(doc.model))
        written.append(path)
    return written


if __name__ == "__main__":  # python -m cxscale.documents.json_schema docs/schemas
    for p in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")):
        print(p)
