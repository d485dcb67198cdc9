"""Uplift targeting: it must beat random targeting on Hillstrom's held-out customers, find a planted uplift, and
score about zero when the ranking carries no information."""

from __future__ import annotations

import numpy as np
import pytest

from cxscale.capabilities import Context, UpliftModel, qini_coefficient, qini_curve
from cxscale.capabilities.outreach import bootstrap_qini, uplift_at
from cxscale.capabilities.report import hillstrom_report
from cxscale.errors import CxscaleError
from tests.conftest import shared_data


@pytest.mark.shared_data
@pytest.mark.parametrize("learner", ["two_model", "x_learner"])
def test_hillstrom_targeting_beats_random_with_its_interval(learner):
    r = hillstrom_report(shared_data("hillstrom", "hillstrom.csv"), learner=learner, draws=200)
    m = {x.name: x for x in r.metrics}
    assert m["qini_low"].value > 0, "the Qini coefficient's bootstrap interval must exclude random targeting (0)"
    assert m["qini_low"].value <= m["qini_coefficient"].value <= m["qini_high"].value
    assert m["uplift_at_30"].value > m["uplift_at_30"].baseline
    assert "beats random targeting" in r.notes[0]


def _planted(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    t = rng.random(n) < 0.5
    base = 1 / (1 + np.exp(-(-1.0 + 0.5 * x[:, 1])))
    lift = np.where(x[:, 0] > 0.5, 0.25, 0.0)  # only a third of customers respond to contact
    y = (rng.random(n) < base + t * lift).astype(int)
    return x, t, y


def test_planted_uplift_is_found_and_random_scores_about_zero():
    x, t, y = _planted(12000, 1)
    xt, tt, yt = _planted(6000, 2)
    model = UpliftModel.fit(x, t, y, ["f0", "f1", "f2"], "x_learner")
    s = model.uplift(xt)
    oracle = qini_coefficient(qini_curve((xt[:, 0] > 0.5).astype(float), tt, yt))  # ranks by the planted truth
    assert qini_coefficient(qini_curve(s, tt, yt)) > 0.5 * oracle > 0
    assert uplift_at(s, tt, yt, 0.3) > 0.18
    noise = np.random.default_rng(3).random(len(yt))
    lo, hi = bootstrap_qini(noise, tt, yt, draws=200)
    assert lo < 0 < hi


def test_qini_curve_of_a_perfect_ranking_ends_at_the_overall_effect():
    t = np.array([1, 0, 1, 0, 1, 0, 1, 0], bool)
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0])
    c = qini_curve(np.arange(8)[::-1].astype(float), t, y)
    assert c.qini[-1] == pytest.approx((2 - 0) / 8)
    assert c.share[0] == 0 and c.share[-1] == 1


def test_suggestion_targets_the_top_share_and_needs_every_feature():
    x, t, y = _planted(12000, 4)
    model = UpliftModel.fit(x, t, y, ["f0", "f1", "f2"], "x_learner", target_share=0.3)
    hi = model.suggest(Context(customer_id="C1", features={"f0": 2.0, "f1": 0.0, "f2": 0.0}))
    lo = model.suggest(Context(customer_id="C2", features={"f0": -2.0, "f1": 0.0, "f2": 0.0}))
    assert hi.items[0].key == "contact" and hi.shown
    assert lo.items[0].key == "skip" and not lo.shown
    assert hi.confidence > 0.7 > lo.confidence  # the percentile of the customer's predicted uplift
    with pytest.raises(CxscaleError, match="lacks features f2"):
        model.suggest(Context(features={"f0": 1.0, "f1": 0.0}))
    with pytest.raises(CxscaleError, match="both arms"):
        UpliftModel.fit(x, np.ones(len(y), bool), y, ["f0", "f1", "f2"])
