"""`cxscale scorecard`: the mastery scorecard (embedded, aligned, augmenting, governed), stored for its trend."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cxscale.cli._app import app, console, print_json
from cxscale.cli.audit import AS_OF_HELP, DIAGNOSIS_HELP, STORE_HELP, as_of_moment, open_portfolio, records


@app.command("scorecard")
def scorecard_command(
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    diagnosis: Path = typer.Option(None, "--diagnosis", help=DIAGNOSIS_HELP),
    quarter: str = typer.Option(None, "--quarter", help="The quarter the evaluation counts for, e.g. 2026Q3 "
                                                        "(default: the quarter of --as-of)."),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    save: bool = typer.Option(True, "--save/--no-save", help="Store the evaluation for the trend (default)."),
    fail_below: int = typer.Option(None, "--fail-below", min=1, max=3,
                                   help="Exit 1 when a dimension's level is below this (1-3)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scorecard and its trend as one JSON document."),
) -> None:
    """Score the portfolio on four dimensions of cumulative levels (a level holds when every check of it and below
    holds): embedded (stages and cost-to-serve touched at scale), aligned (targets, baselines, readouts, value in
    money), augmenting (capabilities that assist agents; outcomes held) and governed (owners, logged decisions, the
    log verifies, overrides). Each evaluation is stored, so the trend shows quarter on quarter
    (docs/portfolio-audit.md#the-scorecard).

    Example: [bold]cxscale scorecard --diagnosis diagnosis.json --fail-below 1[/]
    """
    from cxscale.portfolio.log import verify
    from cxscale.portfolio.scorecard import LEVELS, evaluate, evaluations, save_evaluation, trend

    moment = as_of_moment(as_of)
    opened = open_portfolio(store)
    try:
        recs = records(opened, diagnosis)
        card = evaluate(recs.initiatives, recs.people, recs.diagnosis, verify(opened), moment, quarter)
        if save:
            save_evaluation(opened, card)
            history = evaluations(opened)
        else:
            history = [*evaluations(opened), card]
    finally:
        opened.close()
    levels = trend(history)
    below = [d.dimension for d in card.dimensions if fail_below is not None and d.level < fail_below]
    if as_json:
        print_json({"scorecard": card.to_json(), "trend": [{"quarter": q, "levels": lv} for q, lv in levels],
                    "saved": save, "below": below})
    else:
        table = Table(title=f"Mastery scorecard {card.quarter}")
        for col in ("dimension", "level", "checks", "to raise it"):
            table.add_column(col, overflow="fold")
        for d in card.dimensions:
            checks = "\n".join(f"{'[green]yes[/]' if c.held else '[red]no[/]'} L{c.level} {c.name}: {c.message}"
                               for c in d.checks)
            raise_by = "\n".join(f"{c.name}: {c.to_hold}" for c in d.to_raise) or "top level"
            table.add_row(d.dimension, f"{d.level} ({LEVELS[d.level]})", checks, raise_by)
        console.print(table)
        if len(levels) > 1:
            console.print("trend: " + "; ".join(f"{q} " + ", ".join(f"{k} {v}" for k, v in lv.items())
                                                 for q, lv in levels), highlight=False)
    if below:
        if not as_json:
            console.print(f"[red]below level {fail_below}[/]: {', '.join(below)}", highlight=False)
        raise typer.Exit(1)
