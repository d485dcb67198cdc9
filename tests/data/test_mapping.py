"""Mapping files rename and convert real exports into the contract; a bad mapping names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscale.data import open_data
from cxscale.data.mapping import load_mapping, shipped_mappings
from cxscale.errors import SpecError
from tests.data.conftest import report_of, write_csv

EXPORT_HEADER = ["Ticket", "Client", "Opened", "Medium", "Reason", "Minutes", "Solved", "Score"]
EXPORT = [
    ["17", "A-1", "03/01/2026 09:05", "Phone", "Billing", "4.5", "Yes", "5"],
    ["18", "A-2", "03/01/2026 17:30", "Web chat", "Move", "2", "No", "3"],
    ["19", "A-1", "04/01/2026 08:00", "Phone", "Billing", "1", "yes", "4"],
]
MAPPING = """
mapping_version: 1
name: crm_export
tables:
  interactions:
    source: export.csv
    columns:
      interaction_id: {template: "t-{Ticket}"}
      customer_id: Client
      started_at: {from: Opened, format: "%d/%m/%Y %H:%M", timezone: Europe/Paris}
      channel: {from: Medium, map: {Phone: voice, "Web chat": chat}}
      intent: Reason
      handle_seconds: {from: Minutes, unit: minutes}
      resolved: {from: Solved, map: {"Yes": true, "yes": true, "No": false}}
      csat: {from: Score, type: number}
"""


def _export(tmp_path: Path, rows: list[list[str]] = EXPORT, mapping: str = MAPPING) -> Path:
    write_csv(tmp_path / "export.csv", EXPORT_HEADER, rows)
    path = tmp_path / "crm.yaml"
    path.write_text(mapping)
    return path


def test_a_mapping_renames_and_converts_columns(tmp_path):
    mapping = _export(tmp_path)
    ds = open_data(tmp_path, mapping=mapping)
    rows = ds.interactions.order_by("interaction_id").to_pyarrow().to_pylist()
    assert [r["interaction_id"] for r in rows] == ["t-17", "t-18", "t-19"]
    assert [r["channel"] for r in rows] == ["voice", "chat", "voice"]
    assert [r["resolved"] for r in rows] == [True, False, True]
    assert [r["handle_seconds"] for r in rows] == [270.0, 120.0, 60.0]
    # 09:05 in Paris in January (UTC+1) is 08:05 UTC.
    assert rows[0]["started_at"].isoformat() == "2026-01-03T08:05:00+00:00"
    assert rows[0]["cost"] == pytest.approx(1.50 + 0.85 * 4.5)


def test_a_value_outside_the_value_map_is_rejected_as_unmapped(tmp_path):
    rows = [list(r) for r in EXPORT]
    rows[1][3] = "Carrier pigeon"
    report = report_of(tmp_path, mapping=_export(tmp_path, rows))
    [result] = [r for r in report.tables["interactions"].rules if r.rows]
    assert (result.rule, result.column, [e["row"] for e in result.examples]) == ("unmapped_value", "channel", [2])
    assert '"Carrier pigeon"' in result.message and "channel.map" in result.message


def test_a_date_that_does_not_match_the_format_is_unparseable(tmp_path):
    rows = [list(r) for r in EXPORT]
    rows[2][2] = "2026-01-04 08:00"
    report = report_of(tmp_path, mapping=_export(tmp_path, rows))
    [result] = [r for r in report.tables["interactions"].rules if r.rows]
    assert (result.rule, result.column, [e["row"] for e in result.examples]) == ("unparseable_timestamp",
                                                                                  "started_at", [3])


def test_a_mapped_source_column_that_is_absent_is_a_missing_column(tmp_path):
    report = report_of(tmp_path, mapping=_export(tmp_path, mapping=MAPPING.replace("Reason", "Motive")))
    [result] = [r for r in report.tables["interactions"].rules if r.rows]
    assert (result.rule, result.column, result.rows) == ("missing_column", "intent", 3)
    assert "'Motive'" in result.message


def _bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        load_mapping(path)
    message = str(err.value)
    assert str(path) in message
    return message


def test_an_unknown_column_key_names_the_file_and_key(tmp_path):
    message = _bad(tmp_path, MAPPING.replace("unit: minutes", "units: minutes"))
    assert "tables.interactions[0].columns.handle_seconds" in message and "'units'" in message


def test_an_unmapped_required_column_names_the_column(tmp_path):
    message = _bad(tmp_path, MAPPING.replace("      customer_id: Client\n", ""))
    assert "'customer_id' is not mapped" in message


def test_a_wrong_version_a_bad_type_and_an_unknown_table_are_reported(tmp_path):
    assert "mapping_version" in _bad(tmp_path, MAPPING.replace("mapping_version: 1", "mapping_version: 9"))
    assert "csat.type" in _bad(tmp_path, MAPPING.replace("type: number", "type: decimal"))
    assert "tables.contacts" in _bad(tmp_path, MAPPING.replace("  interactions:", "  contacts:"))
    assert "not valid YAML" in _bad(tmp_path, "tables: [unclosed")
    assert "exactly one of" in _bad(tmp_path, MAPPING.replace('{template: "t-{Ticket}"}',
                                                               '{template: "t-{Ticket}", from: Ticket}'))


def test_yes_and_no_stay_text_in_value_maps(tmp_path):
    mapping = load_mapping(_export(tmp_path))
    spec = mapping.tables["interactions"][0].columns["resolved"]
    assert spec.map == {"Yes": True, "yes": True, "No": False}


def test_shipped_mappings_load_by_name():
    assert {"noshow", "tickets", "hillstrom", "helpdesk", "bpi13"} <= set(shipped_mappings())
    for name in shipped_mappings():
        assert load_mapping(name).name == name


def test_an_unknown_mapping_name_lists_the_shipped_ones():
    with pytest.raises(SpecError, match="shipped: .*noshow"):
        load_mapping("no_such_mapping")


PARTS_MAPPING = """
mapping_version: 1
tables:
  interactions:
    - part: call
      source: export.csv
      columns:
        interaction_id: {template: "call-{Ticket}"}
        customer_id: Client
        started_at: {from: Opened, format: "%d/%m/%Y %H:%M"}
        channel: {value: voice}
        csat: {from: Score, type: number}
    - part: follow_up
      source: export.csv
      filter: {column: Solved, equals: "No"}
      columns:
        interaction_id: {template: "sms-{Ticket}"}
        customer_id: Client
        started_at: {from: Opened, format: "%d/%m/%Y %H:%M", shift_days: 1}
        channel: {value: sms}
  customers:
    source: export.csv
    deduplicate: first
    columns:
      customer_id: Client
      first_reason: Reason
"""


def test_parts_filters_and_deduplication_define_tables(tmp_path):
    mapping = _export(tmp_path, mapping=PARTS_MAPPING)
    report = report_of(tmp_path, mapping=mapping)
    assert report.ok, report.error_lines()
    assert report.tables["interactions"].sources == ["export.csv (call)", "export.csv (follow_up)"]
    ds = open_data(tmp_path, mapping=mapping, validate=False)
    rows = {r["interaction_id"]: r for r in ds.interactions.to_pyarrow().to_pylist()}
    assert sorted(rows) == ["call-17", "call-18", "call-19", "sms-18"]
    assert rows["sms-18"]["started_at"].isoformat() == "2026-01-04T17:30:00+00:00"
    assert rows["sms-18"]["csat"] is None and rows["call-18"]["csat"] == 3.0
    customers = ds.customers.order_by("customer_id").to_pyarrow().to_pylist()
    assert customers == [{"customer_id": "A-1", "first_reason": "Billing"},
                         {"customer_id": "A-2", "first_reason": "Move"}]


def test_a_rejected_row_in_a_second_part_names_that_part(tmp_path):
    rows = [list(r) for r in EXPORT]
    rows[1][2] = "someday"
    report = report_of(tmp_path, mapping=_export(tmp_path, rows, PARTS_MAPPING))
    [result] = [r for r in report.tables["interactions"].rules if r.rows]
    assert result.rows == 2  # the call and its follow-up both come from source row 2
    assert [(e["source"], e["row"]) for e in result.examples] == [("export.csv (call)", 2),
                                                                  ("export.csv (follow_up)", 2)]
    assert "export.csv (call):2" in result.message


def test_an_abandoned_flag_maps_like_any_boolean_and_a_bad_value_is_rejected(tmp_path):
    """An ACD export's abandoned-call flag (Y/N) feeds the contract's abandoned column; a value that is neither is a
    rejected row, counted, never silently read as false."""
    header = [*EXPORT_HEADER, "Abandoned"]
    rows = [[*EXPORT[0], "Y"], [*EXPORT[1], "N"], [*EXPORT[2], "maybe"]]
    mapping = MAPPING + "      abandoned: Abandoned\n"
    write_csv(tmp_path / "export.csv", header, rows)
    (tmp_path / "crm.yaml").write_text(mapping)
    report = report_of(tmp_path, mapping=tmp_path / "crm.yaml")
    ds = open_data(tmp_path, mapping=tmp_path / "crm.yaml")
    kept = {r["interaction_id"]: r["abandoned"] for r in ds.interactions.to_pyarrow().to_pylist()}
    assert kept == {"t-17": True, "t-18": False}
    assert report.tables["interactions"].rows_rejected == 1
