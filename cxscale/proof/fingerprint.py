"""Fingerprints of the input tables, computed in the engine: rows, and an order-independent content hash.

Each row's values (columns in name order; timestamps as epoch seconds, so the session's time zone does not change
the text; a null as \\N) are joined into one text and hashed by the engine's 64-bit hash; the fingerprint is the sum
of those hashes, taken in two 32-bit halves so that the sums fit a 64-bit integer. A sum does not depend on the order
the engine reads rows in, and any changed, added or removed row changes it. One aggregate per table leaves the
engine; no row does. The hash is the engine's own, so a fingerprint names its engine and compares with one from the
same engine only.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cxscale.data.dataset import Dataset
from cxscale.documents.proof_point import TableFingerprint
from cxscale.engine import engine_name, epoch_float, texts_hash

_SEP = "\x1f"
_NULL = "\\N"
_HALF = 4_294_967_296


def _as_text(t: ir.Table, column: str) -> ir.StringValue:
    value = t[column]
    kind = value.type()
    if kind.is_timestamp():
        value = epoch_float(value)
    return value.cast("string").fill_null(_NULL)


def row_text(t: ir.Table) -> ir.StringValue:
    """One text per row holding every value, columns in name order."""
    parts = [_as_text(t, c) for c in sorted(t.columns)]
    out = parts[0]
    for p in parts[1:]:
        out = out.concat(_SEP, p)
    return out


def fingerprint(data: Dataset, name: str) -> TableFingerprint:
    """Rows and content hash of table `name` as the Dataset reads it (after validation: the rows that are measured)."""
    t = data.table(name)
    text = row_text(t)
    h = texts_hash(text)
    if h is None:  # an engine without a 64-bit hash of its own: Ibis's portable one
        h = text.hash()
    h = h.cast("decimal(20, 0)")
    low = (h % _HALF).cast("int64")
    high = ((h - h % _HALF) / _HALF % _HALF).cast("int64")
    row = t.aggregate(rows=t.count(), low=low.sum(), high=high.sum()).to_pyarrow().to_pylist()[0]
    low_sum, high_sum = int(row["low"] or 0), int(row["high"] or 0)
    return TableFingerprint(table=name, rows=int(row["rows"]), columns=sorted(t.columns),
                            content_hash=f"{high_sum:016x}{low_sum:016x}", engine=engine_name(data.con))


def fingerprints(data: Dataset) -> list[TableFingerprint]:
    """Every contract table the dataset holds, in name order."""
    return [fingerprint(data, name) for name in sorted(data.tables)]


__all__ = ["fingerprint", "fingerprints", "row_text"]
