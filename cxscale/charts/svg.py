"""SVG building blocks shared by every chart: escaping, text, axis ticks and colour scales (numbers read as
cxscale/format.py writes them).

Charts are plain strings of inline SVG (no JavaScript, no fonts or styles fetched from anywhere), so the same
picture works in an HTML report, a PDF and the web app.
"""

from __future__ import annotations

import math
import unicodedata
from html import escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
BAR = "#3b6fb6"
ACCENT = "#d1495b"
LINE = "#edae49"

#: Sequential scale for "more is worse" (heatmaps): pale yellow -> orange -> dark red.
HEAT = ("#fff7e6", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")


def esc(value: object) -> str:
    """Text safe inside SVG/HTML markup and attributes."""
    return escape(str(value), quote=True)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 up to at least `top` (about `count` of them)."""
    if not top or top <= 0 or math.isnan(top):
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def text(x: float, y: float, s: object, size: float = 12, anchor: str = "start", fill: str = INK,
         weight: str = "normal", rotate: float | None = None, baseline: str | None = None) -> str:
    """One <text> element."""
    extra = f' transform="rotate({rotate:.1f} {x:.1f} {y:.1f})"' if rotate else ""
    if baseline:
        extra += f' dominant-baseline="{baseline}"'
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}"{extra}>{esc(s)}</text>')


# Advance widths (1/1000 em) of the printable ASCII characters in DejaVu Sans and DejaVu Sans Bold, the fonts Linux
# browsers pick for system-ui and the widest of the usual sans-serif fonts: a width measured with them is an upper
# bound on other systems (Segoe UI, Helvetica, Roboto are narrower), so text laid out by it is never clipped.
_WIDTHS = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 337 337 "
    "838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 611 732 684 989 "
    "685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 "
    "392 634 592 818 592 592 525 636 337 636 838")
_BOLD = (
    "348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696 696 696 400 400 "
    "838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 733 850 770 720 682 812 774 1103 "
    "771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 "
    "478 712 652 924 645 652 582 712 365 712 838")
_EM = {False: [int(w) for w in _WIDTHS.split()], True: [int(w) for w in _BOLD.split()]}


def text_width(s: object, size: float = 12, bold: bool = False) -> float:
    """Width in px of `s` set in `size` px sans-serif (an upper bound, see _WIDTHS); other characters count as
    wide as "M", East Asian wide ones as one em."""
    table = _EM[bold]
    em = 0
    for ch in str(s):
        c = ord(ch)
        if 32 <= c < 127:
            em += table[c - 32]
        else:
            em += 1000 if unicodedata.east_asian_width(ch) in ("W", "F") else table[ord("M") - 32]
    return em * size / 1000


def wrap(label: object, max_width: float, size: float = 12, bold: bool = False) -> list[str]:
    """`label` in lines no wider than `max_width` px: broken at spaces, then after underscores, then anywhere."""
    lines: list[str] = []
    for word in str(label).split():
        if lines and text_width(lines[-1] + " " + word, size, bold) <= max_width:
            lines[-1] += " " + word
            continue
        while text_width(word, size, bold) > max_width:
            cut = max((i + 1 for i, ch in enumerate(word) if ch == "_" and text_width(word[: i + 1], size, bold)
                       <= max_width), default=0)
            if cut == 0:  # no underscore early enough: as many characters as fit (at least one)
                cut = max(1, max((i for i in range(1, len(word) + 1) if text_width(word[:i], size, bold)
                                  <= max_width), default=1))
            lines.append(word[:cut])
            word = word[cut:]
        if word:
            lines.append(word)
    return lines or [""]


def truncate(label: object, limit: int = 22) -> str:
    s = str(label)
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def scale_colour(t: float, stops: tuple[str, ...] = HEAT) -> str:
    """Colour at position t (0-1) along a multi-stop scale."""
    t = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    a, b = _rgb(stops[i]), _rgb(stops[i + 1])
    f = t - i
    return "#" + "".join(f"{round(a[k] + (b[k] - a[k]) * f):02x}" for k in range(3))


def readable_on(fill: str) -> str:
    """Black or white text, whichever reads better on `fill`."""
    r, g, b = _rgb(fill)
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def document(width: float, height: float, body: list[str], title: str, description: str = "") -> str:
    """A standalone <svg> element with an accessible title and description."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" font-family="{esc(FONT)}">'
        f"<title>{esc(title)}</title><desc>{esc(description or title)}</desc>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )
