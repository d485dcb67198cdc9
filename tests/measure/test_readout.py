"""The readout on a small world: planted effects are found, a null pilot is not proven, SRM blocks, money, JSON."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from cxscale.data import open_data
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Value, Windows
from cxscale.documents.readout import SCHEMA_VERSION, ReadoutDocument
from cxscale.measure.readout import readout
from tests.contracts import assert_follows, schema_errors
from tests.measure.world import write_world

REQUIRED_METRIC_KEYS = {"name", "role", "control", "treatment", "effect_abs", "ci_abs", "effect_rel", "ci_rel",
                        "p_value", "target", "target_reached", "verdict"}


def _spec(primary: str = "cost_to_serve", **kw) -> PilotSpec:
    return PilotSpec(pilot="p1", primary=MetricRef(metric=primary, target=Target(relative=-0.05)),
                     guardrails=[MetricRef(metric="csat_mean", max_harm=Target(relative=-0.05))],
                     secondary=[MetricRef(metric="aht")], windows=Windows(pre_days=14, post_days=21), **kw)


@pytest.fixture(scope="module")
def effect_world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("effect"), n_customers=3000, seed=11, effect=-0.25)


@pytest.fixture(scope="module")
def null_world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("null"), n_customers=3000, seed=13, effect=0.0)


def test_planted_cost_reduction_is_proven_and_its_ci_covers_the_truth(effect_world, duckdb_con):
    r = readout(_spec(), open_data(effect_world, engine=duckdb_con, validate=False))
    primary = r.primary[0]
    assert r.verdict == primary.verdict == "proven"
    assert primary.ci_rel[0] < -0.25 < primary.ci_rel[1]
    assert primary.target_reached is True
    assert primary.method.startswith("cuped")


def test_no_effect_pilot_is_not_declared_proven(null_world, duckdb_con):
    r = readout(_spec(), open_data(null_world, engine=duckdb_con, validate=False))
    assert r.verdict != "proven"
    assert r.primary[0].ci_abs[0] < 0 < r.primary[0].ci_abs[1]


def test_sample_ratio_mismatch_blocks_the_verdict(tmp_path, duckdb_con):
    root = write_world(tmp_path, n_customers=3000, seed=11, effect=-0.25)
    a = pd.read_parquet(root / "assignments.parquet")
    a = a[~((a.arm == "treatment") & (a.index % 3 == 0))]  # a third of treatment units lost
    a.to_parquet(root / "assignments.parquet")
    r = readout(_spec(), open_data(root, engine=duckdb_con, validate=False))
    assert not r.srm_ok and r.verdict == "blocked"
    assert any("sample ratio mismatch" in w for w in r.warnings)


def test_technical_primary_metric_warns_why_it_does_not_show_business_value(effect_world, duckdb_con):
    r = readout(_spec("containment_rate"), open_data(effect_world, engine=duckdb_con, validate=False))
    assert any("containment_rate is a technical metric" in w and "cost_to_serve" in w for w in r.warnings)


def test_the_document_the_readout_builds_is_the_one_a_reader_gets_back_with_null_for_nan(effect_world, duckdb_con):
    """One representation: readout() builds the ReadoutDocument; its JSON reads back into the same document, a NaN
    or an infinite bound is null there, and a field the design does not have is absent rather than null."""
    r = readout(_spec(), open_data(effect_world, engine=duckdb_con, validate=False))
    doc = r.to_json()
    assert ReadoutDocument.model_validate(doc).to_json() == doc
    assert not {"bayes", "event_study", "clusters"} & set(doc["metrics"][0]) and "observational" not in doc
    assert doc["scope"] is None and doc["metrics"][0]["cap"] is None  # fields every readout has: null, not absent
    first = r.metrics[0].model_copy(update={"p_value": math.nan, "ci_rel": [-0.2, math.inf]})
    edge = r.model_copy(update={"metrics": [first, *r.metrics[1:]]}).to_json()
    assert edge["metrics"][0]["p_value"] is None and edge["metrics"][0]["ci_rel"] == [-0.2, None]
    json.dumps(edge, allow_nan=False)


def test_json_document_has_the_agreed_keys_and_no_nan(effect_world, duckdb_con):
    doc = readout(_spec(value=Value(currency="EUR", units_per_year=10_000)),
                  open_data(effect_world, engine=duckdb_con, validate=False)).to_json()
    assert assert_follows(ReadoutDocument, doc).schema_version == SCHEMA_VERSION
    assert {"pilot", "design", "unit", "srm", "metrics", "value"} <= set(doc)
    assert set(doc["srm"]) >= {"p_value", "ok"}
    assert [m["role"] for m in doc["metrics"]] == ["primary", "guardrail", "secondary"]
    for m in doc["metrics"]:
        assert set(m) >= REQUIRED_METRIC_KEYS
        assert m["ci_abs"][0] <= m["effect_abs"] <= m["ci_abs"][1]
    v = doc["value"]
    assert v["currency"] == "EUR" and v["ci"][0] < v["annual"] < v["ci"][1]
    primary = doc["metrics"][0]
    # value = cost reduction per customer per 21 days x 365/21 x 10,000 customers
    assert v["annual"] == pytest.approx(-primary["effect_abs"] * 365 / 21 * 10_000)


def test_holm_correction_raises_p_values_over_arms(tmp_path, duckdb_con):
    root = write_world(tmp_path, n_customers=600, seed=2)
    a = pd.read_parquet(root / "assignments.parquet")
    a.loc[a.index % 3 == 0, "arm"] = "treatment_b"
    a.to_parquet(root / "assignments.parquet")
    spec = _spec(treatments=["treatment", "treatment_b"])
    r = readout(spec, open_data(root, engine=duckdb_con, validate=False))
    primaries = r.primary
    assert [m.arm for m in primaries] == ["treatment", "treatment_b"]
    for m in r.metrics:
        if m.role != "guardrail":
            assert m.p_value_adjusted >= m.p_value


@pytest.mark.spark
@pytest.mark.slow
def test_readout_is_the_same_on_duckdb_and_spark(effect_world):
    from cxscale.engine import connect

    docs = [readout(_spec(), open_data(effect_world, engine=connect(e), validate=False)).to_json() for e in ("duckdb", "spark")]
    assert docs[0]["n"] == docs[1]["n"] and docs[0]["verdict"] == docs[1]["verdict"]
    for a, b in zip(docs[0]["metrics"], docs[1]["metrics"], strict=True):
        for key in ("control", "treatment", "effect_abs", "p_value"):
            assert a[key] == pytest.approx(b[key], rel=1e-9), key
        assert a["ci_abs"] == pytest.approx(b["ci_abs"], rel=1e-9)


def test_sequential_option_gives_wider_always_valid_intervals(effect_world, duckdb_con):
    from cxscale.documents.pilot_spec import Options

    ds = open_data(effect_world, engine=duckdb_con, validate=False)
    fixed = readout(_spec(), ds).primary[0]
    seq = readout(_spec(options=Options(sequential=True)), ds).primary[0]
    assert "sequential" in seq.method or "always" in seq.method
    assert seq.ci_abs[0] < fixed.ci_abs[0] and seq.ci_abs[1] > fixed.ci_abs[1]
    assert seq.p_value >= fixed.p_value


def test_bayesian_option_adds_the_probability_that_treatment_is_better(effect_world, duckdb_con):
    from cxscale.documents.pilot_spec import Options

    doc = readout(_spec(options=Options(bayesian=True)), open_data(effect_world, engine=duckdb_con, validate=False)).to_json()
    bayes = doc["metrics"][0]["bayes"]
    assert bayes["prob_treatment_better"] > 0.99  # cost fell by a quarter; lower is better
    assert assert_follows(ReadoutDocument, doc).metrics[0].bayes is not None


def test_winsorised_readout_reports_its_caps_within_the_schema(effect_world, duckdb_con):
    from cxscale.documents.pilot_spec import Options

    doc = readout(_spec(options=Options(winsorize=0.95)), open_data(effect_world, engine=duckdb_con, validate=False)).to_json()
    read = assert_follows(ReadoutDocument, doc)
    assert read.caps and read.caps["cost_to_serve"] > 0
    assert read.metrics[0].cap == read.caps["cost_to_serve"]


def test_a_broken_readout_is_refused_naming_where(effect_world, duckdb_con):
    from pydantic import ValidationError

    doc = readout(_spec(), open_data(effect_world, engine=duckdb_con, validate=False)).to_json()
    doc["metrics"][1]["verdict"] = "great"
    del doc["srm"]["ok"]
    with pytest.raises(ValidationError) as err:
        ReadoutDocument.model_validate(doc)
    assert {e["loc"][:3] for e in err.value.errors()} == {("metrics", 1, "verdict"), ("srm", "ok")}
    # The published JSON Schema finds the same two faults.
    assert [e.split(":")[0] for e in schema_errors(ReadoutDocument, doc)] == ["metrics.1.verdict", "srm"]


def test_handle_time_effect_is_valued_through_the_rate_card_and_contact_volume(effect_world, duckdb_con):
    from cxscale.contract import DEFAULT_RATE_CARD

    spec = _spec("aht").model_copy(update={"primary": MetricRef(metric="aht", target=Target(relative=-0.05))})
    r = readout(spec, open_data(effect_world, engine=duckdb_con, validate=False))
    it = pd.read_parquet(effect_world / "interactions.parquet")
    h = it[it.handle_seconds.notna() & (it.channel != "self_service")]
    per_minute = h.channel.map(lambda c: DEFAULT_RATE_CARD[c][1]).mean()
    per_year = len(h) * 365 / ((h.started_at.max() - h.started_at.min()).total_seconds() / 86400)
    effect = r.primary[0].effect_abs
    assert r.value.metric == "aht"
    assert r.value.annual == pytest.approx(-effect / 60 * per_minute * per_year, rel=1e-9)


def test_expected_split_without_a_share_for_every_arm_is_refused_before_any_query(effect_world, duckdb_con):
    from cxscale.errors import SpecError

    with pytest.raises(SpecError, match="expected_split has no share for arm\\(s\\) control"):
        readout(_spec(expected_split={"treatment": 0.5}), open_data(effect_world, engine=duckdb_con, validate=False))


def test_planned_unequal_split_passes_the_srm_check(tmp_path, duckdb_con):
    root = write_world(tmp_path, n_customers=3000, seed=11)
    a = pd.read_parquet(root / "assignments.parquet")
    a = a[~((a.arm == "treatment") & (a.index % 2 == 0))]  # keep about a third in treatment
    a.to_parquet(root / "assignments.parquet")
    ds = open_data(root, engine=duckdb_con, validate=False)
    assert not readout(_spec(), ds).srm_ok
    share = (a.arm == "treatment").mean()
    assert readout(_spec(expected_split={"control": 1 - share, "treatment": share}), ds).srm_ok
