"""`cxscale validate`: see `cxscale validate --help`."""

from __future__ import annotations

from cxscale.cli._app import app, console, print_json  # noqa: F401
