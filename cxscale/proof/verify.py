"""`cxscale proof verify`: recompute every number of a proof point from the data and its spec, and list what differs.

The readout, the effects by week and by segment, the claims and the input tables' fingerprints are computed again on
the data with the proof point's own pilot spec (and the same segment columns); each number is compared at the
precision the proof point keeps (cxscale.proof.build.DIGITS). Changed data changes at least a fingerprint, and the
numbers it moves are listed one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxscale.data.dataset import Dataset
from cxscale.documents.proof_point import ProofPoint
from cxscale.measure.run import read_out
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.proof.build import Difference, differences, rounded
from cxscale.proof.claims import headline_claims
from cxscale.proof.evidence import materialised, segments, weekly
from cxscale.proof.fingerprint import fingerprints


@dataclass(frozen=True)
class Verification:
    """What verify found: the numbers compared and the ones that differ (none: the proof point holds)."""

    checked: int
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return not self.differences


def _leaves(value: object) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 1


def verify_proof(proof: ProofPoint, data: Dataset, catalog: Catalog | None = None) -> Verification:
    """Recompute the proof point's evidence on `data` and compare it with what the proof point holds."""
    catalog = catalog or builtin_catalog()
    spec = proof.spec
    fresh = read_out(spec, data, catalog)
    columns = [s.column for s in proof.segments]
    rows = materialised(data)
    recomputed = {
        "fingerprints": [f.model_dump(mode="json") for f in fingerprints(data)],
        "readout": fresh.to_json(),
        "claims": [c.model_dump(mode="json") for c in headline_claims(fresh)],
        "weekly": [w.model_dump(mode="json") for w in weekly(spec, rows, catalog, fresh)],
        "segments": [s.model_dump(mode="json") for s in segments(spec, rows, catalog, columns)] if columns else [],
    }
    stored = proof.to_json()
    found: list[Difference] = []
    checked = 0
    for part, value in rounded(recomputed).items():
        skip = ("data", "warnings") if part == "readout" else ()
        mine = stored[part]
        checked += _leaves(mine)
        found += [Difference(part + ("" if d.path.startswith("[") else ".") + d.path if d.path else part, d.stored,
                             d.recomputed)
                  for d in differences(mine, value, skip=skip)]
    return Verification(checked=checked, differences=found)
