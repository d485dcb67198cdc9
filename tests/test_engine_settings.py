"""The engine's memory can be bounded, so big data fits a small machine: from the environment through the CLI's
settings (cxscale.settings, read once by a command), or by argument to connect()."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.engine import connect
from cxscale.errors import CxscaleError
from cxscale.settings import Settings


def _duckdb_setting(con, name: str) -> str:
    return str(con.con.execute(f"select current_setting('{name}')").fetchone()[0])


def _limit_is_one_gigabyte(limit: str) -> bool:
    return limit.replace(" ", "") in ("953.6MiB", "1.0GiB", "1GB")


def test_memory_limit_and_temp_dir_given_by_argument_reach_the_connection(tmp_path):
    con = connect("duckdb", settings=Settings(memory_limit="1GB", temp_dir=tmp_path / "spill", threads=1))
    assert _limit_is_one_gigabyte(_duckdb_setting(con, "memory_limit"))
    assert _duckdb_setting(con, "temp_directory") == str(tmp_path / "spill")
    assert _duckdb_setting(con, "threads") == "1"


def test_settings_come_from_cxscale_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("CXSCALE_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("CXSCALE_TEMP_DIR", str(tmp_path / "spill"))
    monkeypatch.setenv("CXSCALE_SPARK_PARTITIONS", "8")
    settings = Settings()
    assert (settings.memory_limit, settings.temp_dir, settings.spark_partitions) == ("1GB", tmp_path / "spill", 8)
    con = connect("duckdb", settings=settings)
    assert _limit_is_one_gigabyte(_duckdb_setting(con, "memory_limit"))
    assert _duckdb_setting(con, "temp_directory") == str(tmp_path / "spill")


def test_a_library_call_without_settings_reads_no_environment(monkeypatch):
    monkeypatch.setenv("CXSCALE_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("CXSCALE_ENGINE", "spark")
    assert (Settings.defaults().engine, Settings.defaults().memory_limit) == ("duckdb", None)
    con = connect()  # DuckDB with its own memory default, not Spark
    assert con.name == "duckdb" and not _limit_is_one_gigabyte(_duckdb_setting(con, "memory_limit"))


def test_the_environment_reaches_the_engine_of_a_command(monkeypatch, tmp_path):
    """The CLI reads the settings once per command and passes them to connect(): CXSCALE_ENGINE chooses the engine
    of `cxscale validate` (here one it does not know, which names itself in the error)."""
    from tests.data.conftest import write_good_folder

    monkeypatch.setenv("CXSCALE_ENGINE", "nosuchengine")
    result = CliRunner().invoke(app, ["validate", str(write_good_folder(tmp_path))])
    assert result.exit_code == 1 and "unknown engine 'nosuchengine'" in str(result.exception)
    monkeypatch.setenv("CXSCALE_ENGINE", "duckdb")
    assert CliRunner().invoke(app, ["validate", str(tmp_path)]).exit_code == 0


def test_a_setting_that_does_not_parse_is_one_line_naming_the_variable(monkeypatch, tmp_path: Path):
    from cxscale.cli._app import read_settings

    monkeypatch.setenv("CXSCALE_THREADS", "many")
    with pytest.raises(CxscaleError, match="CXSCALE_THREADS='many': Input should be a valid integer"):
        read_settings()


def test_a_duckdb_connection_draws_no_progress_bar_into_a_commands_output(tmp_path):
    """DuckDB draws a progress bar on stdout for a query longer than two seconds, even into a file: at 10M
    interactions `cxscale measure --json > readout.json` wrote it before the document. cxscale's connections, in
    memory or on a file, have it off."""
    for con in (connect("duckdb"), connect("duckdb", workspace=tmp_path / "w.duckdb")):
        assert _duckdb_setting(con, "enable_progress_bar") == "False"


@pytest.mark.parametrize(("variable", "value", "rule"), [
    ("CXSCALE_MEMORY_LIMIT", "lots", "a size such as 6GB, 512MB, 5.5GiB or 80%"),
    ("CXSCALE_MEMORY_LIMIT", "6", "a size such as 6GB"),  # DuckDB: "Unknown unit for memory", at the first query
    ("CXSCALE_MEMORY_LIMIT", "5MB", "at least 10MB"),
    ("CXSCALE_MEMORY_LIMIT", "150%", "a share of the machine's memory is 1% to 100%"),
    ("CXSCALE_SPARK_MEMORY", "lots", "a size such as 4g, 512m or 2gb"),
])
def test_a_memory_size_the_engine_cannot_read_is_one_line_before_any_query(monkeypatch, tmp_path, variable, value,
                                                                         rule):
    from tests.data.conftest import write_good_folder

    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(app, ["validate", str(write_good_folder(tmp_path))])
    assert result.exit_code == 1
    assert f"{variable}={value!r}: {rule}" in str(result.exception) and "\n" not in str(result.exception)


@pytest.mark.parametrize("value", ["6GB", "6 GB", "5.5GiB", "512MB", "80%", "6G"])
def test_the_sizes_duckdb_reads_are_taken_as_written(value):
    con = connect("duckdb", settings=Settings(memory_limit=value))
    assert _duckdb_setting(con, "memory_limit").endswith(("GiB", "MiB"))


@pytest.mark.parametrize(("master", "said"), [
    ("spark://127.0.0.1:{closed}", "no Spark master answers at 127.0.0.1:{closed} (Connection refused)"),
    ("spark://127.0.0.1", "a Spark master is spark://HOST:PORT"),
    ("spark://127.0.0.1:{closed},127.0.0.1:{closed}", "no Spark master answers at 127.0.0.1:{closed} "),
])
def test_a_spark_master_that_does_not_answer_is_one_line_without_starting_spark(tmp_path, master, said):
    """Spark retries an unreachable master for a minute, then fails through Java's stack trace; cxscale tries the
    port first (no JVM is started) and says which address did not answer."""
    import socket

    from tests.data.conftest import write_good_folder

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    master, said = master.format(closed=closed), said.format(closed=closed)
    result = CliRunner().invoke(app, ["validate", str(write_good_folder(tmp_path)), "--engine", master])
    assert result.exit_code == 1 and said in str(result.exception), result.output
