"""The base of the versioned documents cxscale writes, and how their versions change.

Portfolio gates, proof points and the dashboard read what the analytical core writes: the readout JSON (`cxscale
measure --json`, cxscale/documents/readout.py), the diagnosis JSON (`cxscale diagnose --json`) and the use-case drafts
(`--use-cases DIR`, both cxscale/documents/diagnosis.py), and the pilot spec people write (cxscale/documents/pilot_spec.py). Each
has a Pydantic model and a JSON Schema in docs/schemas/ (cxscale/documents/json_schema.py).

Versioning: within a version fields are only added. Removing or renaming a field, or changing its meaning or unit,
bumps the version. The models of the documents cxscale writes therefore accept fields they do not know (a newer
producer's additions, kept in `model_extra`), and `unknown_fields` lists them; the tests require it to list none
for what cxscale itself writes, so the models describe every field. The pilot spec, which people write, is strict
instead: an unknown key there is a typo and is refused.

Lists of names that grow with the product (a hotspot's kinds of friction, a draft mechanism's capability) are open in
the same way: a name may be added within a version, so the models type them as names (documenting the known ones)
and a reader treats a name it does not know as a label. Closed sets whose meaning a reader acts on (a verdict, a
guardrail status, a design) are enumerated, and a new value there bumps the version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

import rfc8785
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

#: A number a document may leave null: a rate, mean or money amount the data cannot support (no CSAT column, no
#: outcomes), or a value that is undefined (no data in an arm, a ratio over 0). JSON has no NaN or infinity.
Num = float | None


# Both bases build a model's validator on its first use, not when its module is imported (defer_build): a command
# imports the models of every document it may write, and validates one or two before its first query (issue 25's
# start-up; a document module's import is about 3 times faster). The schemas are the same.
class OpenModel(BaseModel):
    """A part of a document cxscale writes: fields added by a newer producer are accepted (see unknown_fields)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class StrictModel(BaseModel):
    """A document people write (pilot spec, metric definition): an unknown key is a typo and is refused, and values
    are read strictly, so that nothing is silently coerced. A boolean is never a number (`post_days: true`), a
    number is never text (`pilot: 2024`), a float is never a whole number of days (`post_days: 28.5`, nor 28.0),
    and NaN or infinity is never a number. Integers are accepted where floats belong, and nested mappings build
    nested models (checked in tests/test_strict_yaml.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_literal(cls, value: Any, info: ValidationInfo) -> Any:
        # Strict mode still takes True for Literal[1] (True == 1): `spec_version: true` must not read as version 1.
        if isinstance(value, bool) and info.field_name is not None:
            choices = _literal_choices(cls.model_fields[info.field_name].annotation)
            if choices and not any(isinstance(c, bool) for c in choices):
                raise ValueError(f"expected one of {', '.join(map(repr, choices))}, not a boolean")
        return value


def _literal_choices(annotation: Any) -> list[Any]:
    """The values of a Literal[...] annotation, also inside Optional/Union; [] for any other type."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    return [c for part in get_args(annotation) if get_origin(part) is Literal for c in get_args(part)]


def unknown_fields(model: BaseModel, path: str = "") -> list[str]:
    """Paths of the fields a validated document holds that its model does not describe (from a newer producer)."""
    found = [f"{path}.{k}" if path else k for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        found += _unknown_in(getattr(model, name), f"{path}.{name}" if path else name)
    return found


def _unknown_in(value: Any, path: str) -> list[str]:
    if isinstance(value, BaseModel):
        return unknown_fields(value, path)
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_in(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_in(v, f"{path}.{k}")]
    return []


def canonical_json(document: BaseModel | Mapping[str, Any]) -> bytes:
    """A document's canonical JSON (RFC 8785): a model as its JSON (NaN and infinity as null), keys sorted."""
    if isinstance(document, BaseModel):
        to_json = getattr(document, "to_json", None)
        data = to_json() if callable(to_json) else json.loads(document.model_dump_json())
    else:
        data = dict(document)
    return rfc8785.dumps(data)


def digest(document: BaseModel | Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a document's canonical JSON: what a decision or sign-off records of its evidence."""
    return hashlib.sha256(canonical_json(document)).hexdigest()
