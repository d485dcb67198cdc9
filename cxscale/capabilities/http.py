"""A small FastAPI router a contact-centre desktop can call (docs/capabilities.md#api): POST a context, get the
suggestion; POST what the agent did, get the feedback record to log. The application that mounts it owns the
models (`router(models)`) and the logging; this router keeps no state and does no I/O.

    from fastapi import FastAPI
    from cxscale.capabilities import builtin_models
    from cxscale.capabilities.http import router
    app = FastAPI(); app.include_router(router(builtin_models()), prefix="/capabilities")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from cxscale.capabilities.api import context_from, feedback, suggest
from cxscale.capabilities.base import Capability, Item, Suggestion
from cxscale.errors import CxscaleError


class ContextIn(BaseModel):
    interaction_id: str = Field("", max_length=200)
    customer_id: str | None = Field(None, max_length=200)
    agent_id: str | None = Field(None, max_length=200)
    channel: str | None = Field(None, max_length=50)
    text: str = Field("", max_length=20_000)
    turns: list[tuple[Literal["customer", "agent", "action"], str]] = Field(default_factory=list, max_length=500)
    features: dict[str, float] = Field(default_factory=dict)


class FeedbackIn(BaseModel):
    suggestion: dict[str, Any]
    action: Literal["displayed", "accepted", "edited", "dismissed", "overridden"]
    chosen_item: str | None = None
    final_text: str | None = Field(None, max_length=20_000)


def _suggestion_from(d: Mapping[str, Any]) -> Suggestion:
    try:
        return Suggestion(str(d["capability"]), tuple(Item(str(i["key"]), float(i["score"]), str(i.get("label", "")))
                                                      for i in d["items"]),
                          float(d["confidence"]), d["action"], str(d["model_version"]), str(d.get("interaction_id", "")),
                          d.get("text"))
    except (KeyError, TypeError, ValueError) as exc:
        raise HTTPException(422, f"suggestion: not a suggestion this API returned ({exc})") from None


def router(models: Mapping[str, Capability]) -> APIRouter:
    """Routes: POST /{name}/suggest (body: a context) and POST /feedback (body: the suggestion as returned, the
    action, the chosen item, the final text)."""
    api = APIRouter()

    @api.post("/{name}/suggest")
    def suggest_route(name: str, body: ContextIn) -> dict[str, Any]:
        try:
            return suggest(name, context_from(body.model_dump()), models).to_json()
        except CxscaleError as exc:
            raise HTTPException(404 if "unknown capability" in str(exc) or "no model" in str(exc) else 422,
                                str(exc)) from None

    @api.post("/feedback")
    def feedback_route(body: FeedbackIn) -> dict[str, Any]:
        s = _suggestion_from(body.suggestion)
        if body.suggestion.get("suggestion_id") not in (None, s.suggestion_id):
            raise HTTPException(422, "suggestion: its suggestion_id does not match its capability, model version "
                                     "and interaction")
        try:
            return feedback(s, body.action, body.chosen_item, body.final_text)
        except CxscaleError as exc:
            raise HTTPException(422, str(exc)) from None

    return api
