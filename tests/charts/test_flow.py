"""Flow diagram: ribbons as wide as their counts, loops in the accent colour, readable node labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cxscale.charts import Edge, flow_chart
from cxscale.charts.svg import ACCENT

NS = "{http://www.w3.org/2000/svg}"


def _ribbons(svg: str) -> dict[str, ET.Element]:
    return {p.find(f"{NS}title").text.split(":")[0]: p for p in ET.fromstring(svg).iter(f"{NS}path")}


def test_ribbon_width_is_proportional_to_the_count():
    svg = flow_chart([Edge("a", "b", 30), Edge("b", "c", 10)], title="flows")
    r = _ribbons(svg)
    assert float(r["a -> b"].get("stroke-width")) == 3 * float(r["b -> c"].get("stroke-width"))


def test_loops_are_drawn_in_the_accent_colour():
    svg = flow_chart([Edge("a", "a", 5, 3600, loop=True), Edge("a", "b", 5)], title="flows")
    r = _ribbons(svg)
    assert r["a -> a"].get("stroke") == ACCENT and r["a -> b"].get("stroke") != ACCENT
    assert "median 1.0 h" in r["a -> a"].find(f"{NS}title").text


def test_only_the_largest_edges_are_drawn():
    edges = [Edge(f"s{k}", f"t{k}", k + 1) for k in range(50)]
    r = _ribbons(flow_chart(edges, title="many", max_edges=12))
    assert len(r) == 12 and "s49 -> t49" in r and "s0 -> t0" not in r


def test_an_empty_graph_says_so():
    assert "no flows to show" in flow_chart([], title="none")
