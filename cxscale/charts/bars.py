"""Grouped bar chart: one group of bars per label, one bar per series (e.g. value proven and realised by stage),
with a legend; values of one unit on one axis from 0."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cxscale.charts.svg import BAR, GRID, LINE, MUTED, document, esc, nice_ticks, text, text_width, truncate
from cxscale.format import compact

#: Colours of the series, in order.
SERIES = (BAR, LINE, "#2a9d8f", "#8e6bbf")


def bar_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str,
              value_label: str = "", fmt: Callable[[float | None], str] = compact, whole: bool = False,
              axis_max: float | None = None, width: int = 820, height: int = 340) -> str:
    """An SVG chart of `series` (name, one value per group) as bars grouped by `groups`. A missing value (None)
    draws no bar; negative values are drawn as 0 and labelled with their value. `fmt` labels bars and ticks;
    `whole`: the values are whole numbers (counts, levels), so the axis has whole ticks only; `axis_max`: the
    axis reaches at least this (a scale's top, such as the highest level)."""
    if any(len(values) != len(groups) for _, values in series):
        raise ValueError("every series needs one value per group")
    left, right, top, bottom = 64, 16, 58, 56
    pw, ph = width - left - right, height - top - bottom
    body = [text(left, 24, title, size=15, weight="600")]
    x = float(left)
    for i, (name, _) in enumerate(series):  # the legend, under the title
        colour = SERIES[i % len(SERIES)]
        body.append(f'<rect x="{x:.1f}" y="34" width="12" height="12" fill="{colour}"/>')
        body.append(text(x + 16, 44, name, size=12, fill=MUTED))
        x += 16 + text_width(name, 12) + 18
    top_value = max([v for _, values in series for v in values if v is not None] + [axis_max or 0.0], default=0.0)
    if not groups or not series or top_value <= 0:
        body.append(text(width / 2, top + ph / 2, "nothing to show yet", anchor="middle", fill=MUTED))
        return document(width, height, body, title)
    ticks = nice_ticks(top_value)
    if whole:
        ticks = [t for t in nice_ticks(max(top_value, 2.0)) if float(t).is_integer()]
    ymax = ticks[-1]
    for t in ticks:
        y = top + ph - ph * t / ymax
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(text(left - 8, y + 4, fmt(t), size=11, anchor="end", fill=MUTED))
    slot = pw / len(groups)
    bw = min(slot * 0.8 / len(series), 56)
    desc = []
    for g, group in enumerate(groups):
        x0 = left + g * slot + (slot - bw * len(series)) / 2
        for s, (name, values) in enumerate(series):
            v = values[g]
            if v is None:
                continue
            h = ph * max(v, 0.0) / ymax
            bx = x0 + s * bw
            body.append(f'<rect x="{bx:.1f}" y="{top + ph - h:.1f}" width="{bw * 0.92:.1f}" height="{h:.1f}" '
                        f'fill="{SERIES[s % len(SERIES)]}"><title>{esc(group)}, {esc(name)}: {esc(fmt(v))}</title>'
                        "</rect>")
            label = fmt(v)
            if text_width(label, 10) <= bw + 4:
                body.append(text(bx + bw * 0.46, max(top + ph - h - 4, top + 10), label, size=10,
                                 anchor="middle", fill=MUTED))
            desc.append(f"{group} {name}: {label}")
        body.append(text(left + g * slot + slot / 2, top + ph + 18, truncate(group, max(6, int(slot / 7))),
                         size=12, anchor="middle"))
    body.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="{MUTED}"/>')
    if value_label:
        body.append(text(left, height - 10, value_label, size=11, fill=MUTED))
    return document(width, height, body, title, "; ".join(desc))
