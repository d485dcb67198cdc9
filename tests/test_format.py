"""Numbers in their units (cxscale.format): what the readout page and the CLI show a reader."""

from __future__ import annotations

import math

import pytest

from cxscale import format as fmt
from cxscale.metrics.catalog import builtin_catalog

M = fmt.MINUS


def test_rates_read_as_percentages_and_their_changes_as_points():
    share = fmt.unit("share", "ratio")
    assert share.level(0.005726) == "0.57%"  # the raw fraction the old page showed
    assert [share.level(x) for x in (0.6964, 0.0573, 0.00057, 1.0, 0.0)] == ["69.6%", "5.7%", "0.057%", "100%", "0%"]
    assert share.change(0.07431) == "+7.4 pp" and share.change(-0.0005314) == f"{M}0.053 pp"
    assert fmt.unit("", "proportion").kind == "share"


def test_money_carries_its_currency_code_and_thousands_separators():
    assert fmt.unit("currency", "sum", "EUR").level(4.7512) == "4.75 EUR"
    assert fmt.unit("USD", "sum", "EUR").change(-0.79) == f"{M}0.79 USD"  # a code in the label wins
    assert fmt.money(25_753.4, "EUR") == "25,753 EUR" and fmt.money(-1_582_000, "GBP") == f"{M}1,582,000 GBP"
    assert fmt.money(-0.01234, "EUR") == f"{M}0.012 EUR"  # a small per-unit effect keeps two significant digits


def test_handle_times_read_as_minutes_and_seconds_and_changes_in_seconds():
    aht = fmt.unit("seconds", "mean")
    assert aht.level(464.9) == "7:45 min" and aht.level(45.23) == "45.2 s" and aht.level(3600) == "60:00 min"
    assert aht.change(-66.97) == f"{M}67.0 s" and aht.change(-100.8) == f"{M}101 s"


def test_counts_and_plain_numbers_have_thousands_separators():
    assert fmt.count(1_234_567) == "1,234,567" and fmt.number(12_345.6) == "12,346"
    assert fmt.number(3.501) == "3.50" and fmt.number(0.1702, sign=True) == "+0.170"
    assert fmt.unit("minutes", "mean").level(12.5) == "12.5 minutes"  # an unknown label follows the number


def test_a_missing_or_infinite_number_never_reads_nan_or_inf():
    for f in (fmt.number, fmt.count, fmt.percent, fmt.points, fmt.relative, fmt.seconds, fmt.p_value,
              lambda x: fmt.money(x, "EUR"), fmt.unit("seconds").change, fmt.unit("minutes").level):
        for x in (math.nan, None, math.inf, -math.inf):
            text = f(x)
            assert "nan" not in text.lower() and "inf" not in text.lower(), (f, x, text)
    assert fmt.relative(math.nan) == "n/a" and fmt.relative(-math.inf) == "unbounded"
    assert fmt.interval(-0.21, math.inf, fmt.relative) == f"[{M}21.0%, unbounded]"
    assert fmt.interval(-math.inf, math.inf, fmt.relative) == "unbounded"
    assert fmt.interval(math.nan, math.nan, fmt.relative) == "n/a"


def test_p_values_read_without_exponents():
    assert [fmt.p_value(p) for p in (0.0533, 0.000232, 4.88e-6, 1.0)] == ["0.0533", "0.00023", "< 0.0001", "1"]


@pytest.mark.parametrize("metric", list(builtin_catalog()), ids=lambda m: m.name)
def test_every_builtin_metric_has_a_unit_that_reads(metric):
    u = fmt.unit(metric.unit_label, metric.type, "EUR")
    assert (u.kind == "money") == metric.is_money
    assert u.kind != "number" or metric.unit_label == "score"
    assert "e-" not in u.level(0.000123) and "e+" not in u.change(123456789.0)


def test_charts_and_dense_tables_read_numbers_compactly_and_shares_with_fixed_decimals():
    assert [fmt.compact(x) for x in (950, 12_300, 4_500_000, 1.2e9, 42.5, 7, None)] == \
        ["950", "12.3k", "4.5M", "1.2B", "42.5", "7", "-"]
    assert fmt.percent(0.1234, decimals=1) == "12.3%" and fmt.percent(0.005, decimals=1) == "0.5%"
    assert fmt.percent(float("nan"), decimals=0, missing=fmt.DASH) == "-"
