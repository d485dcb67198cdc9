"""The metric expression language: a safe whitelist compiled to Ibis, run in the engine."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from cxscale.errors import SpecError
from cxscale.metrics.expressions import compile_expr, names


@pytest.fixture
def table(duckdb_con):
    df = pd.DataFrame({"channel": ["chat", "voice", "email", None], "csat": [5.0, 2.0, None, 4.0],
                       "resolved": [True, False, None, True], "cost": [1.0, 2.0, 3.0, 4.0]})
    duckdb_con.create_table("t", df, overwrite=True)
    return duckdb_con.table("t")


def _eval(table, text: str) -> list:
    expr = compile_expr(text, lambda n: table[n])
    return table.select(v=expr).execute()["v"].tolist()


@pytest.mark.parametrize(("text", "want"), [
    ("csat >= 4", [True, False, None, True]),
    ("channel in ['chat', 'voice']", [True, True, False, None]),
    ("channel not in ['chat']", [False, True, True, None]),
    ("csat is None", [False, False, True, False]),
    ("resolved and cost > 1", [False, False, None, True]),
    ("not resolved or cost == 1", [True, True, None, False]),
    ("cost * 2 - 1", [1.0, 3.0, 5.0, 7.0]),
    ("coalesce(csat, 0)", [5.0, 2.0, 0.0, 4.0]),
    ("1 < cost <= 3", [False, True, True, False]),
])
def test_expressions_compute_like_python_with_sql_nulls(table, text, want):
    got = _eval(table, text)
    assert [None if pd.isna(g) else g for g in got] == want


@pytest.mark.parametrize("text", ["__import__('os').system('x')", "cost.real", "[c for c in cost]",
                                  "lambda: 1", "cost if resolved else 0", "max(cost, 1)"])
def test_anything_off_the_whitelist_is_refused_naming_the_field(text):
    with pytest.raises(SpecError, match="metric m.numerator"):
        compile_expr(text, lambda n: ibis.literal(1), "metric m.numerator")


def test_syntax_errors_say_what_to_write():
    with pytest.raises(SpecError, match="not a valid expression.*outcome == 'purchase'"):
        names("csat >=")


def test_names_lists_the_columns_read():
    assert names("coalesce(value, 0) * 2 > cost and channel == 'chat'") == {"value", "cost", "channel"}
