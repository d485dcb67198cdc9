"""`cxscale schema`: the versioned documents cxscale writes and reads, and their JSON Schemas."""

from __future__ import annotations

import typer
from rich.table import Table

from cxscale.cli._app import app, console, print_json
from cxscale.errors import CxscaleError


@app.command("schema")
def schema_command(
    name: str = typer.Argument(None, help="A document: pilot-spec, readout, diagnosis, use-case-draft or use-case."),
    as_json: bool = typer.Option(False, "--json", help="List the documents as one JSON document (a schema always "
                                                        "prints as JSON)."),
) -> None:
    """Print the JSON Schema of a document cxscale writes or reads, or list them.

    The pilot spec, the readout and diagnosis JSON and the use-case drafts are versioned: within a version fields
    are only added (docs/architecture.md). Validate against the schema in any language, or in Python with the
    model it is generated from.

    Example: [bold]cxscale schema readout > readout-v1.schema.json[/]
    """
    from cxscale.documents.json_schema import json_schema, published

    docs = published()
    if name is None:
        rows = [{"name": d.name, "version": d.version, "what": d.what,
                 "model": f"{d.model.__module__}.{d.model.__name__}"} for d in docs.values()]
        if as_json:
            print_json(rows)
            return
        table = Table(title="Versioned documents (cxscale schema NAME prints one's JSON Schema)")
        for col in ("name", "version", "what", "model"):
            table.add_column(col, justify="right" if col == "version" else "left", overflow="fold")
        for r in rows:
            table.add_row(r["name"], str(r["version"]), r["what"], r["model"])
        console.print(table)
        return
    if name not in docs:
        raise CxscaleError(f"no document named {name!r}: choose one of {', '.join(docs)}")
    print_json(json_schema(docs[name].model))
