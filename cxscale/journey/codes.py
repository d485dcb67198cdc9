"""Integer codes for the journey dimensions, so that the two window sorts carry small integers instead of strings.

Diagnosis groups by intent x journey stage x channel x site and draws flows over intent, stage and channel. Those
four strings ride through both window sorts of the enriched view; replacing them by integer codes before the
windows and turning the codes back into names only on the small aggregates makes the sorts about a third cheaper
(docs/diagnosis.md#passes). The code tables are computed in the engine from the data (one grouped scan) and
must be materialised (cached) by the caller, because both the encoding and the decoding read them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: The journey dimensions, in the order of the finest grain of the friction sums.
DIMENSIONS = ("intent", "journey_stage", "channel", "site")

#: Dimensions the enriched view keeps as codes (for windows and flows); site lives in the cell code only.
CODED = ("intent", "journey_stage", "channel")


def cell_codes(contacts: ir.Table) -> ir.Table:
    """One row per distinct intent x journey stage x channel x site in `contacts`: the four names, `cell` (a code
    for the combination) and `<dimension>_code` for intent, journey_stage and channel (codes count from 0).

    Every code is a rank over the names, so the table is the same whenever it is computed; the dimensions must not
    be null (base_contacts fills them)."""
    cells = contacts.select(*DIMENSIONS).distinct()
    return cells.mutate(
        cell=ibis.dense_rank().over(order_by=[cells[d] for d in DIMENSIONS]).cast("int32"),
        **{f"{d}_code": ibis.dense_rank().over(order_by=cells[d]).cast("int32") for d in CODED},
    )


def encode(contacts: ir.Table, cells: ir.Table) -> ir.Table:
    """`contacts` with intent, journey_stage and channel replaced by their codes, site dropped and `cell` added."""
    j = contacts.join(cells, list(DIMENSIONS))
    rest = [n for n in contacts.columns if n not in DIMENSIONS]
    return j.select(*rest, cell=j.cell, **{d: j[f"{d}_code"] for d in CODED})


def decode_cells(sums: ir.Table, cells: ir.Table) -> ir.Table:
    """Aggregates grouped by `cell` with the cell's four dimension names in its place."""
    j = sums.join(cells.select("cell", *DIMENSIONS), "cell")
    return j.select(*DIMENSIONS, *[n for n in sums.columns if n != "cell"])


def labels(cells: ir.Table, dimension: str) -> ir.Table:
    """code -> name of one coded dimension: columns code, name."""
    return cells.select(code=cells[f"{dimension}_code"], name=cells[dimension]).distinct()
