"""Checks that what cxscale writes follows its published contract (cxscale/documents/base.py): the model of its version,
and the JSON Schema in docs/schemas/ that a reader in another language validates with."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TypeVar

from jsonschema import Draft202012Validator
from pydantic import BaseModel

from cxscale.documents import unknown_fields
from cxscale.documents.json_schema import published

M = TypeVar("M", bound=BaseModel)

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def as_published(document: dict) -> dict:
    """The document as strict JSON gives it back (a NaN fails here: JSON has none)."""
    return json.loads(json.dumps(document, allow_nan=False))


@cache
def validator(model: type[BaseModel]) -> Draft202012Validator:
    """A validator of the checked-in JSON Schema published for `model` (the file, not the model's schema in memory:
    tests/test_documents.py checks that the two are equal)."""
    (doc,) = [d for d in published().values() if d.model is model]
    schema = json.loads((SCHEMAS / doc.file_name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(model: type[BaseModel], document: dict) -> list[str]:
    """What the published JSON Schema finds wrong in the document, each with its path (`primary.target`)."""
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator(model).iter_errors(as_published(document)))


def assert_follows(model: type[M], document: dict) -> M:
    """The document validates against the model of its version and against its published JSON Schema, and the
    model describes every field in it."""
    doc = model.model_validate(as_published(document))
    assert unknown_fields(doc) == []
    assert schema_errors(model, document) == []
    return doc
