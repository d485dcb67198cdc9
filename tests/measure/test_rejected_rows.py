"""Raw exports read through a mapping are measured on the rows that pass the data contract, and the readout says how
many rows were left out and why: nothing is dropped silently."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.measure.run import measure_spec
from tests.conftest import shared_data

SPEC = """
pilot: hillstrom_email
control: control
treatments: [mens_email, womens_email]
primary: {metric: conversion_rate, target: {relative: 0.5}}
windows: {pre_days: 0, post_days: 14}
value: {currency: USD}
"""


def _corrupted_copy(tmp_path):
    lines = shared_data("hillstrom", "hillstrom.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:6001]
    buyers = [i for i, row in enumerate(rows) if row.split(",")[-2] == "1"][:3]  # conversion = 1: a purchase row
    for i in buyers:  # spend (the last column) becomes unreadable as a number
        rows[i] = rows[i].rsplit(",", 1)[0] + ",not-a-number"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hillstrom.csv").write_text("\n".join([header, *rows]) + "\n")
    (tmp_path / "spec.yaml").write_text(SPEC)
    return tmp_path / "data", tmp_path / "spec.yaml"


def test_readout_through_a_mapping_counts_and_names_the_rejected_rows(tmp_path):
    data, spec = _corrupted_copy(tmp_path)
    r = measure_spec(spec, data=data, mapping="hillstrom")
    warning = next(w for w in r.warnings if "break the data contract" in w)
    assert warning.startswith("outcomes: 3 of ")
    assert "wrong_type 3" in warning
    assert sum(r.n.values()) == 6000  # customers and assignments are untouched: every unit is still measured


def test_cli_json_carries_the_rejection_warning(tmp_path):
    data, spec = _corrupted_copy(tmp_path)
    result = CliRunner().invoke(app, ["measure", str(spec), "--data", str(data), "--mapping", "hillstrom", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert any("3 of" in w and "wrong_type" in w for w in doc["warnings"])
