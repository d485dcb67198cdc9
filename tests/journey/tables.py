"""Small hand-made contract tables with known answers, and a vectorised mini world with one planted hotspot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxscale.documents.diagnosis import Baseline, DiagnosisPeriod, Hotspot

T0 = pd.Timestamp("2026-01-05", tz="UTC")
DAY = pd.Timedelta(days=1)


def tiny_interactions() -> pd.DataFrame:
    """Five contacts whose episodes, repeats, switches and flows are worked out by hand in the tests.

    c1 billing: day 0 voice, day 2 self_service (a repeat in another channel), day 20 voice (a new episode);
    c1 tech: day 21 voice; c2 tech: day 0 chat (followed by a no-show on day 1).
    """
    rows = [
        ("i1", "c1", T0, "voice", "billing", "pay", 10.0, True, 2.0),
        ("i2", "c1", T0 + 2 * DAY, "self_service", "billing", "pay", 4.0, False, None),
        ("i3", "c1", T0 + 20 * DAY, "voice", "billing", "pay", 10.0, False, 5.0),
        ("i4", "c1", T0 + 21 * DAY, "voice", "tech", "use", 6.0, False, 4.0),
        ("i5", "c2", T0, "chat", "tech", "use", 3.0, None, 1.0),
    ]
    df = pd.DataFrame(rows, columns=["interaction_id", "customer_id", "started_at", "channel", "intent",
                                     "journey_stage", "cost", "transferred", "csat"])
    df["transferred"] = df["transferred"].astype("boolean")
    df["csat"] = df["csat"].astype("float64")
    return df


def tiny_outcomes() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["c2", "c1"], "occurred_at": [T0 + DAY, T0 + 60 * DAY],
                         "outcome": ["no_show", "no_show"], "value": [float("nan")] * 2})


INTENTS = {  # intent: (stage, weight, repeat probability, transfer probability, csat mean)
    "bill_explanation": ("billing", 8.0, 0.10, 0.04, 4.1),
    "billing_dispute": ("billing", 3.0, 0.55, 0.35, 2.6),
    "password_reset": ("account", 6.0, 0.08, 0.02, 4.3),
    "plan_change": ("account", 4.0, 0.12, 0.06, 4.0),
    "service_outage": ("technical", 5.0, 0.15, 0.08, 3.6),
    "upgrade_enquiry": ("sales", 3.0, 0.08, 0.05, 4.2),
}
CHANNELS = np.array(["voice", "chat", "self_service", "email"])
COST = {"voice": 6.0, "chat": 3.5, "self_service": 0.2, "email": 2.5}


def mini_world(customers: int = 1500, seed: int = 7) -> pd.DataFrame:
    """Interactions of a small world where billing_dispute (billing) is the one planted hotspot: many repeats,
    many transfers, low CSAT. Each need has 1 + geometric repeats, 1-6 days apart, over 90 days."""
    rng = np.random.default_rng(seed)
    names = list(INTENTS)
    w = np.array([INTENTS[n][1] for n in names])
    needs = rng.poisson(2.0, customers) + 1
    cust = np.repeat(np.arange(customers), needs)
    intent = rng.choice(len(names), size=cust.size, p=w / w.sum())
    p_rep = np.array([INTENTS[n][2] for n in names])[intent]
    extra = rng.geometric(1 - p_rep) - 1
    n_contacts = 1 + extra
    need_id = np.repeat(np.arange(cust.size), n_contacts)
    start = rng.uniform(0, 80, cust.size)
    k = np.arange(need_id.size) - np.repeat(np.cumsum(n_contacts) - n_contacts, n_contacts)
    day = start[need_id] + k * rng.uniform(1, 6, need_id.size)
    it = intent[need_id]
    channel = CHANNELS[rng.choice(4, size=need_id.size, p=[0.45, 0.25, 0.2, 0.1])]
    transferred = rng.random(need_id.size) < np.array([INTENTS[n][3] for n in names])[it]
    csat = np.clip(np.round(rng.normal(np.array([INTENTS[n][4] for n in names])[it], 0.8)), 1, 5)
    cost = np.array([COST[c] for c in channel]) * (1 + transferred)
    return pd.DataFrame({
        "interaction_id": [f"x{i:07d}" for i in range(need_id.size)],
        "customer_id": [f"c{c:05d}" for c in cust[need_id]],
        "started_at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(np.round(day * 86400), unit="s"),
        "channel": channel,
        "intent": np.array(names)[it],
        "journey_stage": np.array([INTENTS[n][0] for n in names])[it],
        "transferred": transferred,
        "csat": np.where(rng.random(need_id.size) < 0.3, csat, np.nan),
        "cost": cost,
    })


def a_hotspot(**fields: object) -> Hotspot:
    """A ranked hotspot with `fields` (`baseline` a dict of the baseline fields given) and nothing else measured:
    what a draft is made from, without a diagnosis."""
    baseline = dict.fromkeys(Baseline.model_fields) | {"csat_responses": 0, "episodes": 0}
    baseline |= fields.pop("baseline", {})  # type: ignore[arg-type]
    empty = dict.fromkeys(("channel_share", "repeat_contact_rate", "transfer_rate", "csat_mean", "cost",
                           "avoidable_cost", "cost_per_year", "avoidable_cost_per_year"))
    return Hotspot.model_validate({
        "rank": 1, "intent": "i", "journey_stage": "s", "channel": "voice", "volume": 0, "score": 0.0, **empty,
        "avoidable_cost_parts": {"repeat_contacts": 0.0, "channel_switches": 0.0, "transfers": 0.0},
        "score_components": {}, "score_inputs": {}, "kinds": [], "evidence": [], "channels": [],
        **fields, "baseline": baseline})


def a_period(**fields: object) -> DiagnosisPeriod:
    return DiagnosisPeriod.model_validate(fields)
