"""cxscale.stats stays pure: numpy/scipy only, no engine, Ibis, pandas or CLI (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import cxscale.stats

STATS_DIR = Path(cxscale.stats.__file__).parent
FORBIDDEN = ("ibis", "pandas", "pyspark", "duckdb", "typer", "rich", "cxscale.engine", "cxscale.cli", "cxscale.data",
             "cxscale.measure", "cxscale.metrics")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_stats_modules_import_only_numpy_scipy_and_themselves() -> None:
    allowed_roots = {"numpy", "scipy", "__future__", "dataclasses", "math", "typing", "collections", "itertools",
                     "cxscale"}
    for path in STATS_DIR.glob("*.py"):
        for name in _imports(path):
            assert name.split(".")[0] in allowed_roots, f"{path.name} imports {name}"
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
            if name.startswith("cxscale"):
                assert name.startswith(("cxscale.stats", "cxscale.errors")), f"{path.name} imports {name}"


def test_importing_stats_loads_no_engine_ibis_or_pandas() -> None:
    code = ("import sys, cxscale.stats; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('ibis', 'pandas', 'pyspark', 'duckdb', 'typer') or m.startswith(('cxscale.engine', 'cxscale.cli'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_public_api_is_listed_in_all_and_in_methods_doc() -> None:
    doc = (STATS_DIR.parents[1] / "docs" / "methods.md").read_text()
    for name in cxscale.stats.__all__:
        assert hasattr(cxscale.stats, name)
        assert name in doc, f"{name} is not documented in docs/methods.md"
