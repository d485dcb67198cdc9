"""A/A re-randomisation: the same units given new arms run after run, each run read out by the real readout."""

from __future__ import annotations

from typing import Any


def relabelled(con: Any, name: str, table: Any, arms: Any, k: int) -> Any:
    """`table` (rows with a unit_id) with each unit's arm taken from run `k` of `arms` (columns _k, _uid, _arm: every
    run's draws), as the temporary table `name`, replaced by every run. Each run's readout is then the same expression
    over the same tables, compiled once (cxscale.engine.dialect.compile_cache): what differs between runs is data, as
    it does between two days' readouts of one pilot. The table is written by one SQL statement with the run number in
    it, so that no Ibis expression is built and compiled anew per run."""
    con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT t.* REPLACE (a._arm AS arm) '
                f"FROM ({con.compile(table)}) AS t JOIN ({con.compile(arms)}) AS a ON t.unit_id = a._uid "
                f"WHERE a._k = {int(k)}")
    return con.table(name)
