"""The readouts a user would otherwise write (issue 25's W1 peers), each a whole process run on bench/world.py data:

    python bench/w1_peers.py duckdb ROOT   # one hand-written DuckDB query + numpy
    python bench/w1_peers.py pandas ROOT   # pandas + statsmodels
    python bench/w1_peers.py scan ROOT     # one plain DuckDB scan of the columns the readout reads

Both peers compute what `cxscale measure` reports for the W1 pilot: cost_to_serve and contacts_per_customer per
customer over the 90-day post window, CUPED-adjusted by the same metric over the 90-day pre window; csat_mean and
resolution_rate as ratios of per-customer sums (delta method); every assigned customer counts, zero when silent.
Each prints one JSON line: the effects, to check against cxscale's (bench/bench_w1.py does).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PILOT = "w1"
PRE = POST = 90

#: Per arm: n from the assignments, and the sums of the per-customer values, their squares and cross-products.
DUCKDB_QUERY = """
WITH a AS (
  SELECT unit_id, arm, assigned_at FROM read_parquet('{root}/assignments.parquet')
  WHERE pilot = '{pilot}' AND unit_type = 'customer'
), u AS (
  SELECT arm,
    sum(cost) FILTER (WHERE post) AS y0, sum(cost) FILTER (WHERE NOT post) AS x0,
    count(*) FILTER (WHERE post) AS y3, count(*) FILTER (WHERE NOT post) AS x3,
    sum(csat) FILTER (WHERE post) AS n1, count(csat) FILTER (WHERE post) AS d1,
    count(*) FILTER (WHERE post AND resolved) AS n2, count(resolved) FILTER (WHERE post) AS d2
  FROM (
    SELECT a.unit_id, a.arm, i.cost, i.csat, i.resolved, i.started_at >= a.assigned_at AS post
    FROM read_parquet('{root}/interactions/*.parquet') i JOIN a ON i.customer_id = a.unit_id
    WHERE i.started_at >= a.assigned_at - INTERVAL {pre} DAY AND i.started_at < a.assigned_at + INTERVAL {post} DAY
  )
  GROUP BY unit_id, arm
)
SELECT arm, n,
  {sums}
FROM (SELECT arm, count(*) AS n FROM a GROUP BY arm) LEFT JOIN (
  SELECT arm AS arm_u, {aggs} FROM u GROUP BY arm) ON arm = arm_u
ORDER BY arm
"""
MEANS = {"cost_to_serve": ("y0", "x0"), "contacts_per_customer": ("y3", "x3")}
RATIOS = {"csat_mean": ("n1", "d1"), "resolution_rate": ("n2", "d2")}


def _aggs() -> tuple[str, str]:
    terms = {}
    for y, x in MEANS.values():
        terms.update({f"{y}_s": f"sum({y})", f"{y}_q": f"sum({y} * {y})", f"{x}_s": f"sum({x})",
                      f"{x}_q": f"sum({x} * {x})", f"{y}{x}": f"sum({x} * {y})"})
    for num, den in RATIOS.values():
        terms.update({f"{num}_s": f"sum({num})", f"{num}_q": f"sum({num} * {num})", f"{den}_s": f"sum({den})",
                      f"{den}_q": f"sum({den} * {den})", f"{num}{den}": f"sum({num} * {den})"})
    return ", ".join(f"{e} AS {k}" for k, e in terms.items()), ", ".join(terms)


def duckdb_peer(root: Path) -> dict:
    import duckdb
    import numpy as np

    aggs, sums = _aggs()
    con = duckdb.connect()
    cur = con.execute(DUCKDB_QUERY.format(root=root, pilot=PILOT, pre=PRE, post=POST, aggs=aggs, sums=sums))
    cols = [d[0] for d in cur.description]
    arms = {r[0]: {k: float(v or 0) for k, v in zip(cols[1:], r[1:], strict=True)} for r in cur.fetchall()}
    c, t = arms["control"], arms["treatment"]
    out = {}
    for name, (y, x) in MEANS.items():  # CUPED: pooled theta, per-arm residual variances (cxscale's robust SE)
        def moments(s: dict, y: str = y, x: str = x) -> tuple:
            n = s["n"]
            my, mx = s[f"{y}_s"] / n, s[f"{x}_s"] / n
            vy = (s[f"{y}_q"] - n * my * my) / (n - 1)
            vx = (s[f"{x}_q"] - n * mx * mx) / (n - 1)
            cxy = (s[f"{y}{x}"] - n * mx * my) / (n - 1)
            return n, my, mx, vy, vx, cxy
        nc, myc, mxc, vyc, vxc, cc = moments(c)
        nt, myt, mxt, vyt, vxt, ct = moments(t)
        theta = ((nc - 1) * cc + (nt - 1) * ct) / ((nc - 1) * vxc + (nt - 1) * vxt)
        effect = (myt - myc) - theta * (mxt - mxc)
        rc, rt = vyc - 2 * theta * cc + theta ** 2 * vxc, vyt - 2 * theta * ct + theta ** 2 * vxt
        out[name] = {"effect": effect, "se": float(np.sqrt(rc / nc + rt / nt)), "control": myc}
    for name, (num, den) in RATIOS.items():  # delta method on per-customer sums
        def ratio(s: dict, num: str = num, den: str = den) -> tuple:
            n = s["n"]
            mn, md = s[f"{num}_s"] / n, s[f"{den}_s"] / n
            vn = (s[f"{num}_q"] - n * mn * mn) / (n - 1)
            vd = (s[f"{den}_q"] - n * md * md) / (n - 1)
            cnd = (s[f"{num}{den}"] - n * mn * md) / (n - 1)
            r = mn / md
            return r, (vn - 2 * r * cnd + r * r * vd) / (md * md * n)
        rc_, vc = ratio(c)
        rt_, vt = ratio(t)
        out[name] = {"effect": rt_ - rc_, "se": float(np.sqrt(vc + vt)), "control": rc_}
    return out


def pandas_peer(root: Path) -> dict:
    """Per-customer windows in pandas, CUPED by OLS (HC1), ratios by OLS on delta-linearised values."""
    import pandas as pd
    import statsmodels.formula.api as smf

    it = pd.read_parquet(root / "interactions", columns=["customer_id", "started_at", "cost", "csat", "resolved"])
    a = pd.read_parquet(root / "assignments.parquet")
    a = a[(a.pilot == PILOT) & (a.unit_type == "customer")][["unit_id", "arm", "assigned_at"]]
    j = it.merge(a, left_on="customer_id", right_on="unit_id")
    days = (j.started_at - j.assigned_at).dt.total_seconds() / 86400
    j = j[(days >= -PRE) & (days < POST)].assign(post=days[(days >= -PRE) & (days < POST)] >= 0)
    j["res"] = j.resolved.astype("float64")
    g = j.groupby(["customer_id", "post"])
    per = pd.DataFrame({"cost": g.cost.sum(), "contacts": g.size(), "csat_n": g.csat.sum(), "csat_d": g.csat.count(),
                        "res_n": g.res.sum(), "res_d": g.res.count()}).unstack("post", fill_value=0)
    per.columns = [f"{m}_{'post' if p else 'pre'}" for m, p in per.columns]
    df = a.set_index("unit_id").join(per).fillna(0.0)
    df["treat"] = (df.arm != "control").astype(float)
    out = {}
    for name, m in (("cost_to_serve", "cost"), ("contacts_per_customer", "contacts")):
        fit = smf.ols(f"{m}_post ~ treat + {m}_pre", data=df).fit(cov_type="HC1")
        out[name] = {"effect": float(fit.params["treat"]), "se": float(fit.bse["treat"])}
    for name, m in (("csat_mean", "csat"), ("resolution_rate", "res")):
        c = df[df.treat == 0]
        r = c[f"{m}_n_post"].sum() / c[f"{m}_d_post"].sum()
        df["lin"] = (df[f"{m}_n_post"] - r * df[f"{m}_d_post"]) / c[f"{m}_d_post"].mean()
        fit = smf.ols("lin ~ treat", data=df).fit(cov_type="HC1")
        out[name] = {"effect": float(fit.params["treat"]), "se": float(fit.bse["treat"])}
    return out


def scan(root: Path) -> dict:
    import duckdb

    row = duckdb.connect().execute(
        f"SELECT count(*), min(customer_id), max(started_at), sum(cost), sum(csat), count(resolved) "
        f"FROM read_parquet('{root}/interactions/*.parquet')").fetchall()[0]
    return {"rows": row[0]}


if __name__ == "__main__":
    kind, where = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"duckdb": duckdb_peer, "pandas": pandas_peer, "scan": scan}[kind](where)))
