"""`--json` is strict JSON in every case: a number that is not finite is null, never NaN or Infinity (which jq and
browsers refuse) and never a traceback (cxscale.cli._app.print_json)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from cxscale.cli._app import print_json
from tests.test_cli_contract import _run_main, _strict_json


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxscale.simulate import simulate

    out = tmp_path_factory.mktemp("strict_json") / "world"
    simulate("support", 1500, 3, out)
    return out


def _printed(capsys: pytest.CaptureFixture[str], document: object) -> object:
    print_json(document)
    return _strict_json(capsys.readouterr().out)


def test_a_readout_with_non_finite_numbers_prints_them_as_null(world, capsys):
    from cxscale.measure.run import measure_spec

    doc = measure_spec(world / "pilots" / "proactive_alerts.yaml").to_json()
    doc["metrics"][0]["effect_rel"] = float("nan")
    doc["metrics"][0]["ci_rel"] = [float("-inf"), np.float64("inf")]
    doc["value"] = {**(doc["value"] or {}), "annual": np.float32("nan")}
    out = _printed(capsys, doc)
    assert out["metrics"][0]["effect_rel"] is None and out["metrics"][0]["ci_rel"] == [None, None]
    assert out["value"]["annual"] is None and out["pilot"] == "proactive_alerts"


def test_a_diagnosis_with_non_finite_numbers_prints_them_as_null(world, capsys):
    from cxscale.data import open_data
    from cxscale.journey import diagnose

    d = diagnose(open_data(world, validate=False)).top(3)  # the model's serializer writes a NaN or infinity as null
    d.totals.cost = float("inf")
    d.hotspots[0].baseline.csat_mean = np.float64("nan")
    out = _printed(capsys, d.as_json())
    assert out["totals"]["cost"] is None and out["hotspots"][0]["baseline"]["csat_mean"] is None
    assert isinstance(out["hotspots"][0]["volume"], int)


def test_numpy_arrays_and_nested_tuples_print_as_lists(capsys):
    out = _printed(capsys, {"ci": (np.array([1.5, np.nan]), (np.inf, 2))})
    assert out == {"ci": [[1.5, None], [None, 2]]}


def test_diagnose_json_of_data_with_an_infinite_cost_is_strict_json_or_one_line(world, tmp_path, monkeypatch):
    # Data read as it is (a contract-typed world, no mapping): an infinite cost reached the totals and --json raised
    # "Out of range float values are not JSON compliant".
    bad = tmp_path / "world"
    shutil.copytree(world, bad)
    part = next((bad / "interactions").glob("*.parquet"))
    duckdb.execute(f"COPY (SELECT * REPLACE (CASE WHEN row_number() OVER () = 3 THEN 'inf'::DOUBLE ELSE cost END "
                   f"AS cost) FROM '{part}') TO '{tmp_path / 'part.parquet'}'")
    shutil.move(tmp_path / "part.parquet", part)
    code, out, err = _run_main(monkeypatch, "diagnose", "--data", str(bad), "--json")
    assert "Traceback" not in out + err
    if code == 0:
        assert _strict_json(out)["schema_version"] == 1
    else:  # the data contract may refuse the value instead: then one line
        assert code == 1 and len(err.strip().splitlines()) == 1, err
