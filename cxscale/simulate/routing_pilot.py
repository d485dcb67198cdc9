"""The intent_routing switchback pilot of the support world (docs/capability-pilots.md#switchback,
docs/simulator.md#capability-pilots): skill-based routing on the predicted intent against the usual first-come
routing, alternated per queue (site: its agents are one pool) and hour-long slot for four weeks.

Every assisted contact in the window is decided in both arms and logged in exposures with its slot as the unit: the
intent model is confident enough to route by skill (triggered) with probability TRIGGER. In a treatment slot a
triggered contact is routed (shown): when the predicted intent is right (probability ACCURACY) it reaches an agent
with the skill, so a transfer the first-come agent would have made is avoided (its handle time loses the transfer's
factor) and the skilled agent handles it faster (SKILL_HANDLE); when it is wrong the contact may be misrouted and
transferred (MISROUTE). Fewer transfers free the pool: every live contact of a treated slot waits WAIT times as long,
except in the first CARRY_MINUTES of a slot, which are still served from the queue the previous slot's policy built
(carry-over: the spec's burn-in leaves those minutes out).

The pilot's draws come from its own random stream, a fixed number per contact, and it changes only the transfer
flag, handle time (and so cost) and wait of its contacts: resolution and CSAT keep the world's draws, so the need
chains and every other pilot's units are those of the world without it. Both potential outcomes of every contact
are known, so ground_truth.json has the intent-to-treat effects over the analysed contacts (after the burn-in), the
triggered effects over the triggered ones and the planted funnel.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa

from cxscale.assignment import slot_id
from cxscale.documents.pilot_spec import Capability, MetricRef, PilotSpec, Target, Value, Windows
from cxscale.simulate import support_catalog as C
from cxscale.simulate.world import (
    US_PER_SECOND,
    PlantedPilot,
    Truths,
    WorldPeriod,
    block_rng,
    exposure_rows,
    interaction_ids,
    table,
    timestamps,
)

ROUTING = "intent_routing"
STREAM = "support-routing"
#: Days 7-35: before guidance's pre-period (day 35); the after_contact wrap-up pilot (days 14-35) runs inside this
#: window with agent arms independent of the slots' (simulate/wrapup_pilot.py).
START_DAY, DAYS = 7, 28
SLOT_MINUTES, BURN_IN_MINUTES, CARRY_MINUTES = 60, 10, 10
#: The intent model routes by skill when it is confident (TRIGGER), and is right with probability ACCURACY.
TRIGGER, ACCURACY = 0.8, 0.88
#: A wrongly routed contact not transferred anyway is transferred with probability MISROUTE.
MISROUTE = 0.3
#: The world's handle-time factor of a transferred contact (support.py), a skilled agent's factor, a treated
#: slot's wait factor (live contacts).
TRANSFER_HANDLE, SKILL_HANDLE, WAIT = 1.7, 0.93, 0.8
#: The truth's name for the mean wait of live contacts (voice, chat, messaging), a metric the catalog does not ship:
#: docs/capability-pilots.md#switchback defines it in a metrics file.
LIVE_WAIT = "live_wait"
MECHANISM = (
    f"Switchback: each site is a queue whose policy alternates per {SLOT_MINUTES}-minute slot for {DAYS} days from "
    f"day {START_DAY}, the slot's arm the hash of its id SITE@START (cxscale.assignment.slot_arm, seed {ROUTING}). "
    f"Every assisted contact is decided in both arms: the intent model routes by skill with probability {TRIGGER}; "
    f"in treatment slots a routed contact whose intent is right (probability {ACCURACY}) avoids the transfer the "
    f"first-come agent would have made and is handled {1 - SKILL_HANDLE:.0%} faster, a wrong one is transferred with "
    f"probability {MISROUTE}; every live contact (voice, chat, messaging) of a treatment slot waits {1 - WAIT:.0%} less, except in the slot's first "
    f"{CARRY_MINUTES} minutes (carry-over from the previous slot; the spec's burn-in is {BURN_IN_MINUTES} minutes). "
    "Resolution and CSAT are not changed."
)


class RoutingPilot:
    """The intent_routing switchback of one support world: its slots and their arms, per block its effect on
    transfers, handle time and waits, its exposure and feedback rows and its true-effect sums."""

    def __init__(self, period: WorldPeriod, seed: int) -> None:
        self.period, self.seed = period, seed
        self.start = period.day_us(START_DAY)
        self.end = period.day_us(START_DAY + DAYS)
        self.slot_us = SLOT_MINUTES * 60 * US_PER_SECOND
        self.n_slots = (self.end - self.start) // self.slot_us
        spec = self.spec("EUR")
        assert spec.capability is not None
        plan = spec.capability.plan(spec)
        starts = [period.start + timedelta(microseconds=int(self.start + k * self.slot_us))
                  for k in range(self.n_slots)]
        #: Slot unit ids and arms per (site, slot): what a router recomputes from the queue and the time.
        self.slot_ids = [[slot_id(site, s) for s in starts] for site in C.SITES]
        self.treated = np.array([[plan.arm(u) == "treatment" for u in row] for row in self.slot_ids])

    def spec(self, currency: str) -> PilotSpec:
        return PilotSpec(
            pilot=ROUTING, design="randomised", unit="slot",
            description="Routing on the predicted intent should cut transfers, handle time and waits.",
            primary=MetricRef(metric="transfer_rate", target=Target(relative=-0.2)),
            secondary=[MetricRef(metric="aht")],
            value=Value(currency=currency, nature="recurring"),
            windows=Windows(pre_days=0, post_days=1),  # what the readout uses: a slot's window is the slot
            capability=Capability(name=ROUTING, slot_minutes=SLOT_MINUTES, burn_in_minutes=BURN_IN_MINUTES,
                                  queue_by=["site"]))

    def planted(self, currency: str) -> PlantedPilot:
        return PlantedPilot(self.spec(currency), self.period.at(START_DAY), MECHANISM, shown_rate=1.0)  # routes all it triggers

    def assignments(self) -> pa.Table:
        """One row per queue x slot, assigned at the slot's start."""
        n_sites = len(C.SITES)
        at = self.start + np.arange(self.n_slots) * self.slot_us
        return table("assignments", {
            "unit_id": pa.array([u for row in self.slot_ids for u in row], pa.string()),
            "unit_type": pa.array(["slot"] * (n_sites * self.n_slots), pa.string()),
            "pilot": pa.array([ROUTING] * (n_sites * self.n_slots), pa.string()),
            "arm": pa.array(np.where(self.treated.ravel(), "treatment", "control"), pa.string()),
            "assigned_at": timestamps(self.period, np.tile(at, n_sites)),
        })

    # --- per block -------------------------------------------------------------------------------------------------

    def rng(self, block: int) -> np.random.Generator:
        return block_rng(self.seed, STREAM, block)

    def apply(self, rng: np.random.Generator, t: np.ndarray, channel: np.ndarray, intent: np.ndarray,
              site: np.ndarray, handle: np.ndarray, wait: np.ndarray, transferred: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """One round of contacts: (transferred, handle, wait) under the slot's policy, and the columns the exposures,
        feedback and truths need. Three draws per contact, whether or not it is in the pilot."""
        u = rng.random((len(t), 3))
        logged = (site >= 0) & (t >= self.start) & (t < self.end)
        k = np.clip((t - self.start) // self.slot_us, 0, self.n_slots - 1)
        s = np.maximum(site, 0)
        in_slot = (t - self.start) - k * self.slot_us
        treated = logged & self.treated[s, k]
        carried = in_slot < CARRY_MINUTES * 60 * US_PER_SECOND
        prev = np.where(k > 0, self.treated[s, np.maximum(k - 1, 0)], False)
        triggered = logged & (u[:, 0] < TRIGGER)
        right = u[:, 1] < ACCURACY
        misrouted = triggered & ~right & ~transferred & (u[:, 2] < MISROUTE)
        # Potential outcomes of the contact under routing (1); first-come (0) is the world's.
        tr1 = np.where(triggered & right, False, transferred | misrouted)
        h1 = handle * np.where(triggered & right, SKILL_HANDLE / np.where(transferred, TRANSFER_HANDLE, 1.0), 1.0) \
            * np.where(misrouted, TRANSFER_HANDLE, 1.0)
        # The pool: the wait under the policy that built the queue (the previous slot's within the carry-over).
        pool_treated = np.where(carried, prev, self.treated[s, k]) & logged
        w1 = np.where(C.LIVE[channel], wait * WAIT, wait)  # the live pool; e-mail is worked from a backlog
        shown = triggered & treated
        tr = np.where(shown, tr1, transferred)
        h = np.where(shown, h1, handle)
        w = np.where(pool_treated, w1, wait)
        p_transfer = C.INTENT_TRANSFER[intent] * C.CHANNEL_TRANSFER[channel]
        cols = {"rt_logged": logged, "rt_triggered": triggered, "rt_shown": shown, "rt_slot": k,
                "rt_analysed": logged & (in_slot >= BURN_IN_MINUTES * 60 * US_PER_SECOND),
                "rt_live": C.LIVE[channel], "rt_tr0": transferred, "rt_tr1": tr1, "rt_h0": handle, "rt_h1": h1, "rt_w0": wait, "rt_w1": w1,
                "rt_p_use": ACCURACY + (1 - ACCURACY) * (1 - p_transfer) * (1 - MISROUTE)}
        return tr, h, w, cols

    def tables(self, c: dict[str, np.ndarray], block: int) -> tuple[pa.Table, pa.Table]:
        """Exposures (every decided contact, its slot the unit) and feedback of one block's contacts: a routed
        contact is accepted when the agent it reached kept it, overridden when it was transferred anyway."""
        rows = np.flatnonzero(c["rt_logged"])
        iid = interaction_ids(block, len(c["t"])).take(pa.array(rows))
        site, k = c["site"][rows], c["rt_slot"][rows]
        units = pa.array([self.slot_ids[a][b] for a, b in zip(site.tolist(), k.tolist(), strict=True)], pa.string())
        trig, shown = c["rt_triggered"][rows], c["rt_shown"][rows]
        exposures, sid = exposure_rows(units, "slot", iid, ROUTING,
                                       np.where(self.treated[site, k], "treatment", "control"), trig, shown, "R",
                                       timestamps(self.period, c["t"][rows]))
        s = np.flatnonzero(shown)
        kept = ~c["transferred"][rows][s]
        t0 = c["t"][rows][s]
        sids = sid.take(pa.array(s))
        skill = pa.array([C.INTENTS[i] for i in c["intent"][rows][s]], pa.string())
        feedback = table("feedback", {
            "suggestion_id": sids,
            "action": pa.array(np.where(kept, "accepted", "overridden"), pa.string()),
            "chosen_item": skill,
            "edit_distance": pa.nulls(len(s), pa.int64()),
            "ts": timestamps(self.period, t0 + 5 * US_PER_SECOND),
        })
        return exposures, feedback

    def add_truths(self, truths: Truths, c: dict[str, np.ndarray]) -> None:
        """Both potential outcomes of every analysed contact (in a slot, after its burn-in): every slot first-come
        (0) or every slot routed (1); the burn-in is left out, so the carry-over does not enter. Triggered: the
        analysed contacts the model would route. Funnel: the planted trigger and use (kept) rates."""
        a = c["rt_analysed"]
        sums = {"transfer_rate": (c["rt_tr0"], c["rt_tr1"], a), "aht": (c["rt_h0"], c["rt_h1"], a),
                LIVE_WAIT: (c["rt_w0"], c["rt_w1"], a & c["rt_live"])}
        for metric, (y0, y1, on) in sums.items():
            for key, keep in ((metric, on), (f"triggered:{metric}", on & c["rt_triggered"])):
                truths.get(ROUTING, key).add(y0[keep].sum(), y1[keep].sum(), keep.sum())
        w = c["rt_logged"]
        truths.get(ROUTING, "funnel:trigger_rate").add(TRIGGER * w.sum(), TRIGGER * w.sum(), w.sum())
        shown = c["rt_shown"]
        p = c["rt_p_use"][shown].sum()
        truths.get(ROUTING, "funnel:use_rate").add(p, p, shown.sum())


__all__ = ["LIVE_WAIT", "ROUTING", "RoutingPilot"]
