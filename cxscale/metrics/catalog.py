"""The metric catalog: the built-in definitions (catalog.yaml) plus any the user adds in YAML files.

A user file has the same shape as the built-in one: `metrics: [{name, direction, type, ...}, ...]`. A user metric
with a built-in's name replaces it (so a site can redefine cost_to_serve for its own data).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from cxscale.errors import SpecError
from cxscale.metrics.definition import MetricDef
from cxscale.yamlfile import read_document

BUILTIN_FILE = Path(__file__).with_name("catalog.yaml")


class Catalog:
    """Metric definitions by name."""

    def __init__(self, metrics: Iterable[MetricDef] = ()) -> None:
        self._metrics: dict[str, MetricDef] = {}
        for m in metrics:
            self._metrics[m.name] = m

    def __contains__(self, name: object) -> bool:
        return name in self._metrics

    def __iter__(self) -> Iterator[MetricDef]:
        return iter(self._metrics.values())

    def __len__(self) -> int:
        return len(self._metrics)

    @property
    def names(self) -> list[str]:
        return list(self._metrics)

    def get(self, name: str) -> MetricDef:
        """The definition named `name`; SpecError listing the known names otherwise."""
        try:
            return self._metrics[name]
        except KeyError:
            raise SpecError(f"unknown metric {name!r}: the catalog has {', '.join(self.names)}; "
                            "define your own in a YAML file and pass it with --metrics FILE") from None

    def extended(self, *paths: str | Path) -> Catalog:
        """A new catalog with the metrics of these YAML files added (same names replace built-ins)."""
        out = Catalog(self)
        for path in paths:
            for m in read_metrics(path):
                out._metrics[m.name] = m
        return out


def read_metrics(path: str | Path) -> list[MetricDef]:
    """Read metric definitions from a YAML file; errors name the file, the metric and the field."""
    p = Path(path)
    doc = read_document(p, "metric file")
    raw = doc.data
    items = raw.get("metrics") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise SpecError(f"{p}: a metric file is a YAML mapping with a list `metrics:` of definitions "
                        "(name, direction, type, numerator, ...; see docs/metrics.md)")
    out = []
    for i, item in enumerate(items):
        name = item.get("name", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            out.append(MetricDef.model_validate(item))
        except ValidationError as exc:
            raise SpecError(f"{p}: metric {name}: {doc.explain(exc, ('metrics', i))}") from exc
    return out


_BUILTIN: Catalog | None = None


def builtin_catalog() -> Catalog:
    """The built-in catalog (read once per process)."""
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = Catalog(read_metrics(BUILTIN_FILE))
    return _BUILTIN


def load_catalog(*paths: str | Path) -> Catalog:
    """The built-in catalog extended with the user's metric files."""
    return builtin_catalog().extended(*paths)
