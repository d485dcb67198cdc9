# ruff: noqa: I001  (command modules are imported in pipeline order: that order is the order of `cxscale --help`)
"""The cxscale command: wires commands to the package's functions and renders results. No logic here.

Each command lives in its own module (one per pipeline step) and registers on the shared Typer app.
"""

from __future__ import annotations

import sys

from cxscale.cli._app import app, err_console
from cxscale.errors import CxscaleError

# Importing a module registers its commands on `app`, in the order `cxscale --help` shows them.
from cxscale.cli import simulate as _simulate  # noqa: E402,F401
from cxscale.cli import validate as _validate  # noqa: E402,F401
from cxscale.cli import diagnose as _diagnose  # noqa: E402,F401
from cxscale.cli import measure as _measure  # noqa: E402,F401
from cxscale.cli import demo as _demo  # noqa: E402,F401
from cxscale.cli import schema as _schema  # noqa: E402,F401


def main() -> None:
    """Entry point: a CxscaleError becomes one red line and exit code 1; anything else is a bug with a traceback."""
    try:
        app()
    except CxscaleError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


__all__ = ["app", "main"]
