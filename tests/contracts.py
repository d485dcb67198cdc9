"""Checks that what cxscale writes follows its published contract (cxscale/documents.py)."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel

from cxscale.documents import unknown_fields

M = TypeVar("M", bound=BaseModel)


def as_published(document: dict) -> dict:
    """The document as strict JSON gives it back (a NaN fails here: JSON has none)."""
    return json.loads(json.dumps(document, allow_nan=False))


def assert_follows(model: type[M], document: dict) -> M:
    """The document validates against the model of its version, and the model describes every field in it."""
    doc = model.model_validate(as_published(document))
    assert unknown_fields(doc) == []
    return doc
