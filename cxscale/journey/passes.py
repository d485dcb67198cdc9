"""The diagnosis's queries over integer cell codes: the same sums and flows as the enriched view, in as few sorts as
possible (docs/diagnosis.md#passes).

Contacts are ordered by start, ties broken by interaction_id (contacts.ORDER). The tie-break only matters for a
customer with two contacts at the very same instant, yet reading and sorting the text of interaction_id costs about
a third of a diagnosis. So `sequence` sorts every customer by the start's whole seconds alone (contacts.BY_START),
which also tells which customers may have simultaneous contacts (`next_tied`: two contacts within one second); only
those customers' contacts within such seconds (usually a few; many in an event log with coarse timestamps) are read
again, the customers sequenced with the tie-break (replacing their rows of the cached sequence in place on DuckDB),
and summed with it when such a pair shares its intent. Customers without two contacts in one second have one order
either way, so the results are those of ORDER exactly (tests/journey/test_codes.py). The cached sequence keeps the
start in whole seconds (`ts`, what every gap is counted in), not the timestamp.

The customer x intent window only matters for contacts that share their intent with another contact of the same
customer. A contact alone with its intent opens and closes its own episode, and its episode sums follow from its
plain sums (friction.LONELY_EPISODE_SUMS). So the customer window marks the contacts that may share their intent
(`may_share_need`), the customer x intent window sorts only those, and the others are added per cell from the plain
sums, never read again.

    codes      one grouped scan -> the cell code of every intent x stage x channel x site, with its plain sums
               (code_cells)
    sequence   customer window by start -> every contact with its next one (cell, gap) and whether it may share its
               intent, cached; tied customers re-sequenced
    sums       customer x intent window over the contacts that may share their intent -> episode sums per cell,
               the other contacts' added from the plain sums; failure sums with outcomes
    graphs     grouped scans of the cached steps (flows.graphs_of_steps)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.engine import dialect_of, instant
from cxscale.journey.codes import DIMENSIONS, CellCodes, cell_codes
from cxscale.journey.contacts import (
    BY_START,
    ORDER,
    TIED_ORDER,
    contact_view,
    with_failures,
    with_journey_steps,
    with_same_need,
)
from cxscale.journey.friction import (
    LONELY_EPISODE_SUMS,
    Span,
    episode_metrics,
    failure_metrics,
    observed,
    plain_metrics,
    with_long_waits,
)

#: What the steps keep: each contact's cell, the cell of the customer's next contact and the seconds between them.
STEP_COLUMNS = ("cell", "next_cell", "next_gap")

#: What the customer x intent window carries besides its keys (customer_key, ts, cell): what the episode
#: sums read.
PAYLOAD = ("handle_seconds", "transferred", "cost")

#: What the customer window sequences and the customer x intent window reads: the keys (the start in whole seconds)
#: and PAYLOAD.
SEQUENCED = ("customer_key", "ts", "cell", *PAYLOAD)


def code_cells(interactions: ir.Table, options: DiagnosisOptions, since_ts: int | None = None,
               span: Span | None = None) -> CellCodes:
    """The cell codes (codes.cell_codes) with the plain sums per cell (friction.plain_metrics), from one grouped
    scan. Release them when done. since_ts: the contacts before it (epoch seconds) are context, read to code and
    sequence them but not summed (a cell seen only there has 0 contacts). span: the data's span (friction.Span)."""
    return cell_codes(contact_view(interactions),
                      lambda c: plain_metrics(c, options, where=_from(c, since_ts), span=span))


def _from(t: ir.Table, since_ts: int | None) -> ir.BooleanValue | None:
    """The contacts of the contact view `t` that count when the contacts before since_ts are context only (its `ts`
    at least since_ts, read from started_at: engine.instant); None: all of them."""
    return None if since_ts is None else t.started_at >= instant(t.started_at, since_ts)


def _counted(t: ir.Table, since_ts: int | None) -> ir.Table:
    return t if since_ts is None else t.filter(t.ts >= since_ts)


@dataclass
class Tied:
    """Customers whose contacts must be ordered with the interaction_id tie-break: `n` of them, named in `listed`
    (when few) or in the cached `table` (customer_key)."""

    n: int
    table: ir.Table | None = None
    listed: list | None = None
    #: The type of customer_key (uint64 on DuckDB: a Python int above 2**63 would not type-check as a plain literal).
    dtype: Any = None

    @cached_property
    def keys(self) -> ir.Column | list:
        """What `isin` takes: the keys as literals when there are few (LISTED_TIED; read out once from the table),
        else the cached column."""
        if self.listed is None and self.table is not None and self.n <= LISTED_TIED:
            self.listed, self.dtype = self.table.customer_key.to_pyarrow().to_pylist(), self.table.customer_key.type()
        if self.listed is not None:
            return [ibis.literal(k, type=self.dtype) for k in self.listed]
        assert self.table is not None
        return self.table.customer_key


@dataclass
class Sequenced:
    """The contacts put in order, over cached tables. Release when done.

    steps: STEP_COLUMNS of every contact that has a next one (read once per flow graph).
    sharing: the contacts that may share their intent with another contact of the same customer (SEQUENCED), except
      need_tied's: the sums sort them by start alone, in whole seconds (None when sequenced for the flows alone).
    need_tied: the customers whose same-need order may depend on the tie-break (two contacts about one intent
      within one second, or more than one pair; None when there are none), and need_contacts all their contacts
      (the same columns, started_at and interaction_id, which are null for a contact alone in its second): the
      sums sort these with the tie-break (contacts.TIED_ORDER)."""

    steps: ir.Table
    sharing: ir.Table | None = None
    need_tied: Tied | None = None
    need_contacts: ir.Table | None = None
    #: Customers with simultaneous contacts (their steps come from the tie-break order).
    n_tied: int = 0
    cached: list[ir.Table] = field(default_factory=list)

    def release(self) -> None:
        for t in self.cached:
            t.release()


#: Up to this many customers with simultaneous contacts are named in the query itself (an IN list); more are joined
#: from their cached table.
LISTED_TIED = 5_000


def sequence(interactions: ir.Table, options: DiagnosisOptions, codes: CellCodes, episodes: bool = True,
             since_ts: int | None = None) -> Sequenced:
    """Sequence each customer's contacts by start alone (one window, which also marks the contacts that may share
    their intent), cache every contact with its next one, and redo the customers with simultaneous contacts with
    the interaction_id tie-break (their contacts read once more, cached). episodes=False: for the flows alone (the
    window carries the keys only, and `sharing` is None). since_ts: the steps keep only the contacts from it on (the
    earlier ones are context: they order and mark the others, and `sharing` still holds them)."""
    c = contact_view(interactions, codes)
    columns = SEQUENCED if episodes else ("customer_key", "ts", "cell")
    s = with_journey_steps(c.select(*columns), codes, order=BY_START, same_need=episodes)
    first = s.select(*columns, "next_cell", "next_gap", "next_tied", *(["may_share_need"] if episodes else []))
    # Every contact, the last ones too, even for the flows alone: a tied customer's contacts outside its tied
    # seconds are taken from here (_tied_contacts).
    first = first.cache()
    # next_cell is null exactly when there is no next contact (every contact has a cell): a cheaper test than the gap.
    steps = first.filter(first.next_cell.notnull())
    out = Sequenced(_counted(steps, since_ts).select(*STEP_COLUMNS), cached=[first])
    if episodes:
        out.sharing = sharing = first.filter(first.may_share_need).select(*SEQUENCED)
    try:
        pairs = steps.filter(steps.next_tied)
        # Per tied customer: simultaneous pairs, and whether one pair shares its intent. One pair about different
        # intents cannot change the episodes; more pairs may (a group of three can hide two of one intent).
        same = codes.code(pairs.cell, "intent") == codes.code(pairs.next_cell, "intent")
        listing = pairs.select("customer_key", "ts", same=same).limit(LISTED_TIED + 1).to_pyarrow()
        if not listing.num_rows:
            return out
        seconds = None
        if listing.num_rows <= LISTED_TIED:  # few pairs: sorted out here, without a query each
            rows = listing.to_pylist()
            per: dict[Any, list] = {}
            for r in rows:
                p = per.setdefault(r["customer_key"], [0, False])
                p[0], p[1] = p[0] + 1, p[1] or bool(r["same"])
            dtype = first.customer_key.type()
            tied = Tied(len(per), listed=list(per), dtype=dtype)
            need_keys = [k for k, (n, same_need) in per.items() if n > 1 or same_need]
            need_tied = Tied(len(need_keys), listed=need_keys, dtype=dtype)
            seconds = _seconds(rows)
        else:
            stats = pairs.group_by("customer_key").aggregate(pairs=pairs.count(), same_need=same.any()).cache()
            out.cached.append(stats)
            tied = Tied(int(stats.count().to_pyarrow().as_py()), table=stats)
            need = stats.filter((stats.pairs > 1) | stats.same_need).select("customer_key").cache()
            out.cached.append(need)
            need_tied = Tied(int(need.count().to_pyarrow().as_py()), table=need)
        out.n_tied = tied.n
        # Where the engine can (Dialect.replaces_rows), a few tied customers' rows of the cached sequence are
        # replaced in place (they need every column the sequence has); elsewhere their steps are replaced in a copy
        # of the steps.
        in_place = dialect_of(first).replaces_rows and tied.listed is not None
        if in_place or (need_tied.n and episodes):
            read = (*columns, *ORDER)
        else:
            read = ("customer_key", *TIED_ORDER, "cell")
        if seconds is None:
            seconds = _seconds(pairs.select("ts").distinct().limit(REREAD_SECONDS + 1).to_pyarrow().to_pylist())
        tied_contacts = _tied_contacts(c, first, tied, seconds, read)
        out.cached.append(tied_contacts)
        if in_place:
            _resequence_in_place(first, tied_contacts.select(*columns, *ORDER), tied, codes, episodes)
        else:
            exact = with_journey_steps(tied_contacts.select("customer_key", *TIED_ORDER, "cell"), codes,
                                       order=TIED_ORDER)
            exact = _counted(exact.filter(exact.next_cell.notnull()), since_ts).select(*STEP_COLUMNS).cache()
            out.cached.append(exact)
            rest = _counted(steps.filter(~steps.customer_key.isin(tied.keys)), since_ts).select(*STEP_COLUMNS)
            # Materialised: the graphs read the steps once each, and a union read three times streams slower.
            out.steps = rest.union(_like(exact, rest)).cache()
            out.cached.append(out.steps)
        if need_tied.n and episodes:
            out.need_tied = need_tied
            out.need_contacts = tied_contacts.filter(tied_contacts.customer_key.isin(need_tied.keys))
            out.sharing = sharing.filter(~sharing.customer_key.isin(need_tied.keys))
    except BaseException:
        out.release()
        raise
    return out


def _resequence_in_place(first: ir.Table, contacts: ir.Table, tied: Tied, codes: CellCodes, episodes: bool) -> None:
    """Replace the tied customers' rows of the cached first sequence with their contacts sequenced with the
    tie-break (Dialect.replace_rows): every column recomputed, as `sequence` computes them (the marks do not depend
    on the order). Cheaper than copying every other step."""
    redo = with_journey_steps(contacts, codes, order=TIED_ORDER, same_need=episodes).select(*first.columns)
    assert tied.listed is not None
    dialect_of(first).replace_rows(first, "customer_key", tied.listed, _like(redo, first))


#: Up to this many seconds with simultaneous contacts, the tied customers' contacts within those seconds are read
#: again with one range filter per second, and their other contacts come from the cache (_tied_contacts). Each
#: range costs about 0.03 s at 10M in DuckDB, a full read of the customers' contacts about 0.85 s.
REREAD_SECONDS = 16


def _tied_contacts(c: ir.Table, first: ir.Table, tied: Tied, seconds: list[int], read: tuple[str, ...]) -> ir.Table:
    """Every contact of the tied customers with the columns `read` (started_at and interaction_id among them),
    cached.

    Only contacts that start within the same second as another contact of their customer need started_at and
    interaction_id to be ordered. With at most REREAD_SECONDS such seconds, the contacts within those seconds are
    read again in one scan under an OR of one range on started_at per second, which an engine evaluates inside the
    scan (DuckDB reads the other columns of the few rows found; an IN list or a filter on the customer's hash
    decodes every row), and the tied
    customers' other contacts come from the cached first sequence, with started_at and interaction_id null: none of
    them shares its second with another contact of its customer, so `ts` orders them (contacts.TIED_ORDER). If a
    second is not found again with two contacts or more (e.g. a time zone that shifts the range off the data) or
    with fewer or more than the cache holds there, or with more seconds, every contact of the tied customers is read
    again, filtered on their key."""
    if len(seconds) <= REREAD_SECONDS:
        def at(second: int) -> ir.Value:
            return instant(c.started_at, second)

        # One scan under an OR of the ranges on started_at alone, which DuckDB evaluates inside the scan (12
        # seconds at 10M: 0.39 s, against 0.85 s for the customers' keys and about 2 s for a union of one scan per
        # second). The test of `ts` keeps the result exact whatever the engine makes of the literals' time zone.
        in_range = ibis.or_(*[(c.started_at >= at(s)) & (c.started_at < at(s + 1)) for s in seconds])
        again = c.filter(in_range & c.ts.isin(seconds)).select(*read).cache()
        try:
            again_theirs = again.filter(again.customer_key.isin(tied.keys))
            theirs = first.filter(first.customer_key.isin(tied.keys))
            # The cached sequence holds every contact of theirs: within the tied seconds it must hold as many as were
            # read again, two or more per second, so that the two parts add up (nothing lost or doubled).
            held = theirs.filter(theirs.ts.isin(seconds))
            counts = {(r["again"], r["ts"]): r["n"] for r in ibis.union(
                again_theirs.group_by("ts").aggregate(n=again_theirs.count()).mutate(again=True),
                held.group_by("ts").aggregate(n=held.count()).mutate(again=False)).to_pyarrow().to_pylist()}
            if all(counts.get((True, s), 0) >= 2 and counts.get((True, s)) == counts.get((False, s)) for s in seconds):
                cached = theirs.filter(~theirs.ts.isin(seconds))
                cached = cached.select(**{n: cached[n] if n in cached.columns else ibis.null().cast(c[n].type())
                                          for n in read})
                return again_theirs.union(_like(cached, again_theirs), distinct=False).cache()
        finally:
            again.release()
    return c.filter(c.customer_key.isin(tied.keys)).select(*read).cache()


def _seconds(pairs: list[dict]) -> list[int]:
    """The distinct seconds (`ts`) of simultaneous pairs, in order."""
    return sorted({int(r["ts"]) for r in pairs})


def _like(t: ir.Table, other: ir.Table) -> ir.Table:
    """`t` with the columns and types of `other` (a cached table may store a timestamp at another precision)."""
    return t.select(**{name: t[name].cast(dtype) for name, dtype in other.schema().items()})


def diagnosis_sums(interactions: ir.Table, options: DiagnosisOptions, codes: CellCodes,
                   outcomes: ir.Table | None = None, sequenced: Sequenced | None = None,
                   since_ts: int | None = None, span: Span | None = None) -> pd.DataFrame:
    """The sums of the reference over the names (tests/journey/oracle), per cell with the names put back: the plain
    sums from `codes` (code_cells), the episode sums from one customer x intent window over `sequenced.sharing` (by
    start alone) and `sequenced.need_contacts` (with the tie-break), and with outcomes the failure sums from one more
    window. Every other contact shares its intent with no other contact of its customer: its episode sums follow
    from the plain sums (friction.LONELY_EPISODE_SUMS), so they are added per cell without reading those contacts.
    Without `sequenced`, every contact goes through the window with the tie-break. since_ts: as in code_cells, the
    contacts before it only inform the others' episodes, and cells seen only there are left out. span: the data's
    span, the same as code_cells'."""
    if "cost_transferred" not in codes.table.columns:
        raise ValueError("diagnosis_sums needs the codes of code_cells, which carry the plain sums")
    c = contact_view(interactions, codes)
    if sequenced is None:
        episodes = _episode_columns(_counted(with_same_need(c.select(*SEQUENCED, *ORDER), options, codes), since_ts),
                                    options)
    else:
        if sequenced.sharing is None:
            raise ValueError("diagnosis_sums needs the contacts sequenced with episodes=True")
        inputs = [with_same_need(sequenced.sharing, options, codes, order=BY_START)]
        if sequenced.need_contacts is not None:
            inputs.append(with_same_need(sequenced.need_contacts, options, codes, order=TIED_ORDER))
        first, *rest = [_episode_columns(_counted(t, since_ts), options) for t in inputs]
        episodes = ibis.union(first, *[_like(t, first) for t in rest])
    # What the windowed contacts take of the plain sums behind LONELY_EPISODE_SUMS: the rest of each is the lonely
    # contacts'.
    seen = observed(episodes.ts, span, options.window_days)
    windowed = {"contacts": episodes.count(), "handle_seconds": episodes.handle_seconds.fill_null(0.0).sum(),
                "cost_transferred": ibis.cases((episodes.transferred.fill_null(False), episodes.cost), else_=0).sum(),
                "observed_window": episodes.count(where=seen),
                "observed_handle_seconds": episodes.handle_seconds.fill_null(0.0).sum(where=seen)}
    sums_per_cell = [episodes.group_by("cell").aggregate(
        **episode_metrics(episodes, options, span), **{f"windowed_{k}": v for k, v in windowed.items()})]
    if outcomes is not None and "outcome" in outcomes.columns:
        f = _counted(with_failures(c.select("customer_key", "started_at", "ts", "cell"), outcomes, options), since_ts)
        sums_per_cell.append(f.group_by("cell").aggregate(**failure_metrics(f)))
    sums = with_long_waits(codes.frame.drop(columns=[f"{d}_code" for d in DIMENSIONS] + ["key_"], errors="ignore"),
                           options)
    if since_ts is not None:
        sums = sums[sums["contacts"] > 0].reset_index(drop=True)  # cells seen only in the context before the period
    for part in sums_per_cell:
        sums = sums.merge(part.to_pandas(), on="cell", how="left", validate="one_to_one")
    episode_sums = list(episode_metrics(episodes, options))
    sums[episode_sums] = sums[episode_sums].fillna(0)  # a cell none of whose contacts was windowed
    lonely = sums["contacts"] - sums["windowed_contacts"].fillna(0)
    for name, plain in LONELY_EPISODE_SUMS.items():
        rest = sums[plain].fillna(0) - sums[f"windowed_{plain}"].fillna(0)
        sums[name] += np.where(lonely > 0, rest, 0)  # exactly 0 when no contact is lonely (no rounding residue)
    for name in ("failures_following", "failure_known"):
        sums[name] = sums[name].fillna(0).astype("int64") if name in sums.columns else 0
    return sums.drop(columns=["cell", *[f"windowed_{k}" for k in windowed]])


def _episode_columns(t: ir.Table, options: DiagnosisOptions) -> ir.Table:
    """The cell, `ts`, PAYLOAD and with_same_need's columns (what friction.episode_metrics reads)."""
    flags = ["prev_same_gap", "next_same_gap", "is_repeat", "is_episode_start", "is_episode_end", "channel_switch",
             *[f"repeat_{d}d" for d in options.repeat_windows_days]]
    return t.select("cell", "ts", *PAYLOAD, *flags)
