"""Checks that what a diagnosis writes follows its published contract (cxscale/journey/schema.py)."""

from __future__ import annotations

import json

from cxscale.documents import unknown_fields
from cxscale.journey.schema import DiagnosisDocument


def as_published(document: dict) -> dict:
    """The document as strict JSON gives it back (a NaN fails here: JSON has none)."""
    return json.loads(json.dumps(document, allow_nan=False))


def assert_follows_the_schema(document: dict) -> DiagnosisDocument:
    """The document validates as schema_version 1, and the model describes every field in it."""
    doc = DiagnosisDocument.model_validate(as_published(document))
    assert unknown_fields(doc) == []
    return doc
