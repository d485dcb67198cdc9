# ruff: noqa: I001  (command modules are imported in pipeline order: that order is the order of `cxscale --help`)
"""The cxscale command: wires commands to the package's functions and renders results. No logic here.

Each command lives in its own module (one per pipeline step) and registers on the shared Typer app.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.markup import escape

from cxscale.cli._app import app, err_console
from cxscale.errors import CxscaleError

# Importing a module registers its commands on `app`, in the order `cxscale --help` shows them.
from cxscale.cli import simulate as _simulate  # noqa: E402,F401
from cxscale.cli import validate as _validate  # noqa: E402,F401
from cxscale.cli import diagnose as _diagnose  # noqa: E402,F401
from cxscale.cli import plan as _plan  # noqa: E402,F401
from cxscale.cli import measure as _measure  # noqa: E402,F401
from cxscale.cli import demo as _demo  # noqa: E402,F401
from cxscale.cli import schema as _schema  # noqa: E402,F401
from cxscale.cli import usecase as _usecase  # noqa: E402,F401
from cxscale.cli import portfolio as _portfolio  # noqa: E402,F401
from cxscale.cli import gate as _gate  # noqa: E402,F401
from cxscale.cli import person as _person  # noqa: E402,F401
from cxscale.cli import log as _log  # noqa: E402,F401
from cxscale.cli import audit as _audit  # noqa: E402,F401
from cxscale.cli import scorecard as _scorecard  # noqa: E402,F401
from cxscale.cli import review as _review  # noqa: E402,F401
from cxscale.cli import value as _value  # noqa: E402,F401
from cxscale.cli import capability as _capability  # noqa: E402,F401
from cxscale.cli import proof as _proof  # noqa: E402,F401
from cxscale.cli import serve as _serve  # noqa: E402,F401


#: Old spellings of a command, kept working for one release with a notice: old words -> the command now.
DEPRECATED = {("measure", "power"): "plan"}


def main() -> None:
    """Entry point: a CxscaleError becomes one red line and exit code 1, a usage mistake (unknown option, bad option
    value) one red line and exit code 2; anything else is a bug with a traceback."""
    args = sys.argv[1:]
    for old, new in DEPRECATED.items():
        if tuple(args[:len(old)]) == old:
            err_console.print(f"[yellow]notice:[/] `cxscale {' '.join(old)}` is deprecated and will be removed in the "
                              f"next release; use `cxscale {new}`", highlight=False, soft_wrap=True)
            args = [new, *args[len(old):]]
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
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    if "://" in message or "=" in message:  # a URL or key=value that may hold a password (imports the engine)
        from cxscale.engine import redact

        message = redact(message)
    err_console.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)
    sys.exit(code)


__all__ = ["app", "main"]
