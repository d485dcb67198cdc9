"""`cxscale plan`: see `cxscale plan --help`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from cxscale.cli._app import MAX_DAYS, app, console, number_in, print_json, read_settings
from cxscale.errors import SpecError


@app.command(epilog="Examples:\n\n  cxscale plan --metric cost_to_serve --data data/ --target -0.05\n\n"
                    "  cxscale plan --metric aht --data data/ --target -0.1 --days 60 --json\n\n"
                    "  cxscale plan --spec out/demo/use_cases/<id>.pilot.yaml --data out/demo/world")
def plan(
    data: str | None = typer.Option(None, "--data", "-d", help="Data folder/file or an Ibis URL "
                                    "(postgres://user@host/db/schema) whose recent traffic gives the baseline."),
    metric: str | None = typer.Option(None, "--metric", help="The metric to plan for."),
    target: float | None = typer.Option(None, "--target", callback=number_in(-1, above=True),
                                        help="Relative change to detect (-0.05 = -5%; above -1)."),
    spec: Path | None = typer.Option(None, "--spec", help="Plan for this pilot spec (its primary metric and target, "
                                                          "unit, post window and scope; e.g. a use-case draft's "
                                                          "<id>.pilot.yaml); options given beside it win."),
    unit: str | None = typer.Option(None, "--unit", help="Unit of randomisation (default customer, or the spec's)."),
    window_days: int | None = typer.Option(None, "--window-days", min=1, max=MAX_DAYS,
                                           help="Measurement window in days (default 28, or the spec's post_days)."),
    days: float | None = typer.Option(None, "--days", callback=number_in(1, MAX_DAYS),
                                      help="Also the minimum detectable effect when enrolling for this many days "
                                           f"(1 to {MAX_DAYS})."),
    mapping: str | None = typer.Option(None, "--mapping", help="Mapping name or file for the data."),
    engine: str | None = typer.Option(None, "--engine", help="duckdb (default), spark or an Ibis URL."),
    validate: bool = typer.Option(True, "--validate/--no-validate", help="Plan on the rows that pass the data "
                                  "contract (default); --no-validate reads contract-typed data as it is."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON document."),
) -> None:
    """Size a pilot: the units and days it needs to detect a target change of a metric, on your data's baseline.

    Example: [bold]cxscale plan --metric cost_to_serve --data data/ --target -0.05[/]
    """
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot
    from cxscale.metrics.catalog import builtin_catalog

    scope, absolute = None, None
    if spec is not None:  # the spec's primary metric, target, unit, post window and scope
        from cxscale.documents.pilot_spec import load_spec

        pilot = load_spec(spec)
        metric = metric or pilot.primary.metric
        given = pilot.primary.target
        if target is None:
            if given is None:
                raise SpecError(f"{spec}: the primary metric has no target; give --target as a relative "
                                "change (e.g. -0.05) to plan for one")
            target, absolute = given.relative, given.absolute
        unit, window_days = unit or pilot.unit, window_days or pilot.windows.post_days
        scope = pilot.scope.values() if pilot.scope is not None else None
    if data is None or metric is None or (target is None and absolute is None):
        raise SpecError("cxscale plan needs --data PATH and either --spec FILE or --metric NAME "
                        "--target SHARE (e.g. -0.05)")
    ds = open_data(data, mapping, engine, validate=validate, settings=read_settings())
    p = plan_pilot(ds, metric, target, target_absolute=absolute, unit=unit or "customer",
                   window_days=window_days or 28, days=days, scope=scope)
    if as_json:
        print_json({**p.to_json(), "scope": scope})
        return
    where = "" if not scope else " within " + ", ".join(f"{k} {', '.join(v)}" for k, v in scope.items())
    m = builtin_catalog().get(p.metric)
    # a mean or ratio is pooled over the units' rows; its spread is per unit, by the delta method (docs/cli.md#plan)
    console.print(f"[bold]{p.metric}[/]{where}: baseline {p.baseline:,.4g} " + (
        f"(pooled over the {p.unit}s' {m.source}), sd {p.sd_per_unit:,.4g} per {p.unit} (delta method)" if m.is_ratio
        else f"per {p.unit}, sd {p.sd_per_unit:,.4g}"))
    change = f"{p.target_relative:+.1%} ({p.mde_abs:,.4g})" if p.target_absolute is None else \
        f"{p.target_absolute:+,.4g} ({p.target_relative:+.1%})"
    console.print(f"to detect {change} at alpha {p.alpha:g}, "
                  f"power {p.power:.0%}: [bold]{p.n_per_arm:,}[/] units per arm, {p.n_total:,} in total")
    head, _, rest = p.note.partition(": ")  # "not feasible[ within N days]: ..." or "<unit>s are ...: ..."
    console.print(f"[bold green]feasible:[/] {escape(p.note)}" if p.feasible else
                  f"[bold red]{escape(head)}:[/] {escape(rest)}", highlight=False)
    if p.mde_days is not None and p.fixed_population:
        console.print(f"{p.unit}s are a fixed population: enrolling for {p.mde_days:,.0f} days adds none")
    elif p.mde_relative_at_days is not None:
        console.print(f"enrolling for {p.mde_days:,.0f} days detects changes of "
                      f"{abs(p.mde_relative_at_days):.1%} ({abs(p.mde_abs_at_days or 0):,.4g}) or more")
