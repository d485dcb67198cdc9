"""`cxscale measure` end to end through the CLI: JSON document, data found from DIR/pilots/, HTML page; and `cxscale
plan`, which sizes a pilot."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Windows, dump_spec
from tests.measure.world import write_world

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = write_world(tmp_path_factory.mktemp("cli"), n_customers=1500, seed=4, effect=-0.3)
    (root / "pilots").mkdir()
    spec = PilotSpec(pilot="p1", description="Cheaper contacts.",
                     primary=MetricRef(metric="cost_to_serve", target=Target(relative=-0.05)),
                     guardrails=[MetricRef(metric="csat_mean")], windows=Windows(pre_days=14, post_days=21))
    dump_spec(spec, root / "pilots" / "p1.yaml")
    return root


def test_json_readout_of_a_spec_in_a_world_finds_its_data(world):
    res = runner.invoke(app, ["measure", str(world / "pilots" / "p1.yaml"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["pilot"] == "p1" and doc["schema_version"] == 1 and doc["verdict"] == "proven"
    assert doc["metrics"][0]["name"] == "cost_to_serve" and doc["srm"]["ok"] is True


def test_people_get_a_table_with_the_verdict_and_the_annual_value(world):
    res = runner.invoke(app, ["measure", str(world / "pilots" / "p1.yaml"), "--data", str(world)],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "Verdict: proven" in res.stdout and "Annual value" in res.stdout and "cost_to_serve" in res.stdout


def test_html_page_holds_an_inline_svg_chart_and_no_script(world, tmp_path):
    out = tmp_path / "readout.html"
    res = runner.invoke(app, ["measure", str(world / "pilots" / "p1.yaml"), "--html", str(out), "--json"])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    svg = page[page.index("<svg"):page.index("</svg>") + 6]
    root = ElementTree.fromstring(svg)
    assert len(root.findall("{http://www.w3.org/2000/svg}circle")) == 2  # primary and guardrail


def test_spec_outside_a_world_without_data_says_to_give_data(tmp_path, world):
    spec = tmp_path / "p1.yaml"
    spec.write_text((world / "pilots" / "p1.yaml").read_text())
    res = runner.invoke(app, ["measure", str(spec)])
    assert res.exit_code != 0
    assert "--data PATH" in str(res.exception)


def test_plan_sizes_a_pilot_for_a_metric_and_target(world):
    res = runner.invoke(app, ["plan", "--metric", "aht", "--data", str(world), "--target", "-0.3",
                              "--json"])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)
    assert plan["metric"] == "aht" and plan["n_per_arm"] > 0 and plan["feasible"] and plan["days_total"] > 28


def test_plan_sizes_a_pilot_spec_within_its_scope(world, tmp_path):
    """--spec takes the metric, relative target, unit, post window and scope from a pilot spec (a use-case draft's
    <id>.pilot.yaml): the plan is the one for the scope's contacts, and options given beside it win."""
    from cxscale.data import open_data
    from cxscale.measure.power import plan_pilot

    spec = tmp_path / "scoped.pilot.yaml"
    spec.write_text("pilot: scoped\nscope: {channel: [voice]}\nwindows: {post_days: 21}\n"
                    "primary: {metric: repeat_contact_rate_7d, target: {relative: -0.2}}\n")
    res = runner.invoke(app, ["plan", "--spec", str(spec), "--data", str(world), "--json"])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)
    want = plan_pilot(open_data(world, validate=False).at({"channel": ["voice"]}), "repeat_contact_rate_7d", -0.2, window_days=21)
    assert plan["scope"] == {"channel": ["voice"]} and plan["window_days"] == 21
    assert plan["baseline"] == pytest.approx(want.baseline) and plan["n_per_arm"] == want.n_per_arm
    assert plan["baseline"] != pytest.approx(plan_pilot(open_data(world, validate=False), "repeat_contact_rate_7d", -0.2,
                                                        window_days=21).baseline)
    res = runner.invoke(app, ["plan", "--spec", str(spec), "--data", str(world), "--target", "-0.3",
                              "--json"])
    assert json.loads(res.stdout)["target_relative"] == -0.3
    # An absolute target (metric units: two points off the rate) plans as that change over the baseline.
    spec.write_text(spec.read_text().replace("{relative: -0.2}", "{absolute: -0.02}"))
    res = runner.invoke(app, ["plan", "--spec", str(spec), "--data", str(world)])
    assert res.exit_code == 0, res.output
    assert f"to detect -0.02 ({-0.02 / want.baseline:+.1%})" in " ".join(res.stdout.split())
    res = runner.invoke(app, ["plan", "--spec", str(spec), "--data", str(world), "--json"])
    plan = json.loads(res.stdout)
    assert plan["target_absolute"] == -0.02 and plan["target_relative"] == pytest.approx(-0.02 / want.baseline)


def test_a_scoped_readout_says_so_in_the_json_the_page_and_its_money(world, tmp_path):
    spec = tmp_path / "scoped.yaml"
    spec.write_text((world / "pilots" / "p1.yaml").read_text() + "scope: {channel: [voice, chat]}\n")
    out = tmp_path / "scoped.html"
    res = runner.invoke(app, ["measure", str(spec), "--data", str(world), "--html", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["scope"] == {"channel": ["voice", "chat"]}
    assert doc["value"]["units_source"].endswith("within the spec's scope")
    assert "unit customer, contacts at channel voice, chat;" in out.read_text()
