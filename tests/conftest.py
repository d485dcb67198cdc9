"""Shared fixtures: real engines (DuckDB and local Spark), the shared real datasets, a small simulated world."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Rich fixes a console's width from COLUMNS when the console is made (on the first import of cxscale.cli). Make it
# here, with no COLUMNS, so every test's own COLUMNS applies whichever test happens to import the CLI first.
os.environ.pop("COLUMNS", None)
import cxscale.cli  # noqa: E402, F401

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CXSCALE_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data; skips the test when absent unless CXSCALE_REQUIRE_SHARED_DATA=1 (then fails)."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CXSCALE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{path} is missing and CXSCALE_REQUIRE_SHARED_DATA=1: the shared datasets must be present")
        pytest.skip(f"{path} is absent (the real datasets live beside the checkout in ../shared/data)")
    return path


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest):
    """A real engine connection: in-process DuckDB, and a local-mode Spark session (Java 17)."""
    from cxscale.engine import connect

    return connect(request.param)


@pytest.fixture
def duckdb_con():
    from cxscale.engine import connect

    return connect("duckdb")
