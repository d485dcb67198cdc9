"""Building a proof point for an initiative that passed pilot -> proof (docs/proof-points.md).

`build_proof(initiative, data)` checks the gate (refusing with the conditions that did not hold), reads the pilot out
again on the data and requires it to match the stored readout, then adds the claims, the effect by week and by
segment and the input tables' fingerprints. Floats are kept to 10 significant digits: the engine sums in parallel in
no fixed order, so the 16th digit of a sum can differ between two runs on the same data, and a rebuild must be
byte-identical. `differences` compares two documents number by number at that precision; verify uses it too.
"""

from __future__ import annotations

import hashlib
import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cxscale
from cxscale.data.dataset import Dataset
from cxscale.documents.base import digest
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.proof_point import ProofPoint, Rebuild
from cxscale.documents.readout import ReadoutDocument
from cxscale.errors import CxscaleError, GateError
from cxscale.measure.run import read_out
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.portfolio.gates import pilot_to_proof
from cxscale.portfolio.records import Initiative
from cxscale.proof.claims import headline_claims
from cxscale.proof.evidence import materialised, segments, weekly
from cxscale.proof.fingerprint import fingerprints

#: Significant digits a proof point keeps of every float (see the module's docstring).
DIGITS = 10
#: Readout fields that say where and how it was run rather than what it found.
_CONTEXT = {"data", "warnings"}
LOCKFILE = Path(cxscale.__file__).resolve().parent.parent / "requirements.lock"


def rounded(value: Any) -> Any:
    """JSON data with every float kept to DIGITS significant digits."""
    if isinstance(value, float):
        return float(f"{value:.{DIGITS}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


@dataclass(frozen=True)
class Difference:
    """One number (or value) that differs: its path in the document, the stored and the recomputed value."""

    path: str
    stored: Any
    recomputed: Any

    def __str__(self) -> str:
        return f"{self.path}: {self.stored!r} -> {self.recomputed!r}"


def differences(stored: Any, recomputed: Any, path: str = "", skip: Sequence[str] = ()) -> list[Difference]:
    """Every leaf that differs between two JSON values; floats are equal when they agree to DIGITS digits."""
    if isinstance(stored, dict) and isinstance(recomputed, dict):
        out = []
        for k in sorted(set(stored) | set(recomputed)):
            if k in skip and not path:
                continue
            out += differences(stored.get(k), recomputed.get(k), f"{path}.{k}" if path else k)
        return out
    if isinstance(stored, list) and isinstance(recomputed, list) and len(stored) == len(recomputed):
        return [d for i, (a, b) in enumerate(zip(stored, recomputed, strict=True))
                for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(stored, int | float) and isinstance(recomputed, int | float) and \
            not isinstance(stored, bool) and not isinstance(recomputed, bool):
        if stored == recomputed or math.isclose(stored, recomputed, rel_tol=10 ** (1 - DIGITS), abs_tol=1e-12):
            return []
    elif stored == recomputed:
        return []
    return [Difference(path, stored, recomputed)]


def readout_differences(stored: ReadoutDocument, fresh: ReadoutDocument) -> list[Difference]:
    return differences(rounded(stored.to_json()), rounded(fresh.to_json()), skip=tuple(_CONTEXT))


def lockfile_sha256(path: Path = LOCKFILE) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _spec_of(initiative: Initiative, spec: PilotSpec | None) -> PilotSpec:
    uc = initiative.use_case
    found = spec if spec is not None else uc.pilot_spec if isinstance(uc.pilot_spec, PilotSpec) else None
    if found is None:
        raise CxscaleError(f"{initiative.id}: the use case names its pilot spec as a file ({uc.pilot_spec}); give the "
                           "spec (--spec FILE)")
    return found


def check_gate(initiative: Initiative, spec: PilotSpec, doc: ReadoutDocument | None) -> Any:
    """The pilot -> proof gate's result; GateError naming each condition that did not hold."""
    result = pilot_to_proof(initiative.use_case, doc, spec=spec)
    if not result.passed:
        failed = "; ".join(f"{c.name}: {c.message}" for c in result.missing)
        raise GateError(f"{initiative.id}: no proof point: the pilot -> proof gate does not pass ({failed})")
    return result


def build_proof(initiative: Initiative, data: Dataset, *, spec: PilotSpec | None = None,
                catalog: Catalog | None = None, command: str = "", mapping: str | None = None,
                built_at: datetime | None = None, segment_columns: list[str] | None = None) -> ProofPoint:
    """The proof point of the initiative's latest readout on `data` (the data it was read out on).

    Refused (GateError) when the pilot -> proof gate does not pass on that readout, and (CxscaleError) when the data
    no longer gives that readout. `command` is the command that rebuilds it (shown on the page)."""
    spec = _spec_of(initiative, spec)
    catalog = catalog or builtin_catalog()
    stored = initiative.latest_readout
    if stored is None:
        raise GateError(f"{initiative.id}: no proof point: the initiative has no readout (cxscale measure its pilot "
                        "spec)")
    gate = check_gate(initiative, spec, stored.readout)
    fresh = read_out(spec, data, catalog)
    changed = readout_differences(stored.readout, fresh)
    if changed:
        shown = "; ".join(map(str, changed[:5])) + (f"; and {len(changed) - 5} more" if len(changed) > 5 else "")
        raise CxscaleError(f"{initiative.id}: the readout does not match the data it is built on ({shown}): measure "
                           "the pilot again, or give the data it was read out on")
    doc = stored.readout
    uc = initiative.use_case
    signed = [f"{e.actor}: {e.action}" + (f" {e.from_stage} -> {e.to_stage}" if e.to_stage else "")
              for e in initiative.decisions if e.action in ("signoff", "advance", "override")]
    when = (built_at or datetime.now(UTC)).astimezone(UTC)
    stored_rows = materialised(data)
    draft = ProofPoint(
        id=initiative.id, title=uc.title or spec.description or spec.pilot,
        built_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"), use_case=uc, spec=spec, readout=doc,
        readout_digest=stored.digest or digest(doc), gate=list(gate.conditions), recommendation=gate.recommendation,
        signed_off=signed, claims=headline_claims(doc), weekly=weekly(spec, stored_rows, catalog, doc),
        segments=segments(spec, stored_rows, catalog, segment_columns), fingerprints=fingerprints(data),
        rebuild=Rebuild(cxscale_version=cxscale.__version__, lockfile_sha256=lockfile_sha256(),
                        command=command or f"cxscale proof build {shlex.quote(initiative.id)}", mapping=mapping))
    return ProofPoint.model_validate(rounded(draft.to_json()))
