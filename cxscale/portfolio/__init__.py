"""The portfolio: use cases carried from idea to scale on evidence (docs/portfolio.md), and the tamper-evident
decision log.

- use cases as code and their linter (`lint_file`, `lint_use_case`): lint.py, `cxscale usecase lint`,
- the store (`open_store`): SQLAlchemy over a SQLite file or PostgreSQL, migrated by Alembic (store.py),
- the decision log (`append`, `entries`, `verify`, `checkpoint`): append-only, hash-chained, with signed checkpoints
  (log.py, docs/portfolio-log.md).
"""

from cxscale.portfolio.lint import Finding, detectability, lint_file, lint_use_case, use_case_files
from cxscale.portfolio.log import (
    Checkpoint,
    Entry,
    Verification,
    append,
    checkpoint,
    digest,
    entries,
    generate_key,
    load_private_key,
    load_public_key,
    verify,
)
from cxscale.portfolio.store import Store, open_store

__all__ = [
    "Checkpoint", "Entry", "Finding", "Store", "Verification", "append", "checkpoint", "detectability", "digest",
    "entries", "generate_key", "lint_file", "lint_use_case", "load_private_key", "load_public_key", "open_store",
    "use_case_files", "verify",
]
