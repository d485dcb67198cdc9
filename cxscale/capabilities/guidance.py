"""Real-time guidance: retrieve the knowledge article (or next step) for the customer's need from what they have
said so far, with BM25 (bm25s) over the articles' titles and texts (docs/capabilities.md#guidance).

The confidence is the top article's share of the softmax of the BM25 scores of the top `top` articles: high when one
article stands out, low when several match weakly or nothing matches. Below `show_at` nothing is shown (the
suggestion is still computed and logged, as the pilot's control arm needs).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cxscale.capabilities.base import Context, Item, Suggestion, action_for, fingerprint
from cxscale.errors import CxscaleError

_WORD = re.compile(r"[a-z0-9]+")
#: English function words left out of the index (bm25s's list plus a few chat words); no corpus is downloaded.
_STOP = frozenset(["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with", "i", "me", "my", "we", "you", "your", "can", "do", "does", "did", "have", "has", "had", "please", "hi", "hello", "thanks", "thank", "just", "so", "im", "its", "ive", "dont", "cant"])


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without stop words (the same for articles and queries)."""
    return [w for w in _WORD.findall(text.lower().replace("'", "")) if w not in _STOP]


@dataclass(frozen=True)
class Article:
    """One knowledge article: id, title, the text an agent reads, and the group it belongs to (an ABCD flow)."""

    article_id: str
    title: str
    text: str
    group: str = ""


class GuidanceModel:
    """A BM25 index over a knowledge base."""

    name = "guidance"

    def __init__(self, articles: Sequence[Article], show_at: float = 0.35, top: int = 5, k1: float = 1.2,
                 b: float = 0.75) -> None:
        import bm25s

        if not articles:
            raise CxscaleError("guidance: the knowledge base has no articles")
        ids = [a.article_id for a in articles]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise CxscaleError(f"guidance: article ids must be unique; repeated: {', '.join(dup[:5])}")
        self.articles = tuple(articles)
        self.show_at, self.top = show_at, top
        self.index = bm25s.BM25(k1=k1, b=b)
        self.index.index([tokens(f"{a.title} {a.title} {a.group} {a.text}") for a in self.articles],
                         show_progress=False)
        self.model_version = "guidance-" + fingerprint(k1, b, [(a.article_id, a.title, a.text) for a in articles])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every article for `query` (0 for an empty query)."""
        q = tokens(query)
        if not q:
            return np.zeros(len(self.articles))
        return np.asarray(self.index.get_scores(q), float)

    def rank(self, query: str) -> list[str]:
        s = self.scores(query)
        return [self.articles[i].article_id for i in np.argsort(-s, kind="stable")[: self.top] if s[i] > 0]

    def suggest(self, context: Context) -> Suggestion:
        s = self.scores(context.customer_text())
        order = [i for i in np.argsort(-s, kind="stable")[: self.top] if s[i] > 0]
        if not order:
            return Suggestion(self.name, (), 0.0, "none", self.model_version, context.interaction_id)
        top = s[order]
        share = np.exp(top - top.max())
        conf = float(share[0] / share.sum()) if len(order) > 1 else 1.0
        items = tuple(Item(self.articles[i].article_id, float(s[i]), self.articles[i].title) for i in order)
        return Suggestion(self.name, items, conf, action_for(conf, self.show_at), self.model_version,
                          context.interaction_id)


def abcd_articles(folder: str | Path) -> list[Article]:
    """The ABCD agent guidelines as articles, one per subflow: id `flow/subflow` in the ontology's codes (the
    guidelines list each flow's subflows in the ontology's order), text = the flow's description, the subflow's
    instructions and every action's button, text and sub-points."""
    folder = Path(folder)
    guidelines, ontology = _json(folder / "guidelines.json"), _json(folder / "ontology.json")
    codes = ontology.get("intents", {}).get("subflows", {})
    out = []
    for flow, body in guidelines.items():
        code = re.sub(r"[^a-z]+", "_", flow.lower()).strip("_")
        names = list(body.get("subflows", {}))
        if code not in codes or len(codes[code]) != len(names):
            raise CxscaleError(f"{folder / 'guidelines.json'}: flow {flow!r} does not match ontology.json's "
                               f"subflows of {code!r}")
        for name, sub in zip(names, codes[code], strict=True):
            s = body["subflows"][name]
            parts = [body.get("description", ""), *s.get("instructions", [])]
            for a in s.get("actions", []):
                parts += [a.get("button", ""), a.get("text", ""), *a.get("subtext", [])]
            out.append(Article(f"{code}/{sub}", name, " ".join(p for p in parts if p), flow))
    return out


def abcd_conversations(folder: str | Path) -> list[dict[str, Any]]:
    """The ABCD sample conversations: id, the right article (`flow/subflow`; an FAQ subflow's variant suffix such
    as `timing_4` names the article `timing`) and the turns (speaker, text)."""
    path = Path(folder) / "abcd_sample.json"
    return [{"id": str(c["convo_id"]),
             "article": f"{c['scenario']['flow']}/{re.sub(r'_[0-9]+$', '', c['scenario']['subflow'])}",
             "turns": [(s, t) for s, t in c["original"]]} for c in _json(path)]


def _json(path: Path) -> Any:
    if not path.is_file():
        raise CxscaleError(f"{path}: not found (the ABCD folder holds guidelines.json, ontology.json, "
                           "abcd_sample.json)")
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise CxscaleError(f"{path}: not valid JSON ({exc})") from None
