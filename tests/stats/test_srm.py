"""Sample-ratio mismatch: equals scipy's chi-square goodness of fit; flags a broken split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from cxscale.stats import srm_check


@given(st.lists(st.integers(1, 100_000), min_size=2, max_size=5))
def test_srm_p_value_equals_scipy_chisquare_for_an_equal_split(counts: list[int]) -> None:
    res = srm_check(counts)
    assert res.p_value == pytest.approx(sps.chisquare(counts).pvalue, abs=1e-12)
    assert res.ok == (res.p_value >= 0.001)


def test_srm_uses_expected_shares_by_arm_name() -> None:
    res = srm_check({"control": 5100, "treatment": 4900}, {"treatment": 1, "control": 1})
    assert res.ok and res.arms == ("control", "treatment")
    uneven = srm_check({"control": 3000, "treatment": 7000}, {"control": 0.3, "treatment": 0.7})
    assert uneven.p_value == pytest.approx(1.0)
    assert srm_check([3000, 7000], [0.3, 0.7]).p_value == pytest.approx(1.0)


def test_srm_flags_a_broken_split() -> None:
    res = srm_check({"control": 10_000, "treatment": 10_400})
    ref = sps.chisquare([10_000, 10_400])
    assert res.p_value == pytest.approx(ref.pvalue) and res.p_value < 0.01
    assert not srm_check({"control": 10_000, "treatment": 10_800}).ok


def test_srm_a_a_alarm_rate_is_the_threshold() -> None:
    # 4,000 honest random splits over 3 arms: the alarm rate at threshold 0.05 is 5% (binomial sd 0.34 points;
    # the band 3.5-6.5% is 4.3 sd each side). scipy's chisquare costs ~1 ms a call, hence not more splits.
    rng = np.random.default_rng(9)
    counts = rng.multinomial(30_000, [0.5, 0.25, 0.25], size=4_000)
    alarms = [not srm_check(row, [2, 1, 1], threshold=0.05).ok for row in counts]
    assert 0.035 <= np.mean(alarms) <= 0.065


def test_srm_rejects_missing_arm_shares() -> None:
    with pytest.raises(ValueError, match="treatment"):
        srm_check({"control": 10, "treatment": 12}, {"control": 1})
