"""The YAML people write (pilot specs, metric files, mappings) has one reading: what could parse two ways is refused
with one line naming the file, the key path and the line (cxscale/yamlfile.py, cxscale.documents.StrictModel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxscale.data.mapping import load_mapping
from cxscale.documents.pilot_spec import dump_spec, load_spec
from cxscale.errors import SpecError
from cxscale.metrics.catalog import read_metrics

SPEC = """spec_version: 1
pilot: proactive_alerts
primary:
  metric: cost_to_serve
  target:
    relative: -0.05
"""


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


def _refused(load, path: Path, *names: str) -> str:
    """The one-line message of the SpecError `load(path)` raises; it names the file and each of `names`."""
    with pytest.raises(SpecError) as err:
        load(path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{path}: "), msg
    for name in names:
        assert name in msg, f"{name!r} not in {msg!r}"
    return msg


# ---- a key given twice keeps its last value in plain YAML: refused at any depth ------------------------------------


@pytest.mark.parametrize(("text", "key", "line", "first"), [
    (SPEC + "primary:\n  metric: aht\n  target: {relative: -0.05}\n", "primary", 7, 3),
    (SPEC + "    relative: -0.5\n", "primary.target.relative", 7, 6),
    (SPEC + "guardrails:\n- metric: csat_mean\n  metric: aht\n  max_harm: {relative: -0.02}\n",
     "guardrails[0].metric", 9, 8),
    (SPEC + "windows: {post_days: 14, post_days: 56}\n", "windows.post_days", 7, 7),
], ids=["top level", "nested", "in a list item", "in a flow mapping"])
def test_a_key_given_twice_in_a_spec_is_refused_with_its_path_and_both_lines(tmp_path, text, key, line, first):
    _refused(load_spec, _spec(tmp_path, text), f"{key} (line {line}): key given twice (first on line {first})")


def test_a_key_given_twice_in_a_metric_file_is_refused(tmp_path):
    path = tmp_path / "metrics.yaml"
    path.write_text("metrics:\n  - name: hold_cost\n    direction: lower\n    type: sum\n    numerator: cost\n"
                    "    type: count\n")
    _refused(read_metrics, path, "metrics[0].type (line 6)", "first on line 4")


def test_a_column_mapped_twice_in_a_mapping_is_refused(tmp_path):
    path = tmp_path / "crm.yaml"
    path.write_text("mapping_version: 1\ntables:\n  interactions:\n    source: export.csv\n    columns:\n"
                    "      interaction_id: Ticket\n      customer_id: Client\n      started_at: Opened\n"
                    "      channel: Medium\n      customer_id: Account\n")
    _refused(load_mapping, path, "tables.interactions.columns.customer_id (line 10)", "first on line 7")


# ---- NaN and infinity are not numbers a user means ----------------------------------------------------------------


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "+.Inf", "1.0e400"])
def test_a_target_that_is_not_a_finite_number_is_refused(tmp_path, value):
    path = _spec(tmp_path, SPEC.replace("-0.05", value))
    _refused(load_spec, path, f"primary.target.relative (line 6): {value} is not a finite number")


def test_a_non_finite_constant_in_a_mapping_is_refused(tmp_path):
    path = tmp_path / "crm.yaml"
    path.write_text("mapping_version: 1\ntables:\n  interactions:\n    source: export.csv\n    columns:\n"
                    "      interaction_id: Ticket\n      customer_id: Client\n      started_at: Opened\n"
                    "      channel: Medium\n      csat: {value: .nan}\n")
    _refused(load_mapping, path, "tables.interactions.columns.csat.value (line 10)", "not a finite number")


# ---- a boolean is not a number, a float is not a whole number of days, a choice is not a boolean --------------------


@pytest.mark.parametrize(("extra", "key", "found"), [
    ("windows:\n  post_days: yes\n", "windows.post_days (line 8)", "'yes'"),
    ("windows:\n  post_days: true\n", "windows.post_days (line 8)", "True"),
    ("windows:\n  pre_days: 28.0\n", "windows.pre_days (line 8)", "28.0"),
    ("options: {cuped: 1}\n", "options.cuped (line 7)", "1"),
    ("options: {cuped: off}\n", "options.cuped (line 7)", "'off'"),
    ("expected_split: {control: 1, treatment: true}\n", "expected_split.treatment (line 7)", "True"),
    ("options: {planned_units_per_arm: false}\n", "options.planned_units_per_arm (line 7)", "False"),
], ids=["yes as days", "true as days", "28.0 as days", "1 as a boolean", "off as a boolean", "true as a share",
        "false as a count"])
def test_a_value_of_the_wrong_type_is_refused_not_coerced(tmp_path, extra, key, found):
    _refused(load_spec, _spec(tmp_path, SPEC + extra), f"invalid pilot spec: {key}", f"(found {found})")


def test_spec_version_true_is_not_version_1(tmp_path):
    _refused(load_spec, _spec(tmp_path, SPEC.replace("spec_version: 1", "spec_version: true")),
             "spec_version (line 1)", "not a boolean")


def test_yaml_1_1_number_forms_read_as_written(tmp_path):
    # YAML 1.1 reads 010 as eight and 1:30 as ninety; the strict reading is the one a person sees.
    spec = load_spec(_spec(tmp_path, SPEC + "description: 1:30\nwindows: {pre_days: 010}\n"))
    assert spec.windows.pre_days == 10 and spec.description == "1:30"


def test_numbers_people_write_still_read_as_numbers(tmp_path):
    # Strict models still take an integer where a float belongs, nested mappings as models and 1e-2 as a number.
    spec = load_spec(_spec(tmp_path, SPEC.replace("relative: -0.05", "absolute: -2") + "options: {alpha: 1e-2}\n"
                           "expected_split: {control: 1, treatment: 3}\n"))
    assert spec.primary.target.absolute == -2.0 and spec.options.alpha == 0.01
    assert spec.expected_split == {"control": 1.0, "treatment": 3.0}


def test_a_spec_cxscale_writes_reads_back_unchanged(tmp_path):
    # Text that the strict reading takes for a number ("1e5", "0o17") is quoted when written.
    spec = load_spec(_spec(tmp_path, SPEC + "description: '1e5'\ncontrol: '0o17'\n"))
    dump_spec(spec, tmp_path / "again.yaml")
    assert load_spec(tmp_path / "again.yaml") == spec


@pytest.mark.parametrize(("text", "names"), [
    (SPEC + "windows: [\n", ["not valid YAML at line 8"]),
    (SPEC + "description: !!float twelve\n", ["not valid YAML at line 7", "'twelve' is not a number"]),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", ["nested too deeply"]),
], ids=["unclosed list", "a tag that does not convert", "nested 5,000 deep"])
def test_bad_yaml_is_one_line_not_a_traceback(tmp_path, text, names):
    _refused(load_spec, _spec(tmp_path, text), *names)


def test_the_cli_refuses_a_duplicate_key_in_one_line(tmp_path):
    from tests.test_cli_contract import _run_main

    path = _spec(tmp_path, SPEC + "primary:\n  metric: aht\n  target: {relative: -0.05}\n")
    with pytest.MonkeyPatch.context() as mp:
        code, out, err = _run_main(mp, "measure", str(path), "--data", str(tmp_path))
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.strip().splitlines() == [f"error: {path}: primary (line 7): key given twice (first on line 3); YAML "
                                        "would keep the last one silently, so give each key once"]


def test_a_window_longer_than_ten_years_is_refused_before_the_engine_overflows(tmp_path):
    # post_days: 99999999999 reached DuckDB and failed there with a ConversionException traceback.
    _refused(load_spec, _spec(tmp_path, SPEC + "windows: {post_days: 99999999999}\n"),
             "windows.post_days (line 7): Input should be less than or equal to 3650")
