"""The people of a portfolio (people_version 1): the portfolio folder's people.yaml, a file people write
(docs/portfolio.md#people-and-credentials).

Each person's id (what use cases name as owners and sponsors), name, functions (technology, operations,
commercial), roles (sponsor, council, viewer, admin), whether they are still active, and the operating-system user
that is them on a single-user SQLite store. Read strictly, like every file people write: an unknown key, function or
role is an error naming it. cxscale.portfolio.people syncs it into the store and establishes who acts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, ValidationError, model_validator

from cxscale.documents.base import StrictModel
from cxscale.documents.gate_decision import Function
from cxscale.errors import SpecError
from cxscale.yamlfile import read_document

PEOPLE_VERSION: Literal[1] = 1
#: What a person may be besides an owner of a function: an executive sponsor, a member of the council that governs
#: the portfolio, a viewer (reads only), an administrator (manages people and roles).
Role = Literal["sponsor", "council", "viewer", "admin"]
#: What a person id may be: what use cases name as owners (no spaces; never a ':', which log subjects use).
PERSON_ID = r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"


class PersonEntry(StrictModel):
    """One person of people.yaml."""

    id: Annotated[str, Field(pattern=PERSON_ID, max_length=200)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    functions: list[Function] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    #: False once they have left: they keep their place in the log but can do nothing.
    active: bool = True
    #: The operating-system user that is this person on a single-user SQLite store.
    os_user: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    def to_json(self) -> dict[str, Any]:
        """What a role change's evidence digest is taken over."""
        return {"id": self.id, "name": self.name, "functions": list(self.functions), "roles": list(self.roles),
                "active": self.active, "os_user": self.os_user}


class PeopleDocument(StrictModel):
    """people.yaml: `people_version: 1` and the list of people, each id once, each os_user once."""

    people_version: Literal[1] = PEOPLE_VERSION
    people: list[PersonEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PeopleDocument:
        for key in ("id", "os_user"):
            values = [getattr(p, key) for p in self.people if getattr(p, key) is not None]
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"people: {key} {', '.join(twice)} given more than once")
        return self


D = TypeVar("D", bound=PeopleDocument)


def read_people(path: str | Path, model: type[D] = PeopleDocument) -> D:  # type: ignore[assignment]
    """Read and validate a people file (as `model`, a PeopleDocument); errors name the file, the line and the key
    path."""
    p = Path(path)
    doc = read_document(p, "people file")
    if not isinstance(doc.data, dict):
        raise SpecError(f"{p}: a people file is a YAML mapping (people_version: 1, people: [...]; docs/portfolio.md)")
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError(f"{p}: invalid people file: {doc.explain(exc)}") from None
