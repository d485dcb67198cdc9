"""Value at scale, as pure rules over readout documents (docs/value-at-scale.md).

- `monitor(proven, realised, ...)`: does a capability at scale still deliver what its pilot proved? It is flagged
  `decayed` when the whole realised interval lies on the weak side of the proven interval's weakest end, and
  `no reading` when a reading is due and there is no usable one in its window. Effects are compared on the relative
  scale (a share of the control level), since a pilot's and a holdout's windows differ in length and level.
- `compounding(combined, individual, ...)`: the combined effect of everything at scale beside the sum of the
  parts, in money per year with intervals, and whether the portfolio compounds (whole > sum), adds up or overlaps
  (whole < sum): judged by the interval of the difference whole - sum, so the sentence follows from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from cxscale.documents.readout import MetricResult, ReadoutDocument
from cxscale.errors import SpecError
from cxscale.format import money, percent
from cxscale.stats.dist import norm_ppf

#: How often a capability at scale needs a holdout reading, in days, unless told otherwise (a quarter).
DEFAULT_WINDOW_DAYS = 91

MonitorStatus = Literal["holding", "decayed", "no reading", "not due"]
CompoundingVerdict = Literal["compounds", "adds up", "overlaps", "incomplete"]


@dataclass(frozen=True)
class Effect:
    """A primary effect of one readout on the relative scale, with its interval and verdict."""

    relative: float | None
    ci: tuple[float | None, float | None]
    verdict: str
    annual: float | None
    annual_ci: tuple[float, float] | None
    currency: str | None


@dataclass(frozen=True)
class Monitoring:
    """One capability's realised value against its proven value."""

    capability: str
    metric: str
    direction: str
    status: MonitorStatus
    flagged: bool
    reason: str
    proven: Effect
    realised: Effect | None
    reading_end: datetime | None
    as_of: datetime
    window_days: int

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["reading_end"] = None if self.reading_end is None else self.reading_end.isoformat()
        out["as_of"] = self.as_of.isoformat()
        return out


def _primary(r: ReadoutDocument) -> MetricResult:
    if not r.primary:
        raise SpecError(f"readout of {r.pilot}: it has no primary metric result (an observational readout cannot be "
                        "monitored: it proves nothing)")
    return r.primary[0]


def _effect(r: ReadoutDocument) -> Effect:
    m = _primary(r)
    v = r.value
    return Effect(m.effect_rel, (m.ci_rel[0], m.ci_rel[1]), m.verdict, None if v is None else v.annual,
                  None if v is None else (v.ci[0], v.ci[1]), None if v is None else v.currency)


def _good(x: float, direction: str) -> float:
    """A change in the good direction (a cost reduction is positive)."""
    return -x if direction == "lower" else x


def monitor(proven: ReadoutDocument, realised: ReadoutDocument | None, *, capability: str,
            scaled_at: datetime | None, reading_end: datetime | None, as_of: datetime,
            window_days: int = DEFAULT_WINDOW_DAYS) -> Monitoring:
    """Judge one capability at scale (docs/value-at-scale.md#monitor).

    proven: the readout of the pilot that proved it; realised: its holdout's readout (None: none was possible);
    scaled_at: when its holdout started (None: unknown, a reading counts as due); reading_end: the end of the
    holdout's window; as_of: today, the data's end. A reading is due once the capability has been at scale for
    `window_days`, and usable when its window is complete, its SRM check passed and it ended within the last
    `window_days`."""
    p = _primary(proven)
    base: dict[str, Any] = {"capability": capability, "metric": p.name, "direction": p.direction, "proven": _effect(proven),
            "reading_end": reading_end, "as_of": as_of, "window_days": window_days}
    # due on the window's last day (as a readout's window counts complete: cxscale.measure.readout)
    due = scaled_at is None or as_of - scaled_at >= timedelta(days=window_days - 1)
    problem = _unusable(realised, reading_end, as_of, window_days)
    if problem is not None:
        if not due:
            return Monitoring(**base, status="not due", flagged=False, realised=_maybe(realised),
                              reason=f"at scale for {(as_of - scaled_at).days} days, under the {window_days}-day "  # type: ignore[operator]
                                     f"window: no holdout reading is due yet ({problem})")
        return Monitoring(**base, status="no reading", flagged=True, realised=_maybe(realised),
                          reason=f"no holdout reading in its {window_days}-day window: {problem}")
    assert realised is not None
    r = _primary(realised)
    if r.name != p.name:
        raise SpecError(f"{capability}: the holdout reads {r.name} but the pilot that proved it reads {p.name}; "
                        "read the holdout on the proven primary metric")
    if not all(x is not None and math.isfinite(x) for x in p.ci_rel):
        raise SpecError(f"{capability}: the readout of the pilot that proved it has no finite relative interval for "
                        f"{p.name}; there is no proven bound to monitor against")
    weakest_proven = min(_good(x, p.direction) for x in p.ci_rel)  # type: ignore[arg-type]
    best_realised = max(_good(x, p.direction) for x in r.ci_rel)  # type: ignore[arg-type]
    weak_end = p.ci_rel[0] if _good(p.ci_rel[0], p.direction) == weakest_proven else p.ci_rel[1]  # type: ignore[arg-type]
    shown = (f"realised {percent(r.effect_rel, sign=True)} [{percent(r.ci_rel[0], sign=True)}, "
             f"{percent(r.ci_rel[1], sign=True)}] against proven {percent(p.effect_rel, sign=True)} "
             f"[{percent(p.ci_rel[0], sign=True)}, {percent(p.ci_rel[1], sign=True)}] ({p.name}, relative, "
             f"{p.direction} is better)")
    if best_realised < weakest_proven:
        return Monitoring(**base, status="decayed", flagged=True, realised=_effect(realised),
                          reason=f"{shown}: the whole realised interval is weaker than the proven interval's weakest "
                                 f"end {percent(weak_end, sign=True)}, so the effect at scale is below what was "
                                 "proven")
    return Monitoring(**base, status="holding", flagged=False, realised=_effect(realised),
                      reason=f"{shown}: the realised interval reaches the proven interval's weakest end "
                             f"{percent(weak_end, sign=True)}, so the effect at scale is consistent with what was "
                             "proven")


def _maybe(r: ReadoutDocument | None) -> Effect | None:
    return None if r is None or not r.primary else _effect(r)


def _unusable(r: ReadoutDocument | None, end: datetime | None, as_of: datetime, window_days: int) -> str | None:
    """Why a holdout reading cannot be used, or None."""
    if r is None:
        return "there is no holdout readout"
    if not r.srm_ok:
        return f"the holdout readout is blocked (sample-ratio mismatch, p = {r.srm.p_value:.2g})"
    if not r.window_complete:
        return "the holdout's window has not elapsed in the data"
    if not r.primary or not all(x is not None and math.isfinite(x) for x in _primary(r).ci_rel):
        return "the holdout readout has no finite interval for its primary metric"
    if end is None:
        return "the end of the holdout's window is unknown"
    if as_of - end > timedelta(days=window_days):
        return f"the last reading ended {end:%Y-%m-%d}, {(as_of - end).days} days before {as_of:%Y-%m-%d}"
    return None


# --- compounding -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """An annual value with its interval and standard error (currency per year, good direction positive)."""

    name: str
    annual: float
    ci: tuple[float, float]
    se: float


@dataclass(frozen=True)
class Compounding:
    """The whole against the sum of its parts, in money per year."""

    verdict: CompoundingVerdict
    sentence: str
    currency: str | None
    metric: str | None
    alpha: float
    whole: Value | None
    parts: list[Value]
    sum: Value | None
    difference: Value | None
    #: Whether the whole's point estimate lies inside the sum's interval (shown; the verdict reads the difference).
    whole_within_sum_interval: bool | None
    independence: str
    missing: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _value(name: str, r: ReadoutDocument, z: float) -> Value:
    v = r.value
    assert v is not None
    return Value(name, v.annual, (v.ci[0], v.ci[1]), (v.ci[1] - v.ci[0]) / (2 * z))


def compounding(combined: ReadoutDocument | None, individual: Sequence[tuple[str, ReadoutDocument | None]], *,
                independence: str, alpha: float = 0.05) -> Compounding:
    """Set the combined effect beside the sum of the individual effects (name, readout) in annual money.

    Standard errors come from each readout's money interval (half-width / z: a t interval's is a little wider, so
    this errs on the safe side); the sum's variance and the difference's are sums of variances, which holds when the
    estimates are independent: `independence` says why they are (it is part of the result). The verdict reads the
    interval of whole - sum: above 0 compounds, below 0 overlaps, holding 0 adds up."""
    z = float(norm_ppf(1 - alpha / 2))
    named = [("the combined effect", combined), *individual]
    missing = [n for n, r in named if r is None or r.value is None]
    if missing:
        return Compounding("incomplete", f"no compounding check: no money value for {', '.join(missing)}", None, None,
                           alpha, None, [], None, None, None, independence, missing)
    assert combined is not None and combined.value is not None
    rs = [(n, r) for n, r in individual if r is not None]
    currency, metric = combined.value.currency, combined.value.metric
    for n, r in rs:
        assert r.value is not None
        if (r.value.currency, r.value.metric) != (currency, metric):
            raise SpecError(f"{n}: its value is {r.value.metric} in {r.value.currency}, the combined effect's is "
                            f"{metric} in {currency}; compare money of one metric and currency")
    whole = _value("whole", combined, z)
    parts = [_value(n, r, z) for n, r in rs]
    total = sum(p.annual for p in parts)
    se_sum = math.sqrt(sum(p.se ** 2 for p in parts))
    sum_v = Value("sum of the parts", total, (total - z * se_sum, total + z * se_sum), se_sum)
    d = whole.annual - total
    se_d = math.sqrt(whole.se ** 2 + se_sum ** 2)
    diff = Value("whole - sum", d, (d - z * se_d, d + z * se_d), se_d)
    verdict: CompoundingVerdict = "compounds" if diff.ci[0] > 0 else "overlaps" if diff.ci[1] < 0 else "adds up"
    return Compounding(verdict, _sentence(verdict, whole, sum_v, diff, currency, len(parts)), currency, metric,
                       alpha, whole, parts, sum_v, diff, sum_v.ci[0] <= whole.annual <= sum_v.ci[1],
                       independence, [])


def _sentence(verdict: str, whole: Value, total: Value, diff: Value, currency: str, k: int) -> str:
    def m(x: float, sign: bool = False) -> str:
        return money(x, currency, sign=sign)

    w = f"the whole is worth {m(whole.annual)} a year [{m(whole.ci[0])}, {m(whole.ci[1])}]"
    s = f"the {k} parts add up to {m(total.annual)} [{m(total.ci[0])}, {m(total.ci[1])}]"
    d = f"the difference whole - sum, {m(diff.annual, True)} [{m(diff.ci[0], True)}, {m(diff.ci[1], True)}]"
    if verdict == "overlaps":
        return (f"Overlaps: {w}, less than {s}; {d}, lies below 0, so the capabilities overlap: some of the same "
                "savings are counted in more than one part, and the sum overstates the whole.")
    if verdict == "compounds":
        return (f"Compounds: {w}, more than {s}; {d}, lies above 0, so the capabilities reinforce each other and "
                "the whole is worth more than the sum.")
    return (f"Adds up: {w} and {s}; {d}, holds 0, so the whole is what the parts add up to (an overlap or a "
            f"compounding within that interval cannot be ruled out).")


__all__ = ["DEFAULT_WINDOW_DAYS", "Compounding", "Effect", "Monitoring", "Value", "compounding", "monitor"]
