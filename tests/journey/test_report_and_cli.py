"""`cxscale diagnose`: JSON schema, Rich tables, the HTML report with its three charts, and use-case draft files."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import yaml
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents import unknown_fields
from cxscale.journey.schema import DiagnosisDocument, UseCaseDraft
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
    result = CliRunner().invoke(app, ["diagnose", "--data", str(world), "--currency", "EUR"])
    assert result.exit_code == 0, result.output
    assert "billing_dispute" in result.stdout
    assert "avoidable" in result.stdout and "EUR" in result.stdout


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
    files = sorted(drafts.glob("*.yaml"))
    assert len(files) == 3
    for f in files:
        assert unknown_fields(UseCaseDraft.model_validate(yaml.safe_load(f.read_text()))) == []


def test_missing_data_is_one_red_line_and_exit_code_one(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "from cxscale.cli import main; main()", "diagnose", "--data",
                          str(tmp_path / "nope")], capture_output=True, text=True)
    assert out.returncode == 1
    assert "nope" in out.stderr and "Traceback" not in out.stderr
