"""The diagnosis as one self-contained HTML file (inline CSS and SVG, no scripts): KPIs, a Pareto chart of avoidable
cost by intent, a friction heatmap by intent x channel, the journey-flow diagram, the hotspot table and use-case
drafts. Rendered by the reports' shared templates (cxscale/templates/diagnosis.html on base.html)."""

from __future__ import annotations

from markupsafe import Markup

from cxscale.charts.flow import Edge, flow_chart
from cxscale.charts.heatmap import heatmap_chart
from cxscale.charts.pareto import pareto_chart
from cxscale.format import DASH, compact, percent
from cxscale.journey.diagnosis import Diagnosis
from cxscale.journey.opportunities import FRICTION_RATES, friction_index
from cxscale.journey.usecase import dump_draft
from cxscale.templates import render


def share(x: float | None, decimals: int = 1) -> str:
    """A share 0-1 in the page's tables and tiles, with fixed decimals so that a column lines up (12.3%)."""
    return percent(x, decimals=decimals, missing=DASH)


def pareto_svg(d: Diagnosis) -> str:
    """Avoidable cost per year by intent (currency)."""
    by_intent = d.by(["intent"])
    return pareto_chart(by_intent["intent"].tolist(), (by_intent["avoidable_cost"] * d.annualisation_factor).tolist(),
                        title="Avoidable cost per year by intent", value_label=f"{d.currency} per year")


def heatmap_svg(d: Diagnosis, max_rows: int = 15, max_columns: int = 8) -> str:
    """Friction index (share 0-1) by intent x channel; rows are the intents with the most avoidable cost."""
    cells = d.by(["intent", "channel"])
    index = friction_index(cells)
    cells["friction"] = index if index is not None else float("nan")
    intents = d.by(["intent"]).sort_values("avoidable_cost", ascending=False)["intent"].head(max_rows).tolist()
    channels = d.by(["channel"]).sort_values("volume", ascending=False)["channel"].head(max_columns).tolist()
    lookup = {(r.intent, r.channel): r for r in cells.itertuples(index=False)}
    values = [[(float(lookup[(i, c)].friction) if (i, c) in lookup else None) for c in channels] for i in intents]
    notes = [[(f"{int(lookup[(i, c)].volume):,} contacts" if (i, c) in lookup else "no contacts")
              for c in channels] for i in intents]
    return heatmap_chart(intents, channels, values, title="Friction by intent and channel",
                         legend="friction index", notes=notes, fmt=share, low=0.0)


def flow_svg(d: Diagnosis, max_edges: int = 30) -> str:
    """The directly-follows graph of intents as a two-column flow diagram."""
    edges = [Edge(f.source, f.target, f.count, f.median_seconds, f.loop) for f in d.flows]
    return flow_chart(edges, title="Journey flows: intent of a contact -> intent of the customer's next contact",
                      max_edges=max_edges, left_caption="intent of a contact",
                      right_caption="intent of the next contact")


def render_html(d: Diagnosis, top: int = 15) -> str:
    """The whole report as an HTML string."""
    o, k = d.overall, d.annualisation_factor
    cost, avoidable = (o.cost or 0.0), (o.avoidable_cost or 0.0)
    kpi = {
        "contacts": compact(o.volume),
        "cost": compact(cost * k),
        "avoidable": compact(avoidable * k),
        "avoidable_share": share(avoidable / cost if cost else None),
        "repeat": share(o.repeat_contact_rate_7d),
        "transfer": share(o.transfer_rate),
        "csat": DASH if o.csat_mean is None else f"{o.csat_mean:.2f}",
    }
    weights = ", ".join(f"{name.replace('_', ' ')} {w:g}" for name, w in d.options.score_weights.model_dump().items())
    rates = ", ".join(r.replace("_", " ") for r in FRICTION_RATES if getattr(o, r) is not None)
    return render(
        "diagnosis.html",
        source=d.source, period=d.period, engine=d.engine, currency=d.currency, factor=k, kpi=kpi,
        pareto=Markup(pareto_svg(d)), heatmap=Markup(heatmap_svg(d)), flow=Markup(flow_svg(d)),
        hotspots=d.hotspots[:top], use_cases=d.use_cases,
        breakdowns=[("Friction by journey stage", "journey_stage", d.signals.journey_stage[:top]),
                    ("Friction by site", "site", d.signals.site[:top])], notes=d.notes, weights=weights,
        friction_rates=rates, abandonment=o.abandonment_rate is not None,
        num=compact, share=share, yaml=dump_draft,
        short={"avoidable_cost": "cost", "friction": "friction", "csat_damage": "csat", "volume": "vol"},
    )
