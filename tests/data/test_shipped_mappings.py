"""The shipped mappings read the real datasets of ../shared/data: every source row is accounted for."""

from __future__ import annotations

import pytest

from cxscale.data import open_data
from tests.conftest import shared_data
from tests.data.conftest import report_of

pytestmark = pytest.mark.shared_data


def _counts(report):
    return {name: (t.rows_read, t.rows_accepted, t.rows_rejected) for name, t in report.tables.items()}


def test_noshow_maps_to_bookings_reminders_outcomes_and_patients():
    folder = shared_data("noshow", "noshow_appointments.csv").parent
    report = report_of(folder, mapping="noshow")
    assert report.ok, report.error_lines()
    # 39,596 appointments -> 39,596 bookings + 12,129 SMS reminders; one outcome each; 26,579 distinct patients.
    assert _counts(report) == {"interactions": (51_725, 51_725, 0), "outcomes": (39_596, 39_596, 0),
                               "customers": (26_579, 26_579, 0)}
    ds = open_data(folder, mapping="noshow")
    by_outcome = {r["outcome"]: r["outcome_count"] for r in ds.outcomes.outcome.value_counts().to_pyarrow().to_pylist()}
    assert by_outcome == {"appointment_kept": 31_457, "no_show": 8_139}
    # Local midnight in Vitória (UTC-3) is 03:00 UTC.
    first = ds.outcomes.occurred_at.min().to_pyarrow().as_py()
    assert (first.hour, first.minute) == (3, 0)


def test_tickets_reject_resolution_before_first_response_as_negative_durations():
    folder = shared_data("tickets", "customer_support_tickets.csv").parent
    report = report_of(folder, mapping="tickets")
    read, accepted, rejected = _counts(report)["interactions"]
    assert read == 2_769 == accepted + rejected
    # SOURCE.md: in 49% of rows Time_to_Resolution is earlier than First_Response_Time.
    assert rejected == 1_365
    [rule] = report.tables["interactions"].rules
    assert (rule.rule, rule.column, rule.rows) == ("negative_duration", "handle_seconds", 1_365)
    assert "customer_support_tickets.csv" in rule.message and "rows 2, 4, 5, 6, 7" in rule.message
    assert _counts(report)["customers"] == (2_769, 2_769, 0)
    ds = open_data(folder, mapping="tickets")
    channels = {r["channel"] for r in ds.interactions.select("channel").distinct().to_pyarrow().to_pylist()}
    assert channels == {"email", "voice", "chat", "social"}
    assert ds.interactions.csat.min().to_pyarrow().as_py() >= 1


def test_hillstrom_maps_to_a_three_arm_pilot_with_outcomes():
    folder = shared_data("hillstrom", "hillstrom.csv").parent
    report = report_of(folder, mapping="hillstrom")
    assert report.ok, report.error_lines()
    counts = _counts(report)
    assert counts["customers"] == (64_000, 64_000, 0) and counts["assignments"] == (64_000, 64_000, 0)
    ds = open_data(folder, mapping="hillstrom")
    arms = {r["arm"]: r["arm_count"] for r in ds.assignments.arm.value_counts().to_pyarrow().to_pylist()}
    assert arms == {"control": 21_306, "mens_email": 21_307, "womens_email": 21_387}
    o = ds.outcomes
    totals = {r["outcome"]: r for r in o.group_by("outcome").agg(n=o.count(), spend=o.value.sum())
              .to_pyarrow().to_pylist()}
    assert totals["visit"]["n"] == 9_394 and totals["purchase"]["n"] == 578
    assert totals["purchase"]["spend"] == pytest.approx(67_258.13, abs=0.01)
    assert not ds.has("interactions")


@pytest.mark.parametrize(("mapping", "file", "events"), [("helpdesk", "helpdesk.csv", 13_710),
                                                         ("bpi13", "bpi_13_incidents.csv", 65_533)])
def test_event_logs_map_every_event_to_a_contact(mapping, file, events):
    folder = shared_data("eventlogs", file).parent
    report = report_of(folder, mapping=mapping)
    assert report.ok, report.error_lines()
    assert _counts(report) == {"interactions": (events, events, 0)}
    ds = open_data(folder, mapping=mapping, validate=False)
    intent = ds.interactions.intent.min().to_pyarrow().as_py()
    assert intent.startswith("activity_")
