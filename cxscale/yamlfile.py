"""Reading the YAML files users write (pilot specs, metric definitions, mappings) with errors that name the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cxscale.errors import SpecError


def read_yaml(path: str | Path, what: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """Parse the YAML file at `path`; a missing file or bad YAML raises SpecError naming the file and `what` it is."""
    p = Path(path)
    try:
        text = p.read_text()
    except FileNotFoundError as exc:
        raise SpecError(f"{p}: {what} not found") from exc
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - loader is SafeLoader or a subclass
    except yaml.YAMLError as exc:
        raise SpecError(f"{p}: not valid YAML: {exc}") from exc
