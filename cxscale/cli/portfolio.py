"""`cxscale portfolio`: load a portfolio folder into the store and list its initiatives; the store and the acting
person shared by the portfolio's commands (gate, signoff, stop, person)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from cxscale.cli._app import app, console, print_json, read_settings
from cxscale.errors import CxscaleError

if TYPE_CHECKING:
    from cxscale.portfolio.records import Initiative, Person
    from cxscale.portfolio.store import Store

portfolio_app = typer.Typer(rich_markup_mode="rich", invoke_without_command=True,
                            help="The governed portfolio: sync a folder of use cases into the store, list the "
                                 "initiatives by stage (docs/portfolio.md).\n\nExample: [bold]cxscale portfolio sync "
                                 "portfolio/[/] then [bold]cxscale portfolio[/]")
app.add_typer(portfolio_app, name="portfolio")

STORE_HELP = "The portfolio store: a SQLite file or a postgresql:// URL (default: CXSCALE_STORE, else portfolio.db)."
TOKEN_HELP = ("A file holding your personal API token (default: CXSCALE_TOKEN; on a SQLite store, else your "
              "operating-system user's person).")
ORDER = ("idea", "pilot", "proof", "scale", "stopped", "retired")


@contextmanager
def opened(store: str | None) -> Iterator[Store]:
    from cxscale.portfolio import open_store

    s = open_store(store or read_settings().store)
    try:
        yield s
    finally:
        s.close()


def acting(store: Store, token_file: Path | None, *, bootstrap: bool = False) -> Person | None:
    """Who is acting, by their credential: the token (file, else CXSCALE_TOKEN), else on a SQLite store the
    operating-system user. With `bootstrap`, None while the store has no admin who can sign in (service.sync,
    person add and token accept that); otherwise no credential is an error."""
    from cxscale.errors import AccessError
    from cxscale.portfolio.people import authenticate, os_user, read_token_file
    from cxscale.portfolio.service import bootstrapping

    if not store.exists() and not bootstrap:
        raise CxscaleError(f"the portfolio store {store!r} was never written: cxscale portfolio sync DIR first")
    secret = read_settings().token
    token = read_token_file(token_file) if token_file else secret.get_secret_value() if secret else None
    if bootstrap and token is None and bootstrapping(store):
        try:
            return authenticate(store, None, user=os_user())
        except AccessError:
            return None
    return authenticate(store, token, user=os_user())


@portfolio_app.callback()
def _default(ctx: typer.Context, store: str = typer.Option(None, "--store", help=STORE_HELP),
             as_json: bool = typer.Option(False, "--json", help="Print the initiatives as one JSON document.")) -> None:
    """Without a command: list the initiatives (cxscale portfolio list)."""
    if ctx.invoked_subcommand is None:
        list_command(store=store, as_json=as_json)


@portfolio_app.command("sync", epilog="Example:\n\n  cxscale portfolio sync portfolio/ --json")
def sync_command(
    folder: Path = typer.Argument(..., help="The portfolio folder: *.usecase.yaml files and people.yaml."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print what was added, changed, unchanged, refused and missing."),
) -> None:
    """Load a portfolio folder into the store: people, then every use case (a changed one is a new version; the
    history is kept). A use case of the store whose file is gone is reported missing, never deleted, with what to
    do. Exit 1 when anything was refused. Needs a council member or an admin (anyone on a store with
    no admin who can sign in yet).

    Example: [bold]cxscale portfolio sync portfolio/[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        report = service.sync(s, folder, acting(s, token_file, bootstrap=True))
    if as_json:
        print_json(report.to_json())
    else:
        colour = {"added": "green", "changed": "cyan", "unchanged": "dim", "refused": "red", "missing": "yellow"}
        for i in report.items:
            version = f" (version {i.version})" if i.version and i.status in ("added", "changed") else ""
            note = f": {escape(i.why)}" if i.why else ""
            console.print(f"[{colour[i.status]}]{i.status}[/] {i.kind} {escape(i.id)}{version}{note}", highlight=False,
                          soft_wrap=True)
        console.print(", ".join(f"{report.count(k)} {k}" for k in colour))
    if report.count("refused"):
        raise typer.Exit(1)


def summary(i: Initiative, missing: list[Any], pending: Any) -> dict[str, Any]:
    """One initiative as the list shows it: stage, owners, metric and target, the latest readout's verdict and
    recommendation, the next gate's missing conditions and an override waiting for its sponsor."""
    from cxscale.portfolio import recommend

    uc, r = i.use_case, i.latest_readout
    m = uc.metric
    target = m.target if m is not None else None
    rec = recommend(r.readout) if r is not None else None
    return {"id": i.id, "title": uc.title, "stage": i.stage, "since": i.stage_since.isoformat(), "version": i.version,
            "owners": uc.owners.model_dump() if uc.owners else {},
            "metric": m.name if m else None, "window_days": m.window_days if m else None,
            "target": target.model_dump(exclude_none=True) if target else None,
            "readout": {"verdict": r.readout.verdict, "recommendation": rec.action if rec else None,
                        "at": r.at.isoformat(), "digest": r.digest} if r else None,
            "missing": [{"name": c.name, "message": c.message} for c in missing],
            "pending": {"proposer": pending.proposer, "to_stage": pending.to_stage, "reason": pending.reason}
            if pending else None}


def _target(t: dict[str, float] | None) -> str:
    from cxscale import format as fmt

    if not t:
        return "-"
    return fmt.percent(t["relative"], sign=True) if "relative" in t else fmt.number(t["absolute"], sign=True)


@portfolio_app.command("list")
def list_command(
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the initiatives as one JSON document."),
) -> None:
    """The initiatives by stage, with owners, metric, target, the latest readout's verdict and the next gate's
    missing conditions. Reading never creates the store.

    Example: [bold]cxscale portfolio list --json[/]
    """
    from cxscale.errors import GateError
    from cxscale.portfolio import service

    with opened(store) as s:
        waiting = {p.initiative: p for p in service.proposals(s)}
        rows = []
        for i in sorted(service.initiatives(s), key=lambda i: (ORDER.index(i.stage), i.id)):
            try:
                missing = service.check(s, i.id).missing
            except GateError:
                missing = []
            rows.append(summary(i, missing, waiting.get(i.id)))
    if as_json:
        print_json({"initiatives": rows})
        return
    table = Table(title=f"Portfolio ({len(rows)} initiatives)")
    for col in ("initiative", "stage", "owners (tech / ops / comm / sponsor)", "metric", "target", "readout",
                "next gate: missing"):
        table.add_column(col, overflow="fold", ratio=3 if col.startswith("next") else 1)
    for r in rows:
        o = r["owners"]
        owners = " / ".join(o.get(k) or "-" for k in ("technology", "operations", "commercial", "executive_sponsor"))
        readout = f"{r['readout']['verdict']} ({r['readout']['recommendation'] or 'no recommendation'})" \
            if r["readout"] else "-"
        gaps = "; ".join(f"{c['name']}: {c['message']}" for c in r["missing"]) or "-"
        if r["pending"]:
            gaps = f"override to {r['pending']['to_stage']} proposed by {r['pending']['proposer']}, waits for " \
                      f"the sponsor; " + gaps
        metric = f"{r['metric']} ({r['window_days']} days)" if r["metric"] else "-"
        table.add_row(escape(r["id"]), f"{r['stage']} since {r['since'][:10]}", escape(owners), escape(metric),
                      _target(r["target"]), escape(readout), escape(gaps))
    console.print(table)


@portfolio_app.command("attach")
def attach_command(
    initiative: str = typer.Argument(..., help="The initiative (use case id)."),
    readout: Path = typer.Argument(..., help="The readout of its pilot: the JSON of cxscale measure --json."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the stored readout's digest and time as JSON."),
) -> None:
    """Attach a readout of the initiative's pilot spec (an owner of it or a council member): the pilot -> proof gate
    reads the latest, and sign-offs given on an earlier one are reset.

    Example: [bold]cxscale measure out/world/pilots/proactive_alerts.yaml --json > readout.json[/] then
    [bold]cxscale portfolio attach proactive-alerts readout.json[/]
    """
    import json

    from cxscale.portfolio import service

    try:
        doc = json.loads(readout.read_text())
    except (OSError, ValueError) as exc:
        raise CxscaleError(f"{readout}: not a readout JSON file ({exc}); write one with cxscale measure --json") from None
    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        stored = service.attach_readout(s, initiative, doc, actor)
    if as_json:
        print_json({"initiative": initiative, "pilot": stored.readout.pilot, "verdict": stored.readout.verdict,
                    "digest": stored.digest, "at": stored.at.isoformat()})
        return
    console.print(f"[green]attached[/]: readout of {escape(stored.readout.pilot)} ({escape(stored.readout.verdict)}) "
                  f"to {escape(initiative)}, digest {stored.digest[:16]}", highlight=False)
