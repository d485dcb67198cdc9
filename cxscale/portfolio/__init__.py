"""The portfolio: use cases carried from idea to scale on evidence (docs/portfolio.md), and the tamper-evident
decision log.

- use cases as code and their linter (`lint_file`, `lint_use_case`): lint.py, `cxscale usecase lint`,
- the gates of their lifecycle as pure rules over documents (`idea_to_pilot`, `pilot_to_proof`, `proof_to_scale`,
  `stop`, `retire`, `recommend`, `sign_off`, `decide`): gates.py,
- the store (`open_store`): SQLAlchemy over a SQLite file or PostgreSQL, migrated by Alembic (store.py),
- the decision log (`append`, `entries`, `verify`, `checkpoint`): append-only, hash-chained, with signed checkpoints
  (log.py, docs/portfolio-log.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each name's module, imported on first use: `cxscale usecase lint` reads files and data, and so does not load
#: SQLAlchemy for the store (about 0.19 s, bench/README.md; tests/test_startup.py).
_LAZY = {
    **dict.fromkeys(["GateResult", "decide", "idea_to_pilot", "pilot_to_proof", "proof_to_scale", "recommend",
                     "retire", "sign_off", "stop"], "gates"),
    **dict.fromkeys(["Finding", "detectability", "lint_file", "lint_use_case", "use_case_files"], "lint"),
    **dict.fromkeys(["Checkpoint", "Entry", "Verification", "append", "checkpoint", "entries", "generate_key",
                     "load_private_key", "load_public_key", "verify"], "log"),
    **dict.fromkeys(["Store", "open_store"], "store"),
}

__all__ = [
    "Checkpoint", "Entry", "Finding", "GateResult", "Store", "Verification", "append", "checkpoint", "decide",
    "detectability", "entries", "generate_key", "idea_to_pilot", "lint_file", "lint_use_case", "load_private_key",
    "load_public_key", "open_store", "pilot_to_proof", "proof_to_scale", "recommend", "retire", "sign_off", "stop",
    "use_case_files", "verify",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"cxscale.portfolio.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cxscale.portfolio' has no attribute {name!r}")
