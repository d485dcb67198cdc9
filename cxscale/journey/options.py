"""The knobs of a journey diagnosis, with their defaults and units (docs/diagnosis.md explains each one).

One frozen object passed down from the CLI; nothing deep inside reads globals or environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxscale.contract import DEFAULT_RESOLUTION_WINDOW_DAYS

#: Outcomes that count as a failure following a contact (e.g. a no-show after a scheduling call).
DEFAULT_FAILURE_OUTCOMES: tuple[str, ...] = ("no_show", "churn", "cancellation", "cancelled", "complaint")

#: Score weights (they sum to 1). Each component is scaled to 0-1 by dividing by its largest value across candidate
#: hotspots; a component the data cannot support (e.g. no CSAT) is dropped and the others are re-weighted.
DEFAULT_SCORE_WEIGHTS: dict[str, float] = {
    "avoidable_cost": 0.45,
    "friction": 0.25,
    "csat_damage": 0.20,
    "volume": 0.10,
}


@dataclass(frozen=True)
class DiagnosisOptions:
    """Settings of one diagnosis.

    window_days: a same-intent contact within this many days belongs to the same episode (days).
    repeat_windows_days: windows for the repeat-contact rates (days); the first must equal window_days' family.
    long_wait_seconds: a queue wait longer than this counts as a long wait in a live channel (seconds).
    async_channels, async_long_wait_seconds: channels answered asynchronously (e-mail, social, sms) have their own,
        longer threshold (seconds), so that a normal e-mail reply time is not mistaken for friction.
    transfer_avoidable_share: share 0-1 of a transferred first contact's cost that a right-first-time routing
        would have saved (the second leg of the contact, assuming two legs of equal length).
    csat_detractor_max: a CSAT at or below this (1-5 scale) counts as a detractor.
    failure_outcomes: outcome names that count as a failure following a contact.
    failure_window_days: a failure outcome this many days or less after a contact counts against it (days); longer
        than the episode window because appointments and renewals lie weeks ahead of the contact that set them.
    min_volume: intent x stage cells with fewer contacts are not ranked as hotspots (contacts).
    top_flows: how many directly-follows edges per graph leave the engine.
    score_weights: weights of the score components (see DEFAULT_SCORE_WEIGHTS).
    """

    window_days: int = DEFAULT_RESOLUTION_WINDOW_DAYS
    repeat_windows_days: tuple[int, ...] = (7, 14, 30)
    long_wait_seconds: float = 300.0
    async_channels: tuple[str, ...] = ("email", "social", "sms")
    async_long_wait_seconds: float = 86_400.0
    transfer_avoidable_share: float = 0.5
    csat_detractor_max: float = 2.0
    failure_outcomes: tuple[str, ...] = DEFAULT_FAILURE_OUTCOMES
    failure_window_days: int = 30
    min_volume: int = 30
    top_flows: int = 200
    score_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SCORE_WEIGHTS))
