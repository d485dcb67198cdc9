"""The capability reports' pictures as inline SVG (built on cxscale.charts.svg): the reliability diagram of a
calibrated model, the Qini curve against random targeting, and recall@k bars."""

from __future__ import annotations

from collections.abc import Sequence

from cxscale.charts.svg import ACCENT, BAR, GRID, MUTED, document, nice_ticks, text
from cxscale.format import percent as fmt_share


def _frame(w: float, h: float, left: float, top: float, bottom: float, right: float, y_ticks: Sequence[float],
           y_max: float, y_fmt: str = "{:.0%}") -> tuple[list[str], float, float]:
    pw, ph = w - left - right, h - top - bottom
    body = []
    for v in y_ticks:
        y = top + ph * (1 - v / y_max)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(text(left - 6, y + 4, y_fmt.format(v), 11, "end", MUTED))
    return body, pw, ph


def reliability_chart(bins: Sequence[tuple[float, float, int]], title: str = "Reliability") -> str:
    """bins: (mean confidence, accuracy, count) per confidence bin (empty bins skipped). The diagonal is perfect
    calibration; dots below it are over-confident."""
    w, h, left, top, bottom, right = 420, 340, 52, 28, 46, 16
    body, pw, ph = _frame(w, h, left, top, bottom, right, [0, 0.25, 0.5, 0.75, 1.0], 1.0)
    body.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top}" stroke="{MUTED}" stroke-dasharray="4 3"/>')
    total = max(sum(c for _, _, c in bins), 1)
    for conf, acc, count in bins:
        if not count:
            continue
        x, y = left + pw * conf, top + ph * (1 - acc)
        r = 3 + 9 * (count / total) ** 0.5
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{BAR}" fill-opacity="0.75">'
                    f'<title>confidence {conf:.2f}, accuracy {acc:.2f}, {count} predictions</title></circle>')
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(text(left + pw * v, top + ph + 16, f"{v:.0%}", 11, "middle", MUTED))
    body.append(text(left + pw / 2, h - 8, "confidence (top intent's probability)", 12, "middle", MUTED))
    body.append(text(left, 16, title, 13, weight="bold"))
    return document(w, h, body, title, "Accuracy against confidence per bin; the dashed diagonal is perfect calibration")


def qini_chart(share: Sequence[float], qini: Sequence[float], title: str = "Qini curve") -> str:
    """Incremental outcomes per customer against the share targeted, with the random-targeting line."""
    w, h, left, top, bottom, right = 460, 320, 64, 28, 46, 16
    top_v = max(max(qini), qini[-1], 1e-9)
    ticks = nice_ticks(top_v, 4)
    y_max = ticks[-1]
    body, pw, ph = _frame(w, h, left, top, bottom, right, ticks, y_max, "{:.2%}")

    def xy(s: float, q: float) -> str:
        return f"{left + pw * s:.1f},{top + ph * (1 - max(q, 0) / y_max):.1f}"

    body.append(f'<polyline fill="none" stroke="{MUTED}" stroke-dasharray="4 3" points="{xy(0, 0)} {xy(1, qini[-1])}"/>')
    body.append(f'<polyline fill="none" stroke="{ACCENT}" stroke-width="2" '
                f'points="{" ".join(xy(s, q) for s, q in zip(share, qini, strict=True))}"/>')
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(text(left + pw * v, top + ph + 16, f"{v:.0%}", 11, "middle", MUTED))
    body.append(text(left + pw / 2, h - 8, "share of customers targeted (by predicted uplift)", 12, "middle", MUTED))
    body.append(text(left, 16, title, 13, weight="bold"))
    return document(w, h, body, title, "Qini curve of the model (solid) and of random targeting (dashed)")


def recall_chart(rows: Sequence[tuple[str, float]], title: str = "Recall at k") -> str:
    """Horizontal bars of shares (0-1), one per label."""
    w, left, top, bar = 460, 170, 30, 22
    h = top + bar * len(rows) + 20
    pw = w - left - 60
    body = [text(8, 18, title, 13, weight="bold")]
    for i, (label, v) in enumerate(rows):
        y = top + i * bar
        body.append(text(left - 8, y + 15, label, 12, "end"))
        body.append(f'<rect x="{left}" y="{y + 3}" width="{pw * max(v, 0):.1f}" height="{bar - 6}" fill="{BAR}"/>')
        body.append(text(left + pw * max(v, 0) + 6, y + 15, fmt_share(v), 11, fill=MUTED))
    return document(w, h, body, title, "; ".join(f"{label}: {fmt_share(v)}" for label, v in rows))
