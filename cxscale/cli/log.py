"""`cxscale log`: verify the decision log's chain (and a signed checkpoint), show its entries for auditors."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cxscale.cli._app import app, console, print_json, read_settings
from cxscale.errors import CxscaleError

log_app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                      help="The decision log: verify that no entry was edited, deleted, moved or inserted; show "
                           "its entries.\n\nExample: [bold]cxscale log verify --store portfolio.db[/]")
app.add_typer(log_app, name="log")

_STORE_HELP = "The portfolio store: a SQLite file or a postgresql:// URL (default: CXSCALE_STORE, else portfolio.db)."


@log_app.command("verify")
def verify_command(
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    checkpoint: Path = typer.Option(None, "--checkpoint", help="A signed checkpoint (JSON) to check the log against: "
                                                               "catches its newest entries deleted."),
    public_key: Path = typer.Option(None, "--public-key", help="The PEM public key that signed the checkpoint."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON document."),
) -> None:
    """Recompute the decision log's hash chain and name the first bad entry; exit 1 when it does not verify.

    With a checkpoint (size and head hash, signed with Ed25519, kept outside the database) it also fails when the
    log was truncated or the checkpoint was not signed by the key (docs/portfolio-log.md).

    Example: [bold]cxscale log verify --store portfolio.db --checkpoint checkpoint.json --public-key log.pem.pub[/]
    """
    from dataclasses import asdict

    from cxscale.portfolio import Checkpoint, load_public_key, open_store, verify

    if (checkpoint is None) != (public_key is None):
        raise CxscaleError("--checkpoint and --public-key go together: the checkpoint is checked with the key that "
                           "signed it")
    signed = Checkpoint.read(checkpoint) if checkpoint else None
    key = load_public_key(public_key) if public_key else None
    opened = open_store(store or read_settings().store)
    try:
        result = verify(opened, signed, key)
    finally:
        opened.close()
    if as_json:
        print_json(asdict(result))
        if not result.ok:
            raise typer.Exit(1)
        return
    if not result.ok:
        raise CxscaleError(f"the decision log does not verify: {result.reason}")
    against = f", and the signed checkpoint of {signed.size} entries holds" if signed else ""
    console.print(f"[green]ok[/]: the decision log's {result.size} entries verify{against} (head {result.head[:16]})",
                  highlight=False)


@log_app.command("show")
def show_command(
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    subject: str = typer.Option(None, "--subject", help="Only the entries about this initiative."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as one JSON list (who, when, what, from, "
                                                        "to, reason, evidence digests, hashes)."),
    as_jsonl: bool = typer.Option(False, "--jsonl", help="Print one JSON object per line, per entry (for auditors' "
                                                          "tools: jq, spreadsheets, monthly reviews)."),
) -> None:
    """Show the decision log's entries, oldest first: who decided what, when, from and to which stage, and why.

    Example: [bold]cxscale log show --subject no-show-outreach --jsonl > decisions.jsonl[/]
    """
    from cxscale.portfolio import entries, open_store

    opened = open_store(store or read_settings().store)
    try:
        rows = [e for e in entries(opened) if subject is None or e.subject == subject]
    finally:
        opened.close()
    if as_jsonl:
        import json
        import sys

        for e in rows:
            sys.stdout.write(json.dumps(e.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()
        return
    if as_json:
        print_json([e.to_json() for e in rows])
        return
    table = Table(title=f"Decision log ({len(rows)} entries)")
    table.add_column("seq", justify="right", no_wrap=True)
    table.add_column("when (UTC)", no_wrap=True)
    for col in ("who", "what", "subject", "stage", "reason"):
        table.add_column(col, overflow="fold", ratio=3 if col == "reason" else 1)
    for e in rows:
        stage = f"{e.from_stage or '?'} -> {e.to_stage or '?'}" if e.from_stage or e.to_stage else ""
        table.add_row(str(e.seq), e.at[:16].replace("T", " "), e.actor, e.action, e.subject, stage, e.reason)
    console.print(table)


@log_app.command("keygen")
def keygen_command(
    key: Path = typer.Option(..., "--key", help="Where to write the private key (PEM, readable by you only); the "
                                                "public key goes beside it as KEY.pub."),
    as_json: bool = typer.Option(False, "--json", help="Print the two files' paths as JSON."),
) -> None:
    """Make an Ed25519 key pair for signing checkpoints. Never overwrites a key; never prints it.

    Example: [bold]cxscale log keygen --key ~/.cxscale/log.pem[/]
    """
    from cxscale.portfolio import generate_key
    from cxscale.portfolio.log import public_path

    generate_key(key)
    if as_json:
        print_json({"private_key": str(key), "public_key": str(public_path(key))})
        return
    console.print(f"[green]ok[/]: private key {key} (keep it off the database's machine), public key "
                  f"{public_path(key)}", highlight=False)


@log_app.command("checkpoint")
def checkpoint_command(
    key: Path = typer.Option(..., "--key", help="The private key that signs (cxscale log keygen)."),
    out: Path = typer.Option(..., "--out", help="Where to write the checkpoint (JSON): keep it outside the database "
                                                "(the portfolio's git folder, the quarterly pack)."),
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the checkpoint as JSON too."),
) -> None:
    """Sign the log's current size and head hash: verify --checkpoint later fails if entries were deleted since.

    Example: [bold]cxscale log checkpoint --key ~/.cxscale/log.pem --out portfolio/checkpoint.json[/]
    """
    from dataclasses import asdict

    from cxscale.portfolio import checkpoint, load_private_key, open_store

    signing = load_private_key(key)
    opened = open_store(store or read_settings().store)
    try:
        signed = checkpoint(opened, signing)
    finally:
        opened.close()
    signed.write(out)
    if as_json:
        print_json(asdict(signed))
        return
    console.print(f"[green]ok[/]: checkpoint of {signed.size} entries (head {signed.head[:16]}) written to {out}",
                  highlight=False)
