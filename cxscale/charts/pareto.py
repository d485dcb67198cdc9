"""Pareto chart: bars sorted from largest to smallest with the cumulative share as a line (and an 80% guide)."""

from __future__ import annotations

from collections.abc import Sequence

from cxscale.charts.svg import (
    BAR,
    GRID,
    LINE,
    MUTED,
    document,
    esc,
    nice_ticks,
    text,
    truncate,
)
from cxscale.format import compact


def pareto_chart(labels: Sequence[str], values: Sequence[float], title: str, value_label: str = "",
                 max_bars: int = 15, width: int = 820, height: int = 440) -> str:
    """An SVG Pareto chart of `values` by `labels` (largest first; the rest summed into "other").

    The left axis is in the values' unit (value_label, e.g. "avoidable cost per year, EUR"); the right axis is the
    cumulative share 0-100%.
    """
    pairs = sorted(((str(label), max(float(v or 0.0), 0.0)) for label, v in zip(labels, values, strict=True)),
                   key=lambda p: -p[1])
    if len(pairs) > max_bars:
        rest = sum(v for _, v in pairs[max_bars - 1:])
        pairs = pairs[: max_bars - 1] + [(f"other ({len(pairs) - max_bars + 1})", rest)]
    total = sum(v for _, v in pairs)
    left, right, top, bottom = 78, 58, 46, 118
    pw, ph = width - left - right, height - top - bottom
    body = [text(left, 24, title, size=15, weight="600")]
    if not pairs or total <= 0:
        body.append(text(width / 2, height / 2, "nothing to show", anchor="middle", fill=MUTED))
        return document(width, height, body, title)
    ticks = nice_ticks(pairs[0][1])
    ymax = ticks[-1]
    for t in ticks:
        y = top + ph - ph * t / ymax
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(text(left - 8, y + 4, compact(t), size=11, anchor="end", fill=MUTED))
    for pct in (0, 20, 40, 60, 80, 100):
        y = top + ph - ph * pct / 100
        body.append(text(left + pw + 8, y + 4, f"{pct}%", size=11, fill=MUTED))
    y80 = top + ph * 0.2
    body.append(f'<line x1="{left}" y1="{y80:.1f}" x2="{left + pw}" y2="{y80:.1f}" stroke="{LINE}" '
                f'stroke-dasharray="5 4"/>')
    slot = pw / len(pairs)
    bw = slot * 0.7
    cum, points = 0.0, []
    for i, (label, v) in enumerate(pairs):
        x = left + i * slot + (slot - bw) / 2
        h = ph * v / ymax
        cum += v
        share = cum / total
        body.append(f'<rect x="{x:.1f}" y="{top + ph - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{BAR}">'
                    f"<title>{esc(label)}: {compact(v)} ({100 * v / total:.1f}%; cumulative "
                    f"{100 * share:.1f}%)</title></rect>")
        if h > 24 and bw > 26:  # inside the bar's top, clear of the cumulative line
            body.append(text(x + bw / 2, top + ph - h + 14, compact(v), size=10, anchor="middle", fill="#ffffff"))
        elif bw > 26:
            body.append(text(x + bw / 2, top + ph - h - 4, compact(v), size=10, anchor="middle", fill=MUTED))
        cx = left + i * slot + slot / 2
        body.append(text(cx, top + ph + 14, truncate(label, 20), size=11, anchor="end", rotate=-35))
        points.append((cx, top + ph - ph * share))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
    body.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}"/>' for x, y in points]
    body.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="{MUTED}"/>')
    if value_label:
        body.append(text(16, top + ph / 2, value_label, size=11, anchor="middle", fill=MUTED, rotate=-90))
    body.append(text(width - 12, top + ph / 2, "cumulative share", size=11, anchor="middle", fill=MUTED,
                     rotate=90))
    desc = "; ".join(f"{label}: {compact(v)}" for label, v in pairs)
    return document(width, height, body, title, desc)
