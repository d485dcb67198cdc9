"""The proof point (proof_point_version 1): a pilot that passed pilot -> proof, packaged as evidence a reader can
re-check (docs/proof-points.md).

It holds what it was built from (the use case, the pilot spec, the readout, the gate's conditions), what it adds
(headline claims, the effect by week and by segment, every input table's fingerprint) and how to rebuild it. Every
number of its page comes from this document; `cxscale proof verify` recomputes the evidence from the data and the spec
and compares. `digest` (cxscale.documents.base) of a proof point leaves out `built_at`, so a rebuild from the same data
has the same digest (`content_digest`).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_serializer

from cxscale.documents.base import Num, OpenModel, digest
from cxscale.documents.gate_decision import GateCondition, Recommendation
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase

PROOF_POINT_VERSION: Literal[1] = 1


class Claim(OpenModel):
    """A headline claim, structured: the sentence and every number in it, so claim-check can hold copy against it."""

    kind: Literal["effect", "money"]
    text: str = Field(description="the claim in words, e.g. 'cut aht by 14% (95% CI 7-21%) across 228 agents over 8 "
                      "weeks, worth 19.9k EUR a year (95% CI 9.9k-30.0k EUR)'")
    metric: str
    role: Literal["primary", "guardrail", "secondary"]
    arm: str
    direction: Literal["lower", "higher"]
    effect_rel: Num = Field(description="the relative effect, a share of the control level (-0.14 = 14% lower)")
    ci_rel: list[Num] = Field(min_length=2, max_length=2)
    effect_abs: Num = Field(description="treatment minus control, in the metric's units")
    ci_abs: list[Num] = Field(min_length=2, max_length=2)
    control: Num = Field(description="the control level: the base of the relative effect")
    treatment: Num
    unit_label: str
    units: int = Field(description="units in the treatment arm")
    unit: str
    weeks: float = Field(description="the post window in weeks")
    confidence: float = Field(description="1 - alpha of the intervals (0.95)")
    money: Num = Field(None, description="kind money: the value (currency per year, or of one campaign)")
    money_ci: list[Num] | None = None
    currency: str | None = None
    money_per: str | None = Field(None, description="'a year' or 'for one campaign'")


class TableFingerprint(OpenModel):
    """One input table as the engine read it: rows and an order-independent content hash computed in the engine."""

    table: str
    rows: int
    columns: list[str]
    content_hash: str = Field(description="hex of the sums (two 32-bit halves) of every row's 64-bit hash of its "
                              "values, as the engine computes it (docs/proof-points.md#fingerprints)")
    engine: str


class EffectAt(OpenModel):
    """One effect of the primary metric on part of the data: a week of the window or a segment."""

    label: str
    metric: str
    arm: str
    control: Num
    treatment: Num
    effect_rel: Num
    ci_rel: list[Num] = Field(min_length=2, max_length=2)
    effect_abs: Num
    ci_abs: list[Num] = Field(min_length=2, max_length=2)
    p_value: Num
    n_control: int
    n_treatment: int
    verdict: str


class SegmentEffects(OpenModel):
    """The primary effect within each value of one column (unit attribute or contact attribute)."""

    column: str
    table: Literal["customers", "interactions", "agents"]  # agents: added within version 1
    how: str = Field(description="how the data was narrowed, in words")
    effects: list[EffectAt]


class Rebuild(OpenModel):
    """What the proof point was built with, and the command that rebuilds it."""

    cxscale_version: str
    lockfile_sha256: str | None = Field(description="SHA-256 of requirements.lock; null when it was not found")
    command: str
    mapping: str | None = None


class ProofPoint(OpenModel):
    """What `cxscale proof build` writes beside its HTML and PDF (docs/proof-points.md)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, ser_json_inf_nan="null")

    proof_point_version: Literal[1] = PROOF_POINT_VERSION
    id: str = Field(description="the initiative's id (one proof point per initiative and readout)")
    title: str
    built_at: str = Field(description="UTC ISO 8601; the one field a rebuild changes, left out of the digest")
    use_case: UseCase
    spec: PilotSpec
    readout: ReadoutDocument
    readout_digest: str
    gate: list[GateCondition] = Field(description="pilot -> proof: every condition held when the proof was built")
    recommendation: Recommendation | None
    signed_off: list[str] = Field(default_factory=list, description="people who signed off or approved, from the "
                                  "decision log (actor: action)")
    claims: list[Claim]
    weekly: list[EffectAt] = Field(description="the primary effect cumulative to the end of each week of the window")
    segments: list[SegmentEffects]
    fingerprints: list[TableFingerprint]
    rebuild: Rebuild

    @field_serializer("use_case", "spec")
    def _as_written(self, value: UseCase | PilotSpec) -> dict[str, Any]:
        # As people write them: a key left out is not null (a spec's null observational block would be one).
        return value.model_dump(mode="json", exclude_none=True)

    def to_json(self) -> dict[str, Any]:
        return json.loads(self.model_dump_json())

    def content(self) -> dict[str, Any]:
        """The document without its build time: what the digest covers."""
        data = self.to_json()
        data.pop("built_at")
        return data

    @property
    def content_digest(self) -> str:
        """SHA-256 of the canonical JSON of everything but built_at: equal for rebuilds from the same data."""
        return digest(self.content())

    @property
    def primary_claim(self) -> Claim | None:
        return next((c for c in self.claims if c.role == "primary" and c.kind == "effect"), None)
