"""Checks that a readout follows its published contract (cxscale/measure/schema.py)."""

from __future__ import annotations

import json

from cxscale.documents import unknown_fields
from cxscale.measure.schema import ReadoutDocument


def assert_follows_the_readout_schema(document: dict) -> ReadoutDocument:
    """The document, as strict JSON gives it back (no NaN), validates as schema_version 1, and the model describes
    every field in it."""
    doc = ReadoutDocument.model_validate(json.loads(json.dumps(document, allow_nan=False)))
    assert unknown_fields(doc) == []
    return doc
