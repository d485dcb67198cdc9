"""`cxscale review`: the quarterly review pack, one self-contained offline HTML page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from cxscale.cli._app import app, console, print_json, read_settings
from cxscale.cli.audit import DIAGNOSIS_HELP, STORE_HELP, as_of_moment, open_portfolio, records


@app.command("review")
def review_command(
    quarter: str = typer.Option(..., "--quarter", help="The quarter to review, e.g. 2026Q3."),
    out: Path = typer.Option(..., "--out", help="The HTML file to write (self-contained, works offline)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    diagnosis: Path = typer.Option(None, "--diagnosis", help=DIAGNOSIS_HELP),
    as_of: str = typer.Option(None, "--as-of", help="The moment of the review, ISO 8601 (default: now, or the "
                                                    "quarter's end if sooner)."),
    value_data: str = typer.Option(None, "--value-data", help="Data with the holdouts of the capabilities at scale "
                                   "(a world folder with scale/*.yaml, as `cxscale value --data` reads): adds whether "
                                   "the portfolio compounds."),
    pdf: Path = typer.Option(None, "--pdf", help="Also print the pack as a PDF to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written and the pack's headline numbers."),
) -> None:
    """Write the quarterly review pack: the pipeline by stage with value proven and realised, what moved this
    quarter, stalled pilots and their flags, decisions taken (overrides marked), gates coming next, the scorecard
    with its trend (docs/portfolio-audit.md#the-review-pack). The PDF comes with the proof points' renderer.

    Example: [bold]cxscale review --quarter 2026Q3 --diagnosis diagnosis.json --out review-2026Q3.html[/]
    """
    from cxscale.portfolio.log import verify
    from cxscale.portfolio.review import build_review, write_review
    from cxscale.portfolio.scorecard import evaluations, quarter_bounds

    _, end = quarter_bounds(quarter)
    moment = min(as_of_moment(as_of), end - timedelta(microseconds=1)) if as_of is None else as_of_moment(as_of)
    opened = open_portfolio(store)
    try:
        recs = records(opened, diagnosis)
        pack = build_review(recs.initiatives, recs.people, recs.diagnosis, quarter, moment, verify(opened),
                            evaluations(opened), compounding=_compounding(value_data) if value_data else None)
    finally:
        opened.close()
    write_review(pack, out)
    if pdf is not None:
        from cxscale.pdf import render_pdf
        from cxscale.portfolio.review import render_review

        render_pdf(render_review(pack), pdf, created=pack.as_of)
    if as_json:
        print_json({"out": str(out), "quarter": quarter, "as_of": pack.as_of.isoformat(),
                    "stages": {r.stage: len(r.initiatives) for r in pack.pipeline},
                    "moves": len(pack.moves), "decisions": len(pack.decisions), "stalled": len(pack.stalled),
                    "overrides": sum(1 for e in pack.decisions if e.action == "override")})
        return
    console.print(f"wrote the {quarter} review to {out}: {len(pack.moves)} moves, {len(pack.stalled)} stalled "
                  "pilots", highlight=False)


def _compounding(data: str) -> dict:
    """The value-at-scale check on `data` as JSON (cxscale value's `compounding`)."""
    from cxscale.cli.value import SAME_DESIGN
    from cxscale.measure.realised import read_scaled
    from cxscale.portfolio.value import compounding

    world = read_scaled(Path(data).resolve() if Path(data).exists() else data, settings=read_settings())
    combined = None if world.portfolio is None else world.portfolio.readout
    return compounding(combined, [(c.name, c.holdout.readout) for c in world.capabilities],
                       independence=SAME_DESIGN).to_json()
