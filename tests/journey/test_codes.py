"""Integer codes for the dimensions change nothing but speed: sums and flows equal those computed over the names."""

from __future__ import annotations

import pandas as pd

from cxscale.journey import DiagnosisOptions, enriched_contacts
from cxscale.journey.codes import DIMENSIONS, cell_codes
from cxscale.journey.contacts import base_contacts
from cxscale.journey.flows import FLOW_DIMENSIONS, flow_graphs
from cxscale.journey.friction import GRAIN, friction_sums
from tests.journey.tables import mini_world, tiny_interactions, tiny_outcomes

OPTIONS = DiagnosisOptions()


def _both(con, interactions: pd.DataFrame, outcomes: pd.DataFrame | None = None):
    t = con.create_table("contacts", interactions, overwrite=True)
    o = None if outcomes is None else con.create_table("outcomes", outcomes, overwrite=True)
    cells = cell_codes(base_contacts(t)).cache()
    named = enriched_contacts(t, OPTIONS, o)
    coded = enriched_contacts(t, OPTIONS, o, cells=cells)
    return named, coded, cells


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(GRAIN).reset_index(drop=True)


def test_sums_over_codes_equal_sums_over_names(duckdb_con):
    named, coded, cells = _both(duckdb_con, mini_world(customers=300))
    by_name = _sorted(friction_sums(named, OPTIONS).to_pandas())
    by_code = _sorted(friction_sums(coded, OPTIONS, cells).to_pandas())[by_name.columns]
    assert len(by_name) > 20
    pd.testing.assert_frame_equal(by_name, by_code, check_dtype=False)


def test_flows_over_codes_equal_flows_over_names_ties_included(duckdb_con):
    named, coded, cells = _both(duckdb_con, mini_world(customers=300))
    dims = tuple(FLOW_DIMENSIONS)
    # A small limit cuts through edges of equal count: they must still rank by name, not by code.
    for limit in (5, 200):
        assert flow_graphs(named, dims, limit) == flow_graphs(coded, dims, limit, cells)


def test_codes_carry_failures_after_contact_and_missing_dimensions(duckdb_con):
    df = tiny_interactions()
    df.loc[0, "journey_stage"] = None  # a missing stage groups as "unknown"
    named, coded, cells = _both(duckdb_con, df, tiny_outcomes())
    by_name = _sorted(friction_sums(named, OPTIONS).to_pandas())
    by_code = _sorted(friction_sums(coded, OPTIONS, cells).to_pandas())[by_name.columns]
    pd.testing.assert_frame_equal(by_name, by_code, check_dtype=False)
    assert by_code["failures_following"].sum() == 1 and "unknown" in set(by_code["journey_stage"])
    assert set(cells.to_pandas().columns) >= {*DIMENSIONS, "cell"}
