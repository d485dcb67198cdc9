"""The diagnosis JSON (schema_version 1) as Pydantic models: what `cxscale diagnose --json` prints.

cxscale.journey.diagnose builds these models (its Diagnosis is a DiagnosisDocument with the sums behind it), and the
CLI, the HTML report and the demo read them; `DiagnosisDocument.model_validate(json.load(f))` gives a reader the same
typed access. Its use_cases are the drafts of cxscale/documents/use_case_draft.py. Versioning and unknown fields:
cxscale/documents/base.py; the published JSON Schemas: cxscale/documents/json_schema.py.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from cxscale.contract import DEFAULT_RESOLUTION_WINDOW_DAYS
from cxscale.documents.base import Num, OpenModel
from cxscale.documents.use_case_draft import UseCaseDraft

#: The documents' version (`schema_version`).
SCHEMA_VERSION = 1


# The period the diagnosis covers: its contacts' first and last start, and the selection, if any (a comment: a
# docstring would be a new description in the published schema).
class DiagnosisPeriod(OpenModel):
    start: str = Field(description="first contact's start, ISO 8601 UTC")
    end: str = Field(description="last contact's start, ISO 8601 UTC")
    days: float = Field(description="days between start and end, at least 1")
    since: str | None = Field(None, description="when a period was selected (--since): its start, ISO 8601 UTC; "
                              "contacts from it on were diagnosed")
    until: str | None = Field(None, description="when a period was selected (--until): its end, ISO 8601 UTC, "
                              "exclusive")


class ScoreWeights(OpenModel):
    avoidable_cost: float
    friction: float
    csat_damage: float
    volume: float


#: Outcomes that count as a failure following a contact (e.g. a no-show after a scheduling call).
DEFAULT_FAILURE_OUTCOMES: tuple[str, ...] = ("no_show", "churn", "cancellation", "cancelled", "complaint")


def _default_score_weights() -> ScoreWeights:
    return ScoreWeights(avoidable_cost=0.45, friction=0.25, csat_damage=0.20, volume=0.10)


def _as_written(schema: dict[str, Any]) -> None:
    # A document echoes every option the diagnosis ran with: in its schema each is required and none has a default.
    for field in schema["properties"].values():
        field.pop("default", None)
    schema["required"] = list(schema["properties"])
    schema["description"] = "The DiagnosisOptions the diagnosis ran with (docs/diagnosis.md)."


class DiagnosisOptions(OpenModel):
    """The knobs of one diagnosis, with their defaults and units (docs/diagnosis.md explains each one), echoed in
    the document as `options`. One frozen object passed down from the CLI; nothing deep inside reads globals.

    window_days: a same-intent contact within this many days belongs to the same episode (days).
    repeat_windows_days: windows for the repeat-contact rates (days); the first is the headline 7-day rate.
    long_wait_seconds: a queue wait longer than this counts as a long wait in a live channel (seconds).
    async_channels, async_long_wait_seconds: channels answered asynchronously (e-mail, social, sms) have their own,
        longer threshold (seconds), so that a normal e-mail reply time is not mistaken for friction.
    transfer_avoidable_share: share 0-1 of a transferred first contact's cost that a right-first-time routing
        would have saved (the second leg of the contact, assuming two legs of equal length).
    csat_detractor_max: a CSAT at or below this (1-5 scale) counts as a detractor.
    failure_outcomes: outcome names that count as a failure following a contact.
    failure_window_days: a failure outcome this many days or less after a contact counts against it (days); longer
        than the episode window because appointments and renewals lie weeks ahead of the contact that set them.
    min_volume: intent x stage cells with fewer contacts are not ranked as hotspots (contacts).
    top_flows: how many directly-follows edges per graph leave the engine.
    score_weights: weights of the score components, summing to 1 (avoidable cost 0.45, friction 0.25, CSAT damage
        0.20, volume 0.10). Each component is scaled to 0-1 by its largest value across candidate hotspots; a
        component the data cannot support (e.g. no CSAT) is dropped and the others are re-weighted.
    """

    model_config = ConfigDict(frozen=True, json_schema_extra=_as_written)

    window_days: int = DEFAULT_RESOLUTION_WINDOW_DAYS
    repeat_windows_days: tuple[int, ...] = (7, 14, 30)
    long_wait_seconds: float = 300.0
    async_channels: tuple[str, ...] = ("email", "social", "sms")
    async_long_wait_seconds: float = 86_400.0
    transfer_avoidable_share: float = 0.5
    csat_detractor_max: float = 2.0
    failure_outcomes: tuple[str, ...] = DEFAULT_FAILURE_OUTCOMES
    failure_window_days: int = 30
    min_volume: int = 30
    top_flows: int = 200
    score_weights: ScoreWeights = Field(default_factory=_default_score_weights)

    def __init__(self, **options: Any) -> None:
        # A document read back keeps options a newer producer added (model_validate); options given by name in code
        # are checked, so that a misspelt one fails instead of being ignored.
        unknown = sorted(set(options) - set(type(self).model_fields))
        if unknown:
            raise TypeError(f"DiagnosisOptions has no option {', '.join(unknown)}")
        super().__init__(**options)

    @model_validator(mode="after")
    def _echoed_whole(self) -> DiagnosisOptions:
        # The document echoes every option, the defaults too (as_json writes the fields set).
        self.__pydantic_fields_set__.update(type(self).model_fields)
        return self


class Baseline(OpenModel):
    """The hotspot's measured values, the baseline a pilot there would be judged against. Rates are shares 0-1,
    times in seconds, money over the data's period in the document's currency; null where the data lacks the column
    behind it."""

    repeat_contact_rate_7d: Num = Field(description="share of contacts followed by a same-intent contact of the "
                                       "customer within 7 days, among the contacts that started at least 7 days "
                                       "before period.end (right-censoring, docs/diagnosis.md#censoring); null when "
                                       "none did")
    repeat_contact_rate_14d: Num = Field(description="as repeat_contact_rate_7d, within 14 days")
    repeat_contact_rate_30d: Num = Field(description="as repeat_contact_rate_7d, within 30 days")
    transfer_rate: Num
    channel_switch_rate: Num = Field(description="share of contacts that repeat a same-intent contact in another "
                                     "channel, among the contacts at least options.window_days after the data's "
                                     "start (docs/diagnosis.md#censoring)")
    long_wait_rate: Num
    wait_mean_seconds: Num
    aht_seconds: Num
    time_to_resolution_seconds: Num = Field(description="mean seconds from an episode's first contact to the end of "
                                            "its last, from the contacts at least options.window_days from both "
                                            "ends of the data (docs/diagnosis.md#censoring)")
    contacts_per_episode: Num = Field(description="mean contacts per episode, from the contacts and episodes at "
                                      "least options.window_days from both ends of the data "
                                      "(docs/diagnosis.md#censoring)")
    first_contact_resolution: Num = Field(description="share of episodes closed by their first contact, among the "
                                          "episodes opened at least options.window_days from both ends of the data "
                                          "(docs/diagnosis.md#censoring)")
    csat_mean: Num
    csat_sd: Num
    csat_responses: int
    detractor_share: Num
    failure_rate: Num
    episodes: int
    cost_per_contact: Num
    cost_sd: Num
    abandonment_rate: Num = Field(None, description="abandoned contacts / contacts with a known `abandoned` (added "
                                  "within version 1: absent from older documents)")


class Signals(Baseline):
    """Every signal of a set of contacts (docs/diagnosis.md#signals): the baseline's, and the volume, the cost and
    its avoidable parts."""

    volume: int = Field(description="contacts")
    repeat_contact_rate: Num = Field(description="the 7-day rate")
    cost: Num
    avoidable_cost_repeat: Num
    avoidable_cost_switch: Num
    avoidable_cost_transfer: Num
    avoidable_cost: Num


class _SignalRow(Signals):
    avoidable_cost_per_year: Num


class IntentSignals(_SignalRow):
    intent: str


class StageSignals(_SignalRow):
    journey_stage: str


class ChannelSignals(_SignalRow):
    channel: str


class SiteSignals(_SignalRow):
    site: str


class SignalsByDimension(OpenModel):
    intent: list[IntentSignals]
    journey_stage: list[StageSignals]
    channel: list[ChannelSignals]
    site: list[SiteSignals]


class Totals(OpenModel):
    cost: Num
    avoidable_cost: Num
    cost_per_year: Num
    avoidable_cost_per_year: Num


class AvoidableCostParts(OpenModel):
    repeat_contacts: Num
    channel_switches: Num
    transfers: Num


class HotspotChannel(OpenModel):
    channel: str
    volume: int
    repeat_contact_rate: Num
    transfer_rate: Num
    csat_mean: Num
    avoidable_cost: Num


#: The kinds of friction a hotspot can show (opportunities.FRICTION_RATES and low_csat). An open list: a kind may
#: be added within version 1 (abandonment was, on 2026-11-25), so `kinds` is typed as names and a reader treats a
#: kind it does not know as a label (cxscale/documents/base.py).
FRICTION_KINDS = ("repeat_contacts", "transfers", "channel_switching", "long_waits", "abandonment",
                  "outcome_failures", "low_csat")

ScoreComponent = Literal["avoidable_cost", "friction", "csat_damage", "volume"]


class Hotspot(OpenModel):
    """One intent x journey stage, ranked (docs/diagnosis.md#score)."""

    rank: int = Field(ge=1)
    intent: str
    journey_stage: str
    channel: str = Field(description="the dominant channel (most contacts)")
    channel_share: Num
    volume: int
    repeat_contact_rate: Num = Field(description="the 7-day rate")
    transfer_rate: Num
    csat_mean: Num
    cost: Num
    avoidable_cost: Num
    cost_per_year: Num
    avoidable_cost_per_year: Num
    avoidable_cost_parts: AvoidableCostParts
    score: float = Field(ge=0, le=100)
    score_components: dict[ScoreComponent, float] = Field(description="the points each component adds")
    score_inputs: dict[ScoreComponent, Num] = Field(description="each component's value before scaling")
    kinds: list[str] = Field(description="kinds of friction, among: " + ", ".join(FRICTION_KINDS)
                             + " (an open list: a reader tolerates a kind it does not know)")
    baseline: Baseline
    evidence: list[str]
    channels: list[HotspotChannel]


class FlowEdge(OpenModel):
    """A directly-follows edge: a contact about `from` followed by the same customer's next contact about `to`."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    count: int = Field(ge=1, description="transitions")
    median_seconds: Num = Field(description="median time between the two contacts' starts")
    loop: bool = Field(description="from equals to: the customer came back about the same")
    reverse: bool = Field(description="the edge to -> from is also among the edges listed")


class TableValidation(OpenModel):
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rules: dict[str, int] = Field(description="rejected rows per contract rule")


class DiagnosisDocument(OpenModel):
    """What `cxscale diagnose --json` prints (docs/diagnosis.md#json)."""

    schema_version: Literal[1]
    source: str
    engine: str
    period: DiagnosisPeriod
    currency: str
    annualisation_factor: float = Field(description="365.25 / period days: *_per_year = amount x this")
    options: DiagnosisOptions
    overall: Signals
    totals: Totals
    hotspots: list[Hotspot] = Field(description="best first")
    flows: list[FlowEdge] = Field(description="the intent graph, busiest first")
    signals: SignalsByDimension
    stage_flows: list[FlowEdge]
    channel_flows: list[FlowEdge]
    use_cases: list[UseCaseDraft]
    notes: list[str]
    validation: dict[str, TableValidation] | None = Field(
        description="per table, when the input was validated against the data contract")

    def as_json(self) -> dict[str, Any]:
        """The document as strict JSON gives it back: the fields its producer set, by their published names (a
        flow's `from` and `to`), a NaN or infinity written as null (pydantic's JSON serializer)."""
        return json.loads(self.model_dump_json(by_alias=True, exclude_unset=True))
