"""The pilot spec: what a pilot changes, for whom, and which business metric must move by how much.

A YAML file validated by Pydantic. Versioned (spec_version); the format is documented in docs/pilot-spec.md and
consumed by `cxscale measure`, the simulator (which writes one per pilot) and later the portfolio gates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from cxscale.documents import StrictModel
from cxscale.errors import SpecError
from cxscale.yamlfile import dump_yaml, read_document

SPEC_VERSION: Literal[1] = 1


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
    """How to turn the effect into money per year."""

    currency: str = "EUR"
    #: Units per year to scale the per-unit effect; None = derive from the data's volumes.
    units_per_year: float | None = Field(None, gt=0)


class PilotSpec(_Strict):
    # The primary metric needs its target (_check); the rules between fields' values (arms) are the model's alone.
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"properties": {"primary": {"required": ["target"], "properties": {"target": {"type": "object"}}}}}]})

    #: Format version; this release reads version 1 only (later versions add fields and bump it).
    spec_version: Literal[1] = SPEC_VERSION
    pilot: str = Field(min_length=1)
    description: str = ""
    #: randomised: units were randomly assigned to arms; rollout: non-randomised (one site or team first), read by
    #: difference-in-differences against not-yet-treated units.
    design: Literal["randomised", "rollout"] = "randomised"
    #: unit of assignment (what was randomised or rolled out).
    unit: Literal["customer", "agent", "site"] = "customer"
    #: unit of analysis; defaults to the unit of assignment. Variance is always computed at the assignment level.
    analysis_unit: Literal["customer", "agent", "site"] | None = None
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

    @property
    def arms(self) -> list[str]:
        return [self.control, *self.treatments]

    @model_validator(mode="after")
    def _check(self) -> PilotSpec:
        if self.primary.target is None:
            raise ValueError("primary.target is required: say how much the metric must move (relative or absolute)")
        if self.control in self.treatments:
            raise ValueError(f"arm {self.control!r} is both control and treatment")
        if self.expected_split is not None:
            unknown = set(self.expected_split) - set(self.arms)
            if unknown:
                raise ValueError(f"expected_split names unknown arms {sorted(unknown)}")
        return self


def load_spec(path: str | Path) -> PilotSpec:
    """Read and validate a pilot spec; errors name the file and the field."""
    p = Path(path)
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
