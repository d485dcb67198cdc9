"""The readout JSON (schema_version 1, docs/readout.md) as a Pydantic model.

`cxscale.measure.readout()` builds a `ReadoutDocument`, the terminal table, the page and the demo read it, and
`doc.to_json()` is what `cxscale measure --json` prints. `ReadoutDocument.model_validate(json.load(f))` reads one back
(a stage gate reads `doc.verdict`, `doc.metrics[0].ci_rel`, `doc.value.annual`). A document built by the readout holds
NaN where a number is undefined and infinity for an unbounded interval; its JSON has null for both. Versioning and
unknown fields: cxscale/documents/base.py; the published JSON Schema: cxscale/documents/json_schema.py.
"""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from cxscale.documents.base import Num, OpenModel

#: The readout document's version (docs/readout.md#versioning).
SCHEMA_VERSION = 1

PilotVerdict = Literal["proven", "not proven yet", "harmful", "inconclusive", "blocked", "inconclusive by design"]
GuardrailStatus = Literal["ok", "watch", "breached"]
#: An observational design's verdicts (docs/readout.md#observational): never "proven", whatever the numbers.
ObservationalVerdict = Literal["associated (not causal)", "no association found", "not comparable"]


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
    units_per_year: float = Field(description="the units the per-unit effect applies to (a one-off: the units one "
                                  "campaign reaches; handle time: handled contacts)")
    units_source: str
    basis: str = Field(description="the computation in words")
    # Added within version 1 (absent from older documents): annual = effect_per_unit x units_per_year x
    # periods_per_year.
    nature: Literal["recurring", "one_off"] | None = Field(
        None, description="the spec's value.nature: recurring (annualised every post window) or one_off (one "
                          "campaign's effect, repeats_per_year times)")
    nature_stated: bool | None = Field(None, description="false: the spec did not state its nature and recurring "
                                                         "was assumed (the readout warns)")
    periods_per_year: float | None = Field(None, description="times a year the per-unit effect counts: 365 / "
                                           "post_days when recurring, the repeats of a one-off (1 = one campaign)")
    effect_per_unit: Num = Field(None, description="good-direction effect per unit per period, in currency")
    role: Literal["primary", "guardrail", "secondary"] | None = Field(
        None, description="the money metric's role: a guardrail's or secondary's value is not the pilot's verdict")

    @property
    def once(self) -> bool:
        """The value of one campaign (a one-off not repeated), not a value per year."""
        return self.nature == "one_off" and self.periods_per_year == 1

    @property
    def title(self) -> str:
        return "Value of one campaign" if self.once else "Annual value"

    @property
    def per(self) -> str:
        """What the value is per, for a sentence: '' for one campaign, ' per year' otherwise."""
        return "" if self.once else " per year"


class ObservationalEffect(OpenModel):
    """A difference of the treated minus the untreated (metric units; relative: a share), with its CI."""

    control: Num
    treatment: Num
    effect_abs: Num
    ci_abs: list[Num] = Field(min_length=2, max_length=2)
    effect_rel: Num
    ci_rel: list[Num] = Field(min_length=2, max_length=2)
    p_value: Num
    method: str
    alpha: float


class ObservationalStratum(OpenModel):
    """One stratum of the adjustment columns: units and metric value per group, and the treated share (0-1)."""

    stratum: str
    n_treated: int
    n_control: int
    mean_treated: Num
    mean_control: Num
    difference: Num = Field(description="treated minus untreated; null when a group is empty")
    treated_share: Num


class ObservationalMetric(OpenModel):
    """One metric compared naively and within strata; an association, not an effect."""

    name: str
    role: Literal["primary", "guardrail", "secondary"]
    kind: Literal["business", "technical"]
    direction: Literal["lower", "higher"]
    unit_label: str
    naive: ObservationalEffect = Field(description="treated minus untreated over all units (confounded)")
    adjusted: ObservationalEffect = Field(description="within strata, standardised to the strata's units")
    strata: list[ObservationalStratum]
    overlap_share: Num = Field(description="share of units in strata where both groups occur (the adjusted "
                               "comparison uses only those)")
    verdict: ObservationalVerdict
    reason: str


class ObservationalSection(OpenModel):
    """design observational: who was treated, what the comparison adjusts for, and the comparisons."""

    treatment: str = Field(description="the customers column that marks treated units")
    treated: str = Field(description="the treated group's name (the spec's treatments[0])")
    untreated: str = Field(description="the other units' name (the spec's control)")
    adjust_for: list[str]
    bands: dict[str, list[float]] = Field(description="band lower edges per numeric adjustment column (given or "
                                          "computed quantiles)")
    at: str | None = Field(description="the customers column each unit's window starts at; null: all its rows")
    gate: str = Field(description="what a stage gate must treat this readout as")
    comparisons: list[ObservationalMetric] = Field(description="primary first")


class CapabilityEffect(OpenModel):
    """One metric's effect in one treatment arm against control on a subset of the units (the triggered ones, or
    one tenure band): metric units, relative as a share."""

    metric: str
    arm: str
    n_control: int = Field(description="units in control (triggered, or in the band)")
    n_treatment: int
    control: Num
    treatment: Num
    effect_abs: Num
    ci_abs: list[Num] = Field(min_length=2, max_length=2)
    effect_rel: Num
    ci_rel: list[Num] = Field(min_length=2, max_length=2)
    p_value: Num
    method: str
    alpha: float


class FunnelStep(OpenModel):
    """One arm's funnel: decisions logged, triggered, shown, used (feedback accepted or edited); rates are shares."""

    arm: str
    decisions: int = Field(description="exposure rows: interactions the capability decided on")
    triggered: int
    shown: int
    used: int = Field(description="shown suggestions with feedback accepted or edited")
    trigger_rate: Num = Field(description="triggered / decisions")
    shown_rate: Num = Field(description="shown / triggered (0 in control)")
    use_rate: Num = Field(description="used / shown")


class TenureBand(OpenModel):
    """The primary metric's intent-to-treat effect among the units of one tenure band (months)."""

    band: str
    lower: float
    upper: Num = Field(description="null: open-ended")
    effect: CapabilityEffect | None = Field(description="null when an arm has fewer than 2 units in the band")


class CodeShift(OpenModel):
    """One wrap-up code's share of the coded contacts in control and in treatment."""

    code: str
    control: float
    treatment: float


class AnchoringCheck(OpenModel):
    """The wrap-up anchoring guardrail (docs/capability-pilots.md#anchoring): does the mix of saved wrap-up codes
    (interactions.wrap_up_code) of the units' post-window contacts differ between arms? Agents who accept a wrong
    suggested code instead of correcting it shift the mix towards the model's mistakes and corrupt contact-reason
    reporting."""

    column: str = Field(description="the table.column of the saved codes")
    contacts: dict[str, int] = Field(description="coded post-window contacts per arm")
    units: dict[str, int] = Field(description="units with at least one coded contact, per arm")
    codes: int = Field(description="codes tested (those too sparse for the chi-square pooled into one)")
    statistic: float = Field(description="chi-square of code by arm over the contacts")
    dof: int
    p_value_contacts: float = Field(description="the chi-square's p-value treating contacts as independent: too "
                                    "small when a unit's contacts share its habits, shown for reference only")
    p_value: float = Field(description="randomisation p-value of the same statistic over the units' arms "
                           "(re-randomised within strata when the pilot was stratified): the guardrail's test")
    permutations: int
    alpha: float
    shifted: bool = Field(description="p_value below alpha: the code mix differs between arms")
    largest_shifts: list[CodeShift] = Field(description="the codes whose share moved most, largest first")


class CapabilitySection(OpenModel):
    """A capability pilot's readout beyond the headline intent-to-treat metrics (docs/capability-pilots.md#readout)."""

    name: str
    funnel: list[FunnelStep] = Field(description="per arm, control first")
    triggered_units: dict[str, int] = Field(description="units with at least one triggered exposure in the post "
                                            "window, per arm")
    srm_triggered: Srm = Field(description="triggered units per arm against the planned split: a mismatch means "
                               "triggering depends on the arm (control not logged alike), so the triggered effect is "
                               "not comparable")
    triggered: list[CapabilityEffect] = Field(description="each metric on the triggered interactions of the "
                                              "triggered units; empty when the spec turns it off")
    tenure_source: str | None = Field(description="the table.column the tenure bands read; null: none available")
    by_tenure: list[TenureBand]
    anchoring: AnchoringCheck | None = Field(None, description="the wrap-up code mix check of an after-contact "
                                             "capability; null for other capabilities")


class StratifiedEffect(OpenModel):
    """One metric's switchback effect post-stratified by queue and time of day: the per-stratum differences between
    arms, weighted by each stratum's share of the metric's denominator (contacts for a per-contact metric, slots
    otherwise)."""

    metric: str
    arm: str
    strata: int = Field(description="strata (queue x six-hour band of the day) with at least 2 slots with data in "
                        "both arms (the others are left out)")
    strata_left_out: int
    control: float = Field(description="the control level, weighted as the effect")
    effect_abs: float
    effect_rel: float = Field(description="effect_abs / control")
    ci_abs: list[float]
    p_value: float
    method: str
    alpha: float


class SwitchbackSection(OpenModel):
    """A switchback pilot's slots (docs/capability-pilots.md#switchback): its units are queue x time slots, each
    metric a per-slot value, the variance over slots."""

    slot_minutes: int
    burn_in_minutes: int = Field(description="minutes at the start of every slot left out (carry-over)")
    queue_by: list[str] = Field(description="the interactions columns that name a contact's queue")
    queues: int = Field(description="distinct queues among the pilot's slots")
    slots: dict[str, int] = Field(description="slots assigned per arm")
    slots_with_contacts: dict[str, int] = Field(description="slots with at least one analysed contact, per arm")
    contacts: int = Field(description="contacts analysed: in an assigned slot of their queue, after the burn-in")
    burn_in_contacts: int = Field(description="contacts in an assigned slot but inside its burn-in, left out")
    stratified: list[StratifiedEffect] = Field(default_factory=list, description="each metric's effect "
                                               "post-stratified by queue and time of day, beside the verdict's "
                                               "plain comparison")


class ReadoutDocument(OpenModel):
    """What `cxscale measure --json` prints (docs/readout.md)."""

    # An observational readout is never causal and never proven (_observational_is_never_proof), in the published
    # JSON Schema as in the model.
    model_config = ConfigDict(extra="allow", populate_by_name=True, ser_json_inf_nan="null", json_schema_extra={"allOf": [{
        "if": {"required": ["design"], "properties": {"design": {"const": "observational"}}},
        "then": {"required": ["causal", "observational"], "properties": {
            "causal": {"const": False}, "observational": {"type": "object"}, "verdict": {"enum": list(get_args(ObservationalVerdict))}}},
        "else": {"properties": {"verdict": {"enum": list(get_args(PilotVerdict))}}}}]})

    schema_version: Literal[1]
    pilot: str
    design: Literal["randomised", "rollout", "observational"]
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
    verdict: PilotVerdict | ObservationalVerdict = Field(description="observational designs have their own "
                                                         "verdicts, never proven")
    reason: str
    metrics: list[MetricResult] = Field(description="primary first, then guardrails, then secondaries; empty for an "
                                        "observational design (its comparisons are in observational)")
    value: AnnualMoney | None
    warnings: list[str]
    data: str
    caps: dict[str, float] | None = Field(None, description="with winsorising: the cap per metric")
    causal: bool | None = Field(None, description="false: an observational design, whose numbers are associations "
                                "and never proof (added within version 1; absent from randomised and rollout "
                                "readouts)")
    observational: ObservationalSection | None = Field(None, description="design observational: the naive and "
                                                       "adjusted comparisons (added within version 1)")
    capability: CapabilitySection | None = Field(None, description="a capability pilot: the funnel, the triggered "
                                                 "effect and the effect by tenure band (added within version 1)")
    switchback: SwitchbackSection | None = Field(None, description="a switchback (unit slot): its slots, queues and "
                                                 "the contacts analysed (added within version 1)")

    @model_validator(mode="after")
    def _observational_is_never_proof(self) -> ReadoutDocument:
        observational = self.design == "observational"
        if observational and (self.causal is not False or self.observational is None
                              or self.verdict not in get_args(ObservationalVerdict)):
            raise ValueError(f"an observational readout has causal: false, its observational section and one of the "
                             f"verdicts {', '.join(get_args(ObservationalVerdict))} (found {self.verdict!r})")
        if not observational and self.verdict not in get_args(PilotVerdict):
            raise ValueError(f"verdict {self.verdict!r} is an observational verdict, but design is {self.design}")
        return self

    def to_json(self) -> dict[str, Any]:
        """The document as strict JSON data (what `cxscale measure --json` prints): the fields it holds (a field a
        design does not have, such as a rollout's event study in a randomised readout, is left out rather than
        null), NaN and infinity as null."""
        return json.loads(self.model_dump_json(exclude_unset=True))

    @property
    def srm_ok(self) -> bool:
        """True when the SRM check passed or does not apply (non-randomised designs have no planned split)."""
        return self.srm.ok

    @property
    def treatments(self) -> list[str]:
        return [a for a in self.arms if a != self.control]

    @property
    def primary(self) -> list[MetricResult]:
        """The primary metric's results, one per treatment arm."""
        return [m for m in self.metrics if m.role == "primary"]
