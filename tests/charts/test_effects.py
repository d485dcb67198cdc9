"""The effect-with-interval chart: valid offline SVG, one interval per row, zero line, target marker, colours."""

from __future__ import annotations

import math
from xml.etree import ElementTree

from cxscale.charts.effects import EffectRow, effect_chart

NS = "{http://www.w3.org/2000/svg}"


def _svg(rows):
    return ElementTree.fromstring(effect_chart(rows))


def test_each_row_gets_a_dot_and_an_interval_and_labels_are_escaped():
    rows = [EffectRow("cost <primary>", -0.2, -0.3, -0.1, "proven", target=-0.05),
            EffectRow("csat & co", 0.01, -0.02, 0.04, "watch")]
    svg = _svg(rows)
    assert len(svg.findall(f"{NS}circle")) == 2
    texts = [t.text for t in svg.iter(f"{NS}text")]
    assert "cost <primary>" in texts and "csat & co" in texts
    assert len(svg.findall(f"{NS}path")) == 1  # one target diamond


def test_proven_is_green_and_harmful_red():
    svg = _svg([EffectRow("a", -0.2, -0.3, -0.1, "proven"), EffectRow("b", 0.2, 0.1, 0.3, "harmful")])
    fills = [c.get("fill") for c in svg.findall(f"{NS}circle")]
    assert fills == ["#1a7f37", "#cf222e"]


def test_interval_is_drawn_left_to_right_around_the_estimate():
    svg = _svg([EffectRow("a", 0.1, 0.05, 0.2)])
    dot = svg.find(f"{NS}circle")
    bar = [ln for ln in svg.findall(f"{NS}line") if ln.get("stroke-width") == "3"][0]
    assert float(bar.get("x1")) < float(dot.get("cx")) < float(bar.get("x2"))


def test_missing_estimates_render_as_n_a_instead_of_failing():
    svg = _svg([EffectRow("a", math.nan, math.nan, math.nan)])
    assert "n/a" in [t.text for t in svg.iter(f"{NS}text")]
