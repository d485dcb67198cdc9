"""A/A re-randomisation: the same units given new arms run after run, each run read out by the real readout."""

from __future__ import annotations

from typing import Any

import ibis


def relabelled(con: Any, name: str, table: Any, arms: Any) -> Any:
    """`table` (rows with a unit_id) with each unit's arm taken from `arms` (columns _k, _uid, _arm: one run's draw),
    as the temporary table `name`, replaced by every run. Each run's readout is then the same expression over the
    same tables, compiled once (cxscale.engine.dialect.compile_cache): what differs between runs is data, as it does
    between two days' readouts of one pilot."""
    joined = table.join(arms, table.unit_id == arms._uid).mutate(arm=ibis._._arm).drop("_k", "_uid", "_arm")
    return con.create_table(name, joined, temp=True, overwrite=True)
