"""The diagnosis's queries over integer cell codes: the same sums and flows as the enriched view, in as few sorts as
possible (docs/diagnosis.md#passes).

Contacts are ordered by start, ties broken by interaction_id (contacts.ORDER). The tie-break only matters for a
customer with two contacts at the very same instant, yet reading and sorting the text of interaction_id costs about
a third of a diagnosis. So `sequence` sorts every customer by start alone (contacts.BY_START), which also tells
which customers have simultaneous contacts (`next_tied`); only those customers' contacts (usually a few; many in an
event log with coarse timestamps) are cached and sequenced again with the tie-break, and summed with it when a
simultaneous pair shares its intent. Customers without ties have one order either way, so the results are those of
ORDER exactly (tests/journey/test_codes.py).

    codes      one grouped scan -> the cell code of every intent x stage x channel x site (codes.cell_codes)
    sequence   customer window by start -> steps (cell, next cell, gap), cached; tied customers re-sequenced
    sums       customer x intent window -> plain and episode sums per cell; failure sums with outcomes
    graphs     grouped scans of the cached steps (flows.graphs_of_steps)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import ibis
import ibis.expr.types as ir
import pandas as pd

from cxscale.journey.codes import CellCodes, decode_cells
from cxscale.journey.contacts import (
    BY_START,
    ORDER,
    contact_view,
    with_failures,
    with_journey_steps,
    with_same_need,
)
from cxscale.journey.friction import GRAIN, episode_metrics, failure_metrics, plain_metrics
from cxscale.journey.options import DiagnosisOptions

#: What the steps keep: each contact's cell, the cell of the customer's next contact and the seconds between them.
STEP_COLUMNS = ("cell", "next_cell", "next_gap")

#: What the customer x intent window carries: its keys and every column the plain and episode sums read.
SUM_COLUMNS = ("customer_key", "started_at", "cell", "handle_seconds", "wait_seconds", "long_wait", "transferred",
               "csat", "cost")


@dataclass
class Tied:
    """Customers (cached customer_key) whose contacts must be ordered with the interaction_id tie-break."""

    table: ir.Table
    n: int

    @cached_property
    def keys(self) -> ir.Column | list:
        """What `isin` takes: the keys as literals when there are few (LISTED_TIED, read out once), else the cached
        column."""
        if self.n <= LISTED_TIED:
            dtype = self.table.customer_key.type()  # uint64 on DuckDB: a Python int above 2**63 would not type-check
            return [ibis.literal(k, type=dtype) for k in self.table.customer_key.to_pyarrow().to_pylist()]
        return self.table.customer_key


@dataclass
class Sequenced:
    """The contacts put in order.

    steps: STEP_COLUMNS of every contact that has a next one, over cached tables (read once per flow graph).
    need_tied: the customers whose same-need order depends on the tie-break (two contacts about one intent at the
      same instant; None when there are none), and need_contacts their contacts (SUM_COLUMNS and interaction_id,
      cached): the sums sort these with the tie-break and everyone else by start alone.
    Release when done."""

    steps: ir.Table
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


def sequence(interactions: ir.Table, options: DiagnosisOptions, codes: CellCodes) -> Sequenced:
    """Sequence each customer's contacts by start alone (one window), cache the steps, and redo the customers with
    simultaneous contacts with the interaction_id tie-break (their contacts read once more, cached)."""
    c = contact_view(interactions, options, codes)
    s = with_journey_steps(c.select("customer_key", "started_at", "cell"), codes, order=BY_START)
    # next_cell is null exactly when there is no next contact (every contact has a cell): a cheaper test than the gap.
    first = s.filter(s.next_cell.notnull()).select("customer_key", *STEP_COLUMNS, "next_tied").cache()
    out = Sequenced(first, cached=[first])
    try:
        pairs = first.filter(first.next_tied)
        # Per tied customer: simultaneous pairs, and whether one pair shares its intent. One pair about different
        # intents cannot change the episodes; more pairs may (a group of three can hide two of one intent).
        stats = pairs.group_by("customer_key").aggregate(
            pairs=pairs.count(), same_need=(codes.code(pairs.cell, "intent")
                                            == codes.code(pairs.next_cell, "intent")).any()).cache()
        out.cached.append(stats)
        tied = Tied(stats, int(stats.count().to_pyarrow().as_py()))
        out.n_tied = tied.n
        if not tied.n:
            return out
        need = stats.filter((stats.pairs > 1) | stats.same_need).select("customer_key").cache()
        out.cached.append(need)
        need_tied = Tied(need, int(need.count().to_pyarrow().as_py()))
        columns = (*SUM_COLUMNS, "interaction_id") if need_tied.n else ("customer_key", *ORDER, "cell")
        keys = tied.keys
        tied_contacts = c.filter(c.customer_key.isin(keys)).select(*columns).cache()
        out.cached.append(tied_contacts)
        exact = with_journey_steps(tied_contacts.select("customer_key", *ORDER, "cell"), codes)
        exact = exact.filter(exact.next_cell.notnull()).select(*STEP_COLUMNS).cache()
        out.cached.append(exact)
        rest = first.filter(~first.customer_key.isin(keys)).select(*STEP_COLUMNS)
        out.steps = rest.union(_like(exact, rest))
        if need_tied.n:
            out.need_tied = need_tied
            out.need_contacts = tied_contacts.filter(tied_contacts.customer_key.isin(need_tied.keys))
    except BaseException:
        out.release()
        raise
    return out


def _like(t: ir.Table, other: ir.Table) -> ir.Table:
    """`t` with the columns and types of `other` (a cached table may store a timestamp at another precision)."""
    return t.select(**{name: t[name].cast(dtype) for name, dtype in other.schema().items()})


def diagnosis_sums(interactions: ir.Table, options: DiagnosisOptions, codes: CellCodes,
                   outcomes: ir.Table | None = None, sequenced: Sequenced | None = None) -> pd.DataFrame:
    """The same sums as friction.friction_sums(enriched_contacts(...)), per cell with the names put back: the plain
    and episode sums from one customer x intent window that carries SUM_COLUMNS only (by start alone, but
    `sequenced.need_contacts` with the tie-break), and with outcomes the failure sums
    from one more window. Without `sequenced`, every customer is sorted with the tie-break."""
    c = contact_view(interactions, options, codes)
    if sequenced is None:
        need = with_same_need(c.select(*SUM_COLUMNS, "interaction_id"), options, codes)
    elif sequenced.need_tied is None:
        need = with_same_need(c.select(*SUM_COLUMNS), options, codes, order=BY_START)
    else:
        untied = c.filter(~c.customer_key.isin(sequenced.need_tied.keys)).select(*SUM_COLUMNS)
        need = with_same_need(untied, options, codes, order=BY_START)
        assert sequenced.need_contacts is not None
        exact = with_same_need(sequenced.need_contacts, options, codes)
        need = need.union(_like(exact, need))
    parts = [need.group_by("cell").aggregate(**plain_metrics(need, options), **episode_metrics(need, options))]
    if outcomes is not None and "outcome" in outcomes.columns:
        f = with_failures(c.select("customer_key", "started_at", "ts", "cell"), outcomes, options)
        parts.append(f.group_by("cell").aggregate(**failure_metrics(f)))
    sums = decode_cells(parts[0], codes).to_pandas()
    for part in parts[1:]:
        sums = sums.merge(decode_cells(part, codes).to_pandas(), on=GRAIN, how="outer", validate="one_to_one")
    for name in ("failures_following", "failure_known"):
        if name not in sums.columns:
            sums[name] = 0
    return sums
