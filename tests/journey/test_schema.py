"""The diagnosis JSON and the use-case draft are versioned contracts: their models describe every field cxscale
writes, refuse a broken document by naming where it breaks, and accept a newer producer's additions."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from cxscale.data.dataset import Dataset
from cxscale.documents import unknown_fields
from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.use_case_draft import UseCaseDraft
from cxscale.engine import connect
from cxscale.journey import diagnose
from tests.contracts import as_published, assert_follows, schema_errors
from tests.journey.tables import mini_world


@pytest.fixture(scope="module")
def document():
    con = connect("duckdb")
    ds = Dataset(con, {"interactions": con.create_table("mini", mini_world())}, "mini")
    return as_published(diagnose(ds, currency="EUR").as_json())


def test_the_models_describe_every_field_a_diagnosis_writes(document):
    doc = assert_follows(DiagnosisDocument, document)
    assert doc.flows[0].source == document["flows"][0]["from"]
    assert len(doc.use_cases) == 3 and all(u.pilot_size is not None for u in doc.use_cases)
    assert all((u.pilot_window is None) == (not u.pilot_size.feasible) for u in doc.use_cases if u.pilot_size)
    # Read back by the names the document uses, nothing is lost.
    assert doc.as_json() == document


def test_a_broken_document_is_refused_naming_the_path(document):
    broken = copy.deepcopy(document)
    del broken["hotspots"][1]["score"]
    broken["flows"][0]["count"] = "many"
    with pytest.raises(ValidationError) as err:
        DiagnosisDocument.model_validate(broken)
    where = {".".join(map(str, e["loc"])) for e in err.value.errors()}
    assert where == {"hotspots.1.score", "flows.0.count"}
    # The published JSON Schema finds the same two faults.
    assert [e.split(":")[0] for e in schema_errors(DiagnosisDocument, broken)] == ["flows.0.count", "hotspots.1"]


def test_another_schema_version_is_refused(document):
    with pytest.raises(ValidationError, match="schema_version"):
        DiagnosisDocument.model_validate({**document, "schema_version": 2})


def test_a_newer_producers_fields_are_accepted_and_listed(document):
    newer = copy.deepcopy(document)
    newer["hotspots"][0]["owner"] = "ops"
    newer["forecast"] = {}
    doc = DiagnosisDocument.model_validate(newer)
    assert sorted(unknown_fields(doc)) == ["forecast", "hotspots[0].owner"]


def test_a_draft_without_a_power_plan_still_follows_the_draft_schema(document):
    draft = copy.deepcopy(document["use_cases"][0])
    draft["pilot_window"] = {"days": 30, "sample_size_per_arm": 1200, "unit": "contact", "units_per_day": 80.0,
                             "split": "50/50", "alpha": 0.05, "power": 0.8, "method": "normal approximation"}
    assert UseCaseDraft.model_validate(draft).pilot_window.days_to_enrol is None
    draft["status"] = "approved"
    with pytest.raises(ValidationError, match="status"):
        UseCaseDraft.model_validate(draft)


def test_a_draft_written_before_the_mechanism_and_pilot_spec_still_follows_the_format(document):
    """Fields are only added within draft_version 1: a draft without the later ones is still a draft."""
    older = {k: v for k, v in document["use_cases"][0].items()
             if k not in ("mechanism", "guardrails", "owners", "pilot_spec")}
    draft = assert_follows(UseCaseDraft, older)
    assert draft.pilot_spec is None and draft.owners is None
