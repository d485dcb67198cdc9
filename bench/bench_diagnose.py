"""Benchmark `cxscale diagnose` at 1M, 10M and 50M interactions (each job in a fresh process).

For each size it prints: the diagnosis (wall time, rows/s, peak memory), a plain DuckDB scan of the columns the
diagnosis reads (the yardstick: target diagnosis <= 5x this), and pm4py's directly-follows discovery on the same
log (at 1M only; a linear extrapolation to larger sizes is printed and labelled as such; target: diagnosis >= 10x
faster). pm4py is AGPL and used here only as an outside yardstick, never by cxscale itself.

    .venv/bin/python bench/bench_diagnose.py                  # 1M only
    .venv/bin/python bench/bench_diagnose.py --sizes 1e6 1e7 5e7    # DuckDB memory_limit 6GB by default

The data is a contract-shaped interactions table written once per size with DuckDB (bench/out/data/diagnose-<n>/):
about 4 contacts per customer over 182 days, 20 intents in 7 stages, 7 channels, 9 sites.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from harness import BENCH_DIR, print_table, run_in_child


def _cpu() -> float:
    """CPU seconds used by this process so far (all threads): fairer than wall time on a shared machine."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

#: Columns diagnosis reads from interactions (the plain scan reads exactly these).
COLUMNS = ("interaction_id", "customer_id", "started_at", "channel", "intent", "journey_stage", "site",
           "handle_seconds", "wait_seconds", "transferred", "csat", "cost")


def make_data(size: int, workdir: Path) -> Path:
    """Write `size` interactions as Parquet parts under workdir/interactions/ (skipped if already there)."""
    import duckdb

    root = workdir / f"diagnose-{size}"
    parts = root / "interactions"
    if (root / "_done").exists():
        return root
    parts.mkdir(parents=True, exist_ok=True)
    customers = max(size // 4, 1)
    con = duckdb.connect()
    con.execute(f"""
        COPY (
          SELECT
            lpad(CAST(i AS VARCHAR), 11, '0') AS interaction_id,
            'c' || CAST(hash(i * 7919) % {customers} AS VARCHAR) AS customer_id,
            TIMESTAMPTZ '2026-01-05 00:00:00+00' + to_seconds(CAST(hash(i * 31) % (182 * 86400) AS BIGINT))
              AS started_at,
            ['voice','chat','email','messaging','self_service','social','sms'][1 + CAST(hash(i * 17) % 7 AS INT)]
              AS channel,
            'intent_' || CAST(hash(i * 13) % 20 AS VARCHAR) AS intent,
            'stage_' || CAST((hash(i * 13) % 20) % 7 AS VARCHAR) AS journey_stage,
            'site_' || CAST(hash(i * 5) % 9 AS VARCHAR) AS site,
            CAST(60 + hash(i * 3) % 900 AS DOUBLE) AS handle_seconds,
            CAST(hash(i * 11) % 600 AS DOUBLE) AS wait_seconds,
            hash(i * 19) % 10 = 0 AS transferred,
            CASE WHEN hash(i * 23) % 4 = 0 THEN CAST(1 + hash(i * 29) % 5 AS DOUBLE) END AS csat,
            CAST(1 + (hash(i * 3) % 900) / 60.0 AS DOUBLE) AS cost
          FROM range({size}) t(i)
        ) TO '{parts}' (FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE_OR_IGNORE true)
    """)
    (root / "_done").write_text("ok")
    return root


def _connect(workdir: Path, memory_limit: str | None):
    from cxscale.engine import connect

    con = connect("duckdb")
    if memory_limit:
        # Bench-only knobs: bound DuckDB's memory and let it spill to disk beside the data.
        con.raw_sql(f"SET memory_limit = '{memory_limit}'")
        con.raw_sql(f"SET temp_directory = '{workdir / 'duckdb_tmp'}'")
    return con


def job_diagnose(size: int, workdir: Path, memory_limit: str | None = None, drafts: int = 0) -> dict:
    """The diagnosis (signals, flows, ranking); with drafts > 0 also the use-case drafts and their pilot plans."""
    from cxscale.data import load
    from cxscale.journey import diagnose

    root = make_data(size, workdir)
    con = _connect(workdir, memory_limit)
    t0, c0 = time.perf_counter(), _cpu()
    d = diagnose(load(root, con=con), use_cases=drafts)
    seconds = time.perf_counter() - t0
    return {"rows": d.overall["volume"], "seconds": seconds, "cpu_s": round(_cpu() - c0, 2),
            "hotspots": len(d.hotspots), "flows": len(d.flows["intent"])}


def job_dfg(size: int, workdir: Path, memory_limit: str | None = None) -> dict:
    """cxscale's directly-follows graph of intents alone: the like-for-like comparison with pm4py."""
    from cxscale.data import load
    from cxscale.journey.contacts import journey_steps
    from cxscale.journey.flows import directly_follows

    root = make_data(size, workdir)
    con = _connect(workdir, memory_limit)
    t0, c0 = time.perf_counter(), _cpu()
    edges = directly_follows(journey_steps(load(root, con=con).interactions)).to_pyarrow()
    return {"rows": size, "seconds": time.perf_counter() - t0, "cpu_s": round(_cpu() - c0, 2),
            "edges": edges.num_rows}


def job_scan(size: int, workdir: Path, memory_limit: str | None = None) -> dict:
    """One plain scan of the columns diagnosis reads (a min() per column, so nothing can be skipped)."""
    from cxscale.data import load

    root = make_data(size, workdir)
    con = _connect(workdir, memory_limit)
    t = load(root, con=con).interactions
    t0, c0 = time.perf_counter(), _cpu()
    row = t.aggregate(n=t.count(), **{f"m_{c}": t[c].min() for c in COLUMNS}).to_pyarrow().to_pylist()[0]
    return {"rows": row["n"], "seconds": time.perf_counter() - t0, "cpu_s": round(_cpu() - c0, 2)}


def job_pm4py(size: int, workdir: Path, memory_limit: str | None = None) -> dict:
    """pm4py's directly-follows discovery on the same log (case = customer, activity = intent); the time covers the
    discovery only, not reading the Parquet files into pandas."""
    import pandas as pd
    import pm4py

    root = make_data(size, workdir)
    df = pd.read_parquet(root / "interactions", columns=["customer_id", "intent", "started_at"])
    t0, c0 = time.perf_counter(), _cpu()
    dfg, _s, _e = pm4py.discover_dfg(df, activity_key="intent", timestamp_key="started_at",
                                     case_id_key="customer_id")
    return {"rows": len(df), "seconds": time.perf_counter() - t0, "cpu_s": round(_cpu() - c0, 2),
            "edges": len(dfg)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="+", type=float, default=[1e6])
    p.add_argument("--workdir", type=Path, default=BENCH_DIR / "out" / "data")  # git-ignored
    p.add_argument("--memory-limit", default="6GB",
                   help="DuckDB memory_limit (default 6GB so that the process stays within 8 GB; DuckDB "
                        "spills to disk beyond it); an empty string keeps DuckDB's default")
    p.add_argument("--pm4py-max", type=float, default=1e6, help="largest size pm4py runs at (default 1M)")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results, pm4py_rate = [], None
    for size in (int(s) for s in args.sizes):
        make_data(size, args.workdir)
        kw = {"memory_limit": args.memory_limit}
        diag = run_in_child("bench_diagnose:job_diagnose", size, args.workdir, name="diagnose", **kw)
        full = run_in_child("bench_diagnose:job_diagnose", size, args.workdir, name="diagnose + 3 use-case drafts",
                            drafts=3, **kw)
        scan = run_in_child("bench_diagnose:job_scan", size, args.workdir, name="plain scan (duckdb)", **kw)
        dfg = run_in_child("bench_diagnose:job_dfg", size, args.workdir, name="cxscale DFG of intents", **kw)
        batch = [diag, full, scan, dfg]
        diag.extra["x_scan"] = f"{diag.seconds / scan.seconds:.1f}"
        if size <= args.pm4py_max:
            pm = run_in_child("bench_diagnose:job_pm4py", size, args.workdir, name="pm4py discover_dfg")
            pm4py_rate = pm.rows / pm.seconds
            batch.append(pm)
            pm_seconds, how = pm.seconds, "measured"
        elif pm4py_rate:
            pm_seconds, how = size / pm4py_rate, "extrapolated linearly from the largest measured size"
        else:
            pm_seconds, how = None, ""
        if pm_seconds:
            diag.extra["pm4py_over_diagnose"] = f"{pm_seconds / diag.seconds:.1f}"
            dfg.extra["pm4py_over_dfg"] = f"{pm_seconds / dfg.seconds:.1f}"
            print(f"pm4py at {size:,}: {pm_seconds:.1f}s ({how})")
        results += batch
        print_table(batch)
    print("\nall sizes:")
    print_table(results)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
