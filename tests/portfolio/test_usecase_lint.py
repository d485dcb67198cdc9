"""`cxscale usecase lint` tells a use case from a slogan (docs/portfolio.md#lint-rules): the tested examples are
docs/examples/*.usecase.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents.use_case import UseCase, load_use_case
from cxscale.errors import SpecError
from cxscale.portfolio import lint_file, lint_use_case
from cxscale.portfolio.lint import use_case_files
from tests.conftest import shared_data

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SLOGAN, NOSHOW, UNOWNED = (EXAMPLES / f"{n}.usecase.yaml" for n in ("slogan", "noshow", "noshow-unowned"))


def lint(*args: str) -> tuple[int, dict]:
    res = CliRunner().invoke(app, ["usecase", "lint", *args, "--json"])
    assert res.exit_code in (0, 1), res.output
    return res.exit_code, json.loads(res.stdout)


def rules(report: dict, severity: str = "error") -> list[str]:
    return [f["rule"] for file in report["files"] for f in file["findings"] if f["severity"] == severity]


def noshow(**changes: object) -> UseCase:
    """The no-show example with top-level changes (a key set to None is removed)."""
    raw = yaml.safe_load(NOSHOW.read_text())
    raw.update(changes)
    return UseCase.model_validate({k: v for k, v in raw.items() if v is not None})


def test_slogan_use_case_fails_lint_with_every_reason():
    code, report = lint(str(SLOGAN))
    assert code == 1
    found = rules(report)
    for rule in ("no-business-metric", "no-target", "no-window", "no-touchpoint", "no-mechanism", "no-id"):
        assert rule in found, rule
    paths = [f["path"] for f in report["files"][0]["findings"] if f["rule"] == "no-owner"]
    assert paths == [f"owners.{r}" for r in ("technology", "operations", "commercial", "executive_sponsor")]
    assert report["errors"] == len(found) and report["files"][0]["ok"] is False


def test_noshow_use_case_fails_naming_its_missing_owners_and_passes_once_they_are_named():
    code, report = lint(str(UNOWNED))
    assert code == 1
    assert [(f["rule"], f["path"]) for f in report["files"][0]["findings"]] == [
        ("no-owner", f"owners.{r}") for r in ("technology", "operations", "commercial", "executive_sponsor")]
    code, report = lint(str(NOSHOW))
    assert code == 0 and report["errors"] == 0 and report["warnings"] == 0


def test_noshow_target_is_detectable_on_the_noshow_data():
    data = shared_data("noshow")
    code, report = lint(str(NOSHOW), "--data", str(data), "--mapping", "noshow")
    assert code == 0, report


def test_a_target_the_baseline_cannot_detect_fails_with_the_plans_numbers(tmp_path):
    data = shared_data("noshow")
    small = tmp_path / "small.usecase.yaml"
    small.write_text(NOSHOW.read_text().replace("relative: -0.30", "relative: -0.01"))
    code, report = lint(str(small), "--data", str(data), "--mapping", "noshow")
    assert code == 1
    (finding,) = report["files"][0]["findings"]
    assert finding["rule"] == "undetectable-target" and finding["path"] == "metric.target"
    # needed vs available units and the smallest detectable change, as cxscale plan gives them
    assert "needs 1,094,288 customers" in finding["message"] and "available 205,791" in finding["message"]
    assert "detect changes of 2.3%" in finding["message"]


def test_a_folder_lints_its_use_case_files_and_human_output_names_the_rules():
    res = CliRunner().invoke(app, ["usecase", "lint", str(EXAMPLES)])
    assert res.exit_code == 1
    for name in ("slogan", "noshow", "noshow-unowned"):
        assert f"{name}.usecase.yaml" in res.stdout
    found = len(use_case_files([EXAMPLES]))
    assert found >= 3 and "[no-business-metric]" in res.stdout and f"{found} files:" in res.stdout


@pytest.mark.parametrize("metric", ["containment_rate", "intent_accuracy", "deflection_rate", "f1_score"])
def test_a_technical_primary_metric_is_an_error_that_says_why(metric):
    found = lint_use_case(noshow(metric={"name": metric, "target": {"relative": 0.1}, "window_days": 30}))
    (f,) = [f for f in found if f.rule == "technical-metric"]
    assert f.severity == "error" and f.path == "metric.name" and metric in f.message
    assert "business value" in f.message


def test_a_target_pointing_the_wrong_way_is_an_error():
    found = lint_use_case(noshow(metric={"name": "no_show_rate", "target": {"relative": 0.30}, "window_days": 90}))
    (f,) = [f for f in found if f.rule == "target-wrong-way"]
    assert f.path == "metric.target.relative" and "+0.3" in f.message and "negative" in f.message


def test_a_target_no_baseline_can_reach_is_an_error():
    """A share moves by at most 1 and a 1-5 CSAT mean by at most +400%: beyond that no pilot reaches the target."""
    found = lint_use_case(noshow(metric={"name": "no_show_rate", "target": {"absolute": -1.2}, "window_days": 90}))
    (f,) = [f for f in found if f.rule == "target-out-of-range"]
    assert (f.severity, f.path) == ("error", "metric.target.absolute")
    assert f.message == ("the target -1.2 is a larger change than no_show_rate can make from any baseline (its range "
                         "is 0-1): no pilot can reach it")
    assert not [f for f in lint_use_case(noshow(metric={"name": "no_show_rate", "target": {"absolute": -0.05},
                                                        "window_days": 90})) if f.rule == "target-out-of-range"]


def test_a_direction_the_catalog_contradicts_is_an_error():
    found = lint_use_case(noshow(metric={"name": "no_show_rate", "direction": "higher",
                                         "target": {"relative": -0.30}, "window_days": 90}))
    assert [f.rule for f in found if f.severity == "error"] == ["wrong-direction"]


def test_a_window_shorter_than_the_metrics_own_window_is_an_error():
    found = lint_use_case(noshow(metric={"name": "repeat_contact_rate_7d", "target": {"relative": -0.1},
                                         "window_days": 5}, guardrails=None, pilot_spec=None))
    (f,) = [f for f in found if f.rule == "window-too-short"]
    assert "5-day window" in f.message and "own 7 days" in f.message


def test_a_guardrail_equal_to_the_primary_is_an_error():
    found = lint_use_case(noshow(guardrails=[{"metric": "no_show_rate", "max_harm": {"relative": 0.05}}]))
    assert [(f.rule, f.path) for f in found] == [("guardrail-is-primary", "guardrails[0].metric")]


def test_a_pilot_spec_on_another_metric_is_an_error(tmp_path):
    spec = tmp_path / "outreach.pilot.yaml"
    spec.write_text("pilot: p\nprimary: {metric: cost_to_serve, target: {relative: -0.05}}\n"
                    "windows: {post_days: 90}\n")
    case = tmp_path / "c.usecase.yaml"
    case.write_text(NOSHOW.read_text().split("pilot_spec:")[0] + "pilot_spec: outreach.pilot.yaml\n"
                    + "data_sources" + NOSHOW.read_text().split("data_sources")[1])
    assert [(f.rule, f.path) for f in lint_file(case)] == [("pilot-spec-mismatch", "pilot_spec.primary.metric")]


def test_a_use_case_file_is_read_strictly_with_line_numbers(tmp_path):
    bad = tmp_path / "bad.usecase.yaml"
    bad.write_text("id: a\ntitle: t\nmetric:\n  name: no_show_rate\n  window_days: true\n")
    with pytest.raises(SpecError, match=r"metric.window_days \(line 5\)"):
        load_use_case(bad)
    bad.write_text("id: a\nid: b\n")
    with pytest.raises(SpecError, match="key given twice"):
        load_use_case(bad)
    bad.write_text("id: a\nmetric: {baseline: .nan}\n")
    with pytest.raises(SpecError, match="not a finite number"):
        load_use_case(bad)
    bad.write_text("id: a\nowner: {technology: x}\n")
    (f,) = lint_file(bad)
    assert f.rule == "invalid" and "owner" in f.message


@pytest.mark.parametrize(("changes", "rule", "severity"), [
    ({"metric": {"name": "happiness_index", "target": {"relative": 0.1}, "window_days": 30}}, "unknown-metric",
     "error"),
    ({"guardrails": [{"metric": "cost_to_serve"}]}, "guardrail-no-limit", "warning"),
    ({"design": {"type": "randomised"}}, "design-incomplete", "error"),
    ({"design": {"type": "staged_rollout"}}, "design-incomplete", "error"),
    ({"metric": {"name": "no_show_rate", "target": {"relative": -0.3}, "window_days": 90}}, "no-baseline",
     "warning"),
    ({"problem": {"intent": "book_appointment"}}, "no-touchpoint", "warning"),
])
def test_each_documented_rule_fires_on_its_example(changes, rule, severity):
    found = lint_use_case(noshow(**changes))
    assert [f.severity for f in found if f.rule == rule] == [severity]


@pytest.mark.parametrize("metric", ["cost_to_serve", "resolution_rate", "aht"])
def test_a_business_metric_is_not_called_technical(metric):
    from cxscale.metrics import builtin_catalog
    from cxscale.portfolio.lint import is_technical

    assert is_technical(metric, builtin_catalog()) is None
    assert is_technical("answered_power_rate", builtin_catalog()) is None  # no technical word, only letters of one
