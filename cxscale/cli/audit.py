"""`cxscale audit`: the pilot-trap audit of the portfolio (isolated, unmeasured, unowned), worst first; and the
record loading that `cxscale scorecard` and `cxscale review` share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cxscale.cli._app import app, console, print_json, read_settings
from cxscale.errors import CxscaleError

if TYPE_CHECKING:
    from cxscale.documents.diagnosis import DiagnosisDocument
    from cxscale.portfolio.records import Initiative, Person
    from cxscale.portfolio.store import Store

STORE_HELP = "The portfolio store: a SQLite file or a postgresql:// URL (default: CXSCALE_STORE, else portfolio.db)."
DIAGNOSIS_HELP = ("The diagnosis the touchpoints are checked against and money at stake is priced by (the JSON of "
                  "cxscale diagnose --json).")
AS_OF_HELP = "The moment of the evaluation, ISO 8601 (default: now, UTC)."


@dataclass(frozen=True)
class Records:
    """What the portfolio commands read: the initiatives and people of the store, and the diagnosis."""

    initiatives: list[Initiative]
    people: list[Person]
    diagnosis: DiagnosisDocument | None


def load_records(store: Store) -> tuple[list[Initiative], list[Person]]:
    """The initiatives and people the store holds, as records (cxscale.portfolio.service): none for a store never
    written, which reading does not create."""
    from cxscale.portfolio import service

    return service.initiatives(store), service.people(store)


def read_diagnosis(path: Path | None) -> DiagnosisDocument | None:
    """The diagnosis JSON at `path` (None: no diagnosis); one line naming the file when it is not one."""
    if path is None:
        return None
    from pydantic import ValidationError

    from cxscale.documents.diagnosis import DiagnosisDocument

    try:
        return DiagnosisDocument.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise CxscaleError(f"{path}: cannot read the diagnosis: {exc.strerror}") from None
    except ValueError as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = f" ({'.'.join(str(p) for p in first['loc'])}: {first['msg']})" if first else f" ({exc})"
        raise CxscaleError(f"{path}: not the JSON of cxscale diagnose --json{where}") from None


def as_of_moment(text: str | None) -> datetime:
    """--as-of as a UTC datetime (now when not given)."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CxscaleError(f"--as-of {text!r} is not an ISO 8601 date or time (e.g. 2026-09-30 or "
                           "2026-09-30T18:00Z)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def open_portfolio(store: str | None) -> Store:
    from cxscale.portfolio.store import open_store

    return open_store(store or read_settings().store)


def records(opened: Store, diagnosis: Path | None) -> Records:
    initiatives, people = load_records(opened)
    return Records(initiatives, people, read_diagnosis(diagnosis))


@app.command("audit")
def audit_command(
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    diagnosis: Path = typer.Option(None, "--diagnosis", help=DIAGNOSIS_HELP),
    fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 when an initiative is in one of these traps or has "
                                                        "one of these reason keys (comma-separated: isolated, "
                                                        "unmeasured, unowned, unowned/owner_left, ...)."),
    stale_after_days: int = typer.Option(90, "--stale-after-days", min=1, max=3650,
                                         help="Days with no decision after which an idea, pilot or proof is "
                                              "unowned."),
    as_of: str = typer.Option(None, "--as-of", help=AS_OF_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as one JSON document."),
) -> None:
    """Audit every initiative for the pilot traps: isolated (no touchpoint, a touchpoint with no contacts, no
    operations owner, a capability no workflow step uses), unmeasured (no business metric, a technical one, no
    baseline, no pilot spec, no readout or a stale one, a pilot past its window with no decision) and unowned (an
    owner missing, unknown or gone; no decision for --stale-after-days). Worst first, each flag with its evidence
    and what would clear it (docs/portfolio-audit.md).

    Example: [bold]cxscale audit --diagnosis diagnosis.json --fail-on isolated,unowned[/]
    """
    from cxscale.format import money, number
    from cxscale.portfolio.audit import audit, blocking

    wanted = [w.strip() for w in fail_on.split(",") if w.strip()] if fail_on else []
    opened = open_portfolio(store)
    try:
        recs = records(opened, diagnosis)
    finally:
        opened.close()
    findings = audit(recs.initiatives, recs.people, recs.diagnosis, as_of_moment(as_of), stale_after_days)
    failing = blocking(findings, wanted)
    if as_json:
        print_json({"findings": [f.to_json() for f in findings], "fail_on": wanted,
                    "failing": [f.initiative for f in failing]})
    else:
        table = Table(title=f"Pilot-trap audit ({len(findings)} initiatives, "
                            f"{sum(1 for f in findings if f.flags)} flagged)")
        for col, just in (("#", "right"), ("initiative", "left"), ("stage", "left"), ("days", "right"),
                          ("at stake / yr", "right"), ("flags (reason: evidence -> to clear)", "left")):
            table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
        for f in findings:
            flags = "\n".join(f"[bold]{g.key}[/]: {g.message} -> {g.clear}" for g in f.flags) or "[green]clean[/]"
            if f.unchecked:
                flags += "\n" + "\n".join(f"[dim]not checked: {u}[/]" for u in f.unchecked)
            table.add_row(str(f.rank), f.initiative, f.stage, number(f.days_in_stage),
                          money(f.money_at_stake.amount, f.money_at_stake.currency), flags)
        console.print(table)
    if failing:
        if not as_json:
            console.print(f"[red]{len(failing)} initiative{'s' if len(failing) > 1 else ''} in "
                          f"{', '.join(wanted)}[/]: {', '.join(f.initiative for f in failing)}", highlight=False)
        raise typer.Exit(1)
