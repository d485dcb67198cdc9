"""`cxscale measure`: see `cxscale measure --help`."""

from __future__ import annotations

from cxscale.cli._app import app, console, print_json  # noqa: F401
