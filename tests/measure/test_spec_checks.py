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


@pytest.mark.parametrize(("metric", "target", "flagged"), [
    ("resolution_rate", "{absolute: 1.5}", "+1.5 is a larger change than resolution_rate can make from any baseline "
                                           "(its range is 0-1): no pilot can reach it"),
    ("resolution_rate", "{absolute: -0.2}", None),
    ("resolution_rate", "{relative: 3}", None),  # from a baseline under 0.25 a share can rise by 300%
    ("csat_mean", "{relative: 5}", "+500% is a larger change than csat_mean can make from any baseline (its range is "
                                   "1-5, so at most -80% to +400%): no pilot can reach it"),
    ("csat_mean", "{relative: 0.05}", None),
    ("csat_mean", "{absolute: 4.5}", "+4.5 is a larger change than csat_mean"),
    ("cost_to_serve", "{relative: 9}", None),  # unbounded
])
def test_a_target_no_baseline_can_reach_is_flagged(tmp_path, metric, target, flagged):
    spec = load_spec(_write(tmp_path, f"pilot: p\\nprimary: {{metric: {metric}, target: {target}}}\\n"))
    warned = [w for w in spec_warnings(spec, load_catalog()) if "no pilot can reach it" in w]
    assert warned == ([] if flagged is None else [w for w in warned if flagged in w]) and bool(warned) == bool(flagged)
