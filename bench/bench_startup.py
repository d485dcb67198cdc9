"""Start-up: the Python time of a cxscale command before its first query (issue 25's target: at most 0.3 s).

The engine's floor comes first: `import ibis; ibis.duckdb.connect()` in a fresh process, which no Ibis command can
beat. For each command it runs bench/startup_probe.py and prints (medians of --runs rounds, the commands alternated
within a round): the wall time to the first query; the process's CPU time by then, and that CPU time beyond the
floor's (steadier than wall time on a shared machine); and, under `python -X importtime`, the import time before the
first query (the sum of the self times of the modules loaded by then) split into the floor's modules and the rest
(cxscale, its CLI, settings, documents and whatever they import beyond the engine), which is the figure the target
bounds, with the rest's three largest packages. `--help` sends no query: its row is the whole process.
tests/test_startup.py checks the import graph behind these figures.

Bytecode: the commands run with compiled modules, as an installed package does (pip compiles them): under
PYTHONDONTWRITEBYTECODE each run would compile cxscale's sources again (about 0.1 s), so the runs use a bytecode cache
of their own under bench/out/pycache, filled by one warm-up run per command.

    .venv/bin/python bench/bench_startup.py             # on a 20,000-customer simulated world under bench/out/
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
FLOOR = "import ibis; ibis.duckdb.connect()"
IMPORT = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH / "out" / "pycache")
    return env


def _imports(stderr: str) -> dict[str, int]:
    """-X importtime's self microseconds per module."""
    return {m[4]: int(m[1]) for m in IMPORT.finditer(stderr)}


def probe(args: list[str], cwd: str, importtime: bool = False) -> dict:
    """Run one command through the probe: {"seconds", "modules"} at its first query (the whole process and every
    module it loaded when it sends none, as --help), and "imports" (module -> self microseconds) with importtime."""
    out = Path(cwd) / "first.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), str(BENCH / "startup_probe.py"), str(out),
           *args]
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=cwd)
    wall = time.perf_counter() - t0
    imports = _imports(run.stderr) if importtime else {}
    if out.exists():
        doc = json.loads(out.read_text())
    elif args[-1] == "--help" and run.returncode == 0:
        doc = {"seconds": wall, "modules": sorted(imports)}
    else:
        raise RuntimeError(f"`cxscale {' '.join(args)}` sent no query (exit {run.returncode}):\n{run.stderr[-2000:]}")
    doc["imports"] = imports
    doc.setdefault("cpu", float("nan"))
    return doc


def floor() -> tuple[float, float, set[str]]:
    """The engine's own floor, `import ibis; ibis.duckdb.connect()` in a fresh process: its wall seconds, the
    process's CPU seconds by then, and its modules."""
    code = f"import time; t = time.perf_counter(); {FLOOR}; print(time.perf_counter() - t, time.process_time())"
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         env=_env(), check=True)
    wall, cpu = map(float, run.stdout.split())
    return wall, cpu, set(_imports(run.stderr))


def split(doc: dict, engine: set[str]) -> tuple[float, float, list[tuple[str, float]]]:
    """Import seconds before the first query: (the engine's floor, the rest, the rest's largest packages)."""
    loaded = set(doc["modules"])
    engine_us = rest_us = 0
    packages: collections.Counter[str] = collections.Counter()
    for name, us in doc["imports"].items():
        if name in loaded:
            if name in engine:
                engine_us += us
            else:
                rest_us += us
                packages[name.split(".")[0]] += us
    return engine_us / 1e6, rest_us / 1e6, [(p, us / 1e6) for p, us in packages.most_common(3)]


def world() -> Path:
    root = BENCH / "out" / "startup-world"
    if not (root / "ground_truth.json").exists():
        subprocess.run([sys.executable, "-c", "from cxscale.cli import main; main()", "simulate", "--customers",
                        "20000", "--out", str(root)], check=True, capture_output=True, env=_env())
    return root


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args(argv).runs
    root = world()
    store = BENCH / "out" / "startup-store.db"
    if not store.exists():  # the world's use cases, for gate check
        subprocess.run([sys.executable, "-c", "from cxscale.cli import main; main()", "portfolio", "sync",
                        str(root / "portfolio"), "--store", str(store)], check=True, capture_output=True, env=_env())
    commands = {
        "measure": ["measure", str(root / "pilots" / "proactive_alerts.yaml"), "--json"],
        "validate": ["validate", str(root), "--json"],
        "plan": ["plan", "--data", str(root), "--metric", "cost_to_serve", "--target", "-0.05", "--json"],
        "diagnose": ["diagnose", "--data", str(root), "--json"],
        "gate check": ["gate", "check", "agent-assist-live", "--data", str(root), "--store", str(store), "--json"],
        "usecase lint": ["usecase", "lint", str(root / "portfolio"), "--data", str(root), "--json"],
        "portfolio sync": ["portfolio", "sync", str(root / "portfolio"), "--store", str(BENCH / "out" / "startup-sync.db"),
                           "--json"],
        "log verify": ["log", "verify", "--store", str(store), "--json"],
        "--help": ["--help"],
    }
    with tempfile.TemporaryDirectory() as cwd:
        for args in commands.values():  # warm-up: fills the bytecode cache
            probe(args, cwd)
        floor_runs: list[tuple[float, float]] = []
        walls: dict[str, list[float]] = collections.defaultdict(list)
        cpus: dict[str, list[float]] = collections.defaultdict(list)
        splits: dict[str, list[tuple]] = collections.defaultdict(list)
        for _ in range(runs):  # rounds, the commands alternated within each
            seconds, cpu, engine = floor()
            floor_runs.append((seconds, cpu))
            for name, args in commands.items():
                doc = probe(args, cwd)
                walls[name].append(doc["seconds"])
                cpus[name].append(doc["cpu"])
                splits[name].append(split(probe(args, cwd, importtime=True), engine))
    load = os.getloadavg()
    floor_cpu = statistics.median(c for _, c in floor_runs)
    print(f"engine floor (`{FLOOR}`, fresh process): {statistics.median(w for w, _ in floor_runs):.3f} s wall, "
          f"{floor_cpu:.3f} s CPU; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'command':<14} {'to 1st query':>13} {'CPU':>7} {'CPU-floor':>10} {'imports: floor':>15} "
          f"{'imports: rest':>14}  largest of the rest (target: rest <= 0.3 s)")
    for name in commands:
        engine_s, rest_s, _ = zip(*splits[name], strict=True)
        largest = sorted(splits[name], key=lambda s: s[1])[len(splits[name]) // 2][2]  # of the median run
        top = ", ".join(f"{p} {s * 1000:.0f} ms" for p, s in largest)
        cpu = statistics.median(cpus[name])
        print(f"{name:<14} {statistics.median(walls[name]):>12.3f}s {cpu:>6.3f}s {cpu - floor_cpu:>9.3f}s "
              f"{statistics.median(engine_s):>14.3f}s {statistics.median(rest_s):>13.3f}s  {top}")
    print("\n(--help sends no query: its row is the whole process, wall time; its CPU is not measured)")
    print(f"reproduce: {Path(sys.executable).name} bench/bench_startup.py --runs {runs}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
