"""Heatmap: one cell per row x column, darker for larger values, empty cells for missing ones."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cxscale.charts import heatmap_chart

NS = "{http://www.w3.org/2000/svg}"


def _cells(svg: str) -> dict[str, str]:
    out = {}
    for r in ET.fromstring(svg).iter(f"{NS}rect"):
        t = r.find(f"{NS}title")
        if t is not None:
            out[t.text.split(":")[0]] = r.get("fill")
    return out


def _darkness(hex_colour: str) -> int:
    return -sum(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_every_cell_is_drawn_and_larger_values_are_darker():
    svg = heatmap_chart(["a", "b"], ["voice", "chat"], [[0.1, 0.5], [None, 0.3]], title="friction")
    cells = _cells(svg)
    assert set(cells) == {"a x voice", "a x chat", "b x voice", "b x chat"}
    assert _darkness(cells["a x chat"]) > _darkness(cells["b x chat"]) > _darkness(cells["a x voice"])
    assert cells["b x voice"] == "#f5f7fa"  # missing


def test_cell_labels_use_the_given_format():
    svg = heatmap_chart(["a"], ["x"], [[0.125]], title="t", fmt=lambda v: f"{v:.3f}")
    assert ">0.125<" in svg


def test_a_fixed_low_end_keeps_small_differences_small():
    values = [[0.139], [0.145]]
    stretched = _cells(heatmap_chart(["a", "b"], ["x"], values, title="t"))
    anchored = _cells(heatmap_chart(["a", "b"], ["x"], values, title="t", low=0.0))
    assert (stretched["a x x"], stretched["b x x"]) == ("#fff7e6", "#7f0000")
    assert abs(_darkness(anchored["a x x"]) - _darkness(anchored["b x x"])) < 60
