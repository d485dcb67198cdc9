"""Journey flows: the directly-follows graph (DFG) of intents, stages or channels per customer.

An edge a -> b counts the times a customer's contact about `a` is immediately followed by their next contact about
`b` (contacts ordered by started_at, ties broken by interaction_id), with the median time between the two starts.
On an event log mapped as customer = case and intent = activity, the counts equal pm4py's directly-follows
discovery (tests/journey/test_flows.py checks that on two real event logs). A loop is a self-edge (a -> a): the
customer comes back about the same need. `reverse` marks an edge whose reverse edge (b -> a) is also among the
edges returned (back-and-forth between two needs); in a busy journey most pairs have one, so it is not highlighted.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxscale.data.dataset import Dataset
from cxscale.documents.diagnosis import DiagnosisOptions, FlowEdge
from cxscale.journey.codes import DIMENSIONS, CellCodes, cell_codes
from cxscale.journey.contacts import base_contacts
from cxscale.journey.passes import sequence

#: Dimensions a flow graph can be drawn over, and the column of the next contact's value (contacts.with_journey_steps).
FLOW_DIMENSIONS = {"intent": "next_intent", "journey_stage": "next_journey_stage", "channel": "next_channel"}


def graphs_of_steps(steps: ir.Table, dimensions: tuple[str, ...] = tuple(FLOW_DIMENSIONS),
                    limit: int | None = 200, codes: CellCodes | None = None,
                    medians: bool = True) -> dict[str, list[FlowEdge]]:
    """The directly-follows graphs of `dimensions` over steps narrowed to contacts with a next one (ideally
    materialised: it is read once per dimension): one query groups each dimension, stacks the graphs and keeps the `limit` busiest edges per
    dimension in the engine. With `codes` the steps are (cell, next_cell, next_gap), each graph is grouped and
    ranked over codes, and its edges are named afterwards: a code is the rank of its name in the engine's order
    (codes.cell_codes), so edges of equal count rank by name either way. limit=None keeps every edge;
    medians=False counts only (median_seconds None), which saves most of each graph's time."""
    if not dimensions:
        return {}
    c = steps
    parts = []
    for dim in dimensions:
        if codes is None:
            source, target = c[dim], c[FLOW_DIMENSIONS[dim]]
        else:
            source, target = codes.code(c.cell, dim), codes.code(c.next_cell, dim)
        part = c.select(source=source, target=target, gap=c.next_gap)
        median = part.gap.median() if medians else ibis.null().cast("float64")
        part = part.group_by(["source", "target"]).aggregate(count=part.count(), median_seconds=median)
        parts.append(part.mutate(dimension=ibis.literal(dim)))
    dfg = ibis.union(*parts) if len(parts) > 1 else parts[0]
    busiest = ibis.window(group_by="dimension", order_by=[dfg["count"].desc(), dfg.source, dfg.target])
    dfg = dfg.mutate(rank=ibis.row_number().over(busiest))
    if limit is not None:
        dfg = dfg.filter(dfg["rank"] < limit)  # row_number() counts from 0 in Ibis
    rows = dfg.to_pyarrow().to_pylist()
    if codes is not None:
        names = codes.names
        for r in rows:
            r["source"], r["target"] = names[r["dimension"]][r["source"]], names[r["dimension"]][r["target"]]
    return {dim: flow_edges(sorted((r for r in rows if r["dimension"] == dim), key=lambda r: r["rank"]))
            for dim in dimensions}


def discover_flows(data: Dataset | ir.Table, dimension: str = "intent", medians: bool = True) -> list[FlowEdge]:
    """Every edge of one dimension's DFG (intent, journey_stage or channel), busiest first, from a Dataset or its
    interactions table: what the diagnosis computes for its graphs, for this dimension alone.

    The other dimensions are never read: the contacts are coded by this dimension only (codes.cell_codes), ordered
    per customer by start with the interaction_id tie-break where two contacts share a second (passes.sequence),
    and grouped in the engine. On an event log mapped as customer = case and intent = activity, medians=False is
    pm4py's discover_dfg (the same counts; tests/journey/test_flows.py); medians=True adds the median seconds
    between the two starts of each edge. A Dataset is read without its window-derived columns, so that the few
    contacts read again for the tie-break come from a filtered scan."""
    if dimension not in FLOW_DIMENSIONS:
        raise ValueError(f"flows are drawn over {', '.join(FLOW_DIMENSIONS)}, not {dimension!r}")
    t = data.without_window_columns("interactions") if isinstance(data, Dataset) else data
    t = t.mutate(**{d: ibis.null().cast("string") for d in DIMENSIONS if d != dimension})
    codes = cell_codes(base_contacts(t))
    try:
        if not codes.size:
            return []
        sequenced = sequence(t, DiagnosisOptions(), codes, episodes=False)
        try:
            return graphs_of_steps(sequenced.steps, (dimension,), None, codes, medians)[dimension]
        finally:
            sequenced.release()
    finally:
        codes.release()


def flow_edges(rows: list[dict]) -> list[FlowEdge]:
    """Edges read out of the engine (source, target, count, median_seconds), loops and reverse edges marked."""
    pairs = {(r["source"], r["target"]) for r in rows}
    return [
        FlowEdge(
            source=r["source"], target=r["target"], count=int(r["count"]),
            median_seconds=None if r["median_seconds"] is None else float(r["median_seconds"]),
            loop=r["source"] == r["target"],
            reverse=r["source"] != r["target"] and (r["target"], r["source"]) in pairs,
        )
        for r in rows
    ]
