"""`cxscale gate check|advance|approve`, `cxscale signoff`, `cxscale stop` and `cxscale retire`: carry an initiative through its gates
on evidence, as the person a credential establishes (docs/portfolio.md#the-command-line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxscale.cli._app import app, console, print_json, read_settings
from cxscale.cli.portfolio import STORE_HELP, TOKEN_HELP, acting, opened
from cxscale.errors import DataError

if TYPE_CHECKING:
    from cxscale.data.dataset import Dataset
    from cxscale.portfolio.gates import GateResult
    from cxscale.portfolio.service import Outcome

gate_app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                       help="The gates idea -> pilot -> proof -> scale: check one on the stored evidence, advance "
                            "through it, approve an override (docs/portfolio.md#gates).\n\nExample: [bold]cxscale "
                            "gate check noshow-proactive-outreach --data ../shared/data/noshow --mapping noshow[/]")
app.add_typer(gate_app, name="gate")

_DATA_HELP = "Data folder/file or Ibis URL: at idea, plan the pilot on this baseline (the gate's power plan)."


def _data(data: str | None, mapping: str | None, engine: str | None) -> Callable[[], Dataset] | None:
    """The --data baseline as a function that opens it: the service calls it only for a gate at idea (its power
    plan), so a gate past idea neither imports the engine nor validates data it does not read."""
    if data is None:
        return None
    if "://" not in data and not Path(data).exists():  # a typo is an error at every stage, not only at idea
        raise DataError(f"{data}: no such file or folder")

    def open_baseline() -> Dataset:
        from cxscale.data import open_data

        return open_data(data, mapping, engine, settings=read_settings())

    return open_baseline


def _show(result: GateResult) -> None:
    verdict = "[bold green]passes[/]" if result.passed else "[bold red]does not pass[/]"
    console.print(f"gate {result.from_stage} -> {result.to_stage}: {verdict}", highlight=False)
    for c in result.conditions:
        mark = "[green]held[/]" if c.held else "[red]not held[/]"
        console.print(f"  {mark} {escape(c.name)}: {escape(c.message)}", highlight=False, soft_wrap=True)
    rec = result.recommendation
    if rec is not None:
        console.print(f"  recommendation: [bold]{rec.action or 'none yet'}[/] (rule {escape(rec.rule)}: "
                      f"{escape(rec.reason)})", highlight=False, soft_wrap=True)


def _outcome(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        print_json(outcome.to_json())
        return
    e = outcome.entry
    if outcome.pending:
        console.print(f"[yellow]proposed[/]: {escape(outcome.initiative)} {outcome.from_stage} -> {outcome.to_stage} "
                      f"goes against the recommendation, an override: it waits for the executive sponsor "
                      f"{escape(outcome.waiting_for or '')} (cxscale gate approve {escape(outcome.initiative)}); log "
                      f"entry {e.seq}", highlight=False, soft_wrap=True)
        return
    move = f" {outcome.from_stage} -> {outcome.to_stage}" if outcome.to_stage else ""
    marked = " [bold yellow](override)[/]" if outcome.action == "override" else ""
    console.print(f"[green]{outcome.action}[/]{marked}: {escape(outcome.initiative)}{move} by {escape(e.actor)}: "
                  f"{escape(e.reason)} (log entry {e.seq})", highlight=False, soft_wrap=True)


@gate_app.command("check")
def check_command(
    initiative: str = typer.Argument(..., help="The initiative (use case id)."),
    data: str = typer.Option(None, "--data", "-d", help=_DATA_HELP),
    mapping: str = typer.Option(None, "--mapping", help="Mapping name or file for the data."),
    engine: str = typer.Option(None, "--engine", help="duckdb (default), spark or an Ibis URL."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the gate's result as one JSON document."),
) -> None:
    """Judge the initiative's next gate on its stored documents: every condition, held or not, with its numbers.
    Exit 1 when the gate does not pass.

    Example: [bold]cxscale gate check proactive-alerts --json[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        result = service.check(s, initiative, _data(data, mapping, engine))
    if as_json:
        print_json({"initiative": initiative, "from_stage": result.from_stage, "to_stage": result.to_stage,
                    "passed": result.passed, "conditions": [c.model_dump(mode="json") for c in result.conditions],
                    "recommendation": result.recommendation.model_dump(mode="json") if result.recommendation
                    else None})
    else:
        _show(result)
    if not result.passed:
        raise typer.Exit(1)


@gate_app.command("advance")
def advance_command(
    initiative: str = typer.Argument(..., help="The initiative (use case id)."),
    to: str = typer.Option(..., "--to", help="The stage to advance to: pilot, proof or scale (the next one)."),
    reason: str = typer.Option(..., "--reason", help="Why: every decision says why."),
    data: str = typer.Option(None, "--data", "-d", help=_DATA_HELP),
    mapping: str = typer.Option(None, "--mapping", help="Mapping name or file for the data."),
    engine: str = typer.Option(None, "--engine", help="duckdb (default), spark or an Ibis URL."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the decision and its log entry as JSON."),
) -> None:
    """Advance the initiative through its next gate, as you (an owner of it or a council member). A gate whose
    conditions hold moves it; advancing against the readout's recommendation is an override, proposed here and
    taken when the executive sponsor approves it (gate approve).

    Example: [bold]cxscale gate advance proactive-alerts --to proof --reason "ship"[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        outcome = service.advance(s, initiative, to, reason, actor, data=_data(data, mapping, engine))
    _outcome(outcome, as_json)


@gate_app.command("approve")
def approve_command(
    initiative: str = typer.Argument(..., help="The initiative whose override waits for you."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the decision and its log entry as JSON."),
) -> None:
    """Approve the override proposed for the initiative, as its executive sponsor (never your own proposal).

    Example: [bold]cxscale gate approve proactive-alerts[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        _outcome(service.approve(s, initiative, actor), as_json)


@app.command("signoff")
def signoff_command(
    initiative: str = typer.Argument(..., help="The initiative (use case id), at proof."),
    function: str = typer.Option(..., "--function", help="technology, operations or commercial: yours."),
    reason: str = typer.Option(None, "--reason", help="What you signed off on (default: the current evidence)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the sign-off's log entry as JSON."),
) -> None:
    """Sign off an initiative at proof for your own function, on its current evidence.

    You must be its owner for that function; the evidence is its use case and latest readout, and a new readout or
    an edited use case resets the sign-off.

    Example: [bold]cxscale signoff proactive-alerts --function operations[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        _outcome(service.signoff(s, initiative, function, actor, reason), as_json)


@app.command("stop")
def stop_command(
    initiative: str = typer.Argument(..., help="The initiative (use case id)."),
    reason: str = typer.Option(..., "--reason", help="Why it stops."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the decision and its log entry as JSON."),
) -> None:
    """Stop the initiative from any stage, for a reason (its executive sponsor or a council member).

    Example: [bold]cxscale stop ivr-greeting --reason "a placebo: no effect in 56 days"[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        _outcome(service.stop(s, initiative, reason, actor), as_json)


@app.command("retire")
def retire_command(
    initiative: str = typer.Argument(..., help="The initiative (use case id), at scale."),
    reason: str = typer.Option(..., "--reason", help="Why it retires (replaced, no longer worth running)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the decision and its log entry as JSON."),
) -> None:
    """Retire a capability at scale, for a reason (its executive sponsor or a council member). An initiative that
    did not scale is stopped instead.

    Example: [bold]cxscale retire proactive-alerts --reason "replaced by outage-alerts-technical"[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        _outcome(service.retire(s, initiative, reason, actor), as_json)
