"""The JSON Schemas in docs/schemas/ are the ones the document models give (cxscale/documents/json_schema.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents.json_schema import json_schema, published, schema_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
REGENERATE = "python -m cxscale.documents.json_schema docs/schemas"


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
    for name in ("pilot-spec", "use-case", "people"):
        assert schemas[name]["additionalProperties"] is False, name
    for name in ("readout", "diagnosis", "use-case-draft", "gate-decision"):
        assert schemas[name]["additionalProperties"] is True, name


def test_cxscale_schema_prints_a_documents_json_schema_and_lists_them():
    res = CliRunner().invoke(app, ["schema", "diagnosis"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == json_schema(published()["diagnosis"].model)
    res = CliRunner().invoke(app, ["schema", "--json"])
    assert [d["name"] for d in json.loads(res.stdout)] == ["pilot-spec", "readout", "diagnosis", "use-case-draft",
                                                          "use-case", "gate-decision", "proof-point", "people"]


SPEC = {"pilot": "p", "primary": {"metric": "cost_to_serve", "target": {"relative": -0.05}}}


@pytest.mark.parametrize(("primary", "where"), [
    ({"metric": "cost_to_serve", "target": {"relative": -0.05, "absolute": -1.0}}, "primary.target"),
    ({"metric": "cost_to_serve", "target": {}}, "primary.target"),
    ({"metric": "cost_to_serve", "target": {"relative": None, "absolute": None}}, "primary.target"),
    ({"metric": "cost_to_serve"}, "primary"),
    ({"metric": "cost_to_serve", "target": None}, "primary.target"),
])
def test_the_pilot_spec_schema_refuses_a_target_the_model_refuses(primary, where):
    """A spec that another language's JSON Schema validator passes is one cxscale reads: a target has exactly one
    of relative or absolute, and the primary metric has one."""
    from pydantic import ValidationError

    from cxscale.documents.pilot_spec import PilotSpec
    from tests.contracts import assert_follows, schema_errors

    assert_follows(PilotSpec, SPEC)
    assert_follows(PilotSpec, {**SPEC, "primary": {"metric": "aht", "target": {"absolute": -20}}})
    spec = {**SPEC, "primary": primary}
    with pytest.raises(ValidationError):
        PilotSpec.model_validate(spec)
    errors = schema_errors(PilotSpec, spec)
    assert errors and all(e.startswith(f"{where}:") for e in errors), errors
