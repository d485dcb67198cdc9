"""Diagnosis on the real datasets in ../shared/data, through the shipped mapping files."""

from __future__ import annotations

import pytest

from cxscale.journey import diagnose
from tests.conftest import shared_data


def _load(parts: tuple[str, ...], mapping: str):
    from cxscale.data import load
    from cxscale.data.mapping import shipped_mappings

    path = shared_data(*parts)
    if mapping not in shipped_mappings():
        pytest.skip(f"no shipped {mapping} mapping yet")
    return load(path, mapping=mapping)


def test_noshow_diagnosis_names_no_shows_after_scheduling_contacts():
    d = diagnose(_load(("noshow", "noshow_appointments.csv"), "noshow"))
    by_intent = {h["intent"]: h for h in d.hotspots}
    reminder = by_intent["appointment_reminder"]
    # About one appointment in five is missed; a no-show follows a reminder or booking within 30 days.
    assert 0.1 < reminder["baseline"]["failure_rate"] < 0.5
    assert "outcome_failures" in reminder["kinds"]
    assert any(u["business_metric"]["name"] == "no_show_rate" for u in d.use_cases)
    assert d.overall["csat_mean"] is None and d.overall["transfer_rate"] is None


def test_ticket_diagnosis_ranks_subjects_and_flags_impossible_durations():
    d = diagnose(_load(("tickets", "customer_support_tickets.csv"), "tickets"))
    assert len(d.hotspots) >= 10
    assert all(h["cost"] >= 0 for h in d.hotspots)
    assert d.overall["csat_mean"] == pytest.approx(3.0, abs=0.3)
    # The export's resolution-before-first-response rows (about half) are named, not silently used: either the
    # loader quarantines them or diagnosis treats their durations as unknown and says so.
    assert any(w in n.lower() for n in d.notes for w in ("outside the contract's range", "reject", "quarantin"))
    # Each ticket is its own customer, so there are no repeat contacts to find.
    assert d.overall["repeat_contact_rate_7d"] == 0


def test_helpdesk_flows_show_the_most_common_activity_sequences():
    d = diagnose(_load(("eventlogs", "helpdesk.csv"), "helpdesk"))
    top = d.flows["intent"][0]
    assert top.count > 1000 and top.median_seconds is not None
    assert d.period["days"] > 365
