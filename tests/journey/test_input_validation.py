"""Diagnosis reads only rows that pass the data contract (unless told --no-validate), and says how many were
rejected by which rules; unvalidated input is diagnosed as it is, and the notes say so."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.data import open_data
from cxscale.journey import diagnose
from tests.journey.tables import mini_world

MAPPING = """mapping_version: 1
name: export
tables:
  interactions:
    source: export.csv
    columns:
      interaction_id: Id
      customer_id: Customer
      started_at: Opened
      channel: Channel
      intent: Subject
      handle_seconds: {seconds_between: [Opened, Closed]}
"""


def _export(tmp_path, rows: int = 40, backwards: tuple[int, ...] = (3, 17, 30)):
    """A raw ticket export: two tickets per customer, three of them closed before they were opened."""
    opened = pd.date_range("2026-02-02", periods=rows, freq="6h")
    closed = [o - pd.Timedelta(minutes=20) if i in backwards else o + pd.Timedelta(minutes=15)
              for i, o in enumerate(opened)]
    pd.DataFrame({
        "Id": [f"t{i}" for i in range(rows)], "Customer": [f"c{i // 2}" for i in range(rows)],
        "Opened": opened.strftime("%Y-%m-%d %H:%M:%S"), "Closed": [c.strftime("%Y-%m-%d %H:%M:%S") for c in closed],
        "Channel": ["voice", "chat"] * (rows // 2), "Subject": ["billing"] * rows,
    }).to_csv(tmp_path / "export.csv", index=False)
    (tmp_path / "export.yaml").write_text(MAPPING)
    return tmp_path / "export.csv", tmp_path / "export.yaml"


def test_rejected_rows_stay_out_of_the_diagnosis_and_are_counted_by_rule(tmp_path):
    data, mapping = _export(tmp_path)
    d = diagnose(open_data(data, mapping), use_cases=0, mapping=str(mapping))
    assert d.overall.volume == 37
    assert d.overall.aht_seconds == 15 * 60  # no negative duration pulls the mean down
    assert d.validation["interactions"].model_dump() == {"rows_read": 40, "rows_accepted": 37, "rows_rejected": 3,
                                            "rules": {"negative_duration": 3}}
    note = d.notes[0]
    assert note.startswith("export: 3 of 40 interactions rejected (negative_duration)")
    assert f"cxscale validate {data} --mapping {mapping} --quarantine" in note
    assert not any("rows read" in n for n in d.notes)  # the loader's counts are not repeated


def test_the_cli_validates_by_default_when_a_mapping_is_given(tmp_path):
    data, mapping = _export(tmp_path)
    args = ["diagnose", "--data", str(data), "--mapping", str(mapping), "--drafts", "0"]
    doc = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert doc["overall"]["volume"] == 37 and doc["validation"]["interactions"]["rows_rejected"] == 3
    assert "3 of 40 interactions rejected (negative_duration)" in doc["notes"][0]
    text = CliRunner().invoke(app, args, terminal_width=400)
    assert text.exit_code == 0, text.output
    assert "note: export: 3 of 40 interactions rejected (negative_duration)" in text.stdout


def test_no_validate_reads_every_row_and_says_the_input_was_not_validated(tmp_path):
    data, mapping = _export(tmp_path)
    args = ["diagnose", "--data", str(data), "--mapping", str(mapping), "--drafts", "0", "--no-validate", "--json"]
    doc = json.loads(CliRunner().invoke(app, args).stdout)
    assert doc["overall"]["volume"] == 40 and doc["validation"] is None
    assert doc["notes"][0].startswith("input not validated against the data contract")


def test_a_contract_typed_world_is_validated_unless_told_not_to(tmp_path):
    mini_world(customers=60).to_parquet(tmp_path / "interactions.parquet")
    args = ["diagnose", "--data", str(tmp_path), "--json", "--drafts", "0"]
    fast = json.loads(CliRunner().invoke(app, [*args, "--no-validate"]).stdout)
    assert fast["validation"] is None and "not validated" in fast["notes"][0]
    for flags in ([], ["--validate"]):
        checked = json.loads(CliRunner().invoke(app, [*args, *flags]).stdout)
        assert checked["validation"]["interactions"]["rows_rejected"] == 0
        assert checked["notes"][0] == "input validated against the data contract: every row passes"
    numbers = {k: v for k, v in fast["overall"].items() if isinstance(v, int | float)}
    assert {k: checked["overall"][k] for k in numbers} == pytest.approx(numbers)  # sums differ in the last bits
