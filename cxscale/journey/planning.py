"""The window a pilot would need to detect a target change (two-sided test, normal approximation).

Used by the use-case drafts until the measurement engine's power calculation (cxscale/measure/power.py) is
available; docs/diagnosis.md#pilot-window gives the formulas. Units are contacts: clustering of contacts within
customers is ignored, so the window is a lower bound when customers contact often.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm


@dataclass(frozen=True)
class PilotWindow:
    """Sample size per arm (units) and the days of traffic a 50/50 split needs to reach it."""

    sample_size_per_arm: int
    window_days: int
    units_per_day: float
    alpha: float
    power: float
    method: str


def sample_size_per_arm(baseline: float, target: float, sd: float | None = None, alpha: float = 0.05,
                        power: float = 0.8) -> int:
    """Units per arm to detect baseline -> target.

    A proportion (sd None, baseline and target shares 0-1): n = (z_a + z_b)^2 (p0 q0 + p1 q1) / (p0 - p1)^2.
    A mean with standard deviation sd (same unit as baseline): n = 2 (z_a + z_b)^2 sd^2 / (baseline - target)^2.
    z_a = z(1 - alpha/2), z_b = z(power).
    """
    delta = abs(baseline - target)
    if delta <= 0:
        raise ValueError("target must differ from baseline")
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    var = baseline * (1 - baseline) + target * (1 - target) if sd is None else 2 * sd**2
    return max(2, math.ceil(z**2 * var / delta**2))


def pilot_window(baseline: float, target: float, units_per_day: float, sd: float | None = None,
                 alpha: float = 0.05, power: float = 0.8) -> PilotWindow:
    """The days of traffic (units_per_day units a day, split 50/50) a pilot needs to detect baseline -> target."""
    n = sample_size_per_arm(baseline, target, sd, alpha, power)
    days = math.ceil(2 * n / units_per_day) if units_per_day > 0 else 0
    kind = "two proportions" if sd is None else "two means"
    return PilotWindow(n, max(days, 1), units_per_day, alpha, power,
                       f"normal approximation, {kind}, two-sided (cxscale/journey/planning.py)")
