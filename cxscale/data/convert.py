"""Column conversion: one mapping column spec applied to a source table, as Ibis expressions (no rows move).

A conversion yields the contract-typed value, the source value as text (for error examples) and the rule a row
breaks when a present source value does not convert (unparseable_timestamp, wrong_type, unmapped_value).
Parsing never raises: bad values become findings with row numbers (docs/mapping.md#conversions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import ibis
import ibis.expr.datatypes as dt
from ibis.backends import BaseBackend

from cxscale.contract import OFFSET_MINUTES_RANGE
from cxscale.data.mapping import _TEMPLATE_FIELD, UNITS, ColumnSpec
from cxscale.engine import epoch_float, local_to_utc, parse_timestamp, try_cast

_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")
UTC = "timestamp('UTC')"

#: Contract dtype for an extra (customers) column declared with a source type.
EXTRA_TYPES = {"integer": "int64", "number": "float64", "boolean": "boolean", "timestamp": UTC, "string": "string"}


@dataclass
class Converted:
    """A contract column as expressions over the source table."""

    value: ibis.Value
    #: The source value(s) as text, shown in error examples; None when nothing can fail.
    raw: ibis.Value | None = None
    #: Rule broken when raw is present but value is null.
    rule: str | None = None


def target_dtype(spec: ColumnSpec, contract_dtype: str | None, source: ibis.Table) -> dt.DataType:
    """The dtype a column gets: the contract's, else (extra columns) the declared type, else the source's."""
    if contract_dtype:
        return dt.dtype(contract_dtype)
    if spec.type:
        return dt.dtype(EXTRA_TYPES[spec.type])
    if spec.from_ and spec.from_ in source.columns:
        src = source[spec.from_].type()
        return dt.dtype(UTC) if src.is_timestamp() else src
    return dt.string


def convert(con: BaseBackend, r: ibis.Table, spec: ColumnSpec, target: dt.DataType) -> Converted:
    """Build the typed value of one column from source table `r` (which carries `_row` when templates need it)."""
    if spec.seconds_between is not None:
        a, b = (_timestamp(con, r[c], spec) for c in spec.seconds_between)
        seconds = epoch_float(b.value) - epoch_float(a.value)
        raw = r[spec.seconds_between[0]].cast("string").fill_null("") + " -> " + r[spec.seconds_between[1]].cast(
            "string").fill_null("")
        bad = (a.value.isnull() & r[spec.seconds_between[0]].notnull()) | (
            b.value.isnull() & r[spec.seconds_between[1]].notnull())
        return Converted(ibis.ifelse(bad, ibis.null(target), seconds.cast(target)), raw, "unparseable_timestamp")
    if spec.days_between is not None:
        wall = ColumnSpec(format=spec.format)  # calendar dates as written in the source, before any zone shift
        a, b = (_timestamp(con, r[c], wall).value.truncate("D") for c in spec.days_between)
        days = (epoch_float(b) - epoch_float(a)) / 86400.0
        return Converted(days.round().cast(target))
    if spec.from_ is None and spec.template is None:
        src: ibis.Value = ibis.literal(spec.value) if spec.value is not None else ibis.null("string")
    elif spec.template is not None:
        src = _template(r, spec.template)
    else:
        src = r[spec.from_]
    if spec.map is not None:
        text = src.cast("string")
        value = ibis.cases(*[(text == k, ibis.literal(v, type=target) if v is not None else ibis.null(target))
                             for k, v in spec.map.items()], else_=ibis.null(target))
        known = text.isin(list(spec.map))
        value = ibis.ifelse(known, value, ibis.null(target))
        return Converted(value, text, "unmapped_value")
    if target.is_timestamp():
        return _timestamp(con, src, spec)
    if target.is_boolean():
        return _boolean(src)
    if target.is_numeric():
        conv = _number(con, src, target)
        if spec.unit:
            conv.value = conv.value * UNITS[spec.unit]
        return conv
    return _string(con, src, spec)


def _template(r: ibis.Table, template: str) -> ibis.Value:
    pieces: list[ibis.Value] = []
    pos = 0
    for m in _TEMPLATE_FIELD.finditer(template):
        if m.start() > pos:
            pieces.append(ibis.literal(template[pos:m.start()]))
        pieces.append(r[m.group(1)].cast("string"))
        pos = m.end()
    if pos < len(template):
        pieces.append(ibis.literal(template[pos:]))
    return reduce(lambda x, y: x + y, pieces)


def _string(con: BaseBackend, src: ibis.Value, spec: ColumnSpec) -> Converted:
    if spec.type == "integer":
        number = src if src.type().is_numeric() else try_cast(con, src.cast("string"), "float64")
        value = number.cast("int64").cast("string")
        return Converted(value, src.cast("string"), "wrong_type")
    return Converted(src if src.type().is_string() else src.cast("string"))


def _number(con: BaseBackend, src: ibis.Value, target: dt.DataType) -> Converted:
    if src.type().is_numeric():
        return Converted(src.cast(target))
    if src.type().is_boolean():
        return Converted(ibis.cases((src, 1), (~src, 0), else_=ibis.null("int64")).cast(target))
    text = src.cast("string")
    return Converted(try_cast(con, text.strip(), target), text, "wrong_type")


def _boolean(src: ibis.Value) -> Converted:
    if src.type().is_boolean():
        return Converted(src)
    if src.type().is_numeric():
        return Converted(ibis.ifelse(src.isin([0, 1]), src != 0, ibis.null("boolean")), src.cast("string"),
                         "wrong_type")
    text = src.cast("string")
    norm = text.strip().lower()
    value = ibis.cases((norm.isin(_TRUE), True), (norm.isin(_FALSE), False), else_=ibis.null("boolean"))
    return Converted(value, text, "wrong_type")


def _timestamp(con: BaseBackend, src: ibis.Value, spec: ColumnSpec) -> Converted:
    raw = None
    kind = src.type()
    if kind.is_timestamp():
        naive = kind.timezone is None
        ts = src if naive else src.cast(UTC)
    elif kind.is_date():
        ts, naive = src.cast("timestamp"), True
    else:
        raw = src.cast("string")
        text = raw.strip()
        if spec.format:
            ts, naive = parse_timestamp(con, text, spec.format), True
        elif spec.timezone:
            ts, naive = try_cast(con, text, "timestamp"), True
        else:
            # No zone given: values with an offset keep it, zone-less values are read as UTC.
            ts, naive = try_cast(con, text, UTC), False
            ts = ibis.ifelse(_impossible_offset(text), ibis.null(UTC), ts)
    if naive:
        ts = local_to_utc(con, ts, spec.timezone) if spec.timezone else ts.cast(UTC)
    if spec.shift_days:
        ts = ts + ibis.interval(days=spec.shift_days)
    return Converted(ts, raw, "unparseable_timestamp" if raw is not None else None)


#: A UTC offset after a time of day: "10:00:00+02:00", "10:00+0530", "10:00:00.5 -03".
_OFFSET = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*([+-])(\d\d):?(\d\d)?$"


def _impossible_offset(text: ibis.Value) -> ibis.Value:
    """True where the text ends in a UTC offset that no zone has (beyond -12:00..+14:00, or minutes over 59): the
    engines would read "+25:00" as a shift of a day (DuckDB) or not at all (Spark); it is a typo either way."""
    sign, hours, minutes = (text.re_extract(_OFFSET, i) for i in (1, 2, 3))
    h = _two_digits(hours)
    m = _two_digits(minutes)
    total = (h * 60 + m.fill_null(0)) * ibis.ifelse(sign == "-", -1, 1)
    lo, hi = OFFSET_MINUTES_RANGE
    return (h.notnull() & ((m.fill_null(0) > 59) | (total < lo) | (total > hi))).fill_null(False)


def _two_digits(digits: ibis.Value) -> ibis.Value:
    """Two digits (or an empty match) as an integer, null when empty."""
    return ibis.ifelse(digits.length() == 2, digits, ibis.null("string")).cast("int64")
