"""Who may do what, checked in one place (access.authorize) on plain records: the table of docs/portfolio.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxscale.documents.use_case import UseCase
from cxscale.errors import AccessError
from cxscale.portfolio.access import ACTIONS, WHO, authorize, may
from cxscale.portfolio.records import Person

DOCS = Path(__file__).resolve().parents[2] / "docs" / "portfolio.md"
UC = UseCase.model_validate({"id": "alerts", "owners": {"technology": "ana", "operations": "bruno",
                                                        "commercial": "carla", "executive_sponsor": "dan"}})
ANA = Person("ana", "Ana", functions=("technology",))
CARLA = Person("carla", "Carla", functions=("commercial",))
DAN = Person("dan", "Dan", roles=("sponsor",))
EVA = Person("eva", "Eva", roles=("council",))
VIC = Person("vic", "Vic", functions=("technology",), roles=("viewer", "council"))
ADAM = Person("adam", "Adam", roles=("admin",))
GONE = Person("dan", "Dan", roles=("sponsor", "council", "admin"), active=False)


@pytest.mark.parametrize(("person", "action", "function", "allowed"), [
    (ANA, "advance", None, True), (EVA, "advance", None, True), (ADAM, "advance", None, False),
    (VIC, "advance", None, False), (VIC, "read", None, True), (CARLA, "signoff", "commercial", True),
    (CARLA, "signoff", "technology", False), (EVA, "signoff", "operations", False),
    (DAN, "approve", None, True), (EVA, "approve", None, False), (ANA, "approve", None, False),
    (DAN, "stop", None, True), (EVA, "stop", None, True), (ANA, "stop", None, False),
    (DAN, "retire", None, True), (EVA, "retire", None, True), (CARLA, "retire", None, False),
    (VIC, "retire", None, False), (GONE, "retire", None, False),
    (EVA, "sync", None, True), (ADAM, "sync", None, True), (ANA, "sync", None, False),
    (ADAM, "manage_people", None, True), (EVA, "manage_people", None, False),
    (ANA, "attach", None, True), (ADAM, "attach", None, False),
    (GONE, "read", None, False), (GONE, "approve", None, False), (GONE, "manage_people", None, False),
])
def test_each_role_may_do_what_the_table_says_and_nothing_else(person, action, function, allowed):
    assert may(person, action, UC, function=function) is allowed


def test_a_refusal_says_who_may():
    with pytest.raises(AccessError, match=r"adam may not advance alerts: only an owner of the initiative .* or a "
                                          r"council member may \(adam has admin\)"):
        authorize(ADAM, "advance", UC)
    with pytest.raises(AccessError, match="carla may not signoff alerts for technology: only its technology owner"):
        authorize(CARLA, "signoff", UC, function="technology")
    with pytest.raises(AccessError, match="vic is a viewer and reads only"):
        authorize(VIC, "stop", UC)
    with pytest.raises(AccessError, match="dan has left"):
        authorize(GONE, "approve", UC)


def test_the_documented_table_is_the_one_checked():
    text = DOCS.read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|$", text, re.M))
    assert {a: rows.get(a) for a in ACTIONS} == WHO
