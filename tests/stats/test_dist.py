"""cxscale.stats.dist gives scipy.stats' values, and the statistics package no longer loads scipy.stats."""

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as sps

from cxscale.stats import dist

X = np.array([-40.0, -8.5, -3.0, -1.96, -0.5, 0.0, 0.3, 1.0, 1.6449, 2.5, 6.0, 12.0])
Q = np.array([1e-12, 1e-6, 0.001, 0.025, 0.05, 0.2, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9])
DF = [1, 2.5, 7, 30, 1_000, 1e7, np.inf]


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300)


def test_normal_matches_scipy():
    close(dist.norm_cdf(X), sps.norm.cdf(X))
    close(dist.norm_sf(X), sps.norm.sf(X))
    close(dist.norm_pdf(X), sps.norm.pdf(X))
    close(dist.norm_ppf(Q), sps.norm.ppf(Q))
    close(dist.norm_isf(Q), sps.norm.isf(Q))
    assert dist.norm_sf(30.0) > 1e-200  # the upper tail is computed, not 1 - cdf (which is 0 there)


@pytest.mark.parametrize("df", DF)
def test_t_matches_scipy(df):
    close(dist.t_sf(X, df), sps.t.sf(X, df))
    close(dist.t_ppf(Q, df), sps.t.ppf(Q, df))
    close(dist.t_isf(Q, df), sps.t.isf(Q, df))


@pytest.mark.parametrize("df", [2, 9, 58, 398, 5_000])
@pytest.mark.parametrize("nc", [-3.0, 0.0, 0.7, 2.8, 6.0])
def test_noncentral_t_matches_scipy_where_power_reads_it(df, nc):
    x = np.array([-2.6, -1.98, 0.0, 1.98, 2.6])
    np.testing.assert_allclose(dist.nct_cdf(x, df, nc), sps.nct.cdf(x, df, nc), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(dist.nct_sf(x, df, nc), sps.nct.sf(x, df, nc), rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("df", [1, 2, 5, 40])
def test_chi2_and_f_match_scipy(df):
    x = np.array([0.0, 0.01, 0.5, 1.0, 3.84, 10.0, 60.0])
    close(dist.chi2_sf(x, df), sps.chi2.sf(x, df))
    close(dist.f_sf(x, df, 37), sps.f.sf(x, df, 37))


def test_statistics_do_not_load_scipy_stats():
    """The point of the module: `cxscale diagnose` plans pilots and `cxscale measure` reads out without the 0.7 s
    import of scipy.stats."""
    code = ("import sys, cxscale.stats, cxscale.measure.observational, cxscale.journey.diagnosis; "
            "print(sorted(m for m in sys.modules if m == 'scipy.stats' or m.startswith('scipy.stats.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
