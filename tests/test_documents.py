"""The JSON Schemas in docs/schemas/ are the ones the document models give (cxscale/documents.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxscale.documents import published, schema_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
REGENERATE = "python -m cxscale.documents docs/schemas"


@pytest.mark.parametrize("name", sorted(published()))
def test_the_published_json_schema_is_the_models(name):
    path = DOCS / name
    assert path.is_file(), f"{path} is missing: {REGENERATE}"
    assert path.read_text() == schema_text(published()[name]), f"{path} is out of date: {REGENERATE}"


def test_no_schema_file_is_left_without_its_model():
    assert sorted(p.name for p in DOCS.glob("*.json")) == sorted(published())


def test_the_documents_cxscale_writes_accept_newer_fields_and_the_spec_people_write_does_not():
    schemas = {name: json.loads((DOCS / name).read_text()) for name in published()}
    assert schemas["pilot-spec-v1.schema.json"]["additionalProperties"] is False
    for name in ("readout-v1.schema.json", "diagnosis-v1.schema.json", "use-case-draft-v1.schema.json"):
        assert schemas[name]["additionalProperties"] is True, name
