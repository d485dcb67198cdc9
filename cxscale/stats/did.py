"""Difference-in-differences for non-randomised rollouts (one site or team first), and the event study.

Two-way fixed effects (unit and period) by weighted least squares on a small unit x period panel of means, with
cluster-robust SEs by unit. With few clusters those SEs are unreliable, so a small-cluster method (Donald & Lang
2007: a t-test on each unit's post-minus-pre change, with a randomization p-value) then gives the verdict.
Formulas, references and caveats: docs/methods.md ("Difference-in-differences", "Event study").
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np

from cxscale.stats._effect import check_alpha
from cxscale.stats._panel import Panel, make_panel, pooled_two_sample, twfe_design, wls_cluster
from cxscale.stats.dist import f_sf, t_ppf, t_sf
from cxscale.stats.models import DidResult, EventStudyResult

#: Fewer treated or fewer untreated units than this: cluster-robust SEs are not trusted (docs/methods.md).
MIN_CLUSTERS_PER_GROUP = 10
#: Randomization inference enumerates all assignments up to this many, else samples this many (seeded).
MAX_PERMUTATIONS = 20_000
#: The pre-trend test warns below this p-value (a lenient bar: missing a violated trend costs more than a warning).
PRETREND_WARN_P = 0.10


def design_limit(n_clusters: int, n_treated: int, alpha: float = 0.05, unit: str = "unit") -> str | None:
    """Why no test of a rollout with these clusters can reach alpha, or None when one can (docs/methods.md, "Designs
    that cannot reach alpha").

    One treated (or one untreated) unit: the effect cannot be told apart from that unit's own change, whose variance a
    single unit cannot estimate, so every test's level rests on an assumption the data cannot check. Otherwise the
    assumption-free randomization p-value cannot go below 1/C(G, G_t); above alpha, no reliable test reaches alpha.
    """
    n_untreated = n_clusters - n_treated
    if min(n_treated, n_untreated) < 2:
        side = "treated" if n_treated < 2 else "untreated"
        return (f"one {side} {unit}: no test can reach alpha {alpha:g} with one {side} cluster, since the effect "
                f"cannot be told apart from that {unit}'s own change, whose variance one {unit} cannot estimate; "
                f"roll out to more {unit}s (or keep more untreated)")
    floor = 1 / math.comb(n_clusters, n_treated)
    if floor > alpha:
        return (f"{n_treated} of {n_clusters} {unit}s treated: even the assumption-free randomization p-value cannot "
                f"go below 1/{math.comb(n_clusters, n_treated)} = {floor:.3g} > alpha {alpha:g}, and with this few "
                f"clusters no other test is reliable; add treated or untreated {unit}s")
    return None


def _unit_changes(p: Panel) -> np.ndarray:
    """Per unit: weighted mean of y over post periods minus over pre periods (outcome units); nan if one is empty."""
    g = p.n_units
    sums = np.zeros((g, 2))
    wts = np.zeros((g, 2))
    np.add.at(sums, (p.unit_code, p.post.astype(int)), p.w * p.y)
    np.add.at(wts, (p.unit_code, p.post.astype(int)), p.w)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = sums / wts
    return means[:, 1] - means[:, 0]  # nan for a unit without pre or post rows


def _randomization_p(values: np.ndarray, treated: np.ndarray, seed: int = 0) -> float:
    """Share of re-assignments of the treated label over units whose |difference of means| is at least the observed."""
    g, k = len(values), int(treated.sum())
    observed = abs(values[treated].mean() - values[~treated].mean())
    total = values.sum()
    if math.comb(g, k) <= MAX_PERMUTATIONS:
        idx = np.array(list(combinations(range(g), k)))
    else:
        rng = np.random.default_rng(seed)
        idx = np.argsort(rng.random((MAX_PERMUTATIONS, g)), axis=1)[:, :k]
    t_sum = values[idx].sum(axis=1)
    stats = np.abs(t_sum / k - (total - t_sum) / (g - k))
    return float(np.mean(stats >= observed - 1e-12 * (1 + abs(observed))))


def did(
    unit: Any,
    period: Any,
    treated: Any,
    post: Any,
    y: Any,
    weights: Any = None,
    alpha: float = 0.05,
) -> DidResult:
    """Effect of a rollout on y (outcome units) from a unit x period panel: one row per cell, treated marks units
    that got the change, post marks periods from the rollout on (the same periods for every unit), weights are
    e.g. customers per cell (default 1). The verdict fields use the small-cluster method when fewer than
    MIN_CLUSTERS_PER_GROUP units are treated or untreated.
    """
    check_alpha(alpha)
    p = make_panel(unit, period, treated, post, y, weights)
    d = (p.treated & p.post).astype(float)
    beta, cov = wls_cluster(twfe_design(p, d[:, None]), p.y, p.w, p.unit_code)
    g, g_t = p.n_units, int(p.unit_treated.sum())
    df_c = g - 1
    se_c = math.sqrt(max(cov[0, 0], 0.0))
    q_c = t_ppf(1 - alpha / 2, df_c)
    est = float(beta[0])
    p_c = float(2 * t_sf(abs(est / se_c), df_c)) if se_c > 0 else float("nan")

    changes = _unit_changes(p)
    both = np.isfinite(changes)
    warnings = []
    if not both.all():
        warnings.append(f"units {p.unit_ids[~both][:5].tolist()} lack pre or post periods: left out of the "
                        "unit-level method (the fixed-effects fit uses them)")
    has_t, has_c = both & p.unit_treated, both & ~p.unit_treated
    if has_t.any() and has_c.any():
        eff_s, se_s, df_s = pooled_two_sample(changes[has_t], changes[has_c])
        p_ri = _randomization_p(changes[both], p.unit_treated[both])
    else:
        eff_s, se_s, df_s, p_ri = (float("nan"),) * 4
    with np.errstate(invalid="ignore"):
        q_s = t_ppf(1 - alpha / 2, df_s) if df_s > 0 else float("nan")
        p_s = float(2 * t_sf(abs(eff_s / se_s), df_s)) if se_s > 0 else float("nan")

    few = min(g_t, g - g_t) < MIN_CLUSTERS_PER_GROUP
    if few:
        warnings.append(
            f"only {g_t} treated and {g - g_t} untreated units: cluster-robust SEs are unreliable with few clusters, "
            f"so the verdict uses the unit-level t-test (df {df_s:.0f}), which assumes the units' changes are "
            "normal with equal variance")
        floor = 1 / math.comb(g, g_t)
        if floor > alpha:
            warnings.append(
                f"with {g_t} of {g} units treated the randomization p-value cannot go below {floor:.3f}: no "
                f"assumption-free test can reach alpha {alpha}; treat more units or add untreated units")
    ci_c = (est - q_c * se_c, est + q_c * se_c)
    ci_s = (eff_s - q_s * se_s, eff_s + q_s * se_s)
    return DidResult(
        effect=eff_s if few else est,
        ci=ci_s if few else ci_c,
        p_value=p_s if few else p_c,
        se=se_s if few else se_c,
        method="unit_level_t" if few else "twfe_cluster",
        estimate_twfe=est,
        se_cluster=se_c,
        ci_cluster=ci_c,
        p_cluster=p_c,
        n_clusters=g,
        n_treated_clusters=g_t,
        effect_small=eff_s,
        se_small=se_s,
        ci_small=ci_s,
        p_small=p_s,
        p_randomization=p_ri,
        few_clusters=few,
        alpha=alpha,
        warnings=tuple(warnings),
    )


def _pre_slopes(p: Panel) -> np.ndarray:
    """Per unit: weighted least-squares slope of y on period index over the pre periods (outcome units/period)."""
    pre = ~p.post
    t = p.period_code.astype(float)
    out = np.full(p.n_units, np.nan)
    for u in range(p.n_units):
        m = pre & (p.unit_code == u)
        if np.unique(t[m]).size >= 2:
            w = p.w[m]
            tc = t[m] - np.average(t[m], weights=w)
            out[u] = np.sum(w * tc * p.y[m]) / np.sum(w * tc**2)
    return out


def event_study(
    unit: Any,
    period: Any,
    treated: Any,
    post: Any,
    y: Any,
    weights: Any = None,
    alpha: float = 0.05,
) -> EventStudyResult:
    """Leads and lags of the rollout effect (outcome units) relative to the last pre period (rel_period -1), with a
    pre-trend test: a cluster-robust Wald F-test that all leads are zero, or with few clusters a unit-level t-test
    of pre-period slopes (treated vs untreated). Same panel arguments as did().
    """
    check_alpha(alpha)
    p = make_panel(unit, period, treated, post, y, weights)
    first_post = int(p.period_code[p.post].min())
    rel = p.period_code - first_post
    ks = sorted(int(k) for k in np.unique(rel) if k != -1)
    cols = np.column_stack([(p.treated & (rel == k)).astype(float) for k in ks])
    beta, cov = wls_cluster(twfe_design(p, cols), p.y, p.w, p.unit_code)
    g, g_t = p.n_units, int(p.unit_treated.sum())
    se = np.sqrt(np.maximum(np.diag(cov)[: len(ks)], 0.0))
    q = t_ppf(1 - alpha / 2, g - 1)
    coef = beta[: len(ks)]
    leads = [i for i, k in enumerate(ks) if k <= -2]
    few = min(g_t, g - g_t) < MIN_CLUSTERS_PER_GROUP
    warnings: list[str] = []
    stat, dfs, pval = float("nan"), (float("nan"), float("nan")), float("nan")
    if few:
        warnings.append(
            f"only {g_t} treated and {g - g_t} untreated units: the per-period SEs are cluster-robust and too small "
            "with few clusters; read the coefficients' pattern, not their intervals")
        method = "pre_slope_unit_t"
        slopes = _pre_slopes(p)
        ok = np.isfinite(slopes)
        a, b = slopes[ok & p.unit_treated], slopes[ok & ~p.unit_treated]
        if len(a) and len(b) and len(a) + len(b) > 2:
            diff, s, df = pooled_two_sample(a, b)
            stat, dfs = (diff / s if s > 0 else float("nan")), (1.0, df)
            pval = float(2 * t_sf(abs(stat), df)) if s > 0 else float("nan")
        else:
            warnings.append("fewer than 2 pre periods: the pre-trend cannot be tested")
    elif leads:
        method = "wald_cluster"
        b = coef[leads]
        v = cov[np.ix_(leads, leads)]
        stat = float(b @ np.linalg.pinv(v) @ b / len(leads))
        dfs = (float(len(leads)), float(g - 1))
        pval = float(f_sf(stat, *dfs))
    else:
        method = "wald_cluster"
        warnings.append("only one pre period: the pre-trend cannot be tested")
    trends_ok = not (pval < PRETREND_WARN_P)
    if not trends_ok:
        warnings.append(
            f"pre-trend test p = {pval:.3f} < {PRETREND_WARN_P}: treated and untreated units already drifted apart "
            "before the rollout, so parallel trends look violated and the difference-in-differences may be biased")
    return EventStudyResult(
        rel_periods=tuple(ks),
        coef=tuple(float(c) for c in coef),
        se=tuple(float(s) for s in se),
        ci=tuple((float(c - q * s), float(c + q * s)) for c, s in zip(coef, se, strict=True)),
        pretrend_stat=stat,
        pretrend_df=dfs,
        pretrend_p=pval,
        pretrend_method=method,
        parallel_trends_ok=trends_ok,
        alpha=alpha,
        warnings=tuple(warnings),
    )
