"""Benchmark `cxscale measure` at 1M, 10M and 50M interactions (each job in a fresh process).

For each size it prints: the readout of the simulated world's proactive_alerts pilot (4 metrics: cost_to_serve,
contacts_per_customer, aht, csat_mean; CUPED with a 56-day pre window and a 56-day post window), a plain DuckDB scan
of the columns the readout reads (the yardstick: target readout <= 3x this), and the same analysis in pandas +
statsmodels (1M and 10M; larger sizes are extrapolated linearly from the largest measured and labelled as such;
target: readout >= 10x faster). Target memory: 50M within 8 GB.

    .venv/bin/python bench/bench_readout.py                  # 1M only
    .venv/bin/python bench/bench_readout.py --sizes 1e6 1e7 5e7

The data is a simulated world (`cxscale simulate`) with about 3.6 contacts per customer, written once per size under
bench/out/readout/readout-<n>/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness import BENCH_DIR, Result, print_table, run_in_child

PILOT = "proactive_alerts"
METRICS = ("cost_to_serve", "contacts_per_customer", "aht", "csat_mean")
#: Columns the readout reads from interactions (the plain scan reads exactly these).
COLUMNS = ("customer_id", "started_at", "channel", "handle_seconds", "csat", "cost")
CONTACTS_PER_CUSTOMER = 3.56


def make_data(size: int, workdir: Path) -> Path:
    """Simulate a world with about `size` interactions under workdir (skipped when already there)."""
    root = workdir / f"readout-{size}"
    if (root / "_done").exists():
        return root
    from cxscale.simulate.run import simulate

    simulate(out=root, customers=max(int(size / CONTACTS_PER_CUSTOMER), 1000), seed=7)
    (root / "_done").write_text("ok")
    return root


def _spec(root: Path):
    from cxscale.documents.pilot_spec import MetricRef, Options, load_spec

    spec = load_spec(root / "pilots" / f"{PILOT}.yaml")
    return spec.model_copy(update={
        "primary": MetricRef(metric="cost_to_serve", target=spec.primary.target),
        "guardrails": [MetricRef(metric="csat_mean")],
        "secondary": [MetricRef(metric="contacts_per_customer"), MetricRef(metric="aht")],
        "options": Options(cuped=True)})


def _rows(root: Path) -> int:
    import json

    return int(json.loads((root / "ground_truth.json").read_text())["interactions"])


def readout_job(size: int, workdir: Path) -> dict:
    """The readout as `cxscale measure` runs it: load (no validation) + one engine query + statistics."""
    import time

    # Import what the readout loads lazily (SQL compiler, scipy.stats) before the clock starts, as the pandas job
    # imports statsmodels before its clock: the timing is the work, not module loading.
    import ibis.backends.duckdb.converter  # noqa: F401  (imports pandas, as the pandas job does before its clock)
    import ibis.backends.sql.compilers.duckdb  # noqa: F401
    import scipy.stats  # noqa: F401

    import cxscale.stats  # noqa: F401
    from cxscale.data import open_data
    from cxscale.measure.readout import readout

    root = workdir / f"readout-{size}"
    t0 = time.perf_counter()
    r = readout(_spec(root), open_data(root, validate=False))
    seconds = time.perf_counter() - t0
    p = r.primary[0]
    return {"rows": _rows(root), "seconds": seconds, "effect": round(p.effect_abs, 4), "verdict": r.verdict}


def scan_job(size: int, workdir: Path) -> dict:
    """One plain DuckDB scan of the interaction columns the readout reads (a cheap aggregate of each)."""
    import time

    import duckdb

    root = workdir / f"readout-{size}"
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"""SELECT min(customer_id), min(channel), max(started_at), sum(handle_seconds), sum(csat), sum(cost)
                    FROM read_parquet('{root}/interactions/*.parquet')""").fetchall()
    return {"rows": _rows(root), "seconds": time.perf_counter() - t0}


def pandas_job(size: int, workdir: Path) -> dict:
    """The same analysis in pandas + statsmodels: per-customer windows, CUPED by OLS (HC1), ratio metrics by OLS on
    delta-linearised values."""
    import time

    import numpy as np
    import pandas as pd
    import statsmodels.formula.api as smf

    root = workdir / f"readout-{size}"
    spec = _spec(root)
    t0 = time.perf_counter()
    it = pd.read_parquet(root / "interactions", columns=list(COLUMNS))
    a = pd.read_parquet(root / "assignments.parquet")
    a = a[(a.pilot == PILOT) & (a.unit_type == "customer")][["unit_id", "arm", "assigned_at"]]
    j = it.merge(a, left_on="customer_id", right_on="unit_id")
    days = (j.started_at - j.assigned_at).dt.total_seconds() / 86400
    j["post"] = (days >= 0) & (days < spec.windows.post_days)
    j["pre"] = (days < 0) & (days >= -spec.windows.pre_days)
    j = j[j.post | j.pre]
    j["handled"] = (j.channel != "self_service") & j.handle_seconds.notna()
    j["rated"] = j.csat.notna()
    out = {}
    for period in ("pre", "post"):
        s = j[j[period]]
        g = s.groupby("customer_id")
        out[period] = pd.DataFrame({
            "cost": g.cost.sum(), "contacts": g.size(),
            "h_num": s[s.handled].groupby("customer_id").handle_seconds.sum(),
            "h_den": s[s.handled].groupby("customer_id").size(),
            "c_num": s[s.rated].groupby("customer_id").csat.sum(), "c_den": s[s.rated].groupby("customer_id").size(),
        })
    units = a.set_index("unit_id")
    df = units.join(out["post"]).join(out["pre"], rsuffix="_pre").fillna(0.0)
    df["treat"] = (df.arm != spec.control).astype(float)
    for m in ("cost", "contacts"):
        smf.ols(f"{m} ~ treat + {m}_pre", data=df).fit(cov_type="HC1")
    for num, den in (("h_num", "h_den"), ("c_num", "c_den")):
        r = df[num].sum() / df[den].sum()
        df["lin"] = (df[num] - r * df[den]) / df[den].mean()
        smf.ols("lin ~ treat", data=df).fit(cov_type="HC1")
    return {"rows": _rows(root), "seconds": time.perf_counter() - t0, "units": int(np.int64(len(df)))}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e6])
    ap.add_argument("--pandas-max", type=float, default=1e7, help="largest size run in pandas (others extrapolated)")
    ap.add_argument("--workdir", type=Path, default=BENCH_DIR / "out" / "readout")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    last_pandas: Result | None = None
    for size in (int(s) for s in args.sizes):
        run_in_child("bench_readout:prepare_job", size, args.workdir)
        ro = run_in_child("bench_readout:readout_job", size, args.workdir, name="readout (4 metrics, CUPED)")
        scan = run_in_child("bench_readout:scan_job", size, args.workdir, name="duckdb plain scan")
        results += [ro, scan]
        if size <= args.pandas_max:
            pd_res = run_in_child("bench_readout:pandas_job", size, args.workdir, name="pandas + statsmodels")
            last_pandas = pd_res
            results.append(pd_res)
            pandas_s = pd_res.seconds
        elif last_pandas is not None:
            pandas_s = last_pandas.seconds * ro.rows / last_pandas.rows
            results.append(Result("pandas (extrapolated)", size, ro.rows, pandas_s, float("nan"), {}))
        else:
            pandas_s = float("nan")
        ro.extra.update({"x_scan": round(ro.seconds / scan.seconds, 2), "pandas_speedup": round(pandas_s / ro.seconds, 1)})
    print_table(results)
    sys.stdout.flush()


def prepare_job(size: int, workdir: Path) -> dict:
    make_data(size, workdir)
    return {"rows": size}


if __name__ == "__main__":
    main()
