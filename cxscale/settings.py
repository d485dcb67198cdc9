"""The settings of a cxscale process: one object, read from CXSCALE_* environment variables by the faces (the CLI
now, the web app later) and passed down to what needs them (cxscale.engine.connect). Nothing deeper reads the
environment; a library call without settings gets the defaults (Settings.defaults()).

A plain Pydantic model that reads the environment itself, as pydantic-settings' BaseSettings did (names without
regard to case, unknown CXSCALE_* names ignored, arguments before the environment): pydantic-settings cost every
command about 25 ms of imports (asyncio, ssl, dotenv among them) before its first query, for eleven variables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

PREFIX = "cxscale_"


class Settings(BaseModel):
    """What the environment may set, each field from CXSCALE_<FIELD> (CXSCALE_MEMORY_LIMIT=6GB). `Settings()` reads
    the environment; arguments win over it (`Settings(threads=1)`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The engine a command runs on when it names none: duckdb, spark, or an Ibis URL (postgres://...).
    engine: str = "duckdb"
    #: DuckDB's memory cap (e.g. "6GB"), beyond which it spills sorts and joins to temp_dir. None: DuckDB's own
    #: default, up to 80% of the machine's memory.
    memory_limit: str | None = None
    #: Where DuckDB spills (None: DuckDB's own choice, beside the database or in the working directory).
    temp_dir: Path | None = None
    #: DuckDB's worker threads (None: one per core).
    threads: int | None = Field(None, ge=1)
    #: Where cxscale keeps what it can compute again (None: $XDG_CACHE_HOME/cxscale, else ~/.cache/cxscale).
    cache_dir: Path | None = None
    #: Reuse the passing validation of a source whose files are unchanged (cxscale.data.cache); false: always check.
    validation_cache: bool = True
    #: The Spark master of the session cxscale starts (local mode by default).
    spark_master: str = "local[2]"
    #: spark.sql.shuffle.partitions: few, for local mode.
    spark_partitions: int = Field(4, ge=1)
    #: spark.driver.memory.
    spark_memory: str = "4g"
    #: The address Spark's driver binds to and advertises: this machine only, in local mode.
    spark_host: str = "127.0.0.1"
    #: The portfolio store (decision log): a SQLite file path, created by the first write, or a postgresql:// URL.
    store: str = "portfolio.db"
    #: Your personal API token for the portfolio store (cxscale person token ID makes one): who is acting. Never
    #: printed (a secret).
    token: SecretStr | None = None
    #: The dashboard's key for signing session cookies (32+ characters); unset: a new one each start.
    secret_key: SecretStr | None = None

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_environment(type(self).model_fields), **values})

    @field_validator("memory_limit")
    @classmethod
    def _duckdb_size(cls, value: str | None) -> str | None:
        """A size DuckDB reads (6GB, 512MB, 5.5GiB, 80%), at least 10 MB: DuckDB refuses "lots" or "6" only at its
        first query, with a parser error (a traceback), and at 5MB runs out of memory on the demo world's readout."""
        if value is None:
            return None
        m = _DUCKDB_SIZE.fullmatch(value.strip())
        if m is None:
            raise ValueError("a size such as 6GB, 512MB, 5.5GiB or 80% (of the machine's memory)")
        number, unit = float(m["number"]), m["unit"].lower()
        if unit == "%":
            if not 1 <= number <= 100:
                raise ValueError("a share of the machine's memory is 1% to 100%")
        elif number * _BYTES[unit.rstrip("b") or "b"] < 10e6:
            raise ValueError("at least 10MB: below it DuckDB runs out of memory on the demo's readout")
        return value.strip()

    @field_validator("spark_memory")
    @classmethod
    def _jvm_size(cls, value: str) -> str:
        """A size Spark reads for spark.driver.memory (4g, 512m, 2gb): Spark refuses anything else only once its JVM
        has started."""
        if _JVM_SIZE.fullmatch(value.strip()) is None:
            raise ValueError("a size such as 4g, 512m or 2gb")
        return value.strip()

    @classmethod
    def defaults(cls) -> Settings:
        """The defaults of every field, with no environment read: what a library call without settings gets."""
        return cls.model_construct()


_DUCKDB_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>%|(?:[kmgt]i?)?b|[kmgt])", re.IGNORECASE)
_JVM_SIZE = re.compile(r"\d+[kmgt]b?", re.IGNORECASE)
_BYTES = {"b": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "ki": 2.0**10, "mi": 2.0**20, "gi": 2.0**30,
          "ti": 2.0**40}


def _environment(fields: dict[str, Any]) -> dict[str, str]:
    """The CXSCALE_<FIELD> variables of `fields`, by field name; the name's case does not matter (the last of two
    spellings wins, as in os.environ's order) and other CXSCALE_* names are not settings."""
    found = {}
    for key, value in os.environ.items():
        name = key.lower()
        if name.startswith(PREFIX) and name[len(PREFIX):] in fields:
            found[name[len(PREFIX):]] = value
    return found
