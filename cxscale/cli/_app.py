"""The Typer application object and the output helpers every command shares (Rich console, JSON, errors)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import typer
from rich.console import Console

app = typer.Typer(
    name="cxscale",
    help=(
        "cxscale takes customer-experience AI from pilot to scale.\n\n"
        "simulate a CX world -> validate data against the contract -> diagnose the journey -> "
        "measure pilots in business terms."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console()
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from cxscale import __version__

        console.print(f"cxscale {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """cxscale takes customer-experience AI from pilot to scale."""


def print_json(document: Any) -> None:
    """Write one JSON document to stdout (for machines: no colour, no wrapping)."""
    sys.stdout.write(json.dumps(document, indent=2, default=str, allow_nan=False) + "\n")
    sys.stdout.flush()


def relative_interval(ci: Any) -> str:
    """A relative effect's confidence interval for a table whose header says %: "[-6.9, +1.9]" (percentage points,
    one decimal; n/a for a bound that is missing or not finite)."""
    lo, hi = (f"{v * 100:+.1f}" if v is not None and math.isfinite(v) else "n/a" for v in ci)
    return f"[{lo}, {hi}]"
