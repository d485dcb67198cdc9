"""A pilot spec says what success is; cxscale refuses or flags specs that cannot say it."""

from __future__ import annotations

import pytest

from cxscale.documents.pilot_spec import load_spec
from cxscale.errors import SpecError
from cxscale.measure.readout import spec_warnings
from cxscale.metrics import load_catalog

BASE = "pilot: p\\nprimary: {metric: cost_to_serve, target: {relative: %s}}\\n"


def _write(tmp_path, text: str):
    f = tmp_path / "spec.yaml"
    f.write_text(text.replace("\\n", "\n"))
    return f


def test_an_unknown_spec_version_is_refused(tmp_path):
    with pytest.raises(SpecError, match="spec_version"):
        load_spec(_write(tmp_path, "spec_version: 7\\n" + BASE % "-0.05"))


def test_a_missing_target_is_named_without_noise(tmp_path):
    with pytest.raises(SpecError) as err:
        load_spec(_write(tmp_path, "pilot: p\\nprimary: {metric: cost_to_serve}\\n"))
    assert "primary.target is required" in str(err.value)
    assert "Value error" not in str(err.value) and "(top level)" not in str(err.value)


def test_a_target_in_the_metrics_bad_direction_is_flagged(tmp_path):
    catalog = load_catalog()
    wrong = spec_warnings(load_spec(_write(tmp_path, BASE % "0.05")), catalog)
    right = spec_warnings(load_spec(_write(tmp_path, BASE % "-0.05")), catalog)
    assert any("wrong way" in w and "lower is better" in w for w in wrong)
    assert not any("wrong way" in w for w in right)
