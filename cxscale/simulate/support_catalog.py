"""The support scenario's world: a telco/utility with 20 contact intents across 7 journey stages, 7 channels,
9 contact-centre sites and their agents. Numbers here are the planted truth the generator draws from.

Units: handle medians in seconds, waits in seconds, probabilities as shares 0-1, logits on the log-odds scale.
"""

from __future__ import annotations

import numpy as np

CHANNELS = ("voice", "chat", "email", "messaging", "self_service", "social", "sms")
VOICE, CHAT, EMAIL, MESSAGING, SELF_SERVICE, SOCIAL, SMS = range(7)
#: Channels answered by an agent at a site (the others have no agent, no site and no queue).
ASSISTED = np.array([True, True, True, True, False, True, False])
#: Channels where real-time agent guidance applies (live conversations).
LIVE = np.array([True, True, False, True, False, False, False])

SEGMENTS = ("consumer", "premium", "small_business", "prepaid")
SEGMENT_SHARE = np.array([0.60, 0.12, 0.16, 0.12])
#: Needs (episodes) per customer over 182 days, before tenure and individual propensity.
SEGMENT_EPISODES = np.array([2.6, 3.0, 3.8, 1.8])
SEGMENT_SPEND = np.array([55.0, 110.0, 160.0, 25.0])  # monthly spend median, currency
SEGMENT_DIGITAL = np.array([0.0, 0.4, -0.3, 0.3])  # shift of digital affinity (logit)
REGIONS = ("north", "south", "east", "west", "capital", "islands")
REGION_SHARE = np.array([0.2, 0.2, 0.17, 0.17, 0.2, 0.06])
PLANS = ("mobile", "broadband", "bundle")
PLAN_SHARE = np.array([0.45, 0.25, 0.30])

# One row per intent: (intent, stage, weight, first-contact resolution logit, transfer probability,
#   handle median s, self-service suitability logit, repeat probability when unresolved, churn risk, csat shift)
INTENT_ROWS = (
    ("activate_service", "onboarding", 3.0, 1.2, 0.06, 250, 0.6, 0.55, 0.002, 0.1),
    ("setup_equipment", "onboarding", 3.0, 0.6, 0.10, 360, 0.3, 0.60, 0.004, 0.0),
    ("first_bill_query", "onboarding", 2.5, 1.0, 0.05, 220, 0.5, 0.50, 0.004, 0.0),
    ("bill_explanation", "billing", 9.0, 1.3, 0.05, 200, 0.9, 0.45, 0.002, 0.1),
    ("billing_dispute", "billing", 5.0, -0.9, 0.30, 470, -1.2, 0.88, 0.020, -0.5),
    ("payment_arrangement", "billing", 4.0, 1.0, 0.06, 250, 0.4, 0.50, 0.006, 0.0),
    ("refund_request", "billing", 3.0, 0.4, 0.12, 290, 0.0, 0.65, 0.006, -0.2),
    ("direct_debit_change", "billing", 3.0, 1.6, 0.03, 140, 1.5, 0.40, 0.001, 0.2),
    ("service_outage", "technical", 6.0, 0.8, 0.08, 180, 1.0, 0.55, 0.008, -0.3),
    ("intermittent_connection", "technical", 6.0, -0.7, 0.18, 430, 0.4, 0.85, 0.015, -0.4),
    ("device_fault", "technical", 5.0, 0.3, 0.15, 360, -0.2, 0.65, 0.006, -0.1),
    ("roaming_issue", "technical", 2.0, 0.6, 0.10, 250, 0.2, 0.55, 0.003, 0.0),
    ("update_details", "account", 5.0, 1.8, 0.03, 120, 1.6, 0.35, 0.001, 0.2),
    ("password_reset", "account", 6.0, 1.7, 0.02, 90, 2.2, 0.40, 0.001, 0.2),
    ("plan_change", "account", 4.0, 1.1, 0.08, 290, 0.6, 0.45, 0.004, 0.1),
    ("move_home", "moving_home", 4.0, -0.2, 0.40, 540, 0.3, 0.75, 0.012, -0.3),
    ("cancel_service", "retention", 3.0, 0.2, 0.20, 430, -1.0, 0.45, 0.220, -0.2),
    ("contract_renewal", "retention", 3.5, 1.0, 0.08, 320, 0.2, 0.45, 0.010, 0.1),
    ("upgrade_enquiry", "sales", 4.0, 1.2, 0.07, 250, 0.4, 0.40, 0.001, 0.3),
    ("new_line_order", "sales", 2.0, 1.1, 0.06, 320, 0.5, 0.40, 0.001, 0.3),
)
INTENTS = tuple(r[0] for r in INTENT_ROWS)
STAGES = ("onboarding", "billing", "technical", "account", "moving_home", "retention", "sales")
INTENT_STAGE = np.array([STAGES.index(r[1]) for r in INTENT_ROWS])
INTENT_WEIGHT = np.array([r[2] for r in INTENT_ROWS])
_HOT = np.array([r[0] in ("billing_dispute", "intermittent_connection", "move_home") for r in INTENT_ROWS])
#: Everyday needs resolve more easily than the table's raw logits (+0.4); the planted hotspots keep theirs.
INTENT_RESOLVE = np.array([r[3] for r in INTENT_ROWS]) + np.where(_HOT, 0.0, 0.4)
INTENT_TRANSFER = np.array([r[4] for r in INTENT_ROWS])
INTENT_HANDLE = np.array([r[5] for r in INTENT_ROWS], dtype=float)
INTENT_SELF_SERVICE = np.array([r[6] for r in INTENT_ROWS])
INTENT_REPEAT = np.array([r[7] for r in INTENT_ROWS])
INTENT_CHURN = np.array([r[8] for r in INTENT_ROWS])
INTENT_CSAT = np.array([r[9] for r in INTENT_ROWS])
#: Customers in their first 3 months contact mostly about onboarding.
NEW_CUSTOMER_WEIGHT = np.where(STAGES.index("onboarding") == INTENT_STAGE, 8.0, 1.0)
#: A resolved sales or renewal need ends in a purchase with this probability, at this median value (currency).
INTENT_PURCHASE = np.zeros(len(INTENTS))
INTENT_PURCHASE_VALUE = np.zeros(len(INTENTS))
for _name, _p, _v in (("upgrade_enquiry", 0.45, 180.0), ("new_line_order", 0.70, 240.0),
                      ("contract_renewal", 0.55, 150.0), ("plan_change", 0.25, 90.0)):
    INTENT_PURCHASE[INTENTS.index(_name)] = _p
    INTENT_PURCHASE_VALUE[INTENTS.index(_name)] = _v

#: Hotspots planted on purpose (written to ground_truth.json): intent, stage, kinds, note.
HOTSPOTS = (
    ("billing_dispute", "billing", ["repeat_contacts", "transfers", "low_csat", "cost"],
     "Disputed bills are rarely resolved first time (first-contact resolution ~30%), bounce between billing and "
     "collections teams and come back within days: the most expensive need per customer."),
    ("intermittent_connection", "technical", ["repeat_contacts", "channel_switching", "cost"],
     "Self-service troubleshooting fails and customers call back after days; long technical handle times."),
    ("move_home", "moving_home", ["transfers", "long_waits", "channel_switching"],
     "Moves are routed to a small specialist queue: 40% of assisted contacts are transferred and waits are long."),
)

# Channel choice for a first contact: base logit + digital affinity slope + intent self-service suitability.
CHANNEL_BASE = np.array([1.2, 0.3, -0.5, -0.1, 0.2, -2.6, -3.0])
CHANNEL_DIGITAL = np.array([-1.6, 0.9, 0.2, 1.0, 1.4, 0.6, 0.3])
CHANNEL_IS_SELF_SERVICE = np.array([0, 0, 0, 0, 1.0, 0, 0])
#: Probability of switching channel on a repeat contact, by previous channel, and where switchers go.
SWITCH_PROB = np.array([0.20, 0.40, 0.55, 0.40, 0.85, 0.70, 0.80])
#: Some needs push customers to another channel on a repeat contact far more than usual (share of the customers who
#: would have stayed that switch anyway): the planted channel-switching hotspots.
INTENT_SWITCH = np.array([{"move_home": 0.75, "intermittent_connection": 0.75}.get(r[0], 0.0) for r in INTENT_ROWS])
ESCALATION_CDF = np.cumsum([0.62, 0.24, 0.04, 0.10, 0.0, 0.0, 0.0])
CHANNEL_RESOLVE = np.array([0.3, 0.0, -0.4, -0.1, -1.3, -0.6, -1.0])
CHANNEL_TRANSFER = np.array([1.0, 0.8, 0.3, 0.6, 0.0, 0.4, 0.0])
CHANNEL_HANDLE = np.array([1.0, 1.35, 0.8, 1.5, 0.35, 0.7, 0.08])
CHANNEL_HANDLE_SIGMA = np.array([0.60, 0.65, 0.55, 0.70, 0.80, 0.60, 0.50])
#: Wait medians in seconds (email and social answer in hours) and the wait that feels "normal" for CSAT.
CHANNEL_WAIT = np.array([75.0, 35.0, 4.0 * 3600, 240.0, 0.0, 2.0 * 3600, 0.0])
CHANNEL_WAIT_REF = np.array([60.0, 30.0, 4.0 * 3600, 300.0, 1.0, 2.0 * 3600, 1.0])
CHANNEL_CSAT_RESPONSE = np.array([0.22, 0.35, 0.12, 0.30, 0.10, 0.15, 0.05])

# Sites: name, agents, voice/digital routing weight, wait factor, handle factor.
SITE_ROWS = (
    ("manila", 70, 1.4, 1.5, 1.0, 1.04),
    ("cebu", 55, 1.0, 1.4, 1.1, 1.06),
    ("krakow", 50, 1.0, 1.0, 0.9, 0.98),
    ("lisbon", 45, 0.9, 1.0, 0.9, 0.96),
    ("cape_town", 50, 1.1, 0.8, 1.0, 1.02),
    ("dublin", 40, 0.8, 0.8, 0.8, 0.95),
    ("bogota", 55, 1.1, 1.2, 1.2, 1.05),
    ("leeds", 45, 1.0, 0.5, 1.0, 0.97),
    ("glasgow", 50, 1.2, 0.4, 2.2, 1.00),
)
SITES = tuple(r[0] for r in SITE_ROWS)
SITE_AGENTS = np.array([r[1] for r in SITE_ROWS])
SITE_VOICE = np.array([r[2] for r in SITE_ROWS])
SITE_DIGITAL = np.array([r[3] for r in SITE_ROWS])
SITE_WAIT = np.array([r[4] for r in SITE_ROWS])
SITE_HANDLE = np.array([r[5] for r in SITE_ROWS])
#: Routing: voice by the voice weight, the other assisted channels by the digital weight (rows: channels).
SITE_ROUTING = np.where((np.arange(len(CHANNELS)) == VOICE)[:, None], SITE_VOICE[None, :], SITE_DIGITAL[None, :])

#: Busy-ness by hour of day (UTC) and weekday (Monday first); contacts arrive in proportion.
HOUR_WEIGHT = np.array([0.1, 0.05, 0.03, 0.03, 0.05, 0.15, 0.4, 0.9, 1.6, 2.0, 2.0, 1.9, 1.6, 1.7, 1.8, 1.7,
                        1.5, 1.3, 1.2, 1.1, 0.9, 0.6, 0.35, 0.2])
WEEKDAY_WEIGHT = np.array([1.30, 1.15, 1.05, 1.0, 0.95, 0.55, 0.40])
#: Queue pressure multiplies waits at busy hours and weekdays (same shape as arrivals, scaled around 1).
HOUR_WAIT = 0.6 + 0.4 * HOUR_WEIGHT / HOUR_WEIGHT.mean()
WEEKDAY_WAIT = 0.5 + 0.5 * WEEKDAY_WEIGHT / WEEKDAY_WEIGHT.mean()
