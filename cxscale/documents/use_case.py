"""The use case (usecase_version 1): one initiative of the portfolio as a YAML file people write (docs/portfolio.md).

The problem it acts on (a touchpoint and the diagnosis figures behind it), how AI is meant to move which business
metric by how much in which window, its guardrails, design, pilot spec and owners. The model checks the shape of
what is written, strictly like the pilot spec; it leaves out nothing a slogan lacks as a required field, so that
`cxscale usecase lint` (cxscale.portfolio.lint) can report every missing part at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from cxscale.documents.base import StrictModel
from cxscale.documents.pilot_spec import PilotSpec, Target
from cxscale.errors import SpecError
from cxscale.yamlfile import read_document

USECASE_VERSION: Literal[1] = 1

#: A name or a person: text that is not empty.
Text = Annotated[str, Field(min_length=1)]


class Evidence(StrictModel):
    """Numbers copied from a diagnosis (`cxscale diagnose --json`), with the diagnosis they came from."""

    #: The diagnosis file (or report) the figures were copied from.
    diagnosis: Text
    #: The hotspot's rank in that diagnosis, if it came from one.
    hotspot_rank: int | None = Field(None, ge=1)
    #: The figures by name, in the diagnosis's units (e.g. contacts: 12034, repeat_rate_7d: 0.21).
    figures: dict[Text, float] = Field(default_factory=dict)


class Problem(StrictModel):
    """The touchpoint the use case acts on and the evidence that it matters."""

    journey_stage: Text | None = None
    intent: Text | None = None
    channel: Text | None = None
    evidence: Evidence | None = None


class BusinessMetric(StrictModel):
    """The primary business metric: a metric of the catalog (cxscale/metrics), which way is better, its baseline
    (metric units), the target change (relative share or absolute metric units) and the window it is read over."""

    name: Text | None = None
    direction: Literal["lower", "higher"] | None = None
    baseline: float | None = None
    target: Target | None = None
    window_days: int | None = Field(None, ge=1, le=3650)


class Guardrail(StrictModel):
    """A metric that must not get worse than `max_harm` (relative share or absolute metric units, in its bad
    direction)."""

    metric: Text
    max_harm: Target | None = None


class Design(StrictModel):
    """How the effect will be measured: randomised (units at random, `holdout_share` of them kept as control) or a
    staged rollout (sites or teams in `stages` order, read by difference-in-differences). A randomised routing pilot
    is a switchback: its unit is the queue x time slot (`slot`, added within version 1)."""

    type: Literal["randomised", "staged_rollout"]
    unit: Literal["customer", "agent", "site", "slot"] = "customer"
    #: randomised: the share of units held out as control (0-1).
    holdout_share: float | None = Field(None, gt=0, lt=1)
    #: staged_rollout: the waves in order (sites, teams).
    stages: list[Text] | None = Field(None, min_length=1)


class Owners(StrictModel):
    """One accountable person per function, plus the executive sponsor."""

    technology: Text | None = None
    operations: Text | None = None
    commercial: Text | None = None
    executive_sponsor: Text | None = None


class UseCase(StrictModel):
    """A use case of the portfolio (docs/portfolio.md#the-use-case)."""

    #: Format version; this release reads version 1 only.
    usecase_version: Literal[1] = USECASE_VERSION
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] | None = None
    title: Text | None = None
    problem: Problem | None = None
    #: How AI is meant to move the metric, in words.
    mechanism: Text | None = None
    #: The agent capabilities used (an open list of names: cxscale.documents.use_case_draft.CAPABILITIES).
    capabilities: list[Text] = Field(default_factory=list)
    metric: BusinessMetric | None = None
    guardrails: list[Guardrail] = Field(default_factory=list)
    design: Design | None = None
    #: The pilot spec it will be read out with: embedded, or a file path relative to this file.
    pilot_spec: PilotSpec | Text | None = None
    #: Where the data comes from (paths, URLs, system names).
    data_sources: list[Text] = Field(default_factory=list)
    owners: Owners | None = None


def load_use_case(path: str | Path) -> UseCase:
    """Read and validate a use-case file; errors name the file, the line and the key path."""
    p = Path(path)
    doc = read_document(p, "use case")
    if not isinstance(doc.data, dict):
        raise SpecError(f"{p}: a use case is a YAML mapping (id, title, problem, metric, owners, ...; "
                        "docs/portfolio.md)")
    try:
        return UseCase.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError(f"{p}: invalid use case: {doc.explain(exc)}") from exc
