"""The after-contact (wrap-up) capability pilot of the support world (docs/capability-pilots.md#wrap-up-pilot).

Agents are randomised 50/50 within every site (cxscale.assignment.stratified, seed `after_contact`) on day
START_DAY. For POST_DAYS days every assisted contact of every agent is logged in exposures: the after-contact model
has a suggestion (a summary and a wrap-up code) when the contact has a usable transcript (TRIGGER per channel). The
suggested code's confidence is drawn from Beta(CONF_A, CONF_B) and the code is right with that probability (a
calibrated model); a wrong code is the contact's true code with its resolution flipped (`billing_dispute:resolved`
for a `billing_dispute:follow_up` contact and back). In treatment a code at or above AUTO_AT is auto-applied, a lower
one suggested; the agent keeps a right code (a suggested one accepted, or edited: the summary touched up) and
corrects a wrong one (overridden). Every kept suggestion shortens the contact's after-contact work, most for
novices (HANDLE, by how it was kept and tenure band); a corrected one saves nothing.

Anchoring (the world option `anchoring=True`): a treated agent keeps a wrong code with probability ANCHOR instead
of correcting it, so the final wrap-up codes (interactions.wrap_up_code) of treated agents drift towards the model's
mistakes. Without it every final code is the true one in both arms, so the code mix is the same in both arms.

Separate window, not a namespace: the pilot runs on days 14-35 (pre-period days 0-14), before the knowledge_guidance
pilot's pre-period (days 35-63) and post window (63-112), so the two never share a contact and neither readout sees
the other's treatment. The intent_routing switchback (days 7-35) does share its contacts: its slot arms are
independent of the agents' arms (a crossed design), the wrap-up applies after routing, so each pilot's potential
outcomes are taken given the other's realised assignment (support.py scales routing's by the realised wrap-up
factor). All draws come from the pilot's own stream, a fixed number per contact, so no other stream of the world
moves; contacts before day 14 are the same as without it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxscale.documents.pilot_spec import Capability, MetricRef, PilotSpec, Target, Value, Windows
from cxscale.simulate import support_catalog as C
from cxscale.simulate.capabilities import BANDS
from cxscale.simulate.world import (
    US_PER_SECOND,
    PlantedPilot,
    Truths,
    WorldPeriod,
    assignment_rows,
    block_rng,
    exposure_rows,
    interaction_ids,
    timestamps,
)

WRAPUP = "after_contact"
START_DAY, PRE_DAYS, POST_DAYS = 14, 14, 21  # ends on day 35, where knowledge_guidance's pre-period begins
STREAM = "support-wrapup"
#: Probability that a contact has a suggestion (a usable transcript), per channel (voice, chat, email, messaging,
#: self_service, social, sms); self-service and sms have no agent.
TRIGGER = np.array([0.75, 0.97, 0.95, 0.97, 0.0, 0.90, 0.0])
#: The model's confidence in its code ~ Beta(CONF_A, CONF_B) (mean 0.8); the code is right with that probability.
CONF_A, CONF_B = 8.0, 2.0
AUTO_AT = 0.9  # auto-applied at or above, suggested below (AfterContactModel's default)
EDITED = 0.25  # of the kept suggested codes, the summary is edited before saving (the rest accepted as is)
ANCHOR = 0.6  # with anchoring: a treated agent keeps a wrong code with this probability
#: Handle-time factor of a kept suggestion by how it was kept (auto-applied, accepted, edited) and tenure band
#: (0-6, 6-24, 24+ months): novices spend longest on wrap-up and gain most; a corrected code saves nothing.
HANDLE = np.array([[0.80, 0.88, 0.94],
                   [0.85, 0.91, 0.96],
                   [0.91, 0.95, 0.98]])
AUTO, ACCEPTED, EDIT, OVERRIDDEN = 0, 1, 2, 3


def mechanism(anchoring: bool) -> str:
    return (
        f"Agents are split 50/50 within every site by hash rank (cxscale.assignment.stratified, seed {WRAPUP}) on "
        f"day {START_DAY}. For {POST_DAYS} days every assisted contact of every agent is logged in exposures: the "
        "after-contact model has a suggestion with probability 0.75 (voice), 0.97 (chat, messaging), 0.95 (email), "
        f"0.90 (social); its code is right with probability equal to its confidence (Beta({CONF_A:g}, {CONF_B:g})), "
        "a wrong code flips the contact's resolution. In treatment a code at confidence "
        f"{AUTO_AT:g} or more is auto-applied, a lower one suggested; a right code is kept and cuts handle time by "
        "20/12/6% (auto-applied), 15/9/4% (accepted), 9/5/2% (edited) for agents of tenure 0-6/6-24/24+ months; a "
        "wrong one is corrected (overridden) and saves nothing. "
        + (f"Anchoring is planted: a treated agent keeps a wrong code with probability {ANCHOR} (and saves the time "
           "of a kept code), so treated agents' wrap-up codes shift towards the model's mistakes."
           if anchoring else "No anchoring: every final wrap-up code is the true one in both arms.")
    )


class WrapUpPilot:
    """The after_contact pilot of one support world: arms (from the agents' tenure and sites), per block its effect
    on handle time, the final wrap-up codes, its exposure and feedback rows and its true-effect sums."""

    def __init__(self, period: WorldPeriod, seed: int, agent_ids: pa.Array, agent_site: np.ndarray,
                 band: np.ndarray, anchoring: bool = False) -> None:
        self.period, self.seed, self.anchoring = period, seed, anchoring
        self.agent_ids, self.band = agent_ids, band
        roster = {a: C.SITES[s] for a, s in zip(agent_ids.to_pylist(), agent_site, strict=True)}
        spec = self.spec("EUR")
        assert spec.capability is not None
        arms = spec.capability.plan(spec).arms(roster)
        self.treated = np.array([arms[a] == "treatment" for a in agent_ids.to_pylist()])
        self.start = period.day_us(START_DAY)
        self.end = period.day_us(START_DAY + POST_DAYS)

    def spec(self, currency: str) -> PilotSpec:
        return PilotSpec(
            pilot=WRAPUP, design="randomised", unit="agent",
            description="Suggested and auto-applied wrap-up codes and summaries should shorten after-contact work, "
                        "most for novices, without shifting the mix of wrap-up codes.",
            primary=MetricRef(metric="aht", target=Target(relative=-0.03)),
            guardrails=[MetricRef(metric="csat_mean", max_harm=Target(relative=-0.02))],
            windows=Windows(pre_days=PRE_DAYS, post_days=POST_DAYS),
            value=Value(currency=currency, nature="recurring"),
            capability=Capability(name=WRAPUP, stratified=True, tenure_bands=list(BANDS)))

    def planted(self, currency: str) -> PlantedPilot:
        return PlantedPilot(self.spec(currency), self.period.at(START_DAY), mechanism(self.anchoring),
                            shown_rate=1.0)  # every triggered suggestion is auto-applied or suggested

    def assignments(self) -> pa.Table:
        return assignment_rows(self.agent_ids, "agent", WRAPUP, self.treated, self.period, START_DAY)

    # --- per block -------------------------------------------------------------------------------------------------

    def rng(self, block: int) -> np.random.Generator:
        return block_rng(self.seed, STREAM, block)

    def apply(self, rng: np.random.Generator, t: np.ndarray, channel: np.ndarray, agent: np.ndarray,
              handle: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One round of contacts: the handle time with the kept suggestions, and the columns the codes, exposures,
        feedback and truths need. Every contact gets the same draws (confidence + 4 uniforms) in both arms."""
        m = len(t)
        conf = rng.beta(CONF_A, CONF_B, m)
        u = rng.random((m, 4))
        logged = (agent >= 0) & (t >= self.start) & (t < self.end)
        a = np.maximum(agent, 0)
        band = self.band[a]
        triggered = logged & (u[:, 0] < TRIGGER[channel])
        wrong = triggered & (u[:, 1] >= conf)
        auto = conf >= AUTO_AT
        anchored = wrong & self.anchoring & (u[:, 2] < ANCHOR)
        # What a treated agent would do with the suggestion (the potential outcome; control never sees it).
        how = np.where(wrong & ~anchored, OVERRIDDEN,
                       np.where(auto, AUTO, np.where(u[:, 3] < EDITED, EDIT, ACCEPTED)))
        factor = np.where(triggered & (how != OVERRIDDEN), HANDLE[np.minimum(how, EDIT), band], 1.0)
        treated = self.treated[a] & logged
        shown = triggered & treated
        cols = {"wu_logged": logged, "wu_triggered": triggered, "wu_shown": shown, "wu_wrong": wrong,
                "wu_anchored": anchored & treated, "wu_auto": auto, "wu_how": how, "wu_edit": u[:, 3],
                "wu_p_trigger": TRIGGER[channel], "wu_h0": handle, "wu_factor": factor}
        return np.where(shown, handle * factor, handle), cols

    @staticmethod
    def code_names(intent: np.ndarray, resolved: np.ndarray) -> pa.Array:
        """wrap_up_code(intent, resolved) of every row, vectorised: intent:resolved or intent:follow_up."""
        from cxscale.simulate.messages import wrap_up_code

        flat = pa.array([wrap_up_code(i, r) for i in C.INTENTS for r in (False, True)], pa.string())
        return flat.take(pa.array(intent * 2 + resolved.astype(np.int64)))

    @classmethod
    def codes(cls, c: dict[str, np.ndarray]) -> pa.Array:
        """The final wrap-up code of every contact (null for self-service): intent and resolution, except where a
        treated agent kept a wrong suggested code (anchoring), which flips the resolution."""
        code = cls.code_names(c["intent"], c["resolved"] ^ c["wu_anchored"])
        return pc.if_else(pa.array(c["agent"] >= 0), code, pa.scalar(None, pa.string()))

    def tables(self, c: dict[str, np.ndarray], block: int) -> tuple[pa.Table, pa.Table]:
        """Exposures (every logged contact, both arms) and feedback (each shown suggestion: displayed or auto_applied,
        then accepted, edited or overridden with the code chosen) of one block's contacts."""
        from cxscale.simulate.world import table

        rows = np.flatnonzero(c["wu_logged"])
        iid = interaction_ids(block, len(c["t"])).take(pa.array(rows))
        agent = c["agent"][rows]
        trig, shown = c["wu_triggered"][rows], c["wu_shown"][rows]
        exposures, sid = exposure_rows(self.agent_ids.take(pa.array(agent)), "agent", iid, WRAPUP,
                                       np.where(self.treated[agent], "treatment", "control"), trig, shown, "W",
                                       timestamps(self.period, c["t"][rows]))
        s = rows[np.flatnonzero(shown)]
        how, auto = c["wu_how"][s], c["wu_auto"][s]
        first = np.where(auto, "auto_applied", "displayed")
        action = np.array(["accepted", "accepted", "edited", "overridden"])[how]
        # The code saved: the suggestion's when kept (right, or wrong and anchored), the true one when corrected.
        chosen = self.code_names(c["intent"][s], c["resolved"][s] ^ (c["wu_wrong"][s] & (how != OVERRIDDEN)))
        edited = how == EDIT
        distance = np.where(edited, 5 + np.floor(c["wu_edit"][s] * 160), 0).astype(np.int64)
        sids = sid.take(pa.array(np.flatnonzero(shown)))
        t0 = c["t"][s] + (c["handle"][s] * US_PER_SECOND).astype(np.int64)  # after the contact
        k = len(s)
        feedback = table("feedback", {
            "suggestion_id": pa.concat_arrays([sids, sids]),
            "action": pa.array(first.tolist() + action.tolist(), pa.string()),
            "chosen_item": pa.concat_arrays([pa.nulls(k, pa.string()), chosen]),
            "edit_distance": pa.concat_arrays([pa.nulls(k, pa.int64()), pa.array(distance, mask=~edited)]),
            "ts": timestamps(self.period, np.concatenate([t0, t0 + 20 * US_PER_SECOND])),
        })
        return exposures, feedback

    def add_truths(self, truths: Truths, c: dict[str, np.ndarray]) -> None:
        """Both potential outcomes of every logged contact: ITT over all, triggered over the triggered ones, ITT per
        tenure band; the funnel's planted rates (trigger, shown = 1, use = kept share of shown)."""
        w = c["wu_logged"]
        h0, h1 = c["wu_h0"], c["wu_h0"] * c["wu_factor"]
        band = self.band[np.maximum(c["agent"], 0)]
        for key, keep in (("aht", w), ("triggered:aht", w & c["wu_triggered"])):
            truths.get(WRAPUP, key).add(h0[keep].sum(), h1[keep].sum(), keep.sum())
        for b in range(len(BANDS)):
            keep = w & (band == b)
            truths.get(WRAPUP, f"tenure:{b}:aht").add(h0[keep].sum(), h1[keep].sum(), keep.sum())
        p_trig = c["wu_p_trigger"][w].sum()
        truths.get(WRAPUP, "funnel:trigger_rate").add(p_trig, p_trig, w.sum())
        shown = c["wu_shown"]
        # A kept code is a right one (probability = confidence) or, with anchoring, a wrong one kept.
        conf_mean = CONF_A / (CONF_A + CONF_B)
        p_keep = conf_mean + (1 - conf_mean) * (ANCHOR if self.anchoring else 0.0)
        truths.get(WRAPUP, "funnel:use_rate").add(p_keep * shown.sum(), p_keep * shown.sum(), shown.sum())


__all__ = ["ANCHOR", "WRAPUP", "WrapUpPilot", "mechanism"]
