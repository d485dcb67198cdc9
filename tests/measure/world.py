"""A tiny contract-shaped world written as Parquet, and a brute-force (plain numpy/pandas loops) reference readout.

Small on purpose: the engine's sufficient statistics must agree with the brute force exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

BASE = pd.Timestamp("2026-03-01", tz="UTC")
US = "datetime64[us, UTC]"
CHANNELS = np.array(["voice", "chat", "email", "self_service"])


def write_world(root: Path, n_customers: int = 80, seed: int = 0, pilot: str = "p1", unit: str = "customer",
                n_sites: int = 6, effect: float = 0.0, cohort: bool = False) -> Path:
    """Write interactions, outcomes, assignments, customers under `root`; return root.

    Customers get contacts 30 days before to 40 days after BASE; pilot arms are assigned at BASE + 0..5 days, or all
    at BASE + 2 days with `cohort` (the readout's cohort plan, cxscale.measure.sufficient).
    `effect` multiplies treatment-arm costs by (1 + effect) after assignment.
    """
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    cust = np.array([f"c{i:04d}" for i in range(n_customers)])
    site_of = np.array([f"s{i % n_sites}" for i in range(n_customers)])
    units = cust if unit == "customer" else np.array([f"s{i}" for i in range(n_sites)])
    arm = np.where(rng.random(len(units)) < 0.5, "control", "treatment")
    if unit != "customer":  # make sure both arms have sites
        arm = np.array(["control", "treatment"] * (len(units) // 2) + ["control"] * (len(units) % 2))
    days = rng.integers(0, 6, len(units))
    assigned = (BASE + pd.to_timedelta(np.full(len(units), 2) if cohort else days, unit="D")).astype(US)
    pd.DataFrame({"unit_id": units, "unit_type": unit, "pilot": pilot, "arm": arm,
                  "assigned_at": assigned}).to_parquet(root / "assignments.parquet")
    pd.DataFrame({"customer_id": cust, "segment": rng.choice(["a", "b"], n_customers)}).to_parquet(
        root / "customers.parquet")

    k = rng.poisson(3.0, n_customers)
    cid = np.repeat(cust, k)
    m = len(cid)
    started = (BASE + pd.to_timedelta(rng.uniform(-30, 40, m), unit="D").round("s")).astype(US)
    channel = rng.choice(CHANNELS, m)
    handle = np.where(channel == "self_service", np.nan, rng.gamma(2.0, 200.0, m))
    handle[rng.random(m) < 0.05] = np.nan
    csat = np.where(rng.random(m) < 0.4, rng.integers(1, 6, m).astype(float), np.nan)
    resolved = pd.array(rng.random(m) < 0.7, dtype="boolean")
    resolved[rng.random(m) < 0.05] = pd.NA
    cost = rng.gamma(1.5, 3.0, m)
    unit_arm = dict(zip(units, arm, strict=True))
    unit_at = dict(zip(units, assigned, strict=True))
    row_unit = cid if unit == "customer" else site_of[np.searchsorted(cust, cid)]
    treated_post = np.array([unit_arm[u] == "treatment" and s >= unit_at[u] for u, s in zip(row_unit, started,
                                                                                            strict=True)])
    cost = np.where(treated_post, cost * (1 + effect), cost)
    agents = np.where(channel == "self_service", None, rng.choice(["a1", "a2", "a3"], m))
    pd.DataFrame({
        "interaction_id": [f"i{i:06d}" for i in range(m)], "customer_id": cid, "started_at": started,
        "channel": channel, "intent": rng.choice(["billing", "tech"], m), "journey_stage": "use",
        "agent_id": agents, "site": site_of[np.searchsorted(cust, cid)], "handle_seconds": handle,
        "wait_seconds": rng.exponential(60, m), "transferred": pd.array(rng.random(m) < 0.2, dtype="boolean"),
        "resolved": resolved, "csat": csat, "cost": cost,
    }).to_parquet(root / "interactions.parquet")

    j = rng.poisson(1.5, n_customers)
    ocid = np.repeat(cust, j)
    q = len(ocid)
    outcome = rng.choice(["purchase", "visit", "no_show", "appointment_kept"], q)
    value = np.where(outcome == "purchase", rng.gamma(2.0, 20.0, q), np.nan)
    pd.DataFrame({"customer_id": ocid, "occurred_at": (BASE + pd.to_timedelta(rng.uniform(-30, 40, q), unit="D")).astype(US),
                  "outcome": outcome, "value": value}).to_parquet(root / "outcomes.parquet")
    return root


def _rows_in(df: pd.DataFrame, key: str, ts: str, unit_id: str, at: pd.Timestamp, lo: float, hi: float):
    days = (df[ts] - at) / pd.Timedelta(days=1)
    return df[(df[key] == unit_id) & (days >= lo) & (days < hi)]


def brute_force(root: Path, metric: str, pre_days: int, post_days: int, unit: str = "customer",
                clustered: bool = False, channels: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Per-arm sums computed unit by unit with plain loops. Keys: n, and y_sum/y_sq/x_sum/x_sq/xy or
    num_sum/num_sq/den_sum/den_sq/numden (post) depending on the metric type. channels: only the interactions in
    those channels exist (a pilot spec's scope)."""
    a = pd.read_parquet(root / "assignments.parquet")
    it = pd.read_parquet(root / "interactions.parquet")
    if channels is not None:
        it = it[it["channel"].isin(channels)]
    oc = pd.read_parquet(root / "outcomes.parquet")
    it = it.sort_values(["customer_id", "started_at", "interaction_id"])
    nxt = it.groupby("customer_id")["started_at"].shift(-1)
    it["days_to_next_contact"] = (nxt - it["started_at"]) / pd.Timedelta(days=1)
    it["days_of_data_after"] = (it["started_at"].max() - it["started_at"]) / pd.Timedelta(days=1)
    key = {"customer": "customer_id", "agent": "agent_id", "site": "site"}[unit]

    def per_unit(rows: pd.DataFrame) -> tuple[float, float] | float:
        r = rows
        if metric == "cost_to_serve":
            v = float(r["cost"].sum())
            return (v, float(r["customer_id"].nunique())) if clustered else v
        if metric == "contacts_per_customer":
            return (float(len(r)), float(r["customer_id"].nunique())) if clustered else float(len(r))
        if metric == "aht":
            h = r.loc[r["channel"] != "self_service", "handle_seconds"].dropna()
            return float(h.sum()), float(len(h))
        if metric == "resolution_rate":
            res = r["resolved"].dropna()
            return float(res.sum()), float(len(res))
        if metric == "repeat_contact_rate_7d":
            followed = r["days_of_data_after"] >= 7  # a repeat within 7 days is in the data
            return float(((r["days_to_next_contact"] <= 7) & followed).sum()), float(followed.sum())
        if metric == "csat_top2box":
            c = r["csat"].dropna()
            return float((c >= 4).sum()), float(len(c))
        if metric == "conversion_rate":
            return float((r["outcome"] == "purchase").any())
        if metric == "revenue_per_customer":
            return float(r.loc[r["outcome"] == "purchase", "value"].fillna(0).sum())
        if metric == "no_show_rate":
            return float((r["outcome"] == "no_show").sum()), float(r["outcome"].isin(["no_show",
                                                                                     "appointment_kept"]).sum())
        raise KeyError(metric)

    src, ts = (oc, "occurred_at") if metric in ("conversion_rate", "revenue_per_customer", "no_show_rate") \
        else (it, "started_at")
    out: dict[str, dict[str, list]] = {}
    for _, u in a.iterrows():
        post = per_unit(_rows_in(src, key, ts, u.unit_id, u.assigned_at, 0, post_days))
        pre = per_unit(_rows_in(src, key, ts, u.unit_id, u.assigned_at, -pre_days, 0))
        out.setdefault(u.arm, {"post": [], "pre": []})
        out[u.arm]["post"].append(post)
        out[u.arm]["pre"].append(pre)
    result = {}
    for arm, d in out.items():
        post, pre = np.array(d["post"], dtype=float), np.array(d["pre"], dtype=float)
        if post.ndim == 2:
            num, den = post[:, 0], post[:, 1]
            result[arm] = {"n": len(post), "num_sum": num.sum(), "num_sq": (num * num).sum(), "den_sum": den.sum(),
                           "den_sq": (den * den).sum(), "numden": (num * den).sum()}
        else:
            result[arm] = {"n": len(post), "y_sum": post.sum(), "y_sq": (post**2).sum(), "x_sum": pre.sum(),
                           "x_sq": (pre**2).sum(), "xy": (pre * post).sum()}
    return result
