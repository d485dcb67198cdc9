"""Start-up: what a command imports before its first query (issue 25: at most 0.3 s of Python before it).

A test of the import graph, not a timed test: bench/startup_probe.py runs the real command and records the modules
loaded when the first statement reaches DuckDB (or the portfolio's store opens); none of the heavy modules that only
later steps need (statistics, pages, pandas) may be among them, nor the other commands' modules. bench/bench_startup.py
prints the time behind it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "bench" / "startup_probe.py"

#: Loaded after the first query, if at all: scipy for the statistics, jinja2 and the charts for pages, pandas (the
#: Ibis DuckDB backend's to_pyarrow imports it for nothing: cxscale.engine.duckdb installs one without it; diagnose's
#: passes build frames once the data is open), pydantic-settings (cxscale.settings reads the environment itself).
LATER = ("pandas", "scipy", "jinja2", "statsmodels", "matplotlib", "pyspark", "sklearn", "weasyprint", "fastapi",
         "pydantic_settings", "cxscale.charts", "cxscale.measure.html", "cxscale.templates", "cxscale.simulate.run",
         "cxscale.journey", "cxscale.engine.spark")
#: What `--help` may not load: it answers at once, from the command line alone.
ENGINE = ("ibis", "duckdb", "pyarrow", "numpy", "pandas", "scipy", "jinja2", "sqlglot", "sqlalchemy")


def _probe(args: list[str], tmp_path: Path, *, before: str = "", codes: tuple[int, ...] = (0,)) -> set[str]:
    """The modules loaded at the first query of `cxscale ARGS` (`before`: Python run first, in the same process;
    `codes`: the exit codes the command may end with)."""
    out = tmp_path / "first.json"
    out.unlink(missing_ok=True)
    code = (f"{before}\nimport runpy, sys\nsys.argv = [{str(PROBE)!r}, {str(out)!r}, *{args!r}]\n"
            f"runpy.run_path({str(PROBE)!r}, run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.returncode in codes, run.stderr[-2000:]
    assert out.exists(), f"`cxscale {' '.join(args)}` sent no query"
    return set(json.loads(out.read_text())["modules"])


def _heavy(modules: set[str], heavy: tuple[str, ...] = LATER) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxscale.simulate import simulate

    root = tmp_path_factory.mktemp("startup") / "world"
    simulate(out=root, customers=2000, seed=3)
    return root


def _args(command: str, world: Path) -> list[str]:
    return {"measure": ["measure", str(world / "pilots" / "proactive_alerts.yaml"), "--json"],
            "validate": ["validate", str(world), "--json"],
            "plan": ["plan", "--data", str(world), "--metric", "cost_to_serve", "--target", "-0.05", "--json"],
            "diagnose": ["diagnose", "--data", str(world), "--json"]}[command]


@pytest.mark.parametrize("command", ["measure", "validate", "plan", "diagnose"])
def test_a_command_loads_no_later_module_before_its_first_query(command: str, world: Path, tmp_path: Path) -> None:
    modules = _probe(_args(command, world), tmp_path)
    assert "ibis" in modules and "cxscale.data.open" in modules  # the probe saw the real first query
    assert _heavy(modules) == []
    # and of the command line, only its own module: `cxscale NAME` does not build the other commands
    assert sorted(m for m in modules if m.startswith("cxscale.cli.") and m != "cxscale.cli._app"
                  and m != "cxscale.cli._data") == [f"cxscale.cli.{command}"]


def test_a_portfolio_command_loads_no_later_module_before_the_store_opens(world: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    modules = _probe(["portfolio", "sync", str(world / "portfolio"), "--store", str(store), "--json"], tmp_path)
    assert "sqlalchemy" in modules and "cxscale.portfolio.store" in modules
    assert _heavy(modules) == []
    gate = ["gate", "check", "agent-assist-live", "--data", str(world), "--store", str(store), "--json"]
    first = _probe(gate, tmp_path, codes=(0, 1))  # exit 1: the gate does not pass on so few customers
    assert _heavy(first) == [] and _heavy(first, ("cryptography",)) == []  # the log's signatures load when signing


def test_usecase_lint_loads_no_store(world: Path, tmp_path: Path) -> None:
    """Linting reads use-case files and plans on the data: SQLAlchemy (about 0.19 s, bench/README.md) and the
    decision log's signatures load neither before its first query nor after it (cxscale.portfolio's names are
    imported on first use)."""
    after = tmp_path / "after.json"
    at_exit = ("import atexit, json, sys\natexit.register(lambda: open("
               f"{str(after)!r}, 'w').write(json.dumps(sorted(sys.modules))))")
    store = ("sqlalchemy", "alembic", "cryptography", "cxscale.portfolio.store", "cxscale.portfolio.log")
    first = _probe(["usecase", "lint", str(world / "portfolio"), "--data", str(world), "--json"], tmp_path,
                   before=at_exit, codes=(0, 1))
    assert "cxscale.portfolio.lint" in first and _heavy(first, store) == []
    assert _heavy(set(json.loads(after.read_text())), store) == []
    # the check can fail: the portfolio's store module, imported, is seen
    from_store = _probe(["usecase", "lint", str(world / "portfolio"), "--data", str(world), "--json"], tmp_path,
                        before="import cxscale.portfolio.store", codes=(0, 1))
    assert "sqlalchemy" in _heavy(from_store, store)


def test_gate_check_on_a_store_at_head_loads_no_alembic(world: Path, tmp_path: Path) -> None:
    """Alembic and mako (about 80 ms) load only to migrate: a store already at the newest revision is opened with one
    plain read of its revision, neither before the command's first query nor after it."""
    store = tmp_path / "store.db"
    _probe(["portfolio", "sync", str(world / "portfolio"), "--store", str(store), "--json"], tmp_path)
    after = tmp_path / "after.json"
    at_exit = ("import atexit, json, sys\natexit.register(lambda: open("
               f"{str(after)!r}, 'w').write(json.dumps(sorted(sys.modules))))")
    gate = ["gate", "check", "agent-assist-live", "--data", str(world), "--store", str(store), "--json"]
    migrations = ("alembic", "mako", "cxscale.portfolio.migrations")
    first = _probe(gate, tmp_path, before=at_exit, codes=(0, 1))
    assert "cxscale.portfolio.store" in first and _heavy(first, migrations) == []
    assert _heavy(set(json.loads(after.read_text())), migrations) == []
    # the check can fail: a store one revision behind is migrated by Alembic in the same command
    from cxscale.portfolio.store import downgrade, open_store

    older = open_store(store)
    downgrade(older, "0003")
    older.close()
    _probe(gate, tmp_path, before=at_exit, codes=(0, 1))
    assert "alembic" in _heavy(set(json.loads(after.read_text())), migrations)


def test_a_gate_past_idea_opens_no_data(world: Path, tmp_path: Path) -> None:
    """--data is the idea gate's baseline (its power plan): for a gate past idea the command neither imports the
    engine nor opens and validates the data, before its first query (the store's) or after it. At idea it does."""
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot
    from cxscale.portfolio import open_store, service
    from tests.portfolio import folio

    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    try:
        service.sync(store, folio.write_folder(tmp_path / "portfolio", world), None)
        plan = plan_pilot(open_data(world), "cost_to_serve", -0.05, window_days=56)
        ana = next(p for p in service.people(store) if p.id == "ana.souza")
        service.advance(store, "proactive-alerts", "pilot", "the plan holds", ana, plan=folio.detectable(plan))
    finally:
        store.close()
    after = tmp_path / "after.json"
    at_exit = ("import atexit, json, sys\natexit.register(lambda: open("
               f"{str(after)!r}, 'w').write(json.dumps(sorted(sys.modules))))")
    engine = ("ibis", "cxscale.data", "cxscale.engine", "cxscale.measure")  # (the probe itself imports duckdb)
    gate = ["gate", "check", "proactive-alerts", "--data", str(world), "--store", url, "--json"]
    first = _probe(gate, tmp_path, before=at_exit, codes=(1,))  # pilot -> proof: no readout attached yet
    assert "cxscale.portfolio.store" in first and _heavy(first, engine) == []
    assert _heavy(set(json.loads(after.read_text())), engine) == []
    # a --data that does not exist is still refused, in one line
    missing = [*gate[:3], "--data", str(tmp_path / "nowhere"), *gate[5:]]
    run = subprocess.run([sys.executable, "-c", "from cxscale.cli import main; main()", *missing], capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert (run.returncode, run.stderr.strip()) == (1, f"error: {tmp_path / 'nowhere'}: no such file or folder")
    # the check can fail: at idea the same command plans on the data
    synced = tmp_path / "synced.db"
    _probe(["portfolio", "sync", str(tmp_path / "portfolio"), "--store", str(synced), "--json"], tmp_path)
    _probe([*gate[:5], "--store", str(synced), "--json"], tmp_path, before=at_exit, codes=(0, 1))
    assert {"ibis", "cxscale.data.open", "cxscale.measure.power"} <= set(json.loads(after.read_text()))


def test_the_probe_sees_a_heavy_import(world: Path, tmp_path: Path) -> None:
    """The check can fail: a module imported before the command's first query is among the modules it records."""
    assert _heavy(_probe(_args("validate", world), tmp_path)) == []
    assert "pandas" in _heavy(_probe(_args("validate", world), tmp_path, before="import pandas"))


@pytest.mark.parametrize("args", [["--help"], ["measure", "--help"], ["diagnose", "--help"], ["gate", "--help"],
                                  ["gate", "check", "--help"], ["portfolio", "--help"]])
def test_help_loads_no_engine(args: list[str]) -> None:
    code = (f"import sys; sys.argv = ['cxscale', *{args!r}]\nfrom cxscale.cli import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {ENGINE!r}), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Usage: cxscale" in run.stdout
    assert run.stderr.strip().splitlines()[-1] == "[]"


def test_every_command_is_in_the_table_that_loads_it_in_help_order() -> None:
    """`cxscale NAME` imports COMMANDS[NAME] only: a command missing from the table would not be found, and the table
    is in the order `cxscale --help` lists the commands."""
    code = ("import cxscale.cli as cli\nfrom typer.main import get_command\n"
            "print(list(get_command(cli.app).list_commands(None)))\nprint(list(cli.COMMANDS))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.returncode == 0, run.stderr[-2000:]
    shown, table = (eval(line) for line in run.stdout.splitlines())  # noqa: S307 - two lists this test printed
    assert sorted(shown) == sorted(table)
    groups = [c for c in table if c in ("usecase", "portfolio", "gate", "person", "log", "capability", "proof")]
    assert shown == [c for c in table if c not in groups] + groups  # Typer lists commands, then groups


def test_commands_loaded_one_at_a_time_still_show_in_help_order() -> None:
    """In one process (the tests' CliRunner), a command run before the whole app is loaded registers first; `app`
    puts it back in its place."""
    code = ("import sys\nfrom cxscale.cli import load\nfrom typer.main import get_command\nload('proof'); "
            "load('measure')\nimport cxscale.cli as cli\nprint(list(get_command(cli.app).list_commands(None)))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.returncode == 0, run.stderr[-2000:]
    from typer.main import get_command

    import cxscale.cli as cli

    assert run.stdout.strip() == str(list(get_command(cli.app).list_commands(None)))  # type: ignore[arg-type]


def test_each_dialect_is_found_by_its_backend_module() -> None:
    """The engine imports a dialect with its first connection, by the module of the connection's Ibis class."""
    import importlib

    from cxscale.engine.expressions import DIALECTS

    for backend, (module, name) in DIALECTS.items():
        assert getattr(importlib.import_module(module), name).backend_module == backend
