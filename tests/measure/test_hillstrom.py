"""The Hillstrom randomised e-mail experiment, loaded through the shipped `hillstrom` mapping and read out by
cxscale, checked against an independent computation on the CSV (numpy/scipy), statsmodels' Welch intervals and the
published figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.documents.pilot_spec import MetricRef, Options, PilotSpec, Target, Value, Windows
from cxscale.documents.readout import ReadoutDocument
from cxscale.measure.readout import readout
from cxscale.metrics import load_catalog
from tests.conftest import shared_data
from tests.contracts import assert_follows

ARMS = {"No E-Mail": "control", "Mens E-Mail": "mens_email", "Womens E-Mail": "womens_email"}
#: A user-defined metric (the catalog has no visit rate): any website visit in the window.
METRICS_YAML = """
metrics:
  - name: visit_rate
    description: Share of customers who visited the website within two weeks of the e-mail.
    direction: higher
    source: outcomes
    type: proportion
    numerator: {filter: "outcome == 'visit'"}
    unit_label: share
"""

OUTCOMES = {"visit_rate": "visit", "conversion_rate": "conversion", "revenue_per_customer": "spend"}
runner = CliRunner()


@pytest.fixture(scope="module")
def hillstrom(tmp_path_factory):
    from cxscale.data import open_data

    csv = shared_data("hillstrom", "hillstrom.csv")
    metrics = tmp_path_factory.mktemp("metrics") / "hillstrom_metrics.yaml"
    metrics.write_text(METRICS_YAML)
    spec = PilotSpec(
        pilot="hillstrom_email", control="control", treatments=["mens_email", "womens_email"],
        primary=MetricRef(metric="conversion_rate", target=Target(relative=0.5)),
        secondary=[MetricRef(metric="visit_rate"), MetricRef(metric="revenue_per_customer")],
        windows=Windows(pre_days=0, post_days=14), options=Options(correction="holm"),
        value=Value(currency="USD"))
    r = readout(spec, open_data(csv.parent, mapping="hillstrom", validate=False), load_catalog(metrics))
    raw = pd.read_csv(csv)
    raw["arm"] = raw["segment"].map(ARMS)
    return r, raw


def _metric(r, name: str, arm: str):
    return next(m for m in r.metrics if m.name == name and m.arm == arm)


def test_arms_are_the_three_thirds_and_pass_the_srm_check(hillstrom):
    r, raw = hillstrom
    assert r.n == raw["arm"].value_counts().to_dict()
    assert sum(r.n.values()) == 64_000 and r.srm_ok
    assert_follows(ReadoutDocument, r.to_json())  # three arms, a user-defined metric, real data


@pytest.mark.parametrize("arm", ["mens_email", "womens_email"])
@pytest.mark.parametrize("name", list(OUTCOMES))
def test_values_and_welch_cis_match_an_independent_computation(hillstrom, name, arm):
    r, raw = hillstrom
    y_c = raw.loc[raw.arm == "control", OUTCOMES[name]].to_numpy(float)
    y_t = raw.loc[raw.arm == arm, OUTCOMES[name]].to_numpy(float)
    m = _metric(r, name, arm)
    assert m.control == pytest.approx(y_c.mean(), rel=1e-12)
    assert m.treatment == pytest.approx(y_t.mean(), rel=1e-12)
    assert m.effect_abs == pytest.approx(y_t.mean() - y_c.mean(), rel=1e-10)
    lo, hi = CompareMeans(DescrStatsW(y_t), DescrStatsW(y_c)).tconfint_diff(alpha=0.05, usevar="unequal")
    assert m.ci_abs == pytest.approx((lo, hi), rel=1e-3)
    p = sps.ttest_ind(y_t, y_c, equal_var=False).pvalue
    assert m.p_value == pytest.approx(p, rel=1e-2, abs=1e-12)
    # relative lift: Fieller's interval for mt/mc (minus 1), solved here from the raw arrays
    mc, mt = y_c.mean(), y_t.mean()
    vt, vc = y_t.var(ddof=1) / len(y_t), y_c.var(ddof=1) / len(y_c)
    q = sps.t.ppf(0.975, (vt + vc) ** 2 / (vt**2 / (len(y_t) - 1) + vc**2 / (len(y_c) - 1)))
    ratio = np.sort(np.roots([mc**2 - q**2 * vc, -2 * mt * mc, mt**2 - q**2 * vt]))
    assert m.effect_rel == pytest.approx(mt / mc - 1, rel=1e-10)
    assert m.ci_rel == pytest.approx((ratio[0] - 1, ratio[1] - 1), rel=1e-6)


def test_mens_email_figures_match_the_published_ones(hillstrom):
    r, _ = hillstrom
    visit, conv, spend = (_metric(r, n, "mens_email") for n in ("visit_rate", "conversion_rate", "revenue_per_customer"))
    assert visit.treatment == pytest.approx(0.1828, abs=5e-4) and visit.control == pytest.approx(0.1062, abs=5e-4)
    assert conv.treatment == pytest.approx(0.0125, abs=5e-4) and conv.control == pytest.approx(0.0057, abs=5e-4)
    assert spend.treatment == pytest.approx(1.42, abs=0.01) and spend.control == pytest.approx(0.65, abs=0.01)
    assert conv.verdict == "proven" and conv.target_reached is True
    assert visit.verdict == "proven"


def test_a_spec_silent_on_its_nature_annualises_the_spend_lift_and_warns(hillstrom):
    """The fixture's spec does not state value.nature: read as recurring (26 two-week windows a year over every
    customer, as before the field existed), which the readout flags."""
    from cxscale.measure.money import NATURE_UNSTATED

    r, _ = hillstrom
    v = r.value
    spend = _metric(r, "revenue_per_customer", "mens_email")
    assert v.currency == "USD" and v.metric == "revenue_per_customer" and v.arm == "mens_email"
    assert v.units_per_year == 64_000 and v.nature == "recurring" and v.nature_stated is False
    assert v.annual == pytest.approx(spend.effect_abs * 365 / 14 * 64_000)
    assert v.ci[0] < v.annual < v.ci[1]
    assert NATURE_UNSTATED in r.warnings


SHIPPED_SPEC = Path(__file__).resolve().parents[2] / "cxscale" / "data" / "mappings" / "hillstrom.pilot.yaml"


@pytest.mark.parametrize("spec", ["hillstrom", str(SHIPPED_SPEC)])
def test_the_documented_command_values_one_campaign_over_the_customers_it_reached(spec):
    """docs/readout.md#money: `cxscale measure hillstrom --data ../shared/data/hillstrom --mapping hillstrom` (or the
    shipped file's path) reads the experiment out and states the money of one e-mail campaign, not a year of them."""
    folder = shared_data("hillstrom")
    args = ["measure", spec, "--data", str(folder), "--mapping", "hillstrom"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    raw = pd.read_csv(folder / "hillstrom.csv")
    lift = raw.loc[raw.segment == "Mens E-Mail", "spend"].mean() - raw.loc[raw.segment == "No E-Mail", "spend"].mean()
    v = doc["value"]
    assert (v["metric"], v["arm"], v["currency"]) == ("revenue_per_customer", "mens_email", "USD")
    assert v["nature"] == "one_off" and v["nature_stated"] is True and v["periods_per_year"] == 1
    assert v["units_per_year"] == 64_000
    assert v["annual"] == pytest.approx(lift * 64_000, rel=1e-9) and round(v["annual"]) == 49_269
    assert v["ci"][0] < v["annual"] < v["ci"][1] and "one campaign" in v["basis"]
    assert doc["verdict"] == "proven" and doc["window_complete"] is True and doc["warnings"] == []

    res = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "Value of one campaign (revenue_per_customer, secondary, mens_email): 49,269 USD (CI " in res.stdout
    assert "per year" not in res.stdout


def test_the_readout_page_values_one_campaign_not_a_year(tmp_path):
    """The page says what the terminal says: the money of one campaign, never 'per year'."""
    page = tmp_path / "hillstrom.html"
    res = runner.invoke(app, ["measure", "hillstrom", "--data", str(shared_data("hillstrom")), "--mapping",
                              "hillstrom", "--html", str(page)])
    assert res.exit_code == 0, res.output
    text = page.read_text()
    assert "Value of one campaign: 49,269 USD" in text and "per year" not in text


def test_the_command_works_from_the_data_folder_whose_subfolder_shares_the_names(monkeypatch):
    """Run inside ../shared/data, `hillstrom` is also a folder there: the spec and mapping names still mean the
    shipped files (a folder is never read as a YAML file)."""
    folder = shared_data("hillstrom")
    monkeypatch.chdir(folder.parent)
    res = runner.invoke(app, ["measure", "hillstrom", "--data", "hillstrom", "--mapping", "hillstrom", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["value"]["nature"] == "one_off"
