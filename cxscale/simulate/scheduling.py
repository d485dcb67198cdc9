"""The scheduling scenario: a healthcare provider's appointment journey (booking, reminders, reschedules,
pre-visit questions, the visit kept or missed, post-visit contacts).

Patients differ in age, insurance, distance and a latent no-show propensity. Every appointment gets an automated SMS
reminder three days ahead; a customer-randomised pilot adds a two-way SMS 24 hours ahead that lowers the chance of a
no-show. Missed visits trigger rebooking calls, kept visits trigger post-visit questions; unresolved contacts are
followed by a repeat (often by phone). Outcomes: appointment_kept or no_show with the visit's value (currency).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Value, Windows
from cxscale.simulate.capabilities import CONFIRM_LOGIT, OutreachPilot
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
    cdf_of,
    contract_schema,
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

CHANNELS = ("voice", "chat", "email", "messaging", "self_service", "social", "sms")
VOICE, CHAT, EMAIL, MESSAGING, SELF_SERVICE, SOCIAL, SMS = range(7)
ASSISTED = np.array([True, True, True, True, False, True, False])
STAGES = ("booking", "reminder", "rescheduling", "pre_visit", "post_visit")
# intent, stage, resolution logit, transfer probability, handle median (s), csat shift
INTENT_ROWS = (
    ("book_appointment", "booking", 1.6, 0.05, 240, 0.2),
    ("referral_booking", "booking", 0.0, 0.35, 420, -0.4),
    ("rebook_after_no_show", "booking", 1.2, 0.08, 260, -0.1),
    ("appointment_reminder", "reminder", 9.0, 0.0, 5, 0.0),
    ("two_way_reminder", "reminder", 9.0, 0.0, 20, 0.0),
    ("reschedule", "rescheduling", 0.4, 0.12, 300, -0.3),
    ("cancel_appointment", "rescheduling", 1.5, 0.04, 180, 0.0),
    ("prep_question", "pre_visit", 1.2, 0.10, 210, 0.1),
    ("directions_parking", "pre_visit", 2.0, 0.02, 120, 0.2),
    ("test_results", "post_visit", 0.3, 0.25, 300, -0.2),
    ("bill_query", "post_visit", 0.6, 0.15, 330, -0.3),
    ("prescription_refill", "post_visit", 1.0, 0.10, 200, 0.0),
)
INTENTS = tuple(r[0] for r in INTENT_ROWS)
INTENT = {name: k for k, name in enumerate(INTENTS)}
INTENT_STAGE = np.array([STAGES.index(r[1]) for r in INTENT_ROWS])
INTENT_RESOLVE = np.array([r[2] for r in INTENT_ROWS])
INTENT_TRANSFER = np.array([r[3] for r in INTENT_ROWS])
INTENT_HANDLE = np.array([r[4] for r in INTENT_ROWS], dtype=float)
INTENT_CSAT = np.array([r[5] for r in INTENT_ROWS])
CHANNEL_HANDLE = np.array([1.0, 1.4, 0.8, 1.3, 0.5, 0.8, 1.0])
CHANNEL_WAIT = np.array([140.0, 45.0, 6.0 * 3600, 300.0, 0.0, 3.0 * 3600, 0.0])
CHANNEL_WAIT_REF = np.array([60.0, 30.0, 4.0 * 3600, 300.0, 1.0, 2.0 * 3600, 1.0])
CHANNEL_RESPONSE = np.array([0.25, 0.35, 0.12, 0.30, 0.10, 0.15, 0.0])
SITES = ("central_scheduling", "north_clinic", "south_clinic")
SITE_AGENTS = np.array([40, 15, 15])
SITE_WAIT = np.array([1.0, 0.7, 1.6])
AGE_BANDS = ("0-17", "18-34", "35-54", "55-74", "75+")
AGE_SHARE = np.array([0.18, 0.24, 0.26, 0.22, 0.10])
AGE_EDGES = (0, 18, 35, 55, 75)  # lower edges of AGE_BANDS, years
AGE_DIGITAL = np.array([0.3, 1.0, 0.5, -0.4, -1.4])
INSURANCE = ("public", "private", "self_pay")
INSURANCE_SHARE = np.array([0.55, 0.35, 0.10])
INSURANCE_NO_SHOW = np.array([0.2, -0.3, 0.5])
SPECIALTIES = ("general_practice", "dermatology", "cardiology", "physiotherapy", "imaging")
SPECIALTY_SHARE = np.array([0.45, 0.12, 0.13, 0.18, 0.12])
SPECIALTY_VALUE = np.array([90.0, 140.0, 220.0, 75.0, 260.0])  # visit value, currency

# --- the no-show model, calibrated on real data (docs/simulator.md#no-show-calibration) -----------------------------
# An appointment's no-show log-odds: NO_SHOW_BASE + the patient's latent propensity ~ N(0, NO_SHOW_PROPENSITY_SD)
# + LEAD_NO_SHOW[lead-time band] + AGE_NO_SHOW[age band] + INSURANCE_NO_SHOW[insurance]
# + NO_SHOW_DISTANCE * log(distance / 8 km) + NO_SHOW_REMINDED (when the 3-day reminder was sent).
# Calibrated (bench/calibrate_noshow.py, run once) on the observational Medical Appointment No Shows subset in
# shared/data/noshow (Vitoria, Brazil, 2016; noshow_appointments.csv, sha256 c6c62b9c...a8667, 39,596 rows), on its
# 26,843 appointments booked at least one day ahead (the simulator has no same-day bookings; the real same-day ones,
# 32% of rows, miss only 3.3%). Fit: an additive logistic model of the real no-shows on lead band and age band
# (statsmodels GLM on the band counts), its rates standardised to the simulator's own mix of lead times and ages
# (which it keeps: its lead times are longer than the real ones, its patients older); then, for each propensity sd on
# a grid 0.50-1.60, the band offsets raked until the simulated world's (seed 42, 150,000 patients) expected no-show
# rate per band equals its target, keeping the sd whose odds ratio of a no-show after the patient's previous no-show
# (2.76) is closest to the real one (2.73). Targets and results: docs/simulator.md#no-show-calibration. Insurance,
# distance and the 3-day reminder have no counterpart in the real data (its SMS_received is confounded with lead
# time): their terms are the simulator's own, held fixed in the fit. This data calibrates the scenario, never an
# uplift truth.
LEAD_EDGES = (0, 3, 8, 15, 31, 61)  # lower edges of the lead-time bands, whole days: 0-2, 3-7, 8-14, 15-30, 31-60, 61+
NO_SHOW_PROPENSITY_SD = 1.2
NO_SHOW_BASE = -0.828  # log-odds intercept at the reference bands (8-14 days, 35-54 years); the other terms add to it
LEAD_NO_SHOW = np.array([-0.713, -0.385, 0.0, 0.259, 0.141, 0.384])
AGE_NO_SHOW = np.array([0.245, 0.301, 0.0, -0.383, -0.523])
NO_SHOW_DISTANCE, NO_SHOW_REMINDED = 0.2, -0.3


def lead_band(lead_days: np.ndarray) -> np.ndarray:
    """Lead-time band index (LEAD_EDGES) of lead times in days: whole days between booking and appointment."""
    return np.searchsorted(np.array(LEAD_EDGES), np.floor(lead_days), side="right") - 1


REMINDER = "two_way_reminders"
REMINDER_START_DAY, PRE_DAYS, POST_DAYS = 119, 56, 56
REMINDER_NO_SHOW_LOGIT = -0.35
MECHANISM = (
    "Half of the patients join the pilot on day 119, split exactly 50/50 within every block of 5,000 patients; "
    "treated patients get a two-way SMS 24 hours before each "
    "appointment (an extra sms interaction with its cost) on top of the standard 3-day reminder. It lowers the "
    "no-show log-odds by 0.35; fewer no-shows also mean fewer rebooking calls and more post-visit contacts."
)
HOTSPOTS = (
    ("referral_booking", "booking", ["transfers", "long_waits", "repeat_contacts"],
     "Referral bookings need the specialist's calendar: a third are transferred and many need a second call."),
    ("reschedule", "rescheduling", ["channel_switching", "repeat_contacts"],
     "Online rescheduling often fails and patients phone instead."),
)


class SchedulingWorld:
    """A healthcare provider over 182 days: patients, appointments, three scheduling sites, one reminder pilot."""

    name = "scheduling"
    description = "Healthcare appointment journey with reminders, reschedules and no-shows, with a reminder pilot"

    def __init__(self, customers: int, seed: int, currency: str = "EUR", capabilities: bool = False) -> None:
        self.customers, self.seed, self.currency = customers, seed, currency
        self.period = WorldPeriod(datetime(2026, 1, 5, tzinfo=UTC), 182)
        self.truths = Truths()
        rng = block_rng(seed, self.name, -1)
        self.site_first_agent = np.concatenate([[0], np.cumsum(SITE_AGENTS)[:-1]])
        n_agents = int(SITE_AGENTS.sum())
        self.agent_skill = rng.normal(0.0, 0.3, n_agents)
        self.agent_speed = rng.normal(0.0, 0.12, n_agents)
        self.fixed_cost, self.minute_cost = rate_card_arrays(CHANNELS)
        self.start = self.period.day_us(REMINDER_START_DAY)
        self.end = self.period.day_us(REMINDER_START_DAY + POST_DAYS)
        weekday = (self.period.start.weekday() + np.arange(self.period.days)) % 7
        self.day_cdf = cdf_of(np.where(weekday < 5, 1.0, 0.08))  # clinics barely open at weekends
        # The outreach capability pilot (opt-in) draws from its own stream: the rest of the world is unchanged.
        self.cap = OutreachPilot(self.period, seed) if capabilities else None

    def hotspots(self) -> list[dict]:
        return [{"intent": i, "journey_stage": s, "kinds": k, "note": n} for i, s, k, n in HOTSPOTS]

    def pilots(self) -> list[PlantedPilot]:
        spec = PilotSpec(
            pilot=REMINDER, description="Two-way SMS reminders 24 hours ahead should cut no-shows.",
            design="randomised", unit="customer",
            primary=MetricRef(metric="no_show_rate", target=Target(relative=-0.10)),
            guardrails=[MetricRef(metric="cost_to_serve", max_harm=Target(relative=0.05))],
            secondary=[MetricRef(metric="contacts_per_customer")],
            windows=Windows(pre_days=PRE_DAYS, post_days=POST_DAYS), value=Value(currency=self.currency, nature="recurring"))
        return [PlantedPilot(spec, self.period.at(REMINDER_START_DAY), MECHANISM),
                *([self.cap.planted(self.currency)] if self.cap else [])]

    def unit_assignments(self) -> pa.Table:
        """No agent or site pilots in this world: an empty assignments table (customer rows come per block)."""
        return contract_schema("assignments").empty_table()

    def appointments(self, index: int, n: int) -> tuple[np.random.Generator, dict[str, np.ndarray]]:
        """Block `index`'s patients (n of them) and their appointments with the no-show under both potential outcomes
        of the reminder pilot (ns0 without it), drawn first in every block; returns the block's stream, positioned
        after these draws, and the arrays (the no-show calibration test reads them: tests/simulate/test_noshow.py)."""
        rng = block_rng(self.seed, self.name, index)
        end = self.period.end_us
        age = categorical(rng, cdf_of(AGE_SHARE), n)
        insurance = categorical(rng, cdf_of(INSURANCE_SHARE), n)
        chronic = rng.random(n) < np.array([0.05, 0.08, 0.18, 0.35, 0.5])[age]
        distance = rng.lognormal(np.log(8.0), 0.8, n)
        propensity = rng.normal(0.0, NO_SHOW_PROPENSITY_SD, n)  # latent no-show tendency, log-odds
        digital = AGE_DIGITAL[age] + rng.normal(0.0, 0.8, n)
        in_pilot = rng.random(n) < 0.5  # membership: a pre-assignment draw only (every patient exists all period)
        treated = balanced_arms(rng.random(n), in_pilot, index)  # exactly half of this block's members
        # appointments
        n_appt = rng.poisson(np.where(chronic, 3.5, 1.1) * rng.gamma(2.0, 0.5, n))
        ac = np.repeat(np.arange(n), n_appt)
        m = len(ac)
        day = categorical(rng, self.day_cdf, m)
        at = day * US_PER_DAY + ((8 + rng.integers(0, 10, m)) * 3600 + rng.choice([0, 900, 1800, 2700], m)) * US_PER_SECOND
        lead_days = np.minimum(rng.lognormal(np.log(12.0), 0.9, m), 120.0)
        booked = at - (lead_days * US_PER_DAY).astype(np.int64)
        specialty = categorical(rng, cdf_of(SPECIALTY_SHARE), m)
        referral = (specialty != 0) & (rng.random(m) < 0.5)
        resched = rng.random(m) < 0.12
        cancel = ~resched & (rng.random(m) < 0.06)
        resched_at = booked + ((at - booked) * rng.uniform(0.2, 0.9, m)).astype(np.int64)
        at = np.where(resched, at + (rng.lognormal(np.log(7.0), 0.6, m) * US_PER_DAY).astype(np.int64), at)
        visit = ~cancel & (at < end)
        reminded = booked < at - 3 * US_PER_DAY
        # no-show under both potential outcomes (the two-way reminder acts when sent after the pilot start)
        two_way_sent = visit & (at - US_PER_DAY >= self.start) & (booked < at - US_PER_DAY)
        logit = (NO_SHOW_BASE + propensity[ac] + AGE_NO_SHOW[age[ac]] + INSURANCE_NO_SHOW[insurance[ac]]
                 + LEAD_NO_SHOW[lead_band(lead_days)] + NO_SHOW_DISTANCE * np.log(distance[ac] / 8.0)
                 + NO_SHOW_REMINDED * reminded)
        u = rng.random(m)
        ns0 = visit & (u < sigmoid(logit))
        ns1 = visit & (u < sigmoid(logit + np.where(two_way_sent, REMINDER_NO_SHOW_LOGIT, 0.0)))
        return rng, {"age": age, "insurance": insurance, "chronic": chronic, "distance": distance,
                     "propensity": propensity, "digital": digital, "in_pilot": in_pilot, "treated": treated, "ac": ac,
                     "at": at, "lead_days": lead_days, "booked": booked, "specialty": specialty, "referral": referral,
                     "resched": resched, "cancel": cancel, "resched_at": resched_at, "visit": visit,
                     "reminded": reminded, "two_way_sent": two_way_sent, "logit": logit, "u": u, "ns0": ns0,
                     "ns1": ns1}

    def block(self, index: int, first_customer: int, n: int) -> Block:
        end = self.period.end_us
        rng, a = self.appointments(index, n)
        age, insurance, chronic, distance, digital = a["age"], a["insurance"], a["chronic"], a["distance"], a["digital"]
        in_pilot, treated, ac, at, booked = a["in_pilot"], a["treated"], a["ac"], a["at"], a["booked"]
        specialty, referral, resched, cancel = a["specialty"], a["referral"], a["resched"], a["cancel"]
        resched_at, visit, reminded, two_way_sent = a["resched_at"], a["visit"], a["reminded"], a["two_way_sent"]
        logit, u, ns0, ns1 = a["logit"], a["u"], a["ns0"], a["ns1"]
        m = len(ac)
        arm1 = treated[ac]
        cust_ids = ids("P", np.arange(first_customer, first_customer + n) + 1, 8)
        base = ns0  # the no-show of patients outside the reminder pilot's treatment arm
        outreach = np.zeros(n, bool)
        if self.cap is not None:  # outreach: the reminder pilot's non-members, by hash
            member, outreach = self.cap.members(cust_ids, ~in_pilot)
            d = self.cap.decide(index, logit, at - 3 * US_PER_DAY, visit & reminded & member[ac], outreach[ac])
            ns_o1 = visit & (u < sigmoid(logit + np.where(d["would"], CONFIRM_LOGIT, 0.0)))
            base = np.where(outreach[ac], ns_o1, ns0)
        no_show = np.where(arm1, ns1, base)
        # contacts: (customer, time, intent, forced channel or -1); which exist in which world: exist()
        u_rebook, u_post, u_prep = rng.random(m), rng.random(m), rng.random(m)
        post_intent = rng.choice([INTENT["test_results"], INTENT["bill_query"], INTENT["prescription_refill"]], m, p=[0.4, 0.35, 0.25])
        post_at = at + (rng.lognormal(np.log(4.0), 0.8, m) * US_PER_DAY).astype(np.int64)
        rebook_at = at + (rng.lognormal(np.log(1.5), 0.8, m) * US_PER_DAY).astype(np.int64)
        prep_at = at - (rng.uniform(0.5, 6.0, m) * US_PER_DAY).astype(np.int64)
        yes = np.ones(m, bool)

        def exist(missed: np.ndarray) -> list[np.ndarray]:
            """Which contacts of each group happen in a world where `missed` are the no-shows."""
            return [yes, reminded, np.zeros(m, bool), resched, cancel, visit & (u_prep < 0.16),
                    missed & (u_rebook < 0.55), visit & ~missed & (u_post < 0.3)]

        groups = [
            (booked, np.where(referral, INTENT["referral_booking"], INTENT["book_appointment"]), -1),
            (at - 3 * US_PER_DAY, INTENT["appointment_reminder"], SMS),
            (at - US_PER_DAY, INTENT["two_way_reminder"], SMS),
            (resched_at, INTENT["reschedule"], -1),
            (resched_at, INTENT["cancel_appointment"], -1),
            (prep_at, np.where(u_prep < 0.5, INTENT["prep_question"], INTENT["directions_parking"]), -1),
            (rebook_at, INTENT["rebook_after_no_show"], -1),
            (post_at, post_intent, -1),
        ]
        world1 = exist(ns1)
        world1[2] = two_way_sent
        cust = np.concatenate([ac] * len(groups))
        t = np.concatenate([g[0] for g in groups])
        intent = np.concatenate([np.broadcast_to(np.asarray(g[1]), m) for g in groups])
        forced = np.concatenate([np.full(m, g[2]) for g in groups])
        ex0, ex1 = np.concatenate(exist(ns0)), np.concatenate(world1)
        ok = (t >= 0) & (t < end) & (ex0 | ex1)
        c = self._serve(rng, cust[ok], t[ok], intent[ok], forced[ok], digital, end)
        c["pos"] = np.flatnonzero(ok)[c["parent"]]  # position in the concatenated groups
        exo = ex0
        if self.cap is not None:
            # The outreach world's contacts (more post-visit questions, fewer rebookings); those neither world above
            # has are served from the pilot's own stream, so the contacts served above are the same as without it.
            exo = np.concatenate(exist(base))
            extra = (t >= 0) & (t < end) & exo & ~(ex0 | ex1)
            more = self._serve(self.cap.serve_rng(index), cust[extra], t[extra], intent[extra], forced[extra],
                               digital, end)
            more["pos"] = np.flatnonzero(extra)[more["parent"]]
            c = {k: np.concatenate([c[k], more[k]]) for k in c}
        pos = c["pos"]
        ex0, ex1 = ex0[pos], ex1[pos]
        exists = np.where(treated[c["cust"]], ex1, np.where(outreach[c["cust"]], exo[pos], ex0)) \
            if self.cap is not None else np.where(treated[c["cust"]], ex1, ex0)
        self._truths(c, ex0, ex1, ac, at, ns0, ns1, visit, in_pilot, n)
        c = {k: v[exists] for k, v in c.items()}
        order = np.lexsort((c["t"], c["cust"]))
        c = {k: v[order] for k, v in c.items()}
        exposures = feedback = None
        assignments = assignment_rows(cust_ids.filter(pa.array(in_pilot)), "customer", REMINDER, treated[in_pilot],
                                      self.period, REMINDER_START_DAY)
        if self.cap is not None:
            # Each decision is logged on its appointment's 3-day reminder SMS (group 1 of the contacts above).
            pos = c["pos"]
            appt_rows = np.full(m, -1)
            reminder_rows = np.flatnonzero(pos // m == 1)
            appt_rows[pos[reminder_rows] % m] = reminder_rows
            assert (appt_rows[d["logged"]] >= 0).all(), "every logged decision has its reminder interaction"
            iids = interaction_ids(index, len(c["t"]))
            exposures, feedback = self.cap.tables(d, appt_rows, iids, cust_ids, ac, at - 3 * US_PER_DAY, outreach)
            tenure = self.cap.tenure(index, n)
            self.cap.add_truths(self.truths, d, ac, at, visit, ns0, ns_o1, member, outreach, tenure)
            assignments = pa.concat_tables([assignments, self.cap.assignments(cust_ids, member, outreach)])
        kept = visit
        value = SPECIALTY_VALUE[specialty] * rng.lognormal(0.0, 0.2, m)
        o = np.lexsort((at[kept], ac[kept]))
        return Block(
            interactions=self._interactions(c, cust_ids, index),
            outcomes=table("outcomes", {
                "customer_id": cust_ids.take(pa.array(ac[kept][o])),
                "occurred_at": timestamps(self.period, at[kept][o]),
                "outcome": labels(("appointment_kept", "no_show"), no_show[kept][o].astype(np.int32)),
                "value": floats(np.round(value[kept][o], 2)),
            }),
            customers=pa.table({
                "customer_id": cust_ids, "age_band": labels(AGE_BANDS, age),
                "insurance": labels(INSURANCE, insurance), "chronic_condition": pa.array(chronic),
                "distance_km": floats(np.round(distance, 1)),
                # with the outreach pilot: months as a patient, for its readout's tenure bands
                **({"tenure_months": pa.array(tenure)} if self.cap is not None else {}),
            }),
            assignments=assignments, exposures=exposures, feedback=feedback,
        )

    def _serve(self, rng: np.random.Generator, cust: np.ndarray, t: np.ndarray, intent: np.ndarray,
               forced: np.ndarray, digital: np.ndarray, end: int) -> dict[str, np.ndarray]:
        """Give every contact a channel, site, agent, wait, handle time, transfer, resolution, CSAT and cost; an
        unresolved inbound contact is followed by one repeat, usually by phone, within days."""
        k = len(t)
        online = sigmoid(digital[cust] - 0.3 - 0.8 * (intent == INTENT["referral_booking"]))
        ch = np.where(rng.random(k) < online, np.where(rng.random(k) < 0.8, SELF_SERVICE, CHAT), VOICE)
        ch = np.where(forced >= 0, forced, ch)
        first = self._attributes(rng, cust, t, intent, ch, np.zeros(k, bool), np.arange(k))
        again = ~first["resolved"] & (ch != SMS) & (rng.random(k) < 0.6)
        gap = np.where(ch == SELF_SERVICE, rng.lognormal(np.log(1800.0), 0.8, k), rng.lognormal(np.log(86400.0), 1.0, k))
        t2 = t + ((first["handle"] + gap) * US_PER_SECOND).astype(np.int64)
        again &= t2 < end
        ch2 = np.where(rng.random(k) < 0.75, VOICE, ch)
        rep = self._attributes(rng, cust[again], t2[again], intent[again], ch2[again], ch2[again] != ch[again],
                               np.flatnonzero(again))
        return {key: np.concatenate([first[key], rep[key]]) for key in first}

    def _attributes(self, rng: np.random.Generator, cust: np.ndarray, t: np.ndarray, intent: np.ndarray,
                    ch: np.ndarray, switched: np.ndarray, parent: np.ndarray) -> dict[str, np.ndarray]:
        k = len(t)
        assisted = ASSISTED[ch]
        site = np.where(assisted, categorical(rng, cdf_of(SITE_AGENTS.astype(float)), k), -1)
        agent = np.where(assisted, self.site_first_agent[site] + (rng.random(k) * SITE_AGENTS[site]).astype(np.int64), -1)
        wait = CHANNEL_WAIT[ch] * np.where(assisted, SITE_WAIT[site], 0.0) * rng.lognormal(0.0, 0.7, k)
        wait *= np.where(intent == INTENT["referral_booking"], 2.5, 1.0)
        transferred = assisted & (rng.random(k) < INTENT_TRANSFER[intent])
        handle = np.minimum(INTENT_HANDLE[intent] * CHANNEL_HANDLE[ch] * np.where(transferred, 1.7, 1.0)
                            * np.exp(0.6 * rng.standard_normal(k) + np.where(assisted, self.agent_speed[agent], 0.0)
                                     + np.where(rng.random(k) < 0.05, rng.exponential(0.5, k), 0.0)), 3 * 3600.0)
        handle = np.where(ch == SMS, INTENT_HANDLE[intent], handle)
        logit = (INTENT_RESOLVE[intent] + np.where(assisted, self.agent_skill[agent], 0.0)
                 - 1.0 * (ch == SELF_SERVICE) * (intent == INTENT["reschedule"]) - 0.25 * transferred)
        resolved = rng.random(k) < sigmoid(logit)
        latent = (3.4 + INTENT_CSAT[intent] + 1.4 * resolved - 0.5 * transferred - 0.35 * switched
                  - 0.5 * np.log1p(wait / CHANNEL_WAIT_REF[ch]) + 0.9 * rng.standard_normal(k))
        return {
            "cust": cust, "t": t, "intent": intent, "channel": ch, "site": site, "agent": agent, "wait": wait,
            "handle": handle, "transferred": transferred, "resolved": resolved, "csat": ordinal_1_to_5(latent),
            "rated": rng.random(k) < CHANNEL_RESPONSE[ch], "cost": self.fixed_cost[ch] + self.minute_cost[ch] * handle / 60,
            "parent": parent,
        }

    def _truths(self, c: dict[str, np.ndarray], ex0: np.ndarray, ex1: np.ndarray, ac: np.ndarray, at: np.ndarray,
                ns0: np.ndarray, ns1: np.ndarray, visit: np.ndarray, in_pilot: np.ndarray, n: int) -> None:
        units = int(in_pilot.sum())
        w = (c["t"] >= self.start) & (c["t"] < self.end) & in_pilot[c["cust"]]
        T = self.truths
        T.get(REMINDER, "contacts_per_customer").add((w & ex0).sum(), (w & ex1).sum(), units)
        T.get(REMINDER, "cost_to_serve").add(c["cost"][w & ex0].sum(), c["cost"][w & ex1].sum(), units)
        a = visit & (at >= self.start) & (at < self.end) & in_pilot[ac]
        T.get(REMINDER, "no_show_rate").add(ns0[a].sum(), ns1[a].sum(), a.sum())

    def _interactions(self, c: dict[str, np.ndarray], cust_ids: pa.Array, block: int) -> pa.Table:
        n = len(c["t"])
        assisted = c["agent"] >= 0
        agent_ids = ids("S", np.maximum(c["agent"], 0) + 1, 3)
        return table("interactions", {
            "interaction_id": interaction_ids(block, n),
            "customer_id": cust_ids.take(pa.array(c["cust"])),
            "started_at": timestamps(self.period, c["t"]),
            "channel": labels(CHANNELS, c["channel"]),
            "intent": labels(INTENTS, c["intent"]),
            "journey_stage": labels(STAGES, INTENT_STAGE[c["intent"]]),
            "agent_id": pc.if_else(pa.array(assisted), agent_ids, pa.scalar(None, pa.string())),
            "site": labels(SITES, np.maximum(c["site"], 0), assisted),
            "handle_seconds": floats(np.round(c["handle"], 1)),
            "wait_seconds": floats(np.round(c["wait"], 1)),
            "abandoned": pa.nulls(n, pa.bool_()),  # not simulated (docs/simulator.md#limits): unknown
            "transferred": pa.array(c["transferred"]),
            "resolved": pa.array(c["resolved"]),
            "csat": floats(c["csat"], c["rated"]),
            "cost": floats(np.round(c["cost"], 4)),
        })
