"""Pilot specs beside the data declare arms; a broken draft among them must not stop the data from loading."""

from __future__ import annotations

from cxscale.data import open_data
from cxscale.simulate import simulate
from tests.data.conftest import report_of


def test_a_broken_spec_in_pilots_is_noted_not_fatal(tmp_path):
    simulate(customers=1500, seed=5, out=tmp_path)
    (tmp_path / "pilots" / "draft.yaml").write_text("pilot: draft\nprimary: {metric: cost_to_serve}\n")
    report = report_of(tmp_path)
    assert report.ok
    ds = open_data(tmp_path, validate=False)
    assert any("draft.yaml" in n and "not read for its arms" in n for n in ds.notes)
