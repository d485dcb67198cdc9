"""Fixtures for the data-contract tests: tiny contract tables written as real files (CSV, Parquet)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from cxscale.data import ValidationReport, open_data

INTERACTIONS_HEADER = ["interaction_id", "customer_id", "started_at", "channel", "intent", "handle_seconds", "csat"]
GOOD_INTERACTIONS = [
    ["i1", "c1", "2026-01-01 10:00:00", "voice", "billing", "300", "5"],
    ["i2", "c1", "2026-01-03 10:00:00", "chat", "billing", "120", "4"],
    ["i3", "c2", "2026-01-05 09:30:00", "email", "move", "60", ""],
    ["i4", "c3", "2026-01-20 11:00:00", "voice", "move", "200", "2"],
    ["i5", "c2", "2026-01-21 12:00:00", "self_service", "move", "0", ""],
    ["i6", "c4", "2026-01-22 08:00:00", "clinic_desk", "billing", "90", "3"],
]
ASSIGNMENTS_HEADER = ["unit_id", "unit_type", "pilot", "arm", "assigned_at"]
GOOD_ASSIGNMENTS = [
    ["c1", "customer", "p1", "control", "2026-01-01"],
    ["c2", "customer", "p1", "treatment", "2026-01-01"],
    ["c3", "customer", "p1", "treatment", "2026-01-02"],
    ["c4", "customer", "p1", "control", "2026-01-02"],
]


def report_of(source: str | Path, mapping: str | Path | None = None, **options: Any) -> ValidationReport:
    """The validation report of a source, as `cxscale validate` makes it (open_data with report_only)."""
    report = open_data(source, mapping, report_only=True, **options).report
    assert report is not None
    return report


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def corrupt(rows: list[list[str]], header: list[str], row: int, column: str, value: str) -> list[list[str]]:
    """A copy of rows with one cell replaced (row is 1-based, as in messages)."""
    out = [list(r) for r in rows]
    out[row - 1][header.index(column)] = value
    return out


def write_good_folder(tmp_path: Path) -> Path:
    """A folder of contract-named CSV files that passes every rule."""
    write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, GOOD_INTERACTIONS)
    write_csv(tmp_path / "assignments.csv", ASSIGNMENTS_HEADER, GOOD_ASSIGNMENTS)
    write_csv(tmp_path / "outcomes.csv", ["customer_id", "occurred_at", "outcome", "value"],
              [["c1", "2026-01-10", "purchase", "20.5"], ["c2", "2026-01-11", "churn", ""]])
    write_csv(tmp_path / "customers.csv", ["customer_id", "segment"], [["c1", "gold"], ["c2", "basic"]])
    return tmp_path


@pytest.fixture
def good_folder(tmp_path: Path) -> Path:
    return write_good_folder(tmp_path)


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """A small simulated support world (1,500 customers, 5 sites), to break for the hostile-input tests."""
    from cxscale.simulate import simulate

    out = tmp_path_factory.mktemp("hostile") / "world"
    simulate("support", 1_500, 5, out)
    return out
