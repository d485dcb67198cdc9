"""Run one cxscale command and record what Python did before its first query (bench/bench_startup.py,
tests/test_startup.py).

    python [-X importtime] bench/startup_probe.py OUT.json measure spec.yaml --json

Wraps duckdb.connect so that the first statement the command sends to DuckDB (Ibis's connect-time settings
included) writes OUT.json: seconds since this script started, the process's CPU seconds (its own start included;
steadier than wall time on a busy machine) and the modules imported by then. The portfolio's
store (SQLite through SQLAlchemy) counts too: its first connection is its first query, since SQLAlchemy sends its
first statement as soon as it connects. A command that never queries (--help) writes nothing.
"""

import json
import sys
import time

T0 = time.perf_counter()
import sqlite3  # noqa: E402
import sqlite3.dbapi2  # noqa: E402  (SQLAlchemy connects through this one)

import duckdb  # noqa: E402  (every command that queries imports it before its first query)

OUT = sys.argv[1]
_connect = duckdb.connect
_sqlite_connect = sqlite3.connect
_seen = False


def _first() -> None:
    global _seen
    if not _seen:
        _seen = True
        with open(OUT, "w") as f:
            json.dump({"seconds": time.perf_counter() - T0, "cpu": time.process_time(), "modules": sorted(sys.modules)},
                      f)


class _Connection:
    """A DuckDB connection that notes the first statement sent through it."""

    def __init__(self, con: object) -> None:
        object.__setattr__(self, "_con", con)

    def __getattr__(self, name: str) -> object:
        if name in ("execute", "sql", "query", "read_parquet", "read_csv", "from_arrow"):
            _first()
        return getattr(object.__getattribute__(self, "_con"), name)


def _probed_connect(*args: object, **kwargs: object) -> object:
    return _Connection(_connect(*args, **kwargs))


def _probed_sqlite_connect(*args: object, **kwargs: object) -> object:
    _first()
    return _sqlite_connect(*args, **kwargs)


duckdb.connect = _probed_connect
sqlite3.connect = sqlite3.dbapi2.connect = _probed_sqlite_connect
sys.argv = ["cxscale", *sys.argv[2:]]
from cxscale.cli import main  # noqa: E402

main()
