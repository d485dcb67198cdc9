"""Multiplicity adjustment of p-values: Holm (family-wise error) and Benjamini-Hochberg (false discovery rate).

Same arithmetic as statsmodels.stats.multitest.multipletests (docs/methods.md, "Multiple metrics").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np


def adjust_pvalues(p: Sequence[float] | np.ndarray, method: Literal["holm", "bh", "none"] = "holm") -> np.ndarray:
    """Adjusted p-values (shares 0-1) in the input order. NaN p-values stay NaN and do not count as tests."""
    if method not in ("holm", "bh", "none"):
        raise ValueError(f"method must be 'holm', 'bh' or 'none', got {method!r}")
    pv = np.asarray(p, dtype=float).copy()
    if pv.ndim != 1:
        raise ValueError("p must be one-dimensional")
    ok = ~np.isnan(pv)
    if np.any((pv[ok] < 0) | (pv[ok] > 1)):
        raise ValueError(f"p-values must lie in [0, 1], got {pv[ok][(pv[ok] < 0) | (pv[ok] > 1)][:5].tolist()}")
    x = pv[ok]
    m = x.size
    if m == 0 or method == "none":
        return pv
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    if method == "holm":
        adj = np.maximum.accumulate(xs * np.arange(m, 0, -1))
    else:
        adj = np.minimum.accumulate((xs * m / np.arange(1, m + 1))[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    pv[ok] = res
    return pv
