"""The effect-with-interval chart: valid offline SVG, one interval per row, zero line, target marker, colours."""

from __future__ import annotations

import math
from xml.etree import ElementTree

from cxscale.charts.effects import EffectRow, effect_chart
from cxscale.charts.svg import text_width

NS = "{http://www.w3.org/2000/svg}"


def _svg(rows):
    return ElementTree.fromstring(effect_chart(rows))


def test_each_row_gets_a_dot_and_an_interval_and_labels_are_escaped():
    rows = [EffectRow("cost <primary>", -0.2, -0.3, -0.1, "proven", target=-0.05),
            EffectRow("csat & co", 0.01, -0.02, 0.04, "watch")]
    svg = _svg(rows)
    assert len(svg.findall(f"{NS}circle")) == 2
    texts = ["".join(t.itertext()) for t in svg.iter(f"{NS}text")]
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


def test_missing_estimates_read_no_estimate_instead_of_failing():
    svg = _svg([EffectRow("a", math.nan, math.nan, math.nan)])
    assert "no estimate" in [t.text for t in svg.iter(f"{NS}text")]


def _texts(svg) -> str:
    return " ".join("".join(t.itertext()) for t in svg.iter(f"{NS}text")) + " ".join(
        t.text or "" for t in svg.iter(f"{NS}title"))


def test_an_unbounded_interval_ends_in_an_arrow_and_never_reads_inf():
    svg = _svg([EffectRow("cost", -0.2, -0.35, math.inf, "not proven yet", target=-0.05),
                EffectRow("csat", 0.01, -math.inf, math.inf)])
    arrows = [p for p in svg.findall(f"{NS}path") if p.get("class") == "unbounded"]
    assert len(arrows) == 3
    words = _texts(svg)
    assert "inf" not in words and "nan" not in words
    assert "unbounded" in words and "arrow: no bound on that side" in words
    width = float(svg.get("viewBox").split()[2])
    bars = [ln for ln in svg.findall(f"{NS}line") if ln.get("stroke-width") == "3"]
    assert all(0 <= float(b.get(k)) <= width for b in bars for k in ("x1", "x2"))


def test_ticks_keep_their_decimals():
    svg = _svg([EffectRow("a", -0.06, -0.12, 0.0)])
    ticks = [t.text for t in svg.iter(f"{NS}text") if t.get("text-anchor") == "middle"]
    assert "\u22127.5%" in ticks and "\u22122.5%" in ticks  # not -8% and -2% (rounded)


def test_long_labels_wrap_and_fit_inside_the_viewbox():
    long = "repeat_contact_rate_7d (secondary, treatment_b)"
    svg = ElementTree.fromstring(effect_chart([EffectRow(long, 0.01, -0.02, 0.04),
                                               EffectRow("x" * 80 + " (primary)", 0.0, -0.1, 0.1)], width=500))
    label = next(t for t in svg.iter(f"{NS}text") if t.get("class") == "label")
    assert "".join(label.itertext()).replace("(", " (").split() == long.split()
    width = float(svg.get("viewBox").split()[2])
    for t in svg.iter(f"{NS}text"):
        for part in (t.findall(f"{NS}tspan") or [t]):
            x, w = float(part.get("x")), text_width(part.text, float(t.get("font-size") or 12),
                                                   t.get("font-weight") == "600")
            start = {"end": x - w, "middle": x - w / 2}.get(t.get("text-anchor") or "", x)
            assert start >= 0 and start + w <= width, part.text


def test_a_guardrail_shows_its_tolerated_harm():
    svg = _svg([EffectRow("csat (guardrail)", 0.01, -0.02, 0.04, "ok", harm=-0.02)])
    harm = [ln for ln in svg.findall(f"{NS}line") if ln.get("class") == "harm"]
    assert len(harm) == 1 and "tolerated harm \u22122.0%" in harm[0].find(f"{NS}title").text
