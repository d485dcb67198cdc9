"""The W1/W2 data of issue 25: `size` interactions of size / 5 customers over 180 days, skewed, with one randomised
customer pilot started at day 90, written once per size with DuckDB under workdir/w-<size>/ (a contract-shaped
world that `cxscale measure` and `cxscale diagnose` read as a new user's export).

Skew: contact i belongs to customer floor(C * r^2) for a uniform r (then permuted by a hash), so the busiest
customer has about size / sqrt(C) contacts (about 7,000 of 10M) while most have a few. The pilot assigns every
customer, half to treatment by a hash, at day 90 (2026-04-01); treatment removes 5% of a
customer's contacts after assignment, so cost_to_serve and contacts_per_customer fall.

    .venv/bin/python bench/world.py 1e7            # writes bench/out/world/w-10000000
"""

from __future__ import annotations

import sys
from pathlib import Path

PILOT = "w1"
START = "2026-01-01 00:00:00+00"
ASSIGNED_DAY = 90
DAYS = 180
SPEC = f"""spec_version: 1
pilot: {PILOT}
description: Issue 25's W1 readout (four metrics, CUPED, 90-day windows).
primary:
  metric: cost_to_serve
  target:
    relative: -0.02
guardrails:
- metric: csat_mean
  max_harm:
    relative: -0.02
secondary:
- metric: resolution_rate
- metric: contacts_per_customer
windows:
  pre_days: 90
  post_days: 90
options:
  cuped: true
value:
  nature: recurring
"""


def make_world(size: int, workdir: Path, customers: int | None = None) -> Path:
    """Write the world (skipped when already there) and return its folder."""
    import duckdb

    root = workdir / f"w-{size}"
    if (root / "_done").exists():
        return root
    c = customers or max(size // 5, 10)
    (root / "interactions").mkdir(parents=True, exist_ok=True)
    (root / "pilots").mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    # Customer of contact i: skewed index, permuted so the busy customers are spread over the ids.
    cust = f"(CAST(floor({c} * pow((hash(i * 7919) % 1000000007) / 1000000007.0, 2)) AS BIGINT) * 2654435761) % {c}"
    assigned = f"TIMESTAMPTZ '{START}' + INTERVAL {ASSIGNED_DAY} DAY"
    con.execute(f"""
        COPY (
          WITH base AS (
            SELECT i, {cust} AS k,
                   TIMESTAMPTZ '{START}' + to_seconds(CAST(hash(i * 31) % ({DAYS} * 86400) AS BIGINT)) AS started_at,
                   CAST(hash(i * 13) % 20 AS INT) AS intent_no, CAST(hash(i * 17) % 10 AS INT) AS ch
            FROM range({size}) t(i)
          ), kept AS (
            SELECT * FROM base
            WHERE NOT (hash(k * 101) % 2 = 1 AND started_at >= {assigned} AND hash(i * 37) % 100 < 5)
          )
          SELECT
            'I' || lpad(CAST(i AS VARCHAR), 11, '0') AS interaction_id,
            'C' || lpad(CAST(k AS VARCHAR), 8, '0') AS customer_id,
            started_at,
            ['voice','voice','voice','chat','chat','email','messaging','self_service','self_service','sms'][1 + ch]
              AS channel,
            'intent_' || CAST(intent_no AS VARCHAR) AS intent,
            'stage_' || CAST(intent_no % 7 AS VARCHAR) AS journey_stage,
            CASE WHEN ch NOT IN (7, 8) THEN 'A' || lpad(CAST(hash(i * 5) % 800 AS VARCHAR), 4, '0') END AS agent_id,
            CASE WHEN ch NOT IN (7, 8) THEN 'site_' || CAST(hash(i * 5) % 800 % 9 AS VARCHAR) END AS site,
            CASE WHEN ch NOT IN (7, 8) THEN CAST(60 + hash(i * 3) % 900 AS DOUBLE) END AS handle_seconds,
            CASE WHEN ch IN (0, 1, 2) THEN CAST(hash(i * 11) % 600 AS DOUBLE) ELSE 0.0 END AS wait_seconds,
            CASE WHEN ch IN (0, 1, 2) THEN hash(i * 41) % 50 = 0 END AS abandoned,
            hash(i * 19) % 10 = 0 AS transferred,
            hash(i * 43) % 10 < 7 AS resolved,
            CASE WHEN hash(i * 23) % 4 = 0 THEN CAST(1 + hash(i * 29) % 5 AS DOUBLE) END AS csat,
            CASE WHEN ch IN (7, 8) THEN 0.25 ELSE round(1 + (hash(i * 3) % 900) / 60.0, 4) END AS cost
          FROM kept
        ) TO '{root}/interactions' (FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE_OR_IGNORE true)
    """)
    con.execute(f"""
        COPY (SELECT 'C' || lpad(CAST(k AS VARCHAR), 8, '0') AS customer_id,
                     ['consumer','small_business','enterprise'][1 + CAST(hash(k * 3) % 3 AS INT)] AS segment,
                     ['north','south','east','west'][1 + CAST(hash(k * 5) % 4 AS INT)] AS region
              FROM range({c}) t(k)) TO '{root}/customers.parquet' (FORMAT parquet)
    """)
    con.execute(f"""
        COPY (SELECT 'C' || lpad(CAST(k AS VARCHAR), 8, '0') AS unit_id, 'customer' AS unit_type,
                     '{PILOT}' AS pilot, CASE WHEN hash(k * 101) % 2 = 1 THEN 'treatment' ELSE 'control' END AS arm,
                     {assigned} AS assigned_at
              FROM range({c}) t(k)) TO '{root}/assignments.parquet' (FORMAT parquet)
    """)
    (root / "pilots" / f"{PILOT}.yaml").write_text(SPEC)
    (root / "_done").write_text("ok")
    return root


def rows(root: Path) -> int:
    import duckdb

    sql = f"SELECT count(*) FROM read_parquet('{root}/interactions/*.parquet')"
    return int(duckdb.connect().execute(sql).fetchone()[0])


if __name__ == "__main__":
    size = int(float(sys.argv[1]))
    out = make_world(size, Path(__file__).resolve().parent / "out" / "world")
    print(out, rows(out))
