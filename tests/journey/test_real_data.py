"""Diagnosis on the real datasets in ../shared/data, through the shipped mapping files."""

from __future__ import annotations

import pytest

from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.journey import diagnose
from tests.conftest import shared_data
from tests.contracts import assert_follows


def _load(parts: tuple[str, ...], mapping: str):
    from cxscale.data import open_data

    return open_data(shared_data(*parts), mapping=mapping)


def test_noshow_diagnosis_names_no_shows_after_scheduling_contacts():
    d = diagnose(_load(("noshow", "noshow_appointments.csv"), "noshow"))
    assert_follows(DiagnosisDocument, d.as_json())  # nulls where the data lacks a column
    by_intent = {h.intent: h for h in d.hotspots}
    reminder = by_intent["appointment_reminder"]
    # About one appointment in five is missed; a no-show follows a reminder or booking within 30 days.
    assert 0.1 < reminder.baseline.failure_rate < 0.5
    assert "outcome_failures" in reminder.kinds
    assert any(u.business_metric.name == "no_show_rate" for u in d.use_cases)
    assert d.overall.csat_mean is None and d.overall.transfer_rate is None


def test_ticket_diagnosis_leaves_out_the_rejected_rows_and_counts_them():
    d = diagnose(_load(("tickets", "customer_support_tickets.csv"), "tickets"), mapping="tickets")
    assert_follows(DiagnosisDocument, d.as_json())  # nulls where the data lacks a column
    # The export's resolution-before-first-response rows break negative_duration: rejected, counted, never used.
    assert d.validation["interactions"].model_dump() == {"rows_read": 2769, "rows_accepted": 1404, "rows_rejected": 1365,
                                            "rules": {"negative_duration": 1365}}
    assert d.overall.volume == 1404
    assert d.overall.aht_seconds > 0
    assert any(n.startswith("tickets: 1,365 of 2,769 interactions rejected (negative_duration)")
               and "--mapping tickets --quarantine" in n for n in d.notes)
    assert len(d.hotspots) >= 10
    assert all(h.cost >= 0 for h in d.hotspots)
    assert d.overall.csat_mean == pytest.approx(3.0, abs=0.3)
    # Each ticket is its own customer, so there are no repeat contacts to find; and the export's tickets start within
    # about a day, so no contact has 7 days of data after it: the repeat rates are unknown, not 0 (right-censoring).
    assert d.sums["repeat_contacts"].sum() == 0
    assert d.period.days < 7 and d.overall.repeat_contact_rate_7d is None
    assert d.overall.contacts_per_episode is None and d.overall.time_to_resolution_seconds is None
    assert any(n.startswith("the data is too short for the 7-, 14- and 30-day repeat-contact rates, the "
                            "channel-switch rate, first-contact resolution, contacts per episode and time to "
                            "resolution") for n in d.notes)


def test_helpdesk_flows_show_the_most_common_activity_sequences():
    d = diagnose(_load(("eventlogs", "helpdesk.csv"), "helpdesk"))
    assert_follows(DiagnosisDocument, d.as_json())  # nulls where the data lacks a column
    top = d.flows[0]
    assert top.count > 1000 and top.median_seconds is not None
    assert d.period.days > 365


def test_the_noshow_table_shows_the_failures_after_contact_and_no_empty_column():
    """The terminal table has a column for each signal the data has: no-shows after contact, not transfers or
    CSAT, which the appointment data lacks."""
    from typer.testing import CliRunner

    from cxscale.cli import app

    result = CliRunner().invoke(app, ["diagnose", "--data", str(shared_data("noshow", "noshow_appointments.csv")),
                                      "--mapping", "noshow", "--drafts", "0"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    header = result.stdout[result.stdout.index("hotspot (main channel)") - 200:].splitlines()[:6]
    assert any("fail-" in line for line in header) and any("repeat" in line for line in header)
    assert not any("trans-" in line or "CSAT" in line or "wait" in line for line in header)
