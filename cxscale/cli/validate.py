"""`cxscale validate`: see `cxscale validate --help`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxscale.cli._app import app, console, err_console, print_json, read_settings
from cxscale.cli._data import report_rejected

if TYPE_CHECKING:
    from cxscale.data.prepared import Arms
    from cxscale.data.validate import ValidationReport


@app.command("validate")
def validate_command(
    path: str = typer.Argument(..., help="File (.csv, .csv.gz, .parquet, .duckdb), folder of them, or an Ibis URL "
                              "(postgres://user@host/db/schema)."),
    mapping: str | None = typer.Option(None, "--mapping", "-m",
                                       help="Mapping file, or a shipped mapping name (noshow, tickets, ...)."),
    engine: str | None = typer.Option(None, "--engine", help="duckdb (default), spark, or an Ibis URL."),
    strict: bool = typer.Option(True, "--strict/--no-strict",
                                help="Exit 1 when any row is rejected (default); --no-strict only reports."),
    quarantine: Path | None = typer.Option(None, "--quarantine", "-q",
                                           help="Write every rejected row with its reason to this .csv/.parquet "
                                                "file and exit 0."),
    arms: list[str] = typer.Option([], "--arms", help="Declared arms: 'control,treatment' for every pilot, or "
                                   "'PILOT=control,treatment'. Repeatable."),
    spec: list[Path] = typer.Option([], "--spec", help="Pilot spec file(s) declaring a pilot's arms. Repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    allow_outside_data: bool = typer.Option(False, "--allow-outside-data", help="Let the mapping's sources lie "
                                            "outside PATH's folder and the mapping's folder (docs/mapping.md)."),
) -> None:
    """Check data against the data contract: rows read, accepted and rejected per table and rule.

    Example: cxscale validate ../shared/data/noshow --mapping noshow --quarantine rejected.csv

    Warehouse tables: cxscale validate postgres://user@host:5432/db/schema (docs/data-contract.md#warehouse-tables)
    """
    from cxscale.data import open_data
    from cxscale.data.prepared import arms_from_specs

    declared: Arms = {**arms_from_specs(list(spec)), **_parse_arms(arms)}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True, disable=as_json) as progress:
        task = progress.add_task("validating", total=None)
        report = open_data(path, mapping, engine, quarantine=quarantine, arms=declared, report_only=True,
                           allow_outside_data=allow_outside_data, settings=read_settings(),
                           progress=lambda label: progress.update(task, description=label)).report
    assert report is not None  # opened with validation
    if as_json:
        print_json({**report.to_dict(), "quarantine": str(quarantine) if quarantine else None})
    else:
        _render(report)
    report_rejected(report, quarantine, strict, None if as_json else console)


def _parse_arms(values: list[str]) -> Arms:
    out: Arms = {}
    for v in values:
        pilot, _, names = v.rpartition("=")
        out[pilot or "*"] = tuple(a.strip() for a in names.split(",") if a.strip())
    return out


def _render(report: ValidationReport) -> None:
    table = Table(title=f"cxscale validate {report.source}", title_justify="left")
    for col, justify in (("table", "left"), ("read", "right"), ("accepted", "right"), ("rejected", "right"),
                         ("rule", "left"), ("column", "left"), ("rows", "right")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for t in report.tables.values():
        colour = "green" if t.rows_rejected == 0 else "red"
        first = [t.table, f"{t.rows_read:,}", f"{t.rows_accepted:,}", f"[{colour}]{t.rows_rejected:,}[/]"]
        if not t.rules:
            table.add_row(*first, "[green]all pass[/]", "", "")
        for i, r in enumerate(t.rules):
            table.add_row(*(first if i == 0 else [""] * 4), r.rule, r.column, f"{r.rows:,}")
    console.print(table)
    for t in report.tables.values():
        console.print(f"{t.table}: from {', '.join(t.sources)}", highlight=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
