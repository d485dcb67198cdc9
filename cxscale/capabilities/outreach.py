"""Proactive outreach targeting: whom to contact, by predicted uplift (the outcome with contact minus without), from
a randomised campaign (docs/capabilities.md#outreach).

Two-model (T-learner): one outcome model per arm, uplift = the difference of their predictions. X-learner (Kuenzel
et al. 2019): the outcome models' imputed individual effects regressed on the features in each arm, blended by the
treated share. Only randomised data identify uplift: an observational table (SMS reminders sent to some patients by
rule, as in the no-show data) does not, and is never used as its truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from cxscale.capabilities.base import Context, Item, Suggestion, fingerprint
from cxscale.errors import CxscaleError

Learner = Literal["two_model", "x_learner"]


def _classifier(seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=200,
                                          l2_regularization=1.0, random_state=seed)


def _regressor(seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(max_iter=100, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=200,
                                         l2_regularization=1.0, random_state=seed)


class UpliftModel:
    """A fitted uplift model over named numeric features; `target_share` of customers (by predicted uplift, judged
    against the training distribution) are suggested for contact."""

    name = "outreach"

    def __init__(self, features: Sequence[str], learner: Learner, models: list[Any], treated_share: float,
                 reference: np.ndarray, model_version: str, target_share: float = 0.3) -> None:
        self.features = tuple(features)
        self.learner = learner
        self.models = models
        self.treated_share = treated_share
        self.reference = np.sort(reference)  # training uplifts, for the percentile of a new customer
        self.model_version = model_version
        self.target_share = target_share

    @classmethod
    def fit(cls, x: np.ndarray, treated: np.ndarray, y: np.ndarray, features: Sequence[str],
            learner: Learner = "two_model", seed: int = 0, target_share: float = 0.3) -> UpliftModel:
        """x: features (n x p, numeric), treated: 0/1 arm, y: 0/1 outcome."""
        x, t, y = np.asarray(x, float), np.asarray(treated).astype(bool), np.asarray(y).astype(int)
        if not (len(x) == len(t) == len(y)) or x.ndim != 2 or x.shape[1] != len(features):
            raise CxscaleError("uplift model: x, treated and y must have one row per customer and x one column per "
                               "feature")
        if t.all() or (~t).all() or len(np.unique(y)) < 2:
            raise CxscaleError("uplift model: needs customers in both arms and both outcomes")
        if learner not in ("two_model", "x_learner"):
            raise CxscaleError(f"unknown uplift learner {learner!r}: choose two_model or x_learner")
        from threadpoolctl import threadpool_limits

        # One thread: on a shared 2-core machine OpenMP threads oversubscribe and training slows down 40-fold.
        with threadpool_limits(1):
            m1, m0 = _classifier(seed).fit(x[t], y[t]), _classifier(seed).fit(x[~t], y[~t])
            models: list[Any] = [m1, m0]
            if learner == "x_learner":
                d1 = y[t] - m0.predict_proba(x[t])[:, 1]
                d0 = m1.predict_proba(x[~t])[:, 1] - y[~t]
                models += [_regressor(seed).fit(x[t], d1), _regressor(seed).fit(x[~t], d0)]
        share = float(t.mean())
        version = f"uplift-{learner}-" + fingerprint(seed, list(features), x.shape, float(x.sum()), int(y.sum()),
                                                     int(t.sum()))
        model = cls(features, learner, models, share, np.zeros(1), version, target_share)
        model.reference = np.sort(model.uplift(x))
        return model

    def uplift(self, x: np.ndarray) -> np.ndarray:
        """Predicted uplift per customer (share 0-1 of the outcome's probability)."""
        from threadpoolctl import threadpool_limits

        x = np.asarray(x, float)
        m1, m0 = self.models[0], self.models[1]
        with threadpool_limits(1):  # one customer at a time: threads cost more than they save
            if self.learner == "two_model":
                return m1.predict_proba(x)[:, 1] - m0.predict_proba(x)[:, 1]
            tau1, tau0 = self.models[2].predict(x), self.models[3].predict(x)
        # Kuenzel et al.'s g(x) = propensity: constant in a randomised campaign.
        return self.treated_share * tau0 + (1 - self.treated_share) * tau1

    def suggest(self, context: Context) -> Suggestion:
        missing = [f for f in self.features if f not in context.features]
        if missing:
            raise CxscaleError(f"outreach: the context lacks features {', '.join(missing)}")
        u = float(self.uplift(np.array([[float(context.features[f]) for f in self.features]]))[0])
        percentile = float(np.searchsorted(self.reference, u, side="right") / len(self.reference))
        target = percentile >= 1 - self.target_share
        items = (Item("contact", u, "predicted uplift"),) if target else (Item("skip", u, "predicted uplift"),)
        return Suggestion(self.name, items, percentile, "show" if target else "none", self.model_version,
                          context.interaction_id or (context.customer_id or ""))


@dataclass(frozen=True)
class QiniCurve:
    """Qini curve on a held-out set: x = share targeted (0-1), qini = incremental outcomes per customer of the set
    (treated outcomes minus control outcomes scaled to the treated count, among the targeted), uplift = the observed
    uplift among the targeted (treated rate minus control rate)."""

    share: np.ndarray
    qini: np.ndarray
    uplift: np.ndarray


def qini_curve(score: np.ndarray, treated: np.ndarray, y: np.ndarray, points: int = 100) -> QiniCurve:
    """Customers ranked by `score` (highest first); curve evaluated at `points` equally spaced shares."""
    order = np.argsort(-np.asarray(score, float), kind="stable")
    t, y = np.asarray(treated, bool)[order], np.asarray(y, float)[order]
    n = len(t)
    nt, nc = np.cumsum(t), np.cumsum(~t)
    yt, yc = np.cumsum(y * t), np.cumsum(y * ~t)
    k = np.unique(np.linspace(0, n, points + 1).round().astype(int))
    k = k[k > 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = yt[k - 1] - np.where(nc[k - 1] > 0, yc[k - 1] * nt[k - 1] / nc[k - 1], 0.0)
        up = np.where((nt[k - 1] > 0) & (nc[k - 1] > 0), yt[k - 1] / nt[k - 1] - yc[k - 1] / nc[k - 1], 0.0)
    return QiniCurve(np.concatenate([[0.0], k / n]), np.concatenate([[0.0], q / n]), np.concatenate([[0.0], up]))


def qini_coefficient(curve: QiniCurve) -> float:
    """Area between the Qini curve and the random-targeting line (straight from 0 to the curve's end), both per
    customer: positive when ranking by the score beats contacting the same share at random."""
    random_line = curve.share * curve.qini[-1]
    return float(np.trapezoid(curve.qini - random_line, curve.share))


def auuc(curve: QiniCurve) -> float:
    """Area under the uplift curve (observed uplift among the targeted x share targeted), share 0-1 units."""
    return float(np.trapezoid(curve.uplift * curve.share, curve.share))


def uplift_at(score: np.ndarray, treated: np.ndarray, y: np.ndarray, share: float) -> float:
    """Observed uplift (treated rate minus control rate) among the top `share` by score."""
    order = np.argsort(-np.asarray(score, float), kind="stable")[: max(1, round(share * len(score)))]
    t, y = np.asarray(treated, bool)[order], np.asarray(y, float)[order]
    return float(y[t].mean() - y[~t].mean()) if t.any() and (~t).any() else float("nan")


def bootstrap_qini(score: np.ndarray, treated: np.ndarray, y: np.ndarray, draws: int = 300, seed: int = 0,
                   level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the Qini coefficient over resamples of the held-out customers (within each arm)."""
    rng = np.random.default_rng(seed)
    t = np.asarray(treated, bool)
    it, ic = np.flatnonzero(t), np.flatnonzero(~t)
    values = np.empty(draws)
    for b in range(draws):
        idx = np.concatenate([rng.choice(it, len(it)), rng.choice(ic, len(ic))])
        values[b] = qini_coefficient(qini_curve(score[idx], t[idx], y[idx]))
    a = (1 - level) / 2
    return float(np.quantile(values, a)), float(np.quantile(values, 1 - a))
