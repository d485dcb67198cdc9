"""The validation cache (cxscale.data.cache): a pass is reused only while the source's files are unchanged, and a
failure is never kept, so a cached result can never let rejected rows through as a pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from cxscale.data import open_data
from cxscale.data.cache import cache_folder, fingerprint, load_pass
from cxscale.data.prepared import prepare_origin
from cxscale.data.readers import open_origin
from cxscale.settings import Settings
from tests.data.conftest import GOOD_INTERACTIONS, INTERACTIONS_HEADER, corrupt, write_csv, write_good_folder


def _open(source: Path, cache: Path):  # noqa: ANN202 - a Dataset
    return open_data(source, validation_cache=cache)


def test_a_pass_is_reused_while_the_files_are_unchanged_and_checked_again_when_one_changes(tmp_path):
    data, cache = write_good_folder(tmp_path / "data"), tmp_path / "cache"
    first = _open(data, cache)
    assert first.report is not None and first.report.ok and first.report.reused is None
    assert len(list(cache.glob("*.json"))) == 1
    again = _open(data, cache)
    assert again.report is not None and again.report.reused is not None
    assert again.report.to_dict() == first.report.to_dict()  # the same counts, table by table
    assert any("the result is reused" in n for n in again.notes)
    assert again.interactions.count().execute() == first.interactions.count().execute()
    # One more (valid) contact: the file changed, so it is checked again and the new count is reported.
    write_csv(data / "interactions.csv", INTERACTIONS_HEADER,
              [*GOOD_INTERACTIONS, ["i7", "c4", "2026-01-23 08:00:00", "voice", "billing", "90", "3"]])
    changed = _open(data, cache)
    assert changed.report is not None and changed.report.reused is None
    assert changed.report.tables["interactions"].rows_read == len(GOOD_INTERACTIONS) + 1


def test_a_cached_pass_is_not_reused_for_a_file_changed_to_fail_even_with_its_size_and_time_kept(tmp_path):
    data, cache = write_good_folder(tmp_path / "data"), tmp_path / "cache"
    assert _open(data, cache).report.ok  # type: ignore[union-attr]
    f = data / "interactions.csv"
    before, stat = f.read_bytes(), f.stat()
    # Same length: csat 5 -> 9 (out of range); the modification time is put back as it was.
    write_csv(f, INTERACTIONS_HEADER, corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 1, "csat", "9"))
    assert len(f.read_bytes()) == len(before)
    os.utime(f, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    ds = _open(data, cache)
    assert ds.report is not None and ds.report.reused is None and not ds.report.ok
    assert ds.report.tables["interactions"].rows_rejected == 1
    assert ds.interactions.count().execute() == len(GOOD_INTERACTIONS) - 1  # the rejected row is left out


def test_a_failure_is_never_kept_nor_read_back_as_a_pass(tmp_path):
    data, cache = write_good_folder(tmp_path / "data"), tmp_path / "cache"
    write_csv(data / "interactions.csv", INTERACTIONS_HEADER,
              corrupt(GOOD_INTERACTIONS, INTERACTIONS_HEADER, 2, "handle_seconds", "-5"))
    for _ in range(2):
        ds = _open(data, cache)
        assert ds.report is not None and not ds.report.ok and ds.report.reused is None
    assert not list(cache.glob("*.json"))
    # A forged entry holding this failure under the source's key is refused as well.
    origin = open_origin(data)
    prep = prepare_origin(origin, str(data), validating=False)
    key = fingerprint(origin, prep)
    assert key is not None
    cache.mkdir(exist_ok=True)
    (cache / f"{key}.json").write_text(json.dumps({"key": key, "validated_at": "x", "report": ds.report.to_dict()}))
    assert load_pass(cache, key) is None
    assert not _open(data, cache).report.ok  # type: ignore[union-attr]


def test_the_cache_keeps_at_most_keep_entries(tmp_path, monkeypatch):
    import cxscale.data.cache as cache

    monkeypatch.setattr(cache, "KEEP", 2)
    report = _open(write_good_folder(tmp_path / "data"), tmp_path / "cache").report
    assert report is not None
    past = time.time() - 100  # file times in order whatever the clock's granularity
    os.utime(next((tmp_path / "cache").glob("*.json")), (past - 10, past - 10))
    for i, key in enumerate(("a", "b", "c")):
        cache.store_pass(tmp_path / "cache", key, report)
        if key != "c":
            os.utime(tmp_path / "cache" / f"{key}.json", (past + i, past + i))
    assert sorted(f.stem for f in (tmp_path / "cache").glob("*.json")) == ["b", "c"]


def test_a_parquet_file_rewritten_with_other_values_is_checked_again(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    write_good_folder(data)
    src = data / "interactions.csv"
    target = data / "interactions.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select * from read_csv('{src}', all_varchar=true)) to '{target}'")
    src.unlink()
    assert _open(data, cache).report.ok  # type: ignore[union-attr]
    stat = target.stat()
    with duckdb.connect() as con:
        con.execute(f"copy (select * replace (case when interaction_id = 'i2' then 'i1' else interaction_id end "
                    f"as interaction_id) from '{target}') to '{tmp_path / 'x.parquet'}'")
    os.replace(tmp_path / "x.parquet", target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    ds = _open(data, cache)
    assert ds.report is not None and ds.report.reused is None
    assert [r.rule for r in ds.report.tables["interactions"].rules] == ["duplicate_id"]


def test_the_cli_reuses_a_pass_says_so_and_checks_again_on_request(tmp_path):
    data = write_good_folder(tmp_path / "data")
    (data / "pilots").mkdir()
    (data / "pilots" / "p1.yaml").write_text("spec_version: 1\npilot: p1\nprimary:\n  metric: contacts_per_customer\n"
                                             "  target:\n    relative: -0.05\n"
                                             "windows:\n  pre_days: 0\n  post_days: 28\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "CXSCALE_CACHE_DIR": str(tmp_path / "cache"), "CXSCALE_VALIDATION_CACHE": "true"}

    def cxscale(*args: str, **more: str) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-c", "from cxscale.cli import run; run()", *args],
                              capture_output=True, text=True, env={**env, **more}, timeout=300)
        assert done.returncode == 0, done.stderr
        return done

    def reused(*extra: str, **more: str) -> bool:
        """Whether diagnose's notes say the validation was read back."""
        notes = json.loads(cxscale("diagnose", "--data", str(data), "--json", *extra, **more).stdout)["notes"]
        return any("the result is reused" in n for n in notes)

    assert not reused()
    assert reused()
    assert not reused("--revalidate")
    assert not reused(CXSCALE_VALIDATION_CACHE="false")
    assert cache_folder(Settings.defaults().model_copy(update={"validation_cache": False})) is None
    measured = cxscale("measure", str(data / "pilots" / "p1.yaml"), "--data", str(data), "--json")
    assert "not checked again" in measured.stderr and json.loads(measured.stdout)["pilot"] == "p1"
    assert "not checked again" not in cxscale("measure", str(data / "pilots" / "p1.yaml"), "--data", str(data),
                                              "--json", "--revalidate").stderr
