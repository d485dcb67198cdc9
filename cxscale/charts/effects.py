"""Effect-with-interval chart as inline SVG: one row per metric (and arm), a dot at the estimate, a bar for the CI,
a dashed line at zero and a diamond at the target. Pure Python, no JavaScript, no CDN: works offline and in PDFs.

Effects are drawn on the relative scale (share: -0.05 = 5% lower) so metrics with different units share one axis.
Colours follow the verdict: green proven, red harmful or breached, grey otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

COLOURS = {"proven": "#1a7f37", "ok": "#1a7f37", "harmful": "#cf222e", "breached": "#cf222e", "blocked": "#9a6700",
           "watch": "#9a6700"}
GREY = "#57606a"


@dataclass(frozen=True)
class EffectRow:
    """One line of the chart: label, estimate and CI (share 0-1 on the relative scale), optional target."""

    label: str
    estimate: float
    low: float
    high: float
    verdict: str = ""
    target: float | None = None
    direction: str = "higher"


def _nice_step(span: float) -> float:
    raw = span / 6
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag  # pragma: no cover


def effect_chart(rows: list[EffectRow], title: str = "Effect with confidence interval (relative, %)",
                 width: int = 720) -> str:
    """Return an <svg> element drawing each row's relative effect with its CI."""
    finite = [v for r in rows for v in (r.estimate, r.low, r.high, r.target or 0.0, 0.0) if math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (-0.1, 0.1)
    pad = (hi - lo) * 0.08 or 0.05
    lo, hi = lo - pad, hi + pad
    label_w, right, row_h, top = 230, 20, 30, 40
    plot_w = width - label_w - right
    height = top + row_h * max(len(rows), 1) + 58

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * plot_w

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" '
           f'font-size="12">',
           f'<text x="{label_w}" y="18" font-size="13" font-weight="600">{escape(title)}</text>']
    step = _nice_step(hi - lo)
    tick = math.ceil(lo / step) * step
    axis_y = top + row_h * len(rows) + 6
    while tick <= hi + 1e-12:
        tick = 0.0 if abs(tick) < step * 1e-9 else tick  # no "-0%"
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{axis_y}" stroke="#eaeef2"/>')
        out.append(f'<text x="{tx:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="{GREY}">'
                   f'{"0" if tick == 0 else format(tick * 100, "+." + ("0" if step >= 0.01 else "1") + "f")}%</text>')
        tick += step
    zx = x(0.0)
    out.append(f'<line x1="{zx:.1f}" y1="{top - 6}" x2="{zx:.1f}" y2="{axis_y}" stroke="#24292f" '
               f'stroke-dasharray="4 3"/>')
    for i, r in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        colour = COLOURS.get(r.verdict, GREY)
        out.append(f'<text x="{label_w - 8}" y="{cy + 4:.1f}" text-anchor="end">{escape(r.label)}</text>')
        if not all(math.isfinite(v) for v in (r.estimate, r.low, r.high)):
            out.append(f'<text x="{zx + 6:.1f}" y="{cy + 4:.1f}" fill="{GREY}">n/a</text>')
            continue
        out.append(f'<line x1="{x(r.low):.1f}" y1="{cy:.1f}" x2="{x(r.high):.1f}" y2="{cy:.1f}" stroke="{colour}" '
                   f'stroke-width="3" stroke-linecap="round"><title>{escape(r.label)}: {r.estimate:+.2%} '
                   f'[{r.low:+.2%}, {r.high:+.2%}] {escape(r.verdict)}</title></line>')
        out.append(f'<circle cx="{x(r.estimate):.1f}" cy="{cy:.1f}" r="5" fill="{colour}"/>')
        if r.target is not None and math.isfinite(r.target):
            tx = x(r.target)
            out.append(f'<path d="M{tx:.1f} {cy - 7:.1f} L{tx + 5:.1f} {cy:.1f} L{tx:.1f} {cy + 7:.1f} '
                       f'L{tx - 5:.1f} {cy:.1f} Z" fill="none" stroke="#0969da" stroke-width="1.5">'
                       f'<title>target {r.target:+.2%}</title></path>')
    out.append(f'<text x="{label_w}" y="{axis_y + 32}" fill="{GREY}" font-size="11">dot: estimate, bar: confidence '
               'interval, diamond: target, dashed line: no effect</text>')
    out.append("</svg>")
    return "\n".join(out)
