"""The `cxscale` program ends without the interpreter's teardown (cxscale.cli.run): what the teardown did that a
user relies on still happens. The whole document reaches a file, exit codes keep their meaning, DuckDB's spill files
are removed and exit handlers run; with a server connection open (or a Spark session) the process ends the usual
way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).parent / "cxscale"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "NO_COLOR": "1", **extra}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxscale.simulate import simulate

    out = tmp_path_factory.mktemp("exit") / "world"
    simulate("support", 1500, 3, out)
    return out


def test_the_program_writes_the_whole_readout_to_a_file_and_exits_0(world, tmp_path):
    assert EXE.exists(), f"{EXE}: the package's console script is not installed (pip install -e .)"
    doc = tmp_path / "readout.json"
    with doc.open("w") as out:
        proc = subprocess.run([str(EXE), "measure", str(world / "pilots" / "proactive_alerts.yaml"), "--json"],
                              stdout=out, stderr=subprocess.PIPE, text=True, timeout=300,
                              env=_env(CXSCALE_VALIDATION_CACHE="false"))
    assert proc.returncode == 0, proc.stderr
    readout = json.loads(doc.read_text())
    assert readout["pilot"] == "proactive_alerts" and readout["metrics"], readout.keys()


def test_the_program_keeps_exit_code_2_for_a_usage_mistake():
    proc = subprocess.run([str(EXE), "measure", "--no-such-option"], capture_output=True, text=True, timeout=120,
                          env=_env())
    assert proc.returncode == 2, proc.stderr
    assert "No such option" in proc.stderr and "Traceback" not in proc.stderr


_SPILL = """
import os, sys
from pathlib import Path
from cxscale.engine.connection import close_for_exit, connect
from cxscale.settings import Settings

spill = Path(sys.argv[1])
con = connect("duckdb", settings=Settings(memory_limit="60MB", temp_dir=spill, threads=1))
con.raw_sql("CREATE TEMP TABLE x AS SELECT md5(range::VARCHAR) AS s FROM range(3000000) ORDER BY s").fetchall()
print(sum(1 for f in spill.rglob("*") if f.is_file()), flush=True)
if sys.argv[2] == "close":
    assert close_for_exit()
os._exit(0)
"""


@pytest.mark.parametrize("close", [True, False], ids=["closed", "left open"])
def test_closing_for_exit_removes_duckdbs_spill_files(tmp_path, close):
    spill = tmp_path / "spill"
    proc = subprocess.run([sys.executable, "-c", _SPILL, str(spill), "close" if close else "open"],
                          capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 0, "the sort did not spill: the test shows nothing"
    left = [f for f in spill.rglob("*") if f.is_file()] if spill.exists() else []
    # Left open, the process ends as os._exit leaves it: the files stay (what run() must not let happen).
    assert bool(left) is not close, left


def test_the_program_runs_exit_handlers_and_flushes_what_was_printed(tmp_path):
    mark = tmp_path / "handler-ran"
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: open({str(mark)!r}, 'w').write('yes'))\n"
            "sys.argv = ['cxscale', '--version']\n"
            "print('unflushed', end='')\n"
            "from cxscale.cli import run\n"
            "run()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("unflushed") and "cxscale " in proc.stdout
    assert mark.read_text() == "yes"


def test_a_process_with_a_server_connection_open_is_not_closed_for_exit(postgres):
    from cxscale.engine.connection import close_for_exit, connect

    duck, server = connect("duckdb"), connect(postgres.url())
    assert close_for_exit() is False  # the process then ends the usual way, which closes both
    assert duck.raw_sql("SELECT 1").fetchall() == [(1,)]  # nothing was closed
    assert server.sql("SELECT 1 AS one").to_pyarrow().to_pylist() == [{"one": 1}]
    duck.disconnect()
    server.disconnect()
