"""Sample-ratio mismatch: are the units per arm consistent with the designed split? (docs/methods.md, "SRM")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cxscale.stats.dist import chi2_sf
from cxscale.stats.models import SrmResult


def srm_check(
    observed: Mapping[str, int] | Sequence[int] | np.ndarray,
    expected_shares: Mapping[str, float] | Sequence[float] | np.ndarray | None = None,
    threshold: float = 0.001,
) -> SrmResult:
    """Chi-square goodness-of-fit test of units per arm against expected shares (equal split when None).

    Shares need not sum to 1 (they are normalised). ok is False when p_value < threshold; the conventional
    threshold is 0.001 because the check runs on every readout and a false alarm stops a pilot.
    Agrees with scipy.stats.chisquare.
    """
    shares: np.ndarray | None
    if isinstance(observed, Mapping):
        arms = tuple(observed)
        counts = np.array([observed[a] for a in arms], dtype=float)
        if isinstance(expected_shares, Mapping):
            missing = [a for a in arms if a not in expected_shares]
            if missing:
                raise ValueError(f"expected_shares has no share for arms {missing}; give one per observed arm")
            shares = np.array([expected_shares[a] for a in arms], dtype=float)
        else:
            shares = None if expected_shares is None else np.asarray(expected_shares, dtype=float)
    else:
        arms = ()
        counts = np.asarray(observed, dtype=float)
        if isinstance(expected_shares, Mapping):
            raise ValueError("expected_shares is a mapping but observed is not: give both as mappings by arm")
        shares = None if expected_shares is None else np.asarray(expected_shares, dtype=float)
    if counts.ndim != 1 or counts.size < 2:
        raise ValueError(f"observed needs counts for at least 2 arms, got {counts.tolist()}")
    if np.any(counts < 0):
        raise ValueError(f"observed counts must be >= 0, got {counts.tolist()}")
    if shares is None:
        shares = np.ones_like(counts)
    if shares.shape != counts.shape or np.any(shares <= 0):
        raise ValueError(f"expected_shares must be positive, one per arm, got {shares.tolist()}")
    total = counts.sum()
    expected = shares / shares.sum() * total
    if total == 0:
        return SrmResult(float("nan"), True, float("nan"), tuple(counts), tuple(expected), threshold, arms)
    chi2 = float(((counts - expected) ** 2 / expected).sum())  # Pearson's statistic, as scipy's chisquare
    p = chi2_sf(chi2, counts.size - 1)
    return SrmResult(float(p), bool(p >= threshold), float(chi2), tuple(counts.tolist()), tuple(expected.tolist()),
                     threshold, arms)
