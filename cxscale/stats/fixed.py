"""The fixed-horizon estimator for any kind of sufficient statistics: Welch for means, delta method for ratios,
regression adjustment for CUPED (docs/methods.md). The one place that dispatches on the statistic type."""

from __future__ import annotations

from cxscale.stats._effect import Parts, check_alpha, effect_from
from cxscale.stats.cuped import cuped_parts
from cxscale.stats.means import mean_parts
from cxscale.stats.models import CupedStats, Effect, MeanStats, RatioStats
from cxscale.stats.ratio import ratio_parts

Stats = MeanStats | RatioStats | CupedStats


def fixed_effect(control: Stats, treatment: Stats, alpha: float = 0.05) -> Effect:
    """Treatment minus control with a fixed-horizon interval; both arms must carry the same kind of statistics."""
    check_alpha(alpha)
    return effect_from(fixed_parts(control, treatment), alpha)


def fixed_parts(control: Stats, treatment: Stats) -> Parts:
    """The estimator's pieces (control level, difference, variances, df) for whichever statistics the arms carry."""
    if isinstance(control, CupedStats) and isinstance(treatment, CupedStats):
        return cuped_parts(control, treatment)
    if isinstance(control, RatioStats) and isinstance(treatment, RatioStats):
        return ratio_parts(control, treatment)
    if isinstance(control, MeanStats) and isinstance(treatment, MeanStats):
        return mean_parts(control, treatment)
    raise TypeError(f"control and treatment must be the same kind of statistics (MeanStats, RatioStats, "
                    f"CupedStats); got {type(control).__name__} and {type(treatment).__name__}")
