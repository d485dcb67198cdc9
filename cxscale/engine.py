"""connect(): DuckDB by default, any Ibis backend by URL. Nothing else in cxscale knows which engine runs.

Engine differences live behind this one seam (docs/architecture.md). Code elsewhere writes Ibis expressions and pulls
only aggregates out of the engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

from cxscale.errors import DataError

#: Engine names accepted by connect() besides URLs.
ENGINES = ("duckdb", "spark")


def connect(engine: str | None = None, workspace: str | Path | None = None, threads: int | None = None) -> BaseBackend:
    """Open an engine.

    engine: None or "duckdb" (in-process DuckDB; file-backed when workspace is given), "spark" (PySpark local mode),
    or any Ibis URL such as "postgres://user@host/db" or "duckdb:///path/to/file.duckdb".
    """
    name = (engine or os.environ.get("CXSCALE_ENGINE") or "duckdb").strip()
    if name == "duckdb":
        kwargs: dict[str, Any] = {}
        if threads:
            kwargs["threads"] = threads
        if workspace is not None:
            Path(workspace).parent.mkdir(parents=True, exist_ok=True)
            return ibis.duckdb.connect(str(workspace), **kwargs)
        return ibis.duckdb.connect(**kwargs)
    if name == "spark":
        return ibis.pyspark.connect(spark_session())
    if "://" in name:
        try:
            return ibis.connect(name)
        except Exception as exc:  # any driver error becomes one readable line
            raise DataError(f"cannot connect to engine {name!r}: {exc}") from exc
    raise DataError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)} or an Ibis URL like postgres://...")


_SPARK = None


def spark_session() -> Any:
    """A shared local-mode Spark session in UTC (Java 17), created once per process."""
    global _SPARK
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on install extras
            raise DataError("Spark engine needs pyspark: pip install 'cxscale[spark]'") from exc
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        _SPARK = (
            SparkSession.builder.master(os.environ.get("CXSCALE_SPARK_MASTER", "local[2]"))
            .appName("cxscale")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", os.environ.get("CXSCALE_SPARK_PARTITIONS", "4"))
            .config("spark.driver.memory", os.environ.get("CXSCALE_SPARK_MEMORY", "4g"))
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def backend_name(con: BaseBackend) -> str:
    """The backend's short name ("duckdb", "pyspark", "postgres", ...)."""
    return str(con.name)
