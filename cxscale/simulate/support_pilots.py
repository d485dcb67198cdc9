"""The five pilots planted in the support world: their mechanisms, sizes and specs (pilots/<pilot>.yaml).

Start days count from the period start (2026-01-05); every pilot starts in the second half of the 182-day history
so that each has a pre-period. True effects are not written here: the generator measures them on the simulated units
with both potential outcomes (docs/simulator.md#true-effects).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Target, Value, Windows


@dataclass(frozen=True)
class PilotSetting:
    name: str
    design: Literal["randomised", "rollout"]
    unit: Literal["customer", "agent", "site"]
    start_day: int
    pre_days: int
    post_days: int
    mechanism: str


#: Customer-randomised: proactive bill-change and outage alerts prevent a share of billing/outage needs.
ALERTS = PilotSetting(
    "proactive_alerts", "randomised", "customer", 119, 56, 56,
    "40% of the customers still active on day 119 are randomised, exactly half to each arm within every block of "
    "5,000 customers; treated customers receive proactive SMS/app alerts before a bill "
    "changes or an outage, which prevents 45% of their billing and service_outage needs from day 119 on (no contact "
    "happens). Fewer needs also mean fewer churn triggers.",
)
ALERTS_INTENTS = ("first_bill_query", "bill_explanation", "billing_dispute", "payment_arrangement", "service_outage")
ALERTS_PREVENTED = 0.45

#: Agent-randomised (stratified by site): real-time guidance in live channels.
ASSIST = PilotSetting(
    "agent_assist", "randomised", "agent", 119, 56, 56,
    "Half of the agents of every site (stratified randomisation) get real-time guidance in live channels (voice, "
    "chat, messaging) from day 119: handle time x0.87 and first-contact resolution +0.45 on the log-odds scale.",
)
ASSIST_HANDLE = 0.87
ASSIST_RESOLVE_LOGIT = 0.45

#: Site-randomised (cluster): AI after-contact summaries cut wrap-up time.
SUMMARIES = PilotSetting(
    "after_contact_summaries", "randomised", "site", 126, 56, 49,
    "Eight sites (all but glasgow) are randomised 4/4; at treated sites agents get AI after-contact summaries from "
    "day 126: handle time x0.82 on every assisted contact. Nothing else changes.",
)
SUMMARIES_HANDLE = 0.82

#: Non-randomised single-site rollout: callbacks replace queueing at the site with the longest voice waits.
CALLBACK = PilotSetting(
    "callback_rollout", "rollout", "site", 133, 56, 42,
    "glasgow (chosen because its voice queues were longest, not at random) offers a callback instead of queueing from "
    "day 133: voice waits x0.30, which raises CSAT through the wait term of the satisfaction model. The other sites "
    "are the comparison group for difference-in-differences; trends are parallel by construction.",
)
CALLBACK_SITE = "glasgow"
CALLBACK_WAIT = 0.30

#: Customer-randomised with no effect at all.
GREETING = PilotSetting(
    "ivr_greeting", "randomised", "customer", 119, 56, 56,
    "30% of the customers still active on day 119 (disjoint from proactive_alerts) are randomised, exactly half to "
    "each arm within every block of 5,000 customers, to a personalised IVR greeting. "
    "It changes nothing: the generator ignores the arm, so every true effect is exactly zero (a placebo).",
)

SETTINGS = (ALERTS, ASSIST, SUMMARIES, CALLBACK, GREETING)


def _ref(metric: str, target: float | None = None, harm: float | None = None) -> MetricRef:
    return MetricRef(metric=metric, target=None if target is None else Target(relative=target),
                     max_harm=None if harm is None else Target(relative=harm))


def specs(currency: str = "EUR") -> dict[str, PilotSpec]:
    """The pilot spec of every support pilot, as a careful analyst would write it before the pilot starts."""
    def spec(s: PilotSetting, primary: MetricRef, guardrails: list[MetricRef], secondary: list[MetricRef],
             description: str) -> PilotSpec:
        return PilotSpec(pilot=s.name, description=description, design=s.design, unit=s.unit, primary=primary,
                         guardrails=guardrails, secondary=secondary,
                         windows=Windows(pre_days=s.pre_days, post_days=s.post_days), value=Value(currency=currency, nature="recurring"))

    return {
        ALERTS.name: spec(ALERTS, _ref("cost_to_serve", -0.05), [_ref("csat_mean", harm=-0.02)],
                          [_ref("contacts_per_customer")],
                          "Proactive bill and outage alerts should prevent avoidable contacts."),
        ASSIST.name: spec(ASSIST, _ref("aht", -0.05), [_ref("csat_mean", harm=-0.02)],
                          [_ref("resolution_rate"), _ref("transfer_rate")],
                          "Real-time agent guidance should shorten live contacts and resolve more first time."),
        SUMMARIES.name: spec(SUMMARIES, _ref("aht", -0.05), [_ref("resolution_rate", harm=-0.02)],
                             [_ref("csat_mean")],
                             "AI after-contact summaries should cut wrap-up time without hurting resolution."),
        CALLBACK.name: spec(CALLBACK, _ref("csat_mean", 0.02), [_ref("resolution_rate", harm=-0.02)], [],
                            "Callbacks instead of queueing at glasgow should lift satisfaction."),
        GREETING.name: spec(GREETING, _ref("contacts_per_customer", -0.03), [_ref("csat_mean", harm=-0.02)],
                            [_ref("cost_to_serve")],
                            "A personalised IVR greeting was hoped to reduce repeat calls."),
    }
