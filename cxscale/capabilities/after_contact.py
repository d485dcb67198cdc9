"""After-contact work: an extractive, turn-aware summary and the wrap-up code (docs/capabilities.md#after-contact).

The summary copies turns, it writes nothing new: the issue is the customer's first substantial turn, the action the
agent's (or the system's) turns that did something, the resolution the agent's last turn; amounts, dates and order
or case references found anywhere in the conversation are listed so none is lost. The wrap-up code is a calibrated
text classifier over the whole transcript (the intent model's pipeline), auto-applied at or above `auto_at` and
suggested otherwise. `wrap_up_mix_check` is the anchoring guardrail a readout runs on per-arm code counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cxscale.capabilities.base import Context, Item, Suggestion, action_for
from cxscale.capabilities.intent import IntentModel
from cxscale.stats.code_mix import MixCheck, mix_check

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
AMOUNT = re.compile(r"(?:[\u20ac$\u00a3]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:eur|euros|usd|dollars|gbp|pounds)\b)",
                    re.I)
DATE = re.compile(rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s(?:{_MONTHS})\b"
                  rf"|(?:{_MONTHS})\s\d{{1,2}}(?:st|nd|rd|th)?\b)", re.I)
REFERENCE = re.compile(r"\b(?:[A-Z]{2,5}-\d{4,}|\d{8,12})\b")
_ACTED = re.compile(r"\b(i have|i've|i'll|i will|i can|done|raised|applied|processed|booked|sent|updated|issued|"
                    r"refunded|cancelled|reset|escalat\w*|notified|entered|pulled up|validat\w*)\b", re.I)
_SMALL_TALK = re.compile(r"^\W*(hi|hello|hey|thanks?|thank you|ok|okay|yes|no|bye|great|perfect)\b\W*$", re.I)
_CLOSING = re.compile(r"\b(great|nice|good|lovely) (day|night|evening|weekend)\b|\banything else\b|\bbye\b|"
                      r"\bpleasure to help\b|\byou're welcome\b|^\W*i won't\W*$", re.I)


@dataclass(frozen=True)
class Summary:
    """The summary's parts (each copied from the conversation) and the entities it keeps."""

    issue: str
    action: str
    resolution: str
    amounts: tuple[str, ...]
    dates: tuple[str, ...]
    references: tuple[str, ...]

    @property
    def text(self) -> str:
        parts = [f"Issue: {self.issue}", f"Action: {self.action or 'none recorded'}",
                 f"Resolution: {self.resolution or 'none recorded'}"]
        details = [f"{k} {', '.join(v)}" for k, v in (("amounts", self.amounts), ("dates", self.dates),
                                                      ("references", self.references)) if v]
        return "\n".join(parts + ([f"Details: {'; '.join(details)}"] if details else []))


def _unique(found: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.strip() for f in found))


def summarise(turns: Sequence[tuple[str, str]]) -> Summary:
    """The extractive summary of a conversation (turns of (speaker, text); speakers customer, agent, action)."""
    customer = [t for s, t in turns if s == "customer" and t.strip()]
    issue = next((t for t in customer if not _SMALL_TALK.match(t) and len(t.split()) >= 3), customer[0] if customer
                 else "")
    agent = [(s, t) for s, t in turns if s in ("agent", "action") and t.strip()]
    said = [t for s, t in agent if s == "agent"]
    last_agent = next((t for t in reversed(said) if not _CLOSING.search(t) and len(t.split()) >= 4),
                      said[-1] if said else "")
    acted = [t for s, t in agent if (s == "action" or _ACTED.search(t)) and t != last_agent]
    everything = " ".join(t for _, t in turns)
    return Summary(issue.strip(), " ".join(acted[-3:]).strip(), last_agent.strip(),
                   _unique(AMOUNT.findall(everything)), _unique(DATE.findall(everything)),
                   _unique(REFERENCE.findall(everything)))


def transcript_text(turns: Sequence[tuple[str, str]]) -> str:
    """One string of a conversation for the wrap-up classifier, each turn tagged with its speaker."""
    return " ".join(f"[{s}] {t}" for s, t in turns)


class AfterContactModel:
    """Summary + wrap-up code: `suggest` ranks codes by calibrated probability, its text is the summary."""

    name = "after_contact"

    def __init__(self, codes: IntentModel, auto_at: float = 0.9, show_at: float = 0.0) -> None:
        self.codes = codes
        self.auto_at, self.show_at = auto_at, show_at
        self.model_version = codes.model_version.replace("intent-", "wrapup-")

    @classmethod
    def fit(cls, transcripts: Sequence[Sequence[tuple[str, str]]], codes: Sequence[str], seed: int = 0,
            auto_at: float = 0.9, c: float = 0.5) -> AfterContactModel:
        return cls(IntentModel.fit([transcript_text(t) for t in transcripts], codes, c=c, seed=seed), auto_at)

    def suggest(self, context: Context) -> Suggestion:
        turns = context.turns or (("customer", context.text),)
        p = self.codes.predict_proba([transcript_text(turns)])[0]
        order = p.argsort()[::-1][:3]
        conf = float(p[order[0]])
        items = tuple(Item(self.codes.classes[i], float(p[i])) for i in order)
        return Suggestion(self.name, items, conf, action_for(conf, self.show_at, self.auto_at), self.model_version,
                          context.interaction_id, text=summarise(turns).text)


def wrap_up_mix_check(counts: Mapping[str, Mapping[str, int]], alpha: float = 0.01,
                      min_expected: float = 5.0) -> MixCheck:
    """The anchoring guardrail: does the mix of wrap-up codes differ between arms? counts: arm -> code -> contacts.

    A suggested code that agents accept without reading would shift the mix towards it and corrupt contact-reason
    reporting. The test is cxscale.stats.code_mix.mix_check (chi-square, sparse codes pooled); a capability pilot's
    readout runs it with a randomisation p-value over its units (cxscale.measure.anchoring).
    """
    return mix_check(counts, alpha, min_expected)
