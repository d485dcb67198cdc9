"""Issue 25's W1 and W2 ratios: whole processes, alternated runs in one sitting, medians.

W1 (readout): `cxscale measure w1.yaml --json` (validation on, the default; cold: `--revalidate`, so the contract is
checked in every run as on a first run over new data) against the hand-written DuckDB query +
numpy (bench/w1_peers.py duckdb; target ratio <= 1), one plain DuckDB scan of the columns read (stretch: <= 3) and
pandas + statsmodels (--pandas). W2 (diagnosis): `cxscale diagnose --json` against the hand-written DuckDB window
query (bench/w2_peer.py; target <= 1). The `-warm` commands are the same without `--revalidate`: the validation cache
(cxscale.data.cache, kept in bench/out/validation-cache) holds the pass of the unchanged files, primed by one untimed
run before the rounds; warm figures are reported apart and are not the cold ones. Each run is one process, timed from its start to its exit, with its peak
resident memory (the child's ru_maxrss); a round runs every command once, in turn, so the load of a shared machine
falls on all of them alike.

    .venv/bin/python bench/world.py 1e7                       # the data, once (about 20 s)
    .venv/bin/python bench/bench_w1.py --size 1e7 --runs 5    # W1 and W2 at 10M
    .venv/bin/python bench/bench_w1.py --size 1e8 --runs 1 --only cxscale   # 100M: time, rows/s, memory
    .venv/bin/python bench/bench_w1.py --size 1e6 --runs 1 --only cxscale diagnose --engine spark   # local mode
    .venv/bin/python bench/bench_w1.py --size 1e6 --runs 1 --only cxscale diagnose --spark-cluster
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from world import PILOT, make_world, rows  # noqa: E402


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and the exit code of one process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t0
    err = p.stderr.read().decode() if p.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(f"  {' '.join(cmd[1:4])}... exit {code}: {err[-800:]}", file=sys.stderr)
    return seconds, usage.ru_maxrss / 1024, code


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=float, default=1e7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pandas", action="store_true", help="also pandas + statsmodels (W1)")
    ap.add_argument("--only", nargs="*", help="commands to run (default all): " + ", ".join(
        ["cxscale", "cxscale-warm", "duckdb", "scan", "pandas", "diagnose", "diagnose-warm", "w2-duckdb",
         "no-validate"]))
    ap.add_argument("--engine", default=None, help="cxscale's --engine (spark, or spark://127.0.0.1:7077)")
    ap.add_argument("--spark-cluster", action="store_true", help="start a standalone cluster (tests/spark_cluster.py: "
                    "master + 2 workers on loopback) and run cxscale's commands on it")
    ap.add_argument("--workdir", type=Path, default=BENCH / "out" / "world")
    args = ap.parse_args(argv)
    if args.spark_cluster:
        sys.path.insert(0, str(REPO))
        from tests.spark_cluster import SparkCluster

        with SparkCluster(BENCH / "out" / "spark-cluster") as cluster:
            args.engine, args.spark_cluster = cluster.url, False
            _bench(args)
        return
    _bench(args)


def _bench(args: argparse.Namespace) -> None:
    size = int(args.size)
    root = make_world(size, args.workdir)
    n = rows(root)
    py = sys.executable
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               CXSCALE_CACHE_DIR=str(BENCH / "out" / "validation-cache"))
    cli = [py, "-c", "from cxscale.cli import run; run()"]
    engine = ["--engine", args.engine] if args.engine else []
    commands = {
        "cxscale": [*cli, "measure", str(root / "pilots" / f"{PILOT}.yaml"), "--json", "--revalidate", *engine],
        "cxscale-warm": [*cli, "measure", str(root / "pilots" / f"{PILOT}.yaml"), "--json", *engine],
        "no-validate": [*cli, "measure", str(root / "pilots" / f"{PILOT}.yaml"), "--json", "--no-validate", *engine],
        "duckdb": [py, str(BENCH / "w1_peers.py"), "duckdb", str(root)],
        "scan": [py, str(BENCH / "w1_peers.py"), "scan", str(root)],
        "pandas": [py, str(BENCH / "w1_peers.py"), "pandas", str(root)],
        "diagnose": [*cli, "diagnose", "--data", str(root), "--json", "--revalidate", *engine],
        "diagnose-warm": [*cli, "diagnose", "--data", str(root), "--json", *engine],
        "w2-duckdb": [py, str(BENCH / "w2_peer.py"), str(root)],
    }
    chosen = args.only or [c for c in commands if c != "pandas" or args.pandas]
    for c in chosen:  # the warm commands' cache: one untimed run each
        if c.endswith("-warm"):
            run(commands[c], env)
    times: dict[str, list[float]] = {c: [] for c in chosen}
    peaks: dict[str, float] = dict.fromkeys(chosen, 0.0)
    for i in range(args.runs):
        for c in chosen:
            s, mb, code = run(commands[c], env)
            if code == 0:
                times[c].append(s)
                peaks[c] = max(peaks[c], mb)
        print(f"round {i + 1}/{args.runs}: " + ", ".join(f"{c} {times[c][-1]:.2f}s" for c in chosen if times[c]),
              flush=True)
    med = {c: statistics.median(v) for c, v in times.items() if v}
    print(f"\n{n:,} interactions, {size // 5:,} customers; medians of {args.runs} alternated runs "
          f"(load {os.getloadavg()[0]:.1f} at the end)")
    print(f"{'command':<12} {'median s':>9} {'rows/s':>12} {'peak MB':>9}")
    for c, s in med.items():
        print(f"{c:<12} {s:>9.2f} {n / s:>12,.0f} {peaks[c]:>9,.0f}")
    ratios = [("W1 cxscale measure, cold / hand-written DuckDB + numpy (target <= 1)", "cxscale", "duckdb"),
              ("W1 cxscale measure, warm (validation cached) / hand-written DuckDB + numpy", "cxscale-warm", "duckdb"),
              ("W1 cxscale measure / plain scan (stretch <= 3)", "cxscale", "scan"),
              ("W1 pandas + statsmodels / cxscale measure", "pandas", "cxscale"),
              ("W1 measure --no-validate / hand-written DuckDB", "no-validate", "duckdb"),
              ("W2 cxscale diagnose, cold / hand-written DuckDB window query (target <= 1)", "diagnose", "w2-duckdb"),
              ("W2 cxscale diagnose, warm (validation cached) / hand-written DuckDB window query", "diagnose-warm",
               "w2-duckdb")]
    for label, a, b in ratios:
        if a in med and b in med:
            print(f"{label}: {med[a] / med[b]:.2f}")
    print(f"\nreproduce: {Path(py).name} bench/bench_w1.py --size {args.size:g} --runs {args.runs}"
          + (f" --only {' '.join(chosen)}" if args.only else "") + (" --pandas" if args.pandas else "")
          + (f" --engine {args.engine}" if args.engine and not args.engine.startswith("spark://") else "")
          + (" --spark-cluster" if args.engine and args.engine.startswith("spark://") else ""))


if __name__ == "__main__":
    main()
