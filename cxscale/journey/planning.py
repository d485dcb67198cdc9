"""The window a pilot would need to detect a target change (two-sided test, normal approximation).

The use-case drafts' fallback when the measurement engine's plan (cxscale/measure/power.py) cannot be made on the
touchpoint's data; the sample size itself comes from cxscale.stats.power_plan (docs/diagnosis.md#pilot-window). Units are contacts: clustering of contacts within
customers is ignored, so the window is a lower bound when customers contact often.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxscale.stats import power_plan


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
    """Units per arm to detect baseline -> target: a proportion when sd is None (shares 0-1), else a mean with
    standard deviation sd (metric units). Computed by cxscale.stats.power_plan (docs/methods.md#power)."""
    if baseline == target:
        raise ValueError("target must differ from baseline")
    plan = power_plan(baseline, sd, effect_abs=target - baseline, alpha=alpha, power=power, proportion=sd is None)
    return max(2, plan.n_per_arm)


def pilot_window(baseline: float, target: float, units_per_day: float, sd: float | None = None,
                 alpha: float = 0.05, power: float = 0.8) -> PilotWindow:
    """The days of traffic (units_per_day units a day, split 50/50) a pilot needs to detect baseline -> target."""
    n = sample_size_per_arm(baseline, target, sd, alpha, power)
    days = math.ceil(2 * n / units_per_day) if units_per_day > 0 else 0
    kind = "two proportions" if sd is None else "two means"
    return PilotWindow(n, max(days, 1), units_per_day, alpha, power,
                       f"normal approximation, {kind}, two-sided (cxscale/journey/planning.py)")
