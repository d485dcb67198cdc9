"""The `cxscale` command's promises to its users, checked on every command at once.

- `cxscale --help` reads like a table of contents: every command, in pipeline order, with its one-line summary.
- every command has `--help` (exit 0) with an example, and every example shown in help is a valid command line.
- every command that produces results takes `--json` and prints one strict JSON document on stdout.
- a CxscaleError (bad input the user can fix) exits 1 with exactly one readable line on stderr, no traceback.
- a usage mistake (unknown option) exits 2.
- on an 80-column terminal (a pipe, a CI log) the tables for people cut no cell short: names fold, never end in "…".

Everything runs on one tiny simulated world (2,000 customers) so the file stays fast.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cxscale.cli import app, main

#: The commands as `cxscale --help` shows them (the commands in the order registered, then the groups), and the
#: sub-commands of the groups among them.
# Typer lists plain commands before groups: signoff, stop and retire come before usecase.
COMMANDS = ["simulate", "validate", "diagnose", "plan", "measure", "demo", "schema", "signoff", "stop", "retire",
            "audit", "scorecard", "review", "value", "serve", "usecase", "portfolio", "gate", "person", "log", "capability", "proof"]
SUBCOMMANDS = ["usecase lint", "portfolio sync", "portfolio list", "portfolio attach", "gate check", "gate advance",
               "gate approve", "person list", "person add", "person token", "person deactivate",
               "person password", "log verify",
               "log show", "log keygen", "log checkpoint", "capability list",
               "capability evaluate", "capability assign", "proof build", "proof claim-check", "proof verify", "proof add", "proof list",
               "proof learn", "proof index"]
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
runner = CliRunner()


def _commands(group=None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    """Every command and sub-command of the app, keyed by its path of names (("measure",), ...)."""
    group = group or get_command(app)
    found: dict[tuple[str, ...], object] = {}
    for name, cmd in getattr(group, "commands", {}).items():
        found[(*prefix, name)] = cmd
        found.update(_commands(cmd, (*prefix, name)))
    return found


ALL = _commands()


def _strict_json(text: str):
    """Parse one JSON document, refusing NaN/Infinity (not JSON: jq and browsers reject them)."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not valid JSON")

    return json.loads(text, parse_constant=refuse)


def _invoke(*args: str):
    return runner.invoke(app, list(args), env=ENV)


def _run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run the real entry-point function `cxscale.cli.main` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["cxscale", *args])
    with runner.isolation(env=ENV) as (out, err, _):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli_contract") / "world"
    res = runner.invoke(app, ["simulate", "--customers", "2000", "--out", str(out), "--json"], env=ENV)
    assert res.exit_code == 0, res.output
    summary = _strict_json(res.stdout)
    assert summary["customers"] == 2000 and summary["rows"]["interactions"] > 0
    return out


# ---- help: a table of contents, and an example on every page ------------------------------------------------------


def test_top_level_help_lists_every_command_in_pipeline_order_with_a_summary():
    res = _invoke("--help")
    assert res.exit_code == 0, res.output
    positions = []
    for name in COMMANDS:
        summary = ALL[(name,)].help.split("\n")[0][:40]  # type: ignore[attr-defined]
        line = next((ln for ln in res.stdout.splitlines() if re.search(rf"\b{name}\b", ln) and summary[:25] in ln),
                    None)
        assert line is not None, f"`cxscale --help` does not list {name!r} with its summary ({summary!r})"
        positions.append(res.stdout.index(line))
    assert positions == sorted(positions), "commands are not listed in pipeline order"


def test_the_app_has_exactly_the_documented_commands():
    assert sorted(" ".join(path) for path in ALL) == sorted(COMMANDS + SUBCOMMANDS)


@pytest.mark.parametrize("path", sorted(ALL), ids=" ".join)
def test_every_command_help_exits_0_and_shows_an_example(path):
    res = _invoke(*path, "--help")
    assert res.exit_code == 0, res.output
    assert "Example" in res.stdout, f"`cxscale {' '.join(path)} --help` shows no example"
    assert f"cxscale {' '.join(path)}" in res.stdout.replace("\n", " "), "the example does not show the command"


def _examples() -> list[tuple[str, str]]:
    """(command, example command line) for every `cxscale ...` line in the help text and epilog of every command."""
    found = []
    for path, cmd in ALL.items():
        text = f"{cmd.help or ''}\n{getattr(cmd, 'epilog', None) or ''}"  # type: ignore[attr-defined]
        text = re.sub(r"\[/?[a-z ]*\]", "", text)  # Rich markup
        for m in re.finditer(r"cxscale ([^\n`]+)", text):
            line = re.split(r" then |\.$|\. | \(", m.group(1))[0].strip()  # prose after the command line
            if line.split()[0] in COMMANDS:
                found.append((" ".join(path), line))
    return found


@pytest.mark.parametrize(("command", "example"), _examples(), ids=[e for _, e in _examples()])
def test_every_example_shown_in_help_is_a_valid_command_line(command, example):
    # Appending --help parses the whole line (unknown options and bad values fail) without running anything.
    res = _invoke(*example.split(), "--help")
    assert res.exit_code == 0, f"`cxscale {command} --help` shows `cxscale {example}`, which fails:\n{res.output}"


# ---- --json: one strict JSON document on stdout ----------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(p for p, cmd in ALL.items() if not hasattr(cmd, "commands")), ids=" ".join)
def test_every_command_that_produces_results_accepts_json(path):
    options = {opt for p in ALL[path].params for opt in p.opts}  # type: ignore[attr-defined]
    assert "--json" in options, f"`cxscale {' '.join(path)}` has no --json option"


def test_validate_json_is_one_document_with_a_report_per_table(world):
    res = _invoke("validate", str(world), "--json")
    assert res.exit_code == 0, res.output
    doc = _strict_json(res.stdout)
    assert doc["ok"] is True and doc["tables"]["interactions"]["rows_rejected"] == 0


def test_diagnose_json_is_one_document_with_ranked_hotspots(world):
    res = _invoke("diagnose", "--data", str(world), "--json", "--top", "3")
    assert res.exit_code == 0, res.output
    doc = _strict_json(res.stdout)
    assert doc["schema_version"] == 1 and 0 < len(doc["hotspots"]) <= 3
    assert [h["rank"] for h in doc["hotspots"]] == sorted(h["rank"] for h in doc["hotspots"])


def test_measure_json_is_one_readout_document_for_a_spec_in_the_world(world):
    res = _invoke("measure", str(world / "pilots" / "proactive_alerts.yaml"), "--json")
    assert res.exit_code == 0, res.output
    doc = _strict_json(res.stdout)
    assert doc["schema_version"] == 1 and doc["pilot"] == "proactive_alerts"
    assert doc["verdict"] in {"proven", "not proven yet", "harmful", "inconclusive", "blocked"}


def test_plan_json_is_one_plan_document(world):
    res = _invoke("plan", "--metric", "cost_to_serve", "--data", str(world), "--target", "-0.05", "--json")
    assert res.exit_code == 0, res.output
    plan = _strict_json(res.stdout)
    assert plan["metric"] == "cost_to_serve" and plan["n_per_arm"] > 0


def test_plan_says_a_mean_is_pooled_and_its_spread_per_unit(world):
    """A CSAT mean's baseline is per rated contact and its sd per customer by the delta method (larger than the 1-5
    scale allows a contact's score to spread): the line says so; a sum's baseline and sd are both per customer."""
    res = _invoke("plan", "--metric", "csat_mean", "--data", str(world), "--target", "0.05")
    assert res.exit_code == 0, res.output
    plan = _strict_json(_invoke("plan", "--metric", "csat_mean", "--data", str(world), "--target", "0.05",
                                "--json").stdout)
    assert res.stdout.splitlines()[0] == (f"csat_mean: baseline {plan['baseline']:,.4g} (pooled over the customers' "
                                          f"interactions), sd {plan['sd_per_unit']:,.4g} per customer (delta method)")
    res = _invoke("plan", "--metric", "cost_to_serve", "--data", str(world), "--target", "-0.05")
    assert re.match(r"cost_to_serve: baseline [\d.,]+ per customer, sd [\d.,]+$", res.stdout.splitlines()[0])


def test_the_old_spelling_measure_power_still_plans_with_a_one_line_notice(world, monkeypatch):
    """`cxscale measure power` was `cxscale plan` until it had its own command; it keeps working for one release."""
    args = ["--metric", "cost_to_serve", "--data", str(world), "--target", "-0.05", "--json"]
    code, out, err = _run_main(monkeypatch, "measure", "power", *args)
    assert code == 0, err
    assert err.strip().splitlines() == [
        "notice: `cxscale measure power` is deprecated and will be removed in the next release; use `cxscale plan`"]
    code, new_out, new_err = _run_main(monkeypatch, "plan", *args)
    assert code == 0 and new_err == ""
    old, new = _strict_json(out), _strict_json(new_out)
    assert list(old) == list(new) and old["n_per_arm"] == new["n_per_arm"]
    assert old["baseline"] == pytest.approx(new["baseline"], rel=1e-12)  # the engine sums in parallel


@pytest.mark.parametrize("args", [
    ("simulate", "--customers", "300", "--out", "{tmp}/small"),
    ("validate", "{world}"),
    ("diagnose", "--data", "{world}", "--top", "5", "--use-cases", "{tmp}/drafts"),
    ("measure", "{world}/pilots/ivr_greeting.yaml"),
    ("measure", "{world}/pilots/callback_rollout.yaml"),
    ("plan", "--metric", "contacts_per_customer", "--data", "{world}", "--target", "-0.05"),
    ("schema",),
], ids=["simulate", "validate", "diagnose-with-drafts", "measure-randomised", "measure-rollout", "plan",
        "schema"])
def test_tables_for_people_fit_80_columns_without_cutting_a_cell(world, tmp_path, args):
    res = runner.invoke(app, [a.format(world=world, tmp=tmp_path) for a in args],
                        env={**ENV, "COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert "\u2026" not in res.stdout, res.stdout
    table_lines = [line for line in res.stdout.splitlines() if line[:1] in " │┃┏┡└━─" and line.strip()]
    assert max(map(len, table_lines), default=0) <= 80


def test_demo_json_is_one_document_with_every_step(tmp_path):
    res = _invoke("demo", "--customers", "2000", "--out", str(tmp_path / "demo"), "--json")
    assert res.exit_code == 0, res.output
    doc = _strict_json(res.stdout)
    assert {"validation", "diagnosis", "readouts"} <= set(doc)


# ---- errors: one readable line and exit 1; usage mistakes exit 2 ----------------------------------------------------


def _bad_spec(world: Path, extra: str) -> Path:
    spec = world / "pilots" / "bad_field.yaml"  # inside the world, so the data is found and only the spec is wrong
    spec.write_text("spec_version: 1\npilot: proactive_alerts\nprimary:\n  metric: cost_to_serve\n"
                    "  target: {relative: -0.05}\n" + extra)
    return spec


def _outside_spec(world: Path) -> Path:
    spec = world.parent / "outside.yaml"  # a valid spec that is not in DIR/pilots/: it cannot find its data
    spec.write_text((world / "pilots" / "proactive_alerts.yaml").read_text())
    return spec


CXSCALE_ERRORS = {
    "validate a missing path": (lambda w: ["validate", str(w / "no_such_folder")], "no_such_folder"),
    "diagnose a missing path": (lambda w: ["diagnose", "--data", str(w / "no_such_folder")], "no_such_folder"),
    "measure a spec with a bad field": (lambda w: ["measure", str(_bad_spec(w, "colour: red\n"))], "colour"),
    "measure a spec with a bad field, --json": (lambda w: ["measure", str(_bad_spec(w, "colour: red\n")), "--json"],
                                                "colour"),
    "measure a spec whose expected_split misses an arm": (
        lambda w: ["measure", str(_bad_spec(w, "expected_split: {treatment: 0.5}\n"))], "expected_split"),
    "measure a spec with an unknown metric": (
        lambda w: ["measure", str(_bad_spec(w, "secondary:\n- metric: cost_to_sevre\n"))], "cost_to_sevre"),
    "measure a missing spec": (lambda w: ["measure", str(w / "pilots" / "nope.yaml")], "nope.yaml"),
    "schema of an unknown document": (lambda w: ["schema", "dashboard"], "dashboard"),
    "plan without a metric": (lambda w: ["plan", "--data", str(w)], "--spec FILE or --metric"),
    "measure a spec outside a world without --data": (
        lambda w: ["measure", str(_outside_spec(w))], "--data PATH"),
}


@pytest.mark.parametrize("case", sorted(CXSCALE_ERRORS))
def test_a_cxscale_error_exits_1_with_one_readable_line_and_no_traceback(case, world, monkeypatch):
    make_args, names = CXSCALE_ERRORS[case]
    try:
        code, out, err = _run_main(monkeypatch, *make_args(world))
    finally:
        (world / "pilots" / "bad_field.yaml").unlink(missing_ok=True)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 1, f"exit code {code}; stderr:\n{err}"
    assert "Traceback" not in err + out
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    assert lines[0].startswith("error: ") and names in lines[0]
    assert out.strip() == "", f"nothing belongs on stdout when the command fails, got:\n{out}"


@pytest.mark.parametrize("path", [(), *sorted(ALL)], ids=lambda p: " ".join(p) or "cxscale")
def test_an_unknown_option_is_a_usage_error_with_exit_code_2(path):
    res = _invoke(*path, "--no-such-option")
    assert res.exit_code == 2, res.output
    assert "No such option" in res.output


@pytest.mark.parametrize("args", [["simulate", "--scenario", "no_such_scenario"], ["simulate", "--customers", "0"],
                                  ["diagnose", "--top", "0", "--data", "x"], ["measure"], ["validate"]],
                         ids=" ".join)
def test_a_bad_option_value_or_a_missing_argument_is_a_usage_error_with_exit_code_2(args):
    res = _invoke(*args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


def test_the_installed_cxscale_entry_point_turns_an_error_into_one_line_and_exit_1(tmp_path):
    exe = Path(sys.executable).parent / "cxscale"
    assert exe.exists(), f"{exe}: the package's console script is not installed (pip install -e .)"
    missing = tmp_path / "no_such_folder"
    proc = subprocess.run([str(exe), "validate", str(missing), "--json"], capture_output=True, text=True,
                          timeout=120, env={"PATH": str(exe.parent), "COLUMNS": "200", "NO_COLOR": "1"})
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"error: {missing}: no such file or folder"]


def test_version_option_prints_the_package_version():
    from cxscale import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cxscale {__version__}"


def test_help_loads_no_data_stack():
    # `cxscale --help` and every command's help answer at once: the engine, dataframe and statistics libraries are
    # imported by the command that runs, not by the command line itself (2.1 s -> 0.25 s for `cxscale --help`).
    heavy = ("ibis", "duckdb", "pandas", "pyarrow", "numpy", "scipy", "pydantic", "sqlglot")
    code = ("import sys, cxscale.cli; from typer.main import get_command; get_command(cxscale.cli.app); "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"importing the command line loads {proc.stdout.strip()}"
