"""The contact view and its windows: every contact with its neighbours, as Ibis expressions (no rows leave the
engine).

Built from composable steps, each one window over the contacts (docs/diagnosis.md#episodes):
- with_same_need: per customer and intent, ordered by started_at then interaction_id: the previous and next contact
  about the same need (episode boundaries, repeat contacts within 7/14/30 days, channel switches);
- with_journey_steps: per customer, ordered the same way: the next contact whatever its intent (the directly-follows
  graph);
- with_failures: when the data has outcomes, one window over contacts and failure outcomes finds failures (e.g.
  no-shows) that follow a contact within the failure window.
Windows are partitioned by `customer_key` (engine.customer_key: an integer hash of customer_id where the engine has
one), which sorts faster than the text. The diagnosis runs them as separate, narrow queries over integer cell codes
(passes.py, docs/diagnosis.md#passes); tests/journey/oracle chains all three over the names as its reference.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxscale.contract import DEFAULT_RATE_CARD, DEFAULT_RATE_CARD_OTHER
from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.engine import bit, bit_or_of_others, customer_key, epoch_seconds
from cxscale.journey.codes import CellCodes, encode

DAY_SECONDS = 86_400

#: Contacts are ordered by their start (full timestamp precision), ties broken by interaction_id.
ORDER = ("started_at", "interaction_id")

#: The order for customers no two of whose contacts start within one second: whole seconds alone (`ts`) then give
#: the same order, without reading interaction_id or sorting the full timestamps (passes.sequence;
#: docs/diagnosis.md#passes). With packed codes the customer window sorts by seconds then cell (with_journey_steps).
BY_START = ("ts",)

#: ORDER over contacts of which only those that share their second with another contact of the customer carry
#: started_at and interaction_id (the others are null there): the same order, since `ts` is started_at rounded
#: down (passes: the tied customers' contacts, partly read again).
TIED_ORDER = ("ts", *ORDER)

#: With codes that fit in 31 bits, a contact's cell and start (whole seconds) travel in one integer,
#: seconds * PACK + cell: one LEAD or LAG instead of two (each costs about a tenth of the customer window).
PACK = 2**31

#: Placeholder for a missing intent, journey stage, channel or site, so that they still group and show.
UNKNOWN = "unknown"

_OPTIONAL = {
    "intent": "string",
    "journey_stage": "string",
    "site": "string",
    "handle_seconds": "float64",
    "wait_seconds": "float64",
    "transferred": "boolean",
    "abandoned": "boolean",
    "csat": "float64",
    "cost": "float64",
}


def _col(t: ir.Table, name: str) -> ir.Value:
    if name in t.columns:
        return t[name].cast(_OPTIONAL[name]) if name in _OPTIONAL else t[name]
    return ibis.null().cast(_OPTIONAL[name])


def rate_card_cost(channel: ir.StringValue, handle_seconds: ir.FloatingValue) -> ir.FloatingValue:
    """Cost of one contact from the default per-channel rate card: fixed cost + cost per handled minute (currency)."""
    fixed = ibis.cases(*[(channel == c, f) for c, (f, _) in DEFAULT_RATE_CARD.items()],
                       else_=DEFAULT_RATE_CARD_OTHER[0])
    per_minute = ibis.cases(*[(channel == c, m) for c, (_, m) in DEFAULT_RATE_CARD.items()],
                            else_=DEFAULT_RATE_CARD_OTHER[1])
    return fixed + per_minute * handle_seconds.fill_null(0.0) / 60.0


def _epoch(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Whole epoch seconds of a timestamp (the unit of every gap in diagnosis)."""
    return epoch_seconds(ts)


def base_contacts(interactions: ir.Table) -> ir.Table:
    """Contract interactions narrowed to what diagnosis reads, with missing optional columns as nulls and the
    cost filled from the rate card where the data has none. Adds `ts` (started_at in epoch seconds) and
    `customer_key` (what the windows partition by, engine.customer_key).

    Values are used as they are: rows breaking the contract's rules (e.g. a negative duration) are kept out by
    loading with validate=True (docs/diagnosis.md#input), which the CLI does whenever a mapping reads a raw export.
    """
    t = interactions
    channel = t.channel.cast("string").fill_null(UNKNOWN)
    handle = _col(t, "handle_seconds")
    return t.select(
        customer_id=t.customer_id.cast("string"),
        customer_key=customer_key(t.customer_id),
        interaction_id=t.interaction_id.cast("string"),
        started_at=t.started_at,
        ts=_epoch(t.started_at),
        channel=channel,
        intent=_col(t, "intent").fill_null(UNKNOWN),
        journey_stage=_col(t, "journey_stage").fill_null(UNKNOWN),
        site=_col(t, "site").fill_null(UNKNOWN),
        handle_seconds=handle,
        wait_seconds=_col(t, "wait_seconds"),
        transferred=_col(t, "transferred"),
        abandoned=_col(t, "abandoned"),
        csat=_col(t, "csat"),
        cost=_col(t, "cost").fill_null(rate_card_cost(channel, handle)),
    )


def contact_view(interactions: ir.Table, codes: CellCodes | None = None) -> ir.Table:
    """base_contacts; with `codes` (codes.cell_codes) the four dimension names replaced by their `cell` code, so that
    the windows carry one integer instead of four strings. (Long waits are counted per channel after grouping:
    friction.with_long_waits.)"""
    c = base_contacts(interactions)
    return encode(c, codes) if codes is not None else c


def with_failures(contacts: ir.Table, outcomes: ir.Table | None, options: DiagnosisOptions) -> ir.Table:
    """Add `failure_follows`: a failure outcome of the customer follows the contact within failure_window_days (null
    for every contact when there is no outcomes table).

    Failure outcomes are appended to the contact stream (same columns, nulls elsewhere) so that one window over the
    customer finds the next one; no join back is needed. Outcomes sort after contacts at the same instant, so a
    simultaneous failure still follows the contact."""
    if outcomes is None or "outcome" not in outcomes.columns:
        return contacts.mutate(failure_follows=ibis.null().cast("boolean"))
    fails = outcomes.filter(outcomes.outcome.cast("string").isin(list(options.failure_outcomes)))
    schema = contacts.schema()
    fail_ts = _epoch(fails.occurred_at)
    fail_rows = fails.select(
        **{name: ibis.null().cast(dtype) for name, dtype in schema.items()
           if name not in ("customer_id", "customer_key", "started_at", "ts")} | {
            "started_at": fails.occurred_at.cast(schema["started_at"]),
            "ts": fail_ts,
        } | ({"customer_id": fails.customer_id.cast("string")} if "customer_id" in schema else {})
          | {"customer_key": customer_key(fails.customer_id)},
        kind=ibis.literal(1),
        fail_ts=fail_ts,
    ).select(*schema.names, "kind", "fail_ts")
    contact_rows = contacts.mutate(kind=ibis.literal(0), fail_ts=ibis.null().cast("int64"))
    stream = contact_rows.union(fail_rows)
    following = ibis.window(group_by="customer_key", order_by=["started_at", "kind"], rows=(1, None))
    marked = stream.mutate(next_failure_ts=stream.fail_ts.min().over(following))
    marked = marked.filter(marked.kind == 0)
    horizon = options.failure_window_days * DAY_SECONDS
    return marked.mutate(
        failure_follows=marked.next_failure_ts.notnull() & (marked.next_failure_ts - marked.ts <= horizon)
    ).drop("kind", "fail_ts", "next_failure_ts")


def with_same_need(contacts: ir.Table, options: DiagnosisOptions, codes: CellCodes | None = None,
                   order: tuple[str, ...] = ORDER) -> ir.Table:
    """Add the episode columns from one window per customer and intent (seconds are whole seconds):
      prev_same_gap / next_same_gap: seconds since the previous / until the next contact of the same customer about
        the same intent (null when none);
      prev_same_channel: channel of that previous same-intent contact (with `codes`: prev_same_cell, its cell);
      is_repeat: a previous same-intent contact lies within window_days (this contact belongs to an open episode);
      is_episode_start, is_episode_end: the contact opens / closes its episode (no same-intent repeat follows within
        window_days: the episode counts as resolved);
      repeat_<N>d for each repeat window: a same-intent contact follows within N days;
      channel_switch: a repeat in a different channel than the previous same-intent contact.
    With `codes`, `contacts` has `cell` instead of the names (contact_view with codes), and the intent and channel
    are read from it. The window runs first and every flag is derived after it, so the sort carries only the raw
    neighbour values. Reads `ts` (base_contacts) and the columns of `order`: BY_START only for contacts of which
    no two of one customer share a second (passes.sequence)."""
    c = contacts
    if codes is None:
        need, previous = c.intent, c.channel
    else:
        need, previous = codes.code(c.cell, "intent"), c.cell
    same_need = ibis.window(group_by=[c.customer_key, need], order_by=list(order))
    if codes is not None and codes.packable:  # the previous contact's second and cell in one LAG
        c = c.mutate(prev_step_=(c.ts * PACK + c.cell.cast("int64")).lag().over(same_need),
                     next_same_ts=c.ts.lead().over(same_need))
        c = c.mutate(prev_same_ts=c.prev_step_ >> 31,
                     prev_same_cell=(c.prev_step_ & (PACK - 1)).cast(c.cell.type())).drop("prev_step_")
    else:
        prev_name = "prev_same_channel" if codes is None else "prev_same_cell"
        c = c.mutate(**{"prev_same_ts": c.ts.lag().over(same_need), prev_name: previous.lag().over(same_need),
                        "next_same_ts": c.ts.lead().over(same_need)})
    if codes is None:
        other_channel = c.prev_same_channel != c.channel
    else:
        other_channel = codes.code(c.prev_same_cell, "channel") != codes.code(c.cell, "channel")
    window = options.window_days * DAY_SECONDS
    prev_gap = c.ts - c.prev_same_ts
    next_gap = c.next_same_ts - c.ts
    is_repeat = prev_gap.notnull() & (prev_gap <= window)
    return c.mutate(
        prev_same_gap=prev_gap,
        next_same_gap=next_gap,
        is_repeat=is_repeat,
        is_episode_start=~is_repeat,
        is_episode_end=next_gap.isnull() | (next_gap > window),
        channel_switch=is_repeat & other_channel,
        **{f"repeat_{d}d": next_gap.notnull() & (next_gap <= d * DAY_SECONDS) for d in options.repeat_windows_days},
    ).drop("prev_same_ts", "next_same_ts")


def with_journey_steps(contacts: ir.Table, codes: CellCodes | None = None, order: tuple[str, ...] = ORDER,
                       same_need: bool = False) -> ir.Table:
    """Add the customer's next contact whatever its intent: next_intent, next_journey_stage, next_channel (with
    `codes`: next_cell, its cell), next_gap (whole seconds between the two starts) and next_tied (the next contact
    starts within the same second, which tells the contacts whose order may need the tie-break: a superset of the
    simultaneous ones); null for a customer's last contact. One window per customer; `order` as in with_same_need
    (`ts` is added from started_at when the contacts lack it).

    same_need=True (with `codes`) also adds `may_share_need`: false only when no other contact of the customer is
    about the same intent, from the same window (bit sets of the intent codes before and after the contact, the codes
    taken modulo 63: true for every contact that shares its intent, and rarely for one whose intent only shares a bit).
    passes.sequence runs the customer x intent window over those contacts only."""
    c = contacts if "ts" in contacts.columns else contacts.mutate(ts=_epoch(contacts.started_at))
    packed = codes is not None and codes.packable
    if packed:
        # Two's complement keeps the cell in the low 31 bits and the seconds in the rest, before 1970 too.
        c = c.mutate(step_=c.ts * PACK + c.cell.cast("int64"))
    # By start alone, the packed step is the sort key itself (seconds, then the cell, which only orders contacts
    # within one second: passes.sequence redoes those customers with the tie-break).
    keys = ["step_"] if packed and order == BY_START else list(order)
    customer = ibis.window(group_by="customer_key", order_by=keys)
    if codes is None:
        nxt = {f"next_{d}": c[d].lead().over(customer) for d in ("intent", "journey_stage", "channel")}
    elif packed:
        nxt = {"next_step_": c.step_.lead().over(customer)}
    else:
        nxt = {"next_cell": c.cell.lead().over(customer)}
    if same_need:
        if codes is None:
            raise ValueError("same_need needs the cell codes")
        need = bit(codes.code(c.cell, "intent") % 63)
        nxt["may_share_need"] = (bit_or_of_others(need, "customer_key", keys) & need) != 0
    if packed:
        c = c.mutate(**nxt)
        ts, next_ts = c.step_ >> 31, c.next_step_ >> 31
        return c.mutate(next_cell=(c.next_step_ & (PACK - 1)).cast(c.cell.type()), ts=ts, next_gap=next_ts - ts,
                        next_tied=next_ts == ts).drop("step_", "next_step_")
    c = c.mutate(**nxt, next_ts=c.ts.lead().over(customer))
    return c.mutate(next_gap=c.next_ts - c.ts, next_tied=c.next_ts == c.ts).drop("next_ts")
