"""Flow diagram: a two-column Sankey of directly-follows edges ("this contact" -> "the next contact").

Journey graphs have cycles, so instead of a layered Sankey the picture shows every edge once, from its source on
the left to its target on the right; ribbon width is proportional to the count. Loops (edges the caller marks,
e.g. a -> a) are drawn in the accent colour: the customer coming back about the same need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxscale.charts.svg import ACCENT, BAR, INK, MUTED, document, esc, text, truncate
from cxscale.format import compact


@dataclass(frozen=True)
class Edge:
    """One flow: source -> target, count, median seconds between (optional) and whether it is a loop."""

    source: str
    target: str
    count: float
    median_seconds: float | None = None
    loop: bool = False


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 86_400:
        return f"{seconds / 86_400:.1f} d"
    if seconds >= 3_600:
        return f"{seconds / 3_600:.1f} h"
    return f"{seconds / 60:.0f} min"


def _layout(totals: dict[str, float], top: float, height: float, gap: float, scale: float) -> dict[str, float]:
    order = sorted(totals, key=lambda k: (-totals[k], k))
    y, pos = top, {}
    for k in order:
        pos[k] = y
        y += totals[k] * scale + gap
    return pos


def flow_chart(edges: Sequence[Edge], title: str, max_edges: int = 30, width: int = 820,
               left_caption: str = "contact about", right_caption: str = "next contact about") -> str:
    """An SVG flow diagram of the `max_edges` largest edges."""
    shown = sorted(edges, key=lambda e: (-e.count, e.source, e.target))[:max_edges]
    out_tot: dict[str, float] = {}
    in_tot: dict[str, float] = {}
    for e in shown:
        out_tot[e.source] = out_tot.get(e.source, 0) + e.count
        in_tot[e.target] = in_tot.get(e.target, 0) + e.count
    total = sum(e.count for e in shown)
    nodes = max(len(out_tot), len(in_tot), 1)
    plot_h = max(280, 26 * nodes)
    gap, top = 8.0, 64.0
    height = top + plot_h + gap * nodes + 44
    body = [text(16, 24, title, size=15, weight="600")]
    if not shown or total <= 0:
        body.append(text(width / 2, height / 2, "no flows to show", anchor="middle", fill=MUTED))
        return document(width, height, body, title)
    scale = plot_h / total
    xl, xr, nw = 200.0, width - 200.0, 14.0
    body.append(text(xl + nw / 2, top - 12, left_caption, size=11, anchor="middle", fill=MUTED))
    body.append(text(xr + nw / 2, top - 12, right_caption, size=11, anchor="middle", fill=MUTED))
    ly, ry = _layout(out_tot, top, plot_h, gap, scale), _layout(in_tot, top, plot_h, gap, scale)
    lo, ro = dict(ly), dict(ry)  # running offsets where the next ribbon attaches
    # Draw big ribbons first so that small ones stay visible on top; loops last (they matter most).
    for e in sorted(shown, key=lambda e: (e.loop, -e.count)):
        w = e.count * scale
        y0, y1 = lo[e.source] + w / 2, ro[e.target] + w / 2
        lo[e.source] += w
        ro[e.target] += w
        x0, x1 = xl + nw, xr
        mid = (x0 + x1) / 2
        colour, opacity = (ACCENT, 0.55) if e.loop else (BAR, 0.28)
        tip = (f"{e.source} -> {e.target}: {compact(e.count)} transitions, median "
               f"{_duration(e.median_seconds)} between{' (loop)' if e.loop else ''}")
        body.append(f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" '
                    f'fill="none" stroke="{colour}" stroke-opacity="{opacity}" stroke-width="{max(w, 1):.1f}">'
                    f"<title>{esc(tip)}</title></path>")
    for side, pos, tot in (("l", ly, out_tot), ("r", ry, in_tot)):
        for k, y in pos.items():
            h = max(tot[k] * scale, 1.5)
            x = xl if side == "l" else xr
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{nw}" height="{h:.1f}" fill="{INK}">'
                        f"<title>{esc(k)}: {compact(tot[k])}</title></rect>")
            label = f"{truncate(k, 22)} ({compact(tot[k])})"
            if side == "l":
                body.append(text(x - 6, y + h / 2 + 4, label, size=11, anchor="end"))
            else:
                body.append(text(x + nw + 6, y + h / 2 + 4, label, size=11))
    loops = [e for e in shown if e.loop]
    ky = height - 20
    body.append(f'<rect x="{xl:.1f}" y="{ky - 9}" width="22" height="8" fill="{ACCENT}" fill-opacity="0.55"/>')
    body.append(text(xl + 28, ky, f"loop: the customer comes back ({len(loops)} of {len(shown)} edges shown)",
                     size=11, fill=MUTED))
    desc = "; ".join(f"{e.source} -> {e.target}: {compact(e.count)}" for e in shown[:12])
    return document(width, height, body, title, desc)
