"""Effect-with-interval chart as inline SVG: one row per metric (and arm), a dot at the estimate, a bar for the CI,
a dashed line at zero, a diamond at the target and a red tick at a guardrail's tolerated harm. Pure Python, no
JavaScript, no CDN: works offline and in PDFs.

Effects are drawn on the relative scale (share: -0.05 = 5% lower) so metrics with different units share one axis.
Colours follow the verdict: green proven, red harmful or breached, grey otherwise. An interval that is unbounded on
a side (a Fieller interval when the control mean may be zero) runs to the edge of the plot and ends in an arrow.
Every text is measured (cxscale.charts.svg.text_width) and labels wrap, so nothing is clipped by the viewBox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxscale import format as fmt
from cxscale.charts.svg import esc, text_width, wrap

COLOURS = {"proven": "#1a7f37", "ok": "#1a7f37", "harmful": "#cf222e", "breached": "#cf222e", "blocked": "#9a6700",
           "watch": "#9a6700"}
GREY = "#57606a"
TARGET = "#0969da"
HARM = "#cf222e"
SIZE = 12  # px, the labels' font size
LINE_H = 14  # px between the lines of a wrapped label


@dataclass(frozen=True)
class EffectRow:
    """One line of the chart: label, estimate and CI (share on the relative scale; a bound may be +/-inf), the
    target (primary) and the tolerated harm (guardrail, signed the bad way), both relative, when given."""

    label: str
    estimate: float
    low: float
    high: float
    verdict: str = ""
    target: float | None = None
    direction: str = "higher"
    harm: float | None = None


def _nice_step(span: float) -> float:
    raw = span / 6
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag  # pragma: no cover


def _tick_label(v: float) -> str:
    if v == 0:
        return "0%"
    return ("+" if v > 0 else fmt.MINUS) + f"{round(abs(v) * 100, 6):g}%"


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def _tip(r: EffectRow) -> str:
    parts = [f"{r.label}: {fmt.relative(r.estimate)} {fmt.interval(r.low, r.high, fmt.relative)}"]
    if _finite(r.target):
        parts.append(f"target {fmt.relative(r.target)}")
    if _finite(r.harm):
        parts.append(f"tolerated harm {fmt.relative(r.harm)}")
    return ", ".join(parts) + (f"; {r.verdict}" if r.verdict else "")


def effect_chart(rows: list[EffectRow], title: str = "Effect with confidence interval (relative, %)",
                 width: int = 900) -> str:
    """Return an <svg> element drawing each row's relative effect with its CI."""
    finite = [v for r in rows for v in (r.estimate, r.low, r.high, r.target, r.harm)
              if v is not None and math.isfinite(v)] + [0.0]
    lo, hi = min(finite), max(finite)
    pad = (hi - lo) * 0.08 or 0.05
    lo, hi = lo - pad, hi + pad
    step = _nice_step(hi - lo)
    ticks = []
    tick = math.ceil(lo / step) * step
    while tick <= hi + 1e-12:
        ticks.append(0.0 if abs(tick) < step * 1e-9 else tick)  # no "-0%"
        tick += step

    labels = [wrap(r.label, width * 0.4, SIZE) for r in rows]
    label_w = max([text_width(line, SIZE) for lines in labels for line in lines] + [60]) + 16
    right = max(text_width(_tick_label(ticks[-1]), 11) / 2, 8) + 8 if ticks else 16
    plot_w = width - label_w - right
    heights = [20 + LINE_H * len(lines) for lines in labels]
    top = 40
    axis_y = top + sum(heights) + 6

    def x(v: float) -> float:
        return label_w + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w

    legend = ["dot: estimate", "bar: confidence interval", "diamond: target"]
    if any(_finite(r.harm) for r in rows):
        legend.append("red tick: tolerated harm")
    if any(math.isinf(v) for r in rows for v in (r.low, r.high)):
        legend.append("arrow: no bound on that side")
    legend.append("dashed line: no effect")
    legend_lines = wrap(", ".join(legend), width - 8, 11)
    height = axis_y + 26 + LINE_H * len(legend_lines) + 4

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
           f'height="{height:.0f}" role="img" aria-label="{esc(title)}" font-family="system-ui, sans-serif" '
           f'font-size="{SIZE}">',
           f'<text x="0" y="18" font-size="13" font-weight="600">{esc(title)}</text>']
    for t in ticks:
        tx = x(t)
        out.append(f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{axis_y}" stroke="#eaeef2"/>')
        out.append(f'<text x="{tx:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="{GREY}" font-size="11">'
                   f'{esc(_tick_label(t))}</text>')
    zx = x(0.0)
    out.append(f'<line x1="{zx:.1f}" y1="{top - 6}" x2="{zx:.1f}" y2="{axis_y}" stroke="#24292f" '
               f'stroke-dasharray="4 3"/>')
    y0 = top
    for r, lines, h in zip(rows, labels, heights, strict=True):
        cy = y0 + h / 2
        y0 += h
        colour = COLOURS.get(r.verdict, GREY)
        first = cy - LINE_H * (len(lines) - 1) / 2 + 4
        spans = "".join(f'<tspan x="{label_w - 8:.1f}" y="{first + LINE_H * i:.1f}">{esc(line)}</tspan>'
                        for i, line in enumerate(lines))
        out.append(f'<text class="label" text-anchor="end">{spans}</text>')
        if not _finite(r.estimate):
            out.append(f'<text x="{zx + 6:.1f}" y="{cy + 4:.1f}" fill="{GREY}">no estimate</text>')
            continue
        tip = f"<title>{esc(_tip(r))}</title>"
        if not (math.isnan(r.low) or math.isnan(r.high)):
            x1, x2 = x(r.low), x(r.high)
            out.append(f'<line x1="{x1:.1f}" y1="{cy:.1f}" x2="{x2:.1f}" y2="{cy:.1f}" stroke="{colour}" '
                       f'stroke-width="3" stroke-linecap="round">{tip}</line>')
            for end, xe, d in ((r.low, x1, -1), (r.high, x2, 1)):
                if math.isinf(end):  # an arrowhead pointing off the plot: no bound on that side
                    out.append(f'<path class="unbounded" d="M{xe + 2 * d:.1f} {cy:.1f} L{xe - 7 * d:.1f} '
                               f'{cy - 5:.1f} L{xe - 7 * d:.1f} {cy + 5:.1f} Z" fill="{colour}">{tip}</path>')
        out.append(f'<circle cx="{x(r.estimate):.1f}" cy="{cy:.1f}" r="5" fill="{colour}">{tip}</circle>')
        if _finite(r.target):
            assert r.target is not None
            tx = x(r.target)
            out.append(f'<path d="M{tx:.1f} {cy - 7:.1f} L{tx + 5:.1f} {cy:.1f} L{tx:.1f} {cy + 7:.1f} '
                       f'L{tx - 5:.1f} {cy:.1f} Z" fill="none" stroke="{TARGET}" stroke-width="1.5">'
                       f'<title>target {esc(fmt.relative(r.target))}</title></path>')
        if _finite(r.harm):
            assert r.harm is not None
            hx = x(r.harm)
            out.append(f'<line class="harm" x1="{hx:.1f}" y1="{cy - 8:.1f}" x2="{hx:.1f}" y2="{cy + 8:.1f}" '
                       f'stroke="{HARM}" stroke-width="2"><title>tolerated harm {esc(fmt.relative(r.harm))}'
                       f'</title></line>')
    for i, line in enumerate(legend_lines):
        out.append(f'<text x="0" y="{axis_y + 32 + LINE_H * i}" fill="{GREY}" font-size="11">{esc(line)}</text>')
    out.append("</svg>")
    return "\n".join(out)
