"""`cxscale person list|add|token|deactivate`: the people of the portfolio and their API tokens."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cxscale.cli._app import app, console, err_console, print_json
from cxscale.cli.portfolio import STORE_HELP, TOKEN_HELP, acting, opened

person_app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                         help="People, their functions and roles, and their personal API tokens (admins manage "
                              "them; docs/portfolio.md#roles-and-permissions).\n\nExample: [bold]cxscale person "
                              "token amira.khan --out ~/.cxscale-token[/]")
app.add_typer(person_app, name="person")


@person_app.command("list")
def list_command(store: str = typer.Option(None, "--store", help=STORE_HELP),
                 as_json: bool = typer.Option(False, "--json", help="Print the people as one JSON document.")) -> None:
    """Every person of the store: functions, roles, whether active.

    Example: [bold]cxscale person list --json[/]
    """
    from dataclasses import asdict

    from cxscale.portfolio import service

    with opened(store) as s:
        people = service.people(s)
    if as_json:
        print_json({"people": [asdict(p) for p in people]})
        return
    table = Table(title=f"People ({len(people)})")
    for col in ("id", "name", "functions", "roles", "active"):
        table.add_column(col)
    for p in people:
        table.add_row(escape(p.id), escape(p.name), ", ".join(p.functions) or "-", ", ".join(p.roles) or "-",
                      "yes" if p.active else "[red]left[/]")
    console.print(table)


@person_app.command("add")
def add_command(
    person_id: str = typer.Argument(..., help="The id use cases name as owners (amira.khan)."),
    name: str = typer.Option(..., "--name", help="Their name."),
    functions: list[str] = typer.Option([], "--function", help="technology, operations or commercial (repeatable)."),
    roles: list[str] = typer.Option([], "--role", help="sponsor, council, viewer or admin (repeatable)."),
    os_user: str = typer.Option(None, "--os-user", help="Their operating-system user (a single-user SQLite store)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the log entry as JSON."),
) -> None:
    """Add a person or change one (an admin; anyone while the store has no admin who can sign in). A role change
    entry in the decision log.

    Example: [bold]cxscale person add amira.khan --name "Amira Khan" --function operations --role council[/]
    """
    from pydantic import ValidationError

    from cxscale.errors import CxscaleError
    from cxscale.portfolio import service
    from cxscale.portfolio.people import PersonEntry

    try:
        entry = PersonEntry.model_validate({"id": person_id, "name": name, "functions": functions, "roles": roles,
                                            "os_user": os_user})
    except ValidationError as exc:
        e = exc.errors()[0]
        raise CxscaleError(f"person {person_id}: {'.'.join(map(str, e['loc']))}: {e['msg']} (found "
                           f"{e.get('input')!r})") from None
    with opened(store) as s:
        entry_ = service.add_person(s, entry, acting(s, token_file, bootstrap=True))
    if as_json:
        print_json(entry_.to_json())
        return
    console.print(f"[green]ok[/]: {escape(entry_.reason)} (log entry {entry_.seq})", highlight=False, soft_wrap=True)


@person_app.command("token")
def token_command(
    person_id: str = typer.Argument(..., help="Whose token."),
    out: Path = typer.Option(None, "--out", help="Write the token to this file (readable by you only) instead of "
                                                 "printing it."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {person, token_id, file} as JSON (the token itself "
                                                        "only when no --out is given)."),
) -> None:
    """Make a personal API token: shown once, kept only as its argon2 hash (an admin, or the person themselves;
    anyone while the store has no admin who can sign in).

    Example: [bold]cxscale person token amira.khan --out ~/.cxscale-token[/] then [bold]cxscale gate advance ...
    --token-file ~/.cxscale-token[/]
    """
    import os

    from cxscale.errors import CxscaleError
    from cxscale.portfolio import service

    if out is not None and out.exists():
        raise CxscaleError(f"{out}: a file is already there; move it away first")
    with opened(store) as s:
        token = service.issue_token(s, person_id, acting(s, token_file, bootstrap=True))
    token_id = token.split("_")[1]
    if out is None and as_json:
        print_json({"person": person_id, "token_id": token_id, "token": token, "file": None})
        return
    if out is None:
        err_console.print("Your token, shown once (keep it secret; give it as CXSCALE_TOKEN or --token-file):")
        print(token)
        return
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    if as_json:
        print_json({"person": person_id, "token_id": token_id, "token": None, "file": str(out)})
        return
    console.print(f"[green]ok[/]: {escape(person_id)}'s token written to {escape(str(out))} (readable by you only)",
                  highlight=False)


@person_app.command("deactivate")
def deactivate_command(
    person_id: str = typer.Argument(..., help="Who has left."),
    reason: str = typer.Option(..., "--reason", help="Why (they left, changed role, ...)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the log entry as JSON."),
) -> None:
    """Mark a person as having left: they can do nothing more, their tokens are revoked (an admin).

    Example: [bold]cxscale person deactivate bruno.lima --reason "left the company"[/]
    """
    from cxscale.portfolio import service

    with opened(store) as s:
        actor = acting(s, token_file)
        assert actor is not None
        entry = service.deactivate(s, person_id, reason, actor)
    if as_json:
        print_json(entry.to_json())
        return
    console.print(f"[green]ok[/]: {escape(person_id)} {escape(entry.reason)} (log entry {entry.seq})", highlight=False)


@person_app.command("password")
def password_command(
    person_id: str = typer.Argument(..., help="Whose dashboard password."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help=TOKEN_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {person, set} as JSON (never the password)."),
) -> None:
    """Set a person's dashboard password (`cxscale serve`), typed twice at a hidden prompt and kept only as its
    argon2 hash: by the person themselves or an admin. At least 10 characters.

    Example: [bold]cxscale person password amira.khan[/]
    """
    from cxscale.errors import CxscaleError
    from cxscale.portfolio.passwords import set_password

    with opened(store) as s:
        actor = acting(s, token_file)
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
        if not password:
            raise CxscaleError("no password given")
        set_password(s, person_id, password, actor)
    if as_json:
        print_json({"person": person_id, "set": True})
        return
    console.print(f"dashboard password of {person_id} set", highlight=False)
