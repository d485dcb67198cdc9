"""Money: a per-unit effect converted to annual value with its CI (docs/readout.md#money).

annual value (currency per year) = good-direction effect per unit per post window x (365 / post_days)
                                   x units per year.
The effect is "good-direction": a cost reduction of 0.40 per customer is +0.40 of value. Units per year is the
spec's value.units_per_year, or the number of analysis units in the data (customers table rows, or distinct ids in
the interactions), counted in the engine. The CI scales the effect's CI by the same constant.

Handle time (seconds per handled contact, e.g. aht) converts through the rate card's cost per handled minute and
the pilot's handled contacts per year (handle_time_value).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis.expr.types as ir

from cxscale.contract import DEFAULT_RATE_CARD, DEFAULT_RATE_CARD_OTHER
from cxscale.data.dataset import Dataset
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import Effect

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class AnnualValue:
    """Annual value of one treatment arm's effect on a money metric, in `currency` per year."""

    annual: float
    ci: tuple[float, float]
    currency: str
    metric: str
    arm: str
    units_per_year: float
    units_source: str
    basis: str

    def to_json(self) -> dict:
        return {"annual": self.annual, "ci": list(self.ci), "currency": self.currency, "metric": self.metric,
                "arm": self.arm, "units_per_year": self.units_per_year, "units_source": self.units_source,
                "basis": self.basis}


def units_in_data(ds: Dataset, analysis_unit: str, scoped: bool = False) -> tuple[float, str]:
    """How many analysis units the data holds (the base the effect scales to), and where that number comes from.
    scoped: `ds` holds a pilot spec's scope (Dataset.at): the units with a contact there, whom a rollout at the
    touchpoint reaches, not the customers table."""
    if analysis_unit == "customer" and ds.has("customers") and not scoped:
        return float(ds.customers.count().to_pyarrow().as_py()), "rows of the customers table"
    key = {"customer": "customer_id", "agent": "agent_id", "site": "site"}[analysis_unit]
    t: ir.Table = ds.interactions
    where = " within the spec's scope" if scoped else ""
    return float(t[key].nunique().to_pyarrow().as_py()), f"distinct {key} in interactions{where}"


def annual_value(metric: MetricDef, effect: Effect, arm: str, post_days: int, units_per_year: float,
                 units_source: str, currency: str) -> AnnualValue:
    """Annualise a per-unit, per-window effect on a money metric (sum type: currency per unit per window)."""
    sign = -1.0 if metric.direction == "lower" else 1.0
    scale = sign * DAYS_PER_YEAR / post_days * units_per_year
    lo, hi = sorted((effect.ci_abs[0] * scale, effect.ci_abs[1] * scale))
    basis = (f"{'reduction' if sign < 0 else 'increase'} of {metric.name} per unit over {post_days} days "
             f"({abs(effect.effect_abs):.4g} {currency}) x {DAYS_PER_YEAR / post_days:.4g} windows per year x "
             f"{units_per_year:,.0f} units ({units_source})")
    return AnnualValue(effect.effect_abs * scale, (lo, hi), currency, metric.name, arm, units_per_year,
                       units_source, basis)


def _pilot_contacts(ds: Dataset, pilot: str, unit: str) -> ir.Table:
    """The interactions of the pilot's units (all arms): the population a rollout of the change would reach."""
    a = ds.assignments
    a = a.filter((a.pilot == pilot) & (a.unit_type == unit)).select("unit_id")
    t = ds.interactions
    key = {"customer": "customer_id", "agent": "agent_id", "site": "site"}[unit]
    return t.filter(t[key].isin(a.unit_id))


def handle_time_value(ds: Dataset, metric: MetricDef, effect: Effect, arm: str, pilot: str, unit: str,
                      currency: str) -> AnnualValue | None:
    """Annual value of a handle-time effect (seconds per handled contact): seconds saved / 60 x rate-card cost per
    handled minute (contract DEFAULT_RATE_CARD, averaged over the channel mix) x handled contacts per year of the
    pilot's units (counted in the engine over the data's span)."""
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
    scale = sign / 60.0 * per_minute * contacts_per_year
    lo, hi = sorted((effect.ci_abs[0] * scale, effect.ci_abs[1] * scale))
    basis = (f"{abs(effect.effect_abs):.4g} seconds per handled contact x {per_minute:.3g} {currency} per handled "
             f"minute (default rate card, channel mix of the pilot's contacts) x {contacts_per_year:,.0f} handled "
             f"contacts per year (the pilot's units, {n:,} contacts over {span_days:.0f} days)")
    return AnnualValue(effect.effect_abs * scale, (lo, hi), currency, metric.name, arm, contacts_per_year,
                       "handled contacts per year of the pilot's units", basis)
