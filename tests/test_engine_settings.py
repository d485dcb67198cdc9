"""The engine's memory can be bounded from the environment, so big data fits a small machine."""

from __future__ import annotations

from cxscale.engine import connect


def test_memory_limit_and_temp_dir_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CXSCALE_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("CXSCALE_TEMP_DIR", str(tmp_path / "spill"))
    con = connect("duckdb")
    limit = con.raw_sql("select current_setting('memory_limit')").fetchone()[0]
    temp = con.raw_sql("select current_setting('temp_directory')").fetchone()[0]
    assert limit.replace(" ", "") in ("953.6MiB", "1.0GiB", "1GB")
    assert temp == str(tmp_path / "spill")
