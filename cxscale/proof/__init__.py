"""Proof points: pilots that passed pilot -> proof, packaged as reproducible, verifiable, sales-ready evidence
(docs/proof-points.md).

- `build_proof(initiative, data)`: the ProofPoint document (build.py), refused unless the gate passes,
- `render(proof)`: its self-contained HTML page (render.py; cxscale.pdf prints it),
- `headline_claims`, `check_claims`: claims generated from the readout, and sales copy checked against them (claims.py),
- `verify_proof(proof, data)`: every number recomputed from the data and the spec (verify.py),
- `fingerprints(data)`: each input table's rows and content hash, computed in the engine (fingerprint.py).
"""

from cxscale.proof.build import Difference, build_proof, differences
from cxscale.proof.claims import Verdict, check_claims, headline_claims
from cxscale.proof.fingerprint import fingerprints
from cxscale.proof.render import render

__all__ = ["Difference", "Verdict", "build_proof", "check_claims", "differences", "fingerprints", "headline_claims",
           "render"]
