"""Every number an option takes has a rule, and a value that breaks it is one readable line and a non-zero exit: no
traceback, no Rich panel, no silent default (`--window-days 0` once meant 28). Runs the real entry point."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from tests.test_cli_contract import ALL, _run_main

#: (command, option) -> bad values. Every option of every command that takes a number is here (checked below).
BAD = {
    ("simulate", "--customers"): ["0", "-5"],
    ("simulate", "--seed"): ["-1"],
    ("simulate", "--chunk-customers"): ["0"],
    ("simulate", "--workers"): ["0"],
    ("demo", "--customers"): ["0", "99"],
    ("demo", "--seed"): ["-1"],
    ("diagnose", "--top"): ["0"],
    ("diagnose", "--drafts"): ["-1"],
    ("diagnose", "--window-days"): ["0", "-3", "99999999999"],
    ("diagnose", "--since"): ["0001-01-01", "2026-02-30", "soon"],
    ("diagnose", "--until"): ["9999-12-31"],
    ("plan", "--target"): ["inf", "-inf", "nan", "1e400", "-1", "-2.5"],
    ("plan", "--window-days"): ["0", "-5", "99999999999"],
    ("plan", "--days"): ["0", "-3", "0.5", "inf", "nan"],
    ("audit", "--stale-after-days"): ["0", "-7"],
    ("scorecard", "--fail-below"): ["0", "4"],
    ("value", "--window-days"): ["0", "-3", "99999"],
    ("capability evaluate", "--sample"): ["0", "99", "-5"],
    ("capability evaluate", "--seed"): ["-1"],
    ("proof list", "--min-effect"): ["nan", "inf", "-2"],
    ("proof list", "--since"): ["soon", "2026-02-30", "0001-01-01"],
    ("proof list", "--until"): ["9999-12-31", "tomorrow"],
    ("serve", "--port"): ["0", "70000", "-1"],
}
#: The rest of a command line that is valid, so that only the option under test is wrong.
REST = {
    "simulate": ["simulate", "--out", "{tmp}/world"],
    "demo": ["demo", "--out", "{tmp}/demo"],
    "diagnose": ["diagnose", "--data", "{tmp}/no_data"],
    "plan": ["plan", "--data", "{tmp}/no_data", "--metric", "aht", "--target", "-0.05"],
    "audit": ["audit", "--store", "{tmp}/p.db"],
    "scorecard": ["scorecard", "--store", "{tmp}/p.db"],
    "value": ["value", "--data", "{tmp}/no_data"],
    "capability evaluate": ["capability", "evaluate", "intent_routing", "--data", "{tmp}/no_data"],
    "proof list": ["proof", "list", "--store", "{tmp}/p.db"],
    "serve": ["serve", "--store", "{tmp}/p.db"],
}
CASES = [(cmd, opt, value) for (cmd, opt), values in BAD.items() for value in values]


@pytest.mark.parametrize(("command", "option", "value"), CASES, ids=[f"{c} {o} {v}" for c, o, v in CASES])
def test_a_bad_option_value_is_one_line_and_a_non_zero_exit(command, option, value, tmp_path, monkeypatch):
    args = [a.format(tmp=tmp_path) for a in REST[command]]
    if option in args:  # replace the valid value given in REST
        del args[args.index(option):args.index(option) + 2]
    code, out, err = _run_main(monkeypatch, *args, f"{option}={value}")
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code != 0 and "Traceback" not in out + err, f"exit {code}:\n{out}\n{err}"
    assert len(lines) == 1 and lines[0].startswith("error: ") and option in lines[0], err
    assert out.strip() == ""
    assert not (tmp_path / "world").exists() and not (tmp_path / "demo").exists(), "nothing runs on a bad value"


def _takes_a_number(param) -> bool:
    """Whether a command-line parameter's value is an int or a float (Typer's annotation, or Click's type name)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation is not None:
        return bool({int, float} & {annotation, *get_args(annotation)})
    return getattr(getattr(param, "type", None), "name", "").split()[0] in ("integer", "float")


def test_every_numeric_option_of_every_command_has_bad_values_in_the_sweep():
    numeric = set()
    for path, cmd in ALL.items():
        for p in cmd.params:  # type: ignore[attr-defined]
            if _takes_a_number(p) or p.name in ("since", "until"):
                numeric.add((" ".join(path), p.opts[0]))
    assert numeric == set(BAD), f"numeric options without a bad-value case: {sorted(numeric - set(BAD))}"


def test_usage_mistakes_are_one_line_with_where_to_look(monkeypatch):
    code, out, err = _run_main(monkeypatch, "validate", "--no-such-option")
    assert code == 2 and err.strip().splitlines() == [
        "error: No such option: --no-such-option (see cxscale validate --help)"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli_options") / "world"
    with pytest.MonkeyPatch.context() as mp:
        code, _, err = _run_main(mp, "simulate", "--customers", "1000", "--seed", "0", "--out", str(out), "--json")
    assert code == 0, err
    return out


def test_the_edges_of_each_rule_are_accepted(world, monkeypatch):
    code, out, err = _run_main(monkeypatch, "plan", "--data", str(world), "--metric", "cost_to_serve",
                               "--target", "-0.99", "--window-days", "1", "--days", "1", "--json")
    assert code == 0, err
    assert '"window_days": 1' in out


def test_window_days_0_is_refused_not_read_as_the_default_28(world, monkeypatch):
    code, out, err = _run_main(monkeypatch, "plan", "--data", str(world), "--metric", "cost_to_serve",
                               "--target", "-0.05", "--window-days", "0")
    assert code == 2 and "--window-days" in err and "28 days of measurement" not in out
