"""Who may do what: every permission of the portfolio, checked in this one place (docs/portfolio.md#roles-and-
permissions). The command line calls it through the service, and the dashboard will call the same `authorize`.

A person is an owner of an initiative by being named in its use case (technology, operations, commercial owner or
executive sponsor), and has roles besides (sponsor, council, viewer, admin). A viewer reads only; a person who has
left (inactive) can do nothing.
"""

from __future__ import annotations

from typing import Literal, get_args

from cxscale.documents.gate_decision import Function
from cxscale.documents.use_case import UseCase
from cxscale.errors import AccessError
from cxscale.portfolio.records import Initiative, Person

#: What a person may be allowed to do.
Action = Literal["read", "sync", "attach", "advance", "signoff", "approve", "stop", "retire", "learn",
                 "manage_people"]
ACTIONS: tuple[Action, ...] = get_args(Action)
#: Who may take each action, in words (the table of docs/portfolio.md, checked by a test).
WHO: dict[Action, str] = {
    "read": "every active person",
    "sync": "a council member or an admin",
    "attach": "an owner of the initiative (technology, operations, commercial, executive sponsor) or a council member",
    "advance": "an owner of the initiative (technology, operations, commercial, executive sponsor) or a council "
               "member",
    "signoff": "the initiative's owner for that function, if it is one of their own functions",
    "approve": "the initiative's executive sponsor",
    "stop": "the initiative's executive sponsor or a council member",
    "retire": "the initiative's executive sponsor or a council member",
    "learn": "a council member or an admin",
    "manage_people": "an admin",
}
_OWNER_KEYS = ("technology", "operations", "commercial", "executive_sponsor")


def owners_of(use_case: UseCase) -> dict[str, str]:
    """The use case's named owners, role -> person id."""
    o = use_case.owners
    return {k: v for k in _OWNER_KEYS if o is not None and (v := getattr(o, k)) is not None}


def may(person: Person, action: Action, initiative: Initiative | UseCase | None = None, *,
        function: Function | None = None) -> bool:
    """Whether `authorize` would let the person act (for the dashboard to show or hide a button)."""
    try:
        authorize(person, action, initiative, function=function)
    except AccessError:
        return False
    return True


def authorize(person: Person, action: Action, initiative: Initiative | UseCase | None = None, *,
              function: Function | None = None) -> None:
    """Nothing when `person` may take `action` (on `initiative`; a sign-off for `function`), else AccessError
    saying who may."""
    if action not in ACTIONS:
        raise AccessError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    uc = initiative.use_case if isinstance(initiative, Initiative) else initiative
    what = f"{action.replace('_', ' ')}" + (f" {uc.id}" if uc is not None and uc.id else "") + \
        (f" for {function}" if function else "")
    if not person.active:
        raise AccessError(f"{person.id} has left (inactive): they can do nothing")
    roles = set(person.roles)
    if action == "read":
        return
    if "viewer" in roles:
        raise AccessError(f"{person.id} is a viewer and reads only: they may not {what}")
    if action in ("attach", "advance", "signoff", "approve", "stop", "retire") and uc is None:
        raise AccessError(f"{action} needs the initiative it is about")
    owners = owners_of(uc) if uc is not None else {}
    allowed = {
        "sync": bool(roles & {"council", "admin"}),
        "attach": person.id in owners.values() or "council" in roles,
        "advance": person.id in owners.values() or "council" in roles,
        "approve": owners.get("executive_sponsor") == person.id,
        "stop": owners.get("executive_sponsor") == person.id or "council" in roles,
        "retire": owners.get("executive_sponsor") == person.id or "council" in roles,
        "learn": bool(roles & {"council", "admin"}),
        "manage_people": "admin" in roles,
    }
    if action == "signoff":
        if function is None:
            raise AccessError("a sign-off names the function it is for (technology, operations or commercial)")
        owner = owners.get(function)
        if owner != person.id:
            raise AccessError(f"{person.id} may not {what}: only its {function} owner signs off for {function} "
                              f"({owner or 'none named'})")
        if function not in person.functions:
            raise AccessError(f"{person.id} may not {what}: {function} is not one of their functions "
                              f"({', '.join(person.functions) or 'none'}); an owner signs off for their own "
                              "function only")
        return
    if not allowed[action]:
        has = ", ".join(person.roles) or "no role"
        named = [k.replace("_", " ") for k, v in owners.items() if v == person.id]
        raise AccessError(f"{person.id} may not {what}: only {WHO[action]} may ({person.id} has {has}"
                          + (f", owns {' and '.join(named)}" if named else "") + ")")
