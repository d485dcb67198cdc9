"""The people file and the credentials: a token is shown once and kept hashed; a forged, unknown or revoked token
and a missing credential are refused with what to do; on SQLite the operating-system user is a person."""

from __future__ import annotations

import pytest

from cxscale.errors import AccessError, SpecError
from cxscale.portfolio import service
from cxscale.portfolio.people import authenticate, load_people, os_user, read_token_file
from cxscale.portfolio.store import TokenRow
from tests.portfolio import folio

FILE = """people_version: 1
people:
  - id: amira.khan          # what use cases name as owners / sponsors
    name: Amira Khan
    functions: [operations] # technology | operations | commercial
    roles: [council]        # sponsor | council | viewer | admin
    active: true            # false: has left
    os_user: amira          # optional
"""


def test_the_people_file_reads_the_documented_shape(tmp_path):
    (tmp_path / "people.yaml").write_text(FILE)
    [amira] = load_people(tmp_path / "people.yaml").people
    assert (amira.record().functions, amira.record().roles, amira.os_user) == (("operations",), ("council",), "amira")


def test_people_files_follow_the_published_people_schema():
    """people.yaml is a versioned document (cxscale.documents.people, docs/schemas/people-v1.schema.json): the
    documented file, the example portfolio's and the simulated world's follow it, and what the model refuses the
    schema refuses too (an editor flags it before cxscale does)."""
    from pathlib import Path

    import yaml

    from cxscale.documents.people import PeopleDocument
    from cxscale.simulate.portfolio import people_yaml
    from tests.contracts import assert_follows, schema_errors

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "portfolio" / "people.yaml"
    for text in (FILE, example.read_text(), people_yaml()):
        assert_follows(PeopleDocument, yaml.safe_load(text))
    bad = yaml.safe_load(FILE)
    bad["people"][0]["roles"] = ["owner"]
    assert [e.split(":")[0] for e in schema_errors(PeopleDocument, bad)] == ["people.0.roles.0"]
    bad["people"][0]["roles"], bad["people"][0]["nmae"] = [], "typo"
    assert schema_errors(PeopleDocument, bad) and schema_errors(PeopleDocument, {"people_version": 2}) != []


@pytest.mark.parametrize(("change", "message"), [
    ("functions: [marketing]", "functions.0"), ("roles: [owner]", "roles.0"), ("active: yes", "active"),
    ("nmae: typo", "nmae"),
])
def test_a_bad_people_file_names_the_key(tmp_path, change, message):
    key = change.split(":")[0]
    text = "\n".join(f"    {change}" if line.strip().startswith(key) else line for line in FILE.splitlines())
    if key not in FILE:
        text += f"\n    {change}\n"
    (tmp_path / "people.yaml").write_text(text)
    with pytest.raises(SpecError, match=message):
        load_people(tmp_path / "people.yaml")


def test_an_id_given_twice_is_refused(tmp_path):
    (tmp_path / "people.yaml").write_text(FILE + FILE.split("people:\n")[1].replace("os_user: amira", ""))
    with pytest.raises(SpecError, match="id amira.khan given more than once"):
        load_people(tmp_path / "people.yaml")


def test_a_token_is_stored_hashed_and_forged_unknown_revoked_or_missing_ones_are_refused(store, pilot_world, tmp_path):
    service.sync(store, folio.write_folder(tmp_path / "f", pilot_world[0]), None)
    token = service.issue_token(store, "ana.souza", None)
    assert authenticate(store, token).id == "ana.souza"
    with store.session() as s:
        [row] = s.query(TokenRow).all()
        assert token not in row.hash and row.hash.startswith("$argon2")
    token_id = token.split("_")[1]
    with pytest.raises(AccessError, match=f"token {token_id}: the token does not match"):
        authenticate(store, token[:-4] + "AAAA")
    with pytest.raises(AccessError, match="no such token"):
        authenticate(store, "cxs_000000000000_" + token.split("_", 2)[2])
    with pytest.raises(AccessError, match="not a cxscale token"):
        authenticate(store, "hunter2")
    with pytest.raises(AccessError, match="no credential"):
        authenticate(store, None)
    admin = next(p for p in service.people(store) if p.id == "adam.admin")
    service.issue_token(store, "adam.admin", None)
    service.deactivate(store, "ana.souza", "left", admin)
    with pytest.raises(AccessError, match=f"token {token_id} of ana.souza was revoked"):
        authenticate(store, token)


def test_on_sqlite_the_operating_system_user_is_their_person(tmp_path, pilot_world):
    from cxscale.portfolio import open_store

    people = [dict(p, os_user=os_user()) if p["id"] == "adam.admin" else p for p in folio.PEOPLE]
    store = open_store(tmp_path / "p.db")
    service.sync(store, folio.write_folder(tmp_path / "f", pilot_world[0], people=people), None)
    assert authenticate(store, None, user=os_user()).id == "adam.admin"
    assert not service.bootstrapping(store)
    with pytest.raises(AccessError, match="'nobody-here' is nobody's os_user"):
        authenticate(store, None, user="nobody-here")


def test_a_token_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "token"
    path.write_text("cxs_x_y\n")
    path.chmod(0o644)
    with pytest.raises(AccessError, match="other users can read this token file"):
        read_token_file(path)
    path.chmod(0o600)
    assert read_token_file(path) == "cxs_x_y"


def test_tokens_are_kept_at_argon2s_default_cost_and_a_hash_of_any_cost_authenticates(tmp_path, pilot_world,
                                                                                      production_hasher):
    """These tests hash at argon2's lowest cost (conftest); cxscale itself keeps argon2-cffi's defaults (RFC 9106's
    low-memory profile: argon2id, 64 MiB, 3 passes), and the parameters travel in each hash."""
    from argon2 import PasswordHasher, Type

    from cxscale.portfolio import open_store

    default = PasswordHasher()
    assert (production_hasher.type, production_hasher.memory_cost, production_hasher.time_cost) == \
        (Type.ID, default.memory_cost, default.time_cost) and default.memory_cost >= 65536
    store = open_store(tmp_path / "p.db")
    service.sync(store, folio.write_folder(tmp_path / "f", pilot_world[0]), None)
    token = service.issue_token(store, "ana.souza", None)
    with store.session() as s:
        row = s.get(TokenRow, token.split("_")[1])
        assert row is not None and row.hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        row.hash = production_hasher.hash(token)  # as a production store keeps it
        s.commit()
    assert authenticate(store, token).id == "ana.souza"
