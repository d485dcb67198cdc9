"""The support scenario: customers with needs (episodes) that become chains of contacts across channels.

Each need has an intent; its first contact goes to a channel chosen by the customer's digital affinity and the
intent's fit for self-service; an unresolved contact is followed (often after a channel switch) by a repeat contact
within hours or days. Handle times are lognormal with a heavy tail, CSAT is an ordinal 1-5 from a latent that
depends on resolution, wait, transfers and effort, cost follows the contract's rate card. Unresolved needs raise the
chance of churn; resolved sales needs end in purchases. Pilot mechanisms and the potential outcomes used for the
true effects live here too (docs/simulator.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxscale.simulate import support_catalog as C
from cxscale.simulate import support_pilots as P
from cxscale.simulate.capabilities import GuidancePilot
from cxscale.simulate.routing_pilot import RoutingPilot
from cxscale.simulate.world import (
    US_PER_DAY,
    US_PER_SECOND,
    Block,
    PlantedPilot,
    Truths,
    WorldPeriod,
    assignment_rows,
    balanced_arms,
    block_rng,
    categorical,
    categorical_rows,
    cdf_of,
    floats,
    ids,
    interaction_ids,
    labels,
    ordinal_1_to_5,
    rate_card_arrays,
    sigmoid,
    table,
    timestamps,
)
from cxscale.simulate.wrapup_pilot import WrapUpPilot

MAX_CONTACTS = 5  # per need; a need still open after five contacts is abandoned
CSAT_BASE = 3.3
MAX_HANDLE_SECONDS = 3 * 3600.0  # longer contacts are cut off (the system drops them)
CSAT_NOISE = 0.9


class SupportWorld:
    """A telco/utility contact centre over 182 days: 9 sites, ~460 agents, 20 intents, 7 channels, 5 pilots."""

    name = "support"
    description = "Telco/utility customer support across 7 channels and 20 intents, with 5 pilots"

    def __init__(self, customers: int, seed: int, currency: str = "EUR", capabilities: bool = False,
                 anchoring: bool = False) -> None:
        self.customers = customers
        self.seed = seed
        self.currency = currency
        self.period = WorldPeriod(datetime(2026, 1, 5, tzinfo=UTC), 182)
        self.truths = Truths()
        rng = block_rng(seed, self.name, -1)
        self.agent_site = np.repeat(np.arange(len(C.SITES)), C.SITE_AGENTS)
        self.site_first_agent = np.concatenate([[0], np.cumsum(C.SITE_AGENTS)[:-1]])
        n_agents = len(self.agent_site)
        self.agent_skill = rng.normal(0.0, 0.35, n_agents)  # resolution, log-odds
        self.agent_speed = rng.normal(0.0, 0.12, n_agents)  # handle time, log scale
        # agent_assist: half of each site's agents, so every site has the same treated share.
        self.agent_treated = np.zeros(n_agents, dtype=bool)
        for s, first in enumerate(self.site_first_agent):
            k = int(C.SITE_AGENTS[s])
            self.agent_treated[first + rng.permutation(k)[: k // 2]] = True
        # after_contact_summaries: 4 of the 8 non-rollout sites.
        self.callback_site = C.SITES.index(P.CALLBACK_SITE)
        self.summary_sites = np.array([s for s in range(len(C.SITES)) if s != self.callback_site])
        self.site_treated = np.zeros(len(C.SITES), dtype=bool)
        self.site_treated[rng.permutation(self.summary_sites)[: len(self.summary_sites) // 2]] = True
        self.fixed_cost, self.minute_cost = rate_card_arrays(C.CHANNELS)
        day = np.arange(self.period.days)
        weekday = (self.period.start.weekday() + day) % 7
        base = C.WEEKDAY_WEIGHT[weekday] * (1.0 + 0.10 * np.sin(2 * np.pi * day / 91.0))
        # Billing needs bunch up in the days after bills arrive (the 1st of the month).
        day_of_month = np.array([self.period.at(int(d)).day for d in day])
        self.day_cdf = cdf_of(np.vstack([base, base * np.where(day_of_month <= 6, 2.5, 1.0)]))
        self.hour_cdf = cdf_of(C.HOUR_WEIGHT)
        intent_w = np.vstack([C.INTENT_WEIGHT, C.INTENT_WEIGHT * C.NEW_CUSTOMER_WEIGHT])
        self.intent_cdf = cdf_of(intent_w)
        self.routing_cdf = cdf_of(C.SITE_ROUTING)
        self.starts = {s.name: self.period.day_us(s.start_day) for s in P.SETTINGS}
        self.ends = {s.name: self.period.day_us(s.start_day + s.post_days) for s in P.SETTINGS}
        # Capability pilots (opt-in) draw from their own streams: the rest of the world is the same without them.
        self.cap = GuidancePilot(self.period, seed, self.agent_site) if capabilities else None
        self.routing = RoutingPilot(self.period, seed) if capabilities else None
        # The wrap-up pilot (days 14-35, before guidance's pre-period; inside the routing switchback's window, with
        # arms independent of its slots) shares the agents' tenure; anchoring plants its guardrail's failure
        # (simulate/wrapup_pilot.py).
        self.wrapup = (WrapUpPilot(self.period, seed, self.cap.agent_ids, self.agent_site, self.cap.band, anchoring)
                       if self.cap is not None else None)
        #: The capability pilots in the order the world lists them (pilots, assignments, exposures and feedback).
        self.capability_pilots = [p for p in (self.wrapup, self.cap, self.routing) if p is not None]

    # --- description -------------------------------------------------------------------------------------------

    def hotspots(self) -> list[dict]:
        return [{"intent": i, "journey_stage": s, "kinds": k, "note": n} for i, s, k, n in C.HOTSPOTS]

    def pilots(self) -> list[PlantedPilot]:
        specs = P.specs(self.currency)
        planted = [PlantedPilot(specs[s.name], self.period.at(s.start_day), s.mechanism) for s in P.SETTINGS]
        return planted + [p.planted(self.currency) for p in self.capability_pilots]

    def agents(self) -> pa.Table | None:
        """The agents table (tenure, site) when the world has capability pilots, else None."""
        return self.cap.agents() if self.cap else None

    def unit_assignments(self) -> pa.Table:
        """Agent and site assignment rows (customer rows come with each block)."""
        agents = ids("A", np.arange(len(self.agent_site)) + 1, 4)
        sites = pa.array(list(C.SITES), pa.string())
        rollout = np.arange(len(C.SITES)) == self.callback_site
        return pa.concat_tables([
            assignment_rows(agents, "agent", P.ASSIST.name, self.agent_treated, self.period, P.ASSIST.start_day),
            assignment_rows(sites.take(pa.array(self.summary_sites)), "site", P.SUMMARIES.name,
                            self.site_treated[self.summary_sites], self.period, P.SUMMARIES.start_day),
            assignment_rows(sites, "site", P.CALLBACK.name, rollout, self.period, P.CALLBACK.start_day),
            *(p.assignments() for p in self.capability_pilots),
        ])

    # --- one block of customers --------------------------------------------------------------------------------

    def block(self, index: int, first_customer: int, n: int) -> Block:
        rng = block_rng(self.seed, self.name, index)
        end = self.period.end_us
        # customers
        seg = categorical(rng, cdf_of(C.SEGMENT_SHARE), n)
        new = rng.random(n) < 0.12
        tenure = np.where(new, rng.integers(0, 3, n), 3 + np.floor(rng.exponential(34.0, n))).astype(np.int64)
        digital = rng.normal(0.0, 1.2, n) + C.SEGMENT_DIGITAL[seg]
        spend = C.SEGMENT_SPEND[seg] * rng.lognormal(0.0, 0.35, n)
        region = categorical(rng, cdf_of(C.REGION_SHARE), n)
        plan = categorical(rng, cdf_of(C.PLAN_SHARE), n)
        propensity = C.SEGMENT_EPISODES[seg] * np.where(new, 1.7, 1.0) * rng.gamma(1.3, 1 / 1.3, n)
        pilot_u = rng.random(n)  # which customer pilot a customer may join (alerts 40%, greeting 30%)
        arm_key = rng.random(n)  # the arm, drawn now so that the rest of the stream does not depend on it
        # needs (episodes)
        n_ep = rng.poisson(propensity)
        ec = np.repeat(np.arange(n), n_ep)
        n_e = len(ec)
        intent = categorical_rows(rng, self.intent_cdf, new[ec].astype(np.int64))
        day = np.empty(n_e, np.int64)
        billing = C.INTENT_STAGE[intent] == C.STAGES.index("billing")
        for row, members in enumerate((~billing, billing)):
            day[members] = categorical(rng, self.day_cdf[row], int(members.sum()))
        hour = categorical(rng, self.hour_cdf, n_e)
        ep_start = day * US_PER_DAY + hour * 3600 * US_PER_SECOND + rng.integers(0, 3600 * US_PER_SECOND, n_e)
        alerts_eligible = np.isin(intent, [C.INTENTS.index(i) for i in P.ALERTS_INTENTS])
        prevented1 = alerts_eligible & (ep_start >= self.starts[P.ALERTS.name]) & (rng.random(n_e) < P.ALERTS_PREVENTED)
        c, ep = self._contacts(rng, ec, intent, ep_start, digital, end, self.cap.rng(index) if self.cap else None,
                               self.routing.rng(index) if self.routing else None,
                               self.wrapup.rng(index) if self.wrapup else None)
        # churn and purchases follow from how needs ended
        draws = self._churn_triggers(rng, n, ec, intent, ep)
        churn0 = self._churn_times(draws, ec, np.zeros(n_e, dtype=bool))
        churn1 = self._churn_times(draws, ec, prevented1)
        # Pilot membership: customers still active when the pilot starts. Both worlds agree on churn before the start
        # (prevention acts on later needs only), so this is pre-assignment information; the arms are then drawn
        # among the members only, so that arm and membership are independent.
        in_alerts = (pilot_u < 0.40) & (churn0 >= self.starts[P.ALERTS.name])
        in_greeting = (pilot_u >= 0.40) & (pilot_u < 0.70) & (churn0 >= self.starts[P.GREETING.name])
        alerts_on = balanced_arms(arm_key, in_alerts, index)
        greeting_on = balanced_arms(arm_key, in_greeting, index)
        prevented = prevented1 & alerts_on[ec]
        churn = np.where(alerts_on, churn1, churn0)
        alive0 = ep_start < churn0[ec]
        alive1 = ~prevented1 & (ep_start < churn1[ec])
        alive = ~prevented & (ep_start < churn[ec])
        keep = alive[c["ep"]]
        self._truths(c, ec, alive0, alive1, keep, in_alerts, in_greeting)
        c = {k: v[keep] for k, v in c.items()}
        order = np.lexsort((c["t"], c["cust"]))
        c = {k: v[order] for k, v in c.items()}
        cust_ids = ids("C", np.arange(first_customer, first_customer + n) + 1, 8)
        for pilot in self.capability_pilots:
            pilot.add_truths(self.truths, c)
        logged = [pilot.tables(c, index) for pilot in self.capability_pilots]
        exposures = pa.concat_tables([x for x, _ in logged]) if logged else None
        feedback = pa.concat_tables([f for _, f in logged]) if logged else None
        return Block(
            interactions=self._interactions_table(c, cust_ids, index),
            outcomes=self._outcomes(rng, n, ec, intent, ep, alive, churn, spend, cust_ids),
            customers=pa.table({
                "customer_id": cust_ids,
                "segment": labels(C.SEGMENTS, seg),
                "region": labels(C.REGIONS, region),
                "plan": labels(C.PLANS, plan),
                "tenure_months": pa.array(tenure),
                "monthly_spend": floats(np.round(spend, 2)),
            }),
            assignments=pa.concat_tables([
                assignment_rows(cust_ids.filter(pa.array(in_alerts)), "customer", P.ALERTS.name,
                                alerts_on[in_alerts], self.period, P.ALERTS.start_day),
                assignment_rows(cust_ids.filter(pa.array(in_greeting)), "customer", P.GREETING.name,
                                greeting_on[in_greeting], self.period, P.GREETING.start_day),
            ]),
            exposures=exposures, feedback=feedback,
        )

    def _contacts(self, rng: np.random.Generator, ec: np.ndarray, intent: np.ndarray, ep_start: np.ndarray,
                  digital: np.ndarray, end: int, cap_rng: np.random.Generator | None = None,
                  routing_rng: np.random.Generator | None = None, wrap_rng: np.random.Generator | None = None
                  ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Follow every need from contact to contact until resolved, abandoned or MAX_CONTACTS; returns contact
        columns (with the potential outcomes pilots need) and per-need results. cap_rng, routing_rng, wrap_rng: the
        capability pilots' streams of this block (their draws never touch `rng`)."""
        n_e = len(ec)
        ep = {"contacts": np.zeros(n_e, np.int64), "resolved": np.zeros(n_e, bool), "end": ep_start.copy()}
        parts: list[dict[str, np.ndarray]] = []
        active = np.arange(n_e)
        t = ep_start.copy()
        prev = np.zeros(n_e, np.int64)
        switched = np.zeros(n_e, bool)
        s_assist, s_summ, s_call = self.starts[P.ASSIST.name], self.starts[P.SUMMARIES.name], self.starts[P.CALLBACK.name]
        for k in range(MAX_CONTACTS):
            m = len(active)
            if m == 0 and parts:  # (a block without any need still yields empty contact columns)
                break
            it = intent[active]
            if k == 0:
                logits = (C.CHANNEL_BASE + digital[ec[active], None] * C.CHANNEL_DIGITAL
                          + C.INTENT_SELF_SERVICE[it, None] * C.CHANNEL_IS_SELF_SERVICE)
                ch = np.argmax(logits - np.log(-np.log(rng.random((m, len(C.CHANNELS))))), axis=1)
            else:
                stay = 1.0 - C.SWITCH_PROB[prev]
                switch = rng.random(m) < 1.0 - stay * (1.0 - C.INTENT_SWITCH[it])
                ch = np.where(switch, categorical(rng, C.ESCALATION_CDF / C.ESCALATION_CDF[-1], m), prev)
                switched = switch & (ch != prev)
            assisted = C.ASSISTED[ch]
            site = np.where(assisted, categorical_rows(rng, self.routing_cdf, ch), -1)
            agent = np.where(assisted, self.site_first_agent[site] + (rng.random(m) * C.SITE_AGENTS[site]).astype(np.int64), -1)
            hour = (t // (3600 * US_PER_SECOND)) % 24
            weekday = (t // US_PER_DAY + self.period.start.weekday()) % 7
            wait0 = (C.CHANNEL_WAIT[ch] * np.where(assisted, C.SITE_WAIT[site], 0.0) * C.HOUR_WAIT[hour]
                     * C.WEEKDAY_WAIT[weekday]
                     * np.where(it == C.INTENTS.index("move_home"), 2.5, 1.0) * rng.lognormal(0.0, 0.7, m))
            callback = (site == self.callback_site) & (ch == C.VOICE) & (t >= s_call)
            wait = np.where(callback, wait0 * P.CALLBACK_WAIT, wait0)
            transferred = assisted & (rng.random(m) < C.INTENT_TRANSFER[it] * C.CHANNEL_TRANSFER[ch])
            log_h = (np.log(C.INTENT_HANDLE[it] * C.CHANNEL_HANDLE[ch]) + C.CHANNEL_HANDLE_SIGMA[ch] * rng.standard_normal(m)
                     + np.where(assisted, self.agent_speed[agent] + np.log(C.SITE_HANDLE[site]), 0.0)
                     + np.where(rng.random(m) < 0.05, rng.exponential(0.5, m), 0.0))
            handle_base = np.minimum(np.exp(log_h) * np.where(transferred, 1.7, 1.0), MAX_HANDLE_SECONDS)
            summ_on = assisted & (t >= s_summ)
            assist_on = C.LIVE[ch] & (t >= s_assist)  # potential: what guidance would do for any agent
            summ_mult = np.where(summ_on & self.site_treated[site], P.SUMMARIES_HANDLE, 1.0)
            agent_on = assist_on & self.agent_treated[agent]
            handle = handle_base * summ_mult * np.where(agent_on, P.ASSIST_HANDLE, 1.0)
            cap_cols: dict[str, np.ndarray] = {}
            if self.cap is not None and cap_rng is not None:
                handle, cap_cols = self.cap.apply(cap_rng, t, ch, agent, handle)
            # The routing switchback changes what the contact's row shows (transfer, handle, wait); resolution and
            # CSAT keep the world's transfer and wait, so the need chains do not move (routing_pilot.py).
            shown_transfer, shown_wait = transferred, wait
            if self.routing is not None and routing_rng is not None:
                shown_transfer, handle, shown_wait, rt_cols = self.routing.apply(
                    routing_rng, t, ch, it, site, handle, wait, transferred)
                cap_cols = {**cap_cols, **rt_cols}
            if self.wrapup is not None and wrap_rng is not None:
                # After routing: the wrap-up's potential handle times include the slot's realised routing, and the
                # routing's include the agent's realised wrap-up (both arms' assignments are independent).
                handle, wu_cols = self.wrapup.apply(wrap_rng, t, ch, agent, handle)
                if "rt_h0" in cap_cols:
                    kept = np.where(wu_cols["wu_shown"], wu_cols["wu_factor"], 1.0)
                    cap_cols["rt_h0"], cap_cols["rt_h1"] = cap_cols["rt_h0"] * kept, cap_cols["rt_h1"] * kept
                cap_cols = {**cap_cols, **wu_cols}
            logit = (C.INTENT_RESOLVE[it] + C.CHANNEL_RESOLVE[ch] + 0.35 * k - 0.25 * transferred
                     + np.where(assisted, self.agent_skill[agent], 0.5 * C.INTENT_SELF_SERVICE[it]))
            u = rng.random(m)
            res0 = u < sigmoid(logit)
            res1 = u < sigmoid(logit + np.where(assist_on, P.ASSIST_RESOLVE_LOGIT, 0.0))
            resolved = np.where(agent_on, res1, res0)
            noise = CSAT_NOISE * rng.standard_normal(m)
            effort = CSAT_BASE + C.INTENT_CSAT[it] - 0.5 * transferred - 0.3 * k - 0.35 * switched + noise

            def csat(res: np.ndarray, w: np.ndarray, effort: np.ndarray = effort, ch: np.ndarray = ch) -> np.ndarray:
                return ordinal_1_to_5(effort + 1.5 * res - 0.5 * np.log1p(w / C.CHANNEL_WAIT_REF[ch]))

            rated = rng.random(m) < C.CHANNEL_CSAT_RESPONSE[ch]
            parts.append({
                "ep": active, "cust": ec[active], "t": t, "channel": ch, "intent": it, "site": site,
                "agent": agent, "handle": handle, "wait": shown_wait, "transferred": shown_transfer,
                "resolved": resolved,
                "csat": csat(resolved, wait), "rated": rated,
                "cost": self.fixed_cost[ch] + self.minute_cost[ch] * handle / 60.0,
                # potential outcomes for the true effects
                "h_assist0": handle_base * summ_mult, "assist_mult": np.where(assist_on, P.ASSIST_HANDLE, 1.0),
                "res0": res0, "res1": res1, "csat_res0": csat(res0, wait), "csat_res1": csat(res1, wait),
                "h_summ0": handle / summ_mult, "summ_mult": np.where(summ_on, P.SUMMARIES_HANDLE, 1.0),
                "csat_wait0": csat(resolved, wait0), **cap_cols,
            })
            ep["contacts"][active] += 1
            ep["resolved"][active] = resolved
            ep["end"][active] = t + (handle * US_PER_SECOND).astype(np.int64)
            again = np.where(resolved, rng.random(m) < 0.03, rng.random(m) < C.INTENT_REPEAT[it] * 0.9**k)
            gap_s = np.where(ch == C.SELF_SERVICE, rng.lognormal(np.log(1500.0), 0.8, m),
                             rng.lognormal(np.log(1.6 * 86400), 1.0, m))
            t_next = ep["end"][active] + (gap_s * US_PER_SECOND).astype(np.int64)
            again &= t_next < end
            active, t, prev, switched = active[again], t_next[again], ch[again], switched[again]
        contacts = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]} if parts else {}
        return contacts, ep

    @staticmethod
    def _churn_triggers(rng: np.random.Generator, n: int, ec: np.ndarray, intent: np.ndarray,
                        ep: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw churn once for both worlds: per need, whether it triggers churn (intent risk, +8 points when it ended
        unresolved, +1 point per extra contact) and when (~6 days after it ended); per customer, a baseline churn
        time (3% per 182 days). Times are us from the period start."""
        p = np.minimum(C.INTENT_CHURN[intent] + 0.08 * ~ep["resolved"] + 0.01 * (ep["contacts"] - 1), 0.9)
        triggers = rng.random(len(ec)) < p
        at = ep["end"] + (rng.exponential(6.0, len(ec)) * US_PER_DAY).astype(np.int64)
        baseline = (rng.exponential(182.0 / 0.03, n) * US_PER_DAY).astype(np.int64)
        return triggers, at, baseline

    @staticmethod
    def _churn_times(draws: tuple[np.ndarray, np.ndarray, np.ndarray], ec: np.ndarray,
                     prevented: np.ndarray) -> np.ndarray:
        """Churn time per customer (beyond the period end = no churn): the earliest of the baseline and the churn
        triggered by needs that happened (were not prevented)."""
        triggers, at, baseline = draws
        churn = baseline.copy()
        trig = triggers & ~prevented
        np.minimum.at(churn, ec[trig], at[trig])
        return churn

    def _truths(self, c: dict[str, np.ndarray], ec: np.ndarray, alive0: np.ndarray, alive1: np.ndarray,
                keep: np.ndarray, in_alerts: np.ndarray, in_greeting: np.ndarray) -> None:
        """Add this block's potential-outcome sums for every pilot metric (over each pilot's post window)."""
        T, t = self.truths, c["t"]

        def window(name: str) -> np.ndarray:
            return (t >= self.starts[name]) & (t < self.ends[name])

        # proactive_alerts: per customer, both worlds from the same needs and draws.
        w = window(P.ALERTS.name) & in_alerts[c["cust"]]
        a0, a1 = w & alive0[c["ep"]], w & alive1[c["ep"]]
        units = int(in_alerts.sum())
        T.get(P.ALERTS.name, "contacts_per_customer").add(a0.sum(), a1.sum(), units)
        T.get(P.ALERTS.name, "cost_to_serve").add(c["cost"][a0].sum(), c["cost"][a1].sum(), units)
        r0, r1 = a0 & c["rated"], a1 & c["rated"]
        T.get(P.ALERTS.name, "csat_mean").add(c["csat"][r0].sum(), c["csat"][r1].sum(), r0.sum(), r1.sum())
        # agent_assist: every assisted contact in the window (all agents are in the pilot).
        w = window(P.ASSIST.name) & keep & (c["agent"] >= 0)
        h0 = c["h_assist0"][w]
        T.get(P.ASSIST.name, "aht").add(h0.sum(), (h0 * c["assist_mult"][w]).sum(), w.sum())
        T.get(P.ASSIST.name, "resolution_rate").add(c["res0"][w].sum(), c["res1"][w].sum(), w.sum())
        T.get(P.ASSIST.name, "transfer_rate").add(c["transferred"][w].sum(), c["transferred"][w].sum(), w.sum())
        r = w & c["rated"]
        T.get(P.ASSIST.name, "csat_mean").add(c["csat_res0"][r].sum(), c["csat_res1"][r].sum(), r.sum())
        # after_contact_summaries: contacts at the eight randomised sites.
        w = window(P.SUMMARIES.name) & keep & np.isin(c["site"], self.summary_sites)
        h0 = c["h_summ0"][w]
        T.get(P.SUMMARIES.name, "aht").add(h0.sum(), (h0 * c["summ_mult"][w]).sum(), w.sum())
        T.get(P.SUMMARIES.name, "resolution_rate").add(c["resolved"][w].sum(), c["resolved"][w].sum(), w.sum())
        r = w & c["rated"]
        T.get(P.SUMMARIES.name, "csat_mean").add(c["csat"][r].sum(), c["csat"][r].sum(), r.sum())
        # callback_rollout: effect on the treated site (the effect on the treated, what DiD estimates).
        w = window(P.CALLBACK.name) & keep & (c["site"] == self.callback_site)
        r = w & c["rated"]
        T.get(P.CALLBACK.name, "csat_mean").add(c["csat_wait0"][r].sum(), c["csat"][r].sum(), r.sum())
        T.get(P.CALLBACK.name, "resolution_rate").add(c["resolved"][w].sum(), c["resolved"][w].sum(), w.sum())
        # ivr_greeting: a placebo, identical worlds.
        w = window(P.GREETING.name) & keep & in_greeting[c["cust"]]
        units = int(in_greeting.sum())
        T.get(P.GREETING.name, "contacts_per_customer").add(w.sum(), w.sum(), units)
        T.get(P.GREETING.name, "cost_to_serve").add(c["cost"][w].sum(), c["cost"][w].sum(), units)
        r = w & c["rated"]
        T.get(P.GREETING.name, "csat_mean").add(c["csat"][r].sum(), c["csat"][r].sum(), r.sum())

    def _interactions_table(self, c: dict[str, np.ndarray], cust_ids: pa.Array, block: int) -> pa.Table:
        n = len(c["t"])
        assisted = c["agent"] >= 0
        return table("interactions", {
            "interaction_id": interaction_ids(block, n),
            "customer_id": cust_ids.take(pa.array(c["cust"])),
            "started_at": timestamps(self.period, c["t"]),
            "channel": labels(C.CHANNELS, c["channel"]),
            "intent": labels(C.INTENTS, c["intent"]),
            "journey_stage": labels(C.STAGES, C.INTENT_STAGE[c["intent"]]),
            "agent_id": _masked_ids("A", c["agent"] + 1, 4, assisted),
            "site": labels(C.SITES, np.maximum(c["site"], 0), assisted),
            "handle_seconds": floats(np.round(c["handle"], 1)),
            "wait_seconds": floats(np.round(c["wait"], 1)),
            "abandoned": pa.nulls(n, pa.bool_()),  # not simulated (docs/simulator.md#limits): unknown
            "transferred": pa.array(c["transferred"]),
            "resolved": pa.array(c["resolved"]),
            "csat": floats(c["csat"], c["rated"]),
            "cost": floats(np.round(c["cost"], 4)),
            **({"wrap_up_code": self.wrapup.codes(c)} if self.wrapup is not None else {}),
        })

    def _outcomes(self, rng: np.random.Generator, n: int, ec: np.ndarray, intent: np.ndarray,
                  ep: dict[str, np.ndarray], alive: np.ndarray, churn: np.ndarray, spend: np.ndarray,
                  cust_ids: pa.Array) -> pa.Table:
        """Churn (no value) and purchases (value in currency): after resolved sales needs and a baseline of
        self-serve purchases; nothing after a customer's churn."""
        end = self.period.end_us
        buy = alive & ep["resolved"] & (rng.random(len(ec)) < C.INTENT_PURCHASE[intent])
        t_buy = ep["end"] + (rng.exponential(2.0, len(ec)) * US_PER_DAY).astype(np.int64)
        v_buy = C.INTENT_PURCHASE_VALUE[intent] * rng.lognormal(0.0, 0.4, len(ec))
        n_base = rng.poisson(0.35 * np.sqrt(spend / 55.0))
        bc = np.repeat(np.arange(n), n_base)
        t_base = rng.integers(0, end, len(bc))
        v_base = 45.0 * rng.lognormal(0.0, 0.6, len(bc))
        cust = np.concatenate([ec[buy], bc])
        t = np.concatenate([t_buy[buy], t_base])
        v = np.concatenate([v_buy[buy], v_base])
        ok = (t < churn[cust]) & (t < end)
        churned = np.flatnonzero(churn < end)
        cust = np.concatenate([cust[ok], churned])
        t = np.concatenate([t[ok], churn[churned]])
        v = np.concatenate([np.round(v[ok], 2), np.zeros(len(churned))])
        is_churn = np.concatenate([np.zeros(ok.sum(), bool), np.ones(len(churned), bool)])
        order = np.lexsort((t, cust))
        cust, t, v, is_churn = cust[order], t[order], v[order], is_churn[order]
        return table("outcomes", {
            "customer_id": cust_ids.take(pa.array(cust)),
            "occurred_at": timestamps(self.period, t),
            "outcome": labels(("purchase", "churn"), is_churn.astype(np.int32)),
            "value": floats(v, ~is_churn),
        })


def _masked_ids(prefix: str, numbers: np.ndarray, width: int, valid: np.ndarray) -> pa.Array:
    """ids() with nulls where not valid (e.g. agent_id of self-service contacts)."""
    full = ids(prefix, np.maximum(numbers, 0), width)
    return pc.if_else(pa.array(valid), full, pa.scalar(None, pa.string()))
