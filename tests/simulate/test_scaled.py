"""The scaled scenarios: the holdout design in the assignments, the planted overlap and decay in the truth, and
determinism (docs/value-at-scale.md, docs/simulator.md)."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from cxscale.documents.pilot_spec import load_spec
from cxscale.simulate import simulate
from cxscale.simulate.scaled import CAPABILITIES


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return simulate("scaled", customers=12_000, seed=5, out=tmp_path_factory.mktemp("scaled"))


def test_holdout_design_is_disjoint_cells_in_the_assignments(world):
    con = duckdb.connect()
    a = f"read_parquet('{world.out / 'assignments.parquet'}')"
    scale = [f"{c}_holdout" for c in CAPABILITIES] + ["portfolio_holdout"]
    per_customer = con.execute(f"select max(k) from (select unit_id, count(*) k from {a} where pilot in "
                               f"({', '.join(repr(p) for p in scale)}) group by unit_id)").fetchone()[0]
    assert per_customer == 1  # every customer at scale is in exactly one cell
    counts = dict(((p, arm), n) for p, arm, n in con.execute(
        f"select pilot, arm, count(*) from {a} group by 1, 2").fetchall())
    n = world.customers
    assert counts[("portfolio_holdout", "control")] == pytest.approx(0.10 * n, abs=3)
    assert counts[("portfolio_holdout", "treatment")] == pytest.approx(0.48 * n, abs=3)
    for c in CAPABILITIES:
        assert counts[(f"{c}_holdout", "control")] == pytest.approx(0.07 * n, abs=3)
        assert abs(counts[(f"{c}_holdout", "control")] - counts[(f"{c}_holdout", "treatment")]) <= 3
        assert load_spec(world.out / "scale" / f"{c}.yaml").pilot == f"{c}_holdout"
        assert load_spec(world.out / "pilots" / f"{c}.yaml").pilot == c
    assert load_spec(world.out / "scale" / "portfolio.yaml").expected_split == {"control": 0.1, "treatment": 0.48}
    # holdouts start at scale, day 91 (2026-04-06), after the pilots (day 35)
    starts = dict(con.execute(f"select pilot, min(assigned_at)::date::varchar from {a} group by 1").fetchall())
    assert starts["portfolio_holdout"] == "2026-04-06" and starts["bill_alerts"] == "2026-02-09"


def test_truth_plants_the_overlap_and_the_decay(world):
    s = world.ground_truth["scale"]
    alone = {h["capability"]: h["true_effects"]["cost_to_serve"]["absolute"] for h in s["holdouts"]}
    combined = s["portfolio"]["true_effects"]["cost_to_serve"]["absolute"]
    # cost is lower-is-better: every effect is a saving (negative), and the whole saves much less than the parts
    assert all(v < 0 for v in alone.values()) and combined < 0
    assert s["portfolio"]["interaction"]["cost_to_serve"] == pytest.approx(combined - sum(alone.values()), abs=1e-5)
    assert s["portfolio"]["interaction"]["cost_to_serve"] > 0.25 * -sum(alone.values())
    decay = {h["capability"]: h["decay"]["cost_to_serve"] for h in s["holdouts"]}
    assert decay["bill_alerts"]["scale_relative"] > 0.3 * decay["bill_alerts"]["pilot_relative"]
    for c in ("follow_up_messages", "guided_resolution"):
        assert decay[c]["scale_relative"] == pytest.approx(decay[c]["pilot_relative"], abs=0.03)
    assert [h["decays"] for h in s["holdouts"]] == [False, False, True]


def test_additive_world_has_no_interaction(tmp_path):
    r = simulate("scaled_additive", customers=5_000, seed=5, out=tmp_path)
    p = r.ground_truth["scale"]["portfolio"]
    assert p["overlap_planted"] is False
    for metric in ("cost_to_serve", "contacts_per_customer"):
        assert p["interaction"][metric] == pytest.approx(0, abs=1e-5)
    assert not any(h["decays"] for h in r.ground_truth["scale"]["holdouts"])


def test_rows_do_not_depend_on_chunks_or_workers(tmp_path):
    one = simulate("scaled", customers=11_000, seed=9, out=tmp_path / "one", chunk_customers=100_000, workers=1)
    parts = simulate("scaled", customers=11_000, seed=9, out=tmp_path / "parts", chunk_customers=5_000, workers=2)
    assert one.ground_truth == parts.ground_truth
    for table in ("interactions", "assignments"):
        a = pq.read_table(one.out / (table if table == "interactions" else f"{table}.parquet"))
        b = pq.read_table(parts.out / (table if table == "interactions" else f"{table}.parquet"))
        assert a.sort_by([(a.column_names[0], "ascending")]).equals(b.sort_by([(b.column_names[0], "ascending")]))
