"""Pieces every scenario of the synthetic CX world shares: the period, random streams, ids, Arrow columns and the
true-effect accumulator.

Determinism: every block of RNG_BLOCK customers draws from its own numpy Generator seeded by
SeedSequence(seed, spawn_key=(scenario, block)), so the output depends on (scenario, customers, seed) only, never on
how many blocks are written per Parquet part (docs/simulator.md#determinism).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxscale.contract import DEFAULT_RATE_CARD, DEFAULT_RATE_CARD_OTHER, TABLES
from cxscale.documents.pilot_spec import PilotSpec

#: Customers per random stream. Fixed: changing it changes every world, so it is part of the format.
RNG_BLOCK = 5_000

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND

_ARROW_TYPES = {
    "string": pa.string(),
    "timestamp('UTC')": pa.timestamp("us", tz="UTC"),
    "float64": pa.float64(),
    "int64": pa.int64(),
    "boolean": pa.bool_(),
}


def contract_schema(table: str) -> pa.Schema:
    """The Arrow schema of a contract table: exactly the contract's columns and types, in contract order."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.dtype], nullable=c.nullable) for c in TABLES[table].columns])


@dataclass(frozen=True)
class WorldPeriod:
    """The simulated history: `days` whole days from `start` (midnight UTC)."""

    start: datetime
    days: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)

    @property
    def end_us(self) -> int:
        return self.days * US_PER_DAY

    def at(self, day: float) -> datetime:
        return self.start + timedelta(days=day)

    def day_us(self, day: float) -> int:
        """Microseconds since the period start at the given day offset."""
        return int(round(day * US_PER_DAY))


def scenario_key(name: str) -> int:
    return zlib.crc32(name.encode())


def block_rng(seed: int, scenario: str, block: int) -> np.random.Generator:
    """The random stream of one block of customers (block -1 is the world's shared set-up: sites, agents)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(scenario_key(scenario), block + 1)))


def categorical(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    """Draw n category indices from one vector of cumulative probabilities (last entry 1)."""
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def categorical_rows(rng: np.random.Generator, cdf: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category index per element of `rows`, each from its own row of a 2-d cumulative table."""
    u = rng.random(len(rows))
    return np.minimum((u[:, None] >= cdf[rows]).sum(axis=1), cdf.shape[1] - 1)


def cdf_of(weights: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative sums of non-negative weights (1-d or 2-d)."""
    w = np.asarray(weights, dtype=float)
    c = np.cumsum(w, axis=-1)
    return c / c[..., -1:]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def ordinal_1_to_5(latent: np.ndarray) -> np.ndarray:
    """A 1-5 score from a latent satisfaction by fixed cut points (1.5, 2.5, 3.5, 4.5)."""
    return np.clip(np.floor(latent - 0.5), 0, 4) + 1.0


def rate_card_arrays(channels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(fixed cost per contact, cost per handled minute) per channel index, from contract.DEFAULT_RATE_CARD."""
    fixed = np.array([DEFAULT_RATE_CARD.get(c, DEFAULT_RATE_CARD_OTHER)[0] for c in channels])
    per_min = np.array([DEFAULT_RATE_CARD.get(c, DEFAULT_RATE_CARD_OTHER)[1] for c in channels])
    return fixed, per_min


# --- Arrow columns -------------------------------------------------------------------------------------------------

def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """String ids like C00000042 from integers, built in Arrow (fast for millions of rows)."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


#: Interaction ids are block * ID_STRIDE + the row within the block (+1), so that blocks can be written in any order
#: or in parallel and still give the same ids.
ID_STRIDE = 10_000_000


def interaction_ids(block: int, n: int) -> pa.Array:
    """Ids like I000070000001 for the n interactions of one block of customers."""
    if n >= ID_STRIDE:
        raise ValueError(f"block {block} has {n} interactions; at most {ID_STRIDE - 1} fit its id range")
    return ids("I", block * ID_STRIDE + np.arange(1, n + 1), 13)


def labels(names: tuple[str, ...] | list[str], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Plain string column from category indices (null where `valid` is False)."""
    idx = pa.array(np.asarray(index, dtype=np.int32), mask=None if valid is None else ~valid)
    return pc.take(pa.array(list(names), pa.string()), idx)


def timestamps(period: WorldPeriod, offsets_us: np.ndarray) -> pa.Array:
    base = int(period.start.timestamp() * US_PER_SECOND)
    return pa.array(np.asarray(offsets_us, dtype=np.int64) + base, type=pa.timestamp("us", tz="UTC"))


def floats(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), mask=None if valid is None else ~valid)


#: Optional contract columns a world writes only when one of its pilots needs them (absent otherwise: read as null).
SOMETIMES_WRITTEN = {"interactions": ("wrap_up_code",)}


def simulated_schema(name: str) -> pa.Schema:
    """The schema a world writes for a contract table when none of its pilots adds a SOMETIMES_WRITTEN column."""
    skip = SOMETIMES_WRITTEN.get(name, ())
    return pa.schema([f for f in contract_schema(name) if f.name not in skip])


def table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """A contract table from named columns (missing contract columns are an error: the simulator writes them all,
    except the SOMETIMES_WRITTEN ones)."""
    schema = contract_schema(name)
    skip = {c for c in SOMETIMES_WRITTEN.get(name, ()) if c not in columns}
    schema = pa.schema([f for f in schema if f.name not in skip])
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


# --- True effects --------------------------------------------------------------------------------------------------

@dataclass
class EffectSums:
    """Running sums of one metric under both potential outcomes over a pilot's units and post window:
    value = num / den in each world (den is the unit count for per-customer metrics, the contact count for ratios)."""

    num0: float = 0.0
    num1: float = 0.0
    den0: float = 0.0
    den1: float = 0.0

    def add(self, num0: float, num1: float, den0: float, den1: float | None = None) -> None:
        self.num0 += float(num0)
        self.num1 += float(num1)
        self.den0 += float(den0)
        self.den1 += float(den0 if den1 is None else den1)

    def effect(self) -> dict[str, float]:
        """Absolute (metric units) and relative (share) effect of treating every pilot unit vs none."""
        if self.den0 == 0 or self.den1 == 0:
            return {"absolute": 0.0, "relative": 0.0, "control_value": 0.0}
        v0, v1 = self.num0 / self.den0, self.num1 / self.den1
        return {"absolute": v1 - v0, "relative": (v1 / v0 - 1.0) if v0 else 0.0, "control_value": v0}


@dataclass
class Truths:
    """EffectSums per pilot and metric, merged across blocks."""

    sums: dict[str, dict[str, EffectSums]] = field(default_factory=dict)

    def get(self, pilot: str, metric: str) -> EffectSums:
        return self.sums.setdefault(pilot, {}).setdefault(metric, EffectSums())

    def merge(self, other: Truths) -> None:
        """Add another block's sums (merge blocks in block order so that sums do not depend on chunking)."""
        for pilot, metrics in other.sums.items():
            for metric, s in metrics.items():
                self.get(pilot, metric).add(s.num0, s.num1, s.den0, s.den1)

    def effects(self, pilot: str) -> dict[str, dict[str, float]]:
        return {m: s.effect() for m, s in self.sums.get(pilot, {}).items()}


# --- What a scenario hands to the writer ---------------------------------------------------------------------------

@dataclass
class Block:
    """The tables generated for one block of customers (customers may carry extra attribute columns)."""

    interactions: pa.Table
    outcomes: pa.Table
    customers: pa.Table
    assignments: pa.Table
    #: Capability pilots' decisions and feedback (cxscale.simulate.capabilities); None when the world has none.
    exposures: pa.Table | None = None
    feedback: pa.Table | None = None


@dataclass(frozen=True)
class PlantedPilot:
    """One planted pilot: its spec (written to pilots/<pilot>.yaml), start and the mechanism in words; a capability
    pilot also its share of triggered suggestions shown in treatment (ground_truth.json's funnel.shown_rate)."""

    spec: PilotSpec
    start: datetime
    mechanism: str
    shown_rate: float | None = None


def balanced_arms(keys: np.ndarray, eligible: np.ndarray, block: int) -> np.ndarray:
    """Complete randomisation of one block's eligible units: the half with the smallest `keys` (iid uniform draws
    made before anything else about the units) is treated; an odd unit out goes to treatment in odd blocks and to
    control in even ones. Returns a mask over all units (False where not eligible).

    Why not a coin flip per unit: independent flips leave chance imbalances that a sample-ratio-mismatch check at
    p < 0.001 flags in 1 world in 1,000, and seed 42 (the demo) was one of them (placebo 2,963 vs 2,697). Blocked
    complete randomisation keeps the arms within one unit per block of each other, so an SRM alarm on a simulated
    world always means a bug (docs/simulator.md#pilots-and-their-true-effects). Eligibility must be decided from
    pre-assignment information before calling this, so that arm and eligibility are independent.
    """
    idx = np.flatnonzero(eligible)
    m = len(idx)
    n_treated = m // 2 + (m % 2) * (block % 2)
    treated = np.zeros(len(keys), dtype=bool)
    treated[idx[np.argsort(keys[idx], kind="stable")[:n_treated]]] = True
    return treated


def exposure_rows(unit_ids: pa.Array, unit_type: str, interaction_ids: pa.Array, capability: str,
                  arms: np.ndarray, triggered: np.ndarray, shown: np.ndarray, sid_prefix: str,
                  ts: pa.Array) -> tuple[pa.Table, pa.Array]:
    """A capability pilot's exposure rows (the pilot is named after its capability) and their suggestion ids:
    `sid_prefix` + the interaction id where the capability triggered, else null."""
    n = len(interaction_ids)
    sid = pc.if_else(pa.array(triggered), pc.binary_join_element_wise(pa.scalar(sid_prefix), interaction_ids, ""),
                     pa.scalar(None, pa.string()))
    exposures = table("exposures", {
        "unit_id": unit_ids, "unit_type": pa.array([unit_type] * n, pa.string()), "interaction_id": interaction_ids,
        "capability": pa.array([capability] * n, pa.string()), "pilot_id": pa.array([capability] * n, pa.string()),
        "arm": pa.array(arms, pa.string()), "triggered": pa.array(triggered), "shown": pa.array(shown),
        "suggestion_id": sid, "ts": ts,
    })
    return exposures, sid


def assignment_rows(unit_ids: pa.Array, unit_type: str, pilot: str, treated: np.ndarray, period: WorldPeriod,
                    start_day: float) -> pa.Table:
    """Assignment rows for units entering `pilot` at start_day, arm treatment where `treated` else control."""
    n = len(unit_ids)
    return table("assignments", {
        "unit_id": unit_ids,
        "unit_type": pa.array([unit_type] * n, pa.string()),
        "pilot": pa.array([pilot] * n, pa.string()),
        "arm": labels(("control", "treatment"), np.asarray(treated, dtype=np.int32)),
        "assigned_at": timestamps(period, np.full(n, period.day_us(start_day))),
    })
