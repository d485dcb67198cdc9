"""The Python API a contact-centre desktop calls: `suggest(name, context)` for a suggestion and `feedback(...)` for
the record to log when the agent acts on it (docs/capabilities.md#api).

Without models given, `suggest` uses the built-in ones, trained once per process on the simulator's synthetic
messages and knowledge base (support scenario): deterministic, offline, good for trying the API and for the
simulated pilots. Pass your own fitted models (`models={"guidance": GuidanceModel(...)}`, or `load(path)`) for
real use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from cxscale.capabilities.base import Capability, Context, Suggestion, info
from cxscale.errors import CxscaleError

FeedbackAction = Literal["displayed", "accepted", "edited", "dismissed", "overridden", "auto_applied"]
FEEDBACK_ACTIONS = ("displayed", "accepted", "edited", "dismissed", "overridden", "auto_applied")


@cache
def builtin_models(seed: int = 0, contacts: int = 3000) -> dict[str, Capability]:
    """intent_routing, guidance and after_contact trained on `contacts` synthetic support contacts (outreach needs a
    randomised campaign: fit an UpliftModel on yours)."""
    from cxscale.capabilities.after_contact import AfterContactModel
    from cxscale.capabilities.guidance import Article, GuidanceModel
    from cxscale.capabilities.intent import IntentModel
    from cxscale.simulate import support_catalog as C
    from cxscale.simulate.messages import first_message, knowledge_base, transcript, wrap_up_code

    intents = [C.INTENTS[i % len(C.INTENTS)] for i in range(contacts)]
    keys = [f"builtin-{i}" for i in range(contacts)]
    resolved = [i % 3 != 0 for i in range(contacts)]
    texts = [first_message("support", it, k, seed)[0] for it, k in zip(intents, keys, strict=True)]
    skills = {name: stage for name, stage in zip(C.INTENTS, (C.STAGES[s] for s in C.INTENT_STAGE), strict=True)}
    turns = [transcript("support", it, k, r, seed) for it, k, r in zip(intents, keys, resolved, strict=True)]
    codes = [wrap_up_code(it, r) for it, r in zip(intents, resolved, strict=True)]
    return {
        "intent_routing": IntentModel.fit(texts, intents, seed=seed, skills=skills),
        "guidance": GuidanceModel([Article(a["article_id"], a["title"], a["text"])
                                   for a in knowledge_base("support")]),
        "after_contact": AfterContactModel.fit(turns[:1500], codes[:1500], seed),
    }


def suggest(name: str, context: Context | Mapping[str, Any],
            models: Mapping[str, Capability] | None = None) -> Suggestion:
    """The suggestion of capability `name` for `context` (a Context or a dict of its fields)."""
    info(name)
    if not isinstance(context, Context):
        context = context_from(context)
    pool = models if models is not None else ({} if name == "outreach" else builtin_models())
    if name not in pool:
        raise CxscaleError(f"no model for capability {name!r}: pass models={{{name!r}: <fitted model>}}")
    return pool[name].suggest(context)


def context_from(fields: Mapping[str, Any]) -> Context:
    """A Context from plain JSON-like fields; an unknown field or a malformed turn is one line naming it."""
    allowed = set(Context.__dataclass_fields__)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise CxscaleError(f"context: unknown fields {', '.join(unknown)} (known: {', '.join(sorted(allowed))})")
    data = dict(fields)
    turns = data.get("turns") or ()
    for i, t in enumerate(turns):
        if not (isinstance(t, list | tuple) and len(t) == 2 and t[0] in ("customer", "agent", "action")
                and isinstance(t[1], str)):
            raise CxscaleError(f"context: turns[{i}] must be [speaker, text] with speaker customer, agent or action")
    data["turns"] = tuple((str(s), str(t)) for s, t in turns)
    feats = data.get("features") or {}
    if not isinstance(feats, Mapping):
        raise CxscaleError("context: features must map names to numbers")
    data["features"] = {str(k): float(v) for k, v in feats.items()}
    return Context(**data)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in characters (what an agent changed in a suggested text)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def feedback(suggestion: Suggestion, action: FeedbackAction, chosen_item: str | None = None,
             final_text: str | None = None, at: datetime | None = None) -> dict[str, Any]:
    """The feedback record to log for a suggestion: a row of the contract's feedback table (suggestion_id, action,
    chosen_item, edit_distance, ts; capability and interaction_id besides). edit_distance is measured from the
    suggestion's text (or top item) to `final_text` when given."""
    if action not in FEEDBACK_ACTIONS:
        raise CxscaleError(f"feedback: action {action!r} is not one of {', '.join(FEEDBACK_ACTIONS)}")
    keys = [i.key for i in suggestion.items]
    if chosen_item is not None and action in ("accepted", "edited") and chosen_item not in keys:
        raise CxscaleError(f"feedback: chosen_item {chosen_item!r} was not suggested (suggested: {', '.join(keys)}); "
                           "log an override as action 'overridden'")
    base = suggestion.text if suggestion.text is not None else (keys[0] if keys else "")
    when = at or datetime.now(UTC)
    if when.tzinfo is None:
        raise CxscaleError("feedback: the time must carry a time zone (UTC)")
    return {"suggestion_id": suggestion.suggestion_id, "capability": suggestion.capability,
            "interaction_id": suggestion.interaction_id, "action": action, "chosen_item": chosen_item,
            "edit_distance": edit_distance(base, final_text) if final_text is not None else None,
            "ts": when.astimezone(UTC).isoformat()}
