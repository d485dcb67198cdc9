"""The JSON Schemas in docs/schemas/ are the ones the document models give (cxscale/schemas.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.schemas import json_schema, published, schema_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
REGENERATE = "python -m cxscale.schemas docs/schemas"


@pytest.mark.parametrize("name", sorted(published()))
def test_the_published_json_schema_is_the_models(name):
    doc = published()[name]
    path = DOCS / doc.file_name
    assert path.is_file(), f"{path} is missing: {REGENERATE}"
    assert path.read_text() == schema_text(doc.model), f"{path} is out of date: {REGENERATE}"


def test_no_schema_file_is_left_without_its_model():
    assert sorted(p.name for p in DOCS.glob("*.json")) == sorted(d.file_name for d in published().values())


def test_the_documents_cxscale_writes_accept_newer_fields_and_the_spec_people_write_does_not():
    schemas = {name: json.loads((DOCS / d.file_name).read_text()) for name, d in published().items()}
    assert schemas["pilot-spec"]["additionalProperties"] is False
    for name in ("readout", "diagnosis", "use-case-draft"):
        assert schemas[name]["additionalProperties"] is True, name


def test_cxscale_schema_prints_a_documents_json_schema_and_lists_them():
    res = CliRunner().invoke(app, ["schema", "diagnosis"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == json_schema(published()["diagnosis"].model)
    res = CliRunner().invoke(app, ["schema", "--json"])
    assert [d["name"] for d in json.loads(res.stdout)] == ["pilot-spec", "readout", "diagnosis", "use-case-draft"]
