"""Verdict rules in plain words (docs/readout.md#verdict). Pure functions of effects, targets and checks.

Per comparison (one treatment arm vs control, one metric), in this order:
- blocked:                the sample-ratio-mismatch check failed; no verdict can be trusted.
- inconclusive by design: the design cannot reach alpha (an arm with fewer than 2 units; a rollout with one treated
                          unit or too few clusters): the reason says why.
- harmful:                the CI excludes 0 on the bad side (or, for the primary, a guardrail is breached).
- proven:                 the CI excludes 0 on the good side and the adjusted p-value is below alpha.
- not proven yet:         too early (the post window has not elapsed); or the CI excludes 0 on the good side but the
                          adjusted p-value is not below alpha; or the CI holds 0 but rules out the target.
- inconclusive:           the CI holds 0 and the target, or holds 0 and there is no target.
Each reason is a sentence about the CI it names (scale and numbers), the one the readout shows beside it.
target_reached: the point estimate is at least the target in the good direction (documented choice); the
conservative reading (the CI bound nearest 0 reaches the target) is reported as target_reached_ci.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxscale.documents.pilot_spec import Target
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect

PROVEN, NOT_YET, HARMFUL, INCONCLUSIVE, BLOCKED = "proven", "not proven yet", "harmful", "inconclusive", "blocked"
INCONCLUSIVE_BY_DESIGN = "inconclusive by design"
#: SRM threshold: a chi-square p-value below this blocks the verdict (a strict level, as is usual for SRM).
SRM_ALPHA = 0.001


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


def too_few_units(counts: dict[str, int]) -> str | None:
    """The reason no variance (so no interval or test) can be estimated: an arm with fewer than 2 units."""
    small = [f"{arm} has {k} unit{'' if k == 1 else 's'}" for arm, k in counts.items() if k < 2]
    if not small:
        return None
    return ("too few units to estimate a variance: arm " + ", arm ".join(small) + " (at least 2 per arm are needed "
            "for any interval or test); assign more units")


def guardrail_status(metric: MetricDef, effect: Effect, max_harm: Target | None,
                     design_limit: str | None = None) -> Judgement:
    """ok / watch / breached for a guardrail metric.

    breached: harm is significant (CI excludes 0 on the bad side) and, when max_harm is given, the estimate is
    worse than the tolerated harm. watch: the estimate points the bad way without a breach, or the design cannot
    reach alpha (design_limit says why: then neither harm nor its absence can be shown). ok: otherwise.
    """
    if design_limit:
        return Judgement("watch", f"{metric.name}: {design_limit}")
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


def _pct_or_num(v: float, scale: str) -> str:
    if math.isinf(v):
        return "unbounded"
    return f"{v * 100:+.1f}%" if scale == "relative" else f"{v:+.3g}"


def _target_text(value: float, scale: str) -> str:
    return f"{value * 100:+g}%" if scale == "relative" else f"{value:+g}"


def _p_text(p: float, alpha: float) -> str:
    """p with two significant digits, more when the rounding would put it on the other side of alpha."""
    short = f"{p:.2g}"
    return short if (float(short) < alpha) == (p < alpha) else f"{p:.4g}"


def _target_clause(lower: bool, lo: float, hi: float, value: float | None, scale: str, no_target: str) -> str:
    """Where the target lies against a CI that excludes 0 on the good side."""
    if value is None:
        return no_target
    t = _target_text(value, scale)
    reaches_lo, reaches_hi = (lo <= value, hi <= value) if lower else (lo >= value, hi >= value)
    if reaches_lo and reaches_hi:
        return f"the whole CI reaches the target {t}"
    if not reaches_lo and not reaches_hi:
        return f"the CI lies short of the target {t}: the effect is smaller than the target"
    return f"the CI holds the target {t}"


def judge(metric: MetricDef, effect: Effect, p_adjusted: float, alpha: float, target: Target | None, *,
          srm_ok: bool, window_complete: bool, breached: list[str] | None = None,
          design_limit: str | None = None) -> Judgement:
    """The verdict for one comparison; `breached` names guardrails breached (primary only); `design_limit` says why
    the design cannot reach alpha (too few units or clusters), if it cannot.

    Every sentence is about one interval the readout shows, named by its scale: the target's scale when there is a
    target, else the relative CI (the absolute one when the control level is not positive, where the lift's sign
    would not be the effect's).
    """
    if not srm_ok:
        return Judgement(BLOCKED, "sample ratio mismatch: units per arm differ from the planned split, so the "
                                  "assignment is broken and no effect can be trusted; fix the assignment first")
    if design_limit:
        return Judgement(INCONCLUSIVE_BY_DESIGN, design_limit)
    if _missing(effect):
        return Judgement(NOT_YET, NO_DATA)
    value, scale = target_value(target, effect)
    if not scale:
        scale = "relative"
    if scale == "relative" and not (effect.control > 0 and not any(math.isnan(v) for v in effect.ci_rel)):
        scale = "absolute"
        value = target.absolute if target is not None else None
    no_target = "there is no target" if value is None and target is None else \
        "the relative target cannot be judged against a control level that is not positive"
    lo, hi = _on_scale(effect, scale)[1]
    lower = metric.direction == "lower"
    shown = f"the {scale} CI [{_pct_or_num(lo, scale)}, {_pct_or_num(hi, scale)}]"
    good, bad = (hi < 0, lo > 0) if lower else (lo > 0, hi < 0)
    p = _p_text(p_adjusted, alpha)
    if bad:
        return Judgement(HARMFUL, f"{metric.name} moved the wrong way: {shown} lies entirely on the bad side of 0")
    if breached:
        return Judgement(HARMFUL, "guardrail breached: " + ", ".join(breached))
    where = _target_clause(lower, lo, hi, value, scale, no_target) if good else ""
    if good and p_adjusted < alpha:
        return Judgement(PROVEN, f"{metric.name} improved: {shown} excludes 0 on the good side and the adjusted "
                                 f"p = {p} < {alpha:g}; {where}")
    if not window_complete:
        return Judgement(NOT_YET, "too early: the post window has not elapsed for every unit")
    if good:
        return Judgement(NOT_YET, f"{shown} excludes 0 on the good side, but after the correction for multiple "
                                  f"comparisons the adjusted p = {p} is not below {alpha:g}; {where}")
    if value is None:
        return Judgement(INCONCLUSIVE, f"{shown} holds 0 and {no_target}: the data cannot tell an effect from "
                                       "none")
    t = _target_text(value, scale)
    if lo <= value <= hi:
        return Judgement(INCONCLUSIVE, f"{shown} holds both 0 and the target {t}: the data cannot tell no effect "
                                       "from success; more units or time are needed")
    smaller = (value < lo) if lower else (value > hi)
    return Judgement(NOT_YET, f"{shown} holds 0 but rules out the target {t}"
                              + (": any effect is smaller than the target" if smaller else ""))
