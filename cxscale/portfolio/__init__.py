"""The portfolio: use cases carried from idea to scale on evidence, and the tamper-evident decision log.

- the store (`open_store`): SQLAlchemy over a SQLite file or PostgreSQL, migrated by Alembic (store.py),
- the decision log (`append`, `entries`, `verify`, `checkpoint`): append-only, hash-chained, with signed checkpoints
  (log.py, docs/portfolio-log.md).
"""

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
    "Checkpoint", "Entry", "Store", "Verification", "append", "checkpoint", "digest", "entries", "generate_key",
    "load_private_key", "load_public_key", "open_store", "verify",
]
