"""The layers point one way (docs/architecture.md): the import-linter contracts in pyproject.toml hold on the package,
and the check fails when a lower layer imports a higher one (a planted import in a copy of the package)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's import contracts against the cxscale package found in `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), str(REPO / "pyproject.toml"), "--no-cache"], cwd=package_parent,
                          env=env, capture_output=True, text=True, timeout=120)


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "cxscale", tmp_path / "cxscale", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_package_keeps_its_layers():
    res = _lint(REPO)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


@pytest.mark.parametrize(("module", "planted", "broken"), [
    ("documents/base.py", "import cxscale.measure.verdict", "cxscale.documents is not allowed to import cxscale.measure"),
    ("stats/__init__.py", "from cxscale.data import dataset", "cxscale.stats is not allowed to import cxscale.data"),
    ("data/__init__.py", "from cxscale.cli import _app", "cxscale.data is not allowed to import cxscale.cli"),
    ("measure/verdict.py", "import cxscale.journey", "cxscale.measure is not allowed to import cxscale.journey"),
    ("stats/dist.py", "import pandas", "cxscale.stats is not allowed to import pandas"),
])
def test_a_planted_upward_import_breaks_the_check(tmp_path, module, planted, broken):
    root = _copy(tmp_path)
    path = root / "cxscale" / module
    path.write_text(path.read_text() + f"\n{planted}  # planted by tests/test_layers.py\n")
    res = _lint(root)
    assert res.returncode != 0 and "BROKEN" in res.stdout, res.stdout
    assert broken in res.stdout, res.stdout
