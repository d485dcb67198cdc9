"""The metric definition: a declarative description of a per-unit business metric (docs/metrics.md).

A metric is computed per unit (customer, agent or site) over a window relative to the unit's assignment, from one
source table of the data contract. Five types cover the catalog:

- sum:        per-unit sum of `numerator.value` over rows matching `numerator.filter` (cost per customer).
- count:      per-unit number of matching rows (contacts per customer).
- proportion: per-unit 0/1, whether the unit has any matching row (conversion: bought at least once).
- mean:       sum of `numerator.value` over the matching non-null rows / their number, pooled over units
              (AHT: handle seconds per contact). A ratio of sums, so its variance is by the delta method.
- ratio:      sum of numerator / sum of denominator, each with its own value and filter (no-show rate).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from cxscale.contract import TABLES
from cxscale.documents.base import StrictModel
from cxscale.metrics import expressions

#: Columns computed on demand from interactions (only when an expression reads them), in days (float).
VIRTUAL_COLUMNS: dict[str, str] = {
    "days_to_next_contact": "days until the same customer's next contact (any channel); null if none follows",
    "days_since_previous_contact": "days since the same customer's previous contact; null for the first",
    "days_of_data_after": "days from the contact's start to the last contact's start in the data: a repeat within "
                          "N days is observable only when this is at least N (right-censoring)",
}

MetricType = Literal["sum", "count", "mean", "proportion", "ratio"]


class Measure(StrictModel):
    """What is aggregated: an expression over the source's columns (None = count rows), restricted by a filter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str | None = None
    filter: str | None = None


class MetricDef(StrictModel):
    """One metric of the catalog. Direction says which way is better; kind separates business from technical."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["business", "technical"] = "business"
    direction: Literal["lower", "higher"]
    source: Literal["interactions", "outcomes"] = "interactions"
    type: MetricType
    numerator: Measure = Measure()
    denominator: Measure | None = None
    description: str = ""
    #: What one unit of the metric is: "currency" (the data's currency) or a code like EUR for money, "seconds",
    #: "share" (0-1), "contacts", "score".
    unit_label: str = ""
    #: For technical metrics: why moving it does not by itself show business value (shown as a warning).
    why_not_business: str = ""

    @field_validator("numerator", "denominator", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        # `numerator: cost` is shorthand for `numerator: {value: cost}`.
        return {"value": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> MetricDef:
        where = f"metric {self.name}"
        if self.type in ("sum", "mean") and not self.numerator.value:
            raise ValueError(f"a {self.type} metric needs numerator.value (the column or expression to aggregate)")
        if self.type in ("count", "proportion") and self.numerator.value:
            raise ValueError(f"a {self.type} metric counts rows: give numerator.filter, not numerator.value")
        if (self.type == "ratio") != (self.denominator is not None):
            raise ValueError("a ratio metric needs a denominator, and only a ratio metric may have one")
        known = set(TABLES[self.source].column_names)
        if self.source == "interactions":
            known |= set(VIRTUAL_COLUMNS)
        for part, measure in (("numerator", self.numerator), ("denominator", self.denominator)):
            if measure is None:
                continue
            for field in ("value", "filter"):
                text = getattr(measure, field)
                if text:
                    unknown = expressions.names(text) - known
                    if unknown:
                        raise ValueError(f"{where}: {part}.{field} {text!r} reads {sorted(unknown)}, which "
                                         f"{self.source} does not have (columns: {', '.join(sorted(known))})")
        return self

    @property
    def is_ratio(self) -> bool:
        """Whether the metric is a ratio of per-unit sums (mean, ratio): variance by the delta method."""
        return self.type in ("mean", "ratio")

    @property
    def is_money(self) -> bool:
        """Whether the metric is measured in a currency (then its effect converts to annual value)."""
        return self.unit_label == "currency" or (len(self.unit_label) == 3 and self.unit_label.isupper())

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """The values the metric can take, where its definition fixes them: 0-1 for a share (a proportion, or a
        ratio labelled share), the contract column's range for the mean of one column (CSAT: 1-5); else open
        (None). A target beyond them is impossible (cxscale.measure.power refuses it)."""
        if self.type == "proportion" or self.unit_label == "share":
            return 0.0, 1.0
        value = self.numerator.value
        if self.type == "mean" and value is not None and value.strip() in TABLES[self.source].column_names:
            column = TABLES[self.source].column(value.strip())
            return column.minimum, column.maximum
        return None, None

    def beyond_reach(self, relative: float | None = None, absolute: float | None = None) -> str | None:
        """Why a target of this change can be reached from no baseline (it moves the metric further than its bounds
        allow: +1.5 of a share, +500% of a 1-5 CSAT mean), or None; the spec's readout warns, the linter refuses."""
        lo, hi = self.bounds
        if lo is None or hi is None:
            return None
        if absolute is not None and abs(absolute) > hi - lo:
            return f"{absolute:+g} is a larger change than {self.name} can make from any baseline (its range is " \
                   f"{lo:g}-{hi:g})"
        if relative is not None and lo > 0 and not lo / hi - 1 <= relative <= hi / lo - 1:
            return f"{relative:+.0%} is a larger change than {self.name} can make from any baseline (its range is " \
                   f"{lo:g}-{hi:g}, so at most {lo / hi - 1:+.0%} to {hi / lo - 1:+.0%})"
        return None

    def columns(self) -> set[str]:
        """Source columns (and virtual columns) the metric reads."""
        out: set[str] = set()
        for measure in (self.numerator, self.denominator):
            if measure is None:
                continue
            for text in (measure.value, measure.filter):
                if text:
                    out |= expressions.names(text)
        return out

    def better(self, effect: float) -> bool:
        """Whether an effect (treatment minus control) moves the metric in the good direction."""
        return effect < 0 if self.direction == "lower" else effect > 0
