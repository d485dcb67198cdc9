"""The Typer application object and the output helpers every command shares (Rich console, JSON, errors)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from cxscale.errors import CxscaleError

if TYPE_CHECKING:
    from cxscale.settings import Settings

app = typer.Typer(
    name="cxscale",
    help=(
        "cxscale takes customer-experience AI from pilot to scale.\n\n"
        "simulate a CX world -> validate data against the contract -> diagnose the journey -> "
        "plan a pilot -> measure pilots in business terms."
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


def read_settings() -> Settings:
    """The process's settings from its CXSCALE_* environment variables (cxscale.settings): read by a command, once,
    and passed down to what it calls; a value that does not parse is one line naming the variable."""
    from pydantic import ValidationError

    from cxscale.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"CXSCALE_{'_'.join(str(p) for p in e['loc']).upper()}={e.get('input')!r}: "
                             f"{e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        raise CxscaleError(f"environment: {problems}") from None


#: The longest window or enrolment an option takes, in days (ten years): beyond it the dates overflow, and no pilot
#: or repeat window is that long.
MAX_DAYS = 3650


def number_in(low: float, high: float | None = None, *, above: bool = False) -> Callable[[float | None], float | None]:
    """A Typer callback for a float option: its value must be finite, at least `low` (above it when `above`) and at
    most `high`; otherwise a usage error saying so (exit 2). Typer's own min/max let NaN and infinity through."""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value):
            raise typer.BadParameter(f"{value} is not a finite number")
        if value < low or (above and value == low):
            raise typer.BadParameter(f"must be {'above' if above else 'at least'} {low:g}, found {value:g}")
        if high is not None and value > high:
            raise typer.BadParameter(f"must be at most {high:g}, found {value:g}")
        return value

    return check


def iso_date(value: str | None) -> str | None:
    """A Typer callback for a date option: YYYY-MM-DD within the years 1900 to 9998, else a usage error."""
    if value is None:
        return None
    from datetime import date

    try:
        day = date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)")
    if not 1900 <= day.year <= 9998:
        raise typer.BadParameter(f"{value!r} is outside the years 1900 to 9998")
    return day.isoformat()


def print_json(document: Any) -> None:
    """Write one strict JSON document to stdout (for machines: no colour, no wrapping). A number that is not finite
    is null: JSON has no NaN or Infinity, and jq and browsers refuse them."""
    sys.stdout.write(json.dumps(json_ready(document), indent=2, default=str, allow_nan=False) + "\n")
    sys.stdout.flush()


def json_ready(value: Any) -> Any:
    """`value` with every NaN or infinity (Python or NumPy) replaced by None, and NumPy values made Python ones."""
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):  # a NumPy scalar or array, numpy not imported
        value = value.tolist()
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def relative_interval(ci: Any) -> str:
    """A relative effect's confidence interval for a table whose header says %: "[-6.9, +1.9]" (percentage points,
    one decimal). Fieller's interval is unbounded when the control level is not distinguishable from 0: an infinite
    bound, or a missing one (JSON null) beside a finite one, reads "unbounded"; n/a when both are missing."""
    finite = [v is not None and math.isfinite(v) for v in ci]
    if not any(finite):
        return "unbounded" if all(v is not None and math.isinf(v) for v in ci) else "[n/a, n/a]"
    lo, hi = (f"{v * 100:+.1f}" if ok else "unbounded" for v, ok in zip(ci, finite, strict=True))
    return f"[{lo}, {hi}]"
