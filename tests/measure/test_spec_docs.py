"""docs/pilot-spec.md cannot rot: every ```yaml block on it is a valid pilot spec, every field of the format is
documented, and the complete examples read out on a simulated world."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from cxscale.documents.pilot_spec import PilotSpec, load_spec
from cxscale.errors import SpecError
from tests.contracts import assert_follows

DOC = Path(__file__).resolve().parents[2] / "docs" / "pilot-spec.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(), flags=re.MULTILINE | re.DOTALL)


BLOCKS = _yaml_blocks()


def _load(text: str, tmp_path: Path, name: str = "spec.yaml") -> PilotSpec:
    path = tmp_path / name
    path.write_text(text)
    return load_spec(path)


def test_the_page_holds_a_minimal_spec_and_complete_examples_of_both_designs():
    specs = [assert_follows(PilotSpec, yaml.safe_load(b)) for b in BLOCKS]  # the JSON Schema passes them too
    assert len(BLOCKS) >= 3
    assert any(s.design == "randomised" and s.unit == "customer" and s.primary.metric == "cost_to_serve"
               for s in specs)
    assert any(s.design == "rollout" and s.unit == "site" for s in specs)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_every_yaml_block_of_the_page_loads_as_a_pilot_spec(index, tmp_path):
    spec = _load(BLOCKS[index], tmp_path)
    assert spec.spec_version == 1 and (spec.primary.target is not None or spec.design == "observational")


def _fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        out.append(prefix + name)
        sub = info.annotation
        for candidate in getattr(sub, "__args__", (sub,)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and prefix + name in (
                    "windows", "options", "value"):
                out.extend(_fields(candidate, prefix + name + "."))
    return out


@pytest.mark.parametrize("field", _fields(PilotSpec) + ["metric", "target", "max_harm", "relative", "absolute"])
def test_every_field_of_the_format_is_documented_on_the_page(field):
    assert f"`{field}`" in DOC.read_text(), f"docs/pilot-spec.md does not document `{field}`"


def test_a_slogan_primary_without_a_target_is_rejected_naming_primary_target(tmp_path):
    slogan = "spec_version: 1\npilot: better_cx\nprimary:\n  metric: csat_mean\n"
    with pytest.raises(SpecError, match=r"primary\.target") as err:
        _load(slogan, tmp_path, "slogan.yaml")
    assert "slogan.yaml" in str(err.value)


def test_a_misspelt_field_is_rejected_naming_the_field_path(tmp_path):
    text = "pilot: p\nprimary: {metric: aht, target: {relative: -0.05}}\nwindows: {post_day: 28}\n"
    with pytest.raises(SpecError, match=r"windows\.post_day"):
        _load(text, tmp_path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxscale.simulate import simulate

    out = tmp_path_factory.mktemp("spec_docs") / "world"
    simulate("support", 2000, 42, out)
    return out


def test_the_documented_examples_read_out_on_the_simulated_world(world, tmp_path):
    from cxscale.data import open_data
    from cxscale.measure.readout import readout

    ds = open_data(world, validate=False)
    pilots = {p.name.removesuffix(".yaml") for p in (world / "pilots").glob("*.yaml")}
    read = []
    for i, block in enumerate(BLOCKS):
        spec = _load(block, tmp_path, f"block{i}.yaml")
        if spec.pilot not in pilots:
            continue
        doc = readout(spec, ds).to_json()
        assert doc["pilot"] == spec.pilot and doc["design"] == spec.design
        assert doc["metrics"][0]["name"] == spec.primary.metric and doc["metrics"][0]["role"] == "primary"
        read.append(spec.design)
    assert {"randomised", "rollout"} <= set(read)
