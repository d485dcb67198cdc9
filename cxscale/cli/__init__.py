"""The cxscale command: wires commands to the package's functions and renders results. No logic here.

Each command lives in its own module (one per pipeline step) and registers on the shared Typer app when imported.
`cxscale NAME ...` imports NAME's module only (issue 25: a command's Python before its first query is its own
path, not the other eighteen modules and their Click commands); `cxscale --help`, an unknown word and `app`
(what the tests' CliRunner invokes) import them all, in the order `cxscale --help` shows.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

# The Typer app and the consoles, which every command needs: made on this import, so that a console's width follows
# the COLUMNS of the moment it is made (tests/conftest.py makes them with none).
from cxscale.cli import _app
from cxscale.errors import CxscaleError

if TYPE_CHECKING:
    import typer

#: Each command's module, in the order `cxscale --help` lists them (Typer lists the commands of the app first, then
#: its groups, each in the order they were registered).
COMMANDS = {"simulate": "simulate", "validate": "validate", "diagnose": "diagnose", "plan": "plan",
            "measure": "measure", "demo": "demo", "schema": "schema", "usecase": "usecase", "portfolio": "portfolio",
            "gate": "gate", "signoff": "gate", "stop": "gate", "retire": "gate", "person": "person", "log": "log",
            "audit": "audit", "scorecard": "scorecard", "review": "review", "value": "value",
            "capability": "capability", "proof": "proof", "serve": "serve"}
_ORDER = list(dict.fromkeys(COMMANDS.values()))


def load(command: str | None = None) -> typer.Typer:
    """The app with `command`'s module imported, or every command's when `command` is None or not one of them."""
    modules = [COMMANDS[command]] if command in COMMANDS else _ORDER
    for module in modules:
        importlib.import_module(f"cxscale.cli.{module}")
    if command not in COMMANDS:  # modules imported earlier, one at a time, registered out of order
        _app.app.registered_commands.sort(key=lambda c: _ORDER.index(c.callback.__module__.rsplit(".", 1)[1]))
        _app.app.registered_groups.sort(key=lambda g: _ORDER.index(COMMANDS[str(g.name)]))
    return _app.app


def __getattr__(name: str) -> Any:
    if name == "app":  # every command: what `cxscale --help` shows and a CliRunner may invoke
        return load()
    raise AttributeError(f"module 'cxscale.cli' has no attribute {name!r}")


#: Old spellings of a command, kept working for one release with a notice: old words -> the command now.
DEPRECATED = {("measure", "power"): "plan"}


def run() -> NoReturn:
    """The `cxscale` program (pyproject's entry point): main(), then an exit without the interpreter's teardown.

    That teardown clears every module and collects what they held: 0.5-0.9 s after a readout of 10M contacts on a
    loaded machine, against the hand-written peer's whole exit of 0.05 s (bench/README.md, issue 25). What in it
    matters is done first: cxscale's DuckDB connections are closed (their spill files removed), the exit handlers run
    (logging, temporary directories) and the standard streams are flushed. A process with a Spark session or a
    server connection open, or one ending in an uncaught exception, ends the usual way; main() alone (tests,
    scripts) exits the usual way too."""
    try:
        main()
        code: str | int | None = 0
    except SystemExit as exc:
        code = exc.code
    connection = sys.modules.get("cxscale.engine.connection")
    if "pyspark" in sys.modules or (connection is not None and not connection.close_for_exit()):
        sys.exit(code)
    atexit._run_exitfuncs()
    status = code if isinstance(code, int) else 0 if code is None else 1
    if isinstance(code, str):  # sys.exit("message") prints its message
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`cxscale ... | head`) or stream: nothing more can be written
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def main() -> None:
    """Entry point for tests and scripts (the program is run()): a CxscaleError becomes one red line and exit code 1,
    a usage mistake (unknown option, bad option value) one red line and exit code 2; anything else is a bug with a
    traceback."""
    # Start-up creates a few hundred thousand objects that live as long as the process (modules, classes, Ibis and
    # Pydantic schemas); with Python's default threshold (a collection every 700 new objects) the collector scans
    # them again and again: 256 collections, 85 ms, before `cxscale measure` sends its first query. One every 10,000
    # makes that 17 in 38 ms and collects cycles all the same (bench/README.md, issue 25).
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    args = sys.argv[1:]
    for old, new in DEPRECATED.items():
        if tuple(args[:len(old)]) == old:
            _app.err_console.print(f"[yellow]notice:[/] `cxscale {' '.join(old)}` is deprecated and will be removed "
                                   f"in the next release; use `cxscale {new}`", highlight=False, soft_wrap=True)
            args = [new, *args[len(old):]]
    app = load(args[0] if args else None)
    try:
        code = app(args, prog_name="cxscale", standalone_mode=False)
    except CxscaleError as exc:
        _fail(str(exc), 1)
    except Exception as exc:  # Typer's Click errors (its vendored copy or click's) by name; anything else re-raised
        kinds = {k.__name__ for k in type(exc).__mro__}
        if "NoArgsIsHelpError" in kinds:  # `cxscale measure` with nothing: the help is already printed
            sys.exit(2)
        if "ClickException" in kinds:  # Typer's (vendored or not) Click errors: one line, not a Rich panel
            ctx = getattr(exc, "ctx", None)
            hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            _fail(exc.format_message() + hint, getattr(exc, "exit_code", 2))  # type: ignore[attr-defined]
        if "Abort" in kinds:
            _fail("aborted", 1)
        raise
    # The interpreter's exit collects garbage, then clears every module and collects again: each pass walks the
    # start-up's objects (150,000 after a readout), 0.3-1 s of `cxscale measure` at 10M on a loaded machine against
    # the hand-written peer's 0.05 s (bench/README.md, issue 25). gc.disable() skips the first pass only: the ones
    # after the modules are cleared still collect every cycle, so connections close and files flush as before.
    gc.disable()
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    if "://" in message or "=" in message:  # a URL or key=value that may hold a password (imports the engine)
        from cxscale.engine import redact

        message = redact(message)
    from rich.markup import escape

    _app.err_console.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)
    sys.exit(code)


__all__ = ["COMMANDS", "app", "load", "main"]
