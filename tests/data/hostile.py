"""Helpers for the hostile-input tests: run a command as `cxscale` does, and a small world to break."""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.errors import CxscaleError

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    """Exit code and output of `cxscale ARGS`: a CxscaleError is the one red line main() prints (exit 1); any
    other exception is a traceback the user would see, so it fails the test."""
    result = runner.invoke(app, [str(a) for a in args])
    exc = result.exception
    if isinstance(exc, CxscaleError):
        return 1, f"error: {exc}"
    assert exc is None or isinstance(exc, SystemExit), "".join(traceback.format_exception(exc))
    return result.exit_code, result.output


def assert_one_line(code: int, output: str, *words: str) -> str:
    """The command failed with exit 1 and one error line holding every word."""
    assert code == 1, output
    lines = [ln for ln in output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, output
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def broken_world(world: Path, to: Path, sql: str) -> Path:
    """A copy of a simulated world whose interactions are the result of `sql` over `src` (its interactions), as
    Parquet when the query keeps the types, as CSV when `to` ends in '.csv'."""
    out = to.parent
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(world, out, ignore=shutil.ignore_patterns("interactions"))
    src = f"read_parquet('{world}/interactions/*.parquet')"
    with duckdb.connect() as con:
        query = sql.format(src=src)
        if to.suffix == ".csv":
            con.execute(f"copy ({query}) to '{to}' (header)")
        else:
            to.mkdir()
            con.execute(f"copy ({query}) to '{to}/part-00000.parquet'")
    return out
