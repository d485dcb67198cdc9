"""The use-case draft (draft_version 1) as a Pydantic model: what `cxscale diagnose --use-cases DIR` writes, one YAML
file per opportunity. cxscale.journey.draft_use_case builds it; `UseCaseDraft.model_validate(yaml.safe_load(f))`
gives a reader the same typed access. Versioning and unknown fields: cxscale/documents/base.py; the published JSON
Schemas: cxscale/documents/json_schema.py.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from cxscale.documents.base import Num, OpenModel
from cxscale.documents.pilot_spec import PilotSpec

#: The drafts' version (`draft_version`).
DRAFT_VERSION = 1

#: The agent capabilities a use-case draft's mechanism names. An open list, like the diagnosis's FRICTION_KINDS.
CAPABILITIES = ("real_time_guidance", "after_contact_summaries", "routing", "proactive_outreach")


class Touchpoint(OpenModel):
    intent: str
    journey_stage: str
    channel: str
    channel_share: Num


class BaselinePeriod(OpenModel):
    start: str
    end: str


class BusinessMetric(OpenModel):
    name: str = Field(description="a metric of the catalog (cxscale/metrics/catalog.yaml)")
    unit: str
    baseline: float
    direction: Literal["increase", "decrease"]
    baseline_period: BaselinePeriod


# The change the draft proposes for its business metric.
class DraftTarget(OpenModel):
    value: float
    relative_change: float


class MoneyAtStake(OpenModel):
    avoidable_cost_per_year: float
    currency: str
    estimated_savings_per_year_at_target: Num = Field(description="null for metrics not linked to cost")


class PilotWindow(OpenModel):
    """From cxscale.measure.power.plan_pilot (customer-randomised; all fields) or, where it cannot plan, a normal
    approximation over contacts (no days_to_enrol, measurement_days or baseline_per_unit)."""

    days: int
    sample_size_per_arm: int
    unit: str
    units_per_day: float
    split: str
    alpha: float
    power: float
    method: str
    days_to_enrol: int | None = None
    measurement_days: int | None = None
    baseline_per_unit: Num = None


class PilotSize(OpenModel):
    """Whether a pilot can detect the target with the units there are (cxscale.measure.power.PilotPlan, or for a
    window over contacts the contacts of max_days days); when it cannot, the draft has no pilot_window and this
    says what is detectable instead."""

    feasible: bool = Field(description="the target is detectable within max_days days (customers, contacts) or "
                           "with the units that exist (agents, sites)")
    unit: str
    needed: int = Field(description="units the target needs, all arms")
    population: int = Field(description="distinct units of the type at the touchpoint in the data")
    units_available: int = Field(description="the units a pilot can enrol at most (within max_days days)")
    max_days: int = Field(description="the longest pilot (enrolment and measurement) called feasible, days")
    mde_relative_all_units: Num = Field(description="the smallest change units_available detect, a positive share "
                                        "of the baseline (null: none)")
    mde_abs_all_units: Num = Field(description="the same in metric units")
    note: str = Field(description="the plan in plain words")


class Mechanism(OpenModel):
    capability: str = Field(description="the agent capability that would act at the touchpoint, among: "
                            + ", ".join(CAPABILITIES) + " (an open list)")
    summary: str = Field(description="what it would do there, in words")


class HarmLimit(OpenModel):
    relative: float = Field(description="the worst tolerated change, relative, in the metric's bad direction")


class Guardrail(OpenModel):
    metric: str = Field(description="a metric of the catalog that must not get worse")
    max_harm: HarmLimit
    baseline: Num = Field(description="its value at the touchpoint (null for a per-customer metric the diagnosis "
                                      "does not measure)")


class Owners(OpenModel):
    """One accountable person per role; null until named (a use case leaves draft only with all three)."""

    technology: str | None
    operations: str | None
    commercial: str | None


class DraftSource(OpenModel):
    diagnosis: str
    hotspot_rank: int


class UseCaseDraft(OpenModel):
    """A draft use-case spec for one hotspot (docs/use-case-draft.md)."""

    draft_version: Literal[1]
    id: str
    title: str
    status: Literal["draft"]
    problem: str
    evidence: list[str]
    journey_touchpoint: Touchpoint
    business_metric: BusinessMetric
    target: DraftTarget
    money_at_stake: MoneyAtStake
    pilot_window: PilotWindow | None
    source: DraftSource
    # Added within draft_version 1 (2026-11-25): absent from drafts written before.
    mechanism: Mechanism | None = None
    guardrails: list[Guardrail] | None = Field(None, description="suggested, the ones the data can measure")
    owners: Owners | None = None
    pilot_spec: PilotSpec | None = Field(None, description="the pilot spec `cxscale measure` reads once the pilot "
                                         "has run (docs/pilot-spec.md)")
    # Added within draft_version 1 (issue 18): absent from drafts written before.
    pilot_size: PilotSize | None = Field(None, description="whether the target is detectable with the units there "
                                         "are; pilot_window is null when it is not")

    def as_json(self) -> dict[str, Any]:
        """The draft as JSON (and YAML) gives it back: the fields its producer set, a NaN or infinity as null."""
        return json.loads(self.model_dump_json(by_alias=True, exclude_unset=True))
