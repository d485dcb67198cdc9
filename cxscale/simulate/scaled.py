"""The scaled scenarios: a portfolio of three customer capabilities that were piloted, proven and taken to scale,
each keeping a holdout, plus a portfolio-wide holdout (docs/value-at-scale.md, docs/simulator.md#scaled).

Customers have needs (bill queries, connection faults, account changes); a need is a chain of up to four contacts.
- follow_up_messages and guided_resolution both prevent the repeat contacts of connection faults and account
  changes: each need draws one uniform "kind" and a capability prevents the repeats of the kinds it can answer. In
  `scaled` their kinds overlap (follow-ups answer [0, 0.5), guidance [0.1, 0.6): together they prevent [0, 0.6),
  not the 100% of one half each that a sum suggests); in `scaled_additive` they are disjoint ([0, 0.5), [0.5, 1)),
  so the whole is exactly the sum.
- bill_alerts prevents whole bill-query needs: 60% of them during its pilot, but only 10% once at scale in
  `scaled` (customers stop reading the alerts: the planted decay); 60% throughout in `scaled_additive`.
Bill queries are the only needs alerts act on and the only ones the other two leave alone, so the capabilities
interact through the shared repeats alone, and nothing else (no churn) couples one need to another.

Time line (182 days from Monday 2026-01-05): each capability is piloted on its own 20% of the customers from day 35
(49-day post window, half to each arm); on day 91 all go to scale and every customer falls into one cell of the
holdout design, by blocked complete randomisation (exact counts per block of 5,000):
- `portfolio_holdout` control (10%): no capability at all, the portfolio-wide holdout;
- per capability k, `k_holdout` treatment (7%): k alone, and control (7%): none, k's own holdout;
- `portfolio_holdout` treatment (the other 48%): every capability.
All cells are disjoint, so every readout of the design is independent of every other: the combined effect and the
capabilities' own effects can be contrasted with variances that simply add.

True effects (ground_truth.json `scale`) are computed from both potential outcomes of every need, with the same
draws: per capability its effect alone over every customer (what its holdout pilot estimates), the combined effect
of all three over every customer (what the portfolio holdout estimates), their interaction and the decay.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Value, Windows, dump_spec
from cxscale.simulate.world import (
    US_PER_SECOND,
    Block,
    PlantedPilot,
    Truths,
    WorldPeriod,
    assignment_rows,
    balanced_arms,
    block_rng,
    categorical,
    contract_schema,
    floats,
    ids,
    interaction_ids,
    labels,
    rate_card_arrays,
    table,
    timestamps,
)

CAPABILITIES = ("follow_up_messages", "guided_resolution", "bill_alerts")
FOLLOW_UP, GUIDED, ALERTS = 0, 1, 2
ALL = 0b111

INTENTS = ("bill_query", "connection_fault", "account_change")
STAGES = ("billing", "technical", "account")
BILLING = 0
INTENT_SHARE = np.array([0.40, 0.38, 0.22])
REPEAT = np.array([0.15, 0.65, 0.40])  # chance each contact of a need is followed by another (at most 4)
MAX_CONTACTS = 4
CHANNELS = ("voice", "chat", "self_service")
CHANNEL_SHARE = np.array([0.50, 0.30, 0.20])
HANDLE_MEDIAN = np.array([420.0, 540.0, 120.0])  # seconds
WAIT_MEDIAN = np.array([75.0, 35.0, 0.0])
NEEDS = 8.0  # per customer per 182 days, times a Gamma(3) propensity
SITES = ("leeds", "cardiff", "belfast")

PILOT_START, PILOT_PRE, PILOT_POST = 35, 35, 49
SCALE_START, SCALE_PRE, SCALE_POST = 91, 56, 91
PILOT_SHARE = 0.20  # of the customers, per capability, disjoint
PORTFOLIO_HOLDOUT = 0.10
ALONE_CELL = 0.07  # per capability: this share gets it alone, as many get nothing (its holdout)

MECHANISMS = {
    FOLLOW_UP: "after a contact about a connection fault or an account change, an AI follow-up message answers the "
               "open question, so the repeat contacts of the needs it can answer (each need's kind in {kinds}) "
               "never happen",
    GUIDED: "agents get guided resolution steps, so the repeat contacts of the needs whose kind is in {kinds} never "
            "happen",
    ALERTS: "proactive bill alerts prevent {pilot:.0%} of bill-query needs while piloted and {scale:.0%} once at "
            "scale",
}


class ScaledWorld:
    """A support centre whose three proven capabilities are at scale, with overlap and decay planted."""

    name = "scaled"
    description = "Three capabilities at scale with holdouts: two overlap, one decays after scale"
    #: The kinds of need whose repeats follow-ups and guidance prevent (uniform [lo, hi)), and bill alerts' share.
    kinds = ((0.0, 0.5), (0.1, 0.6))
    alerts_pilot, alerts_scale = 0.60, 0.10

    def __init__(self, customers: int, seed: int, currency: str = "EUR") -> None:
        self.customers = customers
        self.seed = seed
        self.currency = currency
        self.period = WorldPeriod(datetime(2026, 1, 5, tzinfo=UTC), 182)
        self.truths = Truths()
        self.fixed_cost, self.minute_cost = rate_card_arrays(CHANNELS)
        self.pilot_window = (self.period.day_us(PILOT_START), self.period.day_us(PILOT_START + PILOT_POST))
        self.scale_at = self.period.day_us(SCALE_START)

    # --- description ---------------------------------------------------------------------------------------------

    def mechanism(self, k: int) -> str:
        if k == ALERTS:
            return MECHANISMS[k].format(pilot=self.alerts_pilot, scale=self.alerts_scale)
        lo, hi = self.kinds[k]
        return MECHANISMS[k].format(kinds=f"[{lo:g}, {hi:g})")

    def hotspots(self) -> list[dict]:
        return []

    def pilots(self) -> list[PlantedPilot]:
        return [PlantedPilot(_spec(name, PILOT_PRE, PILOT_POST, self.currency, f"Pilot of {name}."),
                             self.period.at(PILOT_START), self.mechanism(k)) for k, name in enumerate(CAPABILITIES)]

    def scale_specs(self) -> dict[str, PilotSpec]:
        """The holdout pilot specs the world writes to DIR/scale/: one per capability (file <capability>.yaml)
        and the portfolio-wide one (portfolio.yaml)."""
        specs = {name: _spec(f"{name}_holdout", SCALE_PRE, SCALE_POST, self.currency,
                             f"{name} at scale: customers who get it alone against its own holdout, who get none.")
                 for name in CAPABILITIES}
        share = {"control": PORTFOLIO_HOLDOUT, "treatment": 1 - PORTFOLIO_HOLDOUT - 2 * ALONE_CELL * len(CAPABILITIES)}
        specs["portfolio"] = _spec("portfolio_holdout", SCALE_PRE, SCALE_POST, self.currency,
                                   "Everything at scale against the portfolio-wide holdout, who get none of it.",
                                   expected_split={a: round(s, 6) for a, s in share.items()})
        return specs

    def unit_assignments(self) -> pa.Table:
        """No agent or site pilots: every assignment is a customer's (they come with each block)."""
        return contract_schema("assignments").empty_table()

    def scale_plan(self, out: Path, arms: dict[tuple[str, str], int]) -> dict[str, Any]:
        """Write DIR/scale/*.yaml and return ground_truth.json's `scale` section (run.py calls this)."""
        (out / "scale").mkdir(parents=True, exist_ok=True)
        for name, spec in self.scale_specs().items():
            dump_spec(spec, out / "scale" / f"{name}.yaml")
        effects = {p: self.truths.effects(p) for p in [f"{c}_holdout" for c in CAPABILITIES] + ["portfolio_holdout"]}

        def rounded(e: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
            return {m: {k: round(v, 6) for k, v in x.items()} for m, x in e.items()}

        holdouts = []
        for k, name in enumerate(CAPABILITIES):
            alone, proven = effects[f"{name}_holdout"], self.truths.effects(name)
            holdouts.append({
                "capability": name, "pilot": f"{name}_holdout", "spec": f"scale/{name}.yaml",
                "proven_by": f"pilots/{name}.yaml", "mechanism": self.mechanism(k),
                "units": {a: arms.get((f"{name}_holdout", a), 0) for a in ("control", "treatment")},
                "true_effects": rounded(alone),
                "decay": {m: {"pilot_relative": round(proven[m]["relative"], 6),
                              "scale_relative": round(alone[m]["relative"], 6)} for m in alone},
                "decays": k == ALERTS and self.alerts_scale < self.alerts_pilot,
            })
        combined = effects["portfolio_holdout"]
        total = {m: sum(effects[f"{c}_holdout"][m]["absolute"] for c in CAPABILITIES) for m in combined}
        return {
            "start": self.period.at(SCALE_START).isoformat(),
            "windows": {"pre_days": SCALE_PRE, "post_days": SCALE_POST},
            "design": {"portfolio_holdout": PORTFOLIO_HOLDOUT, "alone_cell": ALONE_CELL,
                       "everything": round(1 - PORTFOLIO_HOLDOUT - 2 * ALONE_CELL * len(CAPABILITIES), 6)},
            "holdouts": holdouts,
            "portfolio": {
                "pilot": "portfolio_holdout", "spec": "scale/portfolio.yaml",
                "units": {a: arms.get(("portfolio_holdout", a), 0) for a in ("control", "treatment")},
                "true_effects": rounded(combined),
                "sum_of_alone": {m: round(v, 6) for m, v in total.items()},
                "interaction": {m: round(combined[m]["absolute"] - total[m], 6) for m in combined},
                "overlap_planted": self.kinds[0][1] > self.kinds[1][0],
            },
            "notes": ("true_effects of a holdout are the capability's effect alone over every customer (all with it "
                      "alone minus all with none, same draws) over days 91-182; the portfolio's is all three against "
                      "none. interaction = combined - sum of the alone effects (absolute, per customer per window): "
                      "on cost (lower is better) it is positive when the capabilities overlap: the whole saves less than the parts add up to. decay compares the relative effect in the pilot's "
                      "units and window with the one at scale."),
        }

    # --- one block of customers ----------------------------------------------------------------------------------

    def block(self, index: int, first_customer: int, n: int) -> Block:
        rng = block_rng(self.seed, self.name, index)
        propensity = NEEDS * rng.gamma(3.0, 1 / 3, n)
        pilot_u, arm_key, cell_key = rng.random(n), rng.random(n), rng.random(n)
        n_ep = rng.poisson(propensity)
        ec = np.repeat(np.arange(n), n_ep)
        n_e = len(ec)
        intent = categorical(rng, np.cumsum(INTENT_SHARE), n_e)
        start = rng.integers(0, self.period.end_us, n_e)
        kind, alert_u = rng.random(n_e), rng.random(n_e)
        c = self._contacts(rng, ec, intent, start)
        # pilots (day 35): disjoint shares, half of each to its arm; scale (day 91): the cells of the holdout design
        member = [(pilot_u >= PILOT_SHARE * k) & (pilot_u < PILOT_SHARE * (k + 1)) for k in range(len(CAPABILITIES))]
        treated = [balanced_arms(arm_key, m, index) for m in member]
        cell = _cells(cell_key)
        pilot_mask = np.zeros(n, np.int64)
        for k in range(len(CAPABILITIES)):
            pilot_mask[treated[k]] = 1 << k
        in_pilot = (start >= self.pilot_window[0]) & (start < self.pilot_window[1])
        at_scale = start >= self.scale_at
        # per need: which capabilities are on when it starts (the data), and the same before scale in every world
        before = np.where(in_pilot, pilot_mask[ec], 0)
        actual = np.where(at_scale, _CELL_MASK[cell][ec], before)
        keep = self._kept(c, intent, kind, alert_u, start, actual)
        self._truths(c, ec, intent, kind, alert_u, start, in_pilot, at_scale, before, member, n)
        c = {k: v[keep] for k, v in c.items()}
        last = np.full(n_e, -1, np.int64)
        np.maximum.at(last, c["need"], c["k"])
        c["resolved"] = c["k"] == last[c["need"]]  # the last contact of a need resolves it
        order = np.lexsort((c["t"], c["cust"]))
        c = {k: v[order] for k, v in c.items()}
        cust_ids = ids("C", np.arange(first_customer, first_customer + n) + 1, 8)
        rows = []
        for k, name in enumerate(CAPABILITIES):
            rows.append(assignment_rows(cust_ids.filter(pa.array(member[k])), "customer", name,
                                        treated[k][member[k]], self.period, PILOT_START))
        for k, name in enumerate(CAPABILITIES):
            m = (cell == _ALONE[k]) | (cell == _NONE[k])
            rows.append(assignment_rows(cust_ids.filter(pa.array(m)), "customer", f"{name}_holdout",
                                        cell[m] == _ALONE[k], self.period, SCALE_START))
        m = (cell == _HOLDOUT) | (cell == _EVERYTHING)
        rows.append(assignment_rows(cust_ids.filter(pa.array(m)), "customer", "portfolio_holdout",
                                    cell[m] == _EVERYTHING, self.period, SCALE_START))
        return Block(
            interactions=self._interactions(c, cust_ids, index),
            outcomes=table("outcomes", {"customer_id": pa.array([], pa.string()),
                                        "occurred_at": timestamps(self.period, np.array([], np.int64)),
                                        "outcome": pa.array([], pa.string()), "value": floats(np.array([]))}),
            customers=pa.table({"customer_id": cust_ids}),
            assignments=pa.concat_tables(rows),
        )

    def _contacts(self, rng: np.random.Generator, ec: np.ndarray, intent: np.ndarray,
                  start: np.ndarray) -> dict[str, np.ndarray]:
        """Every potential contact of every need (the full chain, as if no capability were on); `k` is its place
        in the chain (0 = the first contact)."""
        parts = []
        active = np.arange(len(ec))
        t = start.copy()
        for k in range(MAX_CONTACTS):
            m = len(active)
            ch = categorical(rng, np.cumsum(CHANNEL_SHARE), m)
            handle = HANDLE_MEDIAN[ch] * rng.lognormal(0.0, 0.5, m)
            wait = WAIT_MEDIAN[ch] * rng.lognormal(0.0, 0.7, m)
            again = rng.random(m) < REPEAT[intent[active]]
            parts.append({"need": active, "cust": ec[active], "intent": intent[active], "t": t, "k": np.full(m, k),
                          "channel": ch,
                          "handle": handle, "wait": wait,
                          "agent": rng.integers(0, 120, m), "site": rng.integers(0, len(SITES), m),
                          "cost": self.fixed_cost[ch] + self.minute_cost[ch] * handle / 60.0})
            gap = (rng.lognormal(np.log(1.5 * 86400), 0.8, m) * US_PER_SECOND).astype(np.int64)
            t_next = t + (handle * US_PER_SECOND).astype(np.int64) + gap
            go = again & (t_next < self.period.end_us)
            active, t = active[go], t_next[go]
            if not len(active):
                break
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    def _kept(self, c: dict[str, np.ndarray], intent: np.ndarray, kind: np.ndarray, alert_u: np.ndarray,
              start: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Which potential contacts happen when each need starts with the capabilities `mask` (bits) on."""
        i = c["need"]
        on = mask[i]
        rate = np.where(start[i] >= self.scale_at, self.alerts_scale, self.alerts_pilot)
        prevented = (intent[i] == BILLING) & (on & (1 << ALERTS) > 0) & (alert_u[i] < rate)
        answered = np.zeros(len(i), dtype=bool)
        for k in (FOLLOW_UP, GUIDED):
            lo, hi = self.kinds[k]
            answered |= (on & (1 << k) > 0) & (kind[i] >= lo) & (kind[i] < hi)
        answered &= intent[i] != BILLING
        return ~prevented & ((c["k"] == 0) | ~answered)

    def _truths(self, c: dict[str, np.ndarray], ec: np.ndarray, intent: np.ndarray, kind: np.ndarray,
                alert_u: np.ndarray, start: np.ndarray, in_pilot: np.ndarray, at_scale: np.ndarray,
                before: np.ndarray, member: list[np.ndarray], n: int) -> None:
        """Both potential outcomes of every pilot (its units, its window) and of every cell of the holdout design
        (every customer, the scale window), from the same needs and draws."""
        t = c["t"]

        def add(name: str, m0: np.ndarray, m1: np.ndarray, window: np.ndarray, units: np.ndarray | None) -> None:
            k0 = self._kept(c, intent, kind, alert_u, start, m0) & window
            k1 = self._kept(c, intent, kind, alert_u, start, m1) & window
            count = n if units is None else int(units.sum())
            if units is not None:
                k0, k1 = k0 & units[c["cust"]], k1 & units[c["cust"]]
            self.truths.get(name, "cost_to_serve").add(c["cost"][k0].sum(), c["cost"][k1].sum(), count)
            self.truths.get(name, "contacts_per_customer").add(k0.sum(), k1.sum(), count)

        pilot_w = (t >= self.pilot_window[0]) & (t < self.pilot_window[1])
        for k, name in enumerate(CAPABILITIES):
            add(name, np.zeros(len(ec), np.int64), np.where(in_pilot, 1 << k, 0), pilot_w, member[k])
        scale_w = t >= self.scale_at
        none = np.where(at_scale, 0, before)
        for k, name in enumerate(CAPABILITIES):
            add(f"{name}_holdout", none, np.where(at_scale, 1 << k, before), scale_w, None)
        add("portfolio_holdout", none, np.where(at_scale, ALL, before), scale_w, None)

    def _interactions(self, c: dict[str, np.ndarray], cust_ids: pa.Array, block: int) -> pa.Table:
        n = len(c["t"])
        assisted = c["channel"] != CHANNELS.index("self_service")
        agent = ids("A", c["agent"] + 1, 4)
        return table("interactions", {
            "interaction_id": interaction_ids(block, n),
            "customer_id": cust_ids.take(pa.array(c["cust"])),
            "started_at": timestamps(self.period, c["t"]),
            "channel": labels(CHANNELS, c["channel"]),
            "intent": labels(INTENTS, c["intent"]),
            "journey_stage": labels(STAGES, c["intent"]),
            "agent_id": pc.if_else(pa.array(assisted), agent, pa.scalar(None, pa.string())),
            "site": labels(SITES, c["site"], assisted),
            "handle_seconds": floats(np.round(c["handle"], 1)),
            "wait_seconds": floats(np.round(c["wait"], 1)),
            "abandoned": pa.nulls(n, pa.bool_()),
            "transferred": pa.array(np.zeros(n, bool)),
            "resolved": pa.array(c["resolved"]),
            "csat": pa.nulls(n, pa.float64()),
            "cost": floats(np.round(c["cost"], 4)),
        })


class AdditiveScaledWorld(ScaledWorld):
    """The same portfolio with nothing planted: follow-ups and guidance answer disjoint needs and alerts do not
    decay, so the whole is exactly the sum of the parts (the yardstick of an A/A-style check)."""

    name = "scaled_additive"
    description = "Three capabilities at scale with holdouts, disjoint and steady: the whole is the sum"
    kinds = ((0.0, 0.5), (0.5, 1.0))
    alerts_pilot, alerts_scale = 0.60, 0.60


# --- the holdout design's cells ---------------------------------------------------------------------------------

#: Cell numbers: 0 the portfolio holdout, 1 + 2k capability k alone, 2 + 2k its holdout (none), the last everything.
_HOLDOUT = 0
_ALONE = [1 + 2 * k for k in range(len(CAPABILITIES))]
_NONE = [2 + 2 * k for k in range(len(CAPABILITIES))]
_EVERYTHING = 1 + 2 * len(CAPABILITIES)
_CELL_MASK = np.array([0] + [m for k in range(len(CAPABILITIES)) for m in (1 << k, 0)] + [ALL])
_SHARES = np.array([PORTFOLIO_HOLDOUT] + [ALONE_CELL] * (2 * len(CAPABILITIES)))


def _cells(keys: np.ndarray) -> np.ndarray:
    """Blocked complete randomisation into the cells: ranked by an iid uniform key, the first round(10% n) are the
    portfolio holdout, the next round(7% n) capability 1 alone, and so on; the rest get everything."""
    n = len(keys)
    bounds = np.round(np.cumsum(_SHARES) * n).astype(np.int64)
    rank = np.empty(n, np.int64)
    rank[np.argsort(keys, kind="stable")] = np.arange(n)
    return np.searchsorted(bounds, rank, side="right")


def _spec(pilot: str, pre: int, post: int, currency: str, description: str,
          expected_split: dict[str, float] | None = None) -> PilotSpec:
    return PilotSpec(pilot=pilot, description=description, design="randomised", unit="customer",
                     expected_split=expected_split,
                     primary=MetricRef(metric="cost_to_serve", target=Target(relative=-0.03)),
                     secondary=[MetricRef(metric="contacts_per_customer")],
                     windows=Windows(pre_days=pre, post_days=post),
                     value=Value(currency=currency, nature="recurring"))
