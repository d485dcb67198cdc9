"""A throwaway PostgreSQL server for tests: initdb into a temporary folder, listen on 127.0.0.1, trust auth.

Real server, no mocks. The binaries come from Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin) or
PATH. When they (or psycopg) are missing the tests skip with the reason, except in CI (CI=true) or with
CXSCALE_REQUIRE_SHARED_DATA=1, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The database the fixture creates and the user that owns it.
DATABASE = "cxscale"
USER = "cxscale"


def required() -> bool:
    """True where a missing server must fail the run instead of skipping (CI, or shared data required)."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("CXSCALE_REQUIRE_SHARED_DATA") == "1"


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI."""
    if required():
        pytest.fail(f"{reason} (required because CI=true or CXSCALE_REQUIRE_SHARED_DATA=1; install the Debian "
                    "package postgresql and the extra ibis-framework[postgres])")
    pytest.skip(reason)


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: $CXSCALE_PG_BIN when set, else the newest
    /usr/lib/postgresql/<version>/bin (Debian's layout), else PATH."""
    chosen = os.environ.get("CXSCALE_PG_BIN")
    if chosen:
        return Path(chosen) if (Path(chosen) / "initdb").exists() and (Path(chosen) / "pg_ctl").exists() else None
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One PostgreSQL cluster in a temporary folder. As root it runs as the `postgres` system user."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="cxscale-pg-"))
        self.data = self.root / "data"
        self.port = 0
        #: Seconds from initdb to a database accepting connections (reported by the tests, not asserted tightly).
        self.startup_seconds = 0.0
        self.owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                unavailable("running as root and there is no `postgres` user to run the server as")
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.owner is not None:
            cmd = ["runuser", "-u", self.owner.pw_name, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root)

    def start(self) -> str:
        """initdb, start on a free port, create the database; returns its URL."""
        t0 = time.perf_counter()
        init = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8",
                         "--locale=C", "--no-sync", "--no-instructions")
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        for _ in range(3):  # another process may take the free port between our check and the server's bind
            self.port = _free_port()
            # A server time zone other than UTC on purpose: results must not depend on it.
            opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c timezone=America/Sao_Paulo")
            started = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                                "-o", opts, "-w", "-t", "60", "start", timeout=90)
            if started.returncode == 0:
                break
        else:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()} {log[-2000:]}")
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self.startup_seconds = time.perf_counter() - t0
        return self.url()

    def url(self, schema: str | None = None) -> str:
        """postgres://cxscale@127.0.0.1:PORT/cxscale[/schema]"""
        return f"postgres://{USER}@127.0.0.1:{self.port}/{DATABASE}" + (f"/{schema}" if schema else "")

    def stop(self) -> None:
        if self.data.exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """A running PostgreSQL server for the test session (stopped and deleted at teardown).

    `postgres.url()` is the database URL; `postgres.url("schema")` points Ibis at one schema.
    """
    bin_dir = find_bin()
    if bin_dir is None:
        where = os.environ.get("CXSCALE_PG_BIN") or "/usr/lib/postgresql/*/bin or PATH"
        unavailable(f"PostgreSQL server binaries (initdb, pg_ctl) not found in {where}: apt-get install postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed: pip install 'ibis-framework[postgres]==12.0.0'")
    server = Server(bin_dir)  # type: ignore[arg-type]
    try:
        server.start()
        yield server
    finally:
        server.stop()
