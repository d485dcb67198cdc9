"""Holm and Benjamini-Hochberg equal statsmodels multipletests."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from cxscale.stats import adjust_pvalues

P_LISTS = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=30)


@given(P_LISTS)
@settings(max_examples=60)
def test_holm_equals_statsmodels(p: list[float]) -> None:
    # statsmodels' Holm runs a full garbage collection on every call: 50 ms alone, seconds late in a test worker
    # whose heap holds every earlier test's objects (35 s for this test in the whole suite). It frees nothing the
    # answer depends on.
    with mock.patch("gc.collect", return_value=0):
        expected = multipletests(p, method="holm")[1]
    assert np.allclose(adjust_pvalues(p, "holm"), expected, atol=1e-12, rtol=0)


@given(P_LISTS)
@settings(max_examples=60)
def test_bh_equals_statsmodels(p: list[float]) -> None:
    assert np.allclose(adjust_pvalues(p, "bh"), multipletests(p, method="fdr_bh")[1], atol=1e-12, rtol=0)


@given(P_LISTS)
def test_adjusted_p_values_never_fall_below_the_raw_ones(p: list[float]) -> None:
    raw = np.asarray(p)
    holm, bh = adjust_pvalues(p, "holm"), adjust_pvalues(p, "bh")
    assert np.all(holm >= raw - 1e-15) and np.all(bh >= raw - 1e-15) and np.all(holm >= bh - 1e-15)
    assert np.array_equal(adjust_pvalues(p, "none"), raw)


def test_nan_p_values_stay_nan_and_do_not_count() -> None:
    out = adjust_pvalues([0.01, float("nan"), 0.04], "holm")
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.04)


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="holm"):
        adjust_pvalues([0.1], "bonferroni")  # type: ignore[arg-type]
