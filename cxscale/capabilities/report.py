"""The offline quality report of each capability on real data (BANKING77, ABCD, Hillstrom) or on a simulated world
(docs/capabilities.md): `evaluate(name, data)` picks the dataset by what the path holds."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from cxscale.capabilities import charts
from cxscale.capabilities.base import Context, info
from cxscale.errors import CxscaleError

Kind = Literal["share", "points", "number", "seconds", "count"]

#: Casanueva et al. 2020, "Efficient Intent Detection with Dual Sentence Encoders" (NLP4ConvAI at ACL 2020,
#: arXiv 2003.04807), Table 3: accuracy on the official BANKING77 test split after training on the full train split.
BANKING77_PUBLISHED = (("BERT-Tuned (Casanueva et al. 2020)", 0.9366), ("USE+ConveRT (Casanueva et al. 2020)", 0.9336),
                       ("USE+ConveRT, 10 examples per intent (Casanueva et al. 2020)", 0.8519))


@dataclass(frozen=True)
class Metric:
    """One line of a report: value, unit kind, the baseline's value beside it (chance, random targeting) if any."""

    name: str
    value: float
    kind: Kind = "share"
    baseline: float | None = None
    note: str = ""


@dataclass
class Report:
    """A capability's offline quality report: where it was measured, its metrics, published reference figures,
    notes (what the numbers do and do not show) and charts (inline SVG, for the HTML page)."""

    capability: str
    dataset: str
    source: str
    metrics: list[Metric]
    published: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    charts: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        c = info(self.capability)
        return {"capability": self.capability, "mode": c.mode, "unit": c.unit, "dataset": self.dataset,
                "source": self.source, "metrics": {m.name: m.value for m in self.metrics},
                "baselines": {m.name: m.baseline for m in self.metrics if m.baseline is not None},
                "published": [{"model": n, "accuracy": v} for n, v in self.published],
                "notes": self.notes, "tables": self.tables}


def _split(n: int, labels: Any, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    idx = np.arange(n)
    tr, te = train_test_split(idx, test_size=share, random_state=seed, stratify=labels)
    return np.sort(tr), np.sort(te)


# --- intent routing ------------------------------------------------------------------------------------------------

def intent_report(train_x: list[str], train_y: list[str], test_x: list[str], test_y: list[str], dataset: str,
                  source: str, seed: int = 0, tune_c: bool = True) -> Report:
    """Accuracy, macro-F1, top-3 accuracy and calibration on the test part, beside a model trained on shuffled
    labels (chance for this label mix), and the training time."""
    from cxscale.capabilities.intent import evaluate as evaluate_intent

    q = evaluate_intent(train_x, train_y, test_x, test_y, seed=seed, tune_c=tune_c)
    rel = [(b.confidence, b.accuracy, b.count) for b in q.reliability if b.count]
    return Report("intent_routing", dataset, source, [
        Metric("accuracy", q.accuracy, baseline=q.shuffled_accuracy, note="shuffled-label model beside it"),
        Metric("macro_f1", q.macro_f1, baseline=q.shuffled_macro_f1),
        Metric("top3_accuracy", q.top3_accuracy),
        Metric("ece", q.ece, baseline=q.shuffled_ece, note="expected calibration error, 10 bins (lower is better)"),
        Metric("train_seconds", q.train_seconds, "seconds", note=f"final fit on {q.n_train:,} texts (C={q.c:g}), "
               "wall clock"),
        Metric("train_cpu_seconds", q.train_cpu_seconds, "seconds", note="CPU time of the same fit"),
        Metric("train_texts", q.n_train, "count"), Metric("test_texts", q.n_test, "count"),
        Metric("classes", q.classes, "count"),
    ], tables={"reliability": [{"low": b.low, "high": b.high, "count": b.count, "confidence": b.confidence,
                                "accuracy": b.accuracy} for b in q.reliability],
               "tuning": [{"C": c, "macro_f1": f} for c, f in q.tuning.items()]},
        charts={"reliability": charts.reliability_chart(rel, "Reliability of the intent model (held-out part)")})


def banking77_report(folder: Path, seed: int = 0, test_share: float = 0.2, sample: int | None = None) -> Report:
    """BANKING77's train.csv only: a stratified held-out part (test_share) for the report; C is tuned on a split of
    the rest. `sample` subsamples (stratified) before splitting, for quick runs."""
    from cxscale.capabilities.datasets import labelled_csv

    x, y = labelled_csv(folder / "train.csv")
    n, counts = len(x), np.unique(y, return_counts=True)[1]
    # choosing C needs 5 training queries of every intent (cxscale.capabilities.intent.tune); 7 in the sample leave
    # that many beside the held-out part whatever the rounding
    least = math.ceil(7 * n / counts.min())

    def too_few(what: str) -> CxscaleError:
        return CxscaleError(f"--sample {sample:,}: {what}; sample at least {least:,} (BANKING77's smallest intent has "
                            f"{counts.min()} of its {n:,} queries)")

    if sample is not None and sample < n:
        if sample * test_share < len(counts):
            raise too_few(f"its held-out {test_share:.0%} would hold fewer queries than the {len(counts)} intents")
        keep, _ = _split(n, y, 1 - sample / n, seed)
        x, y = [x[i] for i in keep], [y[i] for i in keep]
    tr, te = _split(len(x), y, test_share, seed)
    fewest = int(np.unique([y[i] for i in tr], return_counts=True)[1].min())
    if sample is not None and fewest < 5:
        raise too_few(f"it leaves {fewest} training queries of an intent, and choosing the model's C needs 5 of each")
    r = intent_report([x[i] for i in tr], [y[i] for i in tr], [x[i] for i in te], [y[i] for i in te],
                      "BANKING77 (train.csv: held-out part)", str(folder), seed)
    r.published = list(BANKING77_PUBLISHED)
    r.notes += ["Published figures are on the official 3,080-query test split after training on all 10,003 training "
                "queries; this report holds out part of train.csv (the test split is kept apart), so the numbers "
                "are comparable in kind, not to the decimal.",
                "The published models use pretrained sentence encoders; this one is TF-IDF and a linear SVM, trained "
                "here from the data alone."]
    return r


def world_intent_report(folder: Path, seed: int = 0, limit: int | None = 6000) -> Report:
    """The intent model on a simulated world's first messages (70% train, 30% test), and routing on batches of
    waiting contacts against first-come routing."""
    from cxscale.capabilities.datasets import world_messages

    scenario, rows, _ = world_messages(folder, limit)
    x, y = [r["first_message"] for r in rows], [r["intent"] for r in rows]
    counts = {v: y.count(v) for v in set(y)}
    keep = [i for i, v in enumerate(y) if counts[v] >= 10]
    x, y = [x[i] for i in keep], [y[i] for i in keep]
    tr, te = _split(len(x), y, 0.3, seed)
    r = intent_report([x[i] for i in tr], [y[i] for i in tr], [x[i] for i in te], [y[i] for i in te],
                      f"simulated {scenario} world: first messages", str(folder), seed, tune_c=False)
    mixed = sum(1 for i in keep if rows[i]["secondary_intent"]) / max(len(keep), 1)
    r.notes.append(f"{mixed:.0%} of the messages mention a second need and about a quarter carry a typo "
                   "(simulate/messages.py); intents with fewer than 10 messages are left out.")
    r.metrics += routing_metrics([x[i] for i in tr], [y[i] for i in tr], [x[i] for i in te], seed)
    return r


def routing_metrics(train_x: list[str], train_y: list[str], test_x: list[str], seed: int) -> list[Metric]:
    """Expected resolutions per contact when batches of 20 waiting contacts meet 12 agents (each skilled in a third of
    the intents, better at some): the assignment against first-come routing, both on the model's probabilities."""
    from cxscale.capabilities.intent import IntentModel
    from cxscale.capabilities.routing import first_come, route

    model = IntentModel.fit(train_x, train_y, seed=seed)
    rng = np.random.default_rng(seed)
    k = len(model.classes)
    opt = fifo = served_opt = served_fifo = 0.0
    batches = min(50, len(test_x) // 20)
    for b in range(batches):
        p = model.predict_proba(test_x[b * 20:(b + 1) * 20])
        skill = rng.random((12, k)) < 1 / 3
        skill[np.arange(12), rng.integers(0, k, 12)] = True
        value = np.clip(0.55 + rng.normal(0, 0.12, (12, k)), 0.05, 0.95)
        a, f = route(p, value, skill), first_come(p, value, skill)
        opt, fifo = opt + a.total, fifo + f.total
        served_opt, served_fifo = served_opt + len(a.pairs), served_fifo + len(f.pairs)
    return [Metric("routing_resolutions_per_batch", opt / max(batches, 1), "number",
                   baseline=fifo / max(batches, 1), note="expected resolutions, assignment vs first-come"),
            Metric("routing_served_per_batch", served_opt / max(batches, 1), "number",
                   baseline=served_fifo / max(batches, 1))]


# --- guidance ------------------------------------------------------------------------------------------------------

def _retrieval(model: Any, queries: list[str], truth: list[str]) -> dict[str, float]:
    from cxscale.capabilities.quality import mean_reciprocal_rank, ranks, recall_at

    suggestions = [model.suggest(Context(text=q)) for q in queries]
    rk = ranks([[i.key for i in s.items] for s in suggestions], truth)
    shown = np.array([s.shown for s in suggestions])
    top_right = rk == 1
    return {"recall_at_1": recall_at(rk, 1), "recall_at_3": recall_at(rk, 3), "recall_at_5": recall_at(rk, 5),
            "mrr": mean_reciprocal_rank(rk), "shown_share": float(shown.mean()),
            "precision_when_shown": float(top_right[shown].mean()) if shown.any() else float("nan"),
            "queries": len(queries)}


def abcd_report(folder: Path) -> Report:
    """ABCD's 55 subflows as articles; the 3 sample conversations' customer turns as queries: after the first
    customer turn, after three, and the whole customer side."""
    from cxscale.capabilities.guidance import GuidanceModel, abcd_articles, abcd_conversations

    model = GuidanceModel(abcd_articles(folder))
    convs = abcd_conversations(folder)
    rows: list[dict[str, Any]] = []
    for label, turns in (("first customer turn", 1), ("first three customer turns", 3), ("whole conversation", None)):
        qs = [" ".join([t for s, t in c["turns"] if s == "customer"][:turns]) for c in convs]
        m = _retrieval(model, qs, [c["article"] for c in convs])
        rows.append({"query": label, **m})
    whole = rows[-1]
    metrics = [Metric(f"{k}", whole[k]) for k in ("recall_at_1", "recall_at_3", "recall_at_5", "mrr", "shown_share")]
    metrics += [Metric("articles", len(model.articles), "count"), Metric("conversations", len(convs), "count")]
    return Report("guidance", "ABCD guidelines (55 subflows) and its 3 sample conversations", str(folder), metrics,
                  notes=["Only 3 sample conversations ship with the guidelines (the 10,000-conversation corpus is not "
                         "here): these figures show the pipeline on real text, they are not a precise estimate.",
                         "Metrics above are for the whole customer side; the table has them by how much was said."],
                  tables={"by_turns": rows},
                  charts={"recall": charts.recall_chart([(r["query"], r["mrr"]) for r in rows],
                                                        "MRR of the right ABCD subflow")})


def world_guidance_report(folder: Path, limit: int | None = 3000) -> Report:
    """The world's knowledge base; each contact's first message, then its first three turns, as queries."""
    from cxscale.capabilities.datasets import world_messages
    from cxscale.capabilities.guidance import Article, GuidanceModel

    scenario, rows, kb = world_messages(folder, limit)
    model = GuidanceModel([Article(a["article_id"], a["title"], a["text"]) for a in kb])
    truth = [f"kb-{r['intent']}" for r in rows]
    table: list[dict[str, Any]] = []
    for label, q in (("first message", [r["first_message"] for r in rows]),
                     ("first customer turns", [" ".join(t for s, t in r["transcript"] if s == "customer")
                                               for r in rows])):
        table.append({"query": label, **_retrieval(model, q, truth)})
    first = table[0]
    metrics = [Metric(k, first[k]) for k in ("recall_at_1", "recall_at_3", "recall_at_5", "mrr", "shown_share",
                                             "precision_when_shown")]
    metrics += [Metric("articles", len(model.articles), "count"), Metric("queries", first["queries"], "count")]
    return Report("guidance", f"simulated {scenario} world: first messages against its knowledge base", str(folder),
                  metrics, notes=[f"Nothing is shown below confidence {model.show_at:g}; precision_when_shown is "
                                  "recall@1 among the shown suggestions."],
                  tables={"by_query": table},
                  charts={"recall": charts.recall_chart([(f"recall@{k}", first[f"recall_at_{k}"]) for k in (1, 3, 5)]
                                                        + [("MRR", first["mrr"])], "Right article retrieved")})


# --- after-contact -------------------------------------------------------------------------------------------------

def world_after_contact_report(folder: Path, seed: int = 0, limit: int | None = 4000) -> Report:
    """Wrap-up codes learnt from 70% of the world's transcripts, judged on 30%: accuracy, the auto-applied share
    and its accuracy; the summaries' kept entities."""
    from cxscale.capabilities.after_contact import AMOUNT, REFERENCE, AfterContactModel, summarise
    from cxscale.capabilities.datasets import world_messages

    scenario, rows, _ = world_messages(folder, limit)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["wrap_up_code"]] = counts.get(r["wrap_up_code"], 0) + 1
    rows = [r for r in rows if counts[r["wrap_up_code"]] >= 10]
    tr, te = _split(len(rows), [r["wrap_up_code"] for r in rows], 0.3, seed)
    model = AfterContactModel.fit([rows[i]["transcript"] for i in tr], [rows[i]["wrap_up_code"] for i in tr], seed)
    sugg = [model.suggest(Context(turns=tuple(rows[i]["transcript"]))) for i in te]
    truth = np.array([rows[i]["wrap_up_code"] for i in te])
    pred = np.array([s.items[0].key for s in sugg])
    auto = np.array([s.action == "auto_apply" for s in sugg])
    kept = []
    for i in te:
        everything = " ".join(t for _, t in rows[i]["transcript"])
        ents = AMOUNT.findall(everything) + REFERENCE.findall(everything)
        text = summarise(rows[i]["transcript"]).text
        kept += [e in text for e in ents]
    right = pred == truth
    return Report("after_contact", f"simulated {scenario} world: transcripts and wrap-up codes", str(folder), [
        Metric("wrap_up_accuracy", float(right.mean())),
        Metric("auto_apply_share", float(auto.mean()), note=f"confidence at least {model.auto_at:g}"),
        Metric("auto_apply_accuracy", float(right[auto].mean()) if auto.any() else float("nan")),
        Metric("suggested_accuracy", float(right[~auto].mean()) if (~auto).any() else float("nan")),
        Metric("entities_kept", float(np.mean(kept)) if kept else float("nan"),
               note="amounts and references of the transcript found in its summary"),
        Metric("codes", len(set(truth)), "count"), Metric("test_transcripts", len(te), "count"),
    ], notes=["The anchoring guardrail (wrap-up mix must not shift between arms) runs in the pilot's readout: "
              "cxscale.capabilities.wrap_up_mix_check on per-arm code counts."])


# --- outreach ------------------------------------------------------------------------------------------------------

def hillstrom_report(path: Path, seed: int = 0, learner: str = "two_model", draws: int = 300) -> Report:
    """Womens e-mail vs no e-mail, outcome visit: train on 70%, rank the held-out 30% by predicted uplift; Qini
    coefficient with a bootstrap interval (random targeting of the same share scores 0)."""
    from cxscale.capabilities.datasets import HILLSTROM_FEATURES, hillstrom
    from cxscale.capabilities.outreach import (
        UpliftModel,
        auuc,
        bootstrap_qini,
        qini_coefficient,
        qini_curve,
        uplift_at,
    )

    x, t, y = hillstrom(path)
    tr, te = _split(len(y), t.astype(int) * 2 + y, 0.3, seed)
    t0 = time.perf_counter()
    model = UpliftModel.fit(x[tr], t[tr], y[tr], HILLSTROM_FEATURES, learner, seed)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    s = model.uplift(x[te])
    curve = qini_curve(s, t[te], y[te])
    q = qini_coefficient(curve)
    lo, hi = bootstrap_qini(s, t[te], y[te], draws, seed)
    overall = float(y[te][t[te]].mean() - y[te][~t[te]].mean())
    metrics = [Metric("qini_coefficient", q, "number", baseline=0.0,
                      note=f"95% bootstrap interval [{lo:.4f}, {hi:.4f}] ({draws} resamples); random targeting 0"),
               Metric("qini_low", lo, "number"), Metric("qini_high", hi, "number"),
               Metric("auuc", auuc(curve), "number", baseline=overall / 2,
                      note="random targeting's AUUC is about half the overall uplift")]
    for k in (0.1, 0.2, 0.3):
        metrics.append(Metric(f"uplift_at_{int(k * 100)}", uplift_at(s, t[te], y[te], k), "points", overall,
                              note="observed visit uplift in the top share; random targeting: the overall uplift"))
    metrics += [Metric("train_seconds", seconds, "seconds"), Metric("held_out_customers", len(te), "count")]
    verdict = ("beats" if lo > 0 else "does not beat") + " random targeting of the same share"
    return Report("outreach", f"Hillstrom e-mail experiment: Womens e-mail vs none, outcome visit ({learner})",
                  str(path), metrics,
                  notes=[f"Targeting by predicted uplift {verdict}: the Qini coefficient's interval "
                         f"[{lo:.4f}, {hi:.4f}] {'excludes' if lo > 0 else 'includes'} 0.",
                         "The no-show data (SMS reminders sent by rule) is observational and is not used as uplift "
                         "truth; the simulator's outreach scenario is not calibrated from it yet."],
                  charts={"qini": charts.qini_chart(list(curve.share), list(curve.qini),
                                                    "Qini curve on held-out customers")})


# --- dispatch ------------------------------------------------------------------------------------------------------

def evaluate(name: str, data: str | Path, seed: int = 0, sample: int | None = None) -> Report:
    """The report of capability `name` on `data`: a BANKING77-like folder (train.csv), the ABCD folder, the Hillstrom
    CSV or a simulated world folder."""
    info(name)
    path = Path(data)
    if not path.exists():
        raise CxscaleError(f"{path}: no such file or folder")
    world = (path / "ground_truth.json").is_file()
    if name == "intent_routing":
        if world:
            return world_intent_report(path, seed, limit=sample or 6000)
        if (path / "train.csv").is_file():
            return banking77_report(path, seed, sample=sample)
    elif name == "guidance":
        if world:
            return world_guidance_report(path, limit=sample or 3000)
        if (path / "guidelines.json").is_file():
            return abcd_report(path)
    elif name == "after_contact":
        if world:
            return world_after_contact_report(path, seed, limit=sample or 4000)
    elif name == "outreach" and (path.suffix == ".csv" or (path / "hillstrom.csv").is_file()):
        return hillstrom_report(path, seed)
    raise CxscaleError(f"{path}: no data {name} can be evaluated on here (it reads {info(name).data})")
