"""Benchmark `cxscale validate`: rows per second and peak memory at 1M and 10M interactions (DuckDB by default).

Each size runs in a fresh process (bench/harness.py). The world is the simulated support world, generated once per
size into bench/out/ and reused; validation reads the Parquet parts, checks every rule (including the duplicate-id
window) in one aggregate pass per table, and fetches examples only for failing rules.

    .venv/bin/python bench/bench_validate.py --sizes 1000000,10000000
    .venv/bin/python bench/bench_validate.py --sizes 1000000 --format csv      # text parsing path
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BENCH_DIR, print_table, run_in_child  # noqa: E402

#: Simulated support world: about 3.5 interactions per customer; the job reports the exact count.
INTERACTIONS_PER_CUSTOMER = 3.5


def world(size: int, workdir: Path) -> Path:
    """A simulated world with about `size` interactions, generated once and reused."""
    out = workdir / f"world_{size}"
    if not (out / "ground_truth.json").exists():
        from cxscale.simulate import simulate

        simulate("support", int(size / INTERACTIONS_PER_CUSTOMER), seed=1, out=out)
    return out


def csv_export(size: int, workdir: Path) -> Path:
    """The world's interactions as one CSV file (the text-parsing path real exports take), written once."""
    out = workdir / f"world_{size}_csv"
    if not (out / "interactions.csv").exists():
        import duckdb

        out.mkdir(parents=True, exist_ok=True)
        parts = world(size, workdir) / "interactions" / "*.parquet"
        duckdb.sql(f"copy (select * from read_parquet('{parts}')) to '{out / 'interactions.csv'}' (header)")
    return out


def prepare_job(size: int, workdir: Path, fmt: str = "parquet", **_: object) -> dict:
    path = world(size, workdir)
    if fmt == "csv":
        csv_export(size, workdir)
    truth = json.loads((path / "ground_truth.json").read_text())
    return {"rows": truth["interactions"]}


def validate_job(size: int, workdir: Path, engine: str = "duckdb", fmt: str = "parquet", **_: object) -> dict:
    import time

    from cxscale.data import open_data
    from cxscale.engine import connect

    path = csv_export(size, workdir) if fmt == "csv" else world(size, workdir)
    con = connect(engine)
    t0 = time.perf_counter()
    report = open_data(path, engine=con, report_only=True).report
    seconds = time.perf_counter() - t0
    read = {name: t.rows_read for name, t in report.tables.items()}
    return {"rows": sum(read.values()), "seconds": seconds, "interactions": read.get("interactions", 0),
            "rejected": report.rows_rejected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1000000", "10000000"],
                        help="interactions per world, space- or comma-separated (default: 1M and 10M)")
    parser.add_argument("--engine", default="duckdb", help="duckdb (default) or spark")
    parser.add_argument("--format", dest="fmt", choices=["parquet", "csv"], default="parquet",
                        help="validate the Parquet world (all four tables) or its interactions as one CSV file")
    parser.add_argument("--workdir", type=Path, default=BENCH_DIR / "out" / "validate")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    sizes = [int(x) for arg in args.sizes for x in arg.split(",") if x]
    for size in sizes:
        run_in_child("bench_validate:prepare_job", size=size, workdir=args.workdir, fmt=args.fmt)
        results.append(run_in_child("bench_validate:validate_job", size=size, workdir=args.workdir,
                                    name=f"validate {args.fmt} ({args.engine})", engine=args.engine, fmt=args.fmt))
    print_table(results)


if __name__ == "__main__":
    main()
