"""Offline quality measures shared by the capabilities' reports: calibration (expected calibration error and the
reliability table), retrieval ranks (recall@k, MRR). Pure numpy; shares 0-1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReliabilityBin:
    """One confidence bin: its bounds, the predictions in it, their mean confidence and their accuracy."""

    low: float
    high: float
    count: int
    confidence: float
    accuracy: float


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width confidence bins over [0, 1] (the top bin includes 1): the reliability diagram's table."""
    confidence = np.asarray(confidence, float)
    correct = np.asarray(correct, bool)
    idx = np.minimum((confidence * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        out.append(ReliabilityBin(b / bins, (b + 1) / bins, n, float(confidence[m].mean()) if n else float("nan"),
                                  float(correct[m].mean()) if n else float("nan")))
    return out


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE: the count-weighted mean of |accuracy - confidence| over equal-width bins (Guo et al. 2017), share 0-1."""
    table = reliability(confidence, correct, bins)
    n = sum(b.count for b in table)
    return float(sum(b.count * abs(b.accuracy - b.confidence) for b in table if b.count) / max(n, 1))


def ranks(ranked: Sequence[Sequence[str]], truth: Sequence[str]) -> np.ndarray:
    """1-based rank of the right key in each ranked list (0 when absent)."""
    return np.array([(list(r).index(t) + 1) if t in r else 0 for r, t in zip(ranked, truth, strict=True)])


def recall_at(rank: np.ndarray, k: int) -> float:
    """Share of queries whose right key is in the top k."""
    return float(np.mean((rank > 0) & (rank <= k))) if len(rank) else float("nan")


def mean_reciprocal_rank(rank: np.ndarray) -> float:
    """Mean of 1/rank (0 when the right key is not retrieved)."""
    return float(np.mean(np.where(rank > 0, 1.0 / np.maximum(rank, 1), 0.0))) if len(rank) else float("nan")
