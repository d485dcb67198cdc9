"""Sufficient statistics and results: small frozen dataclasses, the boundary between the engine and the statistics.

The engine computes these few numbers per arm (cxscale/measure); everything in cxscale/stats works on them alone with
numpy/scipy. Nothing in cxscale/stats imports the engine, Ibis, pandas or the web.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeanStats:
    """Per-arm sums of a per-unit value y over n units (a proportion is the mean of a 0/1 value)."""

    n: int
    sum: float
    sum_sq: float

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else float("nan")

    @property
    def variance(self) -> float:
        """Sample variance (ddof=1)."""
        if self.n < 2:
            return float("nan")
        return max((self.sum_sq - self.sum**2 / self.n) / (self.n - 1), 0.0)


@dataclass(frozen=True)
class RatioStats:
    """Per-arm sums for a ratio metric sum(num)/sum(den) over n units (e.g. handle seconds per contact, or a
    customer-level mean in a site-randomised pilot where each site is one unit). Variance by the delta method."""

    n: int
    num_sum: float
    num_sum_sq: float
    den_sum: float
    den_sum_sq: float
    num_den_sum: float

    @property
    def ratio(self) -> float:
        return self.num_sum / self.den_sum if self.den_sum else float("nan")


@dataclass(frozen=True)
class CupedStats:
    """Per-arm sums of a per-unit outcome y and its pre-period covariate x (CUPED / regression adjustment)."""

    n: int
    y_sum: float
    y_sum_sq: float
    x_sum: float
    x_sum_sq: float
    xy_sum: float


@dataclass(frozen=True)
class Effect:
    """Treatment minus control, absolute (metric units) and relative (share: 0.05 = +5%), with confidence intervals.

    p_value is the fixed-horizon p-value, or the always-valid p-value for sequential readouts (see `method`).
    """

    control: float
    treatment: float
    effect_abs: float
    ci_abs: tuple[float, float]
    effect_rel: float
    ci_rel: tuple[float, float]
    p_value: float
    se_abs: float
    method: str
    alpha: float = 0.05
