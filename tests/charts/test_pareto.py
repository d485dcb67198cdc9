"""Pareto chart: largest bar first, cumulative line ending at 100%, a tail folded into "other"."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cxscale.charts import pareto_chart

NS = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{NS}rect") if r.find(f"{NS}title") is not None]


def test_bars_are_sorted_from_largest_to_smallest():
    svg = pareto_chart(["a", "b", "c"], [10.0, 30.0, 20.0], title="cost")
    heights = [float(r.get("height")) for r in _bars(svg)]
    assert heights == sorted(heights, reverse=True) and len(heights) == 3
    tips = [r.find(f"{NS}title").text for r in _bars(svg)]
    assert tips[0].startswith("b:") and tips[-1].endswith("cumulative 100.0%)")


def test_a_long_tail_is_folded_into_other():
    svg = pareto_chart([f"i{k}" for k in range(30)], [float(k + 1) for k in range(30)], title="t", max_bars=10)
    tips = [r.find(f"{NS}title").text for r in _bars(svg)]
    assert len(tips) == 10 and tips[-1].startswith("other (21)")


def test_labels_are_escaped_and_an_empty_chart_says_so():
    svg = pareto_chart(["<b>&"], [5.0], title="x & y")
    assert "&lt;b&gt;&amp;" in svg
    ET.fromstring(svg)
    assert "nothing to show" in pareto_chart([], [], title="empty")
