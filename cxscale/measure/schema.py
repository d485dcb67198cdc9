"""The readout JSON (schema_version 1, docs/readout.md) as a Pydantic model.

`ReadoutDocument.model_validate(json.load(f))` gives typed access to what `cxscale measure --json` printed (a stage
gate reads `doc.verdict`, `doc.metrics[0].ci_rel`, `doc.value.annual`). Versioning and unknown fields: cxscale/documents.py;
the published JSON Schema: cxscale/schemas.py.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cxscale.documents import Num, OpenModel

PilotVerdict = Literal["proven", "not proven yet", "harmful", "inconclusive", "blocked", "inconclusive by design"]
GuardrailStatus = Literal["ok", "watch", "breached"]


class ReadoutWindows(OpenModel):
    pre_days: int
    post_days: int


class ReadoutOptions(OpenModel):
    """The spec's analysis options the readout ran with (docs/pilot-spec.md)."""

    alpha: float
    cuped: bool
    winsorize: Num
    correction: Literal["holm", "bh", "none"]
    sequential: bool
    bayesian: bool
    planned_units_per_arm: int | None


class Srm(OpenModel):
    """The sample-ratio-mismatch check: units per arm against the planned split (randomised designs only)."""

    p_value: Num = Field(description="null when not applicable")
    ok: bool
    threshold: float
    counts: dict[str, int]
    applicable: bool


class TargetChange(OpenModel):
    """Exactly one of relative (share: -0.05 = 5% lower) or absolute (metric units)."""

    relative: Num = None
    absolute: Num = None


class BayesSummary(OpenModel):
    """With options.bayesian: the normal-approximation posterior of the effect (docs/methods.md)."""

    prob_treatment_better: float
    expected_loss: float
    expected_loss_control: float
    mean_abs: float
    ci_abs: list[float]
    mean_rel: float
    ci_rel: list[float]
    sd_rel: float
    prior_mean_rel: float
    prior_sd_rel: Num
    alpha: float


class EventStudy(OpenModel):
    rel_weeks: list[int] = Field(description="weeks relative to the first treated unit's assignment")
    coef: list[Num]
    ci: list[list[Num]]


class MetricResult(OpenModel):
    """One metric, one treatment arm against control."""

    name: str
    role: Literal["primary", "guardrail", "secondary"]
    arm: str
    kind: Literal["business", "technical"]
    direction: Literal["lower", "higher"] = Field(description="which way is better")
    unit_label: str
    control: Num = Field(description="observed value in the control arm (metric units)")
    treatment: Num
    effect_abs: Num = Field(description="treatment minus control (metric units)")
    ci_abs: list[Num] = Field(min_length=2, max_length=2)
    effect_rel: Num = Field(description="relative effect, a share: -0.05 = 5% lower")
    ci_rel: list[Num] = Field(min_length=2, max_length=2)
    p_value: Num
    p_value_adjusted: Num = Field(description="after the multiplicity correction (guardrails: unadjusted)")
    method: str
    alpha: float
    target: TargetChange | None = Field(description="primary: the spec's target; guardrail: its max_harm")
    target_reached: bool | None
    target_reached_ci: bool | None
    verdict: PilotVerdict | GuardrailStatus
    reason: str
    guardrail_status: GuardrailStatus | None
    n_control: int
    n_treatment: int
    cap: Num = Field(description="winsorising cap applied to per-unit values, or null")
    bayes: BayesSummary | None = None
    # Rollouts (design: rollout) only.
    pretrend_p_value: Num = None
    parallel_trends_ok: bool | None = None
    clusters: int | None = None
    treated_clusters: int | None = None
    few_clusters: bool | None = None
    event_study: EventStudy | None = None


class AnnualMoney(OpenModel):
    """The annual money value of the primary effect, with its CI (docs/readout.md#money)."""

    annual: float
    ci: list[float] = Field(min_length=2, max_length=2)
    currency: str
    metric: str
    arm: str
    units_per_year: float
    units_source: str
    basis: str


class ReadoutDocument(OpenModel):
    """What `cxscale measure --json` prints (docs/readout.md)."""

    schema_version: Literal[1]
    pilot: str
    design: Literal["randomised", "rollout"]
    unit: str
    analysis_unit: str
    scope: dict[str, list[str]] | None = Field(None, description="the spec's scope: the interaction metrics read only "
                                               "these contacts (docs/pilot-spec.md#scope); null: every contact of the "
                                               "units (added within version 1: absent from older documents)")
    arms: list[str]
    control: str
    n: dict[str, int] = Field(description="units assigned per arm")
    windows: ReadoutWindows
    window_complete: bool
    options: ReadoutOptions
    srm: Srm
    verdict: PilotVerdict
    reason: str
    metrics: list[MetricResult] = Field(description="primary first, then guardrails, then secondaries")
    value: AnnualMoney | None
    warnings: list[str]
    data: str
    caps: dict[str, float] | None = Field(None, description="with winsorising: the cap per metric")
