"""The seam between the readout and cxscale.stats: pick the estimator for a metric's statistics and call it.

cxscale.stats owns the statistics (docs/methods.md); this module only chooses: Welch for per-unit means and
proportions, the delta method for ratios (and cluster-level customer metrics), CUPED when a pre-period covariate
exists, the always-valid (sequential) version when the spec asks for it, and the Bayesian summary as an extra.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from cxscale.stats import (
    CupedStats,
    Effect,
    MeanStats,
    RatioStats,
    adjust_pvalues,
    bayes_from_effect,
    fixed_effect,
    sequential_effect,
    srm_check,
)

Stats = MeanStats | RatioStats | CupedStats


def effect_of(control: Stats, treatment: Stats, alpha: float, sequential: bool = False,
              planned_n_per_arm: float | None = None) -> Effect:
    """Treatment vs control for any statistic type: Welch (means, proportions), delta (ratios), CUPED; with
    sequential=True the always-valid interval and p-value instead (planned_n_per_arm tunes it)."""
    if sequential:
        return sequential_effect(control, treatment, alpha=alpha, planned_n_per_arm=planned_n_per_arm)
    return fixed_effect(control, treatment, alpha)


def bayes_summary(effect: Effect, lower_is_better: bool, alpha: float) -> dict[str, Any] | None:
    """Posterior summary (flat prior on the relative lift) as a JSON-ready dict; None when undefined."""
    try:
        return asdict(bayes_from_effect(effect, alpha=alpha, lower_is_better=lower_is_better))
    except ValueError:
        return None


def srm_p_value(counts: dict[str, int], expected: dict[str, float]) -> float:
    """Chi-square p-value that the units per arm follow the expected split."""
    return float(srm_check(counts, expected).p_value)


def adjust(pvalues: list[float], method: str) -> list[float]:
    """Multiplicity-adjusted p-values (holm, bh or none)."""
    if not pvalues:
        return []
    return [float(x) for x in adjust_pvalues(pvalues, method)]  # type: ignore[arg-type]
