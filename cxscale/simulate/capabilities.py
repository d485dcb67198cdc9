"""Capability pilots in the support world (docs/capability-pilots.md, docs/simulator.md#capability-pilots): the
knowledge_guidance pilot randomises agents (stratified by site with cxscale.assignment) and logs, for every live
contact of every agent in its window, whether guidance triggered and, in treatment, whether it was shown and used.

The true effect depends on the funnel: a live contact triggers with a per-channel probability, a triggered
suggestion clears the confidence threshold (is shown) with probability SHOWN, a shown one is used (accepted or
edited) with a probability that falls with the agent's tenure, and a used one multiplies the contact's handle time
by a factor that is strongest for novices. Every draw is made for every contact in both arms from the capability's
own random stream (so the world's other streams do not move), which defines both potential outcomes of every
contact: the intent-to-treat, triggered and per-tenure-band effects in ground_truth.json are sample effects on the
pilot's contacts, like every other true effect of the simulator.

Opt-in: `simulate(..., capabilities=True)`; without it the support world is unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxscale.documents.pilot_spec import Capability, MetricRef, PilotSpec, Scope, Target, Value, Windows
from cxscale.simulate import support_catalog as C
from cxscale.simulate.world import (
    US_PER_SECOND,
    PlantedPilot,
    Truths,
    WorldPeriod,
    assignment_rows,
    block_rng,
    exposure_rows,
    floats,
    ids,
    interaction_ids,
    timestamps,
)

PILOT = "knowledge_guidance"
START_DAY, PRE_DAYS, POST_DAYS = 63, 28, 49  # ends on day 112, before the support pilots start (day 119)
STREAM = "support-capabilities"
#: Probability that guidance has a suggestion for a live contact, per channel (voice, chat, messaging; others 0).
TRIGGER = np.array([0.55, 0.70, 0.0, 0.65, 0.0, 0.0, 0.0])
#: Probability that a triggered suggestion clears the confidence threshold and is shown (treatment only).
SHOWN = 0.85
#: Tenure bands (lower edges, months), the probability a shown suggestion is used, the handle-time factor of a used
#: one: novices lean on guidance and gain most.
BANDS = (0.0, 6.0, 24.0)
USE = np.array([0.70, 0.55, 0.35])
HANDLE = np.array([0.72, 0.86, 0.95])
EDITED = 0.3  # of the used suggestions, edited before use (the rest accepted)
MECHANISM = (
    f"Agents are split 50/50 within every site by hash rank (cxscale.assignment.stratified, seed {PILOT}) on day "
    f"{START_DAY}. For {POST_DAYS} days every live contact (voice, chat, messaging) of every agent is logged in "
    "exposures: guidance triggers with probability 0.55 (voice), 0.70 (chat), 0.65 (messaging); in treatment a "
    f"triggered suggestion is shown with probability {SHOWN} and a shown one used with probability 0.70, 0.55, 0.35 "
    "for agents of tenure 0-6, 6-24, 24+ months, which cuts that contact's handle time by 28%, 14%, 5%. Control "
    "computes the suggestion and logs it as not shown."
)


def band_of(tenure: np.ndarray) -> np.ndarray:
    """Tenure band index (0, 1, 2) per agent from tenure in months."""
    return np.searchsorted(np.array(BANDS), tenure, side="right") - 1


class GuidancePilot:
    """The knowledge_guidance pilot of one support world: agent tenure and arms, and per block its effect on handle
    time, its exposure and feedback rows and its true-effect sums."""

    def __init__(self, period: WorldPeriod, seed: int, agent_site: np.ndarray) -> None:
        self.period, self.seed = period, seed
        self.agent_site = agent_site
        rng = block_rng(seed, STREAM, -1)
        n = len(agent_site)
        # Tenure in months: a quarter or so under six months (a contact centre's churn keeps hiring novices).
        self.tenure = np.round(rng.exponential(22.0, n), 1)
        self.band = band_of(self.tenure)
        self.agent_ids = ids("A", np.arange(n) + 1, 4)
        roster = {a: C.SITES[s] for a, s in zip(self.agent_ids.to_pylist(), agent_site, strict=True)}
        spec = self.spec("EUR")
        assert spec.capability is not None
        arms = spec.capability.plan(spec).arms(roster)  # what any system holding the roster recomputes
        self.treated = np.array([arms[a] == "treatment" for a in self.agent_ids.to_pylist()])
        self.start = period.day_us(START_DAY)
        self.end = period.day_us(START_DAY + POST_DAYS)

    # --- what the world writes once ------------------------------------------------------------------------------

    def spec(self, currency: str) -> PilotSpec:
        return PilotSpec(
            pilot=PILOT, design="randomised", unit="agent",
            description="Knowledge guidance should shorten live contacts, most for novices.",
            scope=Scope(channel=["voice", "chat", "messaging"]),
            primary=MetricRef(metric="aht", target=Target(relative=-0.03)),
            guardrails=[MetricRef(metric="csat_mean", max_harm=Target(relative=-0.02))],
            windows=Windows(pre_days=PRE_DAYS, post_days=POST_DAYS),
            value=Value(currency=currency, nature="recurring"),
            capability=Capability(name=PILOT, stratified=True, tenure_bands=list(BANDS)))

    def planted(self, currency: str) -> PlantedPilot:
        return PlantedPilot(self.spec(currency), self.period.at(START_DAY), MECHANISM, shown_rate=SHOWN)

    def assignments(self) -> pa.Table:
        return assignment_rows(self.agent_ids, "agent", PILOT, self.treated, self.period, START_DAY)

    def agents(self) -> pa.Table:
        """The agents table: id, tenure in months and site."""
        return pa.table({"agent_id": self.agent_ids, "tenure_months": floats(self.tenure),
                         "site": pa.array([C.SITES[s] for s in self.agent_site], pa.string())})

    # --- per block -------------------------------------------------------------------------------------------------

    def rng(self, block: int) -> np.random.Generator:
        return block_rng(self.seed, STREAM, block)

    def apply(self, rng: np.random.Generator, t: np.ndarray, channel: np.ndarray, agent: np.ndarray,
              handle: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One round of contacts: the handle time with guidance where it was used, and the columns the exposures,
        feedback and truths need. Draws are made for every contact (a fixed number per contact)."""
        m = len(t)
        u = rng.random((m, 4))
        logged = (agent >= 0) & C.LIVE[channel] & (t >= self.start) & (t < self.end)
        a = np.maximum(agent, 0)
        band = self.band[a]
        p_trigger = TRIGGER[channel]
        triggered = logged & (u[:, 0] < p_trigger)
        clears = triggered & (u[:, 1] < SHOWN)
        would_use = clears & (u[:, 2] < USE[band])  # the potential: what a treated agent would do
        treated = self.treated[a] & logged
        shown = clears & treated
        used = would_use & treated
        factor = np.where(would_use, HANDLE[band], 1.0)
        cols = {"cap_logged": logged, "cap_triggered": triggered, "cap_clears": clears, "cap_shown": shown,
                "cap_used": used, "cap_edit": u[:, 3], "cap_p_trigger": p_trigger, "cap_p_use": USE[band],
                "cap_h0": handle, "cap_factor": factor}
        return np.where(used, handle * factor, handle), cols

    def tables(self, c: dict[str, np.ndarray], block: int) -> tuple[pa.Table, pa.Table]:
        """Exposures and feedback of one block's contacts (c in the order of its interactions table)."""
        from cxscale.simulate.world import table

        rows = np.flatnonzero(c["cap_logged"])
        iid = interaction_ids(block, len(c["t"])).take(pa.array(rows))
        agent = c["agent"][rows]
        trig, shown = c["cap_triggered"][rows], c["cap_shown"][rows]
        exposures, sid = exposure_rows(self.agent_ids.take(pa.array(agent)), "agent", iid, PILOT,
                                       np.where(self.treated[agent], "treatment", "control"), trig, shown, "S",
                                       timestamps(self.period, c["t"][rows]))
        # Feedback: every shown suggestion is displayed, then used (accepted or edited) or dismissed.
        s = np.flatnonzero(shown)
        used = c["cap_used"][rows][s]
        edited = used & (c["cap_edit"][rows][s] < EDITED)
        t0 = c["t"][rows][s]
        action = np.where(edited, "edited", np.where(used, "accepted", "dismissed"))
        sids = sid.take(pa.array(s))
        distance = np.where(edited, 5 + np.floor(c["cap_edit"][rows][s] * 200), 0).astype(np.int64)
        feedback = table("feedback", {
            "suggestion_id": pa.concat_arrays([sids, sids]),
            "action": pa.array(["displayed"] * len(s) + action.tolist(), pa.string()),
            "chosen_item": pa.concat_arrays([pa.nulls(len(s), pa.string()),
                                             pc.if_else(pa.array(used), pa.scalar("kb-article"),
                                                        pa.scalar(None, pa.string()))]),
            "edit_distance": pa.concat_arrays([pa.nulls(len(s), pa.int64()),
                                               pa.array(distance, mask=~edited)]),
            "ts": timestamps(self.period, np.concatenate([t0 + US_PER_SECOND, t0 + 40 * US_PER_SECOND])),
        })
        return exposures, feedback

    def add_truths(self, truths: Truths, c: dict[str, np.ndarray]) -> None:
        """Both potential outcomes of every logged contact: ITT over all of them, triggered over the triggered ones,
        ITT per tenure band; and the funnel's planted probabilities (as control_value: sum of p / contacts)."""
        w = c["cap_logged"]
        h0, h1 = c["cap_h0"], c["cap_h0"] * c["cap_factor"]
        band = self.band[np.maximum(c["agent"], 0)]
        for key, keep in (("aht", w), ("triggered:aht", w & c["cap_triggered"])):
            truths.get(PILOT, key).add(h0[keep].sum(), h1[keep].sum(), keep.sum())
        for b in range(len(BANDS)):
            keep = w & (band == b)
            truths.get(PILOT, f"tenure:{b}:aht").add(h0[keep].sum(), h1[keep].sum(), keep.sum())
        treated = w & self.treated[np.maximum(c["agent"], 0)]
        p_trig = c["cap_p_trigger"][w].sum()
        truths.get(PILOT, "funnel:trigger_rate").add(p_trig, p_trig, w.sum())
        shown = c["cap_shown"] & treated
        p_use = c["cap_p_use"][shown].sum()
        truths.get(PILOT, "funnel:use_rate").add(p_use, p_use, shown.sum())


def capability_truth(effects: dict[str, dict[str, float]], shown_rate: float | None) -> dict[str, Any]:
    """ground_truth.json's sections of a capability pilot from its truth sums: true_effects (intent-to-treat),
    triggered_effects, by_tenure (band label -> effects) and the planted funnel rates (its shown rate the
    planted pilot's)."""
    labels = [f"{lo:g}-{hi:g} months" for lo, hi in zip(BANDS, BANDS[1:], strict=False)] + [f"{BANDS[-1]:g}+ months"]
    out: dict[str, Any] = {"true_effects": {}, "triggered_effects": {}, "by_tenure": {},
                           "funnel": {"shown_rate": shown_rate}}
    for key, e in effects.items():
        if key.startswith("triggered:"):
            out["triggered_effects"][key.split(":", 1)[1]] = e
        elif key.startswith("tenure:"):
            _, b, metric = key.split(":")
            out["by_tenure"].setdefault(labels[int(b)], {})[metric] = e
        elif key.startswith("funnel:"):
            out["funnel"][key.split(":", 1)[1]] = round(e["control_value"], 6)
        else:
            out["true_effects"][key] = e
    return out




# --- scheduling: no-show outreach with a permanent holdout -----------------------------------------------------------

OUTREACH = "noshow_outreach"
OUTREACH_STREAM = "scheduling-capabilities"
OUTREACH_START_DAY, OUTREACH_PRE_DAYS, OUTREACH_POST_DAYS = 119, 56, 56
OUTREACH_WEIGHTS = {"holdout": 0.1, "treatment": 0.9}
#: The targeting model's score is the true no-show log-odds plus noise (sd SCORE_NOISE); it triggers above
#: SCORE_THRESHOLD. A triggered call is reached (shown) with probability REACHED, the patient confirms (uses it) with
#: probability CONFIRMS, and a confirmation lowers that appointment's no-show log-odds by CONFIRM_LOGIT.
SCORE_NOISE, SCORE_THRESHOLD = 0.7, -1.6
REACHED, CONFIRMS, CONFIRM_LOGIT = 0.9, 0.5, -1.0
OUTREACH_MECHANISM = (
    f"The patients outside the two_way_reminders pilot are assigned by hash (cxscale.assignment.assign, seed "
    f"{OUTREACH}) to a permanent 10% holdout or outreach on day {OUTREACH_START_DAY}. For {OUTREACH_POST_DAYS} days "
    "the targeting model scores every appointment at its 3-day reminder (the true no-show log-odds plus noise of sd "
    f"{SCORE_NOISE}) and triggers above {SCORE_THRESHOLD}, in both arms; for outreach patients a triggered "
    f"appointment gets a call that reaches them with probability {REACHED}, the patient confirms with probability "
    f"{CONFIRMS}, and a confirmation lowers that appointment's no-show log-odds by {-CONFIRM_LOGIT}."
)


class OutreachPilot:
    """The noshow_outreach pilot of one scheduling world: who is in it, per block its draws, its exposure and
    feedback rows (logged on each appointment's 3-day reminder SMS) and its true-effect sums."""

    def __init__(self, period: WorldPeriod, seed: int) -> None:
        self.period, self.seed = period, seed
        self.start = period.day_us(OUTREACH_START_DAY)
        self.end = period.day_us(OUTREACH_START_DAY + OUTREACH_POST_DAYS)
        spec = self.spec("EUR")
        assert spec.capability is not None
        self.plan = spec.capability.plan(spec)

    def spec(self, currency: str) -> PilotSpec:
        return PilotSpec(
            pilot=OUTREACH, design="randomised", unit="customer", control="holdout", treatments=["treatment"],
            expected_split=dict(OUTREACH_WEIGHTS),
            description="Calling the patients the model flags as likely no-shows should cut missed appointments.",
            primary=MetricRef(metric="no_show_rate", target=Target(relative=-0.05)),
            windows=Windows(pre_days=OUTREACH_PRE_DAYS, post_days=OUTREACH_POST_DAYS),
            value=Value(currency=currency, nature="recurring"), capability=Capability(name=OUTREACH))

    def planted(self, currency: str) -> PlantedPilot:
        return PlantedPilot(self.spec(currency), self.period.at(OUTREACH_START_DAY), OUTREACH_MECHANISM,
                            shown_rate=REACHED)

    def members(self, cust_ids: pa.Array, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(in the pilot, in outreach) per customer of a block: every eligible patient, by its id's hash."""
        arms = [self.plan.arm(c) if ok else None for c, ok in zip(cust_ids.to_pylist(), eligible, strict=True)]
        member = np.array([a is not None for a in arms])
        return member, np.array([a == "treatment" for a in arms])

    def assignments(self, cust_ids: pa.Array, member: np.ndarray, outreach: np.ndarray) -> pa.Table:
        from cxscale.simulate.world import labels, table

        k = int(member.sum())
        return table("assignments", {
            "unit_id": cust_ids.filter(pa.array(member)), "unit_type": pa.array(["customer"] * k, pa.string()),
            "pilot": pa.array([OUTREACH] * k, pa.string()),
            "arm": labels(("holdout", "treatment"), outreach[member].astype(np.int32)),
            "assigned_at": timestamps(self.period, np.full(k, self.start)),
        })

    def tenure(self, block: int, n: int) -> np.ndarray:
        """Months as a patient of each of a block's n patients (customers.tenure_months, for the readout's tenure
        bands): 15% joined in the last six months, the others 6 + Exponential(36) months; from a stream of its own.
        Tenure plants nothing: the outreach effect is the same in every band."""
        rng = block_rng(self.seed, OUTREACH_STREAM + "-tenure", block)
        new, u = rng.random(n) < 0.15, rng.random(n)
        return np.floor(np.where(new, 6.0 * u, 6.0 - 36.0 * np.log1p(-u))).astype(np.int64)

    def serve_rng(self, block: int) -> np.random.Generator:
        """The stream that serves the contacts only the outreach world has (kept apart from the world's own)."""
        return block_rng(self.seed, OUTREACH_STREAM + "-contacts", block)

    def decide(self, block: int, logit: np.ndarray, reminder_at: np.ndarray, decided: np.ndarray,
               outreach: np.ndarray) -> dict[str, np.ndarray]:
        """Per appointment: logged (a decision in the window), triggered, reached (shown), would confirm, confirmed;
        the draws come from the pilot's own stream, a fixed number per appointment."""
        rng = block_rng(self.seed, OUTREACH_STREAM, block)
        m = len(logit)
        z, u = rng.standard_normal(m), rng.random((m, 3))
        logged = decided & (reminder_at >= self.start) & (reminder_at < self.end)
        triggered = logged & (logit + SCORE_NOISE * z > SCORE_THRESHOLD)
        clears = triggered & (u[:, 0] < REACHED)
        would = clears & (u[:, 1] < CONFIRMS)
        from scipy.stats import norm

        return {"logged": logged, "triggered": triggered, "shown": clears & outreach, "would": would,
                "used": would & outreach, "p_trigger": norm.cdf((logit - SCORE_THRESHOLD) / SCORE_NOISE),
                "edit": u[:, 2]}

    def tables(self, d: dict[str, np.ndarray], appt_rows: np.ndarray, iids: pa.Array, cust_ids: pa.Array,
               ac: np.ndarray, reminder_at: np.ndarray, outreach: np.ndarray) -> tuple[pa.Table, pa.Table]:
        """Exposures (one per logged appointment, on its reminder interaction `iids[appt_rows]`) and feedback."""
        from cxscale.simulate.world import table

        rows = np.flatnonzero(d["logged"])
        iid = iids.take(pa.array(appt_rows[rows]))
        trig, shown = d["triggered"][rows], d["shown"][rows]
        exposures, sid = exposure_rows(cust_ids.take(pa.array(ac[rows])), "customer", iid, OUTREACH,
                                       np.where(outreach[ac[rows]], "treatment", "holdout"), trig, shown, "S",
                                       timestamps(self.period, reminder_at[rows]))
        s = np.flatnonzero(shown)
        used = d["used"][rows][s]
        t0 = reminder_at[rows][s]
        sids = sid.take(pa.array(s))
        feedback = table("feedback", {
            "suggestion_id": pa.concat_arrays([sids, sids]),
            "action": pa.array(["displayed"] * len(s) + np.where(used, "accepted", "dismissed").tolist(), pa.string()),
            "chosen_item": pa.concat_arrays([pa.nulls(len(s), pa.string()), pc.if_else(
                pa.array(used), pa.scalar("confirm_appointment"), pa.scalar(None, pa.string()))]),
            "edit_distance": pa.nulls(2 * len(s), pa.int64()),
            "ts": timestamps(self.period, np.concatenate([t0 + 60 * US_PER_SECOND, t0 + 600 * US_PER_SECOND])),
        })
        return exposures, feedback

    def add_truths(self, truths: Truths, d: dict[str, np.ndarray], ac: np.ndarray, at: np.ndarray,
                   visit: np.ndarray, ns0: np.ndarray, ns1: np.ndarray, member: np.ndarray,
                   outreach: np.ndarray, tenure: np.ndarray) -> None:
        """no_show_rate with no outreach (ns0) and with it (ns1) over the members' appointments in the window:
        all members (intent-to-treat), the members with a triggered decision in the window (triggered) and the
        members of each tenure band."""
        a = visit & (at >= self.start) & (at < self.end) & member[ac]
        trig_unit = np.zeros(len(member), bool)
        trig_unit[ac[d["triggered"]]] = True
        for key, keep in (("no_show_rate", a), ("triggered:no_show_rate", a & trig_unit[ac])):
            truths.get(OUTREACH, key).add(ns0[keep].sum(), ns1[keep].sum(), keep.sum())
        band = band_of(tenure.astype(float))[ac]
        for b in range(len(BANDS)):
            keep = a & (band == b)
            truths.get(OUTREACH, f"tenure:{b}:no_show_rate").add(ns0[keep].sum(), ns1[keep].sum(), keep.sum())
        p = d["p_trigger"][d["logged"]].sum()
        truths.get(OUTREACH, "funnel:trigger_rate").add(p, p, d["logged"].sum())
        shown = d["shown"].sum()
        truths.get(OUTREACH, "funnel:use_rate").add(CONFIRMS * shown, CONFIRMS * shown, shown)


__all__ = ["OUTREACH", "PILOT", "GuidancePilot", "OutreachPilot", "capability_truth"]
