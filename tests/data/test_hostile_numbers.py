"""NaN, infinity and overflowing literals are rule violations in every numeric column (rule non_finite_number),
counted, quarantined with their reason, and never reach a diagnosis or a readout."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, report_of, write_csv
from tests.data.hostile import assert_one_line, broken_world, cli


@pytest.mark.parametrize("literal", ["inf", "-Infinity", "NaN", "1e400", "-1e400"])
@pytest.mark.parametrize("column", ["handle_seconds", "csat"])
def test_a_non_finite_number_in_a_csv_breaks_one_rule_with_its_row(tmp_path, literal, column):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 3, column, literal)
    report = report_of(write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, rows))
    [rule] = report.tables["interactions"].rules
    assert (rule.rule, rule.column, rule.rows) == ("non_finite_number", column, 1)
    assert [e["row"] for e in rule.examples] == [3]
    assert f'source="{literal}"' in rule.message and "rule non_finite_number" in rule.message
    assert report.tables["interactions"].rows_rejected == 1


def test_a_non_finite_money_value_in_outcomes_is_rejected(good_folder):
    write_csv(good_folder / "outcomes.csv", ["customer_id", "occurred_at", "outcome", "value"],
              [["c1", "2026-01-10", "purchase", "Infinity"], ["c2", "2026-01-11", "churn", ""]])
    [rule] = report_of(good_folder).tables["outcomes"].rules
    assert (rule.rule, rule.column, rule.rows) == ("non_finite_number", "value", 1)


def test_non_finite_floats_in_parquet_are_rejected_in_contract_and_extra_columns(tmp_path):
    with duckdb.connect() as con:
        con.execute(f"""copy (select * from (values ('i1', 'c1', timestamptz '2026-01-01 10:00:00+00', 'voice',
            'inf'::double), ('i2', 'c2', timestamptz '2026-01-02 10:00:00+00', 'chat', 12.5),
            ('i3', 'c2', timestamptz '2026-01-03 10:00:00+00', 'chat', 'nan'::double))
            t(interaction_id, customer_id, started_at, channel, cost)) to '{tmp_path}/interactions.parquet'""")
        con.execute(f"""copy (select * from (values ('c1', '-inf'::double), ('c2', 3.0)) t(customer_id, tenure))
            to '{tmp_path}/customers.parquet'""")
    report = report_of(tmp_path)
    [cost] = report.tables["interactions"].rules
    assert (cost.rule, cost.column, cost.rows, [e["row"] for e in cost.examples]) == (
        "non_finite_number", "cost", 2, [1, 3])
    [tenure] = report.tables["customers"].rules
    assert (tenure.rule, tenure.column, tenure.rows) == ("non_finite_number", "tenure", 1)


def test_the_quarantine_holds_each_non_finite_row_with_its_reason(tmp_path):
    rows = corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "handle_seconds", "1e400")
    folder = write_csv(tmp_path / "data" / "interactions.csv", INTERACTIONS_HEADER, rows).parent
    out = tmp_path / "rejected.csv"
    code, output = cli("validate", folder, "--quarantine", out)
    assert code == 0, output
    [row] = list(csv.DictReader(out.open()))
    assert (row["source_row"], row["rule"]) == ("2", "non_finite_number")
    assert "handle_seconds" in row["reason"] and "1e400" in row["reason"]


@pytest.fixture(scope="module")
def infinite_cost(small_world, tmp_path_factory):
    sql = ("select * replace (case when row_number() over () = 3 then 'inf' when row_number() over () = 5 "
           "then '1e400' else cast(cost as varchar) end as cost) from {src}")
    return broken_world(small_world, tmp_path_factory.mktemp("inf") / "world" / "interactions.csv", sql)


def test_strict_validate_names_the_column_rule_and_rows(infinite_cost):
    code, output = cli("validate", infinite_cost)
    assert_one_line(code, output, "column cost", "rule non_finite_number", "rows 3, 5", '"1e400"')


@pytest.mark.parametrize("command", [["diagnose", "--data"], ["diagnose", "--json", "--data"]])
def test_diagnose_without_validation_refuses_infinite_costs_in_one_line_instead_of_cost_to_serve_inf(
        infinite_cost, command):
    code, output = cli("diagnose", "--no-validate", *command[1:], infinite_cost)
    assert "infB" not in output
    assert_one_line(code, output, "column cost", "rule non_finite_number", "2 of", "cxscale validate")


@pytest.mark.parametrize("flag", [[], ["--validate"]])
def test_diagnose_leaves_the_rows_out_and_says_so(infinite_cost, flag):
    code, output = cli("diagnose", "--data", infinite_cost, *flag)
    assert code == 0, output
    assert "infB" not in output and "2 of" in output and "non_finite_number" in output


def test_measure_json_without_validation_refuses_infinite_costs_in_one_line(infinite_cost):
    code, output = cli("measure", infinite_cost / "pilots" / "agent_assist.yaml", "--json", "--no-validate")
    assert_one_line(code, output, "column cost", "rule non_finite_number")


def test_measure_leaves_infinite_costs_out_with_a_warning(infinite_cost):
    code, output = cli("measure", infinite_cost / "pilots" / "agent_assist.yaml", "--json")
    assert code == 0, output
    warnings = json.loads(output)["warnings"]
    assert any(w.startswith("interactions: 2 of ") and "non_finite_number 2" in w for w in warnings), warnings
    assert "infB" not in output
