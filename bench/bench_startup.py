"""Start-up: the Python time of a cxscale command before its first query (issue 25's target: at most 0.3 s).

For each command it runs bench/startup_probe.py under `python -X importtime` and prints: the wall time to the first
query (median of --runs), the import time before it (the sum of -X importtime's self times of the modules loaded by
then), split into the engine stack every Ibis query needs (ibis, sqlglot, duckdb, pyarrow, numpy and their
dependencies; a hand-written DuckDB query pays duckdb and numpy of it) and the rest (cxscale, its CLI, settings and
documents), which is the figure the target bounds. tests/test_startup.py checks the import graph behind it.

    .venv/bin/python bench/bench_startup.py             # on a 20,000-customer simulated world under bench/out/
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
#: Top-level packages of the engine stack (what `import ibis; ibis.duckdb.connect()` loads).
ENGINE = {"ibis", "duckdb", "_duckdb", "pyarrow", "numpy", "sqlglot", "toolz", "dateutil", "pytz", "tzdata", "six",
          "packaging", "parsy", "public", "atpublic", "typing_extensions", "pyarrow_hotfix"}


def probe(args: list[str], importtime: bool = False) -> dict:
    """Run one command through the probe; {"seconds", "modules"} at its first query, and "imports" (module -> self
    microseconds) with importtime."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "first.json"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
        cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), str(BENCH / "startup_probe.py"),
               str(out), *args]
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if not out.exists():
            raise RuntimeError(f"`cxscale {' '.join(args)}` sent no query (exit {run.returncode}):\n{run.stderr[-2000:]}")
        doc = json.loads(out.read_text())
    doc["imports"] = {m[4]: int(m[1]) for m in re.finditer(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)",
                                                           run.stderr)} if importtime else {}
    return doc


def split(doc: dict) -> tuple[float, float]:
    """Import seconds before the first query: (engine stack, the rest)."""
    loaded = set(doc["modules"])
    engine = rest = 0
    for name, us in doc["imports"].items():
        if name in loaded:
            if name.split(".")[0] in ENGINE:
                engine += us
            else:
                rest += us
    return engine / 1e6, rest / 1e6


def world() -> Path:
    root = BENCH / "out" / "startup-world"
    if not (root / "ground_truth.json").exists():
        subprocess.run([sys.executable, "-c", "from cxscale.cli import main; main()", "simulate", "--customers", "20000", "--out", str(root)],
                       check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    return root


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args(argv).runs
    root = world()
    commands = {
        "measure": ["measure", str(root / "pilots" / "proactive_alerts.yaml"), "--json"],
        "validate": ["validate", str(root), "--json"],
        "plan": ["plan", "--data", str(root), "--metric", "cost_to_serve", "--target", "-0.05", "--json"],
        "diagnose": ["diagnose", "--data", str(root), "--json"],
    }
    print(f"{'command':<10} {'to first query':>15} {'imports: engine':>16} {'imports: rest':>14}  (target rest <= 0.3 s)")
    for name, args in commands.items():
        wall = statistics.median(probe(args)["seconds"] for _ in range(runs))
        engine, rest = zip(*(split(probe(args, importtime=True)) for _ in range(runs)), strict=True)
        print(f"{name:<10} {wall:>14.3f}s {statistics.median(engine):>15.3f}s {statistics.median(rest):>13.3f}s")
    print(f"\nreproduce: {Path(sys.executable).name} bench/bench_startup.py --runs {runs}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
