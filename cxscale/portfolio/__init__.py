"""The portfolio: use cases carried from idea to scale on evidence (docs/portfolio.md), and the tamper-evident
decision log.

- use cases as code and their linter (`lint_file`, `lint_use_case`): lint.py, `cxscale usecase lint`,
- the gates of their lifecycle as pure rules over documents (`idea_to_pilot`, `pilot_to_proof`, `proof_to_scale`,
  `stop`, `retire`, `recommend`, `sign_off`, `decide`): gates.py,
- the store (`open_store`): SQLAlchemy over a SQLite file or PostgreSQL, migrated by Alembic (store.py),
- the decision log (`append`, `entries`, `verify`, `checkpoint`): append-only, hash-chained, with signed checkpoints
  (log.py, docs/portfolio-log.md).
"""

from cxscale.portfolio.gates import (
                                      GateResult,
                                      decide,
                                      idea_to_pilot,
                                      pilot_to_proof,
                                      proof_to_scale,
                                      recommend,
                                      retire,
                                      sign_off,
                                      stop,
)
from cxscale.portfolio.lint import Finding, detectability, lint_file, lint_use_case, use_case_files
from cxscale.portfolio.log import (
    Checkpoint,
    Entry,
    Verification,
    append,
    checkpoint,
    entries,
    generate_key,
    load_private_key,
    load_public_key,
    verify,
)
from cxscale.portfolio.store import Store, open_store

__all__ = [
    "Checkpoint", "Entry", "Finding", "GateResult", "Store", "Verification", "append", "checkpoint", "decide",
    "detectability", "entries", "generate_key", "idea_to_pilot", "lint_file", "lint_use_case", "load_private_key",
    "load_public_key", "open_store", "pilot_to_proof", "proof_to_scale", "recommend", "retire", "sign_off", "stop",
    "use_case_files", "verify",
]
