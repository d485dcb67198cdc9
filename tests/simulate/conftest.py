"""Small simulated worlds shared by the simulator tests (a few thousand customers: each is written in well under a
second)."""

from __future__ import annotations

import pytest

from cxscale.simulate import simulate


@pytest.fixture(scope="session")
def support_world(tmp_path_factory):
    return simulate("support", customers=6_000, seed=7, out=tmp_path_factory.mktemp("support"))


@pytest.fixture(scope="session")
def scheduling_world(tmp_path_factory):
    return simulate("scheduling", customers=4_000, seed=7, out=tmp_path_factory.mktemp("scheduling"))
