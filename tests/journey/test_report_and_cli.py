"""`cxscale diagnose`: JSON schema, Rich tables, the HTML report with its three charts, and use-case draft files."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents import unknown_fields
from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.pilot_spec import load_spec
from cxscale.documents.use_case import load_use_case
from tests.journey.tables import mini_world

HOTSPOT_KEYS = {"intent", "journey_stage", "channel", "volume", "repeat_contact_rate", "transfer_rate", "csat_mean",
                "cost", "avoidable_cost", "score"}
FLOW_KEYS = {"from", "to", "count", "median_seconds"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    mini_world().to_parquet(root / "interactions.parquet")
    return root


def test_json_output_follows_the_diagnosis_schema(world):
    result = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--json", "--top", "4"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert unknown_fields(DiagnosisDocument.model_validate(doc)) == []
    assert len(doc["hotspots"]) == 4
    for h in doc["hotspots"]:
        assert set(h) >= HOTSPOT_KEYS
    assert [h["score"] for h in doc["hotspots"]] == sorted((h["score"] for h in doc["hotspots"]), reverse=True)
    assert doc["flows"] and all(set(f) >= FLOW_KEYS for f in doc["flows"])
    assert {"start", "end", "days"} <= set(doc["period"])
    assert doc["annualisation_factor"] > 0 and doc["currency"]
    assert doc["use_cases"][0]["business_metric"]["baseline"] is not None
    assert set(doc["signals"]) == {"intent", "journey_stage", "channel", "site"}
    assert sum(r["volume"] for r in doc["signals"]["channel"]) == doc["overall"]["volume"]


def test_tables_name_the_top_hotspot_and_the_money_at_stake(world):
    result = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--currency", "EUR"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "billing_dispute" in result.stdout
    assert "avoidable" in result.stdout and "EUR" in result.stdout
    # A column per signal the data has: transfers and CSAT, but no waits and no outcomes in this world.
    header = "\n".join(result.stdout[result.stdout.index("hotspot (main channel)") - 200:].splitlines()[:6])
    assert "trans-" in header and "CSAT" in header and "wait" not in header and "fail-" not in header
    assert "red: a rate at least 1.25x the overall rate" in result.stdout


def test_the_table_fits_an_80_column_terminal_with_every_signal(tmp_path):
    """The simulated world has all five signals; at 80 columns every column still shows whole."""
    from cxscale.simulate import simulate

    world = tmp_path / "w"
    simulate("support", customers=3000, seed=3, out=world)
    result = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--drafts", "0"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if "hotspot (main" in line)
    header = lines[head] + lines[head + 1]
    for column in ("con-", "tacts", "repeat", "trans-", "long", "fail-", "CSAT", "avoid-", "able", "score"):
        assert column in header, column
    assert max(len(line.rstrip()) for line in lines[head:head + 12]) <= 80


def test_the_html_report_holds_three_well_formed_charts_and_the_hotspot_table(world, tmp_path):
    report, drafts = tmp_path / "report.html", tmp_path / "drafts"
    result = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--html", str(report),
                                      "--use-cases", str(drafts)])
    assert result.exit_code == 0, result.output
    html = report.read_text()
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    titles = [ET.fromstring(s).find("{http://www.w3.org/2000/svg}title").text for s in svgs]
    assert titles[0] == "Avoidable cost per year by intent"
    assert titles[1] == "Friction by intent and channel"
    assert titles[2].startswith("Journey flows")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "billing_dispute" in html and "<table>" in html
    # Each use-case draft as a card: the capability, the guardrail in words, the owners still to be named.
    drafts_part = html[html.index('id="use-case-drafts"'):]
    assert drafts_part.count('<div class="uc">') == 3
    assert "real time guidance" in drafts_part and "operations: to be named" in drafts_part
    assert re.search(r"csat_mean\s+\(now [\d.]+\) may fall\s+by at most 3%", drafts_part)
    files = sorted(drafts.glob("*.usecase.yaml"))
    assert len(files) == 3 and len(list(drafts.glob("*.yaml"))) == 6
    for f in files:
        uc = load_use_case(f)
        # Beside each use case, its pilot spec as a file `cxscale measure` reads, which the use case names.
        assert uc.pilot_spec == f"{uc.id}.pilot.yaml" and load_spec(drafts / uc.pilot_spec).pilot == uc.id
        assert uc.problem.evidence.diagnosis == str(report)  # the figures are the report's
    assert "3 <id>.usecase.yaml and their pilot specs" in " ".join(result.stdout.split())


def test_missing_data_is_one_red_line_and_exit_code_one(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "from cxscale.cli import run; run()", "diagnose", "--data",
                          str(tmp_path / "nope")], capture_output=True, text=True)
    assert out.returncode == 1
    assert "nope" in out.stderr and "Traceback" not in out.stderr


def test_since_and_until_select_a_period_read_with_its_context(world):
    """--until with a date alone includes that day; the period and the notes record the selection. (That the sums
    and flows are those of the whole data restricted to the period: tests/journey/test_codes.py.)"""
    frame = mini_world()
    february = (frame.started_at >= "2026-02-01") & (frame.started_at < "2026-03-01")
    assert 0 < february.sum() < len(frame)
    selected = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--since", "2026-02-01",
                                        "--until", "2026-02-28", "--json", "--drafts", "1", "--currency", "EUR"])
    assert selected.exit_code == 0, selected.output
    doc = json.loads(selected.stdout)
    assert doc["overall"]["volume"] == int(february.sum())
    assert doc["period"]["since"] == "2026-02-01T00:00:00Z" and doc["period"]["until"] == "2026-03-01T00:00:00Z"
    assert doc["period"]["start"] >= "2026-02-01" and doc["period"]["end"] < "2026-03-01"
    assert any("to 2026-03-01T00:00:00Z (exclusive)" in n for n in doc["notes"])
    assert any("7 days before the period are read as context only" in n for n in doc["notes"])
    assert unknown_fields(DiagnosisDocument.model_validate(doc)) == []


@pytest.mark.parametrize(("args", "says"), [
    (["--since", "2026-02-01", "--until", "2026-02-28"], "from 2026-02-01 00:00 to 2026-03-01 00:00 (exclusive) UTC"),
    (["--until", "2026-02-28"], "period selected: before 2026-03-01 00:00 UTC"),
    (["--since", "2026-02-01T06:30+01:00"], "period selected: from 2026-02-01 05:30 UTC"),
])
def test_the_html_report_says_which_period_was_selected(world, tmp_path, args, says):
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--drafts", "0", "--html", str(report), *args])
    assert result.exit_code == 0, result.output
    assert says in report.read_text()


@pytest.mark.parametrize(("args", "says"), [
    (["--since", "2026-02-30"], "--since '2026-02-30': not a date"),
    (["--until", "last week"], "--until 'last week': not a date"),
    (["--since", "2026-03-01", "--until", "2026-02-01"], "the period is empty"),
    (["--since", "2027-01-01"], "no contacts from 2027-01-01T00:00:00Z"),
])
def test_a_bad_or_empty_period_is_one_line_and_a_non_zero_exit(world, args, says):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", "from cxscale.cli import run; run()", "diagnose", "--data",
                          str(world), *args], capture_output=True, text=True)
    assert run.returncode == 1
    assert says in run.stderr and "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
