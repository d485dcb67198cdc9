"""Money follows the pilot's nature (docs/readout.md#money): a recurring effect is annualised every post window over
the units served; a one-off (a campaign) counts its post window once, or value.repeats_per_year times, over the
pilot's units; a spec that does not say is read as recurring and the readout warns."""

from __future__ import annotations

import pandas as pd
import pytest

from cxscale.data import open_data
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Value, Windows, load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.errors import SpecError
from cxscale.measure.money import NATURE_UNSTATED
from cxscale.measure.readout import readout
from tests.contracts import assert_follows
from tests.measure.world import write_world

PILOT_UNITS, OTHER_CUSTOMERS, POST = 3000, 1000, 21


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Every customer of the pilot, plus 1,000 customers of the table the pilot never enrolled."""
    root = write_world(tmp_path_factory.mktemp("money"), n_customers=PILOT_UNITS, seed=11, effect=-0.25)
    customers = pd.read_parquet(root / "customers.parquet")
    extra = pd.DataFrame({"customer_id": [f"x{i:04d}" for i in range(OTHER_CUSTOMERS)], "segment": "a"})
    pd.concat([customers, extra]).to_parquet(root / "customers.parquet")
    return root


def _read(world, duckdb_con, primary: str = "cost_to_serve", **value):
    spec = PilotSpec(pilot="p1", primary=MetricRef(metric=primary, target=Target(relative=-0.05)),
                     windows=Windows(pre_days=14, post_days=POST), value=Value(**value))
    r = readout(spec, open_data(world, engine=duckdb_con, validate=False))
    assert_follows(ReadoutDocument, r.to_json())
    return r


def _identity_holds(v) -> None:
    assert v.annual == pytest.approx(v.effect_per_unit * v.units_per_year * v.periods_per_year, rel=1e-12)


def test_a_one_off_is_the_value_of_one_campaign_over_the_pilots_units(world, duckdb_con):
    r = _read(world, duckdb_con, nature="one_off")
    v, effect = r.value, r.primary[0]
    assert v.nature == "one_off" and v.nature_stated and v.periods_per_year == 1
    assert v.units_per_year == PILOT_UNITS  # the customers it reached, not the 4,000 rows of the table
    assert v.annual == pytest.approx(-effect.effect_abs * PILOT_UNITS, rel=1e-12)
    assert sorted(v.ci) == pytest.approx(sorted(-c * PILOT_UNITS for c in effect.ci_abs), rel=1e-12)
    assert "one campaign" in v.basis and f"{PILOT_UNITS:,} units" in v.basis
    assert NATURE_UNSTATED not in r.warnings
    _identity_holds(v)
    doc = r.to_json()["value"]
    assert doc["nature"] == "one_off" and doc["periods_per_year"] == 1 and doc["nature_stated"] is True


def test_a_one_off_repeated_counts_each_campaign(world, duckdb_con):
    once = _read(world, duckdb_con, nature="one_off").value
    four = _read(world, duckdb_con, nature="one_off", repeats_per_year=4).value
    assert four.annual == pytest.approx(4 * once.annual, rel=1e-12) and four.periods_per_year == 4
    assert four.ci == pytest.approx(tuple(4 * c for c in once.ci), rel=1e-12)
    assert "4 campaigns per year" in four.basis
    _identity_holds(four)


def test_a_recurring_effect_is_annualised_every_window_over_the_units_served(world, duckdb_con):
    r = _read(world, duckdb_con, nature="recurring")
    v = r.value
    assert v.units_per_year == PILOT_UNITS + OTHER_CUSTOMERS and v.units_source == "rows of the customers table"
    assert v.periods_per_year == pytest.approx(365 / POST)
    assert v.annual == pytest.approx(-r.primary[0].effect_abs * 365 / POST * v.units_per_year, rel=1e-12)
    assert r.warnings == [] and v.nature_stated
    # the extrapolation beyond the 3,000 customers the effect was measured on is said, not hidden
    assert f"the pilot enrolled {PILOT_UNITS:,} of them" in v.basis
    _identity_holds(v)


def test_a_spec_that_does_not_state_its_nature_is_read_as_recurring_with_a_warning(world, duckdb_con):
    stated = _read(world, duckdb_con, nature="recurring").value
    r = _read(world, duckdb_con)
    assert r.value.annual == pytest.approx(stated.annual, rel=1e-12)  # backwards compatible
    assert r.value.nature == "recurring" and r.value.nature_stated is False
    assert NATURE_UNSTATED in r.warnings and NATURE_UNSTATED in r.to_json()["warnings"]
    assert "value.nature not stated" in r.value.basis and r.to_json()["value"]["nature_stated"] is False


def test_money_of_a_secondary_metric_says_its_role_and_its_verdict(world, duckdb_con):
    """The money of a secondary is not the pilot's verdict: its basis says so with the adjusted p-value, since its CI
    (the effect's, unadjusted) may exclude 0 where the adjusted test does not."""
    spec = PilotSpec(pilot="p1", primary=MetricRef(metric="csat_mean", target=Target(relative=0.05)),
                     secondary=[MetricRef(metric="cost_to_serve")], windows=Windows(pre_days=14, post_days=POST),
                     value=Value(nature="recurring"))
    r = readout(spec, open_data(world, engine=duckdb_con, validate=False))
    m = next(m for m in r.metrics if m.name == "cost_to_serve")
    assert r.value.metric == "cost_to_serve" and r.value.role == "secondary"
    assert f"cost_to_serve is a secondary metric, {m.verdict} (adjusted p = {m.p_value_adjusted:.2g})" in r.value.basis
    assert assert_follows(ReadoutDocument, r.to_json()).value.role == "secondary"
    assert _read(world, duckdb_con, nature="recurring").value.role == "primary"


def test_a_one_off_handle_time_counts_one_post_window_of_contacts(world, duckdb_con):
    recurring = _read(world, duckdb_con, "aht", nature="recurring").value
    once = _read(world, duckdb_con, "aht", nature="one_off").value
    assert recurring.metric == once.metric == "aht" and recurring.periods_per_year == 1
    assert once.annual == pytest.approx(recurring.annual * POST / 365, rel=1e-12)
    assert once.units_per_year == pytest.approx(recurring.units_per_year * POST / 365, rel=1e-12)
    _identity_holds(recurring)
    _identity_holds(once)


def test_repeats_without_a_one_off_are_refused_naming_the_key(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text("pilot: p\nprimary: {metric: cost_to_serve, target: {relative: -0.05}}\n"
                    "value: {nature: recurring, repeats_per_year: 4}\n")
    with pytest.raises(SpecError, match=r"p\.yaml: invalid pilot spec: value \(line 3\): repeats_per_year applies to nature: "
                                        r"one_off only"):
        load_spec(spec)
    spec.write_text("pilot: p\nprimary: {metric: cost_to_serve, target: {relative: -0.05}}\n"
                    "value: {nature: once}\n")
    with pytest.raises(SpecError, match=r"value\.nature \(line 3\): Input should be 'recurring' or 'one_off'"):
        load_spec(spec)


def test_the_simulator_writes_specs_that_state_their_nature():
    from cxscale.simulate.scheduling import SchedulingWorld
    from cxscale.simulate.support_pilots import specs

    written = [*specs().values(), *(p.spec for p in SchedulingWorld(100, 1).pilots())]
    assert written and all(s.value.nature == "recurring" for s in written)


def test_a_shipped_spec_loads_by_name_and_an_unknown_name_or_a_folder_is_one_line(tmp_path):
    spec = load_spec("hillstrom")
    assert spec.pilot == "hillstrom_email" and spec.value.nature == "one_off" and spec.value.currency == "USD"
    with pytest.raises(SpecError, match=r"pilot spec 'nosuch' is neither a file nor a shipped spec \(shipped: "
                                        r"hillstrom, noshow\)"):
        load_spec("nosuch")
    (tmp_path / "p1").mkdir()
    with pytest.raises(SpecError, match=r"p1: is a folder, not a pilot spec file"):
        load_spec(tmp_path / "p1")
