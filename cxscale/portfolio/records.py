"""What the store knows about the portfolio, as plain records: the people and the initiatives with their stage,
readouts and decisions.

The store (store.py) reads them; the audit, the scorecard, proof points and the dashboard take them as input, so that
those rules stay pure and are tested on records built in the test, with no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cxscale.documents.gate_decision import Function, Stage
from cxscale.documents.people import Role
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase
from cxscale.portfolio.log import Entry

__all__ = ["Initiative", "Person", "Role", "StoredReadout"]


@dataclass(frozen=True)
class Person:
    """Someone who may own, sponsor, govern or view initiatives. `id` is what use cases name as owners."""

    id: str
    name: str
    functions: tuple[Function, ...] = ()
    roles: tuple[Role, ...] = ()
    #: False once they have left: they still appear in the log but own and approve nothing.
    active: bool = True


@dataclass(frozen=True)
class StoredReadout:
    """A readout attached to an initiative, when it was attached, and its SHA-256 digest (documents.digest)."""

    at: datetime
    readout: ReadoutDocument
    digest: str


@dataclass(frozen=True)
class Initiative:
    """One use case of the portfolio as the store knows it: the newest version of its document, its stage and since
    when, its readouts (oldest first) and the decision-log entries about it (oldest first)."""

    id: str
    use_case: UseCase
    stage: Stage
    stage_since: datetime
    version: int = 1
    readouts: tuple[StoredReadout, ...] = ()
    decisions: tuple[Entry, ...] = field(default_factory=tuple)

    @property
    def latest_readout(self) -> StoredReadout | None:
        return self.readouts[-1] if self.readouts else None
