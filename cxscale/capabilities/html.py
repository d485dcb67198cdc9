"""The HTML page of a capability's quality report (templates/capability.html): the metrics table with baselines,
published figures, the charts and the notes; offline (inline SVG, no scripts)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from cxscale.capabilities.base import info
from cxscale.capabilities.report import Metric, Report
from cxscale.format import count, number, percent, points, seconds
from cxscale.templates import render


def formatted(m: Metric, value: float | None = None) -> str:
    """A metric's value in its unit (share as a percentage, seconds as time, counts, plain numbers)."""
    v = m.value if value is None else value
    if m.kind == "share":
        return percent(v)
    if m.kind == "points":
        return points(v)
    if m.kind == "seconds":
        return seconds(v)
    return count(v) if m.kind == "count" else number(v)


CAPTIONS = {
    "reliability": "Accuracy against confidence per bin (dot area: predictions in the bin); the dashed diagonal is "
                   "perfect calibration, dots below it are over-confident.",
    "qini": "Incremental visits per held-out customer when the top share is contacted, by predicted uplift (solid) "
            "and at random (dashed); the area between them is the Qini coefficient.",
    "recall": "Share of queries whose right article the retrieval ranks in the top k, and the mean reciprocal rank.",
}


def write_html(report: Report, path: str | Path) -> Path:
    c = info(report.capability)
    page = render("capability.html", title=f"{report.capability}: offline quality", description=c.description,
                  unit=c.unit_label, mode="assists agents" if c.mode == "assist" else "deflects contacts",
                  dataset=report.dataset,
                  metrics=[{"name": m.name, "value": formatted(m),
                            "baseline": "" if m.baseline is None else formatted(m, m.baseline), "note": m.note}
                           for m in report.metrics],
                  published=[(n, percent(v)) for n, v in report.published],
                  charts=[(CAPTIONS.get(k, k), Markup(v)) for k, v in report.charts.items()],  # noqa: S704 (our own SVG, escaped text)
                  notes=report.notes)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
