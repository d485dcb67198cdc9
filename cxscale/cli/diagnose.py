"""`cxscale diagnose`: see `cxscale diagnose --help`."""

from __future__ import annotations

from cxscale.cli._app import app, console, print_json  # noqa: F401
