"""`cxscale demo`: the whole pipeline on the embedded synthetic world (what `make demo` runs)."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxscale.cli._app import app, console, print_json, read_settings, relative_interval

_VERDICT_STYLE = {"proven": "bold green", "harmful": "bold red", "blocked": "bold yellow"}


def _money(v: float | None, currency: str) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:,.0f} {currency}".strip()


def _k(v: float) -> str:
    """Compact money: 207k, -57k, 1.2M."""
    a = abs(v)
    return f"{v / 1e6:.1f}M" if a >= 1e6 else f"{v / 1e3:.0f}k" if a >= 1e3 else f"{v:.0f}"


@app.command("demo")
def demo_command(
    out: Path = typer.Option(Path("out/demo"), "--out", "-o", help="Folder for the world and every report."),
    customers: int = typer.Option(50_000, "--customers", "-n", min=100, help="Customers in the simulated world."),
    seed: int = typer.Option(42, "--seed", min=0, help="Random seed of the simulated world."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document with every step's result."),
) -> None:
    """Run cxscale end to end on a simulated CX world: simulate, validate, diagnose, measure every pilot.

    Example: [bold]cxscale demo --customers 100000 --out out/demo[/] then open out/demo/diagnosis.html.
    """
    from cxscale.demo import STEPS, run_demo

    if as_json:
        print_json(run_demo(out, customers, seed, settings=read_settings()).to_json())
        return
    with Progress(TextColumn("[bold]{task.description:<10}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("starting", total=len(STEPS))
        seen: list[str] = []

        def step(name: str) -> None:
            seen.append(name)
            bar.update(task, description=name, completed=len(seen) - 1)

        result = run_demo(out, customers, seed, step, settings=read_settings())
    _render(result)


def _render(result) -> None:  # type: ignore[no-untyped-def]
    o = result.summary["overall"]
    currency = result.world.ground_truth["currency"]
    console.rule("[bold]1. the world")
    console.print(f"{o['customers']:,} customers made {o['interactions']:,} contacts from {str(o['first'])[:10]} to "
                  f"{str(o['last'])[:10]} across {o['intents']} intents, {o['sites']} sites and {o['agents']} agents; "
                  f"cost to serve {_money(o['cost'], currency)}, CSAT {o['csat_mean']:.2f}/5.")
    v = result.validation["tables"]
    table = Table(title="2. validated against the data contract")
    for col in ("table", "rows read", "accepted", "rejected"):
        table.add_column(col, justify="right" if col != "table" else "left")
    for name, t in v.items():
        table.add_row(name, f"{t['rows_read']:,}", f"{t['rows_accepted']:,}", f"{t['rows_rejected']:,}")
    console.print(table)
    d = result.diagnosis
    # Laid out for 80 columns (a pipe, a CI log): names fold onto a second line rather than being cut short.
    hot = Table(title=f"3. where the journey breaks (top hotspots, money per year in {d.currency})",
                box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True, pad_edge=False)
    hot.add_column("#", justify="right", no_wrap=True)
    hot.add_column("intent\nstage", min_width=10, overflow="fold")
    for col in ("con-\ntacts", "repeat\n7d", "trans-\nfer", "CSAT", "avoid-\nable/yr", "score"):
        hot.add_column(col, justify="right", no_wrap=True)
    for i, h in enumerate(d.hotspots[:5], 1):
        hot.add_row(str(i), f"[bold]{escape(h.intent)}[/]\n{escape(h.journey_stage)}", f"{h.volume:,}",
                    f"{h.repeat_contact_rate:.1%}", f"{h.transfer_rate:.1%}",
                    f"{h.csat_mean:.2f}" if h.csat_mean is not None else "n/a",
                    _money(h.avoidable_cost_per_year, ""), f"{h.score:.1f}")
    console.print(hot)
    pilots = Table(title=f"4. pilots measured in business terms (value per year in {currency})",
                   box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True, pad_edge=False)
    pilots.add_column("pilot\nprimary metric", overflow="fold")
    for col in ("effect\n[95% CI]", "value/yr\n[95% CI]"):
        pilots.add_column(col, justify="right", no_wrap=True)
    pilots.add_column("verdict", no_wrap=True)
    for r in result.readouts:
        m = r.primary[0] if r.primary else None
        effect = "n/a"
        if m and m.effect_rel is not None and math.isfinite(m.effect_rel):
            effect = f"{m.effect_rel:+.1%}"
            effect += f"\n{relative_interval(m.ci_rel)}"
        money = "n/a"
        if r.value is not None and math.isfinite(r.value.annual):
            lo, hi = r.value.ci
            money = _k(r.value.annual) + (f"\n[{_k(lo)}, {_k(hi)}]" if math.isfinite(lo) and math.isfinite(hi) else "")
        style = _VERDICT_STYLE.get(r.verdict, "")
        name = f"[bold]{escape(r.pilot)}[/]" + (" (rollout)" if r.design == "rollout" else "")
        pilots.add_row(f"{name}\n{escape(m.name) if m else 'n/a'}", escape(effect), escape(money),
                       f"[{style}]{r.verdict}[/]" if style else r.verdict)
    console.print(pilots)
    if result.portfolio is not None:
        _render_portfolio(result)
    console.print(f"reports: {result.files['diagnosis_html']}, {result.files['readouts']}/*.html; "
                  f"use-case drafts: {result.files['use_case_drafts']}/")
    if result.portfolio is not None:
        console.print(f"portfolio: store {result.files['portfolio_store']}, review pack {result.files['review']}, "
                      f"proof points {result.files['proof_points']}/; the dashboard: [bold]cxscale serve[/]")


_STAGES = ("idea", "pilot", "proof", "scale", "stopped", "retired")


def _render_portfolio(result) -> None:  # type: ignore[no-untyped-def]
    story = result.portfolio
    by_stage = {s: sorted(i for i, st in story.stages.items() if st == s) for s in _STAGES}
    table = Table(title=f"5. the portfolio: {len(story.stages)} initiatives carried through their gates on evidence",
                  box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True, pad_edge=False)
    table.add_column("stage", no_wrap=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("initiatives", overflow="fold")
    for s in _STAGES:
        if by_stage[s]:
            table.add_row(s, str(len(by_stage[s])), ", ".join(by_stage[s]))
    console.print(table)
    taken = [x for x in story.steps if x["done"]]
    refused = [x for x in story.steps if not x["done"]]
    console.print(f"{len(taken)} decisions taken, {len(refused)} refused by their gate or waiting; the decision log "
                  f"holds {story.log['entries']} entries and "
                  + ("[green]verifies[/] against its signed checkpoint." if story.log["verified"] else
                     "[red]does not verify[/]."))
    flagged = [f for f in story.audit if f["flags"]]
    traps = {t: sum(1 for f in flagged if t in f["traps"]) for t in ("isolated", "unmeasured", "unowned")}
    console.print(f"6. pilot-trap audit: {len(flagged)} of {len(story.audit)} initiatives flagged ("
                  + ", ".join(f"{n} {t}" for t, n in traps.items()) + "); scorecard levels: "
                  + ", ".join(f"{d['dimension']} {d['level']}" for d in story.scorecard["dimensions"]) + ".")
    console.print("7. proof points: " + (f"{len(story.proof_points)} built (" + ", ".join(sorted(story.proof_points))
                                         + ")." if story.proof_points else "none: no pilot reached proof."))
