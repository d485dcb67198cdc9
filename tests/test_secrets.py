"""A database URL's password is never printed (errors, notes, the readout's `data`, the diagnosis's `source`,
`--json`), and a read-only command never creates a database file (cxscale.engine.redact, connect)."""

from __future__ import annotations

import json
import socket

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxscale.engine import redact
from tests.test_cli_contract import _run_main

SECRET = "s3cr%2Ft"  # percent-encoded, as a URL holds a password with a slash in it


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens there


def _fails_in_one_line_without_the_secret(monkeypatch, *args: str) -> str:
    code, out, err = _run_main(monkeypatch, *args)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 1 and out.strip() == "" and "Traceback" not in err, f"exit {code}\n{out}\n{err}"
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert SECRET not in err and "s3cr/t" not in err, err
    return lines[0]


@pytest.mark.parametrize("where", ["user:password", "query"])
def test_a_refused_connection_is_one_line_without_the_password(where, monkeypatch):
    port = _closed_port()
    url = (f"postgres://bob:{SECRET}@127.0.0.1:{port}/db/world" if where == "user:password"
           else f"postgres://bob@127.0.0.1:{port}/db?password={SECRET}")
    for args in (["validate", url], ["validate", url, "--json"], ["diagnose", "--data", url],
                 ["diagnose", "--data", "x", "--engine", url], ["plan", "--data", url, "--metric", "aht",
                                                                "--target", "-0.05"]):
        line = _fails_in_one_line_without_the_secret(monkeypatch, *args)
        assert f"127.0.0.1:{port}" in line and "***" in line, line


@pytest.fixture(scope="module")
def warehouse(postgres, tmp_path_factory):  # noqa: F811 - the fixture imported above
    """A small simulated world in the schema `world`, and its folder (for the pilot spec)."""
    from cxscale.simulate import simulate

    world = tmp_path_factory.mktemp("secrets") / "world"
    simulate("support", 400, 5, world)
    con = ibis.connect(postgres.url())
    con.create_database("world", force=True)
    for name in ("interactions", "outcomes", "assignments", "customers"):
        parts = sorted((world / name).glob("*.parquet")) or [world / f"{name}.parquet"]
        con.create_table(name, pa.concat_tables(pq.read_table(p) for p in parts), database="world", overwrite=True)
    con.disconnect()
    # The server trusts local connections, so it accepts any password: the URL below connects.
    return postgres.url("world").replace("cxscale@", f"cxscale:{SECRET}@"), world


def _documents_without_the_secret(monkeypatch, *args: str) -> dict:
    code, out, err = _run_main(monkeypatch, *args)
    assert code == 0, err
    assert SECRET not in out + err and "s3cr/t" not in out + err
    return json.loads(out)


def test_validate_diagnose_and_measure_show_the_source_without_the_password(warehouse, monkeypatch):
    url, world = warehouse
    shown = url.replace(SECRET, "***")
    assert _documents_without_the_secret(monkeypatch, "validate", url, "--json")["source"] == shown
    diagnosis = _documents_without_the_secret(monkeypatch, "diagnose", "--data", url, "--json")
    assert diagnosis["source"] == shown
    readout = _documents_without_the_secret(monkeypatch, "measure", str(world / "pilots" / "proactive_alerts.yaml"),
                                            "--data", url, "--json")
    assert readout["data"] == shown


def test_a_database_that_does_not_exist_is_one_line_without_the_password(warehouse, monkeypatch):
    url, _ = warehouse
    line = _fails_in_one_line_without_the_secret(monkeypatch, "validate", url.replace("/cxscale/world", "/nope"))
    assert "nope" in line


@pytest.mark.parametrize("how", ["path", "--engine"])
@pytest.mark.parametrize("url", ["duckdb:///{tmp}/nope.duckdb", "duckdb:///{tmp}/nope.ddb",
                                 "sqlite:///{tmp}/nope.sqlite"])
def test_a_read_only_command_never_creates_a_database_file(url, how, tmp_path, monkeypatch):
    url = url.format(tmp=tmp_path)
    commands = ([["validate", url], ["diagnose", "--data", url], ["plan", "--data", url, "--metric", "aht",
                                                                  "--target", "-0.05"]] if how == "path" else
                [["validate", str(tmp_path), "--engine", url], ["diagnose", "--data", str(tmp_path), "--engine", url],
                 ["plan", "--data", str(tmp_path), "--engine", url, "--metric", "aht", "--target", "-0.05"]])
    for args in commands:
        line = _fails_in_one_line_without_the_secret(monkeypatch, *args)
        assert "no such database file" in line, line
    assert list(tmp_path.iterdir()) == [], f"left behind: {list(tmp_path.iterdir())}"


def test_an_existing_duckdb_file_is_still_read_by_url(tmp_path, monkeypatch):
    import duckdb

    db = tmp_path / "cx.duckdb"
    duckdb.connect(str(db)).close()
    code, _, err = _run_main(monkeypatch, "validate", f"duckdb:///{db}")
    assert "no such database file" not in err and "Traceback" not in err


@pytest.mark.parametrize(("text", "shown"), [
    ("postgres://bob:pw@host:5432/db/schema", "postgres://bob:***@host:5432/db/schema"),
    ("postgresql://bob:p%40ss@host/db", "postgresql://bob:***@host/db"),
    ("postgres://:pw@host/db", "postgres://:***@host/db"),
    ("mysql://bob@host/db?password=pw&ssl=1", "mysql://bob@host/db?password=***&ssl=1"),
    ("could not connect: host=h user=bob password=pw dbname=x", "could not connect: host=h user=bob password=*** "
                                                                 "dbname=x"),
    ("cannot read postgres://bob:pw@h/db and mysql://amy:pw2@h2/db",
     "cannot read postgres://bob:***@h/db and mysql://amy:***@h2/db"),
    ("postgres://bob@host:5432/db", "postgres://bob@host:5432/db"),
    ("/data/world/interactions.csv: 3 rows", "/data/world/interactions.csv: 3 rows"),
], ids=["user and password", "encoded", "no user", "query", "libpq", "two urls", "no password", "a path"])
def test_redact_hides_every_password_form_and_nothing_else(text, shown):
    assert redact(text) == shown


def test_redact_also_hides_a_given_secret():
    assert redact("auth failed for 'hunter2'", "hunter2") == "auth failed for '***'"

