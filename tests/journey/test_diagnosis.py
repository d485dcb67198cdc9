"""diagnose() gives the same answer on every engine, and reports what the data cannot support."""

from __future__ import annotations

import pytest

from cxscale.data.dataset import Dataset
from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.engine import connect
from cxscale.errors import DataError
from cxscale.journey import diagnose
from tests.conftest import parquet_table
from tests.contracts import assert_follows
from tests.journey.tables import mini_world, tiny_interactions


@pytest.fixture(scope="module")
def world_parquet(tmp_path_factory):
    path = tmp_path_factory.mktemp("mini") / "interactions.parquet"
    mini_world(customers=600).to_parquet(path)
    return path


def _diagnose(con, path):
    return diagnose(Dataset(con, {"interactions": parquet_table(con, path)}, str(path)))


@pytest.mark.slow
def test_hotspots_and_flows_are_the_same_on_every_engine(engine, world_parquet):
    got = _diagnose(engine, world_parquet)
    assert_follows(DiagnosisDocument, got.as_json())
    ref = _diagnose(connect("duckdb"), world_parquet)
    assert [(h.intent, h.journey_stage, h.volume) for h in got.hotspots] == \
        [(h.intent, h.journey_stage, h.volume) for h in ref.hotspots]
    for k in ("repeat_contact_rate", "transfer_rate", "avoidable_cost", "score"):
        assert [getattr(h, k) for h in got.hotspots] == pytest.approx([getattr(h, k) for h in ref.hotspots]), k
    assert got.flows == ref.flows


def test_notes_say_what_is_unavailable(duckdb_con):
    d = diagnose(Dataset(duckdb_con, {"interactions": duckdb_con.create_table("t", tiny_interactions())}, "tiny"))
    assert any("no outcomes table" in n for n in d.notes)
    assert any("covers only" in n for n in d.notes)  # 21 days of data: per-year money is an extrapolation


def test_an_empty_table_is_a_data_error(duckdb_con):
    empty = tiny_interactions().iloc[:0]
    t = duckdb_con.create_table("empty", empty, schema=duckdb_con.create_table("s", tiny_interactions()).schema())
    with pytest.raises(DataError, match="empty"):
        diagnose(Dataset(duckdb_con, {"interactions": t}, "empty.csv"))
