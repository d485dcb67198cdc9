"""Numbers for people, each in its unit: shares as percentages, absolute changes of a share in percentage points,
money with its currency code, handle times in seconds or minutes:seconds, counts with thousands separators.

The reports, the charts and the CLI's tables use it: one place decides how a number reads. A missing estimate (None
or NaN) reads "n/a" (a dash in dense tables and charts, `missing=DASH`); a bound of an interval that is infinite (a
Fieller interval of a lift whose control mean may be zero) reads "unbounded". No function here ever returns "nan" or
"inf". `compact` gives a number at a glance (12.3k) for charts, tiles and dense tables.

A metric's unit comes from its definition's `unit_label` (docs/metrics.md): "share", "currency" or a currency code
such as EUR, "seconds", "contacts", "score", or free text shown after the number. `unit` maps it to a Unit, whose
`level` and `change` format a metric's value and its change; a proportion metric without a label is a share.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["share", "money", "seconds", "count", "number"]

MISSING = "n/a"
DASH = "-"
UNBOUNDED = "unbounded"
MINUS = "\u2212"  # a real minus sign: the same width as "+", and never split from its number


def unit_of(unit_label: str, type: str = "") -> Kind:
    """The kind of number a metric with this `unit_label` (and metric `type`) holds."""
    label = unit_label.strip()
    if label == "share" or (not label and type == "proportion"):
        return "share"
    if label == "currency" or (len(label) == 3 and label.isalpha() and label.isupper()):
        return "money"
    if label in ("seconds", "second", "s"):
        return "seconds"
    if label in ("contacts", "count", "units"):
        return "count"
    return "number"


def _bad(x: float | None) -> bool:
    return x is None or math.isnan(x)


def _special(x: float | None) -> str | None:
    """What a number that is not one reads: n/a when missing, unbounded when infinite; None for a finite number."""
    if _bad(x):
        return MISSING
    return UNBOUNDED if math.isinf(x) else None  # type: ignore[arg-type]


def _signed(text: str, x: float, sign: bool) -> str:
    if x < 0:
        return MINUS + text
    return ("+" + text) if sign and x > 0 else text


def _unit(text: str, label: str) -> str:
    """`text label`, unless there is no number to label."""
    return f"{text} {label}" if label and text not in (MISSING, UNBOUNDED) else text


def _decimals(a: float, digits: int = 3) -> int:
    """Decimals that show about `digits` significant digits of |a|, none for |a| >= 10**(digits - 1)."""
    if a == 0 or a >= 10 ** (digits - 1):
        return 0
    return max(0, digits - 1 - math.floor(math.log10(a)))


def _pct_decimals(a: float) -> int:
    """Decimals of a percentage a (0-100+): one from 1% on (5.7%, 69.6%), none from 100%, two significant digits
    below 1% (0.57%, 0.057%), at most four."""
    return 0 if a >= 100 else 1 if a >= 1 else min(_decimals(a, 2), 4)


def number(x: float | None, sign: bool = False, digits: int = 3) -> str:
    """A plain number: thousands separators, about `digits` significant digits (0.0573, 1.23, 12.3, 1,234)."""
    if (special := _special(x)) is not None:
        return special
    assert x is not None
    a = abs(x)
    return _signed(f"{a:,.{_decimals(a, digits)}f}", x, sign)


def count(n: float | None) -> str:
    """A count of units, contacts or rows: 12,345."""
    if (special := _special(n)) is not None:
        return special
    assert n is not None
    return _signed(f"{abs(n):,.0f}", n, False)


def percent(x: float | None, sign: bool = False, decimals: int | None = None, missing: str = MISSING) -> str:
    """A share 0-1 as a percentage with the precision it needs: 57.3%, 5.7%, 0.57%, 0.057% (0.005726 -> 0.57%); or
    with `decimals` fixed decimals, so that a table's column lines up (12.3%, 0.6%)."""
    if _bad(x):
        return missing
    if math.isinf(x):  # type: ignore[arg-type]
        return UNBOUNDED
    assert x is not None
    a = 100 * abs(x)
    return _signed(f"{a:,.{_pct_decimals(a) if decimals is None else decimals}f}%", x, sign)


def compact(x: float | None, digits: int = 1, missing: str = DASH) -> str:
    """A number at a glance, for charts, tiles and dense tables: 950, 12.3k, 4.5M, 1.2B (`digits` decimals with a
    suffix; below 100 `digits` decimals unless whole: 7, 42.5)."""
    if _bad(x):
        return missing
    assert x is not None
    if math.isinf(x):
        return UNBOUNDED
    a = abs(x)
    for bound, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= bound:
            return _signed(f"{a / bound:.{digits}f}{suffix}", x, False)
    return _signed(f"{a:.0f}" if a >= 100 or float(a).is_integer() else f"{a:.{digits}f}", x, False)


def points(x: float | None) -> str:
    """A change of a share, in percentage points: +1.2 pp (0.012)."""
    if (special := _special(x)) is not None:
        return special
    assert x is not None
    a = 100 * abs(x)
    return _signed(f"{a:,.{_pct_decimals(a)}f} pp", x, True)


def money(x: float | None, currency: str, sign: bool = False) -> str:
    """An amount with its currency code: 19,930 EUR, 12.34 EUR, 0.012 EUR (two significant digits below 1); no code
    when `currency` is ""."""
    if (special := _special(x)) is not None:
        return special
    assert x is not None
    a = abs(x)
    decimals = 0 if a >= 1000 else 2 if a >= 1 or a == 0 else max(2, _decimals(a, 2))
    return _signed(f"{a:,.{decimals}f}" + (f" {currency}" if currency else ""), x, sign)


def seconds(x: float | None, sign: bool = False) -> str:
    """A duration in seconds: 45.2 s below a minute, else minutes:seconds (7:45 min for 464.9 s)."""
    if (special := _special(x)) is not None:
        return special
    assert x is not None
    a = abs(x)
    if a < 60:
        return _signed(f"{a:.1f} s", x, sign)
    m, s = divmod(round(a), 60)
    return _signed(f"{m:,}:{s:02d} min", x, sign)


@dataclass(frozen=True)
class Unit:
    """How a metric's numbers read: its kind, the currency code for money, and a label shown after other numbers."""

    kind: Kind
    currency: str = ""
    label: str = ""

    def level(self, x: float | None) -> str:
        """The metric's value in one arm (a mean or rate)."""
        if self.kind == "share":
            return percent(x)
        if self.kind == "money":
            return money(x, self.currency)
        if self.kind == "seconds":
            return seconds(x)
        return _unit(number(x), self.label)

    def change(self, x: float | None) -> str:
        """An absolute change (treatment minus control), signed: a share's in percentage points, a handle time's
        always in seconds (so both ends of an interval read alike)."""
        if self.kind == "share":
            return points(x)
        if self.kind == "money":
            return money(x, self.currency, sign=True)
        if self.kind == "seconds":
            return _unit(number(x, sign=True), "s")
        return _unit(number(x, sign=True), self.label)


#: Labels that name the kind and need no word after the number.
_PLAIN = {"", "share", "currency", "seconds", "second", "s", "contacts", "count", "units", "score"}


def unit(unit_label: str, type: str = "", currency: str = "") -> Unit:
    """The Unit of a metric with this `unit_label` and metric `type`; `currency` is the code for "currency" (the
    spec's), a three-letter label is its own code."""
    kind = unit_of(unit_label, type)
    label = unit_label.strip()
    code = (label if label != "currency" else currency) if kind == "money" else ""
    return Unit(kind, code, "" if label in _PLAIN or kind == "money" else label)


def relative(x: float | None) -> str:
    """A relative change (share: -0.05 = 5% lower), signed: -5.0%, +12%."""
    return percent(x, sign=True)


def interval(low: float | None, high: float | None, fmt: Callable[[float | None], str]) -> str:
    """[low, high] with each end in `fmt`; an infinite end reads "unbounded", a missing one "n/a"."""
    if _bad(low) and _bad(high):
        return MISSING
    if low is not None and high is not None and math.isinf(low) and math.isinf(high):
        return UNBOUNDED
    return f"[{fmt(low)}, {fmt(high)}]"


def p_value(p: float | None) -> str:
    """A p-value: 0.0533, 0.00023, < 0.0001."""
    if p is None or not math.isfinite(p):
        return MISSING
    if p < 1e-4:
        return "< 0.0001"
    return f"{p:.2g}" if p < 0.001 else f"{p:.3g}"
