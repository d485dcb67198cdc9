"""Mapping files: how a real export's columns become contract columns (docs/mapping.md).

A mapping is a versioned YAML file. Per contract table it names one or more sources (parts) and, per contract column,
where the value comes from (a source column, a constant, a template, or the seconds between two timestamps) and how
to convert it (type, strptime format, time zone, value map, unit). Shipped mappings load by name (`noshow`).
Every error names the mapping file and the key that is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cxscale.contract import TABLES
from cxscale.errors import SpecError
from cxscale.yamlfile import read_yaml

MAPPING_VERSION = 1
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

#: Source types a column spec may declare (how to read the source value).
SOURCE_TYPES = ("string", "integer", "number", "boolean", "timestamp")
#: Units a duration column may be given in, with their factor to seconds.
UNITS = {"seconds": 1.0, "milliseconds": 0.001, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}

_COLUMN_KEYS = {"from", "value", "template", "seconds_between", "days_between", "type", "format", "timezone", "map", "unit",
                "shift_days"}
_PART_KEYS = {"part", "source", "filter", "deduplicate", "columns", "encoding"}
_TOP_KEYS = {"mapping_version", "name", "description", "data", "pilots", "tables", "plausible", "encoding"}
#: Text encodings of CSV sources the engines read (`encoding:` in a mapping), with the names people also write.
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "utf16": "utf-16", "latin-1": "latin-1",
             "latin1": "latin-1", "iso-8859-1": "latin-1"}
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class ColumnSpec:
    """Where one contract column comes from and how it is converted."""

    from_: str | None = None
    value: Any = None
    template: str | None = None
    seconds_between: tuple[str, str] | None = None
    #: Whole calendar days from the first to the second timestamp column, on the wall-clock dates in the source.
    days_between: tuple[str, str] | None = None
    type: str | None = None
    format: str | None = None
    timezone: str | None = None
    map: dict[str, Any] | None = None
    unit: str | None = None
    shift_days: int | None = None

    @property
    def source_columns(self) -> tuple[str, ...]:
        """Source columns this spec reads (`_row` is the source row number, not a column)."""
        if self.from_ is not None:
            return (self.from_,)
        if self.seconds_between is not None:
            return self.seconds_between
        if self.days_between is not None:
            return self.days_between
        if self.template is not None:
            return tuple(f for f in _TEMPLATE_FIELD.findall(self.template) if f != "_row")
        return ()

    @property
    def uses_row_number(self) -> bool:
        return self.template is not None and "{_row}" in self.template


@dataclass(frozen=True)
class Part:
    """One source feeding a contract table: a file (relative to the mapping or the data path) or a table name."""

    name: str
    source: str
    columns: dict[str, ColumnSpec]
    #: Keep only source rows where `column` equals `equals` (compared as text), e.g. SMS_received == "1".
    filter: tuple[str, str] | None = None
    #: "first": keep the first source row per key (e.g. one customer row per patient from an appointment list).
    deduplicate: str | None = None
    #: Text encoding of a CSV source (utf-8, utf-16, latin-1); None: the mapping's, else utf-8.
    encoding: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    path: str
    name: str
    description: str
    tables: dict[str, tuple[Part, ...]]
    #: Declared arms per pilot (assignments whose arm is not listed are rejected as unknown_arm).
    pilots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    data: str | None = None
    #: Plausible timestamps (ISO dates or instants, UTC): (from, to); None for a bound keeps the default.
    plausible: tuple[str | None, str | None] = (None, None)

    @property
    def folder(self) -> Path:
        return Path(self.path).parent


def shipped_mappings() -> list[str]:
    """Names of the mapping files shipped with cxscale (cxscale/data/mappings/*.yaml; the *.pilot.yaml beside them
    are pilot specs, cxscale.documents.pilot_spec.shipped_specs)."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml") if not p.name.endswith(".pilot.yaml"))


def resolve_mapping_path(name_or_path: str | Path) -> Path:
    """A mapping file path from a shipped name (`noshow`) or a path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.is_file():
        if not p.exists():
            raise SpecError(f"{p}: mapping file not found")
        return p
    shipped = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if shipped.exists():
        return shipped
    raise SpecError(f"mapping {str(name_or_path)!r} is neither a file nor a shipped mapping "
                    f"(shipped: {', '.join(shipped_mappings())})")


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key."""
    path = resolve_mapping_path(name_or_path)
    raw = read_yaml(path, "mapping file")  # strict: YAML 1.2 booleans, so "Yes": true maps text
    return parse_mapping(raw, str(path))


def parse_mapping(raw: Any, path: str) -> Mapping:
    """Check a mapping document (already parsed YAML) and build a Mapping."""
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: a mapping file is a YAML mapping with mapping_version and tables")
    _unknown(path, "(top level)", raw, _TOP_KEYS)
    version = raw.get("mapping_version")
    if version != MAPPING_VERSION:
        raise SpecError(f"{path}: mapping_version: expected {MAPPING_VERSION}, found {version!r}")
    tables_raw = raw.get("tables")
    if not isinstance(tables_raw, dict) or not tables_raw:
        raise SpecError(f"{path}: tables: give at least one contract table ({', '.join(TABLES)})")
    tables: dict[str, tuple[Part, ...]] = {}
    for table, body in tables_raw.items():
        if table not in TABLES:
            raise SpecError(f"{path}: tables.{table}: not a contract table (use {', '.join(TABLES)})")
        parts_raw = body if isinstance(body, list) else [body]
        tables[table] = tuple(_part(path, f"tables.{table}[{i}]", table, p, i if len(parts_raw) > 1 else None)
                              for i, p in enumerate(parts_raw))
    pilots_raw = raw.get("pilots") or {}
    if not isinstance(pilots_raw, dict):
        raise SpecError(f"{path}: pilots: expected pilot: [arm, arm, ...]")
    pilots: dict[str, tuple[str, ...]] = {}
    for pilot, arms in pilots_raw.items():
        if not isinstance(arms, list) or len(arms) < 2 or not all(isinstance(a, str) and a for a in arms):
            raise SpecError(f"{path}: pilots.{pilot}: list at least two arm names (control first)")
        pilots[str(pilot)] = tuple(arms)
    encoding = _encoding(path, "encoding", raw.get("encoding"))
    if encoding:
        tables = {t: tuple(p if p.encoding else Part(p.name, p.source, p.columns, p.filter, p.deduplicate, encoding)
                           for p in ps) for t, ps in tables.items()}
    return Mapping(path=path, name=str(raw.get("name") or Path(path).stem), description=str(raw.get("description", "")),
                   tables=tables, pilots=pilots, data=raw.get("data"), plausible=_plausible(path, raw.get("plausible")))


def _encoding(path: str, where: str, value: Any) -> str | None:
    if value is None:
        return None
    name = ENCODINGS.get(str(value).strip().lower())
    if name is None:
        raise SpecError(f"{path}: {where}: {value!r} is not an encoding cxscale reads (use utf-8, utf-16 or latin-1; "
                        "convert other encodings to UTF-8 first, e.g. iconv -f cp1252 -t utf-8)")
    return name


def _plausible(path: str, body: Any) -> tuple[str | None, str | None]:
    """`plausible: {from: 2015-01-01, to: 2027-12-31}`: the range of timestamps that can be real (UTC)."""
    if body is None:
        return (None, None)
    if not isinstance(body, dict) or not body or set(body) - {"from", "to"}:
        raise SpecError(f"{path}: plausible: expected {{from: DATE, to: DATE}} (either may be left out)")
    bounds: list[datetime | None] = []
    for key in ("from", "to"):
        value = body.get(key)
        if value is None:
            bounds.append(None)
        elif isinstance(value, datetime):
            bounds.append(value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value)
        elif isinstance(value, date):
            bounds.append(datetime(value.year, value.month, value.day))
        else:
            try:
                moment = datetime.fromisoformat(str(value))
                bounds.append(moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment)
            except ValueError:
                raise SpecError(f"{path}: plausible.{key}: expected a date like 2015-01-01, found {value!r}") from None
    lo, hi = bounds
    if lo is not None and hi is not None and lo >= hi:
        raise SpecError(f"{path}: plausible: from ({lo:%Y-%m-%d}) must be before to ({hi:%Y-%m-%d})")
    return (lo.isoformat() if lo else None, hi.isoformat() if hi else None)


def _unknown(path: str, where: str, body: dict, allowed: set[str]) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise SpecError(f"{path}: {where}: unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _part(path: str, where: str, table: str, body: Any, index: int | None) -> Part:
    if not isinstance(body, dict):
        raise SpecError(f"{path}: {where}: expected a mapping with source and columns")
    _unknown(path, where, body, _PART_KEYS)
    source = body.get("source")
    if not isinstance(source, str) or not source:
        raise SpecError(f"{path}: {where}.source: name the source file (relative to the mapping or the data path) "
                        "or table")
    cols_raw = body.get("columns")
    if not isinstance(cols_raw, dict) or not cols_raw:
        raise SpecError(f"{path}: {where}.columns: map each contract column to a source column or a spec")
    contract = TABLES[table]
    columns: dict[str, ColumnSpec] = {}
    for name, spec in cols_raw.items():
        if name not in contract.column_names and not contract.extra_columns_allowed:
            raise SpecError(f"{path}: {where}.columns.{name}: not a column of the {table} contract "
                            f"({', '.join(contract.column_names)})")
        columns[str(name)] = _column(path, f"{where}.columns.{name}", spec)
    missing = [c for c in contract.required_columns if c not in columns]
    if missing:
        raise SpecError(f"{path}: {where}.columns: required contract column {missing[0]!r} is not mapped "
                        f"(required: {', '.join(contract.required_columns)})")
    filt = body.get("filter")
    filter_: tuple[str, str] | None = None
    if filt is not None:
        if not isinstance(filt, dict) or set(filt) != {"column", "equals"}:
            raise SpecError(f"{path}: {where}.filter: expected {{column: NAME, equals: VALUE}}")
        filter_ = (str(filt["column"]), _text(filt["equals"]))
    dedup = body.get("deduplicate")
    if dedup not in (None, "first"):
        raise SpecError(f"{path}: {where}.deduplicate: only 'first' is supported, found {dedup!r}")
    if dedup and not contract.key:
        raise SpecError(f"{path}: {where}.deduplicate: the {table} table has no key to deduplicate on")
    default = table if index is None else f"{table}_{index + 1}"
    return Part(name=str(body.get("part") or default), source=source, columns=columns,
                filter=filter_, deduplicate=dedup, encoding=_encoding(path, f"{where}.encoding", body.get("encoding")))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _column(path: str, where: str, spec: Any) -> ColumnSpec:
    if isinstance(spec, str):
        return ColumnSpec(from_=spec)
    if not isinstance(spec, dict):
        raise SpecError(f"{path}: {where}: expected a source column name or a mapping like {{from: COLUMN}}")
    _unknown(path, where, spec, _COLUMN_KEYS)
    origins = [k for k in ("from", "value", "template", "seconds_between", "days_between") if k in spec]
    if len(origins) != 1:
        raise SpecError(f"{path}: {where}: give exactly one of from, value, template, seconds_between, days_between "
                        f"(found {', '.join(origins) or 'none'})")
    kind = spec.get("type")
    if kind is not None and kind not in SOURCE_TYPES:
        raise SpecError(f"{path}: {where}.type: {kind!r} is not one of {', '.join(SOURCE_TYPES)}")
    unit = spec.get("unit")
    if unit is not None and unit not in UNITS:
        raise SpecError(f"{path}: {where}.unit: {unit!r} is not one of {', '.join(UNITS)}")
    for key in ("seconds_between", "days_between"):
        pair = spec.get(key)
        if pair is not None and (not isinstance(pair, list) or len(pair) != 2):
            raise SpecError(f"{path}: {where}.{key}: expected [START_COLUMN, END_COLUMN]")
    between, days = spec.get("seconds_between"), spec.get("days_between")
    value_map = spec.get("map")
    if value_map is not None and (not isinstance(value_map, dict) or not value_map):
        raise SpecError(f"{path}: {where}.map: expected source value: contract value pairs")
    shift = spec.get("shift_days")
    if shift is not None and (isinstance(shift, bool) or not isinstance(shift, int)):
        raise SpecError(f"{path}: {where}.shift_days: expected a whole number of days, found {shift!r}")
    fmt = spec.get("format")
    if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
        raise SpecError(f"{path}: {where}.format: expected a strptime format like '%d/%m/%Y %H:%M', found {fmt!r}")
    template = spec.get("template")
    if template is not None and (not isinstance(template, str) or not _TEMPLATE_FIELD.search(template)):
        raise SpecError(f"{path}: {where}.template: expected text with {{COLUMN}} fields, e.g. 'booking-{{ID}}'")
    return ColumnSpec(
        from_=spec.get("from"), value=spec.get("value"), template=template,
        seconds_between=tuple(str(c) for c in between) if between else None,  # type: ignore[arg-type]
        days_between=tuple(str(c) for c in days) if days else None,  # type: ignore[arg-type]
        type=kind, format=fmt, timezone=spec.get("timezone"),
        map={_text(k): v for k, v in value_map.items()} if value_map else None,
        unit=unit, shift_days=shift,
    )


def identity_part(table: str, source: str, present: list[str]) -> Part:
    """The part for a source already in contract names (e.g. the simulated world): each present column as itself."""
    contract = TABLES[table]
    names = [c for c in present if c in contract.column_names or contract.extra_columns_allowed]
    return Part(name=table, source=source, columns={c: ColumnSpec(from_=c) for c in names if not c.startswith("_")})
