"""Does the mix of categorical codes (wrap-up codes) differ between arms? On counts only (sufficient statistics).

`mix_check` is the chi-square test of independence of code and arm, sparse codes pooled; `randomisation_p` the
p-value of the same statistic under re-randomisation of the units' arms (units x codes counts), which is the valid
test when the contacts of one unit are not independent (docs/capability-pilots.md#anchoring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cxscale.errors import CxscaleError

__all__ = ["MixCheck", "mix_check", "randomisation_p"]


@dataclass(frozen=True)
class MixCheck:
    """Chi-square test of independence of wrap-up code and arm: statistic, degrees of freedom, p-value, whether the
    mix shifted at `alpha`, the codes tested (sparse ones pooled into "other") and each arm's shares."""

    statistic: float
    dof: int
    p_value: float
    alpha: float
    shifted: bool
    codes: tuple[str, ...]
    shares: dict[str, dict[str, float]]


def mix_check(counts: Mapping[str, Mapping[str, int]], alpha: float = 0.01, min_expected: float = 5.0) -> MixCheck:
    """Chi-square test of independence of code and arm on counts (arm -> code -> contacts). Codes whose expected
    count is below `min_expected` in some arm are pooled into "other" (the test's usual validity rule); codes with
    no contact at all are left out; a p-value below `alpha` means the mix shifted."""
    from scipy.stats import chi2_contingency

    arms = sorted(counts)
    if len(arms) < 2:
        raise CxscaleError(f"wrap-up mix check needs at least two arms; found {arms}")
    codes = sorted({c for a in arms for c in counts[a]})
    table = np.array([[max(int(counts[a].get(c, 0)), 0) for c in codes] for a in arms], float)
    if table.sum() == 0:
        raise CxscaleError("wrap-up mix check: no wrap-up codes counted")
    expected_min = table.sum(axis=1).min() * table.sum(axis=0) / table.sum()
    keep = expected_min >= min_expected
    if (~keep).any():
        pooled = table[:, ~keep].sum(axis=1, keepdims=True)
        table, codes = np.hstack([table[:, keep], pooled]), [c for c, k in zip(codes, keep, strict=True) if k] + ["other"]
    seen = table.sum(axis=0) > 0
    table, codes = table[:, seen], [c for c, s in zip(codes, seen, strict=True) if s]
    if table.shape[1] < 2:
        return MixCheck(0.0, 0, 1.0, alpha, False, tuple(codes), {})
    stat, p, dof, _ = chi2_contingency(table, correction=False)
    shares = {a: {c: float(v / row.sum()) for c, v in zip(codes, row, strict=True)} for a, row in zip(arms, table, strict=True)}
    return MixCheck(float(stat), int(dof), float(p), alpha, bool(p < alpha), tuple(codes), shares)


def _chi2(treated_totals: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Chi-square of a 2 x K table per row of `treated_totals` (B x K), the code totals being `totals` (K)."""
    control = totals - treated_totals
    n = totals.sum()
    rows = np.stack([control.sum(axis=1), treated_totals.sum(axis=1)], axis=1)  # B x 2
    stat = np.zeros(len(treated_totals))
    for r, obs in enumerate((control, treated_totals)):
        expected = rows[:, r : r + 1] * totals[None, :] / n
        with np.errstate(divide="ignore", invalid="ignore"):
            stat += np.where(expected > 0, (obs - expected) ** 2 / expected, 0.0).sum(axis=1)
    return stat


def randomisation_p(counts: np.ndarray, treated: np.ndarray, strata: np.ndarray | None = None,
                    permutations: int = 1999, seed: int = 0) -> float:
    """P-value of the chi-square of code by arm under re-randomisation of the units' arms (units x codes counts;
    within strata when given): (1 + permutations at least as extreme) / (1 + permutations)."""
    totals = counts.sum(axis=0)
    observed = _chi2((counts * treated[:, None]).sum(axis=0)[None, :], totals)[0]
    rng = np.random.default_rng(seed)
    group = np.zeros(len(treated), int) if strata is None else np.asarray(strata)
    order = np.argsort(group, kind="stable")
    counts, labels, group = counts[order], treated[order].astype(float), group[order]
    extreme = 0
    for start in range(0, permutations, 500):
        b = min(500, permutations - start)
        keys = group[None, :] + rng.random((b, len(labels)))  # a random order within each stratum's block
        shuffled = labels[np.argsort(keys, axis=1)]
        extreme += int((_chi2(shuffled @ counts, totals) >= observed - 1e-9).sum())
    return (1 + extreme) / (1 + permutations)
