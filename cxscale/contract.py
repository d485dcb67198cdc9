"""The data contract: table names, columns, types and rules. One source of truth (docs/data-contract.md).

Every reader, mapping, validator, simulator and metric refers to these names; nothing else spells them.
Types are Ibis type strings so that the same contract is enforced on DuckDB, Spark or a warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTRACT_VERSION = "1.0"

#: Channels every tool understands; a site may use its own names as well (validated as non-empty strings).
STANDARD_CHANNELS = ("voice", "chat", "email", "messaging", "self_service", "social", "sms")

#: Unit types a pilot can randomise or roll out on. slot (added within 1.0): a queue x time slot of a switchback
#: (routing) pilot, unit id QUEUE@YYYY-MM-DDTHH:MMZ (cxscale.assignment.slot_id; docs/capability-pilots.md).
UNIT_TYPES = ("customer", "agent", "site", "slot")


@dataclass(frozen=True)
class Column:
    """One contract column: its name, Ibis type, whether it must be present, and what it means."""

    name: str
    dtype: str  # ibis type string: "string", "timestamp('UTC')", "float64", "int64", "boolean"
    required: bool
    description: str
    nullable: bool = True
    minimum: float | None = None
    maximum: float | None = None
    #: How the column is derived when it is missing, or what becomes unavailable without it.
    when_missing: str = ""
    #: Validation rule (a key of RULES) that rejects values outside [minimum, maximum].
    range_rule: str = "out_of_range"


@dataclass(frozen=True)
class Table:
    """One contract table: its columns, its identifying key (unique per row) and whether it is optional."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False
    #: Tables like customers may carry any extra columns (segments, covariates).
    extra_columns_allowed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no contract column {name!r}")


TS = "timestamp('UTC')"

INTERACTIONS = Table(
    name="interactions",
    description="One row per customer contact, in any channel.",
    key=("interaction_id",),
    columns=(
        Column("interaction_id", "string", True, "Unique id of the contact.", nullable=False),
        Column("customer_id", "string", True, "Who made the contact.", nullable=False),
        Column("started_at", TS, True, "When the contact started, UTC.", nullable=False),
        Column("channel", "string", True, "voice, chat, email, messaging, self_service, social, sms, or a site's own.",
               nullable=False),
        Column("intent", "string", False, "Reason for contact.",
               when_missing="Set to 'unknown': diagnosis then ranks channels and stages only."),
        Column("journey_stage", "string", False, "Stage of the customer journey (e.g. onboarding, billing).",
               when_missing="Set to 'unknown': stage-level friction is unavailable."),
        Column("agent_id", "string", False, "Agent who handled it; null for self-service.",
               when_missing="Null: agent-randomised pilots cannot be measured."),
        Column("site", "string", False, "Contact-centre site or team; null when not applicable.",
               when_missing="Null: site rollouts (difference-in-differences) cannot be measured."),
        Column("handle_seconds", "float64", False, "Handle time in seconds (talk + hold + wrap-up).", minimum=0,
               range_rule="negative_duration",
               when_missing="Null: AHT is unavailable and cost needs a per-contact rate card."),
        Column("wait_seconds", "float64", False, "Queue wait before an agent answered, in seconds.", minimum=0,
               range_rule="negative_duration",
               when_missing="Null: long-wait friction is unavailable."),
        Column("abandoned", "boolean", False, "The customer left before being served: hung up in the queue, or "
               "left a chat or message unanswered.",
               when_missing="Null: the abandonment rate is unavailable; long waits stand in for it."),
        Column("transferred", "boolean", False, "Whether the contact was transferred.",
               when_missing="Null: transfer rate is unavailable."),
        Column("resolved", "boolean", False, "Whether the need was resolved by this contact.",
               when_missing="Derived: resolved when no repeat contact from the same customer for the same intent "
                            "follows within N days (default 7)."),
        Column("csat", "float64", False, "Customer satisfaction score on a 1-5 scale.", minimum=1, maximum=5,
               range_rule="csat_out_of_range",
               when_missing="Null: CSAT metrics are unavailable."),
        Column("cost", "float64", False, "Cost to serve this contact, in the data's currency.", minimum=0,
               range_rule="negative_value",
               when_missing="Derived from a per-channel rate card: a fixed cost per contact plus a cost per "
                            "handled minute (docs/data-contract.md#rate-card)."),
        Column("wrap_up_code", "string", False, "The wrap-up (disposition) code saved for the contact; null when none. "
               "An after-contact capability pilot's readout checks that its mix does not shift between arms "
               "(docs/capability-pilots.md#anchoring)."),
    ),
)

OUTCOMES = Table(
    name="outcomes",
    description="One row per business event that is not a contact (appointment kept, no-show, purchase, churn).",
    key=(),
    optional=True,
    columns=(
        Column("customer_id", "string", True, "Whose event it is.", nullable=False),
        Column("occurred_at", TS, True, "When it happened, UTC.", nullable=False),
        Column("outcome", "string", True, "What happened: appointment_kept, no_show, purchase, churn, visit, ...",
               nullable=False),
        Column("value", "float64", False, "Money value of the event (e.g. purchase amount), if any.",
               when_missing="Null: revenue metrics are unavailable; rates still work."),
    ),
)

ASSIGNMENTS = Table(
    name="assignments",
    description="One row per unit in a pilot: which arm it is in and since when.",
    key=("pilot", "unit_type", "unit_id"),
    optional=True,
    columns=(
        Column("unit_id", "string", True, "Customer, agent or site id, or a slot's QUEUE@YYYY-MM-DDTHH:MMZ.",
               nullable=False),
        Column("unit_type", "string", True, "customer, agent, site or slot.", nullable=False),
        Column("pilot", "string", True, "Pilot name.", nullable=False),
        Column("arm", "string", True, "Arm name (e.g. control, treatment).", nullable=False),
        Column("assigned_at", TS, True, "When the unit entered the pilot, UTC.", nullable=False),
    ),
)

CUSTOMERS = Table(
    name="customers",
    description="Optional customer attributes for segments and covariates.",
    key=("customer_id",),
    optional=True,
    extra_columns_allowed=True,
    columns=(Column("customer_id", "string", True, "Customer id.", nullable=False),),
)

AGENTS = Table(
    name="agents",
    description="Optional agent attributes (tenure, team) for agent-randomised pilots' readouts by tenure band.",
    key=("agent_id",),
    optional=True,
    extra_columns_allowed=True,
    columns=(
        Column("agent_id", "string", True, "Agent id, as in interactions.agent_id.", nullable=False),
        Column("tenure_months", "float64", False, "Months since the agent started handling contacts, >= 0.",
               minimum=0, range_rule="out_of_range",
               when_missing="Null: the capability readout has no effect by agent tenure band."),
    ),
)

#: What an agent or customer did with a suggestion (feedback.action).
FEEDBACK_ACTIONS = ("displayed", "accepted", "edited", "dismissed", "overridden", "auto_applied")
#: The actions that count as using a suggestion in the capability funnel (docs/capability-pilots.md#readout).
USED_ACTIONS = ("accepted", "edited")

EXPOSURES = Table(
    name="exposures",
    description="One row per decision a capability pilot made on an interaction, in every arm: whether the capability "
                "would act (triggered) and whether its suggestion was shown (never in control).",
    key=("pilot_id", "interaction_id"),
    optional=True,
    columns=(
        Column("unit_id", "string", True, "The unit of randomisation (agent, customer or site id, or slot).",
               nullable=False),
        Column("unit_type", "string", True, "customer, agent, site or slot.", nullable=False),
        Column("interaction_id", "string", True, "The interaction the decision was made on.", nullable=False),
        Column("capability", "string", True, "The capability's name (e.g. knowledge_guidance).", nullable=False),
        Column("pilot_id", "string", True, "The pilot (assignments.pilot) the unit is randomised in.",
               nullable=False),
        Column("arm", "string", True, "The unit's arm in that pilot.", nullable=False),
        Column("triggered", "boolean", True, "The capability had a suggestion for this interaction (computed in "
               "control too: the counterfactual of a triggered analysis).", nullable=False),
        Column("shown", "boolean", True, "The suggestion was shown (treatment arms only).", nullable=False),
        Column("suggestion_id", "string", False, "Id of the suggestion (null when not triggered); feedback refers "
               "to it."),
        Column("ts", TS, True, "When the decision was made, UTC.", nullable=False),
    ),
)

FEEDBACK = Table(
    name="feedback",
    description="One row per action on a shown suggestion: displayed (or auto_applied: the capability applied it "
                "for the agent), then accepted, edited, dismissed or overridden.",
    key=(),
    optional=True,
    columns=(
        Column("suggestion_id", "string", True, "The suggestion (exposures.suggestion_id).", nullable=False),
        Column("action", "string", True, "displayed, accepted, edited, dismissed, overridden or auto_applied.",
               nullable=False),
        Column("chosen_item", "string", False, "The item of the suggestion the agent chose (accepted, edited)."),
        Column("edit_distance", "int64", False, "Characters changed before use (edited), >= 0.", minimum=0,
               range_rule="out_of_range"),
        Column("ts", TS, True, "When the action happened, UTC.", nullable=False),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (INTERACTIONS, OUTCOMES, ASSIGNMENTS, CUSTOMERS, AGENTS, EXPOSURES,
                                                FEEDBACK)}

#: Default per-channel rate card used to derive interaction cost when the data has none:
#: (fixed cost per contact, cost per handled minute), in the data's currency.
DEFAULT_RATE_CARD: dict[str, tuple[float, float]] = {
    "voice": (1.50, 0.85),
    "chat": (0.90, 0.45),
    "messaging": (0.70, 0.40),
    "email": (1.20, 0.50),
    "social": (1.00, 0.50),
    "sms": (0.20, 0.30),
    "self_service": (0.10, 0.02),
}
DEFAULT_RATE_CARD_OTHER: tuple[float, float] = (1.00, 0.60)

#: Default window (days) after which a contact with no repeat for the same intent counts as resolved.
DEFAULT_RESOLUTION_WINDOW_DAYS = 7

#: Plausible timestamps (docs/data-contract.md#plausible-timestamps): from this date (UTC) to this many days after
#: today, unless a mapping file sets `plausible: {from: ..., to: ...}`. Contact centres and their exports postdate 1970;
#: a date before it (year 1, 1900: a placeholder or a misread value) or years ahead (2999) is not a contact.
PLAUSIBLE_FROM = "1970-01-01"
PLAUSIBLE_DAYS_AHEAD = 366

#: UTC offsets that exist: -12:00 to +14:00 (a "+25:00" is a typo, not a time zone).
OFFSET_MINUTES_RANGE = (-12 * 60, 14 * 60)

#: Validation rules (docs/data-contract.md#rules): rule id -> what it rejects. Every rejected row names its rules.
RULES: dict[str, str] = {
    "missing_column": "a required contract column is absent from the source (or from the mapping)",
    "missing_value": "a required column is empty",
    "unparseable_timestamp": "a value is not a timestamp",
    "wrong_type": "a value is not of the column's type (number, boolean)",
    "unmapped_value": "a value is not listed in the column's value map",
    "malformed_row": "the source row cannot be split into the header's columns (wrong number of fields, or an "
                     "unterminated quote)",
    "duplicate_id": "the row's key repeats an earlier row (the first occurrence is kept)",
    "non_finite_number": "a number is NaN, infinite, or too large for a 64-bit float (e.g. 1e400)",
    "implausible_timestamp": "a timestamp lies outside the plausible range",
    "negative_duration": "a duration in seconds is negative",
    "negative_value": "a cost or money value is negative",
    "csat_out_of_range": "CSAT is outside 1-5",
    "out_of_range": "a value is outside the column's range",
    "unknown_unit_type": "unit_type is not customer, agent, site or slot",
    "unparseable_slot": "a slot's unit_id is not QUEUE@YYYY-MM-DDTHH:MMZ, or its assigned_at is not the slot's start",
    "unknown_arm": "the arm is not one of the pilot's declared arms",
    "single_arm_pilot": "the pilot has fewer than two arms in the data",
    "shown_in_control": "an exposure in the pilot's control arm was shown (control computes and logs, never shows)",
    "shown_not_triggered": "an exposure was shown although the capability did not trigger",
    "unknown_action": "a feedback action is not displayed, accepted, edited, dismissed, overridden or auto_applied",
}
