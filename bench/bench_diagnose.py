"""Benchmark `cxscale diagnose` at 1M, 10M and 50M interactions (each job in a fresh process).

For each size it prints (wall time, CPU seconds, rows/s, peak memory): the diagnosis end to end from the Parquet
files, with and without use-case drafts; a plain DuckDB scan of the 11 columns the diagnosis scans whole (the
yardstick: target diagnosis <= 5x this), and of those with interaction_id (the yardstick until 2026-11-25);
cxscale's intent DFG alone (journey.discover_flows) end to end; and pm4py's directly-follows discovery on the
same log, twice: (a) discover_dfg alone on a DataFrame already in memory (compared with cxscale's DFG on a DuckDB
table already in memory), (b) end to end from the same Parquet files (read + format_dataframe + discover_dfg).
Ratios pm4py/cxscale are printed for both (target: >= 10x), and
same_edges_as_cxscale says whether both DFGs have identical edge counts. pm4py runs up to --pm4py-max (default 1M);
larger sizes are extrapolated linearly and labelled so. pm4py is AGPL and used here only as an outside yardstick,
never by cxscale. With --spark-max, the diagnosis also runs on Spark in local mode up to that size, beside Spark's
own plain scan.

    .venv/bin/python bench/bench_diagnose.py                  # 1M only
    .venv/bin/python bench/bench_diagnose.py --sizes 1e6 1e7 5e7    # DuckDB memory_limit 6GB by default
    .venv/bin/python bench/bench_diagnose.py --sizes 1e6 --spark-max 1e6

The data is a contract-shaped interactions table written once per size with DuckDB (bench/out/data/diagnose-<n>/):
about 4 contacts per customer over 182 days, 20 intents in 7 stages, 7 channels, 9 sites.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from harness import BENCH_DIR, Result, print_table
from harness import run_in_child as _run


def _cpu() -> float:
    """CPU seconds used by this process so far (all threads): fairer than wall time on a shared machine."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

#: Columns diagnosis reads from interactions (the in-memory log of the DFG jobs holds these).
COLUMNS = ("interaction_id", "customer_id", "started_at", "channel", "intent", "journey_stage", "site",
           "handle_seconds", "wait_seconds", "transferred", "csat", "cost")

#: The columns the diagnosis scans whole, which the yardstick scan reads: interaction_id only breaks ties between
#: simultaneous contacts of one customer, and is read again for those few contacts alone (a filter the engine pushes
#: into the scan). Until 2026-11-25 the yardstick also read interaction_id, about a quarter of its time at 10M: the
#: ratios of earlier runs flatter the diagnosis by that much (`x_scan_12` keeps that yardstick for comparison).
BULK_COLUMNS = COLUMNS[1:]

#: What pm4py's log holds (case, activity, timestamp and the id that orders simultaneous events), and the table of
#: cxscale's in-memory DFG job.
PM4PY_COLUMNS = ("customer_id", "intent", "started_at", "interaction_id")


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
    from cxscale.settings import Settings

    # Bounded memory: DuckDB spills to disk beside the data.
    settings = Settings(memory_limit=memory_limit, temp_dir=workdir / "duckdb_tmp") if memory_limit else None
    return connect("duckdb", settings=settings)


def job_diagnose(size: int, workdir: Path, memory_limit: str | None = None, drafts: int = 0) -> dict:
    """The diagnosis (signals, flows, ranking); with drafts > 0 also the use-case drafts and their pilot plans.

    Timed from the opened dataset, like the plain scan and the DFG jobs; opening it (reading the files' schemas,
    and in a fresh process importing pyarrow and numpy: 0.15-0.4 s, whatever the size) is timed apart as open_s."""
    from cxscale.data import open_data
    from cxscale.journey import diagnose

    root = make_data(size, workdir)
    con = _connect(workdir, memory_limit)
    t0 = time.perf_counter()
    dataset = open_data(root, engine=con, validate=False)
    opened = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), _cpu()
    d = diagnose(dataset, use_cases=drafts)
    seconds = time.perf_counter() - t0
    return {"rows": d.overall.volume, "seconds": seconds, "cpu_s": round(_cpu() - c0, 2),
            "open_s": round(opened, 2), "hotspots": len(d.hotspots), "flows": len(d.flows)}


def job_flows(size: int, workdir: Path, memory_limit: str | None = None, in_memory: bool = False,
              medians: bool = False) -> dict:
    """cxscale's directly-follows graph of intents alone (journey.discover_flows: every edge, counts only unless
    medians=True), the like-for-like comparison with pm4py's discover_dfg. End to end from the Parquet files, or with
    in_memory=True from a DuckDB table of the four columns pm4py's DataFrame holds, loaded beforehand (untimed), as
    pm4py's discover_dfg starts from a DataFrame already in memory. Writes the edge counts for the equality check."""
    from cxscale.data import open_data
    from cxscale.journey import discover_flows

    root = make_data(size, workdir)
    con = _connect(workdir, memory_limit)
    dataset = open_data(root, engine=con, validate=False)
    data = dataset
    if in_memory:
        log = dataset.without_window_columns("interactions").select(*PM4PY_COLUMNS)
        data = con.create_table("log", log, temp=True)
    t0, c0 = time.perf_counter(), _cpu()
    edges = discover_flows(data, "intent", medians=medians)
    seconds, cpu = time.perf_counter() - t0, round(_cpu() - c0, 2)
    _write_edges(root / "_edges_cxscale.json", ((e.source, e.target, e.count) for e in edges))
    return {"rows": size, "seconds": seconds, "cpu_s": cpu, "edges": len(edges)}


def _write_edges(path: Path, edges) -> None:  # noqa: ANN001 - (source, target, count) triples
    import json

    path.write_text(json.dumps(sorted([a, b, int(n)] for a, b, n in edges)))


def job_diagnose_spark(size: int, workdir: Path, memory_limit: str | None = None) -> dict:
    """The same diagnosis (no drafts) on Spark in local mode (the scale-out engine; here on this machine's cores),
    and Spark's own plain scan of the same columns, for its ratio."""
    from cxscale.data import open_data
    from cxscale.engine import connect
    from cxscale.journey import diagnose

    root = make_data(size, workdir)
    con = connect("spark")
    t = open_data(root, engine=con, validate=False).interactions
    t.aggregate(n=t.count()).to_pyarrow()  # start the session's executors before timing
    t0 = time.perf_counter()
    t.aggregate(n=t.count(), **{f"m_{c}": t[c].min() for c in BULK_COLUMNS}).to_pyarrow()
    scan = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), _cpu()
    d = diagnose(open_data(root, engine=con, validate=False), use_cases=0)
    seconds = time.perf_counter() - t0
    return {"rows": d.overall.volume, "seconds": seconds, "cpu_s": round(_cpu() - c0, 2),
            "spark_scan_s": round(scan, 2), "x_spark_scan": round(seconds / scan, 1)}


def job_scan(size: int, workdir: Path, memory_limit: str | None = None, columns: tuple[str, ...] = BULK_COLUMNS) -> dict:
    """One plain scan of `columns` (by default those the diagnosis scans whole): a min() per column and the row
    count in one query, which reads every row group (a min() of a single column could come from the files'
    statistics)."""
    from cxscale.data import open_data

    root = make_data(size, workdir)
    con = _connect(workdir, memory_limit)
    t = open_data(root, engine=con, validate=False).interactions
    t0, c0 = time.perf_counter(), _cpu()
    row = t.aggregate(n=t.count(), **{f"m_{c}": t[c].min() for c in columns}).to_pyarrow().to_pylist()[0]
    return {"rows": row["n"], "seconds": time.perf_counter() - t0, "cpu_s": round(_cpu() - c0, 2)}


def job_pm4py(size: int, workdir: Path, end_to_end: bool = False, memory_limit: str | None = None) -> dict:
    """pm4py's directly-follows discovery on the same log (case = customer, activity = intent). end_to_end=False times discover_dfg alone on a DataFrame already in memory;
    end_to_end=True times reading the four columns from the same Parquet files, format_dataframe (pm4py's
    documented preparation: renames and sorts by case and time) and discover_dfg. Writes the edge counts."""
    import pandas as pd
    import pm4py

    root = make_data(size, workdir)
    cols = list(PM4PY_COLUMNS)

    def read() -> pd.DataFrame:
        # The files hold the rows in interaction_id order and format_dataframe keeps it for simultaneous events
        # (it sorts by case, time, then row index), so ties break as in cxscale: same_edges_as_cxscale checks it.
        return pd.read_parquet(root / "interactions", columns=cols)

    def discover(df: pd.DataFrame) -> dict:
        df = pm4py.format_dataframe(df, case_id="customer_id", activity_key="intent", timestamp_key="started_at")
        dfg, _s, _e = pm4py.discover_dfg(df)
        return dfg

    if end_to_end:
        t0, c0 = time.perf_counter(), _cpu()
        dfg = discover(read())
    else:
        df = pm4py.format_dataframe(read(), case_id="customer_id", activity_key="intent", timestamp_key="started_at")
        t0, c0 = time.perf_counter(), _cpu()
        dfg, _s, _e = pm4py.discover_dfg(df)
    seconds, cpu = time.perf_counter() - t0, round(_cpu() - c0, 2)
    _write_edges(root / "_edges_pm4py.json", ((a, b, n) for (a, b), n in dfg.items()))
    return {"rows": size, "seconds": seconds, "cpu_s": cpu, "edges": len(dfg)}


def _same_edges(root: Path) -> bool:
    return (root / "_edges_cxscale.json").read_text() == (root / "_edges_pm4py.json").read_text()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="+", type=float, default=[1e6])
    p.add_argument("--workdir", type=Path, default=BENCH_DIR / "out" / "data")  # git-ignored
    p.add_argument("--memory-limit", default="6GB",
                   help="DuckDB memory_limit (default 6GB so that the process stays within 8 GB; DuckDB "
                        "spills to disk beyond it); an empty string keeps DuckDB's default")
    p.add_argument("--pm4py-max", type=float, default=1e6, help="largest size pm4py runs at (default 1M)")
    p.add_argument("--spark-max", type=float, default=0, help="largest size the diagnosis also runs at on Spark in "
                   "local mode (default 0: not at all; it needs Java 17)")
    p.add_argument("--repeat", type=int, default=1, help="run each job this many times (fresh processes) and keep "
                   "the fastest, to damp the noise of a shared machine (default 1)")
    args = p.parse_args(argv)

    def run_in_child(target: str, size: int, workdir: Path, **kw):  # noqa: ANN202 - harness.Result
        return min((_run(target, size, workdir, **kw) for _ in range(args.repeat)), key=lambda r: r.seconds)

    args.workdir.mkdir(parents=True, exist_ok=True)
    results, pm4py_rates = [], None
    for size in (int(s) for s in args.sizes):
        root = make_data(size, args.workdir)
        kw = {"memory_limit": args.memory_limit}
        diag = run_in_child("bench_diagnose:job_diagnose", size, args.workdir, name="diagnose", **kw)
        full = run_in_child("bench_diagnose:job_diagnose", size, args.workdir, name="diagnose + 3 use-case drafts",
                            drafts=3, **kw)
        scan = run_in_child("bench_diagnose:job_scan", size, args.workdir, name="plain scan (duckdb, 11 columns)",
                            **kw)
        scan12 = run_in_child("bench_diagnose:job_scan", size, args.workdir,
                              name="plain scan (+ interaction_id, 12)", columns=COLUMNS, **kw)
        try:
            flows = run_in_child("bench_diagnose:job_flows", size, args.workdir, name="cxscale intent DFG (e2e)",
                                 **kw)
        except RuntimeError as exc:  # e.g. DuckDB's out-of-memory error: report it, keep the other rows
            print(f"cxscale intent DFG (e2e) at {size:,} failed: {str(exc).strip().splitlines()[-1][:200]}")
            flows = Result("cxscale intent DFG (e2e) FAILED", size, size, float("nan"), float("nan"), {})
        flows_mem = run_in_child("bench_diagnose:job_flows", size, args.workdir, name="cxscale intent DFG (in mem)",
                                 in_memory=True, **kw)
        flows_med = run_in_child("bench_diagnose:job_flows", size, args.workdir,
                                 name="cxscale intent DFG + medians (e2e)", medians=True, **kw)
        batch = [diag, full, scan, scan12, flows, flows_mem, flows_med]
        if size <= args.spark_max:
            batch.append(run_in_child("bench_diagnose:job_diagnose_spark", size, args.workdir,
                                      name="diagnose (spark local)"))
        diag.extra["x_scan"] = f"{diag.seconds / scan.seconds:.1f}"
        diag.extra["x_scan_with_open"] = f"{(diag.seconds + float(diag.extra['open_s'])) / scan.seconds:.1f}"
        diag.extra["x_scan_12"] = f"{diag.seconds / scan12.seconds:.1f}"
        if size <= args.pm4py_max:
            mem = run_in_child("bench_diagnose:job_pm4py", size, args.workdir, name="pm4py discover_dfg (in mem)")
            e2e = run_in_child("bench_diagnose:job_pm4py", size, args.workdir, name="pm4py read+format+dfg (e2e)",
                               end_to_end=True)
            e2e.extra["same_edges_as_cxscale"] = _same_edges(root)
            pm4py_rates = (mem.rows / mem.seconds, e2e.rows / e2e.seconds)
            batch += [mem, e2e]
            pm, how = (mem.seconds, e2e.seconds), "measured"
        elif pm4py_rates:
            pm, how = (size / pm4py_rates[0], size / pm4py_rates[1]), "extrapolated linearly from the largest size"
        else:
            pm, how = None, ""
        if pm:
            print(f"pm4py at {size:,} ({how}): discover_dfg in memory {pm[0]:.2f}s, end to end {pm[1]:.2f}s")
            flows.extra["pm4py_mem/this"] = f"{pm[0] / flows.seconds:.1f}"
            flows.extra["pm4py_e2e/this"] = f"{pm[1] / flows.seconds:.1f}"
            flows_mem.extra["pm4py_mem/this"] = f"{pm[0] / flows_mem.seconds:.1f}"
            diag.extra["pm4py_mem/this"] = f"{pm[0] / diag.seconds:.1f}"
            diag.extra["pm4py_e2e/this"] = f"{pm[1] / diag.seconds:.1f}"
        results += batch
        print_table(batch)
    print("\nall sizes:")
    print_table(results)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
