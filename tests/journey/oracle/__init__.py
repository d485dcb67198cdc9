"""The reference diagnosis: every window chained over the names in one Ibis expression per question, the test oracle
the production path (cxscale/journey/passes.py over integer cell codes) is checked against, as pm4py is for the
flows (docs/diagnosis.md#passes).

enriched_contacts is every contact with its episode and journey neighbours (contacts.contact_view, with_failures,
with_same_need, with_journey_steps in one expression); friction_sums groups it into the diagnosis's sums per cell;
directly_follows, top_flows and flow_graphs draw the directly-follows graphs from it or from journey_steps.
tests/journey/test_codes.py checks that production gives the same sums and flows on DuckDB and Spark.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cxscale.documents.diagnosis import DiagnosisOptions, FlowEdge
from cxscale.journey.codes import CellCodes, encode
from cxscale.journey.contacts import (
    ORDER,
    base_contacts,
    contact_view,
    with_failures,
    with_journey_steps,
    with_same_need,
)
from cxscale.journey.flows import FLOW_DIMENSIONS, flow_edges, graphs_of_steps
from cxscale.journey.friction import (
    GRAIN,
    Span,
    episode_metrics,
    failure_metrics,
    plain_metrics,
    with_long_waits,
)

#: What the customer window reads: its keys and the flow dimensions (or the cell that codes them).
STEP_KEYS = ("customer_key", "started_at", "interaction_id")


def journey_steps(interactions: ir.Table, codes: CellCodes | None = None) -> ir.Table:
    """The input of the directly-follows graphs: each contact's intent, stage and channel (with `codes`: its cell)
    with the customer's next contact (with_journey_steps) and nothing else, so that the window sorts narrow rows."""
    c = base_contacts(interactions)
    if codes is not None:
        return with_journey_steps(encode(c, codes).select(*STEP_KEYS, "cell"), codes)
    return with_journey_steps(c.select(*STEP_KEYS, "intent", "journey_stage", "channel"))


def enriched_contacts(interactions: ir.Table, options: DiagnosisOptions | None = None,
                      outcomes: ir.Table | None = None, journey: bool = True) -> ir.Table:
    """One row per contact with its episode and journey neighbours (an Ibis expression): contact_view, then
    with_failures (`failure_follows`), with_same_need (episode columns) and, with journey=True, with_journey_steps
    (next_intent, next_journey_stage, next_channel, next_gap). See those functions for each column.

    This chains every window in one expression over the names; diagnosis runs the same steps over integer codes as
    separate, narrower queries (passes.sequence, passes.diagnosis_sums), which give the same numbers faster
    (tests/journey/test_codes.py)."""
    options = options or DiagnosisOptions()
    c = with_same_need(with_failures(contact_view(interactions), outcomes, options), options)
    return with_journey_steps(c) if journey else c


def episodes(interactions: ir.Table, window_days: int | None = None) -> ir.Table:
    """Contacts with their episode: `episode_no` (1, 2, ... per customer and intent), `episode_id`
    ("customer|intent|episode_no"), `is_repeat` and `is_episode_end` (the episode counts as resolved at that contact).

    Diagnosis itself never needs the explicit id (every signal is a sum over contacts); this view costs one more
    window pass.
    """
    options = DiagnosisOptions(window_days=window_days or DiagnosisOptions().window_days)
    c = enriched_contacts(interactions, options)
    running = ibis.window(group_by=["customer_key", "intent"], order_by=list(ORDER), rows=(None, 0))
    c = c.mutate(episode_no=c.is_episode_start.cast("int64").sum().over(running))
    return c.mutate(episode_id=c.customer_id.concat("|", c.intent, "|", c.episode_no.cast("string")))


def friction_sums(enriched: ir.Table, options: DiagnosisOptions, span: Span | None = None) -> ir.Table:
    """The grouped aggregation of the enriched view (enriched_contacts): additive sums per intent x stage x
    channel x site, as an Ibis expression. Units: *_seconds sums in seconds, cost sums in the data's currency,
    ts_min/ts_max in epoch seconds. span: the data's span (plain_metrics). passes.diagnosis_sums computes the same
    sums in narrower queries over integer codes."""
    c = enriched
    sums = c.group_by(GRAIN).aggregate(**plain_metrics(c, options, span=span),
                                       **episode_metrics(c, options, span),
                                       **failure_metrics(c))
    return with_long_waits(sums, options)


def directly_follows(enriched: ir.Table, dimension: str = "intent") -> ir.Table:
    """The DFG as an Ibis expression: columns source, target, count, median_seconds (one row per edge)."""
    if dimension not in FLOW_DIMENSIONS:
        raise ValueError(f"flows are drawn over {', '.join(FLOW_DIMENSIONS)}, not {dimension!r}")
    c = enriched
    nxt = c[FLOW_DIMENSIONS[dimension]]
    edges = c.filter(nxt.notnull()).select(source=c[dimension], target=nxt, gap=c.next_gap)
    return edges.group_by(["source", "target"]).aggregate(
        count=edges.count(), median_seconds=edges.gap.median()
    )


def top_flows(enriched: ir.Table, dimension: str = "intent", limit: int = 200) -> list[FlowEdge]:
    """The `limit` busiest edges of the DFG (pulled out of the engine), busiest first, loops marked."""
    dfg = directly_follows(enriched, dimension)
    rows = dfg.order_by([dfg["count"].desc(), dfg.source, dfg.target]).limit(limit).to_pyarrow().to_pylist()
    return flow_edges(rows)


def flow_graphs(steps: ir.Table, dimensions: tuple[str, ...] = tuple(FLOW_DIMENSIONS),
                limit: int = 200, codes: CellCodes | None = None) -> dict[str, list[FlowEdge]]:
    """The DFGs of several dimensions: {dimension: [FlowEdge, ...] busiest first, loops marked}.

    The steps that have a next contact are materialised once, narrowed to what the graphs read (so that the window
    behind `steps` runs once, not once per graph), then grouped by graphs_of_steps. `codes`: the steps carry cell
    codes (journey_steps with codes)."""
    if not dimensions:
        return {}
    if codes is None:
        columns = [*dict.fromkeys([*dimensions, *(FLOW_DIMENSIONS[d] for d in dimensions)])]
    else:
        columns = ["cell", "next_cell"]
    c = steps.filter(steps.next_gap.notnull()).select(*columns, "next_gap").cache()
    try:
        return graphs_of_steps(c, dimensions, limit, codes)
    finally:
        c.release()
