"""The JSON API's answers, as Pydantic models so that its OpenAPI schema says what each call returns (and the fuzz
test can hold every answer to it). Documents are the versioned documents themselves (cxscale.documents); the rest
mirrors the portfolio's records field for field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_serializer

from cxscale.documents.gate_decision import GateCondition, GateDecision, Recommendation
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase


class Problem(BaseModel):
    """Why a call was refused or could not be done, in one sentence."""

    detail: str | list[Any]


#: The answers every API call may give besides its own (401: no credential; 403: not allowed or a missing CSRF
#: header; 404: no such initiative; 409: the rules refuse the decision; 422: the request does not parse).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "not signed in: no session and no valid personal API token"},
    403: {"model": Problem, "description": "not allowed for this person, or a session call without its CSRF header"},
    404: {"model": Problem, "description": "no such initiative"},
    409: {"model": Problem, "description": "the portfolio's rules refuse the decision (the reason says which)"},
}


class LogEntry(BaseModel):
    """One entry of the tamper-evident decision log (docs/portfolio-log.md)."""

    seq: int
    at: str = Field(description="UTC, ISO 8601")
    actor: str
    action: str
    subject: str
    from_stage: str | None
    to_stage: str | None
    reason: str
    evidence: dict[str, str] = Field(description="document name -> SHA-256 of its canonical JSON")
    previous: str
    hash: str


class InitiativeOut(BaseModel):
    """An initiative with its use case and latest readout, the versioned documents."""

    id: str
    stage: str
    stage_since: str
    version: int = Field(description="the use case's stored version")
    use_case: UseCase
    latest_readout: ReadoutDocument | None
    decisions: list[LogEntry]

    @field_serializer("use_case")
    def _as_written(self, use_case: UseCase) -> dict[str, Any]:
        """The use case as its file is written: a field without a value is left out (its schema requires that of
        the embedded pilot spec's `observational`, for one). The app publishes the validation schemas
        (separate_input_output_schemas=False), so the schema still names the UseCase document."""
        return use_case.model_dump(mode="json", exclude_none=True)


class GateOut(BaseModel):
    """The next gate judged on the stored documents, with every condition and the numbers behind it."""

    from_stage: str
    to_stage: str
    passed: bool
    conditions: list[GateCondition]
    recommendation: Recommendation | None


class OutcomeOut(BaseModel):
    """What a decision did: its log entry, the gate decision (none for a sign-off) and whether it waits for the
    executive sponsor."""

    initiative: str
    action: str
    from_stage: str | None
    to_stage: str | None
    pending: bool
    waiting_for: str | None
    entry: LogEntry
    decision: GateDecision | None


class LogOut(BaseModel):
    verified: bool
    size: int
    first_bad: int | None
    kind: str | None
    reason: str
    entries: list[LogEntry]


class PersonOut(BaseModel):
    id: str
    name: str
    functions: list[str]
    roles: list[str]
    active: bool


class MeOut(BaseModel):
    id: str
    name: str
    functions: list[str]
    roles: list[str]
    via: str = Field(description="session (a logged-in browser) or token (a personal API token)")
