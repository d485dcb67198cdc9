"""`cxscale capability`: list the capabilities, evaluate one offline on real or simulated data."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cxscale.cli._app import app, console, print_json
from cxscale.errors import CxscaleError

capability_app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                             help="Agent-assist capabilities: list them, measure their offline quality.\n\n"
                                  "Example: [bold]cxscale capability evaluate guidance --data ../shared/data/abcd[/]")
app.add_typer(capability_app, name="capability")


@capability_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print the registry as one JSON document.")) -> None:
    """The capabilities, whether they assist agents or deflect contacts, and their unit of randomisation.

    Example: [bold]cxscale capability list --json[/]
    """
    from dataclasses import asdict

    from cxscale.capabilities.base import REGISTRY

    if as_json:
        print_json([asdict(c) for c in REGISTRY.values()])
        return
    t = Table(title="Capabilities")
    for col in ("name", "mode", "unit of randomisation", "metrics", "description"):
        t.add_column(col, overflow="fold")
    for c in REGISTRY.values():
        t.add_row(c.name, c.mode, c.unit_label, ", ".join(c.metrics), escape(c.description))
    console.print(t)


@capability_app.command("evaluate", epilog="Examples:\n\n"
                        "  cxscale capability evaluate intent_routing --data ../shared/data/banking77 --out intent.html\n\n"
                        "  cxscale capability evaluate intent_routing --train train.csv --test test.csv --json\n\n"
                        "  cxscale capability evaluate guidance --data out/world\n\n"
                        "  cxscale capability evaluate outreach --data ../shared/data/hillstrom/hillstrom.csv")
def evaluate_command(
    name: str = typer.Argument(..., help="intent_routing, guidance, after_contact or outreach."),
    data: Path | None = typer.Option(None, "--data", "-d", help="BANKING77 folder, ABCD folder, Hillstrom CSV or a "
                                                               "simulated world folder."),
    train: Path | None = typer.Option(None, "--train", help="intent_routing: a labelled CSV to train on."),
    test: Path | None = typer.Option(None, "--test", help="intent_routing: a labelled CSV to report on."),
    text_column: str = typer.Option("text", "--text-column", help="The text column of --train/--test."),
    label_column: str = typer.Option("category", "--label-column", help="The label column of --train/--test."),
    sample: int | None = typer.Option(None, "--sample", min=100, max=10**9, help="Subsample the data (stratified) to this many "
                                                                      "rows for a quick run."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Seed of the splits and models."),
    out: Path | None = typer.Option(None, "--out", help="Also write an HTML report with its charts here."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON document."),
) -> None:
    """The offline quality report of a capability: its metrics beside a baseline (chance, random targeting,
    first-come routing), published figures where the benchmark has them, and what the numbers do not show.

    Example: [bold]cxscale capability evaluate intent_routing --data ../shared/data/banking77[/]
    """
    from cxscale.capabilities.base import info
    from cxscale.capabilities.report import evaluate, intent_report

    info(name)
    if train is not None or test is not None:
        if name != "intent_routing" or train is None or test is None or data is not None:
            raise CxscaleError("--train and --test go together, with intent_routing and without --data")
        from cxscale.capabilities.datasets import labelled_csv

        tx, ty = labelled_csv(train, text_column, label_column)
        vx, vy = labelled_csv(test, text_column, label_column)
        unseen = sorted(set(vy) - set(ty))
        if unseen:
            raise CxscaleError(f"{test}: column {label_column}: labels absent from {train}: {', '.join(unseen[:5])}")
        with console.status("training and evaluating the intent model"):
            report = intent_report(tx, ty, vx, vy, f"{train.name} -> {test.name}", f"{train}, {test}", seed)
    elif data is None:
        raise CxscaleError(f"cxscale capability evaluate {name} needs --data PATH (or --train and --test)")
    else:
        with console.status(f"evaluating {name} on {data}"):
            report = evaluate(name, data, seed, sample)
    if out is not None:
        from cxscale.capabilities.html import write_html

        write_html(report, out)
    if as_json:
        print_json(report.to_json())
        return
    _render(report)
    if out is not None:
        console.print(f"report written to {out}")


def _render(report: object) -> None:
    from cxscale.capabilities.html import formatted
    from cxscale.capabilities.report import Report
    from cxscale.format import percent

    assert isinstance(report, Report)
    t = Table(title=f"{report.capability} on {escape(report.dataset)}")
    for col in ("metric", "value", "baseline", "note"):
        t.add_column(col, justify="right" if col in ("value", "baseline") else "left", overflow="fold")
    for m in report.metrics:
        t.add_row(m.name, formatted(m), "" if m.baseline is None else formatted(m, m.baseline), escape(m.note))
    console.print(t)
    for name, value in report.published:
        console.print(f"published: {escape(name)}: accuracy {percent(value)}", highlight=False)
    for n in report.notes:
        console.print(f"[dim]{escape(n)}[/]", highlight=False)


@capability_app.command("assign", epilog="Examples:\n\n"
                        "  cxscale capability assign knowledge_guidance --unit cust-000042\n\n"
                        "  cxscale capability assign noshow_outreach --unit p-1001 --spec out/world/pilots/"
                        "noshow_outreach.yaml --json")
def assign_command(
    name: str = typer.Argument(..., help="The capability pilot: its pilot name (the hash seed), e.g. "
                                         "knowledge_guidance."),
    unit: list[str] = typer.Option(..., "--unit", "-u", help="A unit id (repeat for several)."),
    spec: Path | None = typer.Option(None, "--spec", help="The capability pilot's spec: its seed, arms, split, "
                                                          "coverage and namespace (without: 50/50 control/treatment "
                                                          "seeded by NAME)."),
    as_json: bool = typer.Option(False, "--json", help="Print {unit: arm} as JSON."),
) -> None:
    """The arm of each unit, computed the way every system can recompute it: a seeded FNV-1a hash of the unit id
    (GrowthBook's hashing; docs/capability-pilots.md#assignment). A unit outside the coverage or the namespace gets
    no arm (null): it is not in the pilot."""
    from cxscale.assignment import AssignmentPlan
    from cxscale.documents.pilot_spec import load_spec

    if spec is not None:
        pilot = load_spec(spec)
        if pilot.capability is None:
            raise CxscaleError(f"{spec}: not a capability pilot (no capability: block; docs/capability-pilots.md)")
        if pilot.pilot != name:
            raise CxscaleError(f"{spec} is the pilot {pilot.pilot!r}, not {name!r}")
        plan = pilot.capability.plan(pilot)
    else:
        plan = AssignmentPlan(seed=name)
    arms = {u: plan.arm(u) for u in unit}
    if as_json:
        print_json(arms)
        return
    for u, arm in arms.items():
        console.print(f"{escape(u)}: [bold]{arm or 'not in the pilot'}[/]", highlight=False)
