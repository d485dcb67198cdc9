"""Issue 25's W2 peer: the diagnosis's core by hand, as a whole process on bench/world.py data.

    python bench/w2_peer.py ROOT

One window over each customer's contacts in time order (ties by interaction_id), kept as a temporary table, then
two aggregates of it: per intent the volume, repeats within 7 days (a next contact of the same customer within 7
days), transfers, cost and mean CSAT; and the intent directly-follows graph (intent -> the customer's next intent)
with each edge's count and median gap in days. Prints one JSON line with the intent and edge counts.
"""

from __future__ import annotations

import json
import sys

WINDOW = """
CREATE TEMP TABLE s AS
SELECT intent, started_at, transferred, cost, csat,
       lead(started_at) OVER w AS next_at, lead(intent) OVER w AS next_intent
FROM read_parquet('{root}/interactions/*.parquet')
WINDOW w AS (PARTITION BY customer_id ORDER BY started_at, interaction_id)
"""
INTENTS = """
SELECT intent, count(*) AS volume, count(*) FILTER (WHERE next_at < started_at + INTERVAL 7 DAY) AS repeats_7d,
       count(*) FILTER (WHERE transferred) AS transfers, sum(cost) AS cost, avg(csat) AS csat
FROM s GROUP BY intent
"""
EDGES = """
SELECT intent, next_intent, count(*) AS n, median(epoch(next_at) - epoch(started_at)) / 86400 AS median_gap_days
FROM s WHERE next_intent IS NOT NULL GROUP BY intent, next_intent
"""


def main(root: str) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(WINDOW.format(root=root))
    intents = con.execute(INTENTS).fetchall()
    edges = con.execute(EDGES).fetchall()
    return {"intents": len(intents), "edges": len(edges), "contacts": sum(r[1] for r in intents)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
