"""From opportunity to use case: a draft use-case spec (YAML) for a ranked hotspot (docs/use-case-draft.md).

The draft states the problem and its evidence, the journey touchpoint, a business metric with its measured baseline,
a suggested target and the window a pilot would need to detect it. It is a draft format (draft_version 1) until the
portfolio's use-case spec exists; its fields are meant to carry over.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from cxscale.journey.planning import pilot_window

DRAFT_VERSION = 1

#: Per friction kind: (business metric, unit, suggested relative change, what the pilot would do).
METRIC_FOR_KIND: dict[str, tuple[str, str, float, str]] = {
    "repeat_contacts": ("repeat_contact_rate_7d", "share 0-1", -0.20, "Cut repeat contacts"),
    "channel_switching": ("repeat_contact_rate_7d", "share 0-1", -0.20, "Resolve in the first channel"),
    "transfers": ("transfer_rate", "share 0-1", -0.25, "Route right first time"),
    "outcome_failures": ("no_show_rate", "share 0-1", -0.30, "Prevent failures after contact"),
    "low_csat": ("csat_mean", "points on a 1-5 scale", 0.05, "Raise satisfaction"),
    "long_waits": ("cost_to_serve", "currency per contact", -0.10, "Shorten waits and cost to serve"),
}

#: Baseline field in a hotspot for each metric, and its standard deviation field for means (None: a proportion).
_BASELINE = {
    "repeat_contact_rate_7d": ("repeat_contact_rate_7d", None),
    "transfer_rate": ("transfer_rate", None),
    "no_show_rate": ("failure_rate", None),
    "csat_mean": ("csat_mean", "csat_sd"),
    "cost_to_serve": ("cost_per_contact", "cost_sd"),
}


def _slug(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")


def choose_metric(hotspot: dict) -> tuple[str, str, float, str]:
    """(business metric, unit, suggested relative change, verb) for a hotspot, from its first friction kind whose
    baseline the data has; without kinds, from the largest part of its avoidable cost."""
    for kind in hotspot.get("kinds", []):
        metric = METRIC_FOR_KIND[kind]
        if hotspot["baseline"].get(_BASELINE[metric[0]][0]) is not None:
            return metric
    parts = hotspot["avoidable_cost_parts"]
    if (parts["transfers"] or 0) > (parts["repeat_contacts"] or 0) + (parts["channel_switches"] or 0):
        return METRIC_FOR_KIND["transfers"]
    if hotspot["baseline"].get("repeat_contact_rate_7d"):
        return METRIC_FOR_KIND["repeat_contacts"]
    return METRIC_FOR_KIND["long_waits"]


def draft_use_case(hotspot: dict, period: dict, currency: str, source: str, alpha: float = 0.05,
                   power: float = 0.8, plan: dict | None = None) -> dict[str, Any]:
    """The draft spec (a plain dict, YAML-ready) for one ranked hotspot from the diagnosis JSON.

    plan: the pilot window from the measurement engine's power calculation (see diagnosis.plan_window); without
    it the window comes from a normal approximation over the touchpoint's contacts (cxscale/journey/planning.py).
    """
    metric, unit, rel, verb = choose_metric(hotspot)
    field, sd_field = _BASELINE[metric]
    baseline = hotspot["baseline"][field]
    sd = hotspot["baseline"].get(sd_field) if sd_field else None
    target = baseline * (1 + rel)
    if sd_field is None:
        target = min(max(target, 0.0), 1.0)
    units_per_day = hotspot["volume"] / max(period["days"], 1e-9)
    window = plan
    if window is None and baseline and target != baseline and (sd_field is None or sd):
        w = pilot_window(baseline, target, units_per_day, sd=sd, alpha=alpha, power=power)
        window = {"days": w.window_days, "sample_size_per_arm": w.sample_size_per_arm, "unit": "contact",
                  "units_per_day": round(w.units_per_day, 2), "split": "50/50", "alpha": w.alpha,
                  "power": w.power, "method": w.method}
    where = f"{hotspot['intent']} at {hotspot['journey_stage']}"
    per_year = hotspot["avoidable_cost_per_year"] or 0.0
    return {
        "draft_version": DRAFT_VERSION,
        "id": _slug("uc", hotspot["intent"], hotspot["journey_stage"], metric),
        "title": f"{verb} for {where}",
        "status": "draft",
        "problem": (
            f"Contacts about {hotspot['intent']} at the {hotspot['journey_stage']} stage rank #{hotspot['rank']} "
            f"among journey hotspots (score {hotspot['score']}): "
            f"{', '.join(hotspot['kinds']) or 'high avoidable cost'}; "
            f"{per_year:,.0f} {currency} a year of avoidable cost."
        ),
        "evidence": list(hotspot["evidence"]),
        "journey_touchpoint": {"intent": hotspot["intent"], "journey_stage": hotspot["journey_stage"],
                               "channel": hotspot["channel"], "channel_share": hotspot["channel_share"]},
        "business_metric": {"name": metric, "unit": unit, "baseline": baseline,
                            "direction": "increase" if rel > 0 else "decrease",
                            "baseline_period": {"start": period["start"], "end": period["end"]}},
        "target": {"value": round(target, 6), "relative_change": rel},
        "money_at_stake": {"avoidable_cost_per_year": per_year, "currency": currency,
                           "estimated_savings_per_year_at_target": round(per_year * abs(rel), 2)
                           if metric in ("repeat_contact_rate_7d", "transfer_rate", "cost_to_serve") else None},
        "pilot_window": window,
        "source": {"diagnosis": source, "hotspot_rank": hotspot["rank"]},
    }


def dump_draft(draft: dict[str, Any]) -> str:
    """The draft as YAML text (keys in the order written)."""
    return yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=110)
