"""Business metrics: declarative definitions (catalog.yaml + user YAML) compiled to Ibis aggregates (docs/metrics.md)."""

from cxscale.metrics.catalog import Catalog, builtin_catalog, load_catalog, read_metrics
from cxscale.metrics.definition import VIRTUAL_COLUMNS, Measure, MetricDef

__all__ = ["VIRTUAL_COLUMNS", "Catalog", "Measure", "MetricDef", "builtin_catalog", "load_catalog", "read_metrics"]
