"""`cxscale measure` reads out an observational design (docs/readout.md#observational): the naive and the adjusted
comparison side by side, `causal: false`, its own verdicts and never "proven". The worked example is the no-show
data's SMS reminders, which went only to appointments booked 3+ days ahead."""

from __future__ import annotations

import json
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.readout import ReadoutDocument
from cxscale.errors import DataError, SpecError
from cxscale.measure.observational_readout import VERDICTS, observational_readout
from tests.conftest import shared_data
from tests.contracts import assert_follows

SPEC = Path(__file__).resolve().parents[2] / "cxscale" / "data" / "mappings" / "noshow.pilot.yaml"
PROOF_WORDS = ("proven", "harmful", "not proven yet", "inconclusive", "blocked")


def _cli(*args: str) -> object:
    folder = shared_data("noshow", "noshow_appointments.csv").parent
    return CliRunner().invoke(app, ["measure", str(SPEC), "--data", str(folder), "--mapping", "noshow", *args],
                              env={"COLUMNS": "80"})


@pytest.fixture(scope="module")
def document() -> dict:
    res = _cli("--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def first_appointments() -> pd.DataFrame:
    """Independently of cxscale: each patient's first appointment in file order (what the mapping's customers table
    describes), with the no-shows and appointments the patient had on that day."""
    raw = pd.read_csv(shared_data("noshow", "noshow_appointments.csv"), parse_dates=["ScheduledDay", "AppointmentDay"])
    raw["lead"] = (raw.AppointmentDay.dt.normalize() - raw.ScheduledDay.dt.normalize()).dt.days
    raw["ns"] = raw.No_show.eq("Yes").astype(float)
    first = raw.drop_duplicates("PatientId")[["PatientId", "AppointmentDay", "SMS_received", "lead"]]
    day = raw.groupby(["PatientId", "AppointmentDay"]).ns.agg(["sum", "size"]).reset_index()
    return first.merge(day, on=["PatientId", "AppointmentDay"])


def test_the_naive_comparison_says_reminders_raise_no_shows_by_about_ten_points(document, first_appointments):
    [c] = document["observational"]["comparisons"]
    naive = c["naive"]
    f = first_appointments
    rate = {g: d["sum"].sum() / d["size"].sum() for g, d in f.groupby("SMS_received")}
    assert naive["effect_abs"] == pytest.approx(rate[1] - rate[0], rel=1e-9)
    assert 0.09 < naive["effect_abs"] < 0.11 and naive["ci_abs"][0] > 0.08
    assert document["n"] == {"no_reminder": int((f.SMS_received == 0).sum()),
                             "sms_reminder": int((f.SMS_received == 1).sum())}


def test_within_lead_time_bands_reminders_are_associated_with_fewer_no_shows(document, first_appointments):
    [c] = document["observational"]["comparisons"]
    adjusted = c["adjusted"]
    assert -0.06 < adjusted["effect_abs"] < -0.04 and adjusted["ci_abs"][1] < 0
    # direct standardisation over the bands where both groups occur, computed with pandas
    f = first_appointments.assign(band=pd.cut(first_appointments.lead, [-np.inf, -0.5, 0.5, 2.5, 7.5, 14.5, 30.5,
                                                                        np.inf]))
    g = f.groupby(["band", "SMS_received"], observed=True).agg(ns=("sum", "sum"), appts=("size", "sum"),
                                                              units=("size", "size")).unstack().dropna()
    w = g["units"].sum(axis=1) / g["units"].sum(axis=1).sum()
    want = float((w * (g["ns"][1] / g["appts"][1] - g["ns"][0] / g["appts"][0])).sum())
    assert adjusted["effect_abs"] == pytest.approx(want, rel=1e-9)
    shares = {s["stratum"]: s["treated_share"] for s in c["strata"]}
    assert shares["0"] == shares["1-2"] == 0 and shares["3-7"] > 0.5  # the rule that confounds, made visible


def test_the_observational_readout_is_marked_not_causal_and_is_no_proof(document):
    doc = assert_follows(ReadoutDocument, document)
    assert doc.design == "observational" and doc.causal is False
    assert doc.verdict == "associated (not causal)" and doc.value is None and doc.metrics == []
    assert "never proof" in document["observational"]["gate"]
    assert "Not causal" in doc.reason and "+9.8 points" in doc.reason and "5.0 points lower" in doc.reason
    assert document["srm"]["applicable"] is False


def test_the_terminal_shows_both_comparisons_side_by_side_and_never_says_proven():
    res = _cli()
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "not randomised, not causal" in out and "Verdict: associated (not causal)" in out
    assert "naive: all units 17.8% 27.6% +9.8 [+8.7, +10.9]" in out
    assert "adjusted: within lead_days" in out and "-5.0 [-6.4, -3.5]" in out
    assert "For a gate: association only, never proof" in out
    assert "proven" not in out.replace("never proof", "")


def test_html_refuses_an_observational_readout_in_one_line(tmp_path):
    res = _cli("--html", str(tmp_path / "r.html"))
    # a SpecError: cxscale's entry point prints it as one red line and exits 1 (cxscale/cli/__init__.py)
    assert isinstance(res.exception, SpecError), res.exception
    assert "--html does not show an observational design" in str(res.exception)
    assert not (tmp_path / "r.html").exists()


def test_quantile_bands_and_a_text_column_stratify_together(tmp_path):
    text = SPEC.read_text().replace("adjust_for: [lead_days]", "adjust_for: [lead_days, gender]").replace(
        "bands: {lead_days: [0, 1, 3, 8, 15, 31]}", "bands: {lead_days: 4}")
    spec = tmp_path / "quartiles.pilot.yaml"
    spec.write_text(text)
    folder = shared_data("noshow", "noshow_appointments.csv").parent
    res = CliRunner().invoke(app, ["measure", str(spec), "--data", str(folder), "--mapping", "noshow", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    edges = doc["observational"]["bands"]["lead_days"]
    assert edges == sorted(edges) and all(float(e).is_integer() for e in edges) and len(edges) >= 3
    strata = [s["stratum"] for s in doc["observational"]["comparisons"][0]["strata"]]
    assert {s.split(", ")[1] for s in strata} == {"F", "M"} and len(strata) == 2 * len({s.split(", ")[0]
                                                                                          for s in strata})
    assert doc["verdict"] in VERDICTS


# Planted worlds: whatever the numbers, an observational readout is never proven.

def _planted(seed: int, effect: float, n: int = 10_000) -> Dataset:
    """Customers treated by a rule (mostly when `risk` is high) with a planted change of the no-show rate."""
    rng = np.random.default_rng(seed)
    risk = rng.integers(0, 4, n)
    treated = rng.random(n) < np.array([0.1, 0.3, 0.6, 0.9])[risk]
    p = 0.2 + 0.1 * risk + effect * treated  # 0.12 to 0.58: no clipping changes the planted effect
    ids = [f"c{i}" for i in range(n)]
    con = ibis.duckdb.connect()
    customers = con.create_table("customers", pd.DataFrame({"customer_id": ids, "treated": treated, "risk": risk}))
    when = pd.Timestamp("2026-01-05", tz="UTC")
    outcomes = con.create_table("outcomes", pd.DataFrame({
        "customer_id": ids, "occurred_at": [when] * n,
        "outcome": np.where(rng.random(n) < p, "no_show", "appointment_kept"), "value": np.nan}))
    return Dataset(con, {"customers": customers, "outcomes": outcomes}, f"planted-{seed}")


PLANTED = PilotSpec.model_validate({
    "pilot": "planted", "design": "observational", "primary": {"metric": "no_show_rate"},
    "observational": {"treatment": "treated", "adjust_for": ["risk"], "bands": {"risk": [0, 1, 2, 3]}}})


@pytest.mark.parametrize(("seed", "effect"), [(s, e) for s in range(4) for e in (-0.08, 0.0, 0.08)])
def test_an_observational_readout_is_never_proven_whatever_the_planted_effect(seed, effect):
    r = observational_readout(PLANTED, _planted(seed, effect))
    doc = assert_follows(ReadoutDocument, r.to_json())
    assert doc.verdict in VERDICTS and doc.verdict not in PROOF_WORDS and doc.causal is False
    a = r.observational.comparisons[0].adjusted
    se = (a.ci_abs[1] - a.ci_abs[0]) / (2 * 1.959964)  # the 95% CI's standard error
    assert abs(a.effect_abs - effect) < 4 * se  # the adjustment recovers the planted change
    if effect:  # 8 points is over six standard errors: found within strata, and called an association
        assert doc.verdict == "associated (not causal)"
    # the naive difference is confounded by risk: treated units have more risk, so it reads higher than planted
    assert r.observational.comparisons[0].naive.effect_abs > effect + 0.05


def test_a_document_that_calls_an_observational_readout_proven_or_causal_is_refused():
    from pydantic import ValidationError

    from tests.contracts import schema_errors

    doc = observational_readout(PLANTED, _planted(0, -0.08)).to_json()
    for bad in ({"verdict": "proven"}, {"causal": True}, {"observational": None}):
        with pytest.raises(ValidationError, match="observational readout"):
            ReadoutDocument.model_validate({**doc, **bad})
        assert schema_errors(ReadoutDocument, {**doc, **bad}), bad


def test_missing_or_mistyped_observational_columns_are_one_line_naming_them():
    ds = _planted(0, 0.0)
    wrong = PLANTED.model_copy(update={"observational": PLANTED.observational.model_copy(
        update={"treatment": "sms"})})
    with pytest.raises(DataError, match=r"customers has no column sms .*columns: treated, risk"):
        observational_readout(wrong, ds)
    unbanded = PLANTED.model_copy(update={"observational": PLANTED.observational.model_copy(update={"bands": {}})})
    with pytest.raises(DataError, match=r"customers.risk is numeric .*give its bands"):
        observational_readout(unbanded, ds)
    flipped = PLANTED.model_copy(update={"observational": PLANTED.observational.model_copy(
        update={"treatment": "risk", "adjust_for": ["treated"], "bands": {}})})
    with pytest.raises(DataError, match=r"customers.risk is int64, not boolean"):
        observational_readout(flipped, ds)


def test_a_missing_adjustment_value_is_its_own_unknown_stratum_not_the_top_band():
    ds = _planted(0, 0.0, n=2_000)
    c = ds.tables["customers"]
    ds.tables["customers"] = c.mutate(risk=ibis.ifelse(c.customer_id.isin(["c1", "c2", "c3"]), ibis.null("int64"),
                                                       c.risk))
    strata = {s.stratum: s for s in observational_readout(PLANTED, ds).observational.comparisons[0].strata}
    assert list(strata) == ["0", "1", "2", "3+", "unknown"]
    assert strata["unknown"].n_treated + strata["unknown"].n_control == 3
