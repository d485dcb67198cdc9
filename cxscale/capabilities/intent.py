"""Intent detection: TF-IDF word (1-2) and character (2-5, within word bounds) n-grams into a linear SVM whose scores
are calibrated to probabilities by temperature scaling on cross-validation folds (docs/capabilities.md#intent).

Why this model: it trains in seconds on 2 cores, needs no downloaded weights, and character n-grams absorb the typos
of real first messages. Temperature scaling keeps the SVM's ranking and makes the confidence honest, which the
routing threshold relies on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxscale.capabilities.base import Context, Item, Suggestion, action_for, fingerprint
from cxscale.errors import CxscaleError

#: The regularisation values tried by `tune` (inverse strength of the SVM's penalty).
C_GRID = (0.25, 0.5, 1.0)


def _pipeline(c: float, seed: int) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True),
    )
    # ensemble=False: one SVM on all the data, its temperature fitted on 3-fold out-of-fold scores; a third of the
    # prediction time of averaging three fold models (the latency budget is 20 ms per suggestion).
    model = CalibratedClassifierCV(LinearSVC(C=c, random_state=seed), cv=3, method="temperature", ensemble=False)
    return make_pipeline(features, model)


class IntentModel:
    """A fitted intent classifier. `suggest` ranks intents by calibrated probability; the top intent's probability is
    the confidence, shown at or above `show_at` and routed automatically at or above `auto_at`."""

    name = "intent_routing"

    def __init__(self, pipeline: Any, classes: Sequence[str], model_version: str, show_at: float = 0.4,
                 auto_at: float = 0.8, skills: Mapping[str, str] | None = None, top: int = 3) -> None:
        self.pipeline = pipeline
        self.classes = tuple(str(c) for c in classes)
        self.model_version = model_version
        self.show_at, self.auto_at, self.top = show_at, auto_at, top
        self.skills = dict(skills or {})

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], c: float = 0.5, seed: int = 0,
            **options: Any) -> IntentModel:
        """Train on `texts` labelled `labels` (every class needs at least 3 examples for the calibration folds)."""
        texts, labels = [str(t) for t in texts], [str(v) for v in labels]
        if len(texts) != len(labels) or not texts:
            raise CxscaleError("intent model: texts and labels must be non-empty and of the same length")
        _enough(labels, 3, "calibrating the scores (3 folds)")
        pipeline = _pipeline(c, seed).fit(texts, labels)
        version = "intent-" + fingerprint(c, seed, texts, labels)
        return cls(pipeline, pipeline.classes_, version, **options)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in `classes` order."""
        return np.asarray(self.pipeline.predict_proba([str(t) for t in texts]))

    def suggest(self, context: Context) -> Suggestion:
        p = self.predict_proba([context.customer_text()])[0]
        order = np.argsort(-p, kind="stable")[: self.top]
        items = tuple(Item(self.classes[i], float(p[i]), self.skills.get(self.classes[i], "")) for i in order)
        conf = float(p[order[0]])
        return Suggestion(self.name, items, conf, action_for(conf, self.show_at, self.auto_at), self.model_version,
                          context.interaction_id)


def tune(texts: Sequence[str], labels: Sequence[str], seed: int = 0, grid: Sequence[float] = C_GRID,
         validation_share: float = 0.2) -> tuple[float, dict[float, float]]:
    """Pick C by macro-F1 on a stratified validation split of the given (training) data; returns the best C and the
    score of each."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split

    # a class of 5 leaves 4 beside its 1 validation example, and each fold of the calibration then holds one
    _enough([str(v) for v in labels], 5, f"choosing C (a stratified {validation_share:.0%} validation split, then 3 "
            "calibration folds on the rest)")
    tr_x, va_x, tr_y, va_y = train_test_split(list(texts), list(labels), test_size=validation_share,
                                              random_state=seed, stratify=list(labels))
    scores = {}
    for c in grid:
        pred = _pipeline(c, seed).fit(tr_x, tr_y).predict(va_x)
        scores[c] = float(f1_score(va_y, pred, average="macro"))
    return max(scores, key=lambda c: (scores[c], -c)), scores


def _enough(labels: Sequence[str], need: int, step: str) -> None:
    """Refuse, in one line naming the classes short of examples, labels a step of training cannot use."""
    values, counts = np.unique(labels, return_counts=True)
    if len(values) < 2:
        raise CxscaleError("intent model: the labels hold a single class; at least 2 are needed")
    few = [f"{v} ({n})" for v, n in zip(values, counts, strict=True) if n < need]
    if few:
        raise CxscaleError(f"intent model: {step} needs at least {need} examples of each class; {len(few)} of "
                           f"{len(values)} have fewer: {', '.join(few[:5])}{' ...' if len(few) > 5 else ''}; add "
                           "examples of them or leave them out")


@dataclass(frozen=True)
class IntentQuality:
    """Held-out quality of an intent model: shares 0-1, ECE on the top-class confidence, its reliability table, the
    same measures for a model trained on shuffled labels (chance), and the training time in seconds (wall
    clock and this process's CPU, which a busy machine does not inflate)."""

    n_train: int
    n_test: int
    classes: int
    accuracy: float
    macro_f1: float
    top3_accuracy: float
    ece: float
    reliability: list[Any]
    shuffled_accuracy: float
    shuffled_macro_f1: float
    shuffled_ece: float
    train_seconds: float
    train_cpu_seconds: float
    c: float
    tuning: dict[float, float]


def evaluate(train_x: Sequence[str], train_y: Sequence[str], test_x: Sequence[str], test_y: Sequence[str],
             seed: int = 0, tune_c: bool = True) -> IntentQuality:
    """Tune C on a split of the training part, train on all of it (timed), report on the test part, and the same
    model trained on labels shuffled across the training texts (what chance looks like on this label mix)."""
    import time

    from sklearn.metrics import accuracy_score, f1_score

    from cxscale.capabilities.quality import expected_calibration_error, reliability

    c, scores = tune(train_x, train_y, seed) if tune_c else (0.5, {})
    t0, cpu0 = time.perf_counter(), time.process_time()
    model = IntentModel.fit(train_x, train_y, c=c, seed=seed)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    truth = np.asarray([str(v) for v in test_y])
    p = model.predict_proba(test_x)
    classes = np.asarray(model.classes)
    pred = classes[p.argmax(1)]
    top3 = classes[np.argsort(-p, axis=1)[:, :3]]
    shuffled_y = [str(v) for v in np.random.default_rng(seed).permutation(np.asarray(train_y))]
    ps = IntentModel.fit(train_x, shuffled_y, c=c, seed=seed).predict_proba(test_x)
    pred_s = classes[ps.argmax(1)]
    return IntentQuality(
        n_train=len(train_x), n_test=len(truth), classes=len(classes),
        accuracy=float(accuracy_score(truth, pred)), macro_f1=float(f1_score(truth, pred, average="macro")),
        top3_accuracy=float((top3 == truth[:, None]).any(axis=1).mean()),
        ece=expected_calibration_error(p.max(1), pred == truth), reliability=reliability(p.max(1), pred == truth),
        shuffled_accuracy=float(accuracy_score(truth, pred_s)),
        shuffled_macro_f1=float(f1_score(truth, pred_s, average="macro")),
        shuffled_ece=expected_calibration_error(ps.max(1), pred_s == truth), train_seconds=seconds,
        train_cpu_seconds=cpu, c=c,
        tuning=scores)
