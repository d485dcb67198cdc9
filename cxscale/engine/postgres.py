"""PostgreSQL, the SQL warehouse cxscale is tested on: the portable dialect, with a compiler that writes one window
frame for bit_or_of_others (its SQL has EXCLUDE CURRENT ROW) and casts booleans to numbers through integer."""

from __future__ import annotations

from cxscale.engine.compilers import BooleanToNumber, ExcludeCurrentRow
from cxscale.engine.dialect import Dialect


class Postgres(Dialect):
    backend_module = "ibis.backends.postgres"
    compiler_mixins = (ExcludeCurrentRow, BooleanToNumber)

    @property
    def read_errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        return (*super().read_errors, psycopg.Error)
