"""The no-show data's SMS reminders are reported as observational: naive difference, difference within lead-time
bands, the confounding made visible, and never labelled causal."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from cxscale.measure.observational import compare_observational
from tests.conftest import shared_data

BANDS = [(0, 0, "0"), (1, 2, "1-2"), (3, 7, "3-7"), (8, 14, "8-14"), (15, 30, "15-30"), (31, 10_000, "31+")]


def _band(lead: ibis.expr.types.IntegerValue) -> ibis.expr.types.StringValue:
    return ibis.cases(*(((lead >= lo) & (lead <= hi), name) for lo, hi, name in BANDS), else_="negative")


@pytest.fixture(scope="module")
def noshow():
    from cxscale.engine import connect

    csv = shared_data("noshow", "noshow_appointments.csv")
    con = connect("duckdb")
    t = con.read_csv(str(csv), table_name="noshow_raw")
    lead = t.AppointmentDay.cast("date").delta(t.ScheduledDay.cast("timestamp").cast("date"), unit="day")
    # DuckDB's CSV sniffer reads Yes/No as boolean ("Yes" = no-show)
    no_show = t.No_show if t.No_show.type().is_boolean() else t.No_show == "Yes"
    cmp = compare_observational(t, outcome=no_show, treated=t.SMS_received == 1, stratum=_band(lead),
                                outcome_name="no_show", treatment_name="sms_reminder", strata_name="lead-time band")
    raw = pd.read_csv(csv, parse_dates=["ScheduledDay", "AppointmentDay"])
    raw["lead"] = (raw.AppointmentDay.dt.normalize() - raw.ScheduledDay.dt.normalize()).dt.days
    return cmp, raw


def test_naive_difference_makes_reminders_look_harmful_and_matches_pandas(noshow):
    cmp, raw = noshow
    ns = raw.No_show.eq("Yes")
    want = ns[raw.SMS_received == 1].mean() - ns[raw.SMS_received == 0].mean()
    assert cmp.naive.effect_abs == pytest.approx(want, rel=1e-12)
    assert cmp.naive.ci_abs[0] > 0  # reminded patients miss more often, naively


def test_confounding_is_visible_reminders_only_for_appointments_booked_ahead(noshow):
    cmp, _ = noshow
    share = {s.stratum: s.treated_share for s in cmp.strata}
    assert share["0"] == 0 and share["1-2"] == 0
    assert share["8-14"] > 0.4 and share["31+"] > 0.4


def test_stratified_difference_removes_most_of_the_naive_gap_and_is_labelled_not_causal(noshow):
    cmp, raw = noshow
    assert cmp.adjusted.effect_abs < cmp.naive.effect_abs / 2
    assert cmp.causal is False and "is a causal effect" in cmp.note and "not randomised" in cmp.note
    # independent check of the standardised difference over bands where both groups occur
    raw["band"] = pd.cut(raw.lead, [-1e9, -1, 0, 2, 7, 14, 30, 1e9], labels=["neg", "0", "1-2", "3-7", "8-14",
                                                                         "15-30", "31+"])
    raw["ns"] = raw.No_show.eq("Yes").astype(float)
    g = raw.groupby(["band", "SMS_received"], observed=True).ns.agg(["mean", "size"]).unstack()
    both = g.dropna()
    both = both[(both["size"][0] >= 2) & (both["size"][1] >= 2)]
    w = both["size"].sum(axis=1) / both["size"].sum(axis=1).sum()
    want = float(np.sum(w * (both["mean"][1] - both["mean"][0])))
    assert cmp.adjusted.effect_abs == pytest.approx(want, rel=1e-9)


# The pilot spec's observational design (docs/pilot-spec.md#observational)

OBSERVATIONAL = {"pilot": "sms", "design": "observational", "primary": {"metric": "no_show_rate"},
                 "observational": {"treatment": "sms_received", "adjust_for": ["lead_days"],
                                   "bands": {"lead_days": [0, 1, 3]}}}


def test_an_observational_spec_names_its_treatment_and_adjustment_columns_and_needs_no_target():
    from cxscale.documents.pilot_spec import PilotSpec
    from tests.contracts import assert_follows

    spec = assert_follows(PilotSpec, OBSERVATIONAL)
    assert spec.observational.adjust_for == ["lead_days"] and spec.primary.target is None
    assert_follows(PilotSpec, {**OBSERVATIONAL, "observational": {"treatment": "t", "adjust_for": ["a", "b"],
                                                                  "bands": {"a": 5}, "at": "seen_at"}})


def _obs(**change) -> dict:
    return {**OBSERVATIONAL, "observational": {**OBSERVATIONAL["observational"], **change}}


@pytest.mark.parametrize(("spec", "message"), [
    ({**OBSERVATIONAL, "observational": None}, "design observational needs the observational block"),
    ({k: v for k, v in OBSERVATIONAL.items() if k != "observational"}, "design observational needs"),
    (_obs(adjust_for=[]), "adjust_for"),
    ({**OBSERVATIONAL, "observational": {"treatment": "sms_received"}}, "adjust_for"),
    (_obs(adjust_for=["lead_days", "lead_days"]), "names a column twice"),
    (_obs(adjust_for=["sms_received"], bands={}), "cannot also be an adjustment column"),
    (_obs(bands={"age": [0, 18]}), "bands are given for age, which adjust_for does not name"),
    (_obs(bands={"lead_days": [3, 1]}), "increasing lower edges"),
    (_obs(bands={"lead_days": []}), "increasing lower edges"),
    (_obs(bands={"lead_days": [0, float("nan")]}), "finite number"),
    (_obs(bands={"lead_days": [True, 3]}), "valid number"),
    (_obs(bands={"lead_days": 1}), "greater than or equal to 2"),
    ({**OBSERVATIONAL, "unit": "agent"}, "set unit: customer"),
    ({**OBSERVATIONAL, "treatments": ["a", "b"]}, "two groups"),
    ({**OBSERVATIONAL, "expected_split": {"control": 0.5, "treatment": 0.5}}, "no planned split"),
])
def test_an_observational_spec_without_its_columns_or_with_bad_bands_is_refused(spec, message):
    from pydantic import ValidationError

    from cxscale.documents.pilot_spec import PilotSpec

    with pytest.raises(ValidationError, match=message):
        PilotSpec.model_validate(spec)


@pytest.mark.parametrize("design", ["randomised", "rollout"])
def test_a_randomised_or_rollout_spec_carrying_adjustment_columns_is_refused_by_model_and_schema(design):
    from pydantic import ValidationError

    from cxscale.documents.pilot_spec import PilotSpec
    from tests.contracts import schema_errors

    spec = {**OBSERVATIONAL, "design": design, "primary": {"metric": "no_show_rate", "target": {"relative": -0.1}}}
    with pytest.raises(ValidationError, match=f"a {design} spec compares its arms as assigned"):
        PilotSpec.model_validate(spec)
    assert schema_errors(PilotSpec, spec)
    # and the schema still asks the other designs for a target, and the observational one for its block
    assert schema_errors(PilotSpec, {"pilot": "p", "design": design, "primary": {"metric": "aht"}})
    assert schema_errors(PilotSpec, {k: v for k, v in OBSERVATIONAL.items() if k != "observational"})


def test_a_spec_file_with_an_observational_mistake_is_one_line_naming_the_field(tmp_path):
    from cxscale.documents.pilot_spec import load_spec
    from cxscale.errors import SpecError

    path = tmp_path / "sms.pilot.yaml"
    path.write_text("pilot: sms\ndesign: observational\nprimary: {metric: no_show_rate}\n"
                    "observational: {treatment: sms_received, adjust_for: [lead_days], bands: {lead_days: [0, .inf]}}\n")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert str(path) in str(err.value) and "bands.lead_days" in str(err.value) and "\n" not in str(err.value)
