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
    When the statistics passed in were batches (numpy array fields, as in the simulations of tests/stats), every
    numeric field is an array of the batch's shape.
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
    #: Standard error of the relative lift (share) by the delta method; degrees of freedom of the reference
    #: distribution (inf = normal). Added after the first release: optional, so older producers still work.
    se_rel: float = float("nan")
    df: float = float("inf")


@dataclass(frozen=True)
class SrmResult:
    """Sample-ratio-mismatch check: chi-square goodness of fit of units per arm to the expected split.

    ok is False when p_value < threshold (the split is too unlikely under the design: the readout is suspect).
    observed are counts (units), expected are expected counts (units) in the same arm order.
    """

    p_value: float
    ok: bool
    chi2: float
    observed: tuple[float, ...]
    expected: tuple[float, ...]
    threshold: float
    arms: tuple[str, ...] = ()


@dataclass(frozen=True)
class BayesResult:
    """Normal-approximation posterior of the treatment effect (docs/methods.md, Bayesian).

    prob_treatment_better is a share 0-1; expected_loss is E[max(0, -effect)] in metric units when shipping the
    treatment (with lower_is_better the sign is flipped), expected_loss_control the same for keeping control.
    ci_* are equal-tailed credible intervals at level 1 - alpha.
    """

    prob_treatment_better: float
    expected_loss: float
    expected_loss_control: float
    mean_abs: float
    ci_abs: tuple[float, float]
    mean_rel: float
    ci_rel: tuple[float, float]
    sd_rel: float
    prior_mean_rel: float
    prior_sd_rel: float | None
    alpha: float = 0.05


@dataclass(frozen=True)
class PowerResult:
    """A sample-size plan. n_per_arm in units (control arm; treatment = ratio * n), mde_abs in metric units,
    mde_rel as a share of the baseline mean, days in days (None without daily_units).

    variance_factor multiplies the per-unit variance: (1 - rho^2) for CUPED times the design effect
    1 + (cluster_size - 1) * icc; sd_effective = baseline_sd * sqrt(variance_factor).
    """

    n_per_arm: int
    mde_abs: float
    mde_rel: float
    days: float | None
    alpha: float
    power: float
    variance_factor: float
    sd_effective: float
    n_per_arm_exact: float = float("nan")


@dataclass(frozen=True)
class DidResult:
    """Difference-in-differences on a unit x period panel (docs/methods.md, DiD).

    effect/ci/p_value/se/method are the verdict fields: the cluster-robust two-way fixed-effects fit when there are
    enough clusters, otherwise the small-cluster method (few_clusters=True). Both are always reported. Units are
    the outcome's units; p-values and shares are 0-1.
    """

    effect: float
    ci: tuple[float, float]
    p_value: float
    se: float
    method: str
    estimate_twfe: float
    se_cluster: float
    ci_cluster: tuple[float, float]
    p_cluster: float
    n_clusters: int
    n_treated_clusters: int
    effect_small: float
    se_small: float
    ci_small: tuple[float, float]
    p_small: float
    p_randomization: float
    few_clusters: bool
    alpha: float = 0.05
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventStudyResult:
    """Leads and lags of a rollout relative to the last period before adoption (rel_period -1, fixed at 0).

    coef/se/ci are per rel_period in outcome units; the pre-trend test asks whether all leads (rel_period <= -2)
    are zero. parallel_trends_ok is False (and warnings say why) when pretrend_p < 0.10.
    """

    rel_periods: tuple[int, ...]
    coef: tuple[float, ...]
    se: tuple[float, ...]
    ci: tuple[tuple[float, float], ...]
    pretrend_stat: float
    pretrend_df: tuple[float, float]
    pretrend_p: float
    pretrend_method: str
    parallel_trends_ok: bool
    alpha: float = 0.05
    warnings: tuple[str, ...] = ()
