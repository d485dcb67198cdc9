"""Benchmark harness: run one job per size in a fresh process and report wall time, rows per second and peak memory.

Peak memory is the child's maximum resident set size (ru_maxrss), which includes DuckDB's and Arrow's native memory.
Usage from a bench script:

    from harness import Result, run_in_child, print_table
    res = run_in_child("mymodule:job", size=1_000_000, workdir=...)  # job(size, workdir) -> dict with "rows"
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent


@dataclass
class Result:
    name: str
    size: int
    rows: int
    seconds: float
    peak_mb: float
    extra: dict

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("nan")


def run_in_child(target: str, size: int, workdir: str | Path, name: str | None = None, **kwargs) -> Result:
    """Run `module:function(size=..., workdir=..., **kwargs)` in a new Python process; it returns a dict with at least
    "rows" (rows processed). The timing covers the function call only, not interpreter start-up."""
    payload = json.dumps({"target": target, "size": size, "workdir": str(workdir), "kwargs": kwargs})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(REPO), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-m", "harness", payload], capture_output=True, text=True, env=env,
                         cwd=BENCH_DIR)
    if out.returncode != 0:
        raise RuntimeError(f"{target} failed at size {size}:\n{out.stderr[-4000:]}")
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    return Result(name or target, size, int(doc.pop("rows")), doc.pop("seconds"), doc.pop("peak_mb"), doc)


def print_table(results: list[Result]) -> None:
    print(f"{'job':<28} {'size':>12} {'rows':>12} {'seconds':>9} {'rows/s':>14} {'peak MB':>9}  extra")
    for r in results:
        extra = " ".join(f"{k}={v}" for k, v in r.extra.items())
        print(f"{r.name:<28} {r.size:>12,} {r.rows:>12,} {r.seconds:>9.2f} {r.rows_per_second:>14,.0f} "
              f"{r.peak_mb:>9,.0f}  {extra}")
    sys.stdout.flush()


def _child(payload: str) -> None:
    import importlib

    spec = json.loads(payload)
    module_name, func_name = spec["target"].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    t0 = time.perf_counter()
    doc = func(size=spec["size"], workdir=Path(spec["workdir"]), **spec["kwargs"])
    seconds = doc.pop("seconds", None) or (time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(json.dumps({**doc, "seconds": seconds, "peak_mb": peak_mb}, default=str))


if __name__ == "__main__":
    _child(sys.argv[1])
