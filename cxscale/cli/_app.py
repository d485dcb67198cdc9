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
    one decimal). Fieller's interval is unbounded when the control level is not distinguishable from 0: an infinite
    bound, or a missing one (JSON null) beside a finite one, reads "unbounded"; n/a when both are missing."""
    finite = [v is not None and math.isfinite(v) for v in ci]
    if not any(finite):
        return "unbounded" if all(v is not None and math.isinf(v) for v in ci) else "[n/a, n/a]"
    lo, hi = (f"{v * 100:+.1f}" if ok else "unbounded" for v, ok in zip(ci, finite, strict=True))
    return f"[{lo}, {hi}]"
