"""`cxscale usecase`: see `cxscale usecase --help`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from cxscale.cli._app import app, console, print_json, read_settings

usecase_app = typer.Typer(help="Use cases: the portfolio as code, one YAML file per initiative (docs/portfolio.md)."
                               "\n\nExample: [bold]cxscale usecase lint portfolio/[/]",
                          no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(usecase_app, name="usecase")


@usecase_app.command("lint", epilog="Examples:\n\n  cxscale usecase lint portfolio/\n\n"
                                    "  cxscale usecase lint docs/examples/noshow.usecase.yaml --data "
                                    "../shared/data/noshow --mapping noshow --json")
def lint(
    paths: list[Path] = typer.Argument(..., help="Use-case files, or folders whose *.usecase.yaml files are read."),
    data: str | None = typer.Option(None, "--data", "-d", help="Data folder/file or Ibis URL: also check that each "
                                    "target is detectable in its window on this baseline (cxscale plan)."),
    mapping: str | None = typer.Option(None, "--mapping", help="Mapping name or file for the data."),
    engine: str | None = typer.Option(None, "--engine", help="duckdb (default), spark or an Ibis URL."),
    metrics: list[Path] = typer.Option([], "--metrics", help="A metric definitions file that extends the catalog "
                                       "(repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as one JSON document."),
) -> None:
    """Tell a use case from a slogan: every missing or inconsistent part, as errors and warnings.

    Exit code 1 when any file has an error, 0 otherwise (warnings do not fail), so a CI job can lint a portfolio
    folder in a pull request.

    Example: [bold]cxscale usecase lint portfolio/[/]
    """
    from cxscale.errors import CxscaleError
    from cxscale.metrics import load_catalog
    from cxscale.portfolio import lint_file, use_case_files

    files = use_case_files(paths)
    if not files:
        raise CxscaleError(f"no use cases in {', '.join(map(str, paths))} (a folder's use cases are its "
                           "*.usecase.yaml files)")
    catalog = load_catalog(*metrics)
    ds = None
    if data is not None:
        from cxscale.data import open_data

        ds = open_data(data, mapping, engine, settings=read_settings())
    results = {str(f): lint_file(f, ds, catalog) for f in files}
    errors = sum(x.severity == "error" for found in results.values() for x in found)
    warnings = sum(x.severity == "warning" for found in results.values() for x in found)
    if as_json:
        print_json({"files": [{"file": f, "ok": not any(x.severity == "error" for x in found),
                               "findings": [x.to_json() for x in found]} for f, found in results.items()],
                    "errors": errors, "warnings": warnings})
    else:
        for f, found in results.items():
            bad = any(x.severity == "error" for x in found)
            console.print(f"[bold]{escape(f)}[/]: " + ("[bold red]not a use case yet[/]" if bad else
                                                      "[bold green]ok[/]"), highlight=False)
            for x in found:
                colour = "red" if x.severity == "error" else "yellow"
                where = f" {escape(x.path)}:" if x.path else ""
                rule = escape(f"[{x.rule}]")
                console.print(f"  [{colour}]{x.severity}[/] {rule}{where} {escape(x.message)}", highlight=False,
                              soft_wrap=True)
        console.print(f"{len(results)} file{'s' * (len(results) != 1)}: {errors} error{'s' * (errors != 1)}, "
                      f"{warnings} warning{'s' * (warnings != 1)}")
    if errors:
        raise typer.Exit(1)
