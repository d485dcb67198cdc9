"""The demo world's portfolio: use cases tied to the support world's pilots and hotspots, its people, and the manifest
of what is planted in them (docs/simulator.md#the-portfolio).

`cxscale simulate --out DIR` writes DIR/portfolio/: one `<id>.usecase.yaml` per initiative (usecase_version 1),
`people.yaml` (people_version 1), `pilots/<name>.yaml` (the portfolio's own pilot specs of the planted pilots: the
same pilot and assignments, read with another target, window or scope) and `planted.json`, which says for each
initiative the stage the demo should bring it to, the gate outcomes on the way, its lint findings and the audit
flags planted in it (isolated, unmeasured, unowned, each with its reason key), so that the demo and the audit's
tests assert against it. The evidence figures and baselines are computed here from the world's interactions, as
the diagnosis counts them (contacts at the touchpoint, the main channel's share, rates over its contacts; per-unit
metrics over the last window of the data, as the power plan reads them).

The expected readouts (ship, roll back, window open, not causal) are those of the demo world (`cxscale demo`:
support, 50,000 customers, seed 42): planted.json names that world; the documents and their flags hold for any.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxscale.documents.pilot_spec import PilotSpec, dump_spec
from cxscale.documents.use_case import UseCase
from cxscale.yamlfile import dump_yaml

PLANTED_VERSION = 1
PEOPLE_VERSION = 1
#: The world whose readouts planted.json's gate outcomes describe (the demo's).
DEMO_WORLD = {"scenario": "support", "customers": 50_000, "seed": 42}
#: What the figures and baselines name as their source (the portfolio lies in DIR/portfolio/).
EVIDENCE_SOURCE = "../interactions (the world's contacts, counted as cxscale diagnose counts them)"
DATA_SOURCE = "../ (the simulated support world: interactions, outcomes, assignments)"

#: (id, name, functions, roles, active, os_user): who owns, sponsors, governs and views the portfolio.
PEOPLE: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], bool, str | None], ...] = (
    ("demo.admin", "cxscale demo", (), ("admin",), True, "cxscale-demo"),
    ("amira.khan", "Amira Khan", ("operations",), ("council",), True, "amira"),
    ("tomas.berg", "Tomas Berg", ("operations",), (), True, None),
    ("priya.nair", "Priya Nair", ("technology",), (), True, "priya"),
    ("kenji.watanabe", "Kenji Watanabe", ("technology",), (), True, None),
    ("lena.vogel", "Lena Vogel", ("commercial",), (), True, None),
    ("marco.rossi", "Marco Rossi", ("commercial",), (), True, None),
    ("helen.osei", "Helen Osei", (), ("sponsor",), True, None),
    ("rafael.souza", "Rafael Souza", (), ("sponsor", "council"), True, None),
    ("david.chen", "David Chen", (), ("council",), True, None),
    ("sam.taylor", "Sam Taylor", (), ("viewer",), True, None),
    ("jonas.weber", "Jonas Weber", ("commercial",), (), False, None),
)

#: The owners most initiatives have (technology, operations, commercial, executive sponsor).
TEAM_A = {"technology": "priya.nair", "operations": "amira.khan", "commercial": "lena.vogel",
          "executive_sponsor": "helen.osei"}
TEAM_B = {"technology": "kenji.watanabe", "operations": "tomas.berg", "commercial": "marco.rossi",
          "executive_sponsor": "rafael.souza"}


# --- the world's figures -------------------------------------------------------------------------------------


@dataclass
class _Sums:
    contacts: int = 0
    transferred: int = 0
    resolved: int = 0
    csat: float = 0.0
    rated: int = 0
    cost: float = 0.0
    handle: float = 0.0
    handled: int = 0
    channels: dict[str, int] = field(default_factory=dict)


_COLUMNS = ["customer_id", "started_at", "intent", "journey_stage", "channel", "transferred", "resolved", "csat",
            "cost", "handle_seconds"]


class Figures:
    """Counts over the world's interactions, read one part file at a time (memory stays bounded by the part):
    per touchpoint (intent x stage) and per (scope, window) per-customer sums."""

    def __init__(self, world: Path) -> None:
        self.parts = sorted((world / "interactions").glob("part-*.parquet"))
        ends = [pc.max(pq.read_table(p, columns=["started_at"])["started_at"]).as_py() for p in self.parts]
        self.end = max(e for e in ends if e is not None)
        self.touchpoints: dict[tuple[str, str], _Sums] = {}
        for part in self.parts:
            t = pq.read_table(part, columns=_COLUMNS[2:])
            t = t.append_column("handled", pc.not_equal(t["channel"], "self_service"))
            t = t.append_column("assisted_handle", pc.if_else(t["handled"], t["handle_seconds"], 0.0))
            for name in ("transferred", "resolved", "handled"):
                t = t.set_column(t.schema.get_field_index(name), name, pc.cast(t[name], pa.int64()))
            sums = t.group_by(["intent", "journey_stage", "channel"]).aggregate([
                ([], "count_all"), ("transferred", "sum"), ("resolved", "sum"), ("csat", "sum"), ("csat", "count"),
                ("cost", "sum"), ("assisted_handle", "sum"), ("handled", "sum")]).to_pylist()
            for row in sums:
                self._add(row)

    def _add(self, row: dict[str, Any]) -> None:
        s = self.touchpoints.setdefault((row["intent"], row["journey_stage"]), _Sums())
        s.contacts += row["count_all"]
        s.channels[row["channel"]] = s.channels.get(row["channel"], 0) + row["count_all"]
        s.transferred += row["transferred_sum"] or 0
        s.resolved += row["resolved_sum"] or 0
        s.csat += row["csat_sum"] or 0.0
        s.rated += row["csat_count"]
        s.cost += row["cost_sum"] or 0.0
        s.handle += row["assisted_handle_sum"] or 0.0
        s.handled += row["handled_sum"] or 0

    def at(self, intent: str, stage: str) -> dict[str, float]:
        """The evidence at a touchpoint, in the diagnosis's names and units (its hotspot's volume, channel_share,
        transfer_rate, csat_mean, cost_per_contact; resolved share and handle time over the assisted contacts)."""
        s = self.touchpoints.get((intent, stage))
        if s is None or s.contacts == 0:
            return {"contacts": 0}
        return {"contacts": s.contacts, "channel_share": max(s.channels.values()) / s.contacts,
                "transfer_rate": s.transferred / s.contacts, "resolved_share": s.resolved / s.contacts,
                "csat_mean": s.csat / s.rated if s.rated else float("nan"), "cost_per_contact": s.cost / s.contacts,
                "aht_seconds": s.handle / s.handled if s.handled else float("nan")}

    def channel(self, intent: str, stage: str) -> str:
        """The touchpoint's main channel (voice where it has no contact)."""
        s = self.touchpoints.get((intent, stage))
        return max(s.channels, key=lambda c: (s.channels[c], c)) if s and s.channels else "voice"

    def per_customer(self, metric: str, window_days: int, scope: dict[str, list[str]] | None = None) -> float:
        """cost_to_serve or contacts_per_customer per customer over the last `window_days` days of the data, over
        every customer with a contact in the scope, as the power plan reads its baseline."""
        start = self.end - timedelta(days=window_days) + timedelta(seconds=1)
        total, customers = 0.0, 0
        for p in self.parts:
            t = pq.read_table(p, columns=_COLUMNS)
            for column, values in (scope or {}).items():
                t = t.filter(pc.is_in(t[column], pa.array(values)))
            customers += pc.count_distinct(t["customer_id"]).as_py()
            w = t.filter(pc.greater_equal(t["started_at"], pa.scalar(start, t["started_at"].type)))
            total += w.num_rows if metric == "contacts_per_customer" else (pc.sum(w["cost"]).as_py() or 0.0)
        return total / customers if customers else float("nan")


# --- the initiatives -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """One initiative and what planted.json says of it."""

    use_case: dict[str, Any]
    stage: str
    story: str
    gates: list[dict[str, Any]]
    lint: list[str] = field(default_factory=list)
    lint_with_data: list[str] = field(default_factory=list)
    flags: dict[str, list[str]] = field(default_factory=lambda: {"isolated": [], "unmeasured": [], "unowned": []})
    pilot: str | None = None
    spec: PilotSpec | None = None
    signoffs: list[str] = field(default_factory=list)
    stop_reason: str | None = None


def _flags(**given: list[str]) -> dict[str, list[str]]:
    return {k: given.get(k, []) for k in ("isolated", "unmeasured", "unowned")}


def _variant(base: PilotSpec, **changes: Any) -> PilotSpec:
    """A planted pilot's spec read another way (same pilot name, so the same assignments)."""
    return PilotSpec.model_validate({**base.model_dump(mode="json", exclude_none=True), **changes})


def _idea_fails(*conditions: str) -> dict[str, Any]:
    return {"gate": "idea->pilot", "passes": False, "missing": list(conditions)}


_IDEA_PASSES = {"gate": "idea->pilot", "passes": True, "missing": []}
_SHIP = {"gate": "pilot->proof", "passes": True, "recommendation": "ship", "missing": []}


def _proof_fails(recommendation: str | None, *conditions: str) -> dict[str, Any]:
    return {"gate": "pilot->proof", "passes": False, "recommendation": recommendation, "missing": list(conditions)}


def _r(v: float) -> float:
    return round(float(v), 6)


def initiatives(fig: Figures, pilots: dict[str, PilotSpec]) -> list[Planted]:
    """The portfolio of the support world: every stage, the planted traps, the rest clean."""
    cur = pilots["proactive_alerts"].value.currency

    def problem(intent: str, stage: str, *, rank: int | None = None, channel: str | None = None) -> dict[str, Any]:
        figures = {k: _r(v) for k, v in fig.at(intent, stage).items() if v == v}
        evidence: dict[str, Any] = {"diagnosis": EVIDENCE_SOURCE, "figures": figures}
        if rank is not None:
            evidence["hotspot_rank"] = rank
        return {"journey_stage": stage, "intent": intent, "channel": channel or fig.channel(intent, stage),
                "evidence": evidence}

    def uc(id_: str, title: str, prob: dict[str, Any] | None, mechanism: str, capabilities: list[str],
           metric: str, baseline: float | None, target: float, window: int, guardrails: list[tuple[str, float]],
           design: dict[str, Any], spec: str | None, owners: Mapping[str, str | None]) -> dict[str, Any]:
        m: dict[str, Any] = {"name": metric, "target": {"relative": target}, "window_days": window}
        if baseline is not None and baseline == baseline:  # (a tiny world may have no contact there: no baseline)
            m["baseline"] = _r(baseline)
        doc: dict[str, Any] = {
            "usecase_version": 1, "id": id_, "title": title, "problem": prob, "mechanism": mechanism,
            "capabilities": capabilities, "metric": m,
            "guardrails": [{"metric": g, "max_harm": {"relative": h}} for g, h in guardrails],
            "design": design, "pilot_spec": spec, "data_sources": [DATA_SOURCE],
            "owners": {k: v for k, v in owners.items() if v is not None}}
        return {k: v for k, v in doc.items() if v is not None}

    cust = {"type": "randomised", "unit": "customer", "holdout_share": 0.5}
    agents = {"type": "randomised", "unit": "agent", "holdout_share": 0.5}
    sites = {"type": "randomised", "unit": "site", "holdout_share": 0.5}
    billing = {"journey_stage": ["billing"]}
    technical = {"journey_stage": ["technical"]}
    alerts, assist = pilots["proactive_alerts"], pilots["agent_assist"]
    v_assist = _variant(assist, primary={"metric": "aht", "target": {"relative": -0.08}})
    v_summaries = _variant(pilots["after_contact_summaries"], primary={"metric": "aht", "target": {"relative": -0.3}})
    v_outage = _variant(alerts, description="Proactive outage alerts should prevent technical contacts; the "
                        "contacts left must not repeat more.", scope=technical,
                        primary={"metric": "contacts_per_customer", "target": {"relative": -0.08}},
                        guardrails=[{"metric": "repeat_contact_rate_7d", "max_harm": {"relative": 0.05}}],
                        secondary=[{"metric": "resolution_rate"}])
    v_greeting = _variant(pilots["ivr_greeting"], primary={"metric": "contacts_per_customer",
                                                            "target": {"relative": -0.04}},
                          windows={"pre_days": 56, "post_days": 90})
    v_dispute = _variant(assist, description="Real-time guidance on billing contacts should shorten them.",
                         scope=billing, primary={"metric": "aht", "target": {"relative": -0.08}},
                         windows={"pre_days": 56, "post_days": 90})
    v_bills = _variant(alerts, description="Bill-change alerts should cut the cost of billing contacts.",
                       scope=billing, primary={"metric": "cost_to_serve", "target": {"relative": -0.10}},
                       windows={"pre_days": 56, "post_days": 90})
    agg = fig.at("billing_dispute", "billing")
    tech = fig.at("intermittent_connection", "technical")
    out = [
        # --- proof: the pilots whose readout says ship -------------------------------------------------------
        Planted(uc("proactive-bill-alerts", "Prevent billing and outage contacts with proactive alerts",
                   problem("bill_explanation", "billing"),
                   "Proactive SMS and app alerts before a bill changes or an outage starts answer the question "
                   "before the customer has to ask it, so the contact does not happen.", ["proactive_outreach"],
                   "cost_to_serve", fig.per_customer("cost_to_serve", 56), -0.05, 56, [("csat_mean", -0.02)],
                   cust, "../pilots/proactive_alerts.yaml", TEAM_A),
                "scale", "the proactive_alerts pilot cut cost to serve (ship); all three owners sign off on its "
                "proof point, and it goes to scale", [
                    _IDEA_PASSES, _SHIP,
                    {"gate": "proof->scale", "passes": True, "missing": []}],
                pilot="proactive_alerts", signoffs=["technology", "operations", "commercial"]),
        Planted(uc("agent-assist-live", "Real-time guidance for agents in live channels",
                   problem("billing_dispute", "billing", rank=1),
                   "Real-time guidance for agents in voice, chat and messaging: the answer and the next step while "
                   "the customer is on the line, so contacts are shorter and resolved first time.",
                   ["real_time_guidance"], "aht", fig.at("billing_dispute", "billing").get("aht_seconds"), -0.08, 56,
                   [("csat_mean", -0.02)], agents, "pilots/agent-assist-live.yaml", TEAM_B),
                "proof", "the agent_assist pilot shortened handle time (ship); only the technology owner has "
                "signed off: the proof awaits the operations and commercial sign-offs", [
                    _IDEA_PASSES, _SHIP,
                    {"gate": "proof->scale", "passes": False, "missing": ["operations sign-off",
                                                                          "commercial sign-off"]}],
                pilot="agent_assist", spec=v_assist, signoffs=["technology"]),
        Planted(uc("after-contact-summaries", "AI after-contact summaries to cut wrap-up time",
                   problem("intermittent_connection", "technical", rank=2),
                   "An AI summary of each assisted contact, written as the contact ends, replaces the agent's "
                   "wrap-up notes, so agents are free for the next customer sooner.", ["after_contact_summaries"],
                   "aht", tech.get("aht_seconds"), -0.3, 49, [("resolution_rate", -0.02)], sites,
                   "pilots/after-contact-summaries.yaml", TEAM_A),
                "proof", "the site-randomised after_contact_summaries pilot cut handle time (ship); no sign-off "
                "yet", [_IDEA_PASSES, _SHIP,
                        {"gate": "proof->scale", "passes": False,
                         "missing": ["technology sign-off", "operations sign-off", "commercial sign-off"]}],
                pilot="after_contact_summaries", spec=v_summaries),
        # --- stopped: a readout that says roll back, and one that cannot be causal ---------------------------
        Planted(uc("outage-alerts-technical", "Prevent technical contacts with proactive outage alerts",
                   problem("service_outage", "technical"),
                   "An alert when an outage starts, with its expected end, so customers do not call about it.",
                   ["proactive_outreach"], "contacts_per_customer",
                   fig.per_customer("contacts_per_customer", 56, technical), -0.08, 56,
                   [("repeat_contact_rate_7d", 0.05)], cust, "pilots/outage-alerts-technical.yaml", TEAM_B),
                "stopped", "the alerts removed the easy outage contacts; those left at the technical stage repeat "
                "more, breaching the repeat-rate guardrail (roll back): the demo stops it with that reason", [
                    _IDEA_PASSES, _proof_fails("roll back", "guardrails hold"),
                    {"gate": "stop", "passes": True}],
                pilot="proactive_alerts", spec=v_outage,
                stop_reason="the readout says roll back: the 7-day repeat rate at the technical stage breached its "
                "guardrail"),
        Planted(uc("callback-glasgow", "Offer a callback instead of the queue at glasgow",
                   problem("move_home", "moving_home", rank=3, channel="voice"),
                   "When voice queues are long, customers are offered a callback instead of waiting, so they wait "
                   "less and are more satisfied.", ["routing"], "csat_mean",
                   fig.at("move_home", "moving_home").get("csat_mean"), 0.05, 42, [("resolution_rate", -0.02)],
                   {"type": "staged_rollout", "unit": "site", "stages": ["glasgow"]},
                   "../pilots/callback_rollout.yaml", TEAM_A),
                "stopped", "a single-site rollout: its difference-in-differences readout cannot be causal (discuss); "
                "the demo stops it to rerun it randomised", [
                    _IDEA_PASSES, _proof_fails("discuss", "causal design"),
                    {"gate": "stop", "passes": True}],
                pilot="callback_rollout",
                stop_reason="a one-site rollout cannot show the effect is the callback's: rerun it randomised by site"),
        # --- pilot: readouts still inside their window ---------------------------------------------------------
        Planted(uc("personalised-ivr-greeting", "Personalised IVR greeting to cut repeat calls",
                   problem("bill_explanation", "billing", channel="voice"),
                   "The IVR greets callers by name and names their open order or bill, hoping they reach the right "
                   "answer without calling again.", ["routing"], "contacts_per_customer",
                   fig.per_customer("contacts_per_customer", 90), -0.04, 90, [("csat_mean", -0.02)], cust,
                   "pilots/personalised-ivr-greeting.yaml", TEAM_B),
                "pilot", "its 90-day window is still open: no recommendation yet", [
                    _IDEA_PASSES, _proof_fails(None, "window complete", "primary moved")],
                pilot="ivr_greeting", spec=v_greeting),
        Planted(uc("billing-guidance", "Real-time guidance for billing contacts",
                   problem("billing_dispute", "billing", rank=1),
                   "Guidance for agents on billing contacts: the bill's lines explained and the adjustment the "
                   "policy allows, so contacts are shorter.", ["real_time_guidance"], "aht", agg.get("aht_seconds"),
                   -0.08, 90, [("csat_mean", -0.02)], agents, "pilots/billing-guidance.yaml",
                   {**TEAM_B, "commercial": "jonas.weber"}),
                "pilot", "its 90-day window is still open; its commercial owner has left (jonas.weber, active: "
                "false)", [_IDEA_PASSES, _proof_fails(None, "window complete")],
                flags=_flags(unowned=["owner-left"]), pilot="agent_assist", spec=v_dispute),
        Planted(uc("bill-change-alerts", "Alerts before a bill changes, to cut the cost of billing contacts",
                   problem("bill_explanation", "billing"),
                   "A message before a bill changes explains why, so the customer does not contact billing.",
                   ["proactive_outreach"], "cost_to_serve", None, -0.10, 90, [("csat_mean", -0.02)], cust,
                   "pilots/bill-change-alerts.yaml", TEAM_A),
                "pilot", "its 90-day window is still open; it names no baseline", [
                    _IDEA_PASSES, _proof_fails(None, "window complete")],
                lint=["no-baseline"], flags=_flags(unmeasured=["no-baseline"]), pilot="proactive_alerts",
                spec=v_bills),
        Planted(uc("move-home-routing", "Route home moves right first time",
                   problem("move_home", "moving_home", rank=3),
                   "The intent detected at the start of the contact routes a move to the specialist queue that "
                   "completes it, instead of a transfer after it.", ["routing"], "transfer_rate",
                   fig.at("move_home", "moving_home").get("transfer_rate"), -0.25, 28, [("csat_mean", -0.03)], cust,
                   None, TEAM_A),
                "pilot", "no pilot spec: it passes idea -> pilot on its documents, but nothing can read it out",
                [_IDEA_PASSES, _proof_fails(None, "readout")],
                lint=["no-pilot-spec"], flags=_flags(unmeasured=["no-pilot-spec", "no-readout"])),
        # --- ideas ---------------------------------------------------------------------------------------------
        Planted(uc("roaming-satisfaction", "Lift satisfaction with roaming answers",
                   problem("roaming_issue", "technical"),
                   "Guidance with the partner networks' current roaming status, so agents fix roaming issues in "
                   "the first contact.", ["real_time_guidance"], "csat_mean",
                   fig.at("roaming_issue", "technical").get("csat_mean"), 0.01, 28, [("aht", 0.10)], cust,
                   "pilots/roaming-satisfaction.yaml", TEAM_B),
                "idea", "lints clean, but +1% CSAT at a small touchpoint is not detectable with the customers there",
                [_idea_fails("target detectable")], lint_with_data=["undetectable-target"],
                spec=PilotSpec.model_validate({
                    "pilot": "roaming-satisfaction", "description": "Roaming guidance should lift satisfaction.",
                    "scope": {"intent": ["roaming_issue"], "journey_stage": ["technical"]},
                    "primary": {"metric": "csat_mean", "target": {"relative": 0.01}},
                    "guardrails": [{"metric": "aht", "max_harm": {"relative": 0.10}}],
                    "windows": {"pre_days": 28, "post_days": 28}, "value": {"currency": cur}})),
        Planted(uc("ai-everywhere", "Implement AI across our contact center", {},
                   "A virtual agent and AI tools in every channel make the contact centre more efficient.",
                   ["real_time_guidance", "routing"], "cost_to_serve", fig.per_customer("cost_to_serve", 28), -0.10,
                   28, [("csat_mean", -0.03)], cust, None, TEAM_B),
                "idea", "no touchpoint: it acts nowhere in particular", [_idea_fails("lints clean")],
                lint=["no-touchpoint", "no-evidence", "no-pilot-spec"],
                flags=_flags(isolated=["no-touchpoint"], unmeasured=["no-pilot-spec"])),
        Planted(uc("esim-activation-bot", "A bot for eSIM activation",
                   {"journey_stage": "onboarding", "intent": "esim_activation", "channel": "messaging",
                    "evidence": {"diagnosis": "vendor case study (not a diagnosis of this data)",
                                 "figures": {"containment_claimed": 0.6}}},
                   "A messaging bot walks new customers through eSIM activation.", ["real_time_guidance"],
                   "cost_to_serve", 4.2, -0.10, 28, [("csat_mean", -0.03)], cust, "pilots/esim-activation-bot.yaml",
                   TEAM_A),
                "idea", "its touchpoint has no contacts in the diagnosis (this world has no eSIM activation): no "
                "power plan either", [_idea_fails("target detectable")], lint_with_data=["undetectable-target"],
                flags=_flags(isolated=["touchpoint-without-contacts"]),
                spec=PilotSpec.model_validate({
                    "pilot": "esim-activation-bot", "scope": {"intent": ["esim_activation"]},
                    "primary": {"metric": "cost_to_serve", "target": {"relative": -0.10}},
                    "guardrails": [{"metric": "csat_mean", "max_harm": {"relative": -0.03}}],
                    "windows": {"pre_days": 28, "post_days": 28}, "value": {"currency": cur}})),
        Planted(uc("dispute-routing", "Route billing disputes to the team that settles them",
                   problem("billing_dispute", "billing", rank=1),
                   "Disputes are detected at the start of the contact and routed to collections-trained agents, "
                   "instead of bouncing between billing and collections.", ["intent_routing"], "transfer_rate",
                   agg.get("transfer_rate"), -0.25, 28, [("csat_mean", -0.03)], cust, "pilots/dispute-routing.yaml",
                   {**TEAM_A, "operations": None}),
                "idea", "nobody owns the workflow it changes (no operations owner)",
                [_idea_fails("lints clean", "owners named")], lint=["no-owner"],
                flags=_flags(isolated=["no-operations-owner"], unowned=["owner-missing"]),
                spec=PilotSpec.model_validate({
                    "pilot": "dispute-routing", "scope": {"intent": ["billing_dispute"], "journey_stage": ["billing"]},
                    "primary": {"metric": "transfer_rate", "target": {"relative": -0.25}},
                    "guardrails": [{"metric": "csat_mean", "max_harm": {"relative": -0.03}}],
                    "windows": {"pre_days": 28, "post_days": 28}, "value": {"currency": cur}})),
        Planted(uc("password-bot-containment", "Contain password resets in the bot",
                   problem("password_reset", "account", channel="self_service"),
                   "The bot resets passwords end to end, so fewer reach an agent.", ["routing"],
                   "containment_rate", fig.at("password_reset", "account").get("channel_share"), 0.10, 28,
                   [("csat_mean", -0.03)], cust, "pilots/password-bot-containment.yaml", TEAM_B),
                "idea", "its primary metric is containment, a technical metric (and +10% of it is not detectable "
                "either)", [_idea_fails("lints clean", "target detectable")],
                lint=["technical-metric"], flags=_flags(unmeasured=["technical-metric"]),
                spec=PilotSpec.model_validate({
                    "pilot": "password-bot-containment",
                    "scope": {"intent": ["password_reset"], "journey_stage": ["account"]},
                    "primary": {"metric": "containment_rate", "target": {"relative": 0.10}},
                    "guardrails": [{"metric": "csat_mean", "max_harm": {"relative": -0.03}}],
                    "windows": {"pre_days": 28, "post_days": 28}, "value": {"currency": cur}})),
        Planted(uc("connection-resolution", "Resolve intermittent connections first time",
                   problem("intermittent_connection", "technical", rank=2),
                   "Guidance with the line's test results and the fix that works, so the customer does not call "
                   "back.", ["real_time_guidance"], "resolution_rate", tech.get("resolved_share"), 0.10, 28,
                   [("aht", 0.10)], cust, "pilots/connection-resolution.yaml", {**TEAM_B, "commercial": None}),
                "idea", "no commercial owner: nobody answers for its value", [_idea_fails("lints clean",
                                                                                          "owners named")],
                lint=["no-owner"], flags=_flags(unowned=["owner-missing"]),
                spec=PilotSpec.model_validate({
                    "pilot": "connection-resolution",
                    "scope": {"intent": ["intermittent_connection"], "journey_stage": ["technical"]},
                    "primary": {"metric": "resolution_rate", "target": {"relative": 0.10}},
                    "guardrails": [{"metric": "aht", "max_harm": {"relative": 0.10}}],
                    "windows": {"pre_days": 28, "post_days": 28}, "value": {"currency": cur}})),
    ]
    return out


# --- writing -------------------------------------------------------------------------------------------------


def people_yaml() -> str:
    people = []
    for id_, name, functions, roles, active, os_user in PEOPLE:
        p: dict[str, Any] = {"id": id_, "name": name, "functions": list(functions), "roles": list(roles),
                             "active": active}
        if os_user is not None:
            p["os_user"] = os_user
        people.append(p)
    return ("# The people of the demo portfolio (people_version 1): what use cases name as owners and sponsors.\n"
            "# The demo acts as demo.admin (os_user cxscale-demo); jonas.weber has left (active: false).\n"
            + dump_yaml({"people_version": PEOPLE_VERSION, "people": people}))


def write_portfolio(world: Path, pilots: dict[str, PilotSpec]) -> list[Path]:
    """Write DIR/portfolio/ for the support world in `world` (its interactions and pilot specs written): the use
    cases, people.yaml, the portfolio's pilot specs and planted.json. Returns the use cases' paths."""
    folder = world / "portfolio"
    (folder / "pilots").mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.usecase.yaml"), *(folder / "pilots").glob("*.yaml")]:
        old.unlink()
    planted = initiatives(Figures(world), pilots)
    written, manifest = [], []
    for p in planted:
        doc = p.use_case
        if p.spec is not None:
            dump_spec(p.spec, folder / doc["pilot_spec"])
        uc = UseCase.model_validate(doc)  # a bug here is the simulator's: fail loudly
        path = folder / f"{uc.id}.usecase.yaml"
        path.write_text(f"# {p.story}\n" + dump_yaml(uc.model_dump(mode="json", exclude_none=True)), encoding="utf-8")
        written.append(path)
        spec_file = doc.get("pilot_spec")
        manifest.append({
            "id": uc.id, "file": path.name, "pilot": p.pilot, "pilot_spec": spec_file, "stage": p.stage,
            "story": p.story, "gates": p.gates, "signoffs": p.signoffs, "stop_reason": p.stop_reason,
            "lint": sorted(p.lint), "lint_with_data": sorted([*p.lint, *p.lint_with_data]), "flags": p.flags,
        })
    (folder / "people.yaml").write_text(people_yaml(), encoding="utf-8")
    (folder / "planted.json").write_text(json.dumps({
        "planted_version": PLANTED_VERSION, "world": DEMO_WORLD, "people": "people.yaml", "acting_as": "demo.admin",
        "notes": ("stage: where the demo leaves the initiative after syncing, checking every gate in order and "
                  "advancing where it passes (signing off as `signoffs` say, stopping with `stop_reason`); gates: "
                  "each gate's expected outcome on the demo world (its recommendation and the conditions that do "
                  "not hold); lint: the rules `cxscale usecase lint` reports, lint_with_data those with --data on "
                  "the world; flags: the audit's flags planted, each with its reason key (docs/simulator.md#the-"
                  "portfolio). Initiatives with no flag are clean of every flag."),
        "initiatives": manifest,
    }, indent=2) + "\n")
    return written
