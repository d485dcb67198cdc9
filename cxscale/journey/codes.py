"""Integer codes for the journey dimensions, so that the window sorts carry one small integer instead of strings.

Diagnosis groups by intent x journey stage x channel x site and draws flows over intent, stage and channel. Every
distinct combination gets one integer, `cell`, in mixed radix:

    cell = ((intent_code * n_stages + journey_stage_code) * n_channels + channel_code) * n_sites + site_code

so that any dimension's code is plain arithmetic on the cell (CellCodes.code) and a window only has to carry the
cell, never four strings (docs/diagnosis.md#passes). The names come back only on the small aggregates. Each code is
a rank over the names (from 0), so the codes are the same whenever they are computed from the same data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import ibis
import ibis.expr.types as ir
import pandas as pd

from cxscale.engine import floor_divide, texts_hash

#: The journey dimensions, most significant first in the cell code (and the finest grain of the friction sums).
DIMENSIONS = ("intent", "journey_stage", "channel", "site")


@dataclass(frozen=True)
class CellCodes:
    """The materialised code table (one row per distinct combination: the four names, `<dimension>_code` and
    `cell`), the number of codes of each dimension (its radix) and the number of combinations (0: no contacts)."""

    table: ir.Table
    radix: dict[str, int]
    size: int

    @property
    def packable(self) -> bool:
        """Every cell code fits in 31 bits (cell_codes makes them 32-bit integers)."""
        return math.prod(self.radix.values()) < 2**31

    def stride(self, dimension: str) -> int:
        """What one step of `dimension`'s code is worth in the cell code."""
        out = 1
        for d in reversed(DIMENSIONS):
            if d == dimension:
                return out
            out *= self.radix[d]
        raise ValueError(f"no dimension {dimension!r}; the dimensions are {', '.join(DIMENSIONS)}")

    def code(self, cell: ir.IntegerValue, dimension: str) -> ir.IntegerValue:
        """The code of `dimension` inside a cell code (null for a null cell). The first dimension needs no modulo
        and the last no division: the graphs compute three codes on every step."""
        stride = self.stride(dimension)
        code = cell.cast("int64") if stride == 1 else floor_divide(cell, stride)
        return code if dimension == DIMENSIONS[0] else code % self.radix[dimension]

    @property
    def hashed(self) -> tuple[str, ...]:
        """The dimensions `key_` hashes: the one that varies when the others hold a single value each (e.g.
        flows.discover_flows codes one dimension alone), else all four."""
        return _hashed(self.radix)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The code table read out (one row per combination: small), once."""
        return self.table.to_pandas()

    @cached_property
    def keyed(self) -> bool:
        """Whether encode may join on `key_`, the hash of the names (`hashed`): the engine has one and no two
        combinations share it."""
        return "key_" in self.table.columns and bool(self.frame["key_"].is_unique)

    @cached_property
    def names(self) -> dict[str, dict[int, str]]:
        """Per dimension, code -> name."""
        t = self.frame
        return {d: dict(zip(t[f"{d}_code"].tolist(), t[d].tolist(), strict=True)) for d in DIMENSIONS}

    def release(self) -> None:
        """Drop the materialised table (a temporary table on DuckDB, a persisted DataFrame on Spark)."""
        self.table.release()


def cell_codes(contacts: ir.Table, sums: Callable[[ir.Table], dict[str, ir.Scalar]] | None = None) -> CellCodes:
    """The codes of every distinct intent x journey stage x channel x site in `contacts` (one grouped scan),
    materialised. The dimensions must not be null (base_contacts fills them). Release them when done.

    `sums(contacts)` gives aggregates to compute per combination in the same scan: they are kept in the code table
    as columns of those names (passes.code_cells)."""
    if sums is None:
        cells = contacts.select(*DIMENSIONS).distinct()
    else:
        cells = contacts.group_by(list(DIMENSIONS)).aggregate(**sums(contacts))
    coded = cells.mutate(**{f"{d}_code": (ibis.dense_rank().over(order_by=cells[d])).cast("int64") for d in DIMENSIONS})
    table = coded.cache()
    try:
        counts = table.aggregate(n=table.count(), **{d: table[f"{d}_code"].max() + 1 for d in DIMENSIONS})
        counts = counts.to_pyarrow().to_pylist()[0]
        radix = {d: int(counts[d] or 1) for d in DIMENSIONS}
        cell = ibis.literal(0, type="int64")
        for d in DIMENSIONS:
            cell = cell * radix[d] + table[f"{d}_code"]
        # 32-bit cells whenever they fit (they nearly always do): every window carries the cell.
        if math.prod(radix.values()) < 2**31:  # CellCodes.packable
            cell = cell.cast("int32")
        key = texts_hash(*[table[d] for d in _hashed(radix)])
        # A second, final materialisation with the cell: the code table is small (one row per combination).
        final = table.mutate(cell=cell, **({} if key is None else {"key_": key})).cache()
    finally:
        table.release()
    return CellCodes(final, radix, int(counts["n"]))


def _hashed(radix: dict[str, int]) -> tuple[str, ...]:
    varying = tuple(d for d in DIMENSIONS if radix[d] > 1)
    return varying if len(varying) == 1 else DIMENSIONS


def encode(contacts: ir.Table, codes: CellCodes) -> ir.Table:
    """`contacts` with the four dimension names replaced by their `cell` code: joined on a hash of the names
    (CellCodes.hashed: of the one that varies, when only one does) where the engine has one and no two combinations
    share it (a join on one integer instead of four texts, about half the time), else on the names."""
    t = codes.table
    keep = [n for n in contacts.columns if n not in DIMENSIONS]
    if codes.keyed:
        c = contacts.mutate(key_=texts_hash(*[contacts[d] for d in codes.hashed]))
        right = t.select("key_", "cell")
        return c.join(right, "key_").select(*keep, "cell")
    j = contacts.join(t.select(*DIMENSIONS, "cell"), list(DIMENSIONS))
    return j.select(*keep, "cell")
