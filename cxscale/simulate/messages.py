"""First messages and short transcripts for simulated contacts, and the knowledge base of the simulated intents
(docs/simulator.md#messages).

Text is a pure function of (scenario, seed, interaction id, intent, resolved): any contact's message can be
recomputed without the file. It is written to be not trivially classifiable: several phrasings per intent with
filled slots, openers, fillers, typos (about one message in four), and a second need mentioned in about one in ten
("mixed intents"). Transcripts carry amounts, dates and references that a summary must keep.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from cxscale.errors import CxscaleError
from cxscale.simulate import message_catalog as M

TYPO_SHARE = 0.25
MIXED_SHARE = 0.10
MESSAGES_FILE = "messages.parquet"
KNOWLEDGE_FILE = "knowledge_base.json"


def phrases(scenario: str) -> dict[str, tuple[str, ...]]:
    """The phrasings per intent of a scenario."""
    if scenario == "support":
        return M.SUPPORT_PHRASES
    if scenario == "scheduling":
        return M.SCHEDULING_PHRASES
    raise CxscaleError(f"unknown scenario {scenario!r}: choose support or scheduling")


def knowledge_base(scenario: str) -> list[dict[str, str]]:
    """The scenario's knowledge articles: article_id, intent (empty for articles no need maps to), title, text."""
    kb = M.SUPPORT_KB if scenario == "support" else M.SCHEDULING_KB if scenario == "scheduling" else None
    if kb is None:
        raise CxscaleError(f"unknown scenario {scenario!r}: choose support or scheduling")
    extra = M.SUPPORT_KB_EXTRA if scenario == "support" else {}
    symptoms = M.SUPPORT_KB_SYMPTOMS if scenario == "support" else {}
    return ([{"article_id": f"kb-{i}", "intent": i, "title": t,
              "text": x + (f" Symptoms: {symptoms[i]}." if i in symptoms else "")} for i, (t, x) in kb.items()]
            + [{"article_id": f"kb-{k}", "intent": "", "title": t, "text": x} for k, (t, x) in extra.items()])


def _rng(seed: int, key: str) -> random.Random:
    return random.Random(zlib.crc32(f"{seed}\x1f{key}".encode()))


def _slots(r: random.Random) -> dict[str, str]:
    return {
        "amount": f"\u20ac{r.randint(5, 240)}.{r.choice(('00', '50', '99', '20'))}",
        "date": f"{r.randint(1, 28)} {r.choice(M.MONTHS)}",
        "ref": f"ORD-{r.randint(100000, 999999)}",
        "device": r.choice(M.DEVICES), "city": r.choice(M.CITIES), "plan": r.choice(M.PLANS),
        "month": r.choice(M.MONTHS), "time": f"{r.randint(8, 18)}:{r.choice(('00', '15', '30', '45'))}",
    }


def _typo(r: random.Random, s: str) -> str:
    """One keyboard slip: swap two neighbours, drop or double a letter."""
    letters = [i for i, ch in enumerate(s) if ch.isalpha()]
    if len(letters) < 4:
        return s
    i = r.choice(letters[1:-1])
    kind = r.randrange(3)
    if kind == 0:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if kind == 1:
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]


def first_message(scenario: str, intent: str, key: str, seed: int = 0) -> tuple[str, str]:
    """The customer's first message for a contact (key: its interaction id) and the second intent it mentions
    ("" when none)."""
    table = phrases(scenario)
    if intent not in table:
        raise CxscaleError(f"no phrasings for intent {intent!r} in scenario {scenario!r}")
    r = _rng(seed, key)
    slots = _slots(r)
    body = r.choice(table[intent]).format(**slots)
    second = ""
    if r.random() < MIXED_SHARE:
        second = r.choice([i for i in table if i != intent])
        other = r.choice(table[second]).format(**slots)
        body = f"{body}. also {other}" if r.random() < 0.7 else f"{other}, but mainly {body}"
    text = r.choice(M.OPENERS) + r.choice(M.FILLERS) + body + r.choice(M.CLOSERS)
    if r.random() < TYPO_SHARE:
        text = _typo(r, text)
    if r.random() < 0.5:
        text = text.lower()
    return text.strip(), second


def transcript(scenario: str, intent: str, key: str, resolved: bool, seed: int = 0) -> list[tuple[str, str]]:
    """A short conversation: the first message, the agent asking for details, the customer's details (a reference,
    an amount or a date), the agent's action from the knowledge article, and the outcome."""
    first, _ = first_message(scenario, intent, key, seed)
    r = _rng(seed + 1, key)
    s = _slots(r)
    kb = {a["intent"]: a for a in knowledge_base(scenario)}
    step = kb[intent]["text"].split(", ")[0].split(". ")[0].lower() if intent in kb else "checked the account"
    turns = [("customer", first),
             ("agent", r.choice(("Thanks, can I take your account number?", "Sure, let me look at your account.",
                                 "I can help with that. Can you confirm your details?"))),
             ("customer", r.choice((f"it's about {s['ref']}", f"the amount was {s['amount']}",
                                    f"since {s['date']}", f"reference {s['ref']}, {s['amount']}"))),
             ("agent", f"I have done this for you: {step}.")]
    if resolved:
        turns.append(("agent", r.choice((f"That's sorted now, effective {s['date']}.",
                                         "All done, you'll get a confirmation by email.",
                                         f"Resolved: {s['amount']} applied to the account."))))
        turns.append(("customer", r.choice(("great, thanks", "perfect", "ok thank you", "thanks, bye"))))
    else:
        turns.append(("agent", r.choice((f"I've raised case {s['ref']}; the team will call you by {s['date']}.",
                                         "I need to pass this to a specialist team, they'll be in touch.",
                                         "I can't fix this today, please call back after the engineer visit."))))
        turns.append(("customer", r.choice(("so it's not fixed", "fine, I'll wait", "this is the second time"))))
    return turns


def wrap_up_code(intent: str, resolved: bool) -> str:
    """The wrap-up code an agent picks for a contact: its intent and whether it was resolved."""
    return f"{intent}:{'resolved' if resolved else 'follow_up'}"


def messages_table(scenario: str, seed: int, interaction_ids: Iterable[str], intents: Iterable[str],
                   resolved: Iterable[bool]) -> pa.Table:
    """One row per contact: interaction_id, intent (the truth), secondary_intent, first_message, transcript (JSON
    list of [speaker, text]) and wrap_up_code (the true code)."""
    rows: dict[str, list] = {k: [] for k in ("interaction_id", "intent", "secondary_intent", "first_message",
                                             "transcript", "wrap_up_code")}
    for iid, intent, res in zip(interaction_ids, intents, resolved, strict=True):
        text, second = first_message(scenario, intent, iid, seed)
        rows["interaction_id"].append(iid)
        rows["intent"].append(intent)
        rows["secondary_intent"].append(second)
        rows["first_message"].append(text)
        rows["transcript"].append(json.dumps(transcript(scenario, intent, iid, bool(res), seed)))
        rows["wrap_up_code"].append(wrap_up_code(intent, bool(res)))
    return pa.table(rows)


def write_messages(out: str | Path, scenario: str, seed: int, limit: int | None = None) -> int:
    """Write DIR/messages.parquet for the world's contacts (the first `limit` when given) and
    DIR/knowledge_base.json; returns the number of messages."""
    out = Path(out)
    cols = ["interaction_id", "intent", "resolved"]
    t = ds.dataset(out / "interactions", format="parquet").to_table(columns=cols)
    if limit is not None:
        t = t.slice(0, limit)
    msgs = messages_table(scenario, seed, t["interaction_id"].to_pylist(), t["intent"].to_pylist(),
                          [bool(v) for v in t["resolved"].to_pylist()])
    pq.write_table(msgs, out / MESSAGES_FILE)
    (out / KNOWLEDGE_FILE).write_text(json.dumps(knowledge_base(scenario), indent=2) + "\n")
    return msgs.num_rows
