"""docs/portfolio.md's command-line walk-through runs as documented: each command exits as its comment says, on a
copy of docs/examples/portfolio and a simulated world; reads never create the store."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

from tests.test_cli_contract import _run_main

DOCS = Path(__file__).resolve().parents[2] / "docs"
#: The walk-through's first command: the world of the conftest's world_50k.
SIMULATE = ["cxscale", "simulate", "--customers", "50000", "--seed", "42", "--out", "world"]


def _commands() -> list[str]:
    block = re.search(r"## The command line.*?```bash\n(.*?)```", (DOCS / "portfolio.md").read_text(), re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.startswith("cxscale ")]


def test_the_documented_walk_through_runs(tmp_path, monkeypatch, world_50k):
    shutil.copytree(DOCS / "examples" / "portfolio", tmp_path / "portfolio")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CXSCALE_STORE", raising=False)
    monkeypatch.delenv("CXSCALE_TOKEN", raising=False)
    outputs = {}
    assert _commands()[0].split() == SIMULATE
    for line in _commands():
        command, _, comment = line.partition("#")
        command, _, into = command.partition(">")
        if command.split() == SIMULATE:  # the session's world is this one: copy it rather than simulate it again
            shutil.copytree(world_50k, tmp_path / "world")
            continue
        code, out, err = _run_main(monkeypatch, *shlex.split(command)[1:])
        expected = 1 if "exit 1" in comment else 0
        assert code == expected, f"{line}\n{out}\n{err}"
        if into.strip():
            Path(into.strip()).write_text(out)
        outputs[command.strip()] = out + err
    listed = json.loads(outputs["cxscale portfolio --json"])["initiatives"]
    assert [(i["id"], i["stage"], i["readout"]["recommendation"]) for i in listed] == [
        ("proactive-alerts", "proof", "ship")]
    assert [c["name"] for c in listed[0]["missing"]] == ["proof point"]
    lines = [json.loads(x) for x in outputs["cxscale log show --jsonl"].splitlines()]
    moves = [(e["actor"], e["action"], e["from_stage"], e["to_stage"]) for e in lines if e["to_stage"]]
    assert moves == [("ana.souza", "advance", "idea", "pilot"), ("bruno.lima", "advance", "pilot", "proof")]
    assert "verify" in outputs["cxscale log verify"]


def test_a_refusal_is_one_line_naming_the_permission(tmp_path, monkeypatch):
    shutil.copytree(DOCS / "examples" / "portfolio", tmp_path / "portfolio")
    monkeypatch.chdir(tmp_path)
    assert _run_main(monkeypatch, "portfolio", "sync", "portfolio")[0] == 0
    assert _run_main(monkeypatch, "person", "token", "adam.admin", "--out", "adam.token")[0] == 0
    code, _, err = _run_main(monkeypatch, "person", "token", "carla.mendes", "--out", "carla.token")
    assert code == 1 and "no credential" in err  # the bootstrap is over: an admin makes tokens now
    assert _run_main(monkeypatch, "person", "token", "carla.mendes", "--out", "carla.token", "--token-file",
                     "adam.token")[0] == 0
    code, out, err = _run_main(monkeypatch, "stop", "proactive-alerts", "--reason", "r", "--token-file", "carla.token")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["error: carla.mendes may not stop proactive-alerts: only the initiative's "
                                        "executive sponsor or a council member may (carla.mendes has no role, owns "
                                        "commercial)"]


def test_reads_never_create_the_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run_main(monkeypatch, "portfolio", "--json")[:2] == (0, '{\n  "initiatives": []\n}\n')
    assert _run_main(monkeypatch, "person", "list", "--json")[0] == 0
    assert _run_main(monkeypatch, "gate", "check", "x")[0] == 1
    assert not (tmp_path / "portfolio.db").exists()


def test_retire_is_refused_in_one_line_before_scale_and_sync_reports_a_missing_file(tmp_path, monkeypatch):
    shutil.copytree(DOCS / "examples" / "portfolio", tmp_path / "portfolio")
    monkeypatch.chdir(tmp_path)
    assert _run_main(monkeypatch, "portfolio", "sync", "portfolio")[0] == 0
    assert _run_main(monkeypatch, "person", "token", "daniel.rocha", "--out", "daniel.token")[0] == 0
    code, out, err = _run_main(monkeypatch, "retire", "proactive-alerts", "--reason", "replaced", "--token-file",
                               "daniel.token")
    assert (code, out) == (1, "") and err.strip().splitlines() == [
        "error: proactive-alerts: idea -> retired is refused: at scale: at idea, not at scale: only a scaled "
        "capability is retired (stop it instead)"]
    for f in (tmp_path / "portfolio").glob("*.usecase.yaml"):
        f.unlink()
    code, out, _ = _run_main(monkeypatch, "portfolio", "sync", "portfolio")  # still bootstrapping: no admin token
    assert code == 0, out
    assert "missing use case proactive-alerts: in the store (version 1) but in no file of the folder; " \
        "it is at idea: restore its file" in " ".join(out.split())
    doc = json.loads(_run_main(monkeypatch, "portfolio", "sync", "portfolio", "--json")[1])
    assert (doc["missing"], doc["refused"]) == (1, 0)
    assert json.loads(_run_main(monkeypatch, "portfolio", "--json")[1])["initiatives"][0]["id"] == "proactive-alerts"
