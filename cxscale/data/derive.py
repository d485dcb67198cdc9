"""Derivations: fill every contract column a source lacks, inside the engine (docs/data-contract.md#derived-columns).

intent and journey_stage become 'unknown'; cost comes from a per-channel rate card (fixed per contact + per handled
minute); resolved means no repeat contact by the same customer for the same intent within N days (a window function),
null for contacts in the last N days of the data (their repeat would fall outside it). Anything else is null-typed,
and a note says what became unavailable.
"""

from __future__ import annotations

import ibis

from cxscale.contract import (
    DEFAULT_RATE_CARD,
    DEFAULT_RATE_CARD_OTHER,
    DEFAULT_RESOLUTION_WINDOW_DAYS,
    TABLES,
)
from cxscale.engine import epoch_float


def rate_card_cost(channel: ibis.Value, handle_seconds: ibis.Value | None,
                   rate_card: dict[str, tuple[float, float]] | None = None,
                   other: tuple[float, float] = DEFAULT_RATE_CARD_OTHER) -> ibis.Value:
    """Cost of a contact in currency: fixed[channel] + per_minute[channel] * handle_seconds / 60 (fixed part only
    when handle time is null)."""
    card = rate_card or DEFAULT_RATE_CARD
    fixed = ibis.cases(*[(channel == c, f) for c, (f, _) in card.items()], else_=other[0])
    per_minute = ibis.cases(*[(channel == c, m) for c, (_, m) in card.items()], else_=other[1])
    if handle_seconds is None:
        return fixed.cast("float64")
    return (fixed + per_minute * handle_seconds.fill_null(0) / 60.0).cast("float64")


def resolved_by_no_repeat(t: ibis.Table, window_days: int = DEFAULT_RESOLUTION_WINDOW_DAYS) -> ibis.Value:
    """True when the same customer makes no contact for the same intent within `window_days` after this one; null when
    the contact is within `window_days` of the last contact in the data (censored)."""
    nxt = t.started_at.lead().over(group_by=[t.customer_id, t.intent], order_by=t.started_at)
    last = t.started_at.max().over()
    gap_s = epoch_float(nxt) - epoch_float(t.started_at)
    horizon = window_days * 86400.0
    censored = (epoch_float(last) - epoch_float(t.started_at)) < horizon
    return ibis.cases(
        (nxt.notnull() & (gap_s <= horizon), False),
        (censored, ibis.null("boolean")),
        else_=True,
    )


def complete(table: str, t: ibis.Table, provided: list[str], extras: list[str] | None = None,
             rate_card: dict[str, tuple[float, float]] | None = None,
             window_days: int = DEFAULT_RESOLUTION_WINDOW_DAYS) -> tuple[ibis.Table, list[str], ibis.Table]:
    """Every contract column of `table`, in contract order (then extras): provided ones as they are, the rest
    derived or null. Returns the table, notes on what was derived or is unavailable, and the table with the columns
    derived by a window left null (Dataset.without_window_columns)."""
    contract = TABLES[table]
    notes: list[str] = []
    cols: dict[str, ibis.Value] = {c: t[c] for c in provided if c in contract.column_names}
    derived_later: list[str] = []
    for col in contract.columns:
        if col.name in cols:
            continue
        if table == "interactions" and col.name in ("intent", "journey_stage"):
            cols[col.name] = ibis.literal("unknown")
            notes.append(f"{table}.{col.name}: not in the source, set to 'unknown'")
        elif table == "interactions" and col.name == "cost" and "channel" in cols:
            handle = cols.get("handle_seconds") if "handle_seconds" in provided else None
            cols["cost"] = rate_card_cost(cols["channel"], handle, rate_card)
            how = "fixed + per handled minute" if handle is not None else "fixed part only (no handle time)"
            notes.append(f"{table}.cost: derived from the {'given' if rate_card else 'default'} per-channel rate "
                         f"card ({how})")
        elif table == "interactions" and col.name == "resolved":
            derived_later.append("resolved")
            cols["resolved"] = ibis.null("boolean")
        else:
            cols[col.name] = ibis.null(col.dtype)
            if col.when_missing:
                notes.append(f"{table}.{col.name}: not in the source. {col.when_missing}")
    for extra in extras or []:
        cols[extra] = t[extra]
    out = t.select(**{c: cols[c].cast(contract.column(c).dtype) if c in contract.column_names else cols[c]
                      for c in [*contract.column_names, *(extras or [])]})
    unwindowed = out
    if "resolved" in derived_later:
        out = out.mutate(resolved=resolved_by_no_repeat(out, window_days))
        notes.append(f"{table}.resolved: derived as no repeat contact by the same customer for the same intent "
                     f"within {window_days} days (null for contacts in the last {window_days} days of the data)")
    return out, notes, unwindowed
