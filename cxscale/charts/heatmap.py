"""Heatmap: a rows x columns grid coloured by value (darker is worse), each cell labelled."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from cxscale.charts.svg import (
    GRID,
    HEAT,
    MUTED,
    document,
    esc,
    readable_on,
    scale_colour,
    text,
    truncate,
)
from cxscale.format import DASH, percent


def _percent(x: float | None) -> str:
    return percent(x, decimals=0, missing=DASH)


def heatmap_chart(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]],
                  title: str, fmt: Callable[[float | None], str] = _percent, legend: str = "",
                  notes: Sequence[Sequence[str]] | None = None, cell_width: int = 92, cell_height: int = 30,
                  low: float | None = None, high: float | None = None) -> str:
    """An SVG heatmap. values[i][j] belongs to rows[i] x columns[j]; None draws an empty (hatched-grey) cell.

    The colour scale runs from `low` to `high` (default: the smallest and largest value shown; pass low=0 for
    shares so that small differences do not look dramatic); `fmt` formats a value for its label (a percentage by
    default); notes[i][j] is extra tooltip text (e.g. the cell's volume).
    """
    left, top = 170, 78
    width = max(left + cell_width * len(columns) + 30, 480)
    height = top + cell_height * len(rows) + 64
    body = [text(16, 24, title, size=15, weight="600")]
    flat = [v for r in values for v in r if v is not None and not math.isnan(v)]
    lo, hi = (min(flat), max(flat)) if flat else (0.0, 1.0)
    lo = lo if low is None else min(low, lo)
    hi = hi if high is None else max(high, hi)
    span = hi - lo or 1.0
    for j, col in enumerate(columns):
        x = left + j * cell_width + cell_width / 2
        body.append(text(x, top - 10, truncate(col, 14), size=11, anchor="middle", weight="600"))
    for i, row in enumerate(rows):
        y = top + i * cell_height
        body.append(text(left - 8, y + cell_height / 2 + 4, truncate(row, 24), size=11, anchor="end"))
        for j, col in enumerate(columns):
            v = values[i][j]
            x = left + j * cell_width
            missing = v is None or math.isnan(v)
            fill = "#f5f7fa" if v is None or missing else scale_colour((v - lo) / span)
            note = f"; {notes[i][j]}" if notes else ""
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_width - 2}" height="{cell_height - 2}" '
                        f'fill="{fill}" stroke="{GRID}"><title>{esc(row)} x {esc(col)}: {esc(fmt(v))}{esc(note)}'
                        f"</title></rect>")
            body.append(text(x + cell_width / 2 - 1, y + cell_height / 2 + 3, "" if missing else fmt(v), size=11,
                             anchor="middle", fill=MUTED if missing else readable_on(fill)))
    # Legend: the colour scale with its two ends.
    ly = top + cell_height * len(rows) + 22
    steps = 40
    lw = min(260, width - left - 40)
    for k in range(steps):
        body.append(f'<rect x="{left + k * lw / steps:.1f}" y="{ly}" width="{lw / steps + 0.5:.1f}" height="10" '
                    f'fill="{scale_colour(k / (steps - 1), HEAT)}"/>')
    body.append(text(left, ly + 24, fmt(lo), size=10, fill=MUTED))
    body.append(text(left + lw, ly + 24, fmt(hi), size=10, anchor="end", fill=MUTED))
    if legend:
        body.append(text(left - 8, ly + 9, legend, size=10, anchor="end", fill=MUTED))
    return document(width, height, body, title, f"{len(rows)} rows x {len(columns)} columns; {legend}")
