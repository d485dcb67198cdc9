"""Jinja2 templates of the HTML reports, rendered by one environment: autoescaped, strict about missing names, and
offline (inline CSS and SVG; no scripts, fonts or styles fetched from anywhere). `base.html` is the page every
report extends; a report's module prepares plain strings (numbers already formatted by cxscale.format) and charts
(inline SVG wrapped in Markup) and calls `render`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

__all__ = ["environment", "render"]


@cache
def environment() -> jinja2.Environment:
    """The one environment of the reports' templates (this package's folder)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("cxscale", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context: Any) -> str:
    """Render the template `name` (e.g. "readout.html") with `context`."""
    return environment().get_template(name).render(**context)
