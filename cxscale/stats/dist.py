"""The distribution functions cxscale's statistics use, from scipy.special.

They are the functions scipy.stats' normal, t, non-central t, chi-square and F distributions call themselves,
without importing scipy.stats, which takes about 0.7 s (a third of a small `cxscale diagnose`). Every function
works elementwise on floats or numpy arrays; `df` may be infinite (the normal). tests/stats/test_dist.py checks each
one against scipy.stats on a grid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Num = Any  # a float or a numpy array


class _Special:
    """scipy.special, imported on first use: a command imports this module before its first query, and scipy's
    import (about 0.3 s) belongs after it (tests/test_startup.py)."""

    def __getattr__(self, name: str) -> Any:
        from scipy import special as real

        return getattr(real, name)


special = _Special()

_SQRT_2PI = math.sqrt(2 * math.pi)


def norm_cdf(x: Num) -> Num:
    """P(Z <= x) for a standard normal Z."""
    return special.ndtr(x)


def norm_sf(x: Num) -> Num:
    """P(Z > x), exact in the upper tail (not 1 - cdf)."""
    return special.ndtr(-np.asarray(x, dtype=float))


def norm_ppf(q: Num) -> Num:
    """The x with P(Z <= x) = q."""
    return special.ndtri(q)


def norm_isf(q: Num) -> Num:
    """The x with P(Z > x) = q."""
    return -special.ndtri(q)


def norm_pdf(x: Num) -> Num:
    """The standard normal density."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * x * x) / _SQRT_2PI


def t_sf(x: Num, df: Num) -> Num:
    """P(T > x) for T ~ t(df)."""
    return special.stdtr(df, -np.asarray(x, dtype=float))


def t_ppf(q: Num, df: Num) -> Num:
    """The x with P(T <= x) = q for T ~ t(df)."""
    return special.stdtrit(df, q)


def t_isf(q: Num, df: Num) -> Num:
    """The x with P(T > x) = q for T ~ t(df)."""
    return -special.stdtrit(df, q)


def nct_cdf(x: Num, df: Num, nc: Num) -> Num:
    """P(T <= x) for T non-central t with df degrees of freedom and non-centrality nc."""
    return np.clip(special.nctdtr(df, nc, x), 0.0, 1.0)


def nct_sf(x: Num, df: Num, nc: Num) -> Num:
    """P(T > x) for the non-central t. As 1 - cdf: exact enough where power is read (not in the far upper tail)."""
    return np.clip(1.0 - special.nctdtr(df, nc, x), 0.0, 1.0)


def chi2_sf(x: Num, df: Num) -> Num:
    """P(X > x) for X ~ chi-square(df)."""
    return special.chdtrc(df, x)


def f_sf(x: Num, dfn: Num, dfd: Num) -> Num:
    """P(X > x) for X ~ F(dfn, dfd)."""
    return special.fdtrc(dfn, dfd, x)
