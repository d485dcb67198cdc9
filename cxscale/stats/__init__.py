"""Pure statistics on sufficient statistics (numpy/scipy only; no engine, Ibis, pandas or CLI).

Methods, formulas and references: docs/methods.md.
"""

from cxscale.stats.bayes import bayes_effect, bayes_from_effect
from cxscale.stats.cuped import cuped_effect, cuped_theta
from cxscale.stats.did import design_limit, did, event_study
from cxscale.stats.fixed import fixed_effect
from cxscale.stats.means import mean_effect, proportion_effect
from cxscale.stats.models import (
    BayesResult,
    CupedStats,
    DidResult,
    Effect,
    EventStudyResult,
    MeanStats,
    PowerResult,
    RatioStats,
    SrmResult,
)
from cxscale.stats.multiple import adjust_pvalues
from cxscale.stats.power import achieved_power, power_plan
from cxscale.stats.ratio import ratio_effect
from cxscale.stats.sequential import sequential_effect
from cxscale.stats.srm import srm_check

__all__ = [
    "BayesResult",
    "CupedStats",
    "DidResult",
    "Effect",
    "EventStudyResult",
    "MeanStats",
    "PowerResult",
    "RatioStats",
    "SrmResult",
    "achieved_power",
    "adjust_pvalues",
    "bayes_effect",
    "bayes_from_effect",
    "cuped_effect",
    "cuped_theta",
    "design_limit",
    "did",
    "event_study",
    "fixed_effect",
    "mean_effect",
    "power_plan",
    "proportion_effect",
    "ratio_effect",
    "sequential_effect",
    "srm_check",
]
