"""`cxscale person password`: a dashboard password set by an admin or the person, kept as an argon2 hash."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.errors import AccessError
from cxscale.portfolio import open_store, service
from cxscale.portfolio.passwords import check_password
from cxscale.portfolio.people import os_user


def _store(tmp_path, roles: list[str]) -> str:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "people.yaml").write_text(yaml.safe_dump({"people_version": 1, "people": [
        {"id": "me", "name": "Me", "roles": roles, "os_user": os_user()},
        {"id": "ana", "name": "Ana", "functions": ["operations"]}]}))
    db = str(tmp_path / "p.db")
    store = open_store(db)
    try:
        service.sync(store, folder, None)
    finally:
        store.close()
    return db


def test_an_admin_sets_a_password_that_is_kept_hashed_and_checks(tmp_path):
    db = _store(tmp_path, ["admin"])
    res = CliRunner().invoke(app, ["person", "password", "ana", "--store", db],
                             input="a long passphrase\na long passphrase\n")
    assert res.exit_code == 0, res.output
    store = open_store(db)
    try:
        assert check_password(store, "ana", "a long passphrase").id == "ana"
        with pytest.raises(AccessError, match="wrong user name or password"):
            check_password(store, "ana", "a long passphrasE")
        from cxscale.portfolio.store import PersonRow

        with store.session() as s:
            stored = s.get(PersonRow, "ana").password_hash
        assert stored.startswith("$argon2") and "passphrase" not in stored
    finally:
        store.close()


def test_someone_else_than_the_person_or_an_admin_cannot_set_it_and_short_ones_are_refused(tmp_path):
    db = _store(tmp_path, ["council"])
    other = CliRunner().invoke(app, ["person", "password", "ana", "--store", db], input="a long passphrase\n" * 2)
    assert other.exit_code == 1 and "admin" in str(other.exception)
    short = CliRunner().invoke(app, ["person", "password", "me", "--store", db], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in str(short.exception)
