"""simulate(): generate a scenario block by block and write the world folder (docs/simulator.md).

Layout (the interface cxscale.data.open_data reads): DIR/interactions/part-*.parquet, DIR/outcomes/part-*.parquet,
DIR/assignments.parquet, DIR/customers.parquet, DIR/ground_truth.json, DIR/pilots/<pilot>.yaml and, for the
support world, its portfolio DIR/portfolio/ (simulate/portfolio.py). Memory stays bounded
by the chunk size (customers per Parquet part), whatever the number of customers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing as mp
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from cxscale.documents.pilot_spec import dump_spec
from cxscale.errors import CxscaleError
from cxscale.simulate import DEFAULT_CUSTOMERS
from cxscale.simulate.world import RNG_BLOCK, Block, PlantedPilot, Truths, WorldPeriod

GROUND_TRUTH_VERSION = 1
DEFAULT_CHUNK_CUSTOMERS = 100_000


class Scenario(Protocol):
    name: str
    description: str
    period: WorldPeriod
    truths: Truths
    currency: str

    def block(self, index: int, first_customer: int, n: int) -> Block: ...
    def unit_assignments(self) -> pa.Table: ...
    def pilots(self) -> list[PlantedPilot]: ...
    def hotspots(self) -> list[dict]: ...


def scenarios() -> dict[str, type]:
    from cxscale.simulate.scaled import AdditiveScaledWorld, ScaledWorld
    from cxscale.simulate.scheduling import SchedulingWorld
    from cxscale.simulate.support import SupportWorld

    return {"support": SupportWorld, "scheduling": SchedulingWorld, "scaled": ScaledWorld,
            "scaled_additive": AdditiveScaledWorld}


@dataclass
class SimulationResult:
    """What was written: where, how many rows per table, the period and the pilots with their true effects."""

    out: Path
    scenario: str
    seed: int
    customers: int
    rows: dict[str, int]
    period: WorldPeriod
    ground_truth: dict[str, Any]
    seconds: float
    files: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "scenario": self.scenario, "seed": self.seed, "customers": self.customers,
            "rows": self.rows, "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "pilots": [{k: p[k] for k in ("pilot", "design", "unit", "start", "spec", "true_effects")}
                       for p in self.ground_truth["pilots"]],
            "hotspots": self.ground_truth["hotspots"], "seconds": round(self.seconds, 2),
        }


_OUR_FILES = ("interactions/part-*.parquet", "outcomes/part-*.parquet", "assignments.parquet", "customers.parquet",
              "ground_truth.json", "pilots/*.yaml", "portfolio/*.usecase.yaml", "portfolio/pilots/*.yaml",
              "portfolio/people.yaml", "portfolio/planted.json", "scale/*.yaml",
              "messages.parquet", "knowledge_base.json",
              "exposures/part-*.parquet", "feedback/part-*.parquet", "agents.parquet")
#: Tables only worlds with capability pilots write (Block.exposures, Block.feedback).
_CAPABILITY_TABLES = ("exposures", "feedback")


def _clear(out: Path) -> None:
    """Remove a previous world's files (only the files this function writes) so that parts never mix."""
    for pattern in _OUR_FILES:
        for f in out.glob(pattern):
            f.unlink()


@dataclass
class _Part:
    """What one part's worker hands back: row counts, the small tables the parent appends, per-block true sums."""

    interactions: int
    outcomes: int
    customers: pa.Table
    assignments: pa.Table
    truths: list[Truths]


@functools.lru_cache(maxsize=2)
def _world(scenario: str, customers: int, seed: int, capabilities: bool = False, anchoring: bool = False) -> Scenario:
    options: dict[str, bool] = {"capabilities": True} if capabilities else {}
    if anchoring:
        options["anchoring"] = True
    return scenarios()[scenario](customers=customers, seed=seed, **options)


def _write_part(scenario: str, customers: int, seed: int, out: str, part: int, blocks: range,
                capabilities: bool = False, anchoring: bool = False) -> _Part:
    """Generate a run of blocks and write them as interactions/ and outcomes/ part files (and exposures/,
    feedback/ with capability pilots), in a worker."""
    world = _world(scenario, customers, seed, capabilities, anchoring)
    generated, truths = [], []
    for b in blocks:
        world.truths = Truths()
        first = b * RNG_BLOCK
        generated.append(world.block(b, first, min(RNG_BLOCK, customers - first)))
        truths.append(world.truths)
    rows = {}
    for name in ("interactions", "outcomes"):
        t = pa.concat_tables([getattr(g, name) for g in generated])
        pq.write_table(t, Path(out) / name / f"part-{part:05d}.parquet", row_group_size=1 << 20)
        rows[name] = t.num_rows
    for name in _CAPABILITY_TABLES:
        logged = [getattr(g, name) for g in generated if getattr(g, name) is not None]
        if logged:
            (Path(out) / name).mkdir(exist_ok=True)
            pq.write_table(pa.concat_tables(logged), Path(out) / name / f"part-{part:05d}.parquet")
    return _Part(rows["interactions"], rows["outcomes"], pa.concat_tables([g.customers for g in generated]),
                 pa.concat_tables([g.assignments for g in generated]), truths)


def simulate(scenario: str = "support", customers: int = DEFAULT_CUSTOMERS, seed: int = 42,
             out: str | Path = "out/world", chunk_customers: int = DEFAULT_CHUNK_CUSTOMERS,
             progress: Callable[[int], None] | None = None, workers: int | None = None,
             messages: bool = False, capabilities: bool = False, anchoring: bool = False) -> SimulationResult:
    """Write a synthetic world of `customers` customers to `out`; deterministic for (scenario, customers, seed,
    capabilities).

    chunk_customers: customers per Parquet part file (rounded up to a multiple of RNG_BLOCK); it bounds memory and
    does not change the data. workers: processes writing parts in parallel (default: up to 2 when there are several
    parts; the data do not depend on it). progress: called with the number of customers done after each part.
    messages: also write every contact's first message and transcript, and the knowledge base (simulate/messages.py).
    capabilities: add the capability pilots (docs/capability-pilots.md#in-the-simulator), with their exposures and
    feedback (and the support world's agents) tables; the rest of the world is the same as without them.
    anchoring: with capabilities in the support world, plant anchoring in the after_contact wrap-up pilot (treated
    agents keep wrong suggested codes, shifting the code mix: simulate/wrapup_pilot.py).
    """
    worlds = scenarios()
    if scenario not in worlds:
        raise CxscaleError(f"unknown scenario {scenario!r}: choose one of {', '.join(worlds)}")
    if customers < 1:
        raise CxscaleError(f"--customers must be at least 1 (got {customers})")
    if anchoring and not (capabilities and scenario == "support"):
        raise CxscaleError("anchoring is planted in the support world's wrap-up pilot: use it with scenario support "
                           "and capabilities")
    t0 = time.perf_counter()
    world: Scenario = _world.__wrapped__(scenario, customers, seed, capabilities, anchoring)
    out = Path(out)
    for sub in ("interactions", "outcomes", "pilots"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    _clear(out)
    per_part = max(1, -(-chunk_customers // RNG_BLOCK))
    n_blocks = -(-customers // RNG_BLOCK)
    parts = [range(first, min(first + per_part, n_blocks)) for first in range(0, n_blocks, per_part)]
    workers = min(len(parts), workers if workers is not None else min(2, os.cpu_count() or 1))
    rows: Counter[str] = Counter()
    arms: Counter[tuple[str, str]] = Counter()
    unit_rows = world.unit_assignments()
    _count_arms(unit_rows, arms)
    rows["assignments"] += unit_rows.num_rows
    args = [(scenario, customers, seed, str(out), k, blocks, capabilities, anchoring) for k, blocks in enumerate(parts)]
    with contextlib.ExitStack() as stack:
        assign_writer = stack.enter_context(pq.ParquetWriter(out / "assignments.parquet", unit_rows.schema))
        assign_writer.write_table(unit_rows)
        cust_writer: pq.ParquetWriter | None = None
        if workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")))
            results: Iterator[_Part] = pool.map(_write_part, *zip(*args, strict=True))
        else:
            results = (_write_part(*a) for a in args)
        for blocks, part in zip(parts, results, strict=True):
            for t in part.truths:
                world.truths.merge(t)
            rows["interactions"] += part.interactions
            rows["outcomes"] += part.outcomes
            if cust_writer is None:
                cust_writer = stack.enter_context(pq.ParquetWriter(out / "customers.parquet", part.customers.schema))
            cust_writer.write_table(part.customers)
            rows["customers"] += part.customers.num_rows
            _count_arms(part.assignments, arms)
            assign_writer.write_table(part.assignments.cast(unit_rows.schema))
            rows["assignments"] += part.assignments.num_rows
            if progress:
                progress(min(customers, blocks.stop * RNG_BLOCK))
    agents = getattr(world, "agents", lambda: None)()
    if agents is not None:
        pq.write_table(agents, out / "agents.parquet")
        rows["agents"] = agents.num_rows
    truth = _ground_truth(world, seed, customers, rows, arms)
    for plan in world.pilots():
        dump_spec(plan.spec, out / "pilots" / f"{plan.spec.pilot}.yaml")
    if hasattr(world, "scale_plan"):  # a portfolio at scale (simulate/scaled.py): holdout specs in DIR/scale/
        truth["scale"] = world.scale_plan(out, arms)
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    if scenario == "support" and rows["interactions"]:  # its portfolio, tied to its contacts (docs/simulator.md)
        from cxscale.simulate.portfolio import write_portfolio

        write_portfolio(out, {plan.spec.pilot: plan.spec for plan in world.pilots()})
    if messages:
        from cxscale.simulate.messages import write_messages

        write_messages(out, scenario, seed)
    return SimulationResult(out=out, scenario=scenario, seed=seed, customers=customers, rows=dict(rows),
                            period=world.period, ground_truth=truth, seconds=time.perf_counter() - t0)


def _count_arms(assignments: pa.Table, arms: Counter[tuple[str, str]]) -> None:
    counts = assignments.group_by(["pilot", "arm"]).aggregate([([], "count_all")])
    for p, a, k in zip(counts["pilot"].to_pylist(), counts["arm"].to_pylist(), counts["count_all"].to_pylist(),
                       strict=True):
        arms[(p, a)] += k


def _ground_truth(world: Scenario, seed: int, customers: int, rows: Counter[str],
                  arms: Counter[tuple[str, str]]) -> dict[str, Any]:
    pilots = []
    for plan in world.pilots():
        s = plan.spec
        effects = {m: {k: round(v, 6) for k, v in e.items()} for m, e in world.truths.effects(s.pilot).items()}
        pilots.append({
            "pilot": s.pilot, "design": s.design, "unit": s.unit, "arms": s.arms,
            "start": plan.start.isoformat(), "mechanism": plan.mechanism, "spec": f"pilots/{s.pilot}.yaml",
            "windows": {"pre_days": s.windows.pre_days, "post_days": s.windows.post_days},
            "units": {arm: arms.get((s.pilot, arm), 0) for arm in s.arms},
            "true_effects": effects,
        })
        if s.capability is not None:  # intent-to-treat, triggered and per-band effects, and the planted funnel
            from cxscale.simulate.capabilities import capability_truth

            pilots[-1].update(capability_truth(effects, plan.shown_rate))
    return {
        "schema_version": GROUND_TRUTH_VERSION, "scenario": world.name, "seed": seed, "customers": customers,
        "interactions": rows["interactions"],
        "period": {"start": world.period.start.isoformat(), "end": world.period.end.isoformat()},
        "currency": world.currency, "hotspots": world.hotspots(), "pilots": pilots,
        "notes": ("true_effects are sample effects on the simulated pilot units: each metric computed over the "
                  "pilot's post window (per unit of analysis, pooled over units) with every unit treated minus with "
                  "none treated, both from the same random draws (docs/simulator.md#true-effects). control_value "
                  "is the metric without treatment."),
    }


__all__ = ["DEFAULT_CUSTOMERS", "SimulationResult", "scenarios", "simulate"]
