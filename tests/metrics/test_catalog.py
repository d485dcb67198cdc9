"""The metric catalog: the agreed built-in names, directions and kinds; user metrics in YAML; errors that name things."""

from __future__ import annotations

import pytest

from cxscale.errors import SpecError
from cxscale.metrics import MetricDef, builtin_catalog, load_catalog

AGREED = ["cost_to_serve", "contacts_per_customer", "repeat_contact_rate_7d", "repeat_contact_rate_14d",
          "repeat_contact_rate_30d", "resolution_rate", "csat_mean", "csat_top2box", "aht", "abandonment_rate",
          "transfer_rate",
          "no_show_rate", "conversion_rate", "revenue_per_customer", "containment_rate"]


def test_catalog_holds_exactly_the_agreed_metric_names():
    assert sorted(builtin_catalog().names) == sorted(AGREED)


def test_costs_are_lower_is_better_and_outcomes_higher_is_better():
    c = builtin_catalog()
    assert {c.get(n).direction for n in ("cost_to_serve", "aht", "no_show_rate", "repeat_contact_rate_7d")} == {"lower"}
    assert {c.get(n).direction for n in ("resolution_rate", "csat_mean", "conversion_rate")} == {"higher"}


def test_containment_is_technical_and_says_why_it_is_not_business_value():
    m = builtin_catalog().get("containment_rate")
    assert m.kind == "technical" and "cost_to_serve" in m.why_not_business
    assert all(builtin_catalog().get(n).kind == "business" for n in AGREED if n != "containment_rate")


def test_money_metrics_are_the_currency_sums():
    money = {m.name for m in builtin_catalog() if m.is_money}
    assert money == {"cost_to_serve", "revenue_per_customer"}


def test_user_yaml_adds_a_metric_and_can_replace_a_builtin(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("""
metrics:
  - name: long_wait_rate
    direction: lower
    type: ratio
    numerator: {filter: "wait_seconds > 300"}
    denominator: {filter: "wait_seconds is not None"}
    unit_label: share
  - name: cost_to_serve
    direction: lower
    type: sum
    numerator: {value: "cost * 1.2"}
    unit_label: currency
""")
    c = load_catalog(f)
    assert c.get("long_wait_rate").columns() == {"wait_seconds"}
    assert c.get("cost_to_serve").numerator.value == "cost * 1.2"
    assert builtin_catalog().get("cost_to_serve").numerator.value == "cost"  # built-ins untouched


def test_bad_user_metric_names_file_metric_and_field(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("metrics:\n  - name: wait_share\n    direction: sideways\n    type: ratio\n    denominator: {}\n")
    with pytest.raises(SpecError, match=r"bad.yaml: metric wait_share: direction"):
        load_catalog(f)


def test_metric_reading_an_unknown_column_is_refused_with_the_known_columns():
    with pytest.raises(ValueError, match=r"reads \['handle_minutes'\], which interactions does not have"):
        MetricDef(name="x", direction="lower", type="sum", numerator="handle_minutes")


def test_unknown_metric_lists_the_catalog_and_how_to_add_one():
    with pytest.raises(SpecError, match="unknown metric 'nps'.*cost_to_serve.*--metrics FILE"):
        builtin_catalog().get("nps")


@pytest.mark.parametrize("bad", [
    {"type": "sum"},  # no value
    {"type": "count", "numerator": "cost"},  # counts rows, no value
    {"type": "sum", "numerator": "cost", "denominator": {}},  # only ratios have denominators
])
def test_inconsistent_types_are_refused(bad):
    with pytest.raises(ValueError):
        MetricDef(name="x", direction="lower", **bad)
