"""Validation: check a prepared source against the data contract inside the engine, every rejected row by rule.

One aggregate query per table counts all rules at once (sums of boolean rule expressions); each failing rule then
fetches up to five example rows with a limit. Nothing is dropped silently: rows read = accepted + rejected, per table,
and every rule has its count (docs/data-contract.md#rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import reduce
from typing import Any

import ibis
import ibis.expr.operations as ops

from cxscale.contract import RULES
from cxscale.data.prepared import Prepared
from cxscale.data.readers import reader_problem
from cxscale.data.stage import StagedTable
from cxscale.engine import dialect_of
from cxscale.errors import DataError

MAX_EXAMPLES = 5

#: What to do about each rule, appended to its message.
HINTS = {
    "missing_column": "add the column to the source or map it in a mapping file (docs/mapping.md)",
    "missing_value": "fill the value in the source",
    "unparseable_timestamp": "set {column}.format (strptime) or {column}.timezone in the mapping file (UTC offsets "
                             "run from -12:00 to +14:00)",
    "wrong_type": "fix the values or set {column}.type or {column}.map in the mapping file",
    "unmapped_value": "add the values to {column}.map in the mapping file",
    "malformed_row": "fix the row at the source (quote fields that hold the delimiter) or export the file again",
    "non_finite_number": "export real numbers; leave the value empty when it is unknown",
    "implausible_timestamp": "fix the dates at the source, or set plausible: {{from: ..., to: ...}} in the mapping "
                             "file (docs/mapping.md#plausible-timestamps)",
    "duplicate_id": "make the ids unique; the first occurrence is kept",
    "negative_duration": "check the start and end times the duration comes from",
    "negative_value": "costs and money values cannot be negative",
    "csat_out_of_range": "rescale CSAT to 1-5 in the mapping file (map) or fix the values",
    "out_of_range": "check the unit of the column",
    "unknown_unit_type": "use customer, agent, site or slot (map other names with unit_type.map)",
    "unparseable_slot": "write a slot as QUEUE@YYYY-MM-DDTHH:MMZ (cxscale.assignment.slot_id) and assign it at its start",
    "unknown_arm": "declare the arm (pilot spec --spec, --arms, or pilots: in the mapping) or fix the assignment",
    "single_arm_pilot": "assign units to a control and at least one treatment arm",
    "shown_in_control": "log control's suggestions with shown false: a control arm that sees them is not a control",
    "shown_not_triggered": "log shown true only for triggered decisions",
    "unknown_action": "use displayed, accepted, edited, dismissed or overridden (map other names with action.map)",
}


@dataclass
class RuleResult:
    """Rows of one table breaking one rule on one column, with up to five examples (source, row number, values)."""

    rule: str
    column: str
    rows: int
    examples: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""


@dataclass
class TableReport:
    table: str
    sources: list[str]
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rules: list[RuleResult] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Per table: rows read, accepted, rejected, and per rule the count and examples."""

    source: str
    tables: dict[str, TableReport]
    notes: list[str] = field(default_factory=list)
    #: When this pass was computed, if it was read back from the validation cache (cxscale.data.cache) instead.
    reused: str | None = None

    @property
    def ok(self) -> bool:
        return all(t.rows_rejected == 0 for t in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        return sum(t.rows_rejected for t in self.tables.values())

    def error_lines(self) -> list[str]:
        """One readable line per failing rule."""
        return [r.message for t in self.tables.values() for r in t.rules if r.rows]

    def error_message(self) -> str:
        lines = self.error_lines()
        head = (f"{self.source}: {self.rows_rejected:,} rows break the data contract "
                f"(docs/data-contract.md#rules)")
        return head + "\n" + "\n".join(lines)

    def summary_notes(self) -> list[str]:
        return [f"{t.table}: {t.rows_read:,} rows read, {t.rows_accepted:,} accepted, {t.rows_rejected:,} rejected"
                for t in self.tables.values()]

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "ok": self.ok, "notes": self.notes,
                "tables": {k: asdict(v) for k, v in self.tables.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ValidationReport:
        """The report to_dict wrote (the validation cache reads it back)."""
        tables = {k: TableReport(**{**t, "rules": [RuleResult(**r) for r in t["rules"]]})
                  for k, t in d["tables"].items()}
        return cls(d["source"], tables, list(d["notes"]))


def validate_prepared(prep: Prepared, on_table: Callable[[str], None] | None = None) -> ValidationReport:
    """Count every rule's rejected rows per table, with up to five examples each; `on_table` is called with each
    table's name before it is checked."""
    tables = {}
    for name, st in prep.tables.items():
        if on_table:
            on_table(name)
        tables[name] = _check_table(st)
    return ValidationReport(prep.source, tables, list(prep.notes))


def _check_table(st: StagedTable) -> TableReport:
    t = st.expr
    # One scan counts every rule. Duplicate ids are counted as keyed rows minus distinct keys, not by their window
    # (a sort of the whole table), unless a pass over the keys in order proves them unique first; the rejected rows
    # (any rule) are counted by a second scan only when a rule fails.
    try:
        unique = {i for i, c in enumerate(st.checks) if c.rule == "duplicate_id" and _proven_unique(st, c.show)}
        aggs: dict[str, ibis.Value] = {"n_read": t.count()}
        for i, c in enumerate(st.checks):
            if i in unique:
                continue
            aggs[f"c{i}"] = _count(c.expr) if c.rule != "duplicate_id" else _count(_keyed(t, c.show))
            if c.rule == "duplicate_id" and len(c.show) == 1:
                aggs[f"d{i}"] = t[c.show[0]].nunique()
        counts = {**t.aggregate(**aggs).to_pyarrow().to_pylist()[0], **{f"c{i}": 0 for i in unique}}
        for i, c in enumerate(st.checks):
            if c.rule == "duplicate_id" and i not in unique:
                keys = counts[f"d{i}"] if len(c.show) == 1 else \
                    t.filter(_keyed(t, c.show)).select(*c.show).distinct().count().to_pyarrow().as_py()
                counts[f"c{i}"] = int(counts[f"c{i}"] or 0) - int(keys or 0)
        failing = any(counts[f"c{i}"] for i in range(len(st.checks)))
        n_rejected = int(t.aggregate(n=_count(st.rejected())).to_pyarrow().to_pylist()[0]["n"] or 0) if failing else 0
    except dialect_of(t).read_errors as exc:  # a reader error deep in a file (other encoding, damaged page)
        raise DataError(f"{', '.join(st.sources)} ({st.name}): the engine could not read the source: "
                        f"{reader_problem(exc)}") from exc
    n_read = int(counts["n_read"] or 0)
    if n_read == 0 and st.name == "interactions":
        raise DataError(f"{', '.join(st.sources)} (interactions): no rows (the source is empty or has only a header); "
                        "there is nothing to validate: export the contacts again")
    results = []
    for i, c in enumerate(st.checks):
        n = int(counts[f"c{i}"] or 0)
        if not n:
            continue
        examples: list[dict[str, Any]] = []
        if not c.whole_table:
            cols = ["_source", "_row", *dict.fromkeys(c.show)]
            # Timestamps travel as text: a year-1 value does not survive Spark's conversion to Python.
            shown = [t[n].cast("string").name(n) if t[n].type().is_timestamp() else t[n] for n in cols]
            rows = t.filter(c.expr).order_by([t["_source"], t["_row"]]).select(*shown).limit(MAX_EXAMPLES)
            examples = [{"source": r.pop("_source"), "row": r.pop("_row"), "values": r}
                        for r in rows.to_pyarrow().to_pylist()]
        result = RuleResult(c.rule, c.column, n, examples)
        result.message = _message(st, c.rule, c.column, c.detail, n, n_read, examples)
        results.append(result)
    return TableReport(st.name, st.sources, n_read, n_read - n_rejected, n_rejected, results)


def _proven_unique(st: StagedTable, key: list[str]) -> bool:
    """Whether the keyed rows, read in one stream, each have a key above the row's before it (key columns compared
    in turn): then no key repeats, and the duplicate_id rule counts no row without the distinct keys, whose hash of
    every key is most of a validation's time (half the interactions' aggregate at 10M rows).

    Exact whatever order the engine streams the rows in: a key that does not rise only means the distinct keys are
    counted after all. One pass over the key columns, stopped by the LIMIT at the first key that does not rise, so an
    unsorted source costs next to nothing; tried only where the engine streams a window in read order
    (Dialect.streams_in_order) and reads the key columns alone (not a CSV, parsed whole: there the extra pass would
    cost more than the count it saves)."""
    if not (st.columnar and dialect_of(st.expr).streams_in_order):
        return False
    keyed = st.expr.filter(_keyed(st.expr, key)).select(*key)
    keyed = keyed.mutate(**{f"_before_{k}": keyed[k].lag() for k in key})
    return keyed.filter(_not_above(keyed, key)).limit(1).to_pyarrow().num_rows == 0


def _not_above(t: ibis.Table, key: list[str]) -> ibis.BooleanValue:
    """Whether a row's key is at most the row's before it (_before_<column>), comparing the key columns in turn."""
    here, before = t[key[0]], t[f"_before_{key[0]}"]
    if len(key) == 1:
        return here <= before
    return (here < before) | ((here == before) & _not_above(t, key[1:]))


def _keyed(t: ibis.Table, key: list[str]) -> ibis.BooleanValue:
    """Rows with every key column set (the rows the duplicate_id rule looks at)."""
    return reduce(lambda a, b: a & b, [t[k].notnull() for k in key])


def _count(flag: ibis.Value) -> ibis.Value:
    """Rows where a boolean is true (a CASE, not a cast: PostgreSQL cannot cast boolean to bigint).

    The CASE counts a null as false by itself, so a check's fill_null(False) is left out of it: DuckDB evaluates that
    COALESCE row by row, half the cost of the interactions' rules at 10M rows (bench/README.md)."""
    op = flag.op()
    if isinstance(op, ops.Coalesce) and len(op.arg) == 2 and isinstance(op.arg[1], ops.Literal) and \
            op.arg[1].value is False:
        flag = op.arg[0].to_expr()
    return ibis.ifelse(flag, 1, 0).sum()


def _message(st: StagedTable, rule: str, column: str, detail: str, n: int, n_read: int,
             examples: list[dict[str, Any]]) -> str:
    sources = sorted({e["source"] for e in examples}) or st.sources
    where = f"{', '.join(sources)} ({st.name})"
    what = f"{n:,} of {n_read:,} rows: {RULES.get(rule, rule)}"
    if detail:
        what += f"; {detail}"
    if examples:
        one_source = len({e["source"] for e in examples}) == 1
        rows = ", ".join(str(e["row"]) if one_source else f"{e['source']}:{e['row']}" for e in examples)
        values = ", ".join(_show(e["values"]) for e in examples)
        what += f" ({'row' if len(examples) == 1 else 'rows'} {rows}: {values})"
    hint = HINTS.get(rule, "").format(column=column)
    return f"{where}: column {column}: rule {rule}: {what}; {hint}"


def _show(values: dict[str, Any]) -> str:
    def one(v: Any) -> str:
        return "null" if v is None else f'"{v}"' if isinstance(v, str) else str(v)

    items = list(values.items())
    if len(items) == 1:
        return one(items[0][1])
    return "(" + ", ".join(f"{'source' if k.startswith('_raw_') else k}={one(v)}" for k, v in items) + ")"
