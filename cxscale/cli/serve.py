"""`cxscale serve`: the shared dashboard (docs/dashboard.md) over a store and a workspace."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cxscale.cli._app import app, console, read_settings
from cxscale.errors import CxscaleError

DEMO_WORKSPACE = Path("out/demo")
#: Written by `cxscale demo`: the demo users and their password, which the login page shows in demo mode only.
DEMO_LOGINS = "demo-logins.json"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command(epilog="Examples:\n\n  make demo && cxscale serve          # the demo portfolio on http://127.0.0.1:8000\n\n"
             "  CXSCALE_STORE=postgresql://cx@db/portfolio CXSCALE_SECRET_KEY=... cxscale serve --workspace /srv/cx "
             "--host 0.0.0.0   # a team's store, behind HTTPS")
def serve(
    host: str = typer.Option("127.0.0.1", help="The address to listen on: this machine only by default. Anything "
                             "else serves secure (HTTPS-only) cookies: put it behind a TLS proxy."),
    port: int = typer.Option(8000, min=1, max=65535, help="The port."),
    store: str = typer.Option(None, help="The portfolio store: a SQLite file or a postgresql:// URL (default: "
                              "CXSCALE_STORE; after make demo, out/demo/portfolio.db)."),
    workspace: Path = typer.Option(None, help="The folder with diagnosis.json, readouts and proof points (default: "
                                   "out/demo when it exists)."),
) -> None:
    """Serve the shared dashboard: the pipeline, each initiative with its gate and decisions, the journey, the
    decision log, and a JSON API (/api/docs). Logins are the store's people with a password; in the demo,
    `make demo` creates them and the login page lists them."""
    import uvicorn

    from cxscale.web import WebConfig, create_app

    settings = read_settings()
    folder = workspace if workspace is not None else DEMO_WORKSPACE if DEMO_WORKSPACE.is_dir() else None
    if folder is not None and not folder.is_dir():
        raise CxscaleError(f"--workspace {folder}: not a folder")
    target = store or (str(folder / "portfolio.db") if folder is not None and (folder / "portfolio.db").exists()
                       and "CXSCALE_STORE" not in __import__("os").environ else settings.store)
    demo = folder / DEMO_LOGINS if folder is not None else None
    logins: tuple[tuple[str, str], ...] = ()
    password = None
    if demo is not None and demo.exists():
        data = json.loads(demo.read_text())
        logins = tuple((u["user"], u["what"]) for u in data["users"])
        password = data["password"]
    key = settings.secret_key.get_secret_value().encode() if settings.secret_key else None
    world = folder / "world" if folder is not None and (folder / "world").is_dir() else None
    config = WebConfig(store=target, workspace=folder, data=world, secret_key=key, demo_logins=logins, demo_password=password,
                       secure_cookies=host not in LOOPBACK)
    console.print(f"cxscale dashboard on [bold]http://{host}:{port}/[/] (store {target}"
                  + (", demo mode" if logins else "") + "); Ctrl+C stops it")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
