"""The people of the portfolio and how the acting person is established (docs/portfolio.md#people-and-credentials).

People are listed in the portfolio folder's `people.yaml` (the versioned document cxscale.documents.people,
`people_version` 1, read strictly like every file people write) and synced into the store. Nobody acts by naming themselves: the acting person is established by a personal
API token (random, shown once, kept as an argon2 hash; given by CXSCALE_TOKEN or `--token-file`), or, on a SQLite
store, which is a file on one machine, by the operating-system user mapped to a person (`os_user`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxscale.documents import people as document
from cxscale.documents.people import PERSON_ID as PERSON_ID  # where it was
from cxscale.errors import AccessError
from cxscale.portfolio.records import Person
from cxscale.portfolio.store import PersonRow, Store, TokenRow

#: The file of a portfolio folder that lists its people.
PEOPLE_FILE = "people.yaml"
#: A token reads `cxs_<id>_<secret>`: the id finds its row, the secret (32 random bytes) is checked by argon2.
TOKEN_PREFIX = "cxs_"
_HASHER = PasswordHasher()


class PersonEntry(document.PersonEntry):
    """One person of people.yaml (the document, cxscale.documents.people), and the record the rules read."""

    def record(self) -> Person:
        return Person(id=self.id, name=self.name, functions=tuple(self.functions), roles=tuple(self.roles),
                      active=self.active)


class PeopleFile(document.PeopleDocument):
    """people.yaml, its people as PersonEntry."""

    people: list[PersonEntry] = Field(default_factory=list)  # type: ignore[assignment]


def load_people(path: str | Path) -> PeopleFile:
    """Read and validate a people file; errors name the file, the line and the key path."""
    return document.read_people(path, PeopleFile)


def entry_of(row: PersonRow) -> PersonEntry:
    return PersonEntry.model_validate({"id": row.id, "name": row.name, "functions": list(row.functions),
                                       "roles": list(row.roles), "active": row.active, "os_user": row.os_user})


def find_person(session: Session, person_id: str) -> PersonEntry | None:
    row = session.get(PersonRow, person_id)
    return entry_of(row) if row is not None else None


# --- tokens ----------------------------------------------------------------------------------------------------


def new_token() -> tuple[str, str, str]:
    """A new token: (its id, the token to show once, the argon2 hash to keep)."""
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    return token_id, token, _HASHER.hash(token)


def read_token_file(path: Path) -> str:
    """The token in a file (its first line), refusing a file other users can read."""
    try:
        if path.stat().st_mode & 0o077:
            raise AccessError(f"{path}: other users can read this token file; chmod 600 {path}")
        return path.read_text().strip().split("\n")[0].strip()
    except OSError as exc:
        raise AccessError(f"{path}: cannot read the token file ({exc.strerror})") from None


def os_user() -> str:
    """The operating-system user running this process, by its user id (not $USER, which anyone can set)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):  # no pwd module (Windows) or a uid with no name
        import getpass

        return getpass.getuser()


def authenticate(store: Store, token: str | None = None, *, user: str | None = None) -> Person:
    """The person a credential establishes: a personal API token, else (a SQLite store only) the operating-system
    user `user` mapped to a person by their os_user. AccessError names what is missing or wrong; no part of a
    token is ever put in a message but its id."""
    if token:
        return _by_token(store, token.strip())
    if user is not None and store.url.get_backend_name() == "sqlite":
        with store.session() as session:
            row = session.scalars(select(PersonRow).where(PersonRow.os_user == user)).first()
        if row is None:
            raise AccessError(f"no credential: the operating-system user {user!r} is nobody's os_user in this store; "
                              "give a token (CXSCALE_TOKEN or --token-file; cxscale person token ID makes one)")
        return entry_of(row).record()
    raise AccessError("no credential: give your personal API token (CXSCALE_TOKEN or --token-file; cxscale person "
                      "token ID makes one)" + ("" if store.url.get_backend_name() == "sqlite" else
                                               "; a PostgreSQL store takes tokens only"))


def _by_token(store: Store, token: str) -> Person:
    parts = token.split("_")
    if not token.startswith(TOKEN_PREFIX) or len(parts) < 3 or not parts[1]:
        raise AccessError("the token is not a cxscale token (cxs_<id>_<secret>)")
    token_id = parts[1]
    with store.session() as session:
        row = session.get(TokenRow, token_id)
        person = session.get(PersonRow, row.person_id) if row is not None else None
        if row is None or person is None:
            raise AccessError(f"token {token_id}: no such token in this store")
        try:
            _HASHER.verify(row.hash, token)
        except (VerificationError, InvalidHashError):
            raise AccessError(f"token {token_id}: the token does not match (forged or mistyped)") from None
        if row.revoked_at is not None:
            raise AccessError(f"token {token_id} of {row.person_id} was revoked at {row.revoked_at}; ask an admin "
                              "for a new one")
        return entry_of(person).record()
