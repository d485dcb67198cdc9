"""Value at scale (cxscale.portfolio.value, `cxscale value`): the monitor flags the planted decay and nothing else,
the compounding check reports the planted overlap, and an additive world adds up at about the nominal rate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.measure.realised import read_scaled
from cxscale.portfolio.value import compounding, monitor
from cxscale.simulate import simulate


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return simulate("scaled", customers=60_000, seed=3, out=tmp_path_factory.mktemp("scaled"))


@pytest.fixture(scope="module")
def read(world):
    return read_scaled(world.out)


def _checks(read, as_of=None, window_days=91):
    as_of = as_of or read.data_end
    return {c.name: monitor(c.proven, c.holdout.readout, capability=c.name, scaled_at=c.holdout.started,
                            reading_end=c.holdout.ends, as_of=as_of, window_days=window_days)
            for c in read.capabilities}


def test_monitor_flags_exactly_the_planted_decay(world, read):
    checks = _checks(read)
    planted = {h["capability"] for h in world.ground_truth["scale"]["holdouts"] if h["decays"]}
    assert {n for n, m in checks.items() if m.flagged} == planted == {"bill_alerts"}
    m = checks["bill_alerts"]
    assert m.status == "decayed"
    # the sentence follows from the numbers: the realised interval's best end is weaker than the proven weakest end
    assert -max(m.realised.ci) < -max(m.proven.ci)
    assert f"{m.proven.ci[1] * 100:.1f}%".lstrip("-") in m.reason
    # planted: the true effect at scale lies beyond the proven interval's weakest end
    truth = next(h for h in world.ground_truth["scale"]["holdouts"] if h["capability"] == "bill_alerts")
    assert truth["true_effects"]["cost_to_serve"]["relative"] > m.proven.ci[1]
    assert all(checks[c].status == "holding" for c in ("follow_up_messages", "guided_resolution"))


def test_no_reading_in_the_window_is_flagged_once_due(read):
    c = read.capabilities[0]
    kw = {"capability": c.name, "scaled_at": c.holdout.started, "reading_end": c.holdout.ends}
    late = c.holdout.ends + timedelta(days=120)
    stale = monitor(c.proven, c.holdout.readout, as_of=late, **kw)
    assert stale.status == "no reading" and stale.flagged and "120 days before" in stale.reason
    none = monitor(c.proven, None, as_of=read.data_end, **kw)
    assert none.status == "no reading" and "there is no holdout readout" in none.reason
    early = monitor(c.proven, None, as_of=c.holdout.started + timedelta(days=30), **kw)
    assert early.status == "not due" and not early.flagged
    fresh = monitor(c.proven, c.holdout.readout, as_of=late, window_days=365, **kw)
    assert fresh.status != "no reading"


def test_compounding_reports_the_planted_overlap(world, read):
    c = compounding(read.portfolio.readout, [(x.name, x.holdout.readout) for x in read.capabilities],
                    independence="same design")
    assert c.verdict == "overlaps"
    assert c.whole.annual < c.sum.annual and c.difference.ci[1] < 0
    assert c.sentence.startswith("Overlaps:") and "the sum overstates the whole" in c.sentence
    # the planted interaction (per customer per window) in money lies inside the difference's interval
    s = world.ground_truth["scale"]
    scale = 365 / s["windows"]["post_days"] * world.customers
    true_diff = -s["portfolio"]["interaction"]["cost_to_serve"] * scale
    assert c.difference.ci[0] <= true_diff <= c.difference.ci[1]
    assert c.difference.annual == pytest.approx(c.whole.annual - sum(p.annual for p in c.parts))
    assert c.difference.se == pytest.approx((c.whole.se ** 2 + sum(p.se ** 2 for p in c.parts)) ** 0.5)


def test_compounding_is_incomplete_without_every_part(read):
    c = compounding(read.portfolio.readout, [("a", read.capabilities[0].holdout.readout), ("gone", None)],
                    independence="x")
    assert c.verdict == "incomplete" and c.missing == ["gone"] and "gone" in c.sentence


def test_cli_json_and_fail_on_flag(world):
    r = CliRunner().invoke(app, ["value", "--data", str(world.out), "--as-of", "July 1"])
    assert r.exit_code == 1 and "YYYY-MM-DD" in str(r.exception)  # before any readout is run
    r = CliRunner().invoke(app, ["value", "--data", str(world.out), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["flagged"] == ["bill_alerts"] and doc["compounding"]["verdict"] == "overlaps"
    assert doc["compounding_proven"]["verdict"] == "overlaps"
    r = CliRunner().invoke(app, ["value", "--data", str(world.out), "--fail-on-flag"])
    assert r.exit_code == 1
    assert "decayed" in r.stdout and "Overlaps:" in r.stdout


@pytest.mark.slow
def test_additive_worlds_add_up_at_about_the_nominal_rate(tmp_path):
    """A/A-style: with no overlap planted the whole is exactly the sum, so "adds up" should come out about 95% of
    the time and the truth (0) should sit inside the difference's interval as often."""
    verdicts, decayed = [], 0
    for seed in range(20):
        w = simulate("scaled_additive", customers=6_000, seed=200 + seed, out=tmp_path / "w", workers=1)
        read = read_scaled(w.out)
        c = compounding(read.portfolio.readout, [(x.name, x.holdout.readout) for x in read.capabilities],
                        independence="same design")
        verdicts.append(c.verdict)
        decayed += sum(m.flagged for m in _checks(read).values())
    assert verdicts.count("adds up") >= 17, verdicts  # P(<17 of 20 | 95%) = 1.6%
    assert decayed <= 2  # nothing decays: a false flag needs |z| > 2.8 on a difference (about 0.3% each)
