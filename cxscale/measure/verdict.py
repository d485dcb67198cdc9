"""Verdict rules in plain words (docs/readout.md#verdict). Pure functions of effects, targets and checks.

Per comparison (one treatment arm vs control, one metric):
- blocked:        the sample-ratio-mismatch check failed; no verdict can be trusted.
- harmful:        the CI excludes 0 in the bad direction (or, for the primary, a guardrail is breached).
- proven:         the adjusted p-value is below alpha and the estimate is in the good direction
                  (so the corrected CI excludes 0 on the good side), and no guardrail is breached.
- not proven yet: the post window has not elapsed for every unit (too early), or the CI is narrow enough to
                  rule out the target but not 0 (an effect, if any, is smaller than the target).
- inconclusive:   the CI straddles 0 and also reaches the target: the data cannot tell no effect from success.
target_reached: the point estimate is at least the target in the good direction (documented choice); the
conservative reading (the CI bound nearest 0 reaches the target) is reported as target_reached_ci.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxscale.measure.spec import Target
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect

PROVEN, NOT_YET, HARMFUL, INCONCLUSIVE, BLOCKED = "proven", "not proven yet", "harmful", "inconclusive", "blocked"


@dataclass(frozen=True)
class Judgement:
    verdict: str
    reason: str


def target_value(target: Target | None, effect: Effect) -> tuple[float | None, str]:
    """The target on the scale it was given, with that scale's name ("relative" or "absolute")."""
    if target is None:
        return None, ""
    if target.relative is not None:
        return target.relative, "relative"
    return target.absolute, "absolute"


def _on_scale(effect: Effect, scale: str) -> tuple[float, tuple[float, float]]:
    return (effect.effect_rel, effect.ci_rel) if scale == "relative" else (effect.effect_abs, effect.ci_abs)


def target_reached(metric: MetricDef, effect: Effect, target: Target | None) -> tuple[bool | None, bool | None]:
    """(point estimate reaches the target, CI bound nearest zero reaches it); None when there is no target."""
    value, scale = target_value(target, effect)
    if value is None:
        return None, None
    est, (lo, hi) = _on_scale(effect, scale)
    if metric.direction == "lower":
        return est <= value, hi <= value
    return est >= value, lo >= value


def _sign(metric: MetricDef) -> int:
    return -1 if metric.direction == "lower" else 1


def significant_harm(metric: MetricDef, effect: Effect) -> bool:
    lo, hi = effect.ci_abs
    return (lo > 0) if _sign(metric) < 0 else (hi < 0)


def _missing(effect: Effect) -> bool:
    return not all(math.isfinite(v) for v in (effect.effect_abs, *effect.ci_abs))


NO_DATA = "no estimate: an arm has no data for this metric in the window (e.g. no rated contacts)"


def guardrail_status(metric: MetricDef, effect: Effect, max_harm: Target | None) -> Judgement:
    """ok / watch / breached for a guardrail metric.

    breached: harm is significant (CI excludes 0 on the bad side) and, when max_harm is given, the estimate is
    worse than the tolerated harm. watch: the estimate points the bad way without a breach. ok: otherwise.
    """
    if _missing(effect):
        return Judgement("watch", f"{metric.name}: {NO_DATA}")
    est_bad = effect.effect_abs * _sign(metric) < 0
    if significant_harm(metric, effect):
        value, scale = target_value(max_harm, effect)
        if value is None:
            return Judgement("breached", f"{metric.name} got significantly worse")
        est, _ = _on_scale(effect, scale)
        worse = est > abs(value) if _sign(metric) < 0 else est < -abs(value)
        if worse:
            return Judgement("breached", f"{metric.name} got worse by more than the tolerated {value:+g} ({scale})")
        return Judgement("watch", f"{metric.name} got worse, but within the tolerated {value:+g} ({scale})")
    if est_bad:
        return Judgement("watch", f"{metric.name} points the wrong way (not significant)")
    return Judgement("ok", f"{metric.name} not harmed")


def judge(metric: MetricDef, effect: Effect, p_adjusted: float, alpha: float, target: Target | None, *,
          srm_ok: bool, window_complete: bool, breached: list[str] | None = None) -> Judgement:
    """The verdict for one comparison; `breached` names guardrails breached (primary only)."""
    if not srm_ok:
        return Judgement(BLOCKED, "sample ratio mismatch: units per arm differ from the planned split, so the "
                                  "assignment is broken and no effect can be trusted; fix the assignment first")
    if _missing(effect):
        return Judgement(NOT_YET, NO_DATA)
    if significant_harm(metric, effect):
        return Judgement(HARMFUL, f"{metric.name} moved the wrong way and the CI excludes 0")
    if breached:
        return Judgement(HARMFUL, "guardrail breached: " + ", ".join(breached))
    if p_adjusted < alpha and metric.better(effect.effect_abs):
        return Judgement(PROVEN, f"{metric.name} improved (adjusted p = {p_adjusted:.2g} < {alpha:g})")
    if not window_complete:
        return Judgement(NOT_YET, "too early: the post window has not elapsed for every unit")
    value, scale = target_value(target, effect)
    lo, hi = _on_scale(effect, scale)[1] if value is not None else effect.ci_abs
    if value is not None and lo <= 0 <= hi and lo <= value <= hi:
        return Judgement(INCONCLUSIVE, "the CI holds both 0 and the target: more units or time are needed")
    if value is None and lo <= 0 <= hi:
        return Judgement(INCONCLUSIVE, "the CI straddles 0")
    return Judgement(NOT_YET, "no significant improvement; the CI rules out the target, so any effect is smaller")
