"""The enriched contact view: every contact with its neighbours, as Ibis expressions (no rows leave the engine).

Two window specifications do all the work (docs/diagnosis.md#episodes):
- per customer and intent, ordered by started_at then interaction_id: the previous and next contact about the same
  need (episode boundaries, repeat contacts within 7/14/30 days, channel switches);
- per customer, ordered the same way: the next contact whatever its intent (the directly-follows graph).
When the data has outcomes, one more window over contacts and failure outcomes finds failures (e.g. no-shows) that
follow a contact within the episode window.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxscale.contract import DEFAULT_RATE_CARD, DEFAULT_RATE_CARD_OTHER
from cxscale.journey.codes import encode
from cxscale.journey.options import DiagnosisOptions

DAY_SECONDS = 86_400

#: Contacts are ordered by their start (full timestamp precision), ties broken by interaction_id.
ORDER = ["started_at", "interaction_id"]

#: Placeholder for a missing intent, journey stage, channel or site, so that they still group and show.
UNKNOWN = "unknown"

_OPTIONAL = {
    "intent": "string",
    "journey_stage": "string",
    "site": "string",
    "handle_seconds": "float64",
    "wait_seconds": "float64",
    "transferred": "boolean",
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


def base_contacts(interactions: ir.Table) -> ir.Table:
    """Contract interactions narrowed to what diagnosis reads, with missing optional columns as nulls and the
    cost filled from the rate card where the data has none. Adds `ts` (started_at in epoch seconds).

    Values are used as they are: rows breaking the contract's rules (e.g. a negative duration) are kept out by
    loading with validate=True (docs/diagnosis.md#input), which the CLI does whenever a mapping reads a raw export.
    """
    t = interactions
    channel = t.channel.cast("string").fill_null(UNKNOWN)
    handle = _col(t, "handle_seconds")
    return t.select(
        customer_id=t.customer_id.cast("string"),
        interaction_id=t.interaction_id.cast("string"),
        started_at=t.started_at,
        ts=t.started_at.epoch_seconds().cast("int64"),
        channel=channel,
        intent=_col(t, "intent").fill_null(UNKNOWN),
        journey_stage=_col(t, "journey_stage").fill_null(UNKNOWN),
        site=_col(t, "site").fill_null(UNKNOWN),
        handle_seconds=handle,
        wait_seconds=_col(t, "wait_seconds"),
        transferred=_col(t, "transferred"),
        csat=_col(t, "csat"),
        cost=_col(t, "cost").fill_null(rate_card_cost(channel, handle)),
    )


def _with_next_failure(contacts: ir.Table, outcomes: ir.Table, failures: tuple[str, ...]) -> ir.Table:
    """Add `next_failure_ts`: epoch seconds of the customer's next failure outcome at or after each contact.

    Failure outcomes are appended to the contact stream (same columns, nulls elsewhere) so that one window over the
    customer finds them; no join back is needed."""
    fails = outcomes.filter(outcomes.outcome.cast("string").isin(list(failures)))
    schema = contacts.schema()
    fail_ts = fails.occurred_at.epoch_seconds().cast("int64")
    fail_rows = fails.select(
        **{name: ibis.null().cast(dtype) for name, dtype in schema.items()
           if name not in ("customer_id", "started_at", "ts")} | {
            "customer_id": fails.customer_id.cast("string"),
            "started_at": fails.occurred_at.cast(schema["started_at"]),
            "ts": fail_ts,
        },
        kind=ibis.literal(1),
        fail_ts=fail_ts,
    ).select(*schema.names, "kind", "fail_ts")
    contact_rows = contacts.mutate(kind=ibis.literal(0), fail_ts=ibis.null().cast("int64"))
    stream = contact_rows.union(fail_rows)
    # Outcomes sort after contacts at the same instant, so a simultaneous failure still "follows" the contact.
    following = ibis.window(group_by="customer_id", order_by=["started_at", "kind"], rows=(1, None))
    marked = stream.mutate(next_failure_ts=stream.fail_ts.min().over(following))
    return marked.filter(marked.kind == 0).drop("kind", "fail_ts")


def _next_contact(c: ir.Table) -> dict[str, ir.Value]:
    """The customer's next contact whatever its intent (one window per customer): next_intent, next_journey_stage,
    next_channel and next_ts (epoch seconds); null for a customer's last contact."""
    customer = ibis.window(group_by="customer_id", order_by=ORDER)
    return {"next_intent": c.intent.lead().over(customer), "next_journey_stage": c.journey_stage.lead().over(customer),
            "next_channel": c.channel.lead().over(customer), "next_ts": c.ts.lead().over(customer)}


def with_journey_steps(contacts: ir.Table) -> ir.Table:
    """Add the customer's next contact whatever its intent: next_intent, next_journey_stage, next_channel and
    next_gap (seconds between the two starts); null for a customer's last contact. One window per customer."""
    c = contacts.mutate(**_next_contact(contacts))
    return c.mutate(next_gap=c.next_ts - c.ts).drop("next_ts")


def journey_steps(interactions: ir.Table) -> ir.Table:
    """Contacts with the customer's next contact (the input of the directly-follows graphs)."""
    return with_journey_steps(base_contacts(interactions))


def enriched_contacts(interactions: ir.Table, options: DiagnosisOptions | None = None,
                      outcomes: ir.Table | None = None, journey: bool = True,
                      cells: ir.Table | None = None) -> ir.Table:
    """One row per contact with its episode and journey neighbours (an Ibis expression).

    Added columns (seconds are whole seconds):
      prev_same_gap / next_same_gap: seconds since the previous / until the next contact of the same customer about
        the same intent (null when none);
      prev_same_channel: channel of that previous same-intent contact;
      is_repeat: a previous same-intent contact lies within window_days (this contact belongs to an open episode);
      is_episode_start, is_episode_end: the contact opens / closes its episode (no same-intent repeat follows within
        window_days: the episode counts as resolved);
      repeat_<N>d for each repeat window: a same-intent contact follows within N days;
      channel_switch: a repeat in a different channel than the previous same-intent contact;
      failure_follows: a failure outcome of the customer follows within failure_window_days (null without outcomes);
      long_wait: the queue wait exceeded the channel's long-wait threshold (null when the wait is unknown);
      with journey=True also next_intent, next_journey_stage, next_channel, next_gap (see with_journey_steps).

    Both windows run first and every flag is derived after them, so the second sort carries only the raw neighbour
    values, not the flags. With `cells` (codes.cell_codes of base_contacts, materialised), intent, journey_stage and
    channel (and their next_* values) are integer codes, site is dropped and `cell` added: the sorts carry integers
    instead of strings (docs/diagnosis.md#passes).
    """
    options = options or DiagnosisOptions()
    c = base_contacts(interactions)
    threshold = ibis.cases((c.channel.isin(list(options.async_channels)), options.async_long_wait_seconds),
                           else_=options.long_wait_seconds)
    c = c.mutate(long_wait=c.wait_seconds > threshold)
    if cells is not None:
        c = encode(c, cells)
    has_failures = outcomes is not None and "outcome" in outcomes.columns
    if has_failures:
        c = _with_next_failure(c, outcomes, options.failure_outcomes)
    same_need = ibis.window(group_by=["customer_id", "intent"], order_by=ORDER)
    c = c.mutate(
        prev_same_ts=c.ts.lag().over(same_need),
        prev_same_channel=c.channel.lag().over(same_need),
        next_same_ts=c.ts.lead().over(same_need),
    )
    if journey:
        c = c.mutate(**_next_contact(c))
    window = options.window_days * DAY_SECONDS
    prev_gap = c.ts - c.prev_same_ts
    next_gap = c.next_same_ts - c.ts
    is_repeat = prev_gap.notnull() & (prev_gap <= window)
    c = c.mutate(
        prev_same_gap=prev_gap,
        next_same_gap=next_gap,
        is_repeat=is_repeat,
        is_episode_start=~is_repeat,
        is_episode_end=next_gap.isnull() | (next_gap > window),
        channel_switch=is_repeat & (c.prev_same_channel != c.channel),
        failure_follows=(
            (c.next_failure_ts.notnull() & (c.next_failure_ts - c.ts <= options.failure_window_days * DAY_SECONDS))
            if has_failures
            else ibis.null().cast("boolean")
        ),
        **{f"repeat_{d}d": next_gap.notnull() & (next_gap <= d * DAY_SECONDS) for d in options.repeat_windows_days},
        **({"next_gap": c.next_ts - c.ts} if journey else {}),
    )
    return c.drop("prev_same_ts", "next_same_ts", *(["next_failure_ts"] if has_failures else []),
                  *(["next_ts"] if journey else []))


def episodes(interactions: ir.Table, window_days: int | None = None) -> ir.Table:
    """Contacts with their episode: `episode_no` (1, 2, ... per customer and intent), `episode_id`
    ("customer|intent|episode_no"), `is_repeat` and `is_episode_end` (the episode counts as resolved at that contact).

    Diagnosis itself never needs the explicit id (every signal is a sum over contacts); this view is for inspection
    and tests, and costs one more window pass.
    """
    options = DiagnosisOptions(window_days=window_days or DiagnosisOptions().window_days)
    c = enriched_contacts(interactions, options)
    running = ibis.window(group_by=["customer_id", "intent"], order_by=ORDER, rows=(None, 0))
    c = c.mutate(episode_no=c.is_episode_start.cast("int64").sum().over(running))
    return c.mutate(episode_id=c.customer_id.concat("|", c.intent, "|", c.episode_no.cast("string")))
