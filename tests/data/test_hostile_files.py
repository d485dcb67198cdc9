"""Files that cannot be read give one line naming the file and what to do; a malformed CSV row is quarantined
(rule malformed_row) instead of refusing the file; an empty interactions file is an error, not "all pass"."""

from __future__ import annotations

import csv
import gzip
import json
import shutil

import pytest

from cxscale.data import open_data
from cxscale.errors import DataError
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, report_of
from tests.data.hostile import assert_one_line, cli

MAPPING = """
mapping_version: 1
{extra}
tables:
  interactions:
    source: interactions.csv
    columns: {{interaction_id: interaction_id, customer_id: customer_id, started_at: started_at, channel: channel,
               intent: intent}}
"""


def _csv_text(rows=GOOD_INTERACTIONS) -> str:
    return "\n".join(",".join(r) for r in [INTERACTIONS_HEADER, *rows]) + "\n"


@pytest.fixture
def truncated(small_world, tmp_path):
    world = tmp_path / "world"
    shutil.copytree(small_world, world)
    part = next((world / "interactions").glob("*.parquet"))
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    return world


@pytest.mark.parametrize("command", [["validate"], ["diagnose", "--data"], ["diagnose", "--json", "--data"]])
def test_a_truncated_parquet_file_is_one_line_naming_it(truncated, command):
    assert_one_line(*cli(*command, truncated), "interactions", "cannot read as Parquet", "damaged")


def test_measure_on_a_truncated_parquet_file_is_one_line(truncated):
    assert_one_line(*cli("measure", truncated / "pilots" / "agent_assist.yaml", "--json"), "cannot read as Parquet")


@pytest.mark.parametrize("content, words", [("", "the file is empty"), (",".join(INTERACTIONS_HEADER) + "\n", "no rows")])
def test_an_empty_or_header_only_interactions_file_is_an_error(tmp_path, content, words):
    (tmp_path / "interactions.csv").write_text(content)
    assert_one_line(*cli("validate", tmp_path), "interactions.csv", words)
    assert_one_line(*cli("diagnose", "--json", "--data", tmp_path), "interactions.csv", words)


def test_a_utf16_file_says_so_and_how_to_set_the_encoding(tmp_path):
    (tmp_path / "interactions.csv").write_text(_csv_text(), encoding="utf-16")
    assert_one_line(*cli("validate", tmp_path), "interactions.csv", "UTF-16", "encoding: utf-16")
    (tmp_path / "m.yaml").write_text(MAPPING.format(extra="encoding: utf-16"))
    assert report_of(tmp_path, tmp_path / "m.yaml").ok


def test_latin1_bytes_say_so_and_the_mapping_encoding_reads_them(tmp_path):
    rows = [list(r) for r in GOOD_INTERACTIONS]
    rows[1][4] = "r\xe9siliation"
    (tmp_path / "interactions.csv").write_bytes(_csv_text(rows).encode("latin-1"))
    assert_one_line(*cli("validate", tmp_path), "interactions.csv", "line 3", "0xE9", "encoding: latin-1")
    (tmp_path / "m.yaml").write_text(MAPPING.format(extra="").replace("source: interactions.csv",
                                                                     "source: interactions.csv\n    encoding: latin1"))
    ds = open_data(tmp_path, tmp_path / "m.yaml")
    assert "r\xe9siliation" in ds.interactions.intent.to_pyarrow().to_pylist()


def test_an_unknown_encoding_in_the_mapping_names_the_key(tmp_path):
    (tmp_path / "interactions.csv").write_text(_csv_text())
    (tmp_path / "m.yaml").write_text(MAPPING.format(extra="encoding: ebcdic"))
    assert_one_line(*cli("validate", tmp_path, "--mapping", tmp_path / "m.yaml"), "m.yaml: encoding", "utf-8")


def test_rows_with_the_wrong_number_of_fields_are_quarantined_and_the_rest_keep_their_numbers(tmp_path):
    text = _csv_text().splitlines()
    text[2] += ",extra"  # data row 2: a field too many
    text[4] = "i4,c3"  # data row 4: fields missing
    (tmp_path / "interactions.csv").write_text("\n".join(text) + "\n")
    report = report_of(tmp_path)
    t = report.tables["interactions"]
    assert (t.rows_read, t.rows_accepted, t.rows_rejected) == (6, 4, 2)
    [rule] = t.rules
    assert (rule.rule, [e["row"] for e in rule.examples]) == ("malformed_row", [2, 4])
    assert "too many columns" in rule.message and '"missing columns: i4,c3"' in rule.message
    out = tmp_path / "rejected.csv"
    code, output = cli("validate", tmp_path, "--quarantine", out)
    assert code == 0, output
    assert [(r["source_row"], r["rule"]) for r in csv.DictReader(out.open())] == [
        ("2", "malformed_row"), ("4", "malformed_row")]
    # The good rows keep their source row numbers: a rule on row 5 still names row 5.
    text[5] = text[5].replace("2026-01-21 12:00:00", "yesterday")
    (tmp_path / "interactions.csv").write_text("\n".join(text) + "\n")
    bad = {r.rule: [e["row"] for e in r.examples] for r in report_of(tmp_path).tables["interactions"].rules}
    assert bad == {"malformed_row": [2, 4], "unparseable_timestamp": [5]}


def test_an_unterminated_quote_is_quarantined_as_one_malformed_row(tmp_path):
    text = _csv_text().splitlines()
    text[3] = text[3].replace("c2,", '"c2,', 1)
    (tmp_path / "interactions.csv").write_text("\n".join(text) + "\n")
    [rule] = report_of(tmp_path).tables["interactions"].rules
    assert (rule.rule, [e["row"] for e in rule.examples]) == ("malformed_row", [3])
    assert "unquoted value" in rule.message


def test_diagnose_leaves_a_malformed_row_out_or_without_validation_is_one_line(tmp_path):
    text = _csv_text().splitlines()
    text[2] += ",extra"
    (tmp_path / "interactions.csv").write_text("\n".join(text) + "\n")
    code, output = cli("diagnose", "--json", "--data", tmp_path)
    assert code == 0, output
    assert json.loads(output)["validation"]["interactions"]["rules"] == {"malformed_row": 1}
    assert_one_line(*cli("diagnose", "--json", "--no-validate", "--data", tmp_path), "interactions.csv", "line 3",
                    "cxscale validate")


def test_a_folder_named_like_a_csv_file_is_one_line(tmp_path):
    (tmp_path / "interactions.csv").mkdir()
    assert_one_line(*cli("validate", tmp_path), "interactions.csv", "is a folder, not a file")


def test_a_gz_file_that_is_not_gzip_is_one_line(tmp_path):
    (tmp_path / "interactions.csv.gz").write_text(_csv_text())
    assert_one_line(*cli("validate", tmp_path), "interactions.csv.gz", "gzip")
    (tmp_path / "interactions.csv.gz").write_bytes(gzip.compress(_csv_text().encode()))
    assert report_of(tmp_path).ok


def test_a_header_naming_a_column_twice_is_one_line(tmp_path):
    (tmp_path / "interactions.csv").write_text(_csv_text().replace("intent", "channel", 1))
    with pytest.raises(DataError, match="names column 'channel' twice"):
        report_of(tmp_path)
