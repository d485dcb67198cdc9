"""The portfolio store: SQLAlchemy 2 over a SQLite file (the default) or PostgreSQL (for teams, by URL).

The schema is made by the Alembic migrations shipped in cxscale/portfolio/migrations/, run programmatically (no
alembic.ini): a store is brought up to the newest revision the first time a session is opened on it. The common case,
a store already at HEAD, is one plain read of its alembic_version table: Alembic (with mako, about 80 ms of imports)
loads only when a migration is to run, so the portfolio commands start faster (issue 25). A SQLite file is created by
the first write only, so reading a store that was never written (`cxscale log verify` on a fresh workspace) leaves
nothing behind.

The tables (docs/portfolio.md#the-store): the decision log (`decision_log`, docs/portfolio-log.md, the one truth of
every initiative's stage), the people and their API tokens (hashed), every version of every use case, the readouts
attached to initiatives, the sign-offs, the overrides waiting for their sponsor and the gate decisions. Documents are
kept as their validated JSON beside indexed columns, with their SHA-256 digest; nothing is overwritten but a
person's record and a proposal's status.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Engine, ForeignKey, Integer, String, Text, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from cxscale.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration's revision: a store at it needs no migration (tests/portfolio/test_store.py checks it against
#: Alembic's script directory, so a new migration cannot be forgotten here).
HEAD = "0004"
#: The PostgreSQL advisory lock that appends to the decision log take (any constant, the same in every process).
LOG_LOCK = 0x6378_6C6F_67


class Base(DeclarativeBase):
    """The store's tables (the migrations make them; the models read and write them)."""


class DecisionLogEntry(Base):
    """One row of the decision log. `seq` is the primary key, so two appends cannot both take a number.

    `at` is the UTC time as the ISO 8601 text that was hashed (`2026-12-01T23:15:21.123456Z`), so it reads back
    byte for byte on every database whatever the server's time zone.
    """

    __tablename__ = "decision_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PersonRow(Base):
    """Someone who may act on the portfolio (records.Person): functions and roles as JSON lists of names."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    functions: Mapped[list[str]] = mapped_column(JSON)
    roles: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)
    #: The operating-system user that is this person on a single-user SQLite store.
    os_user: Mapped[str | None] = mapped_column(String(200), unique=True)
    #: For the dashboard's sign-in (argon2), not set by the command line.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[str] = mapped_column(String(32))


class TokenRow(Base):
    """A personal API token: `id` is the lookup part shown in the token, `hash` the argon2 hash of the whole token."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32))


class UseCaseVersion(Base):
    """One version of a use case as synced: the validated document (its pilot spec embedded), its digest, the file
    it came from. Every version is kept; the newest is the initiative's use case."""

    __tablename__ = "use_case_versions"

    initiative_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    synced_at: Mapped[str] = mapped_column(String(32))


class ReadoutRow(Base):
    """A readout (`cxscale measure --json`) attached to an initiative."""

    __tablename__ = "readouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[str] = mapped_column(String(200), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(32))
    attached_by: Mapped[str] = mapped_column(String(200))


class SignOffRow(Base):
    """One owner's sign-off for their function on the evidence with these digests; `log_seq` its log entry."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[str] = mapped_column(String(200), index=True)
    person_id: Mapped[str] = mapped_column(String(200))
    function: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(32))
    log_seq: Mapped[int] = mapped_column(Integer)


class ProposalRow(Base):
    """An advance against the recommendation (an override) waiting for the executive sponsor's approval.
    `status`: pending, approved or superseded (by a newer proposal of the same initiative)."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[str] = mapped_column(String(200), index=True)
    from_stage: Mapped[str] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    proposer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))
    log_seq: Mapped[int] = mapped_column(Integer)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[str | None] = mapped_column(String(32))


class GateDecisionRow(Base):
    """The gate-decision document (documents.GateDecision) of a log entry: its digest is in the entry's evidence."""

    __tablename__ = "gate_decisions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    initiative_id: Mapped[str] = mapped_column(String(200), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))


def database_url(target: str | Path) -> URL:
    """A SQLAlchemy URL from a path (a SQLite file) or a database URL; postgres:// and postgresql:// use psycopg 3."""
    if isinstance(target, Path) or "://" not in target:
        return URL.create("sqlite", database=str(Path(target)))
    try:
        url = make_url(target.replace("postgres://", "postgresql://", 1) if target.startswith("postgres://")
                       else target)
    except ArgumentError as exc:
        raise StoreError(f"store URL {target!r} is not a database URL: {exc}; give a SQLite file path or "
                         "postgresql://user@host/database") from exc
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"store URL {url.render_as_string(hide_password=True)!r}: the store runs on SQLite or "
                         "PostgreSQL only")
    return url


class Store:
    """A portfolio store: the database URL, its engine (made on first use) and sessions on it."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._migrated = False
        self._migrating = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            # SQLite waits up to 30 s for another writer's lock instead of failing at once.
            connect_args = {"timeout": 30} if self.url.get_backend_name() == "sqlite" else {}
            try:
                self._engine = create_engine(self.url, connect_args=connect_args)
            except ModuleNotFoundError as exc:
                raise StoreError(f"a PostgreSQL store needs psycopg ({exc}): pip install 'cxscale[postgres]'") from exc
            if self.url.get_backend_name() == "sqlite":
                _sqlite_transactions(self._engine)
        return self._engine

    def exists(self) -> bool:
        """False for a SQLite file not written yet (reading it finds nothing); a server database always exists."""
        if self.url.get_backend_name() != "sqlite" or self.url.database in (None, "", ":memory:"):
            return True
        return Path(self.url.database).exists()

    def session(self) -> Session:
        """A session on the store, brought up to the newest migration first (this creates a SQLite file). Threads
        sharing the store (the dashboard's requests) migrate once: the others wait for it."""
        if not self._migrated:
            with self._migrating:
                if not self._migrated:
                    if self.url.get_backend_name() == "sqlite" and self.url.database:
                        Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
                    try:
                        if stored_revision(self) != HEAD:
                            upgrade(self)
                    except OperationalError as exc:
                        raise StoreError("cannot open the portfolio store "
                                         f"{self.url.render_as_string(hide_password=True)}: "
                                         f"{str(exc.orig).strip()}") from exc
                    self._migrated = True
        return Session(self.engine)

    def write_session(self) -> Session:
        """A session for a write transaction: on SQLite it begins IMMEDIATE, taking the database's one write lock
        before its first read, so that what it reads (the stage, the log's head) cannot change before it commits."""
        self.session().close()
        return Session(self.engine.execution_options(cxscale_write=True))

    def lock_log(self, session: Session) -> None:
        """Make the other writers of the decision log wait for this transaction to end before reading its head.

        On PostgreSQL a transaction-scoped advisory lock; on SQLite nothing (one writer at a time already, and a
        writer that read a stale head loses on the primary key and retries).
        """
        if self.url.get_backend_name() == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK})

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions (SQLAlchemy's documented recipe), so that a write
    session can BEGIN IMMEDIATE; a read begins a plain (deferred) transaction."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("cxscale_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_store(target: str | Path) -> Store:
    """The store at a SQLite file path (or sqlite:/// URL) or a PostgreSQL URL. Nothing is created until a write."""
    return Store(database_url(target))


def stored_revision(store: Store) -> str | None:
    """The store's migration revision, read from Alembic's alembic_version table with plain SQL (without importing
    Alembic); None for a store without that table (a new one)."""
    if store.url.get_backend_name() == "sqlite":
        exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    else:  # PostgreSQL: found as Alembic's unqualified name is, through the search path
        exists = "SELECT to_regclass('alembic_version') IS NOT NULL"
    with store.engine.connect() as connection:
        if not connection.execute(text(exists)).scalar():
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions[0] if len(versions) == 1 else None


def _alembic(store: Store, connection: Any) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    """Run the migrations up to `revision` (the newest by default)."""
    from alembic import command

    with store.engine.begin() as connection:
        command.upgrade(_alembic(store, connection), revision)


def downgrade(store: Store, revision: str = "base") -> None:
    """Run the migrations down to `revision` (`base` drops every table of the store)."""
    from alembic import command

    with store.engine.begin() as connection:
        command.downgrade(_alembic(store, connection), revision)
    store._migrated = False
