"""`cxscale simulate`: see `cxscale simulate --help`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxscale.cli._app import app, console, print_json
from cxscale.simulate import DEFAULT_CUSTOMERS


@app.command("simulate")
def simulate_command(
    scenario: str = typer.Option("support", "--scenario", "-s",
                                 help="support (telco/utility contact centre) or scheduling (healthcare appointments)."),
    customers: int = typer.Option(DEFAULT_CUSTOMERS, "--customers", "-n", min=1, help="Number of customers."),
    seed: int = typer.Option(42, "--seed", min=0, help="Random seed: the same seed gives the same world, byte for byte."),
    out: Path = typer.Option(Path("out/world"), "--out", "-o", help="Folder to write the world to."),
    chunk_customers: int = typer.Option(100_000, "--chunk-customers", min=1,
                                        help="Customers per Parquet part (bounds memory; does not change the data)."),
    workers: int | None = typer.Option(None, "--workers", min=1,
                                       help="Processes writing parts in parallel (default: up to 2; same data)."),
    messages: bool = typer.Option(False, "--messages", help="Also write each contact's first message and transcript "
                                  "and a knowledge base (for the capabilities' quality reports)."),
    capabilities: bool = typer.Option(False, "--capabilities", help="Also plant the capability pilots with their "
                                      "exposures, feedback and agents tables (docs/capability-pilots.md)."),
    anchoring: bool = typer.Option(False, "--anchoring", help="With --capabilities (support): plant anchoring in the "
                                   "wrap-up pilot, which its readout's guardrail must catch."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Write a synthetic CX world with planted hotspots and pilots (and their true effects) to a folder.

    Example: [bold]cxscale simulate --scenario support --customers 100000 --seed 7 --out out/world[/]
    then [bold]cxscale measure out/world/pilots/agent_assist.yaml[/].
    """
    from cxscale.simulate import scenarios, simulate

    if scenario not in scenarios():
        raise typer.BadParameter(f"unknown scenario {scenario!r}: choose one of {', '.join(scenarios())}",
                                 param_hint="--scenario")
    if anchoring and not (capabilities and scenario == "support"):
        raise typer.BadParameter("anchoring is planted in the support world's wrap-up pilot: add --capabilities "
                                 "(and --scenario support)", param_hint="--anchoring")
    if as_json:
        result = simulate(scenario, customers, seed, out, chunk_customers, workers=workers, messages=messages,
                          capabilities=capabilities, anchoring=anchoring)
        print_json(result.summary())
        return
    with Progress(TextColumn("[bold]simulating[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("customers"), TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(scenario, total=customers)
        result = simulate(scenario, customers, seed, out, chunk_customers,
                          progress=lambda done: bar.update(task, completed=done), workers=workers,
                          messages=messages, capabilities=capabilities, anchoring=anchoring)
    s = result.summary()
    console.print(f"[bold]{scenario}[/] world written to [bold]{out}[/] in {s['seconds']} s (seed {seed})")
    head = Table(show_header=True)
    head.add_column("table")
    head.add_column("rows", justify="right")
    for name, n in s["rows"].items():
        head.add_row(name, f"{n:,}")
    console.print(head)
    console.print(f"period {s['period']['start'][:10]} to {s['period']['end'][:10]} (end exclusive), "
                  f"currency {result.ground_truth['currency']}")
    pilots = Table(title="planted pilots (true effects in ground_truth.json)")
    for col in ("pilot", "design", "unit", "start", "true effects (relative)"):
        pilots.add_column(col, overflow="fold")
    for p in s["pilots"]:
        effects = ", ".join(f"{m} {e['relative']:+.1%}" for m, e in p["true_effects"].items())
        pilots.add_row(p["pilot"], p["design"], p["unit"], p["start"][:10], effects)
    console.print(pilots)
    spots = ", ".join(f"{h['intent']} ({'/'.join(h['kinds'])})" for h in s["hotspots"])
    console.print(f"hotspots: {spots}")
    console.print(f"pilot specs: {out}/pilots/*.yaml   ground truth: {out}/ground_truth.json")
