"""Deterministic, stateless assignment of units to arms: any system recomputes an arm from the unit id alone.

The hashing is GrowthBook's (the open-source feature-flag SDKs), so an arm computed here is the variation their SDKs
give for the same experiment: FNV-1a 32-bit over UTF-16 code units; hash version 1 `(fnv1a32(value + seed) % 1000) /
1000`, version 2 (unbiased, the default here) `(fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000`; a bucket
range per arm that starts where the arm's weight starts and covers `coverage` of it, so that raising coverage only
adds units and never moves one; namespaces `hash("__" + name, unit, 1)` in [start, end), so that capabilities given
disjoint ranges of one namespace never share a unit. tests/test_assignment.py reproduces GrowthBook's published test
vectors (packages/sdk-js/test/cases.json). Small populations (agents) are split by hash rank within strata
(`stratified`). A switchback (routing) assigns queue x time slots: the unit id of a slot is QUEUE@START (`slot_id`),
so any system recomputes the policy of a queue at a moment from the queue and the timestamp (`slot_arm`).
docs/capability-pilots.md#assignment explains the choices.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cxscale.errors import SpecError

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def fnv1a32(text: str) -> int:
    """FNV-1a, 32 bits, over the text's UTF-16 code units (what JavaScript's charCodeAt gives, as GrowthBook hashes)."""
    h = _FNV_OFFSET
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def bucket(seed: str, value: str, version: int = 2) -> float:
    """The unit's bucket in [0, 1): GrowthBook's hash(seed, value, version). Version 1 is their original (biased)
    hash, kept for compatibility; version 2 the unbiased one."""
    if version == 2:
        return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000
    if version == 1:
        return (fnv1a32(value + seed) % 1000) / 1000
    raise SpecError(f"hash version {version!r}: use 1 or 2 (GrowthBook's hash versions)")


def equal_weights(n: int) -> list[float]:
    """n equal shares (none for n < 1)."""
    return [1.0 / n] * n if n >= 1 else []


def bucket_ranges(n: int, coverage: float = 1.0, weights: list[float] | None = None) -> list[tuple[float, float]]:
    """Per arm, the buckets [start, end) that fall in it, exactly as GrowthBook's getBucketRanges: coverage clamped
    to 0-1, weights of the wrong length or not summing to 1 (+-0.01) replaced by equal ones. Arm i's range starts at
    the sum of the weights before it whatever the coverage, which is what keeps units in their arm as coverage
    ramps up."""
    coverage = min(max(coverage, 0.0), 1.0)
    w = weights if weights is not None and len(weights) == n else equal_weights(n)
    if not 0.99 <= sum(w) <= 1.01:
        w = equal_weights(n)
    out, start = [], 0.0
    for share in w:
        out.append((start, start + coverage * share))
        start += share
    return out


def choose_arm(b: float, ranges: list[tuple[float, float]]) -> int:
    """Index of the first range holding bucket b, -1 when none does (the unit is outside the coverage)."""
    for i, (lo, hi) in enumerate(ranges):
        if lo <= b < hi:
            return i
    return -1


@dataclass(frozen=True)
class Namespace:
    """A slice [start, end) of a namespace: pilots given disjoint slices of one namespace never share a unit."""

    name: str
    start: float
    end: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.start < self.end <= 1.0):
            raise SpecError(f"namespace {self.name}: the range [{self.start}, {self.end}) must lie in [0, 1] and "
                            "not be empty")

    def contains(self, unit_id: str) -> bool:
        """Whether the unit falls in this slice (GrowthBook's inNamespace: hash version 1 of "__" + name)."""
        return self.start <= bucket("__" + self.name, unit_id, 1) < self.end

    def overlaps(self, other: Namespace) -> bool:
        return self.name == other.name and self.start < other.end and other.start < self.end


def _checked(weights: Mapping[str, float], coverage: float) -> list[float]:
    """Weights as shares summing to 1; a weight that is not a positive finite number, or coverage outside 0-1, is an
    error (GrowthBook falls back silently; a pilot must not)."""
    if len(weights) < 2:
        raise SpecError(f"weights {dict(weights)}: give at least two arms (control first)")
    bad = [a for a, w in weights.items() if isinstance(w, bool) or not isinstance(w, int | float)
           or not math.isfinite(w) or w <= 0]
    if bad:
        raise SpecError(f"weights: arm {bad[0]!r} has weight {weights[bad[0]]!r}; weights are positive numbers")
    if isinstance(coverage, bool) or not 0.0 <= coverage <= 1.0:
        raise SpecError(f"coverage {coverage!r}: give a share from 0 to 1")
    total = float(sum(weights.values()))
    return [float(w) / total for w in weights.values()]


def assign(unit_id: str, *, seed: str, weights: Mapping[str, float], coverage: float = 1.0,
           namespace: Namespace | None = None, hash_version: int = 2) -> str | None:
    """The arm of `unit_id`, or None when the unit is not in the pilot (outside the namespace slice or the coverage).

    weights: arm -> weight, control first (normalised to shares). The same (seed, weights, coverage, namespace,
    hash_version) give GrowthBook's variation for an experiment whose seed (or key) is `seed`."""
    shares = _checked(weights, coverage)
    if unit_id == "" or (namespace is not None and not namespace.contains(unit_id)):
        return None
    i = choose_arm(bucket(seed, unit_id, hash_version), bucket_ranges(len(shares), coverage, shares))
    return None if i < 0 else list(weights)[i]


def stratified(units: Mapping[str, str], *, seed: str, weights: Mapping[str, float]) -> dict[str, str]:
    """Arms for a small population (agents), balanced within each stratum (site, team): the units of a stratum are
    ranked by their bucket (hash version 2 of the seed) and the k-th of n takes the arm whose cumulative weight holds
    (k + 0.5) / n, so every arm gets its share of every stratum to within one unit. units: unit id -> stratum.

    Recomputable by anyone holding the roster and the seed, but not from the unit id alone: freeze the roster when
    the pilot starts (a late joiner would shift the ranks) and assign late joiners with assign()."""
    shares = _checked(weights, 1.0)
    arms = list(weights)
    edges = [sum(shares[: i + 1]) for i in range(len(shares))]
    by_stratum: dict[str, list[str]] = {}
    for unit, stratum in units.items():
        by_stratum.setdefault(stratum, []).append(unit)
    out: dict[str, str] = {}
    for members in by_stratum.values():
        ranked = sorted(members, key=lambda u: (bucket(seed, u), u))
        n = len(ranked)
        for k, unit in enumerate(ranked):
            point = (k + 0.5) / n
            out[unit] = arms[next(i for i, e in enumerate(edges) if point < e or i == len(edges) - 1)]
    return out


@dataclass(frozen=True)
class AssignmentPlan:
    """How one capability pilot assigns its units: what `cxscale capability assign NAME --unit ID` computes.

    The seed defaults to the pilot's name (so two pilots of one capability split independently), the weights to the
    spec's expected_split or equal arms, coverage to 1, no namespace (cxscale.documents.pilot_spec.Capability.plan)."""

    seed: str
    weights: Mapping[str, float] = field(default_factory=lambda: {"control": 0.5, "treatment": 0.5})
    coverage: float = 1.0
    namespace: Namespace | None = None
    hash_version: int = 2
    #: Arms balanced within strata by hash rank (stratified()): computed from the frozen roster, not a unit alone.
    stratified: bool = False

    def arm(self, unit_id: str) -> str | None:
        """The unit's arm from its id alone (a stratified plan needs the roster: arms())."""
        if self.stratified:
            raise SpecError(f"pilot seed {self.seed}: arms are stratified by hash rank within strata, so one unit's "
                            "arm needs the whole roster (unit -> stratum): use AssignmentPlan.arms(roster)")
        return assign(unit_id, seed=self.seed, weights=self.weights, coverage=self.coverage,
                      namespace=self.namespace, hash_version=self.hash_version)

    def arms(self, roster: Mapping[str, str]) -> dict[str, str]:
        """Arms of a roster (unit id -> stratum): stratified by hash rank when the plan is, else each unit's arm();
        units outside the namespace slice are left out (coverage below 1 applies to unstratified plans only)."""
        if not self.stratified:
            return {u: a for u in roster if (a := self.arm(u)) is not None}
        inside = {u: s for u, s in roster.items() if self.namespace is None or self.namespace.contains(u)}
        return stratified(inside, seed=self.seed, weights=self.weights)


# --- switchback slots: the unit is a queue x time slot -----------------------------------------------------------

#: A slot unit id is QUEUE@START, START the slot's first minute in UTC as YYYY-MM-DDTHH:MMZ.
SLOT_FORMAT = "%Y-%m-%dT%H:%MZ"
#: The shape of a slot unit id (a regular expression the validator runs in the engine).
SLOT_ID_PATTERN = r"^.+@[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z$"
MINUTES_PER_DAY = 1440


def slot_start(ts: datetime, slot_minutes: int) -> datetime:
    """The start of the slot that holds `ts` (naive = UTC): slots of `slot_minutes` tile every UTC day from
    midnight (slot_minutes divides 1440), so a slot's start is the timestamp floored to its length."""
    utc = ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = (utc.hour * 60 + utc.minute) // slot_minutes * slot_minutes
    return midnight + timedelta(minutes=minutes)


def slot_id(queue: str, start: datetime) -> str:
    """The unit id of `queue`'s slot starting at `start`: QUEUE@YYYY-MM-DDTHH:MMZ (what assignments.unit_id and
    exposures.unit_id hold for unit_type slot)."""
    utc = start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC)
    return f"{queue}@{utc.strftime(SLOT_FORMAT)}"


def parse_slot_id(unit_id: str) -> tuple[str, datetime]:
    """(queue, slot start in UTC) of a slot unit id; a SpecError when it is not QUEUE@YYYY-MM-DDTHH:MMZ."""
    queue, at, text = unit_id.rpartition("@")
    try:
        start = datetime.strptime(text, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        start = None
    if not at or not queue or start is None:
        raise SpecError(f"slot unit id {unit_id!r}: write QUEUE@YYYY-MM-DDTHH:MMZ, e.g. north@2026-01-19T08:00Z")
    return queue, start


def slot_arm(plan: AssignmentPlan, queue: str, ts: datetime, slot_minutes: int) -> str | None:
    """The arm of the policy `queue` runs at time `ts` in a switchback: the hash of the slot's unit id
    (slot_id(queue, slot_start(ts))), so a router and the readout recompute it from the queue and a timestamp."""
    return plan.arm(slot_id(queue, slot_start(ts, slot_minutes)))
