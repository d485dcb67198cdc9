"""The window a pilot would need to detect a target change (two-sided test, normal approximation).

The use-case drafts' fallback when the measurement engine's plan (cxscale/measure/power.py) cannot be made on the
touchpoint's data; the sample size itself comes from cxscale.stats.power_plan (docs/diagnosis.md#pilot-window). Units
are contacts: clustering of contacts within customers is ignored, so the window is a lower bound when customers
contact often.
"""

from __future__ import annotations

import math

from cxscale.documents.use_case_draft import PilotWindow
from cxscale.stats import power_plan


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
    """The days of contacts (units_per_day contacts a day, split 50/50) a pilot needs to detect baseline -> target:
    the draft's pilot window over contacts (units_per_day rounded to 0.01)."""
    n = sample_size_per_arm(baseline, target, sd, alpha, power)
    days = math.ceil(2 * n / units_per_day) if units_per_day > 0 else 0
    kind = "two proportions" if sd is None else "two means"
    return PilotWindow(days=max(days, 1), sample_size_per_arm=n, unit="contact", units_per_day=round(units_per_day, 2),
                       split="50/50", alpha=alpha, power=power,
                       method=f"normal approximation, {kind}, two-sided (cxscale/journey/planning.py)")
