"""PostgreSQL, the SQL warehouse cxscale is tested on: the portable dialect, with one window frame for
bit_or_of_others (its SQL has EXCLUDE CURRENT ROW)."""

from __future__ import annotations

from cxscale.engine.frames import ExcludingCurrentRow


class Postgres(ExcludingCurrentRow):
    backend_module = "ibis.backends.postgres"
