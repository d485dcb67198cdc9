"""Friction signals and cost-to-serve: grouped sums of the contacts per cell, then exact roll-ups.

Every signal is kept as additive sums per intent x journey stage x channel x site (the finest grain), so the
engine returns one small table and any coarser grain (intent x stage, intent x channel, ...) is an exact sum in Python
over at most a few thousand rows. Rates are ratios of those sums (docs/diagnosis.md#signals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from cxscale.documents.diagnosis import DiagnosisOptions
from cxscale.engine import epoch_seconds, instant
from cxscale.journey.contacts import DAY_SECONDS

GRAIN = ["intent", "journey_stage", "channel", "site"]

T = TypeVar("T", ir.Table, pd.DataFrame)


def _sum_if(cond: ir.BooleanValue, value: ir.NumericValue | int = 1,
            where: ir.BooleanValue | None = None) -> ir.NumericScalar:
    return ibis.cases((cond if where is None else cond & where, value), else_=0).sum()


@dataclass(frozen=True)
class Span:
    """What the data can show of each contact's neighbours: the starts of the first and the last contact read, in
    whole epoch seconds (diagnosis.data_span). A contact within N days of either end may have a neighbour the data
    does not hold (docs/diagnosis.md#censoring)."""

    first_ts: int
    last_ts: int


def followed(ts: ir.IntegerValue, span: Span | None, days: int) -> ir.BooleanValue | None:
    """Whether a contact starting at `ts` (epoch seconds) has `days` whole days of data after it: only then is a
    repeat within `days` observable. None when there is no span: every contact counts."""
    return None if span is None else ts <= span.last_ts - days * DAY_SECONDS


def preceded(ts: ir.IntegerValue, span: Span | None, days: int) -> ir.BooleanValue | None:
    """Whether a contact starting at `ts` has `days` whole days of data before it: only then is it known whether it
    repeats an earlier contact. None when there is no span."""
    return None if span is None else ts >= span.first_ts + days * DAY_SECONDS


def observed(ts: ir.IntegerValue, span: Span | None, days: int) -> ir.BooleanValue | None:
    """preceded() and followed(): `days` of data on both sides of the contact."""
    return _both(preceded(ts, span, days), followed(ts, span, days))


def _followed_from_start(started_at: ir.TimestampValue, span: Span | None, days: int) -> ir.BooleanValue | None:
    """followed() of the contact view's `ts`, read from started_at itself: the same contacts, without converting
    each start to epoch seconds in the coding scan (a third of its time for four windows)."""
    return None if span is None else started_at < instant(started_at, span.last_ts - days * DAY_SECONDS + 1)


def _preceded_from_start(started_at: ir.TimestampValue, span: Span | None, days: int) -> ir.BooleanValue | None:
    """preceded() read from started_at (`ts >= k` holds exactly when started_at >= instant(k))."""
    return None if span is None else started_at >= instant(started_at, span.first_ts + days * DAY_SECONDS)


def _both(a: ir.BooleanValue | None, b: ir.BooleanValue | None) -> ir.BooleanValue | None:
    return a if b is None else b if a is None else a & b


def plain_metrics(c: ir.Table, options: DiagnosisOptions, where: ir.BooleanValue | None = None,
                  span: Span | None = None) -> dict[str, ir.Scalar]:
    """The sums that need no neighbour: volume, transfers, waits, handle time, CSAT, cost, the data's period, and
    what the data's `span` shows of the contacts' neighbours: the contacts with each repeat window of data after
    them (`followed_<N>d`, the repeat rates' denominators), with the episode window before them (`preceded_window`,
    the channel-switch rate's) and on both sides (`observed_window`, what first-contact resolution and contacts per
    episode count of the contacts alone with their intent, and `observed_handle_seconds`, their time to resolution).
    Reads the contact view (contacts.contact_view). Every group must be within one channel: long waits are counted
    against both thresholds, and with_long_waits keeps the channel's count.
    `where`: count only the contacts it holds for (a selected period read with context before it:
    passes.code_cells)."""
    w = where
    before = _preceded_from_start(c.started_at, span, options.window_days)
    seen = _both(_both(w, before), _followed_from_start(c.started_at, span, options.window_days))
    return {
        "contacts": c.count(where=w),
        **{f"followed_{d}d": c.count(where=_both(w, _followed_from_start(c.started_at, span, d)))
           for d in options.repeat_windows_days},
        "preceded_window": c.count(where=_both(w, before)),
        "observed_window": c.count(where=seen),
        "transfers": _sum_if(c.transferred.fill_null(False), where=w),
        "transfer_known": c.transferred.count(where=w),
        "wait_seconds": c.wait_seconds.sum(where=w),
        "wait_known": c.wait_seconds.count(where=w),
        # Two numeric tests per row instead of one test of the channel's name per row (a quarter of the coding scan).
        "long_waits_sync": _sum_if(c.wait_seconds > options.long_wait_seconds, where=w),
        "long_waits_async": _sum_if(c.wait_seconds > options.async_long_wait_seconds, where=w),
        "abandons": _sum_if(c.abandoned.fill_null(False), where=w),
        "abandon_known": c.abandoned.count(where=w),
        "handle_seconds": c.handle_seconds.sum(where=w),
        "handle_known": c.handle_seconds.count(where=w),
        # What a lone contact adds to the observed time to resolution (LONELY_EPISODE_SUMS).
        "observed_handle_seconds": c.handle_seconds.sum(where=seen),
        "csat_sum": c.csat.sum(where=w),
        "csat_sum_sq": (c.csat * c.csat).sum(where=w),
        "csat_known": c.csat.count(where=w),
        "detractors": _sum_if(c.csat <= options.csat_detractor_max, where=w),
        "cost": c.cost.sum(where=w),
        "cost_sum_sq": (c.cost * c.cost).sum(where=w),
        "cost_transferred": _sum_if(c.transferred.fill_null(False), c.cost, where=w),
        # Converted once per group, not per row.
        "ts_min": epoch_seconds(c.started_at.min(where=w)),
        "ts_max": epoch_seconds(c.started_at.max(where=w)),
    }


def with_long_waits(sums: T, options: DiagnosisOptions) -> T:
    """Grouped plain_metrics with `long_waits`: the count against the long-wait threshold of the group's channel
    (asynchronous channels have their own, DiagnosisOptions). An Ibis table or the same sums read out (pandas)."""
    is_async = sums["channel"].isin(list(options.async_channels))
    if isinstance(sums, pd.DataFrame):
        out = sums.drop(columns=["long_waits_sync", "long_waits_async"])
        out["long_waits"] = np.where(is_async, sums["long_waits_async"], sums["long_waits_sync"])
        return out
    return sums.mutate(long_waits=ibis.cases((is_async, sums.long_waits_async), else_=sums.long_waits_sync)).drop(
        "long_waits_sync", "long_waits_async")


def episode_metrics(c: ir.Table, options: DiagnosisOptions, span: Span | None = None) -> dict[str, ir.Scalar]:
    """The sums over episodes: repeats, channel switches, episodes and their resolution, and the avoidable cost of
    repeats, switches and transferred first contacts. Reads contacts.with_same_need's columns and `ts`.

    With the data's span (plain_metrics), the rates' numerators count only what the data can show: `repeats_<N>d`
    the contacts with N days of data after them (a contact near the end may yet be repeated after the data),
    `preceded_channel_switches` the contacts with the episode window before them (one near the start may repeat a
    contact before the data), `observed_episodes` / `observed_first_contact_resolutions` the episodes whose first
    contact has the episode window on both sides, and `observed_resolution_seconds` / `observed_episode_ends` the
    time to resolution and the episode ends of the contacts with that window on both sides: near an end an episode
    is cut short, while in the middle of the data their ratio is the mean time to resolution
    (docs/diagnosis.md#censoring)."""
    same_channel_repeat = c.is_repeat & ~c.channel_switch
    first_transferred = ~c.is_repeat & c.transferred.fill_null(False)
    before = preceded(c.ts, span, options.window_days)
    seen = observed(c.ts, span, options.window_days)
    opened = _both(c.is_episode_start, seen)
    return {
        **{f"repeats_{d}d": _sum_if(c[f"repeat_{d}d"], where=followed(c.ts, span, d))
           for d in options.repeat_windows_days},
        "repeat_contacts": _sum_if(c.is_repeat),
        "channel_switches": _sum_if(c.channel_switch),
        "preceded_channel_switches": _sum_if(c.channel_switch, where=before),
        "episodes": _sum_if(c.is_episode_start),
        "episode_ends": _sum_if(c.is_episode_end),
        "first_contact_resolutions": _sum_if(c.is_episode_start & c.is_episode_end),
        "observed_episodes": _sum_if(opened),
        "observed_first_contact_resolutions": _sum_if(opened & c.is_episode_end),
        # Time to resolution telescopes: first-to-last contact of an episode is the sum of its within-episode gaps,
        # plus the handle time of its closing contact.
        "resolution_seconds": _sum_if(c.is_repeat, c.prev_same_gap)
        + _sum_if(c.is_episode_end, c.handle_seconds.fill_null(0.0)),
        "observed_resolution_seconds": _sum_if(c.is_repeat, c.prev_same_gap, where=seen)
        + _sum_if(c.is_episode_end, c.handle_seconds.fill_null(0.0), where=seen),
        "observed_episode_ends": _sum_if(c.is_episode_end, where=seen),
        "cost_repeat": _sum_if(same_channel_repeat, c.cost),
        "cost_switch": _sum_if(c.channel_switch, c.cost),
        "cost_transferred_first": _sum_if(first_transferred, c.cost),
    }


#: episode_metrics of contacts that share their intent with no other contact of the same customer: each opens and
#: closes its own episode, repeats nothing and switches no channel. Each sum is 0, the number of such contacts, their
#: handle time (the time to resolution of a one-contact episode) or their cost when transferred (plain_metrics'
#: `cost_transferred`); passes.diagnosis_sums adds them per cell without sorting those contacts.
LONELY_EPISODE_SUMS = {"episodes": "contacts", "episode_ends": "contacts", "first_contact_resolutions": "contacts",
                       "observed_episodes": "observed_window", "observed_first_contact_resolutions": "observed_window",
                       "resolution_seconds": "handle_seconds", "cost_transferred_first": "cost_transferred",
                       "observed_episode_ends": "observed_window",
                       "observed_resolution_seconds": "observed_handle_seconds"}


def failure_metrics(c: ir.Table) -> dict[str, ir.Scalar]:
    """Contacts followed by a failure outcome, and contacts where that is known (contacts.with_failures). Every
    contact counts: the outcomes' horizon is not the contacts' (docs/diagnosis.md#censoring)."""
    return {"failures_following": _sum_if(c.failure_follows.fill_null(False)),
            "failure_known": c.failure_follows.count()}


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den where den > 0, else NaN (a NaN input gives NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def rollup(sums: pd.DataFrame, by: list[str], options: DiagnosisOptions) -> pd.DataFrame:
    """Signals at a coarser grain (e.g. ["intent", "journey_stage"]) from the finest-grain sums.

    Output columns: volume (contacts), repeat_contact_rate_<N>d, transfer_rate, channel_switch_rate, long_wait_rate,
    abandonment_rate (share of contacts with a known `abandoned` that were abandoned),
    wait_mean_seconds, aht_seconds, time_to_resolution_seconds (mean per episode), contacts_per_episode,
    first_contact_resolution (share of episodes closed by their first contact), csat_mean, csat_sd,
    detractor_share, failure_rate (share of contacts followed by a failure outcome), cost, cost_per_contact and
    cost_sd (currency),
    avoidable_cost_repeat / _switch / _transfer and avoidable_cost (currency, over the data's period).
    Rates are shares 0-1; a rate whose inputs are absent is NaN.
    """
    numeric = [c for c in sums.columns if c not in GRAIN and c not in ("ts_min", "ts_max")]
    g = sums.groupby(by, dropna=False, sort=False)[numeric].sum(min_count=1).reset_index() if by else \
        sums[numeric].sum(min_count=1).to_frame().T
    # Arithmetic on float arrays, framed once at the end: a pandas operation per column costs more than the sums.
    v = {c: g[c].to_numpy(dtype="float64", na_value=np.nan) for c in numeric}
    out: dict[str, object] = {b: g[b].to_numpy() for b in by}
    out["volume"] = v["contacts"].astype("int64")
    for d in options.repeat_windows_days:
        out[f"repeat_contact_rate_{d}d"] = _ratio(v[f"repeats_{d}d"], v[f"followed_{d}d"])
    out["repeat_contact_rate"] = out[f"repeat_contact_rate_{options.repeat_windows_days[0]}d"]
    out["transfer_rate"] = _ratio(v["transfers"], v["transfer_known"])
    out["channel_switch_rate"] = _ratio(v["preceded_channel_switches"], v["preceded_window"])
    out["long_wait_rate"] = _ratio(v["long_waits"], v["wait_known"])
    out["abandonment_rate"] = _ratio(v["abandons"], v["abandon_known"])
    out["wait_mean_seconds"] = _ratio(v["wait_seconds"], v["wait_known"])
    out["aht_seconds"] = _ratio(v["handle_seconds"], v["handle_known"])
    out["episodes"] = v["episodes"].astype("int64")
    out["time_to_resolution_seconds"] = _ratio(v["observed_resolution_seconds"], v["observed_episode_ends"])
    out["contacts_per_episode"] = _ratio(v["observed_window"], v["observed_episodes"])
    out["first_contact_resolution"] = _ratio(v["observed_first_contact_resolutions"], v["observed_episodes"])
    out["csat_mean"] = _ratio(v["csat_sum"], v["csat_known"])
    out["csat_sd"] = _sd(v["csat_sum"], v["csat_sum_sq"], v["csat_known"])
    out["csat_responses"] = v["csat_known"].astype("int64")
    out["detractor_share"] = _ratio(v["detractors"], v["csat_known"])
    out["failure_rate"] = _ratio(v["failures_following"], v["failure_known"])
    out["cost"] = v["cost"]
    out["cost_per_contact"] = _ratio(v["cost"], v["contacts"])
    out["cost_sd"] = _sd(v["cost"], v["cost_sum_sq"], v["contacts"])
    out["avoidable_cost_repeat"] = v["cost_repeat"]
    out["avoidable_cost_switch"] = v["cost_switch"]
    out["avoidable_cost_transfer"] = options.transfer_avoidable_share * v["cost_transferred_first"]
    out["avoidable_cost"] = np.nansum([v["cost_repeat"], v["cost_switch"], out["avoidable_cost_transfer"]], axis=0)
    return pd.DataFrame(out, index=g.index)


def _sd(total: np.ndarray, total_sq: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sample standard deviation from the sum, the sum of squares and the count (NaN below two values)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (total_sq - total**2 / np.where(n > 0, n, np.nan)) / np.where(n > 1, n - 1, np.nan)
    return np.sqrt(np.clip(var, 0, None))


def dominant(sums: pd.DataFrame, by: list[str], dimension: str) -> pd.DataFrame:
    """For each group of `by`, the value of `dimension` with the most contacts, and its share of the group (0-1)."""
    per = sums.groupby([*by, dimension], dropna=False, sort=False)["contacts"].sum().reset_index()
    total = per.groupby(by, dropna=False, sort=False)["contacts"].transform("sum")
    per["share"] = per["contacts"] / total
    top = per.sort_values([*by, "contacts", dimension], ascending=[True] * len(by) + [False, True])
    top = top.drop_duplicates(by, keep="first")
    return top[[*by, dimension, "share"]].rename(columns={"share": f"{dimension}_share"})
