"""Dashboard passwords: set by the person or an admin, kept as an argon2 hash in the store, checked at sign-in.

The command line never uses them (it acts by personal API token or, on SQLite, the operating-system user); the
dashboard's login does (docs/dashboard.md#security). A password is at least 10 characters outside demo mode; the
demo sets short ones and its login page says so.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cxscale.errors import AccessError
from cxscale.portfolio.access import authorize
from cxscale.portfolio.people import entry_of
from cxscale.portfolio.records import Person
from cxscale.portfolio.store import PersonRow, Store

MIN_LENGTH = 10
_HASHER = PasswordHasher()
#: Verified against when the user name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY = _HASHER.hash("no such person, same cost")


def set_password(store: Store, person_id: str, password: str, actor: Person | None, *, demo: bool = False) -> None:
    """Set `person_id`'s password: by themselves or an admin (`actor` None: the demo or first set-up only)."""
    if len(password) < MIN_LENGTH and not demo:
        raise AccessError(f"a password has at least {MIN_LENGTH} characters")
    if actor is not None and actor.id != person_id:
        authorize(actor, "manage_people")
    with store.session() as session, session.begin():
        row = session.get(PersonRow, person_id)
        if row is None:
            raise AccessError(f"no person {person_id!r} in this store")
        row.password_hash = _HASHER.hash(password)


def check_password(store: Store, person_id: str, password: str) -> Person:
    """The person whose id and password these are; AccessError (one message for every failure, so that it does not
    tell which part was wrong) otherwise, or when they have left."""
    refused = AccessError("wrong user name or password")
    if not store.exists():
        raise refused
    with store.session() as session:
        row = session.get(PersonRow, person_id)
        stored = row.password_hash if row is not None else None
        try:
            _HASHER.verify(stored or _DUMMY, password)
        except (VerificationError, InvalidHashError):
            raise refused from None
        if row is None or stored is None:
            raise refused
        person = entry_of(row).record()
    if not person.active:
        raise refused
    return person
