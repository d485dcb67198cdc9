"""`cxscale measure`: see `cxscale measure --help`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cxscale.cli._app import app, console, err_console, print_json, read_settings, relative_interval
from cxscale.errors import SpecError
from cxscale.format import p_value

if TYPE_CHECKING:  # imported when a command runs, to keep `cxscale --help` fast
    from cxscale.documents.readout import ReadoutDocument

_VERDICT_STYLE = {"proven": "bold green", "harmful": "bold red", "blocked": "bold yellow", "breached": "red",
                  "inconclusive by design": "yellow",
                  "watch": "yellow", "ok": "green"}


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{v:+.1%}" if pct else f"{v:,.4g}"


@app.command(epilog="Examples:\n\n  cxscale measure out/world/pilots/proactive_alerts.yaml\n\n"
                    "  cxscale measure spec.yaml --data data/ --json\n\n"
                    "  cxscale measure spec.yaml --data data/ --html readout.html\n\n"
                    "  cxscale measure hillstrom --data ../shared/data/hillstrom --mapping hillstrom")
def measure(
    spec: str = typer.Argument(..., help="Pilot spec YAML, or a shipped spec's name (hillstrom)."),
    data: str | None = typer.Option(None, "--data", "-d", help="Data folder/file or an Ibis URL "
                                    "(postgres://user@host/db/schema); defaults to the world folder when SPEC sits "
                                    "in DIR/pilots/."),
    as_json: bool = typer.Option(False, "--json", help="Print the readout JSON document (docs/readout.md)."),
    html: Path | None = typer.Option(None, "--html", help="Write a readout page with the effect chart."),
    metrics: list[Path] = typer.Option([], "--metrics", help="Extra metric definitions (YAML), repeatable."),
    mapping: str | None = typer.Option(None, "--mapping", help="Mapping name or file for the data."),
    engine: str | None = typer.Option(None, "--engine", help="duckdb (default), spark or an Ibis URL."),
    validate: bool = typer.Option(True, "--validate/--no-validate", help="Measure only rows that pass the data "
                                  "contract, with a warning per table that has rejected rows (default); "
                                  "--no-validate reads contract-typed data as it is (the fast path)."),
    strict: bool = typer.Option(False, "--strict/--no-strict", help="Exit 1 when any row is rejected, as "
                                "`cxscale validate` does; --no-strict (default) leaves them out with a warning."),
    quarantine: Path | None = typer.Option(None, "--quarantine", "-q", help="Write every rejected row with its "
                                           "reason to this .csv/.parquet file."),
    revalidate: bool = typer.Option(False, "--revalidate", help="Check the data contract again even when the "
                                    "source's files passed unchanged before (the validation cache)."),
) -> None:
    """Read out a pilot in business terms: effect per metric with CI, SRM check, guardrails, verdict, annual value."""
    from cxscale.documents.pilot_spec import load_spec
    from cxscale.measure.run import measure_spec

    if html and load_spec(spec).design == "observational":
        raise SpecError(f"{spec}: --html does not show an observational design yet; read it in the terminal or "
                        "with --json")
    from cxscale.cli._data import report_rejected, reused_note
    from cxscale.data.cache import cache_folder

    reused: list[str] = []

    def opened(ds) -> None:  # noqa: ANN001 - a Dataset
        report_rejected(ds.report, quarantine, strict, err_console if as_json else console)
        note = reused_note(ds.report)
        if note:
            reused.append(note)

    settings = read_settings()
    with console.status("reading out the pilot in the engine...", spinner="dots"):
        r = measure_spec(spec, data, mapping, engine, list(metrics), validate=validate, quarantine=quarantine,
                         opened=opened, settings=settings,
                         validation_cache=None if revalidate else cache_folder(settings))
    if html:
        from cxscale.measure.html import write_html  # its templates and charts, only for a page
        from cxscale.metrics.catalog import load_catalog

        write_html(r, html, load_spec(spec), load_catalog(*metrics))
    if as_json:
        print_json(r.to_json())
    else:
        _render(r)
        if html:
            console.print(f"readout page written to {html}")
    for line in reused:  # after the readout: a failing command prints its error line alone
        (err_console if as_json else console).print(f"[dim]{line}[/]", highlight=False, soft_wrap=True)


def _render(r: ReadoutDocument) -> None:
    if r.design == "observational":
        _render_observational(r)
        return
    from cxscale.measure.html import scope_text

    console.print(f"[bold]Pilot {r.pilot}[/] ({r.design}, unit {r.unit}{scope_text(r.scope)}); units per arm: "
                  + ", ".join(f"{a} {n:,}" for a, n in r.n.items()))
    if not r.srm.applicable:
        console.print("sample-ratio check: not applicable (not randomised)")
    else:
        srm = "[green]ok[/]" if r.srm.ok else "[bold red]FAILED: verdict blocked[/]"
        console.print(f"sample-ratio check: p = {r.srm.p_value:.3g} {srm}")
    # Two lines per cell keep the table within 80 columns (a pipe, a CI log), where the absolute effects are left to
    # --json and the page; wide names fold, never cut short.
    wide = console.width >= 100
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True, pad_edge=False)
    t.add_column("metric\nrole", min_width=12, overflow="fold")
    for col in ("control\ntreatment", "relative\n[95% CI]", *(["absolute\n[95% CI]"] if wide else []), "p\n(adj.)",
                "target"):
        t.add_column(col, justify="right", overflow="fold")
    t.add_column("verdict", no_wrap=True)
    arms = {m.arm for m in r.metrics}
    for m in r.metrics:
        tgt = m.target  # the primary's target, a guardrail's tolerated harm
        tgt_txt = "" if tgt is None else (_fmt(tgt.relative, True) if tgt.relative is not None else _fmt(tgt.absolute))
        if m.role == "primary" and tgt is not None:
            tgt_txt += "\nreached" if m.target_reached else "\nmissed"
        style = _VERDICT_STYLE.get(m.verdict, "")
        role = m.role + (f", {m.arm}" if len(arms) > 1 else "")
        absolute = [escape(f"{_fmt(m.effect_abs)}\n[{_fmt(m.ci_abs[0])}, {_fmt(m.ci_abs[1])}]")] if wide else []
        t.add_row(f"[bold]{escape(m.name)}[/]\n{escape(role)}", f"{_fmt(m.control)}\n{_fmt(m.treatment)}",
                  escape(f"{_fmt(m.effect_rel, True)}\n{relative_interval(m.ci_rel)}"), *absolute,
                  f"{p_value(m.p_value)}\n({p_value(m.p_value_adjusted)})", tgt_txt,
                  f"[{style}]{m.verdict}[/]" if style else m.verdict)
    console.print(t)
    style = _VERDICT_STYLE.get(r.verdict, "bold")
    console.print(f"Verdict: [{style}]{r.verdict}[/]. {r.reason}")
    if r.capability is not None:
        _render_capability(r)
    if r.switchback is not None:
        s = r.switchback
        console.print(f"switchback: {s.queues:,} queues ({escape(', '.join(s.queue_by))}) x {s.slot_minutes}-minute "
                      "slots; slots with contacts " + ", ".join(f"{escape(a)} {s.slots_with_contacts.get(a, 0):,} of "
                                                                f"{n:,}" for a, n in s.slots.items())
                      + f"; {s.contacts:,} contacts analysed, {s.burn_in_contacts:,} in the first "
                        f"{s.burn_in_minutes} minutes of their slot left out (burn-in)")
        for e in s.stratified:
            console.print(f"post-stratified by queue and time of day, {escape(e.metric)} ({escape(e.arm)}): {_fmt(e.effect_abs)} "
                          f"[{_fmt(e.ci_abs[0])}, {_fmt(e.ci_abs[1])}] ({_fmt(e.effect_rel, True)}), "
                          f"p = {p_value(e.p_value)}, {e.strata} strata")
    if r.value:
        v = r.value
        role = "" if v.role == "primary" else f", {v.role}"
        console.print(f"{v.title} ({escape(v.metric)}{role}, {escape(v.arm)}): "
                      f"[bold]{v.annual:,.0f} {escape(v.currency)}[/]{v.per} "
                      f"(CI {v.ci[0]:,.0f} to {v.ci[1]:,.0f})")
        console.print(f"[dim]basis: {escape(v.basis)}[/]")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {w}")


def _render_capability(r: ReadoutDocument) -> None:
    """A capability pilot's funnel, triggered effect and effect by tenure band (docs/capability-pilots.md#readout);
    the verdict above is the intent-to-treat one."""
    c = r.capability
    assert c is not None
    t = Table(title=f"capability {escape(c.name)}: funnel", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
              title_justify="left")
    t.add_column("arm")
    for col in ("decisions", "triggered", "shown", "used"):
        t.add_column(col, justify="right")
    for f in c.funnel:
        t.add_row(escape(f.arm), f"{f.decisions:,}", f"{f.triggered:,} ({_share(f.trigger_rate)})",
                  f"{f.shown:,} ({_share(f.shown_rate)})", f"{f.used:,} ({_share(f.use_rate)})")
    console.print(t)
    srm = "ok" if c.srm_triggered.ok else "[bold red]FAILED: the triggered effect is not comparable[/]"
    console.print("triggered units: " + ", ".join(f"{a} {n:,}" for a, n in c.triggered_units.items())
                  + f"; sample-ratio check p = {p_value(c.srm_triggered.p_value)} {srm}")
    for e in c.triggered:
        console.print(f"triggered effect on {escape(e.metric)} ({escape(e.arm)}): {_fmt(e.effect_rel, True)} "
                      f"{escape(relative_interval(e.ci_rel))}, {_fmt(e.control)} -> {_fmt(e.treatment)}, "
                      f"p = {p_value(e.p_value)}")
    for b in c.by_tenure:
        be = b.effect
        detail = "too few units in an arm" if be is None else (
            f"{_fmt(be.effect_rel, True)} {escape(relative_interval(be.ci_rel))} ({be.n_control:,} vs "
            f"{be.n_treatment:,} units)")
        console.print(f"tenure {escape(b.band)}: {detail}")
    if c.anchoring is not None:
        k = c.anchoring
        status = ("[bold red]SHIFTED: treated agents may be saving suggested codes without correcting them[/]"
                  if k.shifted else "ok")
        console.print(f"wrap-up code mix ({escape(k.column)}, {k.codes} codes, "
                      + ", ".join(f"{a} {n:,} contacts" for a, n in k.contacts.items())
                      + f"): randomisation p = {p_value(k.p_value)} over {sum(k.units.values()):,} units "
                      f"(alpha {k.alpha:g}) {status}")


def _render_observational(r: ReadoutDocument) -> None:
    """The naive and the adjusted comparison per metric, by stratum (docs/readout.md#observational)."""
    o = r.observational
    assert o is not None
    console.print(f"[bold]Pilot {escape(r.pilot)}[/] (observational: [bold]not randomised, not causal[/]; unit "
                  f"{r.unit}); treated = {escape(o.treatment)} true ({escape(o.treated)} "
                  f"{r.n[o.treated]:,}), untreated = the others ({escape(o.untreated)} {r.n[o.untreated]:,})")
    strata_by = " x ".join(o.adjust_for)
    for m in o.comparisons:
        share = m.unit_label == "share"

        def val(v: float | None, share: bool = share) -> str:
            return "n/a" if v is None or not math.isfinite(v) else f"{v:.1%}" if share else f"{v:,.4g}"

        def diff(v: float | None, share: bool = share) -> str:
            return "n/a" if v is None or not math.isfinite(v) else f"{v * 100:+.1f}" if share else f"{v:+,.4g}"

        unit = ", pts" if share else ""
        t = Table(title=f"{escape(m.name)} ({m.role}) by {escape(strata_by)}", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False, title_justify="left")
        t.add_column("stratum", overflow="fold")
        for col in ("n\nuntreated", "n\ntreated", "treated\nshare", "untreated", "treated", f"difference{unit}"):
            t.add_column(col, justify="right")
        for st in m.strata:
            t.add_row(escape(st.stratum), f"{st.n_control:,}", f"{st.n_treated:,}", _share(st.treated_share),
                      val(st.mean_control), val(st.mean_treated), diff(st.difference))
        console.print(t)
        side = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        side.add_column("comparison", overflow="fold")
        for col in ("untreated", "treated", f"difference{unit} [95% CI]"):
            side.add_column(col, justify="right")
        for name, e in (("naive: all units", m.naive), (f"adjusted: within {strata_by}", m.adjusted)):
            side.add_row(escape(name), val(e.control), val(e.treatment),
                         f"{diff(e.effect_abs)} [{diff(e.ci_abs[0])}, {diff(e.ci_abs[1])}]")
        console.print(side)
        if m.role != "primary":
            console.print(f"{escape(m.name)}: [bold]{m.verdict}[/]. {escape(m.reason)}")
    console.print(f"Verdict: [bold]{r.verdict}[/]. {escape(r.reason)}")
    console.print(f"causal: [bold]no[/]. For a gate: {o.gate}.")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")


def _share(v: float | None) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.0%}"
