"""Start-up: what a command imports before its first query (issue 25: at most 0.3 s of Python before it).

A test of the import graph, not a timed test: bench/startup_probe.py runs the real command and records the modules
loaded when the first statement reaches DuckDB; none of the heavy modules that only later steps need (statistics,
pages, pandas) may be among them. bench/bench_startup.py prints the time behind it.
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
#: Ibis DuckDB backend's to_pyarrow imports it for nothing: cxscale.engine.duckdb installs one without it).
LATER = ("pandas", "scipy", "jinja2", "statsmodels", "matplotlib", "pyspark", "sklearn", "weasyprint", "fastapi",
         "cxscale.charts", "cxscale.measure.html", "cxscale.templates", "cxscale.simulate.run")


def _first_query(args: list[str], tmp_path: Path) -> set[str]:
    out = tmp_path / "first.json"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run([sys.executable, str(PROBE), str(out), *args], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.exists(), f"`cxscale {' '.join(args)}` sent no query"
    return set(json.loads(out.read_text())["modules"])


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in LATER))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxscale.simulate import simulate

    root = tmp_path_factory.mktemp("startup") / "world"
    simulate(out=root, customers=2000, seed=3)
    return root


@pytest.mark.parametrize("command", ["measure", "validate", "plan"])
def test_a_command_loads_no_later_module_before_its_first_query(command: str, world: Path, tmp_path: Path) -> None:
    args = {"measure": ["measure", str(world / "pilots" / "proactive_alerts.yaml"), "--json"],
            "validate": ["validate", str(world), "--json"],
            "plan": ["plan", "--data", str(world), "--metric", "cost_to_serve", "--target", "-0.05", "--json"]}
    modules = _first_query(args[command], tmp_path)
    assert "ibis" in modules and "cxscale.data.open" in modules  # the probe saw the real first query
    assert _heavy(modules) == []


def test_the_probe_sees_a_heavy_import(world: Path, tmp_path: Path) -> None:
    """The check can fail: diagnose still loads pandas (its passes build frames) before its first query."""
    assert "pandas" in _heavy(_first_query(["diagnose", "--data", str(world), "--json"], tmp_path))


def test_help_loads_no_engine() -> None:
    code = ("import sys; sys.argv = ['cxscale', 'measure', '--help']\nfrom cxscale.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ibis', 'duckdb', 'pyarrow', 'numpy', "
            "'pandas', 'scipy', 'jinja2')), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.stderr.strip().splitlines()[-1] == "[]"
