"""Capabilities that assist agents and measure themselves as pilots (docs/capabilities.md): intent detection and
routing, real-time guidance, after-contact summary and wrap-up code, proactive outreach targeting.

Each takes a `Context` and returns a `Suggestion` (deterministic, no I/O); `suggest`/`feedback` are the API a
desktop calls; `evaluate` writes the offline quality report; `wrap_up_mix_check` is the anchoring guardrail a
pilot's readout runs.
"""

from cxscale.capabilities.after_contact import (
    AfterContactModel,
    MixCheck,
    Summary,
    summarise,
    wrap_up_mix_check,
)
from cxscale.capabilities.api import builtin_models, context_from, feedback, suggest
from cxscale.capabilities.base import (
    REGISTRY,
    Capability,
    CapabilityInfo,
    Context,
    Item,
    Suggestion,
    info,
    load,
    save,
)
from cxscale.capabilities.guidance import Article, GuidanceModel
from cxscale.capabilities.intent import IntentModel
from cxscale.capabilities.outreach import UpliftModel, qini_coefficient, qini_curve
from cxscale.capabilities.report import Report, evaluate
from cxscale.capabilities.routing import Routing, route

__all__ = [
    "REGISTRY", "AfterContactModel", "Article", "Capability", "CapabilityInfo", "Context", "GuidanceModel",
    "IntentModel", "Item", "MixCheck", "Report", "Routing", "Suggestion", "Summary", "UpliftModel",
    "builtin_models", "context_from", "evaluate", "feedback", "info", "load", "qini_coefficient", "qini_curve",
    "route", "save", "suggest", "summarise", "wrap_up_mix_check",
]
