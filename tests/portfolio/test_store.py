"""The portfolio store: SQLite by path or URL, PostgreSQL by URL through psycopg 3, created by the first write only;
the shipped migrations go up to head, down to base and up again on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from cxscale.errors import StoreError
from cxscale.portfolio import append, entries, open_store
from cxscale.portfolio.store import downgrade, upgrade

#: The tables at head (SQLite's FTS5 index of the proof points keeps shadow tables of its own, left out).


def _tables(store) -> set[str]:
    return {t for t in inspect(store.engine).get_table_names() if not t.startswith("proof_points_fts")} - \
        {"alembic_version"}


TABLES = {"decision_log", "people", "api_tokens", "use_case_versions", "readouts", "signoffs", "proposals",
          "gate_decisions", "scorecard_evaluations", "proof_points", "learnings", "learning_links"}


def test_the_migrations_go_up_to_head_down_to_base_and_up_again(store):
    upgrade(store, "0001")
    assert _tables(store) == {"decision_log"}
    upgrade(store)
    assert _tables(store) == TABLES
    columns = {c["name"] for c in inspect(store.engine).get_columns("decision_log")}
    assert columns == {"seq", "at", "actor", "action", "subject", "from_stage", "to_stage", "reason", "evidence",
                       "previous", "hash"}
    downgrade(store)
    assert _tables(store) == set()
    upgrade(store)
    assert _tables(store) == TABLES
    downgrade(store, "0001")
    assert _tables(store) == {"decision_log"}
    upgrade(store)
    append(store, actor="ana", action="stop", subject="no-shows", reason="after the round trip")
    assert [e.reason for e in entries(store)] == ["after the round trip"]


def test_a_sqlite_store_is_created_by_its_first_write_in_a_new_folder(tmp_path):
    path = tmp_path / "workspace" / "portfolio.db"
    store = open_store(path)
    assert not store.exists() and entries(store) == []
    assert not path.exists()
    append(store, actor="ana", action="stop", subject="no-shows", reason="first write")
    assert path.exists() and store.exists()
    assert open_store(f"sqlite:///{path}").exists()


def test_postgres_urls_use_psycopg_3():
    assert open_store("postgres://me@localhost/db").url.drivername == "postgresql+psycopg"
    assert open_store("postgresql://me@localhost/db").url.drivername == "postgresql+psycopg"
    assert "secret" not in repr(open_store("postgresql://me:secret@localhost/db"))


def test_other_databases_are_refused_with_what_to_give():
    with pytest.raises(StoreError, match="SQLite or PostgreSQL only"):
        open_store("mysql://me@localhost/db")


def test_an_unreachable_server_is_one_store_error(tmp_path):
    import socket

    pytest.importorskip("psycopg")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = open_store(f"postgresql://me:secret@127.0.0.1:{port}/db")
    with pytest.raises(StoreError, match="cannot open the portfolio store") as caught:
        append(store, actor="ana", action="stop", subject="no-shows", reason="r")
    assert "secret" not in str(caught.value)


def test_head_is_the_newest_migration():
    """store.HEAD, the revision a store needs no migration at, is the head of the shipped migrations."""
    from alembic.script import ScriptDirectory

    from cxscale.portfolio.store import HEAD, _alembic

    assert ScriptDirectory.from_config(_alembic(None, None)).get_heads() == [HEAD]  # type: ignore[arg-type]


def _open_in_a_new_process(url: str) -> list[str]:
    """Read the store's log in a fresh process: the Alembic and mako modules it loaded, and the store's revision."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import json, sys\nfrom cxscale.portfolio import entries, open_store\n"
            "from cxscale.portfolio.store import stored_revision\n"
            f"store = open_store({url!r}); entries(store)\n"
            "print(json.dumps([stored_revision(store), sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('alembic', 'mako'))]))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])))
    revision, modules = json.loads(run.stdout)
    return [revision, *modules]


def test_a_store_at_head_opens_without_alembic_and_an_older_one_is_upgraded(store, store_url):
    from cxscale.portfolio.store import HEAD, stored_revision

    assert stored_revision(store) is None  # a new store: no alembic_version yet
    append(store, actor="ana", action="stop", subject="no-shows", reason="r")
    assert stored_revision(store) == HEAD
    assert _open_in_a_new_process(store_url) == [HEAD]  # one plain read of the revision, no Alembic
    downgrade(store, "0003")
    assert stored_revision(store) == "0003"
    revision, *modules = _open_in_a_new_process(store_url)
    assert revision == HEAD and "alembic" in modules  # upgraded by Alembic on its first session
    assert [e.reason for e in entries(store)] == ["r"]
