"""The versioned documents cxscale writes and reads, as Pydantic models with published JSON Schemas.

Portfolio gates, proof points and the dashboard read what the analytical core writes: the pilot spec (YAML, read),
the readout JSON (`cxscale measure --json`), the diagnosis JSON (`cxscale diagnose --json`) and the use-case drafts
(`--use-cases DIR`). Each has a model (`published()`) and a JSON Schema in docs/schemas/ for readers in other
languages, also printed by `cxscale schema NAME`; `python -m cxscale.documents docs/schemas` writes those files
again and a test checks that they are current.

Versioning: within a version fields are only added. Removing or renaming a field, or changing its meaning or unit,
bumps the version. The models of the documents cxscale writes therefore accept fields they do not know (a newer
producer's additions, kept in `model_extra`), and `unknown_fields` lists them; the tests require it to list none
for what cxscale itself writes, so the models describe every field. The pilot spec, which people write, is strict
instead: an unknown key there is a typo and is refused.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict


class OpenModel(BaseModel):
    """A part of a document cxscale writes: fields added by a newer producer are accepted (see unknown_fields)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def unknown_fields(model: BaseModel, path: str = "") -> list[str]:
    """Paths of the fields a validated document holds that its model does not describe (from a newer producer)."""
    found = [f"{path}.{k}" if path else k for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        found += _unknown_in(getattr(model, name), f"{path}.{name}" if path else name)
    return found


def _unknown_in(value: Any, path: str) -> list[str]:
    if isinstance(value, BaseModel):
        return unknown_fields(value, path)
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_in(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_in(v, f"{path}.{k}")]
    return []


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
    from cxscale.journey.schema import DiagnosisDocument, UseCaseDraft
    from cxscale.measure.schema import ReadoutDocument
    from cxscale.measure.spec import PilotSpec

    docs = [
        Published("pilot-spec", 1, "YAML people write; read by cxscale measure", PilotSpec),
        Published("readout", 1, "cxscale measure --json", ReadoutDocument),
        Published("diagnosis", 1, "cxscale diagnose --json", DiagnosisDocument),
        Published("use-case-draft", 1, "cxscale diagnose --use-cases DIR (YAML)", UseCaseDraft),
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


if __name__ == "__main__":  # python -m cxscale.documents docs/schemas
    for p in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")):
        print(p)
