"""Staging: mapping parts -> one contract-typed Ibis table per contract table, with the validation rules as columns.

A staged table holds the contract columns the source provides, `_source` (file label) and `_row` (1-based source row
number), plus for validation the source text of each converted column (`_raw_<col>`) and whether it failed to convert
(`_bad_<col>`). Rules (cxscale.contract.RULES) are Ibis boolean expressions on it, evaluated in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from cxscale.assignment import SLOT_ID_PATTERN
from cxscale.contract import FEEDBACK_ACTIONS, PLAUSIBLE_DAYS_AHEAD, PLAUSIBLE_FROM, TABLES, UNIT_TYPES
from cxscale.data import readers
from cxscale.data.convert import convert, target_dtype
from cxscale.data.mapping import Part
from cxscale.engine import blank as engine_blank
from cxscale.engine import instant, single_valued, with_row_number
from cxscale.errors import SpecError


@dataclass
class Check:
    """One rule on one column, as a boolean expression over the staged table (true = the row breaks it)."""

    rule: str
    column: str
    expr: ibis.Value
    #: Columns of the staged table shown in error examples.
    show: list[str] = field(default_factory=list)
    #: Extra words for the message (e.g. the source column, the declared arms).
    detail: str = ""
    #: True when the rule concerns the whole source (a missing column): no row examples.
    whole_table: bool = False


@dataclass
class StagedTable:
    """A contract table staged from one or more sources, with its checks."""

    name: str
    expr: ibis.Table
    columns: list[str]
    sources: list[str]
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: True when every part is read column by column (readers.columnar): a query of the key alone is cheap there.
    columnar: bool = False

    def rejected(self) -> ibis.Value:
        """True for rows that break any rule."""
        if not self.checks:
            return ibis.literal(False)
        return reduce(lambda a, b: a | b, [c.expr for c in self.checks])

    def accepted(self) -> ibis.Table:
        return self.expr.filter(~self.rejected()) if self.checks else self.expr

    def contract_columns(self, t: ibis.Table | None = None) -> ibis.Table:
        """Only the contract (and extra) columns, without the staging helpers."""
        t = self.expr if t is None else t
        return t.select(*self.columns)


def stage_part(origin: readers.Origin, table: str, part: Part, mapping_folder: Path | None,
               validating: bool, allow_outside_data: bool = False
               ) -> tuple[ibis.Table, dict[str, str], dict[str, str], str, bool]:
    """One part as a table of typed columns (+ helpers when validating).

    Returns (table, conversion rules by column, missing columns -> detail, source label, whether the source is read
    column by column).
    """
    location = readers.resolve_source(origin, part.source, mapping_folder, allow_outside_data)
    src_label = readers.label(location)
    r = readers.table(origin, location, encoding=part.encoding, validating=validating)
    numbered = validating or part.deduplicate or any(s.uses_row_number for s in part.columns.values())
    if numbered and "_row" not in r.columns:
        r = with_row_number(origin.con, r)
    if part.filter:
        col, equals = part.filter
        if col not in r.columns:
            raise SpecError(f"{src_label}: filter column {col!r} is not in the source "
                            f"(columns: {', '.join(c for c in r.columns if c != '_row')})")
        r = r.filter(r[col].cast("string").strip() == equals)
    contract = TABLES[table]
    values: dict[str, ibis.Value] = {}
    helpers: dict[str, ibis.Value] = {}
    rules: dict[str, str] = {}
    missing: dict[str, str] = {}
    have = ", ".join(c for c in r.columns if c not in ("_row", "_malformed"))
    for name, spec in part.columns.items():
        contract_dtype = contract.column(name).dtype if name in contract.column_names else None
        target = target_dtype(spec, contract_dtype, r)
        absent = [c for c in spec.source_columns if c not in r.columns]
        if absent:
            missing[name] = f"the source has no column {absent[0]!r} (columns: {have})"
            values[name] = ibis.null(target)
            continue
        conv = convert(origin.con, r, spec, target)
        values[name] = conv.value.cast(target)
        if validating and conv.rule and conv.raw is not None:
            # "~" marks values computed from other source columns: range messages then show the source text too.
            rules[name] = conv.rule + ("~" if spec.seconds_between or spec.unit else "")
            helpers[f"_raw_{name}"] = conv.raw.cast("string")
            helpers[f"_bad_{name}"] = (conv.raw.notnull() & conv.value.isnull()).fill_null(False)
    for name in contract.required_columns:
        if name not in values:
            missing[name] = f"the source has no column {name!r} (columns: {have})"
            values[name] = ibis.null(contract.column(name).dtype)
    if validating:
        for name in missing:
            helpers[f"_miss_{name}"] = ibis.literal(True)
    label = src_label if part.name == table else f"{src_label} ({part.name})"
    extra = {"_source": ibis.literal(label)}
    if numbered:
        extra["_row"] = r["_row"]
    if "_malformed" in r.columns:
        extra["_malformed"] = r["_malformed"]
    staged = r.select(**values, **helpers, **extra)
    if part.deduplicate:
        key = list(contract.key)
        staged = staged.filter(ibis.row_number().over(group_by=key, order_by=staged["_row"]) == 0)
    return staged, rules, missing, label, readers.columnar(origin, location)


def blank(v: ibis.StringValue) -> ibis.BooleanValue:
    """Whether a text is empty or only whitespace, the engine's cheapest way (cxscale.engine.blank)."""
    return engine_blank(v)


def union_parts(parts: list[ibis.Table]) -> ibis.Table:
    """Union parts that may provide different columns: absent columns become typed nulls (False for flags)."""
    if len(parts) == 1:
        return parts[0]
    types: dict[str, dt.DataType] = {}
    for p in parts:
        for name, kind in p.schema().items():
            types.setdefault(name, kind)
    aligned = []
    for p in parts:
        cols = {}
        for name, kind in types.items():
            if name in p.columns:
                cols[name] = p[name].cast(kind)
            elif name.startswith(("_bad_", "_miss_")):
                cols[name] = ibis.literal(False)
            else:
                cols[name] = ibis.null(kind)
        aligned.append(p.select(**cols))
    return ibis.union(*aligned, distinct=False)


_MAX_FLOAT = 1.7976931348623157e308


def plausible_range(bounds: tuple[str | None, str | None] = (None, None),
                    today: datetime | None = None) -> tuple[datetime, datetime]:
    """The plausible timestamps, UTC: the mapping's `plausible` bounds (ISO text), else from 1970-01-01 to a year
    after today (docs/data-contract.md#plausible-timestamps)."""
    now = today or datetime.now(UTC)
    lo = datetime.fromisoformat(bounds[0] or PLAUSIBLE_FROM).replace(tzinfo=UTC)
    hi = datetime.fromisoformat(bounds[1]).replace(tzinfo=UTC) if bounds[1] else (
        now + timedelta(days=PLAUSIBLE_DAYS_AHEAD)).replace(hour=0, minute=0, second=0, microsecond=0)
    return lo, hi


def value_checks(t: ibis.Table, name: str, plausible: tuple[datetime, datetime],
                 source: list[str]) -> tuple[list[Check], ibis.Value | None]:
    """The rules every value of a type obeys, whatever its column: numbers are finite, timestamps plausible.
    Returns the checks and the non-finite flag (range rules leave those rows to non_finite_number)."""
    v = t[name]
    kind = v.type()
    if kind.is_floating():
        # Not isinf(): Ibis compiles it to a comparison that never holds on Spark. NaN sorts above every number
        # on DuckDB, Spark and PostgreSQL, so it fails the bound as infinity does.
        bad = v.isnan() | ~(v.abs() <= _MAX_FLOAT)
        return [Check("non_finite_number", name, bad, show=[name, *source])], bad
    if kind.is_timestamp():
        lo, hi = plausible
        out = (v < instant(v, int(lo.timestamp()))) | (v >= instant(v, int(hi.timestamp())))
        detail = f"plausible from {lo:%Y-%m-%d} to before {hi:%Y-%m-%d}"
        return [Check("implausible_timestamp", name, out, show=[name, *source], detail=detail)], None
    return [], None


def build_checks(table: str, t: ibis.Table, provided: list[str], rules: dict[str, str], missing: dict[str, str],
                 pilots: dict[str, tuple[str, ...]],
                 plausible: tuple[datetime, datetime] | None = None) -> tuple[ibis.Table, list[Check]]:
    """The rules of one contract table as checks on the staged table (window columns are added where needed)."""
    contract = TABLES[table]
    plausible = plausible or plausible_range()
    key = [k for k in contract.key if k in provided and k not in missing]
    if key and len(key) == len(contract.key):
        t = t.mutate(_dup=(ibis.row_number().over(group_by=key, order_by=[t["_source"], t["_row"]]) > 0))
    one_arm = None
    if table == "assignments" and "pilot" in provided and "arm" in provided:
        t, one_arm = single_valued(t, "arm", "pilot")
    checks: list[Check] = []
    for name, detail in missing.items():
        checks.append(Check("missing_column", name, t[f"_miss_{name}"], detail=detail, whole_table=True))
    for name, rule in rules.items():
        checks.append(Check(rule.rstrip("~"), name, t[f"_bad_{name}"], show=[f"_raw_{name}"]))
    for name in provided:
        if name in missing or name in contract.column_names or name not in t.columns:
            continue
        source = [f"_raw_{name}"] if name in rules else []
        checks.extend(value_checks(t, name, plausible, source)[0])
    for col in contract.columns:
        name = col.name
        if name not in provided or name in missing:
            continue
        v = t[name]
        source = [f"_raw_{name}"] if name in rules else []
        typed, non_finite = value_checks(t, name, plausible, source)
        checks.extend(typed)
        if not col.nullable:
            empty = v.isnull()
            if v.type().is_string():
                empty = empty | blank(v)
            if name in rules:
                empty = empty & ~t[f"_bad_{name}"]
            checks.append(Check("missing_value", name, empty, show=[name]))
        if col.minimum is not None or col.maximum is not None:
            out = ibis.literal(False)
            if col.minimum is not None:
                out = out | (v < col.minimum)
            if col.maximum is not None:
                out = out | (v > col.maximum)
            if non_finite is not None:
                out = out & ~non_finite
            source = [f"_raw_{name}"] if rules.get(name, "").endswith("~") else []
            checks.append(Check(col.range_rule, name, out, show=[name, *source]))
    if "_dup" in t.columns:
        checks.append(Check("duplicate_id", "+".join(key), t["_dup"] & reduce(
            lambda a, b: a & b, [t[k].notnull() for k in key]), show=key))
    if table == "assignments":
        checks.extend(_assignment_checks(t, provided, pilots, one_arm))
    if table == "exposures":
        checks.extend(_exposure_checks(t, provided, pilots))
    if table == "feedback" and "action" in provided:
        checks.append(Check("unknown_action", "action", t.action.notnull() & ~t.action.isin(FEEDBACK_ACTIONS),
                            show=["action"], detail=f"allowed: {', '.join(FEEDBACK_ACTIONS)}"))
    checks = [Check(c.rule, c.column, c.expr.fill_null(False), c.show, c.detail, c.whole_table) for c in checks]
    if "_malformed" in t.columns:
        # A row the reader could not split has no values: it breaks that rule alone.
        whole = t["_malformed"].notnull()
        checks = [Check(c.rule, c.column, c.expr & ~whole, c.show, c.detail, c.whole_table) for c in checks]
        checks.insert(0, Check("malformed_row", "(all columns)", whole, show=["_malformed"]))
    return t, checks


def _unit_type_check(t: ibis.Table) -> Check:
    return Check("unknown_unit_type", "unit_type", t.unit_type.notnull() & ~t.unit_type.isin(UNIT_TYPES),
                 show=["unit_type"], detail=f"allowed: {', '.join(UNIT_TYPES)}")


def _arm_check(t: ibis.Table, pilot: ibis.Value, pilots: dict[str, tuple[str, ...]], show: list[str]) -> Check | None:
    """unknown_arm: the arm is not one of its pilot's declared arms (pilots: "*" holds the arms of every pilot
    without a declaration of its own)."""
    named = {p: arms for p, arms in pilots.items() if p != "*"}
    conditions = [(pilot == p) & ~t.arm.isin(list(arms)) for p, arms in named.items()]
    if "*" in pilots:
        others = ~pilot.isin(list(named)) if named else ibis.literal(True)
        conditions.append(others & ~t.arm.isin(list(pilots["*"])))
    if not conditions:
        return None
    declared = "; ".join(f"{'any pilot' if p == '*' else p}: {', '.join(a)}" for p, a in pilots.items())
    return Check("unknown_arm", "arm", reduce(lambda a, b: a | b, conditions), show=show,
                 detail=f"declared {declared}")


def _exposure_checks(t: ibis.Table, provided: list[str], pilots: dict[str, tuple[str, ...]]) -> list[Check]:
    """A capability logs in every arm but shows only in treatment, and only what triggered
    (docs/capability-pilots.md#logging-both-arms). The control arm is the pilot's first declared arm, else
    "control"."""
    checks = []
    if "unit_type" in provided:
        checks.append(_unit_type_check(t))
    slot = _slot_check(t, provided)
    if slot is not None:
        checks.append(slot)
    if "pilot_id" in provided and "arm" in provided:
        unknown = _arm_check(t, t.pilot_id, pilots, ["pilot_id", "arm"])
        if unknown is not None:
            checks.append(unknown)
        named = {p: arms[0] for p, arms in pilots.items() if p != "*"}
        default = pilots["*"][0] if "*" in pilots else "control"
        control = ibis.cases(*[(t.pilot_id == p, c) for p, c in named.items()], else_=default) if named else \
            ibis.literal(default)
        if "shown" in provided:
            checks.append(Check("shown_in_control", "shown", t.shown & (t.arm == control),
                                show=["pilot_id", "arm", "shown"], detail="control arms: " + (", ".join(
                                    f"{p}: {c}" for p, c in named.items()) or default)))
    if "shown" in provided and "triggered" in provided:
        checks.append(Check("shown_not_triggered", "shown", t.shown & ~t.triggered, show=["triggered", "shown"]))
    return checks


def slot_text(ts: ir.TimestampValue) -> ir.StringValue:
    """A slot start as its id writes it (cxscale.assignment.SLOT_FORMAT, YYYY-MM-DDTHH:MMZ), built from two formats
    without letters: Spark's datetime patterns read a bare T or Z as a pattern letter."""
    return ts.strftime("%Y-%m-%d") + "T" + ts.strftime("%H:%M") + "Z"


def unparseable_slot(unit_id: ir.StringValue, assigned_at: ir.TimestampValue | None = None) -> ir.BooleanValue:
    """A slot unit id that is not QUEUE@YYYY-MM-DDTHH:MMZ, or (with assigned_at) names another minute than its
    assignment's: the rule the validation and the switchback readout share."""
    bad = ~unit_id.re_search(SLOT_ID_PATTERN)
    if assigned_at is None:
        return bad
    return bad | (slot_text(assigned_at) != unit_id.re_extract("@([^@]*)$", 1))


def _slot_check(t: ibis.Table, provided: list[str]) -> Check | None:
    """unparseable_slot: a slot unit (switchback) whose id is not QUEUE@YYYY-MM-DDTHH:MMZ, or (assignments) whose
    assigned_at is not that start: a router recomputes a slot's arm from the id, so the two must agree."""
    if not {"unit_type", "unit_id"} <= set(provided):
        return None
    bad = unparseable_slot(t.unit_id)
    show = ["unit_type", "unit_id"]
    if "assigned_at" in provided:
        bad = unparseable_slot(t.unit_id, t.assigned_at) | (t.assigned_at.second() != 0) | \
            (t.assigned_at.millisecond() != 0)
        show.append("assigned_at")
    return Check("unparseable_slot", "unit_id", (t.unit_type == "slot") & bad, show=show,
                 detail="a slot is QUEUE@YYYY-MM-DDTHH:MMZ, assigned at its start (e.g. north@2026-01-19T08:00Z)")


def _assignment_checks(t: ibis.Table, provided: list[str], pilots: dict[str, tuple[str, ...]],
                       one_arm: ibis.BooleanValue | None) -> list[Check]:
    checks = []
    if "unit_type" in provided:
        checks.append(_unit_type_check(t))
    slot = _slot_check(t, provided)
    if slot is not None:
        checks.append(slot)
    if one_arm is not None:
        unknown = _arm_check(t, t.pilot, pilots, ["pilot", "arm"])
        if unknown is not None:
            checks.append(unknown)
        checks.append(Check("single_arm_pilot", "arm", t.pilot.notnull() & one_arm,
                            show=["pilot", "arm"], detail="a pilot needs a control and at least one treatment arm"))
    return checks
