"""Dataset: the contract tables of one source, as Ibis tables on one engine connection.

Measurement and diagnosis receive a Dataset and only ever build expressions on it; rows stay in the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import ibis
from ibis.backends import BaseBackend

from cxscale.contract import TABLES
from cxscale.errors import DataError

if TYPE_CHECKING:
    from cxscale.data.validate import ValidationReport


def named(t: ibis.Table, column: str) -> ibis.Value:
    """A dimension column as the diagnosis names its values: text, a missing value "unknown"."""
    return t[column].cast("string").fill_null("unknown")


def as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is taken to be UTC already (the contract's time zone)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Dataset:
    """Contract-named, contract-typed tables present in a source (missing optional columns derived or null)."""

    con: BaseBackend
    tables: dict[str, ibis.Table]
    source: str
    #: Notes on derived columns and what is unavailable (e.g. "cost derived from the default rate card").
    notes: list[str] = field(default_factory=list)
    #: The ValidationReport when opened with validation (rows read / accepted / rejected per rule), else None.
    report: ValidationReport | None = None
    #: The tables whose columns derived by a window (interactions.resolved when the source has none) are left null
    #: here; see without_window_columns.
    unwindowed: dict[str, ibis.Table] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> ibis.Table:
        if name not in TABLES:
            raise KeyError(f"{name!r} is not a contract table")
        if name not in self.tables:
            raise DataError(f"{self.source}: no {name} table found; the contract expects {name} "
                            f"(a file {name}.parquet/.csv, a folder {name}/, or a mapping that names its source)")
        return self.tables[name]

    def without_window_columns(self, name: str) -> ibis.Table:
        """Table `name` with its columns derived by a window left null (same schema), for readers that do not use
        them: an engine cannot push a filter below a window, so a filtered read of this table scans only what it
        keeps (diagnosis reads a few customers' contacts again this way)."""
        lean = self.unwindowed.get(name)
        return self.table(name) if lean is None else lean

    def during(self, since: datetime | None = None, until: datetime | None = None) -> Dataset:
        """The dataset with its interactions narrowed to the contacts that start at or after `since` and before
        `until` (either may be None: open; naive datetimes are UTC), as a filter the engine pushes into the scan.
        The other tables are kept whole: an outcome after the period can still follow a contact within it."""
        if since is None and until is None:
            return self
        since, until = (None if m is None else as_utc(m) for m in (since, until))
        if since is not None and until is not None and since >= until:
            raise DataError(f"{self.source}: the period is empty: since {since.isoformat()} is not before until "
                            f"{until.isoformat()}")

        def within(t: ibis.Table) -> ibis.Table:
            kind = t.started_at.type()
            if not kind.is_timestamp():
                raise DataError(f"{self.source}: interactions.started_at is {kind}, not a timestamp: it cannot be "
                                "narrowed to a period")

            def at(utc: datetime) -> ibis.Value:
                return ibis.literal(utc if kind.timezone else utc.replace(tzinfo=None), type=kind)

            keep = [t.started_at >= at(since)] if since is not None else []
            keep += [t.started_at < at(until)] if until is not None else []
            return t.filter(*keep)

        return self._narrowed(within)

    def at(self, values: dict[str, list[str]], check: bool = True) -> Dataset:
        """The dataset with its interactions narrowed to the contacts whose every column in `values` holds one of
        the listed values (a null counts as "unknown", as in the diagnosis): a pilot spec's scope. Other tables are
        kept whole. check: a value no contact holds (a typo would otherwise leave a metric without data) is a
        DataError naming it and the values the column has (one grouped query per column)."""
        if not values:
            return self

        def within(t: ibis.Table) -> ibis.Table:
            missing = sorted(set(values) - set(t.columns))
            if missing:
                raise DataError(f"{self.source}: interactions has no column {', '.join(missing)} to narrow to")
            return t.filter(*[named(t, c).isin(list(v)) for c, v in values.items()])

        if check:
            t = self.without_window_columns("interactions")
            for column, wanted in values.items():
                if column not in t.columns:
                    continue  # within() names it
                found = t.select(v=named(t, column)).distinct().limit(1000).to_pyarrow().column("v").to_pylist()
                absent = [v for v in wanted if v not in found]
                if absent:
                    shown = ", ".join(sorted(found)[:12]) + (", ..." if len(found) > 12 else "")
                    raise DataError(f"{self.source}: no interaction has {column} {', '.join(map(repr, absent))} "
                                    f"(scope); its values: {shown}")

        return self._narrowed(within)

    def _narrowed(self, within: Callable[[ibis.Table], ibis.Table]) -> Dataset:
        """The dataset with `within` applied to its interactions (and to their lean copy); other tables whole."""
        tables = {**self.tables, "interactions": within(self.interactions)}
        lean = {n: within(t) if n == "interactions" else t for n, t in self.unwindowed.items()}
        return Dataset(self.con, tables, self.source, list(self.notes), self.report, lean)

    @property
    def interactions(self) -> ibis.Table:
        return self.table("interactions")

    @property
    def outcomes(self) -> ibis.Table:
        return self.table("outcomes")

    @property
    def assignments(self) -> ibis.Table:
        return self.table("assignments")

    @property
    def customers(self) -> ibis.Table:
        return self.table("customers")
