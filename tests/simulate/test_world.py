"""Shared pieces of the simulated worlds: the blocked complete randomisation that assigns customer pilots."""

from __future__ import annotations

import numpy as np

from cxscale.simulate.world import balanced_arms


def test_balanced_arms_treats_exactly_half_of_the_eligible_units_and_no_others():
    rng = np.random.default_rng(0)
    eligible = rng.random(1_000) < 0.3
    m = int(eligible.sum())
    for block in (0, 1):
        treated = balanced_arms(rng.random(1_000), eligible, block)
        assert not (treated & ~eligible).any()
        assert treated.sum() == m // 2 + (m % 2) * block


def test_balanced_arms_gives_the_odd_unit_out_to_each_arm_in_turn():
    eligible = np.ones(7, dtype=bool)
    keys = np.linspace(0.0, 1.0, 7)
    assert balanced_arms(keys, eligible, 0).sum() == 3
    assert balanced_arms(keys, eligible, 1).sum() == 4
    assert balanced_arms(keys, np.zeros(7, dtype=bool), 1).sum() == 0


def test_balanced_arms_gives_every_eligible_unit_the_same_chance_of_treatment():
    # The arm depends on the random keys only, not on which units are eligible or where they sit.
    rng = np.random.default_rng(1)
    eligible = np.zeros(40, dtype=bool)
    eligible[[0, 3, 4, 9, 17, 18, 30, 39]] = True
    runs = 4_000
    share = np.mean([balanced_arms(rng.random(40), eligible, 0) for _ in range(runs)], axis=0)
    assert np.all(share[~eligible] == 0.0)
    # Each eligible unit is treated with probability 1/2; 5 standard errors (sd 0.5 / sqrt(runs)) keeps false alarms
    # far below 1 in 1,000 over the eight units.
    assert np.all(np.abs(share[eligible] - 0.5) < 5 * 0.5 / np.sqrt(runs)), share[eligible]
