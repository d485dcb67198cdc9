"""open_data() is the one way every command opens data: validate, diagnose and measure validate alike, refuse a
table missing a contract column with the same line, and report rejected rows the same way (quarantine, strict)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import ibis
import pytest

from cxscale.data import open_data
from cxscale.errors import ContractError, DataError
from tests.data.hostile import broken_world, cli


def _cxscale(*args: str | Path) -> tuple[int, list[str]]:
    """Exit code and `error:` lines of the real `cxscale` program (main() prints them, one per line)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", "from cxscale.cli import run; run()", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)
    return done.returncode, [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]


@pytest.fixture(scope="module")
def without_unit_type(small_world, tmp_path_factory) -> Path:
    """A world whose assignments table has no unit_type column."""
    out = tmp_path_factory.mktemp("nounit") / "world"
    shutil.copytree(small_world, out)
    table = out / "assignments.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select * exclude (unit_type) from '{small_world / 'assignments.parquet'}') to '{table}'")
    return out


@pytest.fixture(scope="module")
def infinite_cost(small_world, tmp_path_factory) -> Path:
    sql = ("select * replace (case when row_number() over () in (3, 5) then 'inf' else cast(cost as varchar) end "
           "as cost) from {src}")
    return broken_world(small_world, tmp_path_factory.mktemp("inf") / "world" / "interactions.csv", sql)


def test_measure_on_data_missing_a_contract_column_fails_with_the_line_validate_prints(without_unit_type):
    code, validated = _cxscale("validate", without_unit_type)
    assert code == 1 and len(validated) == 1 and "column unit_type: rule missing_column" in validated[0]
    assert _cxscale("measure", without_unit_type / "pilots" / "agent_assist.yaml") == (1, validated)
    assert _cxscale("diagnose", "--data", without_unit_type) == (1, validated)


def test_opening_data_missing_a_contract_column_names_it(without_unit_type):
    with pytest.raises(ContractError, match=r"assignments.parquet \(assignments\): column unit_type: rule "
                                            r"missing_column: .*the source has no column 'unit_type'"):
        open_data(without_unit_type)
    report = open_data(without_unit_type, report_only=True).report
    assert report is not None and report.tables["assignments"].rows_accepted == 0


def test_a_valid_world_opens_as_the_fast_path_does_with_its_report(small_world):
    checked, fast = open_data(small_world), open_data(small_world, validate=False)
    assert checked.report is not None and checked.report.ok and fast.report is None
    def query(t: ibis.Table) -> str:  # the SQL, without the name each read gives its source's view
        return re.sub(r"ibis_read_\w+", "source", ibis.to_sql(t))

    for name, table in fast.tables.items():
        assert query(checked.tables[name]) == query(table), name  # the same query: the same figures


def test_measure_and_diagnose_write_the_rejected_rows_to_a_quarantine_file(infinite_cost, tmp_path):
    spec = infinite_cost / "pilots" / "agent_assist.yaml"
    for command in (["measure", spec], ["diagnose", "--data", infinite_cost]):
        out = tmp_path / f"{command[0]}.csv"
        code, output = cli(*command, "--quarantine", out)
        assert code == 0, output
        assert "2 rejected rows written to" in output
        rows = duckdb.sql(f"select source_row, rule from '{out}' order by source_row").fetchall()
        assert rows == [(3, "non_finite_number"), (5, "non_finite_number")]


def test_strict_measure_and_diagnose_exit_1_with_the_lines_validate_prints(infinite_cost):
    code, validated = _cxscale("validate", infinite_cost)
    assert code == 1 and validated and all("rule non_finite_number" in ln for ln in validated)
    spec = infinite_cost / "pilots" / "agent_assist.yaml"
    assert _cxscale("measure", spec, "--strict", "--json") == (1, validated)
    assert _cxscale("diagnose", "--data", infinite_cost, "--strict") == (1, validated)


def test_measure_leaves_rejected_rows_out_unless_told_not_to_validate(infinite_cost):
    spec = infinite_cost / "pilots" / "agent_assist.yaml"
    code, output = cli("measure", spec, "--json")
    assert code == 0, output
    assert any("2 of" in w and "non_finite_number" in w for w in json.loads(output)["warnings"])
    code, output = cli("measure", spec, "--json", "--no-validate")
    assert code == 1 and "rule non_finite_number" in output


def test_a_url_names_its_own_engine(tmp_path):
    with pytest.raises(DataError, match="a URL names its own engine"):
        open_data(f"duckdb://{tmp_path / 'x.duckdb'}", engine="duckdb")
