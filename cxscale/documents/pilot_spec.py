"""The pilot spec: what a pilot changes, for whom, and which business metric must move by how much.

A YAML file validated by Pydantic. Versioned (spec_version); the format is documented in docs/pilot-spec.md and
consumed by `cxscale measure`, the simulator (which writes one per pilot) and later the portfolio gates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictInt, ValidationError, model_validator

from cxscale.assignment import MINUTES_PER_DAY, AssignmentPlan, Namespace
from cxscale.documents.base import StrictModel
from cxscale.errors import SpecError
from cxscale.yamlfile import dump_yaml, read_document

SPEC_VERSION: Literal[1] = 1
#: Pilot specs shipped beside their mappings (cxscale/data/mappings/NAME.pilot.yaml), loaded by NAME.
SHIPPED_SPECS = Path(__file__).resolve().parent.parent / "data" / "mappings"


class _Strict(StrictModel):
    """Strict reading (cxscale.documents.StrictModel): unknown keys, booleans for numbers, NaN are refused."""


class Target(_Strict):
    """The change the primary metric must reach: relative (share, -0.05 = 5% lower) or absolute (metric units)."""

    # Exactly one of the two, in the published JSON Schema as in _one_of.
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": [name], "properties": {name: {"type": "number"}}} for name in ("relative", "absolute")]})

    relative: float | None = None
    absolute: float | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Target:
        if (self.relative is None) == (self.absolute is None):
            raise ValueError("give exactly one of relative or absolute")
        return self


class MetricRef(_Strict):
    """A metric of the catalog (cxscale/metrics) used by this pilot."""

    metric: str
    #: primary metric: the change that counts as success. Guardrails: the worst tolerated change (harm).
    target: Target | None = None
    max_harm: Target | None = None


class Windows(_Strict):
    """Measurement windows, in days, relative to each unit's assigned_at (pre: before, post: from assignment on)."""

    pre_days: int = Field(28, ge=0, le=3650)  # at most ten years, as the CLI's windows (cli/_app.MAX_DAYS)
    post_days: int = Field(28, ge=1, le=3650)


class Scope(_Strict):
    """The touchpoint a pilot acts on: its metrics of the interactions table read only the contacts whose every field
    given here is one of its values (a missing intent or stage is "unknown", as in the diagnosis). Repeats are then
    repeats within the scope. Outcome metrics are not narrowed: they count the outcomes of the pilot's units."""

    intent: list[str] | None = Field(None, min_length=1)
    journey_stage: list[str] | None = Field(None, min_length=1)
    channel: list[str] | None = Field(None, min_length=1)
    site: list[str] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _some(self) -> Scope:
        if not self.values():
            raise ValueError("a scope names at least one of intent, journey_stage, channel or site")
        return self

    def values(self) -> dict[str, list[str]]:
        """The fields given, by column."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Options(_Strict):
    alpha: float = Field(0.05, gt=0, lt=0.5)
    cuped: bool = True
    #: Cap heavy-tailed per-unit values at this quantile of the pooled distribution (e.g. 0.99); None = no capping.
    winsorize: float | None = Field(None, gt=0.5, lt=1)
    correction: Literal["holm", "bh", "none"] = "holm"
    sequential: bool = False
    bayesian: bool = False
    #: Planned units per arm, which tunes the always-valid (sequential) interval; None = the current units.
    planned_units_per_arm: int | None = Field(None, gt=0)


class Value(_Strict):
    """How to turn the effect into money per year (docs/pilot-spec.md#value)."""

    currency: str = "EUR"
    #: The units the per-unit effect applies to; None = derive from the data (recurring: the analysis units in the
    #: data; one_off: the pilot's units in every arm). For a one-off, the units one campaign reaches.
    units_per_year: float | None = Field(None, gt=0)
    #: recurring: the effect per unit recurs every post window (cost to serve, handle time) and is annualised;
    #: one_off: a single intervention (a campaign) whose value is its post window's effect, counted
    #: repeats_per_year times. None = not stated: read as recurring, and the readout warns (added within version 1).
    nature: Literal["recurring", "one_off"] | None = None
    #: one_off only: how many times a year the intervention will be run; None = once (the value of one campaign).
    repeats_per_year: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _repeats_for_one_off(self) -> Value:
        if self.repeats_per_year is not None and self.nature != "one_off":
            raise ValueError("repeats_per_year applies to nature: one_off only (a recurring effect already counts "
                             "every post window of the year)")
        return self


#: A band edge in the adjustment column's units (finite; a YAML boolean is not a number).
Edge = Annotated[float, Field(allow_inf_nan=False, strict=True)]


class Observational(_Strict):
    """Who was treated and what decided it, for a non-randomised comparison (design: observational): columns of the
    customers table (docs/pilot-spec.md#observational). The readout compares the treated with the others naively and
    within strata of `adjust_for`; neither comparison is causal (docs/readout.md#observational)."""

    #: Boolean column of the customers table: true = treated (e.g. sms_received); units without a value are left out.
    treatment: str = Field(min_length=1)
    #: Columns of the customers table that decided (or go with) who was treated: the strata are their combinations.
    #: Text and boolean columns are used as they are; numeric columns need bands.
    adjust_for: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    #: Per numeric adjustment column: band lower edges in its units ([0, 1, 3] -> bands 0, 1-2, 3+ for whole
    #: numbers; values below the first edge form their own band), or a number of quantile bands (2-20) computed from
    #: the data in the engine.
    bands: dict[str, list[Edge] | Annotated[StrictInt, Field(ge=2, le=20)]] = Field(default_factory=dict)
    #: Optional timestamp column of the customers table (when the unit was treated or not, e.g. its appointment):
    #: the metrics then read windows.post_days from it. None: every row of the unit counts.
    at: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Observational:
        if len(set(self.adjust_for)) < len(self.adjust_for):
            raise ValueError("adjust_for names a column twice")
        if self.treatment in self.adjust_for:
            raise ValueError(f"the treatment column {self.treatment} cannot also be an adjustment column")
        unknown = sorted(set(self.bands) - set(self.adjust_for))
        if unknown:
            raise ValueError(f"bands are given for {', '.join(unknown)}, which adjust_for does not name")
        for col, edges in self.bands.items():
            if isinstance(edges, list) and (not edges or any(b <= a for a, b in zip(edges, edges[1:], strict=False))):
                raise ValueError(f"bands.{col}: give increasing lower edges, e.g. [0, 1, 3, 8], or a number of "
                                 "quantile bands, e.g. 5")
        return self


class CapabilityNamespace(_Strict):
    """A slice [start, end) of a namespace (cxscale.assignment.Namespace): capability pilots given disjoint slices of
    one namespace never share a unit."""

    name: str = Field(min_length=1)
    start: float = Field(ge=0, le=1)
    end: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> CapabilityNamespace:
        if self.start >= self.end:
            raise ValueError(f"namespace {self.name}: start ({self.start}) must be below end ({self.end})")
        return self


#: The interactions columns that may name a switchback's queue.
QueueColumn = Literal["site", "channel", "intent", "journey_stage"]


def _by_site() -> list[QueueColumn]:
    return ["site"]


class Capability(_Strict):
    """The pilot of an agent-augmenting capability (added within version 1; docs/capability-pilots.md): who is
    assigned how (cxscale.assignment), and what the readout adds to the intent-to-treat effect: the triggered effect
    from the exposures logged in both arms, the funnel and the effect by tenure band. The unit of randomisation is
    the spec's unit: agent for guidance, summaries and wrap-up codes, customer for outreach."""

    #: The capability's name, as exposures.capability logs it.
    name: str = Field(min_length=1)
    #: Read out the triggered effect (units and interactions with a triggered exposure, in both arms).
    triggered: bool = True
    #: Share of the units (0-1) the pilot reaches; raising it later keeps every unit in its arm.
    coverage: float = Field(1.0, ge=0, le=1)
    #: Hash seed; None = the pilot's name.
    seed: str | None = Field(None, min_length=1)
    namespace: CapabilityNamespace | None = None
    #: Balance the arms within strata (agents' sites or teams) by hash rank (cxscale.assignment.stratified), for
    #: small agent populations: the arms are then computed from the roster frozen at the start, not from one id.
    stratified: bool = False
    #: Lower edges of the tenure bands in months (agents.tenure_months for agent units, customers.tenure_months for
    #: customer units): [0, 6, 24] -> 0-6, 6-24, 24+.
    tenure_bands: list[Edge] = Field(default_factory=lambda: [0.0, 6.0, 24.0], min_length=1)
    #: Switchback (unit: slot, added within version 1): the length of a time slot in minutes; slots tile each UTC
    #: day from midnight, so the length divides 1440 (15, 30, 60, 120, ...). Required for unit slot, else None.
    slot_minutes: StrictInt | None = Field(None, ge=5, le=1440)
    #: Switchback: minutes at the start of every slot left out of the analysis (carry-over: the queue built under
    #: the previous slot's policy is still being served); below slot_minutes.
    burn_in_minutes: StrictInt = Field(0, ge=0)
    #: Switchback: the interactions columns whose values, joined by "|", name a contact's queue (the agent pool the
    #: policy routes into): site by default (contract column; add channel for per-channel queues).
    queue_by: list[QueueColumn] = Field(default_factory=_by_site, min_length=1)

    @model_validator(mode="after")
    def _bands(self) -> Capability:
        b = self.tenure_bands
        if any(y <= x for x, y in zip(b, b[1:], strict=False)) or b[0] < 0:
            raise ValueError("tenure_bands: give increasing lower edges in months from 0, e.g. [0, 6, 24]")
        if self.slot_minutes is not None and MINUTES_PER_DAY % self.slot_minutes:
            raise ValueError(f"slot_minutes {self.slot_minutes}: slots tile the day from midnight UTC, so give a "
                             "length that divides 1440, e.g. 30, 60 or 120")
        if self.slot_minutes is not None and self.burn_in_minutes >= self.slot_minutes:
            raise ValueError(f"burn_in_minutes {self.burn_in_minutes} leaves nothing of a {self.slot_minutes}-minute "
                             "slot to analyse: give fewer minutes than the slot has")
        if len(set(self.queue_by)) < len(self.queue_by):
            raise ValueError("queue_by names a column twice")
        return self

    def plan(self, spec: PilotSpec) -> AssignmentPlan:
        """How the pilot's units are assigned: seed (default the pilot's name), the spec's arms weighted by its
        expected_split (equal by default), coverage and namespace."""
        split = spec.expected_split or {a: 1.0 for a in spec.arms}
        ns = self.namespace
        return AssignmentPlan(seed=self.seed or spec.pilot, weights={a: split[a] for a in spec.arms},
                              coverage=self.coverage, namespace=Namespace(ns.name, ns.start, ns.end) if ns else None,
                              stratified=self.stratified)


#: What a randomised or rollout spec must have: a target for the primary metric, and no observational block.
_CAUSAL_RULES: dict[str, Any] = {"properties": {"primary": {"required": ["target"], "properties": {"target": {"type": "object"}}}},
                 "not": {"required": ["observational"]}}
_IS_OBSERVATIONAL: dict[str, Any] = {"required": ["design"], "properties": {"design": {"const": "observational"}}}


class PilotSpec(_Strict):
    # The primary metric needs its target and only an observational design names observational columns (_check);
    # the rules between fields' values (arms) are the model's alone.
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": _IS_OBSERVATIONAL, "then": {"required": ["observational"]}, "else": _CAUSAL_RULES}]})

    #: Format version; this release reads version 1 only (later versions add fields and bump it).
    spec_version: Literal[1] = SPEC_VERSION
    pilot: str = Field(min_length=1)
    description: str = ""
    #: randomised: units were randomly assigned to arms; rollout: non-randomised (one site or team first), read by
    #: difference-in-differences against not-yet-treated units; observational (added within version 1): treated by
    #: a rule, not at random, read as an association, never as an effect (the observational block).
    design: Literal["randomised", "rollout", "observational"] = "randomised"
    #: unit of assignment (what was randomised or rolled out); slot (added within version 1): a queue x time slot of
    #: a switchback capability pilot (routing), with capability.slot_minutes.
    unit: Literal["customer", "agent", "site", "slot"] = "customer"
    #: unit of analysis; defaults to the unit of assignment. Variance is always computed at the assignment level.
    analysis_unit: Literal["customer", "agent", "site", "slot"] | None = None
    control: str = "control"
    treatments: list[str] = Field(default_factory=lambda: ["treatment"], min_length=1)
    #: Expected share of units per arm for the sample-ratio-mismatch check; None = equal split.
    expected_split: dict[str, float] | None = None
    #: The touchpoint whose contacts the interaction metrics read (added within version 1); None = every contact of
    #: the pilot's units.
    scope: Scope | None = None
    primary: MetricRef
    guardrails: list[MetricRef] = Field(default_factory=list)
    secondary: list[MetricRef] = Field(default_factory=list)
    windows: Windows = Windows()
    options: Options = Options()
    value: Value = Value()
    #: design observational only (added within version 1): the treatment and adjustment columns.
    observational: Observational | None = None
    #: A capability's pilot (added within version 1): the readout adds the triggered effect, the funnel and the
    #: effect by tenure band (docs/capability-pilots.md).
    capability: Capability | None = None

    @property
    def arms(self) -> list[str]:
        return [self.control, *self.treatments]

    @model_validator(mode="after")
    def _check(self) -> PilotSpec:
        if self.control in self.treatments:
            raise ValueError(f"arm {self.control!r} is both control and treatment")
        if self.design == "observational":
            return self._check_observational()
        if self.observational is not None:
            raise ValueError(f"observational: a {self.design} spec compares its arms as assigned and adjusts for "
                             "nothing; remove the observational block, or set design: observational")
        if self.capability is not None and self.capability.stratified and self.capability.coverage < 1:
            raise ValueError("capability: a stratified assignment takes every unit of the roster; leave coverage at 1 "
                             "(or narrow the roster with a namespace)")
        if self.capability is not None and (self.design != "randomised" or
                                            self.unit not in ("agent", "customer", "slot")):
            raise ValueError("capability: a capability pilot is randomised by agent (guidance, summaries, wrap-up "
                             "codes), by customer (outreach) or by queue x time slot (routing, unit: slot): set "
                             "design: randomised and unit: agent, customer or slot")
        if self.unit == "slot" and (self.capability is None or self.capability.slot_minutes is None):
            raise ValueError("unit slot is a switchback: give the capability block with slot_minutes (e.g. "
                             "capability: {name: intent_routing, slot_minutes: 60, burn_in_minutes: 10})")
        if self.capability is not None and self.capability.slot_minutes is not None and self.unit != "slot":
            raise ValueError("capability.slot_minutes applies to a switchback only: set unit: slot, or remove it")
        if self.unit == "slot" and self.analysis_unit not in (None, "slot"):
            raise ValueError("a switchback is analysed per slot (its contacts share the queue's agent pool): leave "
                             "analysis_unit out")
        if self.unit == "slot" and self.capability is not None and self.capability.stratified:
            raise ValueError("capability.stratified ranks a frozen roster; a switchback's slots are hashed one by "
                             "one: leave stratified out")
        if self.primary.target is None:
            raise ValueError("primary.target is required: say how much the metric must move (relative or absolute)")
        if self.expected_split is not None:
            unknown = set(self.expected_split) - set(self.arms)
            if unknown:
                raise ValueError(f"expected_split names unknown arms {sorted(unknown)}")
        return self

    def _check_observational(self) -> PilotSpec:
        if self.observational is None:
            raise ValueError("design observational needs the observational block: the customers column that says who "
                             "was treated and the columns that decided it, e.g. observational: {treatment: "
                             "sms_received, adjust_for: [lead_days], bands: {lead_days: [0, 1, 3, 8, 15, 31]}}")
        if self.unit != "customer" or self.analysis_unit not in (None, "customer"):
            raise ValueError("an observational design compares customers (its columns come from the customers "
                             "table): set unit: customer")
        if len(self.treatments) != 1:
            raise ValueError("an observational design compares two groups: give one name in treatments (the treated "
                             "group) and one in control (the others)")
        if self.expected_split is not None:
            raise ValueError("expected_split: an observational design has no planned split (nothing was randomised)")
        return self


def shipped_specs() -> list[str]:
    """Names of the pilot specs shipped with cxscale (`hillstrom`: the e-mail experiment's, beside its mapping)."""
    return sorted(p.name.removesuffix(".pilot.yaml") for p in SHIPPED_SPECS.glob("*.pilot.yaml"))


def resolve_spec_path(name_or_path: str | Path) -> Path:
    """A pilot spec's file from a path, or from the name of a shipped spec (`hillstrom`) when no such file exists."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    name = p.name == str(name_or_path) and p.suffix not in (".yaml", ".yml")
    shipped = SHIPPED_SPECS / f"{p.name}.pilot.yaml"
    if name and shipped.exists():
        return shipped
    if p.is_dir():
        raise SpecError(f"{p}: is a folder, not a pilot spec file (shipped specs load by name: "
                        f"{', '.join(shipped_specs())})")
    if not name:
        return p  # read_yaml says it is not found
    raise SpecError(f"pilot spec {str(name_or_path)!r} is neither a file nor a shipped spec "
                    f"(shipped: {', '.join(shipped_specs())})")


def load_spec(path: str | Path) -> PilotSpec:
    """Read and validate a pilot spec (a file, or a shipped spec's name); errors name the file and the field."""
    p = resolve_spec_path(path)
    doc = read_document(p, "pilot spec")
    raw = doc.data
    if not isinstance(raw, dict):
        raise SpecError(f"{p}: a pilot spec is a YAML mapping with at least pilot, primary.metric, primary.target")
    try:
        return PilotSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(f"{p}: invalid pilot spec: {doc.explain(exc)}") from exc


def dump_spec(spec: PilotSpec, path: str | Path) -> None:
    """Write a spec as YAML (only fields that differ from defaults, plus the essentials)."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data = {"spec_version": spec.spec_version, "pilot": spec.pilot, **data}
    Path(path).write_text(dump_yaml(data))
