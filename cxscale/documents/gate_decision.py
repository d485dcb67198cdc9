"""The gate decision (gate_decision_version 1): one initiative moved from one stage to another (docs/portfolio.md#gates).

What the gate found (every condition, held or not, with its numbers), what the readout recommended, whether the
decision went against it (an override, approved by the executive sponsor), who proposed and approved it, why, and
the SHA-256 digests of the evidence documents it was taken on. cxscale.portfolio.gates builds it; the decision log
stores it. A sign-off (`SignOff`) is the same kind of record for one function's owner.

A digest is the SHA-256 of a document's canonical JSON (RFC 8785, the `rfc8785` package): the same document gives
the same digest whatever its key order or number formatting, so a sign-off can tell the evidence it was given on
from evidence that has changed since.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cxscale.documents.base import OpenModel

GATE_DECISION_VERSION: Literal[1] = 1

#: An initiative's stages: idea -> pilot -> proof -> scale, and the two ends (docs/portfolio.md#gates).
Stage = Literal["idea", "pilot", "proof", "scale", "stopped", "retired"]
#: The functions that own an initiative, one accountable person each (the use case's owners).
Function = Literal["technology", "operations", "commercial"]
#: What a readout recommends (docs/portfolio.md#the-recommendation); None: no recommendation yet.
Action = Literal["ship", "roll back", "extend", "discuss"]

#: A condition's numbers: counts, shares, days, names and flags, as JSON values.
Number = float | int | str | bool | None


class GateCondition(OpenModel):
    """One condition of a gate: its name, whether it held, the numbers behind it and a sentence made of them."""

    name: str
    held: bool
    numbers: dict[str, Number | list[Number]] = Field(default_factory=dict)
    message: str


class Recommendation(OpenModel):
    """What the readout recommends, and which rule of the table matched (the first that does) and why."""

    action: Action | None = Field(description="null: no recommendation yet (the window is open or too few units)")
    rule: str
    reason: str


class SignOff(OpenModel):
    """One owner's sign-off for their function, on the evidence with these digests (name -> SHA-256 hex)."""

    person: str
    function: Function
    evidence: dict[str, str]


class GateDecision(OpenModel):
    """A decision to move an initiative from one stage to another (docs/portfolio.md#gates)."""

    gate_decision_version: Literal[1] = GATE_DECISION_VERSION
    initiative: str
    from_stage: Stage
    to_stage: Stage
    conditions: list[GateCondition]
    passed: bool = Field(description="every condition held")
    recommendation: Recommendation | None = Field(description="pilot -> proof: the readout's; other gates: null")
    override: bool = Field(description="the decision goes against the recommendation or a condition that did not "
                           "hold; approved by the executive sponsor")
    proposer: str
    approver: str | None = Field(description="who approved (an override: the executive sponsor); never the proposer")
    reason: str = Field(min_length=1)
    evidence: dict[str, str] = Field(description="SHA-256 of the canonical JSON of each evidence document, by name")

