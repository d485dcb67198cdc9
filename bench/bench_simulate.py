"""Benchmark `cxscale simulate`: wall time, interactions per second and peak memory at 1M and 10M interactions.

Each size runs in a fresh process (bench/harness.py). The number of customers is chosen to give about `size`
interactions (the support world averages ~3.5 contacts per customer over its 182 days). Peak memory should stay flat
as the size grows: the world is generated in blocks of customers and written in Parquet parts.

    .venv/bin/python bench/bench_simulate.py --sizes 1000000
    .venv/bin/python bench/bench_simulate.py --sizes 1000000,10000000 --scenario support
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from harness import print_table, run_in_child

CONTACTS_PER_CUSTOMER = {"support": 3.5, "scheduling": 4.4}


def job(size: int, workdir: Path, scenario: str = "support", workers: int | None = None) -> dict:
    import resource

    from cxscale.simulate import simulate

    customers = max(1, round(size / CONTACTS_PER_CUSTOMER[scenario]))
    result = simulate(scenario, customers=customers, seed=1, out=workdir / "world", workers=workers)
    files = sum(f.stat().st_size for f in (workdir / "world").rglob("*") if f.is_file())
    return {"rows": result.rows["interactions"], "customers": customers,
            "outcomes": result.rows["outcomes"], "parquet_mb": round(files / 1e6),
            # parts are written by worker processes: their peak (each) is not in the harness's own peak
            "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated interaction counts")
    parser.add_argument("--scenario", default="support", choices=sorted(CONTACTS_PER_CUSTOMER))
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: up to 2)")
    args = parser.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        workdir = Path(tempfile.mkdtemp(prefix="cxscale-bench-simulate-"))
        try:
            results.append(run_in_child("bench_simulate:job", size, workdir, name=f"simulate {args.scenario}",
                                        scenario=args.scenario, workers=args.workers))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(results)


if __name__ == "__main__":
    main()
