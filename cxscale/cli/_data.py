"""What every command that reads data says about rejected rows, as `cxscale validate` says it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from cxscale.cli._app import err_console

if TYPE_CHECKING:
    from cxscale.data import ValidationReport


def report_rejected(report: ValidationReport | None, quarantine: Path | None, strict: bool,
                    out: Console | None) -> None:
    """With rejected rows: the line naming the quarantine file; else in strict mode one `error:` line per broken rule
    on stderr and exit code 1. out: where these lines go (None: nowhere, the JSON document says it)."""
    if report is None or report.ok:
        return
    if quarantine is not None:
        if out is not None:
            out.print(f"{report.rows_rejected:,} rejected rows written to {quarantine}")
    elif strict:
        if out is not None:
            for line in report.error_lines():
                err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def reused_note(report: ValidationReport | None) -> str | None:
    """The line a successful command prints when its data's validation was read back from the validation cache
    (cxscale.data.cache) instead of checked again; None when it was checked."""
    if report is None or not report.reused:
        return None
    return (f"data contract: every row passed at {report.reused} and the files are unchanged, so they were not "
            "checked again (--revalidate checks)")
