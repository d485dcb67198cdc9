"""Run every benchmark at the given sizes (default 1M interactions; pass e.g. `--sizes 1e6 1e7 5e7`).

Each benchmark prints wall time, rows per second and peak memory per size; see bench/README.md for the targets.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e6], help="interaction counts, e.g. 1e6 1e7 5e7")
    sizes = [str(int(s)) for s in ap.parse_args().sizes]
    runs = [
        ["bench_simulate.py", "--sizes", ",".join(sizes)],
        ["bench_validate.py", "--sizes", *sizes],
        ["bench_readout.py", "--sizes", *sizes],
        ["bench_diagnose.py", "--sizes", *sizes],
    ]
    failed = 0
    for args in runs:
        print(f"\n### {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, str(BENCH / args[0]), *args[1:]], cwd=BENCH.parent).returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
