"""Opportunities: intent x journey-stage hotspots ranked by a transparent score (docs/diagnosis.md#score).

score = 100 * sum_k w_k * x_k / sum_k w_k over the components k the data supports, where each x_k is scaled to 0-1
by the largest value among the candidate hotspots:
- avoidable_cost: avoidable cost per year (currency);
- friction: mean of the friction rates the data has (7-day repeat contacts, transfers, channel switches, long
  waits, abandonment, failures after contact; shares 0-1);
- csat_damage: CSAT points below the overall mean times contacts (points x contacts; 0 when at or above the mean);
- volume: contacts.
Every hotspot carries its components (the points each one adds to the score), its baseline values and evidence.
"""

from __future__ import annotations

import math

import pandas as pd

from cxscale.documents.diagnosis import (
    AvoidableCostParts,
    Baseline,
    DiagnosisOptions,
    Hotspot,
    HotspotChannel,
    Signals,
)
from cxscale.journey.friction import dominant, rollup

HOTSPOT_GRAIN = ["intent", "journey_stage"]

#: Friction rates averaged into the friction component, and the kind of friction each one reveals.
FRICTION_RATES = {
    "repeat_contact_rate_7d": "repeat_contacts",
    "transfer_rate": "transfers",
    "channel_switch_rate": "channel_switching",
    "long_wait_rate": "long_waits",
    "abandonment_rate": "abandonment",
    "failure_rate": "outcome_failures",
}

#: A rate at least KIND_RATIO times the overall rate and KIND_MIN_GAP above it (a share: 0.02 is 2 points) marks a
#: kind of friction; a CSAT mean LOW_CSAT_GAP points below the overall mean marks low_csat.
KIND_RATIO = 1.25
KIND_MIN_GAP = 0.02
LOW_CSAT_GAP = 0.3


def _num(x: object) -> float | None:
    """A number the document holds: None for NaN/None (a rate or mean the data cannot support)."""
    if x is None:
        return None
    f = float(x)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def friction_index(cells: pd.DataFrame) -> pd.Series | None:
    """Mean of the friction rates (shares 0-1) the data has, per row of a rollup; None when it has none."""
    rates = [r for r in FRICTION_RATES if cells[r].notna().any()]
    return cells[rates].mean(axis=1, skipna=True) if rates else None


def _components(cells: pd.DataFrame, overall: dict, annualise: float,
                weights: dict[str, float]) -> pd.DataFrame:
    raw = pd.DataFrame(index=cells.index)
    raw["avoidable_cost"] = cells["avoidable_cost"] * annualise
    friction = friction_index(cells)
    if friction is not None:
        raw["friction"] = friction
    if cells["csat_mean"].notna().any():
        gap = (overall["csat_mean"] - cells["csat_mean"]).clip(lower=0).fillna(0)
        raw["csat_damage"] = gap * cells["volume"]
    raw["volume"] = cells["volume"].astype("float64")
    used = {k: w for k, w in weights.items() if k in raw.columns and w > 0}
    total_w = sum(used.values()) or 1.0
    points = pd.DataFrame(index=cells.index)
    for k, w in used.items():
        top = raw[k].max()
        scaled = raw[k] / top if top and top > 0 else raw[k] * 0
        points[f"points_{k}"] = 100 * w / total_w * scaled.fillna(0)
    points["score"] = points.sum(axis=1)
    return raw.add_prefix("raw_").join(points)


def _kinds(row: dict, overall: dict) -> list[str]:
    kinds = []
    for rate, kind in FRICTION_RATES.items():
        v, base = row[rate], overall[rate]
        if pd.notna(v) and pd.notna(base) and v >= KIND_RATIO * base and v - base >= KIND_MIN_GAP:
            kinds.append(kind)
    if pd.notna(row["csat_mean"]) and pd.notna(overall["csat_mean"]) and row["csat_mean"] <= overall["csat_mean"] - LOW_CSAT_GAP:
        kinds.append("low_csat")
    return kinds


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _evidence(row: dict, overall: dict, annualise: float, currency: str) -> list[str]:
    ev = [f"{int(row['volume']):,} contacts ({_pct(row['volume'] / overall['volume'])} of all) in the period"]
    for rate, label in (("repeat_contact_rate_7d", "7-day repeat-contact rate"), ("transfer_rate", "transfer rate"),
                        ("channel_switch_rate", "channel-switch rate"), ("long_wait_rate", "long-wait rate"),
                        ("abandonment_rate", "abandonment rate"), ("failure_rate", "failure after contact")):
        if pd.notna(row[rate]) and pd.notna(overall[rate]):
            ratio = f" ({row[rate] / overall[rate]:.1f}x)" if overall[rate] > 0 else ""
            ev.append(f"{label} {_pct(row[rate])} vs {_pct(overall[rate])} overall{ratio}")
    if pd.notna(row["csat_mean"]):
        ev.append(f"CSAT {row['csat_mean']:.2f} vs {overall['csat_mean']:.2f} overall; "
                  f"detractors {_pct(row['detractor_share'])}")
    ev.append(
        f"avoidable cost {row['avoidable_cost'] * annualise:,.0f} {currency}/year: repeats "
        f"{row['avoidable_cost_repeat'] * annualise:,.0f}, channel switches "
        f"{row['avoidable_cost_switch'] * annualise:,.0f}, transfers {row['avoidable_cost_transfer'] * annualise:,.0f}"
    )
    return ev


BASELINE_FIELDS = (
    "repeat_contact_rate_7d", "repeat_contact_rate_14d", "repeat_contact_rate_30d", "transfer_rate",
    "channel_switch_rate", "long_wait_rate", "abandonment_rate", "wait_mean_seconds", "aht_seconds",
    "time_to_resolution_seconds",
    "contacts_per_episode", "first_contact_resolution", "csat_mean", "csat_sd", "csat_responses", "detractor_share",
    "failure_rate", "episodes", "cost_per_contact", "cost_sd",
)


_COUNTS = ("episodes", "csat_responses")


def rank_hotspots(sums: pd.DataFrame, options: DiagnosisOptions, annualise: float,
                  currency: str = "currency units") -> list[Hotspot]:
    """Intent x stage hotspots, best first (see docs/diagnosis.md#json for the fields).

    `channel` is the dominant channel of the intent x stage (most contacts); `channels` lists every channel's share,
    rates and avoidable cost, so a finer grain stays visible.
    """
    cells = rollup(sums, HOTSPOT_GRAIN, options)
    overall = rollup(sums, [], options).iloc[0].to_dict()
    ranked = cells[cells["volume"] >= options.min_volume]
    if ranked.empty:
        ranked = cells
    weights = options.score_weights.model_dump()
    comp = _components(ranked.reset_index(drop=True), overall, annualise, weights)
    ranked = ranked.reset_index(drop=True).join(comp)
    ranked = ranked.sort_values(["score", "avoidable_cost", "volume"], ascending=False).reset_index(drop=True)
    dom = {(r.intent, r.journey_stage): (r.channel, r.channel_share)
           for r in dominant(sums, HOTSPOT_GRAIN, "channel").itertuples(index=False)}
    per_channel = rollup(sums, [*HOTSPOT_GRAIN, "channel"], options).sort_values("volume", ascending=False)
    channels_of: dict[tuple, list[HotspotChannel]] = {}
    for c in per_channel.to_dict("records"):
        channels_of.setdefault((c["intent"], c["journey_stage"]), []).append(HotspotChannel(
            channel=c["channel"], volume=int(c["volume"]), repeat_contact_rate=_num(c["repeat_contact_rate"]),
            transfer_rate=_num(c["transfer_rate"]), csat_mean=_num(c["csat_mean"]),
            avoidable_cost=_num(c["avoidable_cost"])))
    weights_used = [k for k in weights if f"points_{k}" in comp.columns]
    out = []
    # Plain dicts per row: a pandas Series per hotspot costs more than the whole ranking.
    for rank, r in enumerate(ranked.to_dict("records"), start=1):
        key = (r["intent"], r["journey_stage"])
        out.append(Hotspot(
            rank=rank,
            intent=r["intent"],
            journey_stage=r["journey_stage"],
            channel=dom[key][0],
            channel_share=_num(dom[key][1]),
            volume=int(r["volume"]),
            repeat_contact_rate=_num(r["repeat_contact_rate"]),
            transfer_rate=_num(r["transfer_rate"]),
            csat_mean=_num(r["csat_mean"]),
            cost=_num(r["cost"]),
            avoidable_cost=_num(r["avoidable_cost"]),
            cost_per_year=_num(r["cost"] * annualise),
            avoidable_cost_per_year=_num(r["avoidable_cost"] * annualise),
            avoidable_cost_parts=AvoidableCostParts(
                repeat_contacts=_num(r["avoidable_cost_repeat"]),
                channel_switches=_num(r["avoidable_cost_switch"]),
                transfers=_num(r["avoidable_cost_transfer"]),
            ),
            score=round(float(r["score"]), 2),
            score_components={k: round(float(r[f"points_{k}"]), 2) for k in weights_used},
            score_inputs={k: _num(r[f"raw_{k}"]) for k in weights_used},
            kinds=_kinds(r, overall),
            baseline=Baseline(**{f: (int(r[f]) if f in _COUNTS else _num(r[f])) for f in BASELINE_FIELDS}),
            evidence=_evidence(r, overall, annualise, currency),
            channels=channels_of[key],
        ))
    return out


def signal_values(row: dict) -> dict[str, int | float | str | None]:
    """One row of a rollup as the document holds it: counts as integers, NaN as None."""
    return {k: (int(v) if k in ("volume", "episodes", "csat_responses") else v if isinstance(v, str) else _num(v))
            for k, v in row.items()}


def overall_signals(sums: pd.DataFrame, options: DiagnosisOptions) -> Signals:
    """The whole data's signals (the baseline every hotspot is compared with)."""
    return Signals(**signal_values(rollup(sums, [], options).iloc[0].to_dict()))
