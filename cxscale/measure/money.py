"""Money: a per-unit effect converted to annual value with its CI (docs/readout.md#money).

annual value (currency per year) = effect_per_unit x units_per_year x periods_per_year, where effect_per_unit is the
good-direction effect per unit per post window (a cost reduction of 0.40 per customer is +0.40 of value) and the
number of periods follows the pilot's nature (spec value.nature):
- recurring (cost to serve, handle time): the effect recurs every post window for every unit, 365 / post_days
  periods a year over the units served (value.units_per_year, or the analysis units in the data: customers table
  rows, or distinct ids in the interactions, counted in the engine);
- one_off (a campaign): the effect of one post window, value.repeats_per_year times a year (default 1: the value of
  one campaign) over the units it reaches (value.units_per_year, or the pilot's units in every arm: the list it was
  tested on).
A spec that does not state its nature is read as recurring (as before value.nature existed) and the readout warns.
The CI scales the effect's CI by the same constant.

Handle time (seconds per handled contact, e.g. aht) converts through the rate card's cost per handled minute and
the pilot's handled contacts per year (handle_time_value). Both build the readout's AnnualMoney.
"""

from __future__ import annotations

import ibis.expr.types as ir

from cxscale.contract import DEFAULT_RATE_CARD, DEFAULT_RATE_CARD_OTHER
from cxscale.data.dataset import Dataset
from cxscale.documents.readout import AnnualMoney
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect

DAYS_PER_YEAR = 365.0
KEYS = {"customer": "customer_id", "agent": "agent_id", "site": "site", "slot": "slot_id"}  # slot: switchback
#: The readout warning when a spec leaves value.nature out and the value assumes recurrence.
NATURE_UNSTATED = ("the spec does not state value.nature, so the annual value assumes the effect recurs every post "
                   "window for every unit (recurring); for a one-off intervention such as a campaign set "
                   "value.nature: one_off (and value.repeats_per_year if it will be repeated)")


def units_in_data(ds: Dataset, analysis_unit: str, scoped: bool = False) -> tuple[float, str]:
    """How many analysis units the data holds (the base a recurring effect scales to), and where that number comes
    from. scoped: `ds` holds a pilot spec's scope (Dataset.at): the units with a contact there, whom a rollout at
    the touchpoint reaches, not the customers table."""
    if analysis_unit == "customer" and ds.has("customers") and not scoped:
        return float(ds.customers.count().to_pyarrow().as_py()), "rows of the customers table"
    key = KEYS[analysis_unit]
    t: ir.Table = ds.interactions
    where = " within the spec's scope" if scoped else ""
    return float(t[key].nunique().to_pyarrow().as_py()), f"distinct {key} in interactions{where}"


def units_in_pilot(ds: Dataset, pilot: str, unit: str, analysis_unit: str) -> float:
    """The analysis units of the pilot in every arm (the list a one-off was tested on), counted in the engine: its
    assigned units, or with another analysis unit the distinct ids among the assigned units' contacts."""
    if analysis_unit == unit:
        a = ds.assignments
        a = a.filter((a.pilot == pilot) & (a.unit_type == unit))
        return float(a.unit_id.nunique().to_pyarrow().as_py())
    return float(_pilot_contacts(ds, pilot, unit)[KEYS[analysis_unit]].nunique().to_pyarrow().as_py())


def periods(nature: str | None, post_days: int, repeats_per_year: float | None) -> tuple[float, str]:
    """Periods a year the per-window effect counts, and the words for it (docs/readout.md#money)."""
    if nature == "one_off":
        if repeats_per_year is None:
            return 1.0, "one campaign (the spec does not say it is repeated)"
        return repeats_per_year, f"{repeats_per_year:g} campaigns per year (spec value.repeats_per_year)"
    return DAYS_PER_YEAR / post_days, f"{DAYS_PER_YEAR / post_days:.4g} windows per year (recurring)"


def annual_value(metric: MetricDef, effect: Effect, arm: str, post_days: int, units_per_year: float,
                 units_source: str, currency: str, nature: str | None = None,
                 repeats_per_year: float | None = None, enrolled: float | None = None) -> AnnualMoney:
    """Annualise a per-unit, per-window effect on a money metric (sum type: currency per unit per window) by the
    pilot's nature: recurring (None: not stated, read as recurring) or one_off. enrolled: the pilot's units, which
    the basis names when the value extrapolates beyond them."""
    sign = -1.0 if metric.direction == "lower" else 1.0
    per_year, how_often = periods(nature, post_days, repeats_per_year)
    scale = sign * per_year * units_per_year
    lo, hi = sorted((effect.ci_abs[0] * scale, effect.ci_abs[1] * scale))
    basis = (f"{'reduction' if sign < 0 else 'increase'} of {metric.name} per unit over {post_days} days "
             f"({abs(effect.effect_abs):.4g} {currency}) x {how_often} x {units_per_year:,.0f} units "
             f"({units_source})")
    if enrolled is not None and enrolled < units_per_year:
        basis += (f"; the pilot enrolled {enrolled:,.0f} of them, and the value assumes all {units_per_year:,.0f} "
                  "are like them (set value.units_per_year to the eligible units otherwise)")
    if nature is None:
        basis += "; value.nature not stated, read as recurring"
    return _money(effect.effect_abs * scale, lo, hi, currency, metric.name, arm, units_per_year, units_source, basis,
                  nature, per_year, sign * effect.effect_abs)


def _pilot_contacts(ds: Dataset, pilot: str, unit: str) -> ir.Table:
    """The interactions of the pilot's units (all arms): the population a rollout of the change would reach."""
    a = ds.assignments
    a = a.filter((a.pilot == pilot) & (a.unit_type == unit)).select("unit_id")
    t = ds.interactions
    return t.filter(t[KEYS[unit]].isin(a.unit_id))


def handle_time_value(ds: Dataset, metric: MetricDef, effect: Effect, arm: str, pilot: str, unit: str,
                      currency: str, nature: str | None = None, post_days: int = 28,
                      repeats_per_year: float | None = None) -> AnnualMoney | None:
    """Annual value of a handle-time effect (seconds per handled contact): seconds saved / 60 x rate-card cost per
    handled minute (contract DEFAULT_RATE_CARD, averaged over the channel mix) x handled contacts per year of the
    pilot's units (counted in the engine over the data's span). A one-off counts the contacts of one post window,
    repeats_per_year times (default once)."""
    t = _pilot_contacts(ds, pilot, unit)
    t = t.filter(t.handle_seconds.notnull() & (t.channel != "self_service"))
    rows = t.group_by("channel").aggregate(n=t.count(), first=t.started_at.min(), last=t.started_at.max())
    stats = rows.to_pyarrow().to_pylist()
    n = sum(r["n"] for r in stats)
    if not n:
        return None
    span_days = (max(r["last"] for r in stats) - min(r["first"] for r in stats)).total_seconds() / 86400
    if span_days < 1:
        return None
    per_minute = sum(r["n"] * DEFAULT_RATE_CARD.get(r["channel"], DEFAULT_RATE_CARD_OTHER)[1] for r in stats) / n
    contacts_per_year = n * DAYS_PER_YEAR / span_days
    sign = -1.0 if metric.direction == "lower" else 1.0
    if nature == "one_off":
        per_year, how_often = periods(nature, post_days, repeats_per_year)
        contacts = contacts_per_year * post_days / DAYS_PER_YEAR
        source = f"handled contacts of the pilot's units in one post window of {post_days} days"
        reach = f"{contacts:,.0f} {source} ({n:,} contacts over {span_days:.0f} days) x {how_often}"
    else:
        per_year, contacts = 1.0, contacts_per_year
        source = "handled contacts per year of the pilot's units"
        reach = (f"{contacts_per_year:,.0f} handled contacts per year (the pilot's units, {n:,} contacts over "
                 f"{span_days:.0f} days)")
    per_contact = sign / 60.0 * per_minute
    scale = per_contact * contacts * per_year
    lo, hi = sorted((effect.ci_abs[0] * scale, effect.ci_abs[1] * scale))
    basis = (f"{abs(effect.effect_abs):.4g} seconds per handled contact x {per_minute:.3g} {currency} per handled "
             f"minute (default rate card, channel mix of the pilot's contacts) x {reach}")
    if nature is None:
        basis += "; value.nature not stated, read as recurring"
    return _money(effect.effect_abs * scale, lo, hi, currency, metric.name, arm, contacts, source, basis, nature,
                  per_year, per_contact * effect.effect_abs)


def _money(annual: float, lo: float, hi: float, currency: str, metric: str, arm: str, units_per_year: float,
           units_source: str, basis: str, nature: str | None, periods_per_year: float,
           effect_per_unit: float) -> AnnualMoney:
    """The primary's money (comparisons.py names another role); nature None: not stated, read as recurring."""
    return AnnualMoney(annual=annual, ci=[lo, hi], currency=currency, metric=metric, arm=arm,
                       units_per_year=units_per_year, units_source=units_source, basis=basis,
                       nature=nature or "recurring", nature_stated=nature is not None,
                       periods_per_year=periods_per_year, effect_per_unit=effect_per_unit, role="primary")
