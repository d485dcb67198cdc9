"""The same code on a real distributed engine: a Spark standalone cluster (one master, two workers on loopback,
started by the `spark_cluster` fixture, tests/spark_cluster.py) runs the engine suite's parity tests, and
`cxscale measure` and `cxscale diagnose --engine spark://127.0.0.1:PORT` give DuckDB's numbers to 1e-9 relative.

    pytest -m spark_cluster tests/test_spark_cluster.py     # about two minutes; Java 17 (make system-deps)
"""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from tests import test_engine as suite
from tests.test_engine import messy  # noqa: F401 - a fixture of the suite's tests

pytestmark = [pytest.mark.spark, pytest.mark.spark_cluster]

#: The engine suite's tests that run on the cluster: validation, loading and aggregates, time arithmetic, windows,
#: the dialect and the missing-value test (the others read Spark's catalog or mappings, which local mode covers).
SUBSET = ["test_validation_finds_the_same_rows_on_every_engine",
          "test_loading_derives_and_aggregates_the_same_on_every_engine",
          "test_epoch_seconds_and_floor_divide_round_down_on_every_engine",
          "test_bit_or_of_others_leaves_out_the_row_itself_on_every_engine",
          "test_each_engine_gets_its_own_dialect_by_its_backend_class",
          "test_blank_is_empty_or_whitespace_only_on_every_engine"]


@pytest.fixture(scope="module")
def cluster_con(spark_cluster: str):
    from cxscale.engine import connect

    con = connect(spark_cluster)
    assert con._session.sparkContext.master == spark_cluster  # the cluster, not local mode
    return con


@pytest.mark.parametrize("name", SUBSET)
def test_the_engine_suite_passes_on_the_cluster(name: str, cluster_con: Any, request: pytest.FixtureRequest) -> None:
    test = getattr(suite, name)
    args = {p: cluster_con if p == "engine" else request.getfixturevalue(p) for p in inspect.signature(test).parameters}
    test(**args)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxscale.simulate import simulate

    root = tmp_path_factory.mktemp("cluster") / "world"
    simulate(out=root, customers=3000, seed=11)
    return root


def _json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _same(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two JSON documents differ: numbers beyond 1e-9 relative, anything else unequal."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(a.keys() | b.keys()) for d in _same(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _same(x, y, f"{path}[{i}]")]
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_measure_on_the_cluster_equals_duckdb(world: Path, spark_cluster: str, cluster_con: Any) -> None:
    spec = str(world / "pilots" / "proactive_alerts.yaml")
    duck, spark = _json("measure", spec), _json("measure", spec, "--engine", spark_cluster)
    assert spark["verdict"] == duck["verdict"] and spark["metrics"]
    assert _same(duck, spark) == []


def test_diagnose_on_the_cluster_equals_duckdb(world: Path, spark_cluster: str, cluster_con: Any) -> None:
    duck = _json("diagnose", "--data", str(world))
    spark = _json("diagnose", "--data", str(world), "--engine", spark_cluster)
    assert spark["hotspots"]
    different = _same(duck, spark)
    assert [d for d in different if not d.startswith(".engine")] == []
