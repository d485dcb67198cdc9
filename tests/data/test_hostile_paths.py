"""A mapping reads only files inside the data folder or its own folder; an absolute path, `..`, a glob or a link
that leaves them is an error unless the user allows it (--allow-outside-data, allow_outside_data=True)."""

from __future__ import annotations

import pytest

from cxscale.errors import DataError
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, report_of, write_csv
from tests.data.hostile import assert_one_line, cli

COLUMNS = "{interaction_id: interaction_id, customer_id: customer_id, started_at: started_at, channel: channel}"


def _mapping(folder, source):
    path = folder / "m.yaml"
    path.write_text(f"mapping_version: 1\ntables:\n  interactions:\n    source: '{source}'\n    columns: {COLUMNS}\n")
    return path


@pytest.fixture
def layout(tmp_path):
    """data/ (the PATH), maps/ (the mapping's folder) and secret/ (outside both), each with an interactions file."""
    for name in ("data", "maps", "secret"):
        write_csv(tmp_path / name / "interactions.csv", INTERACTIONS_HEADER, GOOD_INTERACTIONS)
    return tmp_path


@pytest.mark.parametrize("source", ["../secret/interactions.csv", "{root}/secret/interactions.csv",
                                    "../secret/*.csv", "../*/interactions.csv"])
def test_a_source_outside_the_data_and_mapping_folders_is_refused(layout, source):
    mapping = _mapping(layout / "maps", source.format(root=layout))
    with pytest.raises(DataError, match="outside the data folder"):
        report_of(layout / "data", mapping)
    assert_one_line(*cli("validate", layout / "data", "--mapping", mapping), "outside the data folder",
                    "--allow-outside-data")
    assert_one_line(*cli("diagnose", "--json", "--data", layout / "data", "--mapping", mapping),
                    "outside the data folder")


def test_a_link_inside_the_folder_to_a_file_outside_is_refused(layout):
    (layout / "data" / "linked.csv").symlink_to(layout / "secret" / "interactions.csv")
    with pytest.raises(DataError, match="outside the data folder"):
        report_of(layout / "data", _mapping(layout / "maps", "linked.csv"))


def test_allowing_outside_data_explicitly_reads_the_file(layout):
    mapping = _mapping(layout / "maps", "../secret/interactions.csv")
    assert report_of(layout / "data", mapping, allow_outside_data=True).ok
    code, output = cli("validate", layout / "data", "--mapping", mapping, "--allow-outside-data")
    assert code == 0, output


@pytest.mark.parametrize("source", ["interactions.csv", "./interactions.csv", "sub/../interactions.csv"])
def test_sources_inside_the_data_or_mapping_folder_are_read(layout, source):
    (layout / "data" / "sub").mkdir()
    assert report_of(layout / "data", _mapping(layout / "maps", source)).ok
    (layout / "data" / "interactions.csv").unlink()  # now only the mapping's folder has it
    (layout / "maps" / "sub").mkdir()
    assert report_of(layout / "data", _mapping(layout / "maps", source)).ok
