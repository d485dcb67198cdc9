"""`cxscale value`: see `cxscale value --help`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cxscale.cli._app import app, console, err_console, print_json, read_settings
from cxscale.errors import CxscaleError
from cxscale.format import compact, interval, money, percent

if TYPE_CHECKING:  # imported when the command runs, to keep `cxscale --help` fast
    from cxscale.portfolio.value import Compounding, Effect, Monitoring

_STYLE = {"holding": "green", "decayed": "bold red", "no reading": "bold yellow", "not due": "dim",
          "overlaps": "bold yellow", "compounds": "bold green", "adds up": "bold", "incomplete": "yellow"}

#: What the parts of each compounding check are, and why their estimates are independent.
SAME_DESIGN = ("same holdout design: every capability's effect alone and the combined effect are read on disjoint "
               "random cells of the customers at scale (k alone vs its own holdout, everything vs the "
               "portfolio-wide holdout), so the estimates are independent and their variances add")
PROVEN = ("the proven pilots, each randomised on its own customers before scale, and the portfolio-wide holdout "
          "randomised again at scale: independent randomisations, so the variances add; the windows differ, so a "
          "decay since proof shows here as a shortfall too")


@app.command(epilog="Examples:\n\n  cxscale simulate --scenario scaled --customers 60000 --out out/scaled\n\n"
                    "  cxscale value --data out/scaled\n\n"
                    "  cxscale value --data out/scaled --json --fail-on-flag")
def value(
    data: str = typer.Option(..., "--data", "-d", help="The data (a world folder, file or Ibis URL)."),
    scale: Path | None = typer.Option(None, "--scale", help="Folder of the holdout specs: X.yaml per capability X "
                                      "and portfolio.yaml for the portfolio-wide holdout (default DATA/scale)."),
    pilots: Path | None = typer.Option(None, "--pilots", help="Folder of the proven pilot specs, X.yaml per "
                                       "capability (default DATA/pilots)."),
    window_days: int = typer.Option(91, "--window-days", min=1, max=3650, help="How often a capability at scale "
                                    "needs a holdout reading, in days."),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge as of this date (YYYY-MM-DD, UTC); default: the "
                                     "data's last contact."),
    as_json: bool = typer.Option(False, "--json", help="Print the monitor and the compounding check as JSON."),
    fail_on_flag: bool = typer.Option(False, "--fail-on-flag", help="Exit 1 when a capability is flagged (decayed "
                                      "or no reading), for CI."),
    mapping: str | None = typer.Option(None, "--mapping", help="Mapping name or file for the data."),
    engine: str | None = typer.Option(None, "--engine", help="duckdb (default), spark or an Ibis URL."),
    metrics: list[Path] = typer.Option([], "--metrics", help="Extra metric definitions (YAML), repeatable."),
) -> None:
    """Realised value at scale: each capability's holdout against its proven pilot, and whether the whole portfolio
    is worth the sum of its parts (docs/value-at-scale.md)."""
    from cxscale.measure.realised import read_scaled
    from cxscale.portfolio.value import compounding, monitor

    given = _as_of(as_of, None) if as_of is not None else None  # a bad date fails before the readouts run
    data_path: str | Path = Path(data).resolve() if Path(data).exists() else data
    with console.status("reading out the holdouts in the engine...", spinner="dots") as status:
        world = read_scaled(data_path, scale, pilots, mapping, engine, list(metrics), settings=read_settings(),
                            progress=lambda label: status.update(f"{label}..."))
    now = given or _as_of(None, world.data_end)
    checks = [monitor(c.proven, c.holdout.readout, capability=c.name, scaled_at=c.holdout.started,
                      reading_end=c.holdout.ends, as_of=now, window_days=window_days) for c in world.capabilities]
    combined = None if world.portfolio is None else world.portfolio.readout
    realised = compounding(combined, [(c.name, c.holdout.readout) for c in world.capabilities],
                           independence=SAME_DESIGN)
    proven = compounding(combined, [(c.name, c.proven) for c in world.capabilities], independence=PROVEN)
    flagged = [m.capability for m in checks if m.flagged]
    if as_json:
        print_json({"data": world.data, "as_of": now.isoformat(), "window_days": window_days,
                    "monitor": [m.to_json() for m in checks], "flagged": flagged,
                    "compounding": realised.to_json(), "compounding_proven": proven.to_json(),
                    "holdouts": [c.holdout.to_json() for c in world.capabilities]
                    + ([world.portfolio.to_json()] if world.portfolio else []),
                    "warnings": world.warnings})
    else:
        _render(checks, realised, proven, now, window_days, world.portfolio is None)
        for w in world.warnings:
            console.print(f"[yellow]warning:[/] {escape(w)}")
    if fail_on_flag and flagged:
        err_console.print(f"flagged: {', '.join(flagged)}", highlight=False)
        raise typer.Exit(1)


def _as_of(text: str | None, data_end: datetime | None) -> datetime:
    if text is None:
        if data_end is None:
            raise CxscaleError("the data has no contacts to date the check by; give --as-of YYYY-MM-DD")
        return data_end
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CxscaleError(f"--as-of {text!r}: give a date as YYYY-MM-DD, e.g. 2026-07-01") from None


def _rel(e: Effect | None) -> str:
    if e is None:
        return "-"
    return f"{percent(e.relative, sign=True)}\n{interval(e.ci[0], e.ci[1], lambda x: percent(x, sign=True))}"


def _money(e: Effect | None) -> str:
    """Money per year at a glance (the currency is in the column's header; the intervals in --json and below)."""
    return "-" if e is None or e.annual is None else compact(e.annual, 1)


def _render(checks: list[Monitoring], realised: Compounding, proven: Compounding, as_of: datetime,
            window_days: int, no_portfolio: bool) -> None:
    t = Table(title=f"Realised value at scale (as of {as_of:%Y-%m-%d}; a reading is due every {window_days} days)",
              box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, title_justify="left")
    cur = next((m.proven.currency for m in checks if m.proven.currency), "")
    t.add_column("capability\nmetric", overflow="fold", min_width=14)
    # Within 80 columns (a pipe, a CI log) the money is left to the compounding table below and --json.
    wide = console.width >= 100
    money_cols = (f"proven\n{cur}/yr", f"realised\n{cur}/yr") if wide else ()
    for col in ("proven\n[95% CI]", "realised\n[95% CI]", *money_cols):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column("status", no_wrap=True)
    for m in checks:
        style = _STYLE[m.status]
        money_cells = (_money(m.proven), _money(m.realised)) if wide else ()
        t.add_row(f"[bold]{escape(m.capability)}[/]\n{escape(m.metric)}", _rel(m.proven), _rel(m.realised),
                  *money_cells, f"[{style}]{m.status}[/]")
    console.print(t)
    for m in checks:
        console.print(f"[{_STYLE[m.status]}]{escape(m.capability)}[/]: {escape(m.reason)}")
    console.print()
    if no_portfolio:
        console.print("[yellow]no portfolio-wide holdout (portfolio.yaml in the scale folder): no compounding "
                      "check[/]")
        return
    _render_compounding("Does the portfolio compound? (effects alone at scale, same holdout design)", realised)
    if proven.verdict != "incomplete" and proven.sum is not None and proven.difference is not None:
        cur = proven.currency or ""
        console.print(f"Against the sum of the proven pilots, {_amount(proven.sum.annual, proven.sum.ci, cur)}, the "
                      f"difference is {_amount(proven.difference.annual, proven.difference.ci, cur, True)}: "
                      f"[{_STYLE[proven.verdict]}]{proven.verdict}[/] [dim](a decay since proof counts here too)[/]")


def _amount(x: float, ci: tuple[float, float], cur: str, sign: bool = False) -> str:
    return f"{money(x, cur, sign)} [{money(ci[0], cur, sign)}, {money(ci[1], cur, sign)}]"


def _render_compounding(title: str, c: Compounding) -> None:
    if c.verdict == "incomplete":
        console.print(f"[yellow]{escape(c.sentence)}[/]")
        return
    cur = c.currency or ""
    t = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, title_justify="left")
    t.add_column(f"{c.metric}: value per year", overflow="fold")
    t.add_column(cur, justify="right", no_wrap=True)
    t.add_column(f"[95% CI] {cur}", justify="right", no_wrap=True)
    rows: list[Any] = [*c.parts, c.sum, c.whole, c.difference]
    for i, v in enumerate(rows):
        sign = v is c.difference
        name = f"[bold]{escape(v.name)}[/]" if i >= len(c.parts) else escape(v.name)
        t.add_row(name, money(v.annual, "", sign), f"[{money(v.ci[0], '', sign)}, {money(v.ci[1], '', sign)}]",
                  end_section=i in (len(c.parts) - 1, len(c.parts) + 1))
    console.print(t)
    console.print(f"[{_STYLE[c.verdict]}]{escape(c.sentence)}[/]")
    console.print(f"[dim]independence: {escape(c.independence)}[/]")
