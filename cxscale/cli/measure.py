"""`cxscale measure`: see `cxscale measure --help`."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from cxscale.cli._app import MAX_DAYS, app, console, err_console, number_in, print_json, relative_interval
from cxscale.errors import SpecError
from cxscale.format import p_value

_VERDICT_STYLE = {"proven": "bold green", "harmful": "bold red", "blocked": "bold yellow", "breached": "red",
                  "inconclusive by design": "yellow",
                  "watch": "yellow", "ok": "green"}


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{v:+.1%}" if pct else f"{v:,.4g}"


def _power(data: str | None, metric: str | None, target: float | None, unit: str | None, window_days: int | None,
           days: float | None, mapping: str | None, engine: str | None, as_json: bool,
           spec_file: Path | None = None) -> None:
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot

    scope, absolute = None, None
    if spec_file is not None:  # the spec's primary metric, target, unit, post window and scope
        from cxscale.documents.pilot_spec import load_spec

        spec = load_spec(spec_file)
        metric = metric or spec.primary.metric
        given = spec.primary.target
        if target is None:
            if given is None:
                raise SpecError(f"{spec_file}: the primary metric has no target; give --target as a relative "
                                "change (e.g. -0.05) to plan for one")
            target, absolute = given.relative, given.absolute
        unit, window_days = unit or spec.unit, window_days or spec.windows.post_days
        scope = spec.scope.values() if spec.scope is not None else None
    if data is None or metric is None or (target is None and absolute is None):
        raise SpecError("cxscale measure power needs --data PATH and either --spec FILE or --metric NAME "
                        "--target SHARE (e.g. -0.05)")
    plan = plan_pilot(open_data(data, mapping, engine), metric, target, target_absolute=absolute,
                      unit=unit or "customer", window_days=window_days or 28, days=days, scope=scope)
    if as_json:
        print_json({**plan.to_json(), "scope": scope})
        return
    where = "" if not scope else " within " + ", ".join(f"{k} {', '.join(v)}" for k, v in scope.items())
    console.print(f"[bold]{plan.metric}[/]{where}: baseline {plan.baseline:,.4g} per {plan.unit}, "
                  f"sd {plan.sd_per_unit:,.4g}")
    change = f"{plan.target_relative:+.1%} ({plan.mde_abs:,.4g})" if plan.target_absolute is None else \
        f"{plan.target_absolute:+,.4g} ({plan.target_relative:+.1%})"
    console.print(f"to detect {change} at alpha {plan.alpha:g}, "
                  f"power {plan.power:.0%}: [bold]{plan.n_per_arm:,}[/] units per arm, {plan.n_total:,} in total")
    head, _, rest = plan.note.partition(": ")  # "not feasible[ within N days]: ..." or "<unit>s are ...: ..."
    console.print(f"[bold green]feasible:[/] {escape(plan.note)}" if plan.feasible else
                  f"[bold red]{escape(head)}:[/] {escape(rest)}", highlight=False)
    if plan.mde_days is not None and plan.fixed_population:
        console.print(f"{plan.unit}s are a fixed population: enrolling for {plan.mde_days:,.0f} days adds none")
    elif plan.mde_relative_at_days is not None:
        console.print(f"enrolling for {plan.mde_days:,.0f} days detects changes of "
                      f"{abs(plan.mde_relative_at_days):.1%} ({abs(plan.mde_abs_at_days or 0):,.4g}) or more")

@app.command(epilog="Examples:\n\n  cxscale measure out/world/pilots/proactive_alerts.yaml\n\n"
                    "  cxscale measure spec.yaml --data data/ --json\n\n"
                    "  cxscale measure spec.yaml --data data/ --html readout.html\n\n"
                    "  cxscale measure hillstrom --data ../shared/data/hillstrom --mapping hillstrom\n\n"
                    "  cxscale measure power --metric cost_to_serve --data data/ --target -0.05\n\n"
                    "  cxscale measure power --spec out/demo/use_cases/<id>.pilot.yaml --data out/demo/world")
def measure(
    spec: str = typer.Argument(..., help="Pilot spec YAML, a shipped spec's name (hillstrom), or the word `power` "
                                          "to plan a pilot."),
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
    metric: str | None = typer.Option(None, "--metric", help="power: the metric to plan for."),
    target: float | None = typer.Option(None, "--target", callback=number_in(-1, above=True),
                                        help="power: relative change to detect (-0.05 = -5%; above -1)."),
    unit: str | None = typer.Option(None, "--unit", help="power: unit of randomisation (default customer, or the "
                                                           "spec's)."),
    window_days: int | None = typer.Option(None, "--window-days", min=1, max=MAX_DAYS,
                                           help="power: measurement window in days (default 28, or the spec's "
                                                "post_days)."),
    days: float | None = typer.Option(None, "--days", callback=number_in(1, MAX_DAYS),
                                      help="power: also the minimum detectable effect when enrolling for this many "
                                           f"days (1 to {MAX_DAYS})."),
    plan_spec: Path | None = typer.Option(None, "--spec", help="power: plan for this pilot spec (its primary metric "
                                                               "and relative target, unit, post window and scope; "
                                                               "e.g. a use-case draft's <id>.pilot.yaml)."),
) -> None:
    """Read out a pilot in business terms: effect per metric with CI, SRM check, guardrails, verdict, annual value.

    `cxscale measure power` instead sizes a pilot: units and days to detect a target change of a metric.
    """
    if spec == "power":
        _power(data, metric, target, unit, window_days, days, mapping, engine, as_json, plan_spec)
        return
    from cxscale.measure.html import write_html
    from cxscale.measure.readout import Readout
    from cxscale.measure.run import measure_spec

    if html:
        from cxscale.documents.pilot_spec import load_spec

        if load_spec(spec).design == "observational":
            raise SpecError(f"{spec}: --html does not show an observational design yet; read it in the terminal or "
                            "with --json")
    from cxscale.cli._data import report_rejected

    def opened(ds) -> None:  # noqa: ANN001 - a Dataset
        report_rejected(ds.report, quarantine, strict, err_console if as_json else console)

    with console.status("reading out the pilot in the engine...", spinner="dots"):
        r = measure_spec(spec, data, mapping, engine, list(metrics), validate=validate, quarantine=quarantine,
                         opened=opened)
    if html and isinstance(r, Readout):
        write_html(r, html)
    if as_json:
        print_json(r.to_json())
        return
    _render(r)
    if html:
        console.print(f"readout page written to {html}")


def _render(r) -> None:  # noqa: ANN001 - Readout; imported lazily to keep `cxscale --help` fast
    s = r.spec
    if s.design == "observational":
        _render_observational(r)
        return
    from cxscale.measure.html import scope_text

    console.print(f"[bold]Pilot {s.pilot}[/] ({s.design}, unit {s.unit}{scope_text(s)}); units per arm: "
                  + ", ".join(f"{a} {n:,}" for a, n in r.n.items()))
    if r.srm_p_value is None:
        console.print("sample-ratio check: not applicable (not randomised)")
    else:
        srm = "[green]ok[/]" if r.srm_ok else "[bold red]FAILED: verdict blocked[/]"
        console.print(f"sample-ratio check: p = {r.srm_p_value:.3g} {srm}")
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
        e = m.effect
        tgt = ref = m.ref.target if m.role == "primary" else m.ref.max_harm
        tgt_txt = "" if ref is None else (_fmt(ref.relative, True) if ref.relative is not None else _fmt(ref.absolute))
        if m.role == "primary" and tgt is not None:
            tgt_txt += "\nreached" if m.target_reached else "\nmissed"
        style = _VERDICT_STYLE.get(m.verdict, "")
        role = m.role + (f", {m.arm}" if len(arms) > 1 else "")
        absolute = [escape(f"{_fmt(e.effect_abs)}\n[{_fmt(e.ci_abs[0])}, {_fmt(e.ci_abs[1])}]")] if wide else []
        t.add_row(f"[bold]{escape(m.metric.name)}[/]\n{escape(role)}", f"{_fmt(m.control)}\n{_fmt(m.treatment)}",
                  escape(f"{_fmt(e.effect_rel, True)}\n{relative_interval(e.ci_rel)}"), *absolute,
                  f"{p_value(e.p_value)}\n({p_value(m.p_value_adjusted)})", tgt_txt,
                  f"[{style}]{m.verdict}[/]" if style else m.verdict)
    console.print(t)
    style = _VERDICT_STYLE.get(r.verdict, "bold")
    console.print(f"Verdict: [{style}]{r.verdict}[/]. {r.reason}")
    if r.value:
        v = r.value
        role = "" if v.role == "primary" else f", {v.role}"
        console.print(f"{v.title} ({escape(v.metric)}{role}, {escape(v.arm)}): "
                      f"[bold]{v.annual:,.0f} {escape(v.currency)}[/]{v.per} "
                      f"(CI {v.ci[0]:,.0f} to {v.ci[1]:,.0f})")
        console.print(f"[dim]basis: {escape(v.basis)}[/]")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {w}")


def _render_observational(r) -> None:  # noqa: ANN001 - ObservationalReadout (docs/readout.md#observational)
    from cxscale.measure.observational_readout import GATE_RULE

    s, o = r.spec, r.spec.observational
    console.print(f"[bold]Pilot {escape(s.pilot)}[/] (observational: [bold]not randomised, not causal[/]; unit "
                  f"{s.unit}); treated = {escape(o.treatment)} true ({escape(s.treatments[0])} "
                  f"{r.n[s.treatments[0]]:,}), untreated = the others ({escape(s.control)} {r.n[s.control]:,})")
    for m in r.metrics:
        c, share = m.comparison, m.metric.unit_label == "share"

        def val(v: float | None, share: bool = share) -> str:
            return "n/a" if v is None or not math.isfinite(v) else f"{v:.1%}" if share else f"{v:,.4g}"

        def diff(v: float | None, share: bool = share) -> str:
            return "n/a" if v is None or not math.isfinite(v) else f"{v * 100:+.1f}" if share else f"{v:+,.4g}"

        unit = ", pts" if share else ""
        t = Table(title=f"{escape(m.metric.name)} ({m.role}) by {escape(c.strata_by)}", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False, title_justify="left")
        t.add_column("stratum", overflow="fold")
        for col in ("n\nuntreated", "n\ntreated", "treated\nshare", "untreated", "treated", f"difference{unit}"):
            t.add_column(col, justify="right")
        for st in c.strata:
            t.add_row(escape(st.stratum), f"{st.n_control:,}", f"{st.n_treated:,}", f"{st.treated_share:.0%}",
                      val(st.mean_control), val(st.mean_treated), diff(st.difference))
        console.print(t)
        side = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        side.add_column("comparison", overflow="fold")
        for col in ("untreated", "treated", f"difference{unit} [95% CI]"):
            side.add_column(col, justify="right")
        for name, e in (("naive: all units", c.naive), (f"adjusted: within {c.strata_by}", c.adjusted)):
            side.add_row(escape(name), val(e.control), val(e.treatment),
                         f"{diff(e.effect_abs)} [{diff(e.ci_abs[0])}, {diff(e.ci_abs[1])}]")
        console.print(side)
        if m.role != "primary":
            console.print(f"{escape(m.metric.name)}: [bold]{m.verdict}[/]. {escape(m.reason)}")
    console.print(f"Verdict: [bold]{r.verdict}[/]. {escape(r.reason)}")
    console.print(f"causal: [bold]no[/]. For a gate: {GATE_RULE}.")
    for w in r.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
