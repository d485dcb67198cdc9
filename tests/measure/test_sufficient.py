"""Sufficient statistics computed in the engine agree exactly with a brute-force loop over units, on DuckDB and Spark."""

from __future__ import annotations

import math

import pytest

from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Windows
from cxscale.errors import DataError, SpecError
from cxscale.measure.sufficient import pilot_stats
from cxscale.metrics import builtin_catalog
from tests.conftest import data_on
from tests.measure.world import brute_force, write_world

METRICS = ["cost_to_serve", "contacts_per_customer", "aht", "resolution_rate", "repeat_contact_rate_7d",
           "csat_top2box", "conversion_rate", "revenue_per_customer", "no_show_rate"]
PRE, POST = 14, 21


def _spec(unit: str = "customer", analysis: str | None = None, **options) -> PilotSpec:
    return PilotSpec(pilot="p1", unit=unit, analysis_unit=analysis,
                     primary=MetricRef(metric="cost_to_serve", target=Target(relative=-0.05)),
                     windows=Windows(pre_days=PRE, post_days=POST), options=options or {})


@pytest.fixture(scope="module", params=[False, True], ids=["staggered", "cohort"])
def world(request, tmp_path_factory):
    """Units assigned over six days, or all at one instant (a cohort: the readout sums each unit's rows before they
    meet the assignments; tests/measure/test_sufficient.py checks both plans against the same brute force)."""
    return write_world(tmp_path_factory.mktemp("world"), n_customers=60, seed=3, cohort=request.param)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_engine_sums_equal_brute_force_for_every_metric_type(engine, world):
    ps = pilot_stats(open_data(**data_on(engine, world), validate=False), _spec(),
                     [builtin_catalog().get(m) for m in METRICS])
    for name in METRICS:
        expected = brute_force(world, name, PRE, POST)
        for arm, bf in expected.items():
            s = ps.stats[(name, arm)]
            assert s.post.n == bf["n"] == ps.n[arm]
            if "num_sum" in bf:
                got = (s.post.num_sum, s.post.num_sum_sq, s.post.den_sum, s.post.den_sum_sq, s.post.num_den_sum)
                want = (bf["num_sum"], bf["num_sq"], bf["den_sum"], bf["den_sq"], bf["numden"])
            else:
                c = s.cuped
                got = (c.y_sum, c.y_sum_sq, c.x_sum, c.x_sum_sq, c.xy_sum)
                want = (bf["y_sum"], bf["y_sq"], bf["x_sum"], bf["x_sq"], bf["xy"])
            assert all(_close(g, w) for g, w in zip(got, want, strict=True)), (name, arm, got, want)


@pytest.mark.parametrize("cohort", [False, True], ids=["staggered", "cohort"])
def test_site_randomised_pilot_measured_per_customer_is_a_ratio_at_site_level(engine, tmp_path, cohort):
    root = write_world(tmp_path, n_customers=60, seed=5, unit="site", n_sites=6, cohort=cohort)
    names = ["cost_to_serve", "contacts_per_customer"]
    ps = pilot_stats(open_data(**data_on(engine, root), validate=False), _spec("site", "customer"),
                     [builtin_catalog().get(m) for m in names])
    assert sum(ps.n.values()) == 6
    for name in names:
        for arm, bf in brute_force(root, name, PRE, POST, unit="site", clustered=True).items():
            s = ps.stats[(name, arm)].post
            assert s.n == bf["n"]
            assert _close(s.num_sum, bf["num_sum"]) and _close(s.den_sum, bf["den_sum"])
            assert _close(s.num_den_sum, bf["numden"]) and _close(s.den_sum_sq, bf["den_sq"])


def test_winsorising_caps_per_unit_values_at_the_pooled_quantile(world, duckdb_con):
    ds = open_data(world, engine=duckdb_con, validate=False)
    m = builtin_catalog().get("cost_to_serve")
    plain = pilot_stats(ds, _spec(), [m])
    capped = pilot_stats(ds, _spec(winsorize=0.9), [m])
    cap = capped.caps["cost_to_serve"]
    assert cap > 0
    for arm in ("control", "treatment"):
        p, c = plain.stats[("cost_to_serve", arm)].post, capped.stats[("cost_to_serve", arm)].post
        assert c.sum < p.sum or p.sum == c.sum == 0
        assert c.sum_sq <= c.n * cap**2 + 1e-9


def test_unknown_arm_in_spec_names_the_arms_found(world, duckdb_con):
    spec = _spec().model_copy(update={"treatments": ["variant_b"]})
    with pytest.raises(DataError, match="variant_b.*arms found: control, treatment"):
        pilot_stats(open_data(world, engine=duckdb_con, validate=False), spec, [builtin_catalog().get("cost_to_serve")])


def test_outcome_metric_on_an_agent_pilot_is_refused_with_the_reason(world, duckdb_con):
    spec = _spec("agent")
    with pytest.raises(SpecError, match="outcomes, which has no agent column"):
        pilot_stats(open_data(world, engine=duckdb_con, validate=False), spec, [builtin_catalog().get("conversion_rate")])


def test_metric_reading_a_column_the_data_lacks_names_metric_and_column(world, duckdb_con):
    ds = open_data(world, engine=duckdb_con, validate=False)
    ds = Dataset(ds.con, {**ds.tables, "interactions": ds.interactions.drop("csat")}, source="shop.csv")
    with pytest.raises(DataError, match="shop.csv: interactions: metric csat_top2box reads column\\(s\\) csat"):
        pilot_stats(ds, _spec(), [builtin_catalog().get("csat_top2box")])


def test_a_scoped_readout_reads_only_the_contacts_at_its_touchpoint(engine, world):
    """scope narrows the interaction metrics to the touchpoint's contacts (repeats within it, data end included) and
    leaves the outcome metrics whole, on every engine."""
    from cxscale.measure.readout import readout

    spec = PilotSpec.model_validate({
        "pilot": "p1", "scope": {"channel": ["voice"]}, "windows": {"pre_days": PRE, "post_days": POST},
        "primary": {"metric": "repeat_contact_rate_7d", "target": {"relative": -0.1}},
        "secondary": [{"metric": "cost_to_serve"}, {"metric": "no_show_rate"}], "options": {"cuped": False}})
    doc = readout(spec, open_data(**data_on(engine, world), validate=False)).to_json()
    assert doc["scope"] == {"channel": ["voice"]}
    assert doc["value"]["units_source"] == "distinct customer_id in interactions within the spec's scope"
    got = {m["name"]: m for m in doc["metrics"]}
    for name, channels in (("repeat_contact_rate_7d", ["voice"]), ("cost_to_serve", ["voice"]),
                           ("no_show_rate", None)):
        bf = brute_force(world, name, PRE, POST, channels=channels)
        for arm in ("control", "treatment"):
            s = bf[arm]
            want = s["num_sum"] / s["den_sum"] if "num_sum" in s else s["y_sum"] / s["n"]
            assert got[name][arm] == pytest.approx(want, rel=1e-9), (name, arm)
    whole = brute_force(world, "cost_to_serve", PRE, POST)["control"]
    assert got["cost_to_serve"]["control"] != pytest.approx(whole["y_sum"] / whole["n"])


def test_a_scope_must_name_something_and_nothing_unknown():
    base = {"pilot": "p1", "primary": {"metric": "aht", "target": {"relative": -0.05}}}
    for scope, message in (({}, "at least one of intent"), ({"intent": []}, "at least 1 item"),
                           ({"queue": ["a"]}, "Extra inputs")):
        with pytest.raises(ValueError, match=message):
            PilotSpec.model_validate({**base, "scope": scope})


def test_a_scope_value_no_contact_holds_is_an_error_naming_it_and_the_values_found(world):
    from cxscale.measure.readout import readout

    spec = PilotSpec.model_validate({"pilot": "p1", "scope": {"channel": ["voice", "voise"]},
                                     "primary": {"metric": "aht", "target": {"relative": -0.05}}})
    with pytest.raises(DataError, match=r"no interaction has channel 'voise' \(scope\); its values: chat, email, "
                                        r"self_service, voice"):
        readout(spec, open_data(world, validate=False))


@pytest.mark.parametrize("cohort", [False, True], ids=["staggered", "cohort"])
def test_the_cohort_plan_reads_a_pilot_whose_units_were_all_assigned_at_one_instant(tmp_path, duckdb_con, cohort):
    from cxscale.measure.sufficient import _assignments, _one_instant

    ds = open_data(write_world(tmp_path, n_customers=40, seed=1, cohort=cohort), engine=duckdb_con, validate=False)
    assert (_one_instant(_assignments(ds, _spec())) is not None) is cohort  # the tests above cover both plans
