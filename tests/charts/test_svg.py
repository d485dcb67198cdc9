"""SVG helpers: ticks and colour scales (numbers: tests/test_format.py)."""

from __future__ import annotations

from cxscale.charts.svg import nice_ticks, readable_on, scale_colour


def test_ticks_are_round_and_cover_the_top():
    assert nice_ticks(87) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0) == [0.0, 1.0]


def test_the_colour_scale_runs_between_its_stops_and_text_stays_readable():
    assert scale_colour(0) == "#fff7e6" and scale_colour(1) == "#7f0000"
    assert readable_on(scale_colour(0)) != readable_on(scale_colour(1))
