"""The engine seam: connect() opens DuckDB (default), Spark or any Ibis URL, and one Dialect class per engine holds
what differs between them (DuckDB, Spark, PostgreSQL; the base Dialect is the portable behaviour any other SQL
warehouse gets). Nothing else in cxscale knows which engine runs: code elsewhere writes Ibis expressions through
the functions here and pulls only aggregates out of the engine (docs/architecture.md).

    connection.py   connect(), redact(), URL handling
    expressions.py  dialect_of() and the functions each engine implements
    dialect.py      Dialect: the portable versions (SQL warehouses)
    duckdb.py spark.py postgres.py   one dialect per engine
    compilers.py    what a connection's SQL compiler needs beyond Ibis's (installed when cxscale connects)
"""

from typing import TYPE_CHECKING, Any

from cxscale.engine.connection import ENGINES, connect, is_url, redact
from cxscale.engine.dialect import Dialect
from cxscale.engine.expressions import (
    attach_database_file,
    bit,
    bit_or,
    bit_or_of_others,
    blank,
    csv_rejects,
    customer_key,
    dialect_of,
    engine_name,
    epoch_float,
    epoch_seconds,
    floor_divide,
    instant,
    local_to_utc,
    parse_timestamp,
    read_csv_text,
    reads_files,
    single_valued,
    texts_hash,
    try_cast,
    with_row_number,
)

if TYPE_CHECKING:
    from cxscale.engine.spark import spark_session

__all__ = [
    "ENGINES", "Dialect", "attach_database_file", "bit", "blank", "bit_or", "bit_or_of_others", "connect", "csv_rejects",
    "customer_key", "dialect_of", "engine_name", "epoch_float", "epoch_seconds", "floor_divide", "instant", "is_url",
    "local_to_utc", "parse_timestamp", "read_csv_text", "reads_files", "redact", "single_valued", "spark_session",
    "texts_hash", "try_cast", "with_row_number",
]


def __getattr__(name: str) -> Any:
    if name == "spark_session":  # Spark's dialect and functions load with Spark, not with every engine
        from cxscale.engine.spark import spark_session

        return spark_session
    raise AttributeError(f"module 'cxscale.engine' has no attribute {name!r}")
