"""The common frame of every capability: an interaction context in, a Suggestion out (docs/capabilities.md).

A capability is a fitted model with `suggest(context) -> Suggestion`: deterministic (same context, same model, same
suggestion) and free of I/O, so that it can run in both arms of a pilot (computed in control too, recorded as not
shown) and be recomputed later. Models are trained from data handed to them and saved to a local file with
`save`/`load` (pickle via joblib); nothing is downloaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from cxscale.errors import CxscaleError

Mode = Literal["assist", "deflect"]
Unit = Literal["agent", "queue_time_slot", "customer"]
#: What happens to a suggestion: shown to the agent, applied without asking (above the auto threshold), or nothing
#: (confidence below the threshold: computed and logged, not shown).
Action = Literal["show", "auto_apply", "none"]


@dataclass(frozen=True)
class Context:
    """What a capability sees of one interaction: ids, channel, the customer's first message or the transcript so
    far (turns of (speaker, text), speaker one of customer, agent, action), and numeric customer features (outreach)."""

    interaction_id: str = ""
    customer_id: str | None = None
    agent_id: str | None = None
    channel: str | None = None
    text: str = ""
    turns: tuple[tuple[str, str], ...] = ()
    features: Mapping[str, float] = field(default_factory=dict)

    def customer_text(self) -> str:
        """The customer's words so far: `text`, or the customer turns joined."""
        if self.text:
            return self.text
        return " ".join(t for s, t in self.turns if s == "customer")


@dataclass(frozen=True)
class Item:
    """One ranked candidate: its key (intent, article id, wrap-up code, action), a score (probability or relevance)
    and a human label."""

    key: str
    score: float
    label: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A capability's answer for one context: ranked items (best first), a confidence (0-1), what to do with it, the
    model version that produced it and, for summaries, a text. `suggestion_id` is a digest of capability, model
    version and interaction, so logs in both arms join on it."""

    capability: str
    items: tuple[Item, ...]
    confidence: float
    action: Action
    model_version: str
    interaction_id: str = ""
    text: str | None = None

    @property
    def suggestion_id(self) -> str:
        raw = f"{self.capability}\x1f{self.model_version}\x1f{self.interaction_id}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    @property
    def shown(self) -> bool:
        return self.action != "none"

    @property
    def top(self) -> Item | None:
        return self.items[0] if self.items else None

    def to_json(self) -> dict[str, Any]:
        return {"suggestion_id": self.suggestion_id, "capability": self.capability,
                "interaction_id": self.interaction_id, "model_version": self.model_version,
                "confidence": self.confidence, "action": self.action, "shown": self.shown, "text": self.text,
                "items": [{"key": i.key, "score": i.score, "label": i.label} for i in self.items]}


@runtime_checkable
class Capability(Protocol):
    """A fitted capability model."""

    name: str
    model_version: str

    def suggest(self, context: Context) -> Suggestion: ...


@dataclass(frozen=True)
class CapabilityInfo:
    """What the registry says of a capability: whether it assists agents or deflects contacts, and its unit of
    randomisation (agent: learning spills over between one agent's contacts; queue_time_slot: a switchback, since
    routed contacts share the agent pool; customer: with a permanent holdout)."""

    name: str
    description: str
    mode: Mode
    unit: Unit
    metrics: tuple[str, ...]
    data: str

    @property
    def unit_label(self) -> str:
        return {"queue_time_slot": "queue x time slot"}.get(self.unit, self.unit)


REGISTRY: dict[str, CapabilityInfo] = {c.name: c for c in (
    CapabilityInfo("intent_routing", "Classify the customer's first message into an intent and route waiting "
                   "contacts to available agents with the skill (assignment on predicted resolution)",
                   "assist", "queue_time_slot", ("accuracy", "macro_f1", "ece", "top3_accuracy"),
                   "a labelled CSV (text, category), e.g. BANKING77; or a simulated world"),
    CapabilityInfo("guidance", "Suggest the knowledge article or next step for the customer's need while the "
                   "conversation runs; nothing is shown below the confidence threshold",
                   "assist", "agent", ("recall_at_1", "recall_at_3", "mrr", "shown_share"),
                   "the ABCD guidelines folder; or a simulated world"),
    CapabilityInfo("after_contact", "Write an extractive after-contact summary (issue, action, resolution; amounts, "
                   "dates and order ids kept) and the wrap-up code, auto-applied above a threshold",
                   "assist", "agent", ("wrap_up_accuracy", "auto_apply_share", "auto_apply_accuracy",
                                       "entities_kept"),
                   "a simulated world (transcripts)"),
    CapabilityInfo("outreach", "Choose whom to contact proactively by predicted uplift (two-model or X-learner)",
                   "deflect", "customer", ("qini_coefficient", "auuc", "uplift_at_k"),
                   "a randomised campaign CSV, e.g. Hillstrom"),
)}


def info(name: str) -> CapabilityInfo:
    """The registry entry of `name`; an unknown name is one line listing the known ones."""
    if name not in REGISTRY:
        raise CxscaleError(f"unknown capability {name!r}: choose one of {', '.join(REGISTRY)}")
    return REGISTRY[name]


def action_for(confidence: float, show_at: float, auto_at: float | None = None) -> Action:
    """auto_apply at or above `auto_at` (when given), show at or above `show_at`, otherwise none."""
    if auto_at is not None and confidence >= auto_at:
        return "auto_apply"
    return "show" if confidence >= show_at else "none"


def fingerprint(*parts: object) -> str:
    """A short, stable digest of what a model was trained on and with (its version string)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x1f")
    return h.hexdigest()[:12]


def save(model: Capability, path: str | Path) -> Path:
    """Write a fitted model to a local file (joblib pickle; load only files you wrote)."""
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


def load(path: str | Path) -> Capability:
    """Read a model written by `save`. Pickles run code when read: load only files you trust."""
    import joblib

    path = Path(path)
    if not path.is_file():
        raise CxscaleError(f"{path}: no such model file (write one with cxscale.capabilities.save)")
    model = joblib.load(path)
    if not isinstance(model, Capability):
        raise CxscaleError(f"{path}: not a cxscale capability model (found {type(model).__name__})")
    return model
