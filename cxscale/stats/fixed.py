"""The fixed-horizon estimator for any kind of sufficient statistics: Welch for means, delta method for ratios,
regression adjustment for CUPED (docs/methods.md). The one place that dispatches on the statistic type."""

from __future__ import annotations

from cxscale.stats.cuped import cuped_effect
from cxscale.stats.means import mean_effect
from cxscale.stats.models import CupedStats, Effect, MeanStats, RatioStats
from cxscale.stats.ratio import ratio_effect

Stats = MeanStats | RatioStats | CupedStats


def fixed_effect(control: Stats, treatment: Stats, alpha: float = 0.05) -> Effect:
    """Treatment minus control with a fixed-horizon interval; both arms must carry the same kind of statistics."""
    if isinstance(control, CupedStats) and isinstance(treatment, CupedStats):
        return cuped_effect(control, treatment, alpha)
    if isinstance(control, RatioStats) and isinstance(treatment, RatioStats):
        return ratio_effect(control, treatment, alpha)
    if isinstance(control, MeanStats) and isinstance(treatment, MeanStats):
        return mean_effect(control, treatment, alpha)
    raise TypeError(f"control and treatment must be the same kind of statistics (MeanStats, RatioStats, "
                    f"CupedStats); got {type(control).__name__} and {type(treatment).__name__}")
