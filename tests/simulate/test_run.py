"""simulate() writes the agreed world layout, deterministically, with exactly the contract's columns and types."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import ibis
import ibis.expr.datatypes as dt
import pyarrow.parquet as pq
import pytest

from cxscale.contract import TABLES
from cxscale.documents.pilot_spec import load_spec
from cxscale.errors import CxscaleError
from cxscale.simulate import simulate
from cxscale.simulate.world import RNG_BLOCK, simulated_schema
from cxscale.stats.srm import srm_check


def _digest(folder: Path) -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def _rows_hash(folder: Path, table: str) -> str:
    """Order-independent fingerprint of a table's rows (a hash of every row, summed in the engine)."""
    src = f"'{folder}/{table}/*.parquet'" if (folder / table).is_dir() else f"'{folder}/{table}.parquet'"
    return str(duckdb.connect().execute(f"select sum(hash(t)::hugeint), count(*) from {src} t").fetchone())


@pytest.mark.parametrize("scenario", ["support", "scheduling"])
def test_same_seed_writes_the_same_bytes(tmp_path, scenario):
    a = simulate(scenario, customers=2_500, seed=11, out=tmp_path / "a")
    b = simulate(scenario, customers=2_500, seed=11, out=tmp_path / "b")
    assert _digest(a.out) == _digest(b.out)
    assert a.ground_truth == b.ground_truth


def test_different_seeds_write_different_worlds(tmp_path):
    a = simulate("support", customers=2_500, seed=1, out=tmp_path / "a")
    b = simulate("support", customers=2_500, seed=2, out=tmp_path / "b")
    assert _rows_hash(a.out, "interactions") != _rows_hash(b.out, "interactions")
    assert a.ground_truth["pilots"][0]["true_effects"] != b.ground_truth["pilots"][0]["true_effects"]


@pytest.mark.parametrize("scenario", ["support", "scheduling"])
def test_chunked_and_parallel_output_equals_unchunked(tmp_path, scenario):
    n = 3 * RNG_BLOCK + 123
    one = simulate(scenario, customers=n, seed=5, out=tmp_path / "one", chunk_customers=n)
    many = simulate(scenario, customers=n, seed=5, out=tmp_path / "many", chunk_customers=RNG_BLOCK, workers=2)
    assert len(list((many.out / "interactions").glob("*.parquet"))) == 4
    assert len(list((one.out / "interactions").glob("*.parquet"))) == 1
    for table in (t for t in TABLES if t not in ("agents", "exposures", "feedback")):  # written by capability worlds
        assert _rows_hash(one.out, table) == _rows_hash(many.out, table), table
    assert one.ground_truth == many.ground_truth


def test_world_folder_has_the_agreed_layout(support_world):
    out = support_world.out
    for f in ("assignments.parquet", "customers.parquet", "ground_truth.json"):
        assert (out / f).is_file()
    assert sorted((out / "interactions").glob("part-*.parquet"))
    assert sorted((out / "outcomes").glob("part-*.parquet"))
    truth = json.loads((out / "ground_truth.json").read_text())
    assert {p["spec"] for p in truth["pilots"]} == {f"pilots/{f.name}" for f in (out / "pilots").glob("*.yaml")}


@pytest.mark.parametrize("world", ["support_world", "scheduling_world"])
def test_parquet_columns_are_exactly_the_contract_columns_and_types(world, request):
    out = request.getfixturevalue(world).out
    for name in ("interactions", "outcomes", "assignments"):
        files = sorted((out / name).glob("*.parquet")) if (out / name).is_dir() else [out / f"{name}.parquet"]
        expected = simulated_schema(name)  # (wrap_up_code only in worlds with the wrap-up pilot)
        for f in files:
            schema = pq.read_schema(f)
            assert schema.names == expected.names, f
            assert [schema.field(c).type for c in expected.names] == [expected.field(c).type for c in expected.names]
    customers = pq.read_schema(out / "customers.parquet")
    assert customers.names[0] == "customer_id" and str(customers.field("customer_id").type) == "string"
    # Read back through Ibis on DuckDB, the types are the contract's type strings.
    con = ibis.duckdb.connect()
    t = con.read_parquet(str(out / "interactions" / "*.parquet"))
    for col in TABLES["interactions"].columns:
        if col.name not in t.columns:
            continue
        got, want = t.schema()[col.name], dt.dtype(col.dtype)
        if want.is_timestamp():  # the contract does not fix a scale; Parquet stores microseconds
            assert got.is_timestamp() and got.timezone == "UTC", col.name
        else:
            assert got == want, col.name


@pytest.mark.parametrize("world", ["support_world", "scheduling_world"])
def test_ids_are_unique_and_every_row_belongs_to_a_known_customer(world, request):
    out = request.getfixturevalue(world).out
    con = duckdb.connect()
    con.sql(f"create view i as select * from '{out}/interactions/*.parquet'")
    con.sql(f"create view o as select * from '{out}/outcomes/*.parquet'")
    con.sql(f"create view c as select * from '{out}/customers.parquet'")
    con.sql(f"create view a as select * from '{out}/assignments.parquet'")
    assert con.execute("select count(*) = count(distinct interaction_id) from i").fetchone()[0]
    assert con.execute("select count(*) = count(distinct customer_id) from c").fetchone()[0]
    assert con.execute("select count(*) = count(distinct (pilot, unit_type, unit_id)) from a").fetchone()[0]
    for view in ("i", "o"):
        orphans = con.execute(f"select count(*) from {view} anti join c using (customer_id)").fetchone()[0]
        assert orphans == 0, view
    period = request.getfixturevalue(world).ground_truth["period"]
    lo, hi = con.execute("select min(started_at), max(started_at) from i").fetchone()
    assert lo.isoformat() >= period["start"] and hi.isoformat() < period["end"]


@pytest.mark.parametrize("world", ["support_world", "scheduling_world"])
def test_every_pilot_spec_loads_and_its_metrics_have_true_effects(world, request):
    result = request.getfixturevalue(world)
    for pilot in result.ground_truth["pilots"]:
        spec = load_spec(result.out / pilot["spec"])
        assert spec.pilot == pilot["pilot"] and spec.design == pilot["design"] and spec.unit == pilot["unit"]
        assert spec.primary.metric in pilot["true_effects"]
        for ref in spec.guardrails:
            assert ref.metric in pilot["true_effects"]
        end_day = spec.windows.post_days
        assert pilot["start"] >= result.ground_truth["period"]["start"]
        assert end_day >= 28


def _arm_counts(out: Path) -> dict[str, dict[str, int]]:
    rows = duckdb.connect().execute(f"select pilot, arm, count(*) from '{out}/assignments.parquet' group by 1, 2").fetchall()
    counts: dict[str, dict[str, int]] = {}
    for pilot, arm, k in rows:
        counts.setdefault(pilot, {})[arm] = k
    return counts


@pytest.mark.parametrize("scenario", ["support", "scheduling"])
@pytest.mark.parametrize(("customers", "seeds"), [(20_000, (42, 1, 2, 3, 2026)), (7_777, (5, 6)), (2_501, (7,))])
def test_every_randomised_pilot_passes_the_sample_ratio_check_over_seeds_and_sizes(tmp_path, scenario, customers,
                                                                                    seeds):
    # Seed 42 at 20,000 customers is the demo world, whose placebo once failed this check (2,963 vs 2,697,
    # p = 0.0004) when each customer's arm was an independent coin flip.
    blocks = -(-customers // RNG_BLOCK)
    for seed in seeds:
        result = simulate(scenario, customers=customers, seed=seed, out=tmp_path / str(seed), workers=1)
        counts = _arm_counts(result.out)
        randomised = [p for p in result.ground_truth["pilots"] if p["design"] == "randomised"]
        assert randomised
        for p in randomised:
            arms = counts[p["pilot"]]
            assert arms == p["units"], p["pilot"]
            srm = srm_check(arms)
            assert srm.p_value > 0.001, (scenario, customers, seed, p["pilot"], arms, srm.p_value)
            if p["unit"] == "customer":  # complete randomisation per block: at most one unit apart per block
                assert abs(arms["treatment"] - arms["control"]) <= blocks, (scenario, seed, p["pilot"], arms)


def test_ground_truth_follows_schema_version_1(support_world):
    truth = support_world.ground_truth
    assert truth["schema_version"] == 1
    assert {"scenario", "seed", "customers", "interactions", "period", "currency", "hotspots", "pilots"} <= set(truth)
    assert truth["interactions"] == support_world.rows["interactions"]
    for p in truth["pilots"]:
        assert {"pilot", "design", "unit", "arms", "start", "mechanism", "spec", "true_effects"} <= set(p)
        for effect in p["true_effects"].values():
            assert {"absolute", "relative"} <= set(effect)


def test_rewriting_a_folder_replaces_the_previous_world(tmp_path):
    simulate("support", customers=12_000, seed=1, out=tmp_path, chunk_customers=RNG_BLOCK)
    simulate("support", customers=2_000, seed=1, out=tmp_path)
    assert len(list((tmp_path / "interactions").glob("*.parquet"))) == 1
    assert duckdb.connect().execute(f"select count(*) from '{tmp_path}/customers.parquet'").fetchone()[0] == 2_000


def test_unknown_scenario_is_an_error_naming_the_choices(tmp_path):
    with pytest.raises(CxscaleError, match="support, scheduling"):
        simulate("retail", customers=10, out=tmp_path)


def test_a_world_without_any_contact_is_still_written_with_the_contract_schema(tmp_path):
    result = simulate("support", customers=1, seed=5, out=tmp_path)
    assert result.rows["interactions"] == 0 and result.rows["customers"] == 1
    schema = pq.read_schema(next((tmp_path / "interactions").glob("*.parquet")))
    assert schema.names == simulated_schema("interactions").names
