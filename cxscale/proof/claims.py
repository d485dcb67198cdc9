"""Headline claims from a readout, and claim-check: sales copy held against the evidence (docs/proof-points.md#claims).

`headline_claims` states each result worth saying as one structured sentence ("cut handle time by 14% (95% CI 7-21%)
across 228 agents over 8 weeks, worth 19.9k EUR a year (95% CI 9.9k-30.0k EUR)"): the primary metric per treatment
arm, and each proven secondary (marked as secondary). `check_claims` reads any text sentence by sentence and rejects
each overstatement with its reason:
- outside_interval: the number stated as the result lies outside the interval,
- upper_bound: the bound of the interval farthest from zero quoted as the effect ("up to 21%"),
- segment_generalised: a segment's result stated for everyone,
- wrong_base: a relative effect on the wrong base (of the treatment level, or percentage points read as percent),
- secondary_as_primary: a secondary metric stated without saying it is one,
- money_without_interval: an amount of money without its interval (or outside it),
- interval_mismatch, units, no_metric: a stated interval or unit count that is not the evidence's, a number tied to
  no metric of the proof point.
Numbers are compared at the precision they are written with (14% matches 13.5% to 14.5%).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from cxscale import format as fmt
from cxscale.documents.proof_point import Claim, ProofPoint, SegmentEffects
from cxscale.documents.readout import MetricResult, ReadoutDocument

#: How people call the catalog's metrics (claim-check also recognises the metric's name, with or without '_').
LABELS = {
    "aht": "handle time", "conversion_rate": "conversion", "revenue_per_customer": "revenue per customer",
    "csat_mean": "satisfaction", "resolution_rate": "first-contact resolution", "transfer_rate": "transfers",
    "cost_to_serve": "cost to serve", "contacts_per_customer": "contacts per customer",
    "repeat_rate_7d": "repeat contacts", "no_show_rate": "no-shows", "abandon_rate": "abandoned contacts",
}
KINDS = ("outside_interval", "upper_bound", "segment_generalised", "wrong_base", "secondary_as_primary",
         "money_without_interval", "interval_mismatch", "units", "no_metric")


def label(metric: str) -> str:
    return LABELS.get(metric, metric.replace("_", " "))


def _pct(x: float) -> str:
    """A share as a percentage without sign: 14%, 8.5%, 0.68% (as precise as it needs, to two digits)."""
    a = abs(x) * 100
    return f"{a:.0f}%" if a >= 10 else f"{a:.1f}%" if a >= 1 else f"{a:.2f}%"


def _bounds(m: MetricResult) -> tuple[float, float]:
    """The relative interval's bounds as sizes in the good direction, low to high (the gate's primary excludes 0)."""
    lo, hi = m.ci_rel
    assert lo is not None and hi is not None
    good = [-lo, -hi] if m.direction == "lower" else [lo, hi]
    return min(good), max(good)


def _duration(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 and days >= 14 else f"{days} days"


def _money_text(x: float, currency: str) -> str:
    return f"{fmt.compact(x)} {currency}"


def headline_claims(doc: ReadoutDocument) -> list[Claim]:
    """The claims the readout supports: each primary arm whose interval excludes 0 on the good side (with the money
    of that arm, when the readout values it), then each proven secondary, marked 'secondary'."""
    out = []
    confidence = 1 - doc.options.alpha
    weeks = doc.windows.post_days / 7
    for m in doc.metrics:
        if m.role == "guardrail" or not _good(m) or (m.role == "secondary" and m.verdict != "proven"):
            continue
        lo, hi = _bounds(m)
        verb = "cut" if m.direction == "lower" else "raised"
        arm = f" ({m.arm})" if len(doc.treatments) > 1 else ""
        lead = "secondary: " if m.role == "secondary" else ""
        text = (f"{lead}{verb} {label(m.name)}{arm} by {_pct(m.effect_rel or 0)} ({confidence:.0%} CI "
                f"{_pct(lo).rstrip('%')}-{_pct(hi)}) across {m.n_treatment:,} {doc.unit}s over "
                f"{_duration(doc.windows.post_days)}")
        base = dict(metric=m.name, role=m.role, arm=m.arm, direction=m.direction, effect_rel=m.effect_rel,
                    ci_rel=list(m.ci_rel), effect_abs=m.effect_abs, ci_abs=list(m.ci_abs), control=m.control,
                    treatment=m.treatment, unit_label=m.unit_label, units=m.n_treatment, unit=doc.unit, weeks=weeks,
                    confidence=confidence)
        v = doc.value
        if v is not None and m.role == "primary" and v.arm == m.arm and (v.role in (None, "primary")):
            per = "for one campaign" if v.once else "a year"
            text += (f", worth {_money_text(v.annual, v.currency)} {per} ({confidence:.0%} CI "
                     f"{fmt.compact(v.ci[0])} to {_money_text(v.ci[1], v.currency)})")
            out.append(Claim(kind="money", text=text, money=v.annual, money_ci=list(v.ci), currency=v.currency,
                             money_per=per, **base))  # type: ignore[arg-type]
        else:
            out.append(Claim(kind="effect", text=text, **base))  # type: ignore[arg-type]
    return out


def _good(m: MetricResult) -> bool:
    lo, hi = m.ci_abs
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)) or m.effect_rel is None:
        return False
    return hi < 0 if m.direction == "lower" else lo > 0


# --- claim-check ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """One sentence of the copy: accepted, or rejected with the kind of overstatement and the reason in numbers."""

    sentence: str
    ok: bool
    kind: str | None = None
    reason: str = ""


#: Makes a rejection of the sentence being checked: (kind, reason) -> Verdict.
Reject = Callable[[str, str], Verdict]

_NUM = r"\d[\d,]*(?:\.\d+)?"
_PERCENT = re.compile(rf"(?P<n>{_NUM})\s*(?:%|percent\b|per cent\b)(?!\s*(?:CI|confidence))", re.I)
_CI = re.compile(rf"\bCI\b[^0-9]*(?P<lo>{_NUM})\s*%?\s*(?:-|–|to)\s*(?P<hi>{_NUM})\s*%", re.I)
_POINTS = re.compile(rf"(?P<n>{_NUM})\s*(?:percentage points|points|pp)\b", re.I)
_CUR = r"(?:€|\$|£|EUR|USD|GBP)"
_MULT = r"(?:k|m|bn|thousand|million)"
_AMOUNT = rf"(?P<pre>{_CUR}\s?)?(?P<n>{_NUM})\s?(?P<mult>{_MULT})?\b\s?(?P<post>{_CUR})?"
_MONEY = re.compile(_AMOUNT, re.I)
_MONEY_RANGE = re.compile(rf"{_CUR}?\s?{_NUM}\s?{_MULT}?\s*(?:-|–|to)\s*{_CUR}?\s?{_NUM}\s?{_MULT}?\s?{_CUR}?", re.I)
_UNITS = re.compile(rf"(?P<n>{_NUM})\s+(?P<unit>customers|agents|sites)\b", re.I)
_MULTIPLIER = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9}


def _number(text: str) -> tuple[float, float]:
    """A written number and half its last digit's place (the rounding it was written with)."""
    clean = text.replace(",", "")
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean), 0.5 * 10 ** -decimals


def _near(stated: float, tol: float, value: float | None) -> bool:
    return value is not None and math.isfinite(value) and abs(stated - value) <= tol + 1e-9


def _within(stated: float, tol: float, lo: float, hi: float) -> bool:
    return lo - tol - 1e-9 <= stated <= hi + tol + 1e-9


def sentences(text: str) -> list[str]:
    """Lines, and sentences within them (a full stop followed by a capital)."""
    out = []
    for line in text.splitlines():
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line) if s.strip()]
    return out


def _mentions(sentence: str, words: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(words)}(?![\w-])", sentence, re.I) is not None


def _metric_of(sentence: str, doc: ReadoutDocument) -> str | None:
    names = list(dict.fromkeys(m.name for m in doc.metrics))
    for name in sorted(names, key=lambda n: -len(label(n))):
        short = re.sub(r"_(rate|mean|per_customer)$", "", name).replace("_", " ")
        if any(_mentions(sentence, w) for w in {name, name.replace("_", " "), label(name), short}):
            return name
    return None


def check_claims(text: str, proof: ProofPoint) -> list[Verdict]:
    """Every sentence of `text` that states a number or names a metric, accepted or rejected with its reason."""
    return [v for s in sentences(text) if (v := check_sentence(s, proof)) is not None]


def check_sentence(s: str, proof: ProofPoint) -> Verdict | None:
    doc = proof.readout

    def no(kind: str, reason: str) -> Verdict:
        return Verdict(s, False, kind, reason)

    name = _metric_of(s, doc)
    money_ranges = [m.span() for m in _MONEY_RANGE.finditer(s) if re.search(_CUR, m.group(0), re.I)]
    amounts = [m for m in _MONEY.finditer(s) if (m.group("pre") or m.group("post"))
               and not any(a <= m.start() < b for a, b in money_ranges)]
    percents = [m for m in _PERCENT.finditer(s)]
    if name is None:
        if amounts or money_ranges:
            return _check_money(s, proof, amounts, money_ranges, no)
        if percents or _POINTS.search(s):
            metrics = ", ".join(dict.fromkeys(label(m.name) for m in doc.metrics))
            return no("no_metric", f"names no metric of the proof point, so its numbers cannot be checked (the "
                      f"evidence measures {metrics})")
        return None
    results = [m for m in doc.metrics if m.name == name]
    role = results[0].role
    if role != "primary" and not re.search(r"\b(secondary|guardrail|also)\b", s, re.I):
        primary = doc.primary[0].name if doc.primary else "none"
        return no("secondary_as_primary", f"{label(name)} is a {role} metric of this pilot, not its primary "
                  f"({label(primary)}): say it is a {role} result, judged after the primary")
    arm = next((m for m in results if _mentions(s, m.arm) or _mentions(s, m.arm.replace("_", " "))), None)
    ci = _CI.search(s)
    inside_ci = (ci.start(), ci.end()) if ci else (0, 0)
    stated = [p for p in percents if not (inside_ci[0] <= p.start() < inside_ci[1])]
    segment = _segment_named(s, proof, name)
    if stated:
        n, tol = _number(stated[0].group("n"))
        candidates = [arm] if arm is not None else results
        verdict = _check_effect(s, n / 100, tol / 100, candidates, segment, proof, ci, no)
        if verdict is not None:
            return verdict
    elif (pts := _POINTS.search(s)) is not None:
        n, tol = _number(pts.group("n"))
        m = arm or results[0]
        lo, hi = sorted(abs(x or 0) * 100 for x in m.ci_abs)
        if not _within(n, tol, lo, hi):
            return no("outside_interval", f"{n:g} points is outside the interval of {label(name)}: "
                      f"{fmt.points(m.effect_abs)} ({lo:.2g} to {hi:.2g} points)")
    for u in _UNITS.finditer(s):
        count = int(_number(u.group("n"))[0])
        m = arm or results[0]
        allowed = {m.n_treatment, sum(doc.n.values())}
        if count not in allowed:
            return no("units", f"{count:,} {u.group('unit')}: the pilot's treatment arm had {m.n_treatment:,} "
                      f"{doc.unit}s ({sum(doc.n.values()):,} in all arms)")
    if amounts or money_ranges:
        return _check_money(s, proof, amounts, money_ranges, no)
    return Verdict(s, True, reason="matches the evidence")


def _segment_named(s: str, proof: ProofPoint, metric: str) -> tuple[SegmentEffects, str] | None:
    for seg in proof.segments:
        for e in seg.effects:
            if e.metric == metric and _mentions(s, e.label):
                return seg, e.label
    return None


def _sizes(effect: float | None, ci: list[float | None], direction: str) -> tuple[float, float, float] | None:
    """Estimate and interval as sizes in the good direction (low, high sorted)."""
    lo, hi = ci
    if effect is None or lo is None or hi is None or not all(math.isfinite(x) for x in (effect, lo, hi)):
        return None
    sign = -1 if direction == "lower" else 1
    a, b = sorted((sign * lo, sign * hi))
    return sign * effect, a, b


def _check_effect(s: str, stated: float, tol: float, results: list[MetricResult],
                  segment: tuple[SegmentEffects, str] | None, proof: ProofPoint, ci: re.Match | None,
                  reject: Reject) -> Verdict | None:
    m = results[0]
    name = label(m.name)
    if segment is not None:
        seg, value = segment
        for e in seg.effects:
            if e.metric == m.name and e.label == value and (len(results) > 1 or e.arm == m.arm):
                sz = _sizes(e.effect_rel, e.ci_rel, m.direction)
                if sz is not None and _within(stated, tol, sz[1], sz[2]):
                    return None
        e = next(e for e in seg.effects if e.label == value and e.metric == m.name)
        sz = _sizes(e.effect_rel, e.ci_rel, m.direction)
        interval = f"{_pct(sz[1])} to {_pct(sz[2])}" if sz else "no interval"
        return reject(
            "outside_interval", f"{stated:.1%} is outside the interval of {name} where {seg.column} is {value}: "
            f"{_pct(e.effect_rel or 0)} ({interval})")
    best = None
    for r in results:
        sz = _sizes(r.effect_rel, r.ci_rel, r.direction)
        if sz is None:
            continue
        est, lo, hi = sz
        far = hi if abs(hi) >= abs(lo) else lo
        if _near(stated, tol, far) and not _near(stated, tol, est):
            return reject(
                "upper_bound", f"{stated:.0%} is the end of the interval of {name} ({_pct(lo)} to {_pct(hi)}), not "
                f"the effect: the estimate is {_pct(est)}")
        wrong = _wrong_bases(r)
        for what, on_base in wrong:
            if _near(stated, tol, on_base) and not _near(stated, tol, est):
                return reject("wrong_base", f"{stated:.2%} is {what}; the relative effect is of the control level "
                              f"({fmt.number(r.control)} {r.unit_label}): {_pct(est)} ({_pct(lo)} to {_pct(hi)})")
        if _within(stated, tol, lo, hi):
            best = r
            break
    if best is None:
        for seg in proof.segments:
            for e in seg.effects:
                sz = _sizes(e.effect_rel, e.ci_rel, m.direction)
                if e.metric == m.name and sz is not None and _near(stated, max(tol, 0.005), sz[0]):
                    overall = _sizes(m.effect_rel, m.ci_rel, m.direction)
                    across = f"{_pct(overall[0])} ({_pct(overall[1])} to {_pct(overall[2])})" if overall else "none"
                    return reject(
                        "segment_generalised", f"{_pct(sz[0])} is the effect where {seg.column} is {e.label} only; "
                        f"across all {proof.readout.unit}s it is {across}")
        sz = _sizes(m.effect_rel, m.ci_rel, m.direction)
        interval = f"{_pct(sz[1])} to {_pct(sz[2])}" if sz else "none"
        return reject("outside_interval", f"{stated:.1%} is outside the interval of {name}: "
                      f"{_pct(m.effect_rel or 0)} ({interval})")
    if ci is not None:
        lo_s, lo_tol = _number(ci.group("lo"))
        hi_s, hi_tol = _number(ci.group("hi"))
        sz = _sizes(best.effect_rel, best.ci_rel, best.direction)
        assert sz is not None
        if not (_near(lo_s / 100, lo_tol / 100, sz[1]) and _near(hi_s / 100, hi_tol / 100, sz[2])):
            return reject("interval_mismatch", f"the interval stated ({lo_s:g}-{hi_s:g}%) is not the evidence's: "
                          f"{_pct(sz[1])} to {_pct(sz[2])}")
    return None


def _wrong_bases(r: MetricResult) -> list[tuple[str, float]]:
    out = []
    if r.effect_abs is not None and r.treatment:
        out.append(("the change relative to the treatment level", abs(r.effect_abs / r.treatment)))
    if r.effect_abs is not None and r.unit_label == "share":
        out.append(("the change in percentage points, not percent", abs(r.effect_abs)))
    return out


def _check_money(s: str, proof: ProofPoint, amounts: list[re.Match], ranges: list[tuple[int, int]],
                 reject: Reject) -> Verdict:
    v = proof.readout.value
    if v is None:
        return reject("money_without_interval", "the proof point values no money: the readout has no money "
                      "metric or rate card for its primary")
    interval = f"{fmt.money(v.ci[0], v.currency)} to {fmt.money(v.ci[1], v.currency)}"
    if not ranges and not re.search(r"\bCI\b|\binterval\b|\bbetween\b", s, re.I):
        return reject("money_without_interval", f"money without its interval: the evidence says "
                      f"{fmt.money(v.annual, v.currency)}{v.per} with a {1 - proof.readout.options.alpha:.0%} "
                      f"interval of {interval}; quote both")
    for a in amounts:
        n, tol = _number(a.group("n"))
        mult = _MULTIPLIER.get((a.group("mult") or "").lower(), 1.0)
        if not _within(n * mult, tol * mult, v.ci[0], v.ci[1]):
            return reject("money_without_interval", f"{a.group(0).strip()} is outside the money's interval "
                          f"({interval}; estimate {fmt.money(v.annual, v.currency)}{v.per})")
    return Verdict(s, True, reason="matches the evidence")
