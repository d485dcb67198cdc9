"""`cxscale serve`: the shared dashboard (docs/dashboard.md) over a store and a workspace."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cxscale.cli._app import app, console, print_json, read_settings
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
    workspace: Path = typer.Option(None, help="The folder with diagnosis.json (the journey page, the audit's "
                                   "touchpoints and money at stake) and the log's signed checkpoints (default: "
                                   "out/demo when it exists)."),
    data: str = typer.Option(None, help="The interaction data the idea -> pilot gate plans power on: a folder or "
                             "an Ibis URL (default: WORKSPACE/world when it exists; without it that gate says the "
                             "plan is missing)."),
    as_json: bool = typer.Option(False, "--json", help="Print where it serves as one JSON line (url, store, "
                                 "workspace, demo), then serve."),
) -> None:
    """Serve the shared dashboard: the pipeline by role (executive, operations, commercial), each initiative with
    its gate, actions and decisions, the journey, the pilot-trap audit, the scorecard, the proof-point library, the
    quarterly review pack, the decision log, and a JSON API (/api/docs, schema at /api/openapi.json).

    Logins are the store's people with a dashboard password (argon2-hashed in the store); in the demo, `make demo`
    creates them and the login page lists them; a team's store has no default password. A team's store: point --store (or CXSCALE_STORE) at its PostgreSQL URL,
    set CXSCALE_SECRET_KEY (32+ random characters, so sessions survive a restart), give --workspace and --data,
    and serve on a private address behind a TLS proxy: any --host but loopback sends Secure cookies only
    (docs/dashboard.md)."""
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
        written = json.loads(demo.read_text())
        logins = tuple((u["user"], u["what"]) for u in written["users"])
        password = written["password"]
    key = settings.secret_key.get_secret_value().encode() if settings.secret_key else None
    if key is not None and len(key) < 32:
        raise CxscaleError(f"CXSCALE_SECRET_KEY has {len(key)} characters: give at least 32 random ones (python -c "
                           "'import secrets; print(secrets.token_urlsafe(32))')")
    world: Path | str | None = (Path(data) if Path(data).exists() else data) if data is not None else \
        folder / "world" if folder is not None and (folder / "world").is_dir() else None
    config = WebConfig(store=target, workspace=folder, data=world, secret_key=key, demo_logins=logins, demo_password=password,
                       secure_cookies=host not in LOOPBACK)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    from cxscale.engine import redact

    if as_json:
        print_json({"url": url, "store": redact(target), "workspace": str(folder) if folder else None,
                    "demo": bool(logins)})
    else:
        console.print(f"cxscale dashboard on [bold]{url}[/] (store {redact(target)}" + (", demo mode" if logins else "")
                      + "); Ctrl+C stops it")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
