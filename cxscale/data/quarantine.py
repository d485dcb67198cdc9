"""Quarantine: write every rejected row, with its table, source, source row number, rules and reasons, to one file.

The file is written by the engine (CSV or Parquet by suffix), never through pandas, so it works at any size. Columns:
table, source, source_row, rule (rule ids joined by ';'), reason (one phrase per broken rule, with the value found),
record (the row's contract columns as 'name=value' text, for fixing it at the source).
"""

from __future__ import annotations

from pathlib import Path

import ibis

from cxscale.contract import RULES
from cxscale.data.prepared import Prepared
from cxscale.data.stage import Check, StagedTable
from cxscale.errors import DataError

QUARANTINE_COLUMNS = ("table", "source", "source_row", "rule", "reason", "record")


def rejected_rows(st: StagedTable) -> ibis.Table:
    """The rejected rows of one staged table in the quarantine layout."""
    t = st.expr
    rule = ibis.literal(";").join([ibis.ifelse(c.expr, c.rule, ibis.null("string")) for c in st.checks])
    reason = ibis.literal("; ").join([ibis.ifelse(c.expr, _reason(t, c), ibis.null("string")) for c in st.checks])
    record = ibis.literal(", ").join([ibis.literal(f"{c}=") + t[c].cast("string").fill_null("")
                                      for c in st.columns if c in t.columns])
    return t.filter(st.rejected()).select(
        table=ibis.literal(st.name), source=t["_source"], source_row=t["_row"].cast("int64"),
        rule=rule, reason=reason, record=record,
    )


def _reason(t: ibis.Table, check: Check) -> ibis.Value:
    text = f"{check.column}: {RULES.get(check.rule, check.rule)}"
    if check.whole_table:
        return ibis.literal(f"{text} ({check.detail})")
    if not check.show:
        return ibis.literal(text)
    shown = ibis.literal(", ").join([t[c].cast("string").fill_null("null") for c in check.show])
    return ibis.literal(text + " (found ") + shown + ibis.literal(")")


def write_quarantine(prep: Prepared, path: str | Path) -> None:
    """Write all rejected rows of all tables to `path` (.csv or .parquet), ordered by table, source and row."""
    p = Path(path)
    parts = [rejected_rows(st) for st in prep.tables.values() if st.checks]
    if not parts:
        parts = [_empty()]
    out = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    out = out.order_by(["table", "source", "source_row"])
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix == ".parquet":
        prep.con.to_parquet(out, str(p))
    elif p.name.endswith((".csv", ".csv.gz")):
        prep.con.to_csv(out, str(p))
    else:
        raise DataError(f"{p}: quarantine file must end in .csv or .parquet")


def _empty() -> ibis.Table:
    return ibis.memtable({"table": ["x"], "source": ["x"], "source_row": [0], "rule": ["x"], "reason": ["x"],
                          "record": ["x"]}).limit(0)
