"""`cxscale diagnose`: see `cxscale diagnose --help`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxscale.cli._app import MAX_DAYS, app, console, err_console, print_json, read_settings
from cxscale.cli._data import report_rejected
from cxscale.errors import SpecError
from cxscale.format import DASH, compact, percent

if TYPE_CHECKING:
    from cxscale.documents.diagnosis import Baseline, DiagnosisDocument


@app.command()
def diagnose(
    data: str = typer.Option(..., "--data", help="Data to diagnose: a simulated world folder, a CSV/Parquet file or "
                             "folder, a DuckDB file, or an Ibis URL (postgres://user@host/db/schema)."),
    mapping: str | None = typer.Option(None, "--mapping", help="Mapping file, or a shipped mapping name "
                                       "(tickets, noshow, helpdesk, bpi13)."),
    json_out: bool = typer.Option(False, "--json", help="Print the diagnosis JSON (schema_version 1) instead of "
                                  "tables."),
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report with charts here."),
    use_cases: Path | None = typer.Option(None, "--use-cases", help="Write a drafted use case (<id>.usecase."
                                          "yaml, usecase_version 1, owners to fill) and its pilot spec "
                                          "(<id>.pilot.yaml) per top hotspot into this folder."),
    top: int = typer.Option(10, "--top", min=1, help="Hotspots to show (and to write to JSON)."),
    drafts: int = typer.Option(3, "--drafts", min=0, help="Use-case drafts for the top hotspots."),
    window_days: int = typer.Option(7, "--window-days", min=1, max=MAX_DAYS, help="Same-intent contacts within this many days "
                                    "form one episode."),
    currency: str | None = typer.Option(None, "--currency", help="Currency label for money (default: the world's "
                                        "ground_truth.json, else 'currency units')."),
    engine: str | None = typer.Option(None, "--engine", help="duckdb (default), spark, or an Ibis URL."),
    since: str | None = typer.Option(None, "--since", metavar="DATE", help="Diagnose the contacts that start on "
                                     "or after this date or instant (2026-03-01, 2026-03-01T08:00; UTC unless it "
                                     "says otherwise)."),
    until: str | None = typer.Option(None, "--until", metavar="DATE", help="... and before this one; a date alone "
                                     "includes that whole day (--since 2026-01-01 --until 2026-03-31 is Q1)."),
    validate: bool = typer.Option(True, "--validate/--no-validate", help="Diagnose only rows that pass the data "
                                  "contract, and say how many were rejected by which rules (default); --no-validate "
                                  "reads contract-typed data as it is (the fast path)."),
    strict: bool = typer.Option(False, "--strict/--no-strict", help="Exit 1 when any row is rejected, as "
                                "`cxscale validate` does; --no-strict (default) leaves them out with a note."),
    quarantine: Path | None = typer.Option(None, "--quarantine", "-q", help="Write every rejected row with its "
                                           "reason to this .csv/.parquet file."),
    allow_outside_data: bool = typer.Option(False, "--allow-outside-data", help="Let the mapping's sources lie "
                                            "outside the data folder and the mapping's folder (docs/mapping.md)."),
    revalidate: bool = typer.Option(False, "--revalidate", help="Check the data contract again even when the "
                                    "source's files passed unchanged before (the validation cache)."),
) -> None:
    """Diagnose the customer journey: where friction and cost are highest, and the money at stake.

    Example: cxscale diagnose --data out/world --html diagnosis.html --use-cases drafts/

    The drafted use cases lint with only their owners missing: cxscale usecase lint drafts/

    The data is validated first: rejected rows are left out and counted in a note (--strict: refused).
    """
    from cxscale.data import open_data
    from cxscale.data.cache import cache_folder
    from cxscale.documents.diagnosis import DiagnosisOptions

    start, end = _moment("--since", since), _moment("--until", until, day_end=True)
    options = DiagnosisOptions(window_days=window_days)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True, disable=json_out) as progress:
        task = progress.add_task("loading data", total=None)
        settings = read_settings()
        dataset = open_data(data, mapping, engine, validate=validate, quarantine=quarantine,
                            allow_outside_data=allow_outside_data, settings=settings,
                            validation_cache=None if revalidate else cache_folder(settings),
                            progress=lambda label: progress.update(task, description=label))
        report_rejected(dataset.report, quarantine, strict, err_console if json_out else console)
        # The passes' frames (pandas) and the page's templates and charts load once the data is open: the data
        # layer's queries need none of them (tests/test_startup.py).
        from cxscale.journey import diagnose as run_diagnosis
        from cxscale.journey import render_html, write_drafts

        result = run_diagnosis(dataset, options, currency=currency, use_cases=drafts, mapping=mapping,
                               progress=lambda label: progress.update(task, description=label), since=start,
                               until=end)
    if html:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(result, top=max(top, 15)), encoding="utf-8")
    if use_cases:
        write_drafts(result.use_cases, use_cases, result.hotspots, diagnosis=str(html) if html else None)
    if json_out:
        print_json(result.top(top).as_json())
        return
    _render(result, top)
    if html:
        console.print(f"HTML report: [bold]{html}[/]")
    if use_cases:
        console.print(f"use cases drafted: [bold]{use_cases}[/] ({len(result.use_cases)} <id>.usecase.yaml and "
                      "their pilot specs, <id>.pilot.yaml); name their owners, then `cxscale usecase lint "
                      f"{use_cases}`")


def _moment(option: str, text: str | None, day_end: bool = False) -> datetime | None:
    """An option's date (YYYY-MM-DD) or ISO 8601 instant; with day_end, a date alone means the end of that day (the
    next midnight: --until is exclusive, and a date names the whole day)."""
    if text is None:
        return None
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            moment = datetime.combine(day, time())
        else:
            moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SpecError(f"{option} {text!r}: not a date (YYYY-MM-DD) or an ISO 8601 instant "
                        "(YYYY-MM-DDTHH:MM[:SS][+HH:MM])") from None
    # Years 1 and 9999 overflow once shifted to UTC or to the day's end; no contact centre data is that old or new.
    if not 1900 <= moment.year <= 9998:
        raise SpecError(f"{option} {text!r}: outside the years 1900 to 9998")
    return moment + timedelta(days=1) if day_end and len(text.strip()) == 10 else moment


def _share(x: float | None) -> str:
    return percent(x, decimals=1, missing=DASH)


def _rate(field: str) -> Callable[[Baseline], str]:
    return lambda baseline: _share(getattr(baseline, field))


#: The hotspot table's signal columns: heading, the baseline field behind it, and how a cell shows the value. A cell
#: is red when the hotspot shows the kind of friction its field reveals (opportunities.FRICTION_RATES; CSAT: low_csat).
SIGNAL_COLUMNS: list[tuple[str, str, Callable[[Baseline], str]]] = [
    ("repeat\n7d", "repeat_contact_rate_7d", _rate("repeat_contact_rate_7d")),
    ("trans-\nfer", "transfer_rate", _rate("transfer_rate")),
    ("long\nwait", "long_wait_rate", _rate("long_wait_rate")),
    ("aban-\ndon", "abandonment_rate", _rate("abandonment_rate")),
    ("fail-\nure", "failure_rate", _rate("failure_rate")),
    ("CSAT", "csat_mean", lambda b: DASH if b.csat_mean is None else f"{b.csat_mean:.2f}"),
]


def _render(result: DiagnosisDocument, top: int) -> None:
    k, cur, o = result.annualisation_factor, result.currency, result.overall
    cost, avoidable = (o.cost or 0.0) * k, (o.avoidable_cost or 0.0) * k
    console.print(
        f"[bold]Journey diagnosis[/] of {result.source}: {o.volume:,} contacts, "
        f"{result.period.start[:10]} to {result.period.end[:10]} ({result.period.days:.1f} days, "
        f"money annualised x{k:.2f})"
    )
    console.print(
        f"Cost to serve [bold]{compact(cost)} {cur}[/]/year, of which avoidable "
        f"[bold red]{compact(avoidable)} {cur}[/]/year ({_share(avoidable / cost if cost else None)}): "
        "repeat contacts, channel switches and transfers a resolved first contact would not have needed."
    )
    table = Table(title=f"Top {min(top, len(result.hotspots))} hotspots (intent x journey stage; money in {cur} "
                  "per year)", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                  collapse_padding=True, pad_edge=False)
    shown = result.hotspots[:top]
    # The signals the data has: a column that would be empty on every row (no transfers, no CSAT in the source) is
    # left out, and the failures after contact (no-shows) show when the data has outcomes.
    from cxscale.journey.opportunities import FRICTION_RATES

    kind_of = {**FRICTION_RATES, "csat_mean": "low_csat"}
    signals = [(head, kind_of[field], cell) for head, field, cell in SIGNAL_COLUMNS
               if field == "repeat_contact_rate_7d" or any(getattr(h.baseline, field) is not None for h in shown)]
    flagged = {kind for _, kind, _ in signals}
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("hotspot (main channel)", min_width=10, overflow="fold")
    for col in ("con-\ntacts", *(head for head, _, _ in signals), "avoid-\nable", "score"):
        table.add_column(col, justify="right", no_wrap=True)
    for h in shown:
        other = [k.replace("_", " ") for k in h.kinds if k not in flagged]
        kinds = f"\n[red]{', '.join(other)}[/]" if other else ""
        table.add_row(
            str(h.rank), f"[bold]{h.intent}[/]\n{h.journey_stage} ({h.channel}){kinds}",
            f"{h.volume:,}",
            *(f"[bold red]{cell(h.baseline)}[/]" if kind in h.kinds else cell(h.baseline)
              for _, kind, cell in signals),
            compact(h.avoidable_cost_per_year), f"{h.score:.1f}",
        )
    console.print(table)
    console.print(_legend(o.csat_mean))
    if result.use_cases:
        drafts = Table(title="Use-case drafts", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                       collapse_padding=True, pad_edge=False)
        drafts.add_column("use case", overflow="fold")
        drafts.add_column("metric", overflow="fold")
        drafts.add_column("baseline\ntarget", justify="right", no_wrap=True)
        drafts.add_column("pilot\nwindow", justify="right", no_wrap=True)
        unsized = []
        for u in result.use_cases:
            w, size = u.pilot_window, u.pilot_size
            infeasible = size is not None and not size.feasible
            if size is not None and infeasible:
                unsized.append(f"pilot for {u.id}: {size.note}")
            drafts.add_row(u.title, u.business_metric.name,
                           f"{u.business_metric.baseline:.4g}\n{u.target.value:.4g}",
                           f"{w.days} days\n{w.sample_size_per_arm:,}/arm" if w else
                           "[yellow]not\nfeasible[/]" if infeasible else "-")
        console.print(drafts)
        for line in unsized:
            console.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)
    rejected = set(_rejection_notes(result))
    for note in result.notes:
        style = "yellow" if note in rejected else "dim"
        console.print(f"[{style}]note: {note}[/]", highlight=False, soft_wrap=True)


def _legend(csat_mean: float | None) -> str:
    """What a red cell of the hotspot table means (opportunities.KIND_RATIO and its gaps)."""
    from cxscale.journey.opportunities import KIND_MIN_GAP, KIND_RATIO, LOW_CSAT_GAP

    csat = "" if csat_mean is None else f"; CSAT {LOW_CSAT_GAP:g} or more below the overall {csat_mean:.2f}"
    return (f"[dim]red: a rate at least {KIND_RATIO:g}x the overall rate and {100 * KIND_MIN_GAP:g} points above "
            f"it{csat}[/]")


def _rejection_notes(result: DiagnosisDocument) -> list[str]:
    """The notes that report rows rejected by validation (shown in yellow: they change what was diagnosed)."""
    return [n for n in result.notes if " rejected (" in n]
