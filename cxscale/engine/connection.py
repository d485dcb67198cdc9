"""connect(): DuckDB by default, Spark in local mode, any Ibis backend by URL; redact() for what is shown of a URL."""

from __future__ import annotations

import re
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import ibis
from ibis.backends import BaseBackend

from cxscale.engine.expressions import dialect_of
from cxscale.errors import DataError
from cxscale.settings import Settings

#: Engine names accepted by connect() besides URLs.
ENGINES = ("duckdb", "spark")

#: Every connection connect() opened and nobody has dropped: close_for_exit() closes them.
_OPEN: weakref.WeakSet[BaseBackend] = weakref.WeakSet()


def is_url(source: str | Path) -> bool:
    """A source that names its own engine (postgres://..., duckdb:///file.duckdb, spark://...), not a path."""
    return "://" in str(source)


def connect(engine: str | None = None, workspace: str | Path | None = None,
            settings: Settings | None = None) -> BaseBackend:
    """Open an engine, with what its dialect needs installed on the connection (Dialect.install).

    engine: "duckdb" (in-process DuckDB; file-backed when workspace is given), "spark" (PySpark local mode),
    "spark://HOST:PORT" (a Spark standalone cluster, docs/spark.md), or any Ibis URL such as "postgres://user@host/db" or "duckdb:///path/to/file.duckdb"; None: settings.engine.
    settings: memory, threads and Spark's session (cxscale.settings); None: the defaults, no environment read.
    """
    settings = settings or Settings.defaults()
    name = (engine or settings.engine).strip()
    if name == "duckdb":
        con = _duckdb(workspace, settings)
    elif name == "spark" or name.startswith("spark://") and name != "spark://":
        # spark://HOST:PORT is a standalone cluster's master (docs/spark.md); "spark" is settings.spark_master.
        if name != "spark":
            settings = settings.model_copy(update={"spark_master": name})
        from cxscale.engine.spark import spark_session

        con = ibis.pyspark.connect(spark_session(settings))
    elif is_url(name):
        con = _by_url(name)
    else:
        raise DataError(f"unknown engine {redact(name)!r}: use one of {', '.join(ENGINES)} or an Ibis URL like "
                        "postgres://...")
    dialect_of(con).install()
    _OPEN.add(con)
    return con


def close_for_exit() -> bool:
    """Close the in-process DuckDB connections still open, as the interpreter's teardown would (closing one removes
    its spill files and checkpoints a database file), so that the process may end without that teardown (cli.run).
    False, closing nothing, when another engine is open: a Spark session or a server connection ends the usual
    way."""
    cons = list(_OPEN)
    if any(con.name != "duckdb" for con in cons):
        return False
    for con in cons:
        con.disconnect()
    return True


def _duckdb(workspace: str | Path | None, settings: Settings) -> BaseBackend:
    # Bounded memory: memory_limit (e.g. "6GB") caps DuckDB, which then spills sorts and joins to temp_dir.
    kwargs: dict[str, Any] = {}
    if settings.threads:
        kwargs["threads"] = settings.threads
    if settings.memory_limit:
        kwargs["memory_limit"] = settings.memory_limit
    if settings.temp_dir is not None:
        kwargs["temp_directory"] = str(settings.temp_dir)
    if workspace is not None:
        Path(workspace).parent.mkdir(parents=True, exist_ok=True)
        return ibis.duckdb.connect(str(workspace), **kwargs)
    return ibis.duckdb.connect(**kwargs)


def _by_url(url: str) -> BaseBackend:
    _refuse_a_new_database_file(url)
    try:
        return ibis.connect(url)
    # Any failure here comes from the URL the user gave (an unknown scheme, a missing driver, a refused connection,
    # a bad database): broad on purpose, since a traceback would print the URL with its password.
    except Exception as exc:  # noqa: BLE001
        password = urlsplit(url).password or ""
        raise DataError(f"cannot connect to engine {redact(url)!r}: "
                        f"{' '.join(redact(str(exc), password, unquote(password)).split())}") from exc


#: The password of a URL (scheme://user:PASSWORD@host) and of a libpq-style key=value connection string.
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@/\s]*@")
_KEY_PASSWORD = re.compile(r"(\b(?:password|passwd|pwd|secret|token|api_key)\s*=\s*)[^\s&;,'\"]+", re.IGNORECASE)


def redact(text: str, *secrets: str) -> str:
    """`text` with every URL's password (postgres://user:***@host/db), every `password=...` value and each of
    `secrets` replaced by ***: what cxscale prints where a source or a driver's error is shown."""
    text = _KEY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _refuse_a_new_database_file(url: str) -> None:
    """DuckDB and SQLite create the database file a URL names when it does not exist; cxscale's commands only read,
    so a missing file is an error rather than a new empty database (a typo would otherwise leave files behind)."""
    parts = urlsplit(url)
    if parts.scheme not in ("duckdb", "sqlite", "file"):
        return
    # The path as Ibis reads it (ibis.backends.UrlFromPath): netloc and path together, or an in-memory database.
    path = parts.netloc + parts.path if parts.scheme == "file" else "/".join(
        p for p in (parts.netloc, parts.path[bool(parts.netloc):]) if p)
    if path in ("", ":memory:") or path.startswith(("md:", "motherduck:")):
        return
    if not Path(path).exists():
        raise DataError(f"{redact(url)}: no such database file ({Path(path).absolute()}); cxscale reads data and "
                        "never creates a database")
