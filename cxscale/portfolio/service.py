"""What can be done to the portfolio: the capability functions the command line calls now and the dashboard later
(docs/portfolio.md#the-command-line).

Each function that changes the portfolio takes the acting `Person` (established by people.authenticate), re-reads
them from the store, checks their permission (access.authorize), judges the gate on the stored documents
(gates.py, whose rules are not repeated here) and writes what it decided together with its decision-log entry in
one transaction that holds the log's lock (log.write): a decision is written whole or not at all, and two people
taking the same gate at once cannot both succeed, because the stage is read from the log inside that transaction.

The stage of an initiative is the `to_stage` of the last advance, override or stop in the decision log about it
(idea until there is one): the log is the one truth, and it is tamper-evident.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxscale.documents.base import digest
from cxscale.documents.gate_decision import Function, GateDecision, SignOff, Stage
from cxscale.documents.readout import ReadoutDocument
from cxscale.documents.use_case import UseCase, load_use_case
from cxscale.errors import AccessError, CxscaleError, GateError
from cxscale.portfolio import gates
from cxscale.portfolio.access import authorize
from cxscale.portfolio.lint import lint_use_case, resolve_pilot_spec, use_case_files
from cxscale.portfolio.log import Entry, _entry, _utc_now, append, write
from cxscale.portfolio.people import PEOPLE_FILE, PersonEntry, entry_of, find_person, load_people, new_token
from cxscale.portfolio.records import Initiative, Person, StoredReadout
from cxscale.portfolio.store import (
    DecisionLogEntry,
    GateDecisionRow,
    PersonRow,
    ProposalRow,
    ReadoutRow,
    SignOffRow,
    Store,
    TokenRow,
    UseCaseVersion,
)

if TYPE_CHECKING:
    from cxscale.data.dataset import Dataset
    from cxscale.measure.power import PilotPlan

    #: The baseline the idea -> pilot gate plans power on: the data, or a function that opens it when a gate needs it.
    Baseline = Dataset | Callable[[], Dataset]

#: The actor recorded for what is done while the store has no admin who can sign in (see `bootstrapping`).
BOOTSTRAP = "bootstrap"
#: The log actions that move an initiative (a proposal does not).
_MOVES = ("advance", "override", "stop", "retire")
_NEXT: dict[str, Stage] = {"idea": "pilot", "pilot": "proof", "proof": "scale"}
FUNCTIONS: tuple[Function, ...] = get_args(Function)


# --- results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncItem:
    """What sync did with one use case or person: added, changed (a new version), unchanged or refused (and why;
    for a stored use case, its lint errors as a note); or a use case of the store that the folder no longer holds
    (missing: listed, never deleted, `why` says what to do)."""

    kind: Literal["use case", "person"]
    id: str
    source: str
    status: Literal["added", "changed", "unchanged", "refused", "missing"]
    why: str = ""
    version: int | None = None


@dataclass(frozen=True)
class SyncReport:
    items: tuple[SyncItem, ...]

    def count(self, status: str) -> int:
        return sum(i.status == status for i in self.items)

    def to_json(self) -> dict[str, Any]:
        return {"items": [asdict(i) for i in self.items],
                **{s: self.count(s) for s in ("added", "changed", "unchanged", "refused", "missing")}}


@dataclass(frozen=True)
class Outcome:
    """What a decision did: its log entry, the gate-decision document (None for a sign-off), and whether it is a
    proposal waiting for the executive sponsor (`waiting_for`)."""

    initiative: str
    action: str
    from_stage: Stage | None
    to_stage: Stage | None
    entry: Entry
    decision: GateDecision | None = None
    waiting_for: str | None = None

    @property
    def pending(self) -> bool:
        return self.waiting_for is not None

    def to_json(self) -> dict[str, Any]:
        return {"initiative": self.initiative, "action": self.action, "from_stage": self.from_stage,
                "to_stage": self.to_stage, "pending": self.pending, "waiting_for": self.waiting_for,
                "entry": self.entry.to_json(),
                "decision": self.decision.model_dump(mode="json") if self.decision else None}


@dataclass(frozen=True)
class Proposal:
    """An override waiting for the executive sponsor's approval."""

    initiative: str
    from_stage: Stage
    to_stage: Stage
    proposer: str
    reason: str
    at: str
    evidence: dict[str, str]


# --- reading ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """An initiative as the gates read it, within one transaction."""

    use_case: UseCase
    version: int
    digest: str
    stage: Stage
    since: str
    readout: ReadoutDocument | None
    readout_digest: str | None
    signoffs: tuple[SignOff, ...]
    #: The digest of the newest proof point packaged on the current readout (a `proof_point` log entry), or None.
    proof_point: str | None = None

    def evidence(self) -> dict[str, str]:
        """The current evidence documents' digests: the use case and its latest readout."""
        out = {"use_case": self.digest}
        if self.readout_digest is not None:
            out["readout"] = self.readout_digest
        return out


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _use_case(row: UseCaseVersion) -> UseCase:
    return UseCase.model_validate_json(json.dumps(row.document))


def _stage(s: Session, initiative_id: str, first_synced: str) -> tuple[Stage, str]:
    row = s.scalars(select(DecisionLogEntry).where(DecisionLogEntry.subject == initiative_id,
                                                   DecisionLogEntry.action.in_(_MOVES))
                    .order_by(DecisionLogEntry.seq.desc()).limit(1)).first()
    if row is None or row.to_stage is None:
        return "idea", first_synced
    return row.to_stage, row.at  # type: ignore[return-value]


def _state(s: Session, initiative_id: str) -> _State:
    versions = list(s.scalars(select(UseCaseVersion).where(UseCaseVersion.initiative_id == initiative_id)
                              .order_by(UseCaseVersion.version)))
    if not versions:
        known = sorted(set(s.scalars(select(UseCaseVersion.initiative_id))))
        raise CxscaleError(f"no initiative {initiative_id!r} in the store (known: {', '.join(known) or 'none'}; "
                           "cxscale portfolio sync DIR loads them)")
    latest = versions[-1]
    stage, since = _stage(s, initiative_id, versions[0].synced_at)
    readout = s.scalars(select(ReadoutRow).where(ReadoutRow.initiative_id == initiative_id)
                        .order_by(ReadoutRow.id.desc()).limit(1)).first()
    signed = s.scalars(select(SignOffRow).where(SignOffRow.initiative_id == initiative_id).order_by(SignOffRow.id))
    packaged = s.scalars(select(DecisionLogEntry).where(DecisionLogEntry.subject == initiative_id,
                                                        DecisionLogEntry.action == "proof_point")
                         .order_by(DecisionLogEntry.seq.desc()))
    proof = next((e.evidence.get("proof_point") for e in packaged
                  if readout is not None and e.evidence.get("readout") == readout.digest), None)
    return _State(proof_point=proof, use_case=_use_case(latest), version=latest.version, digest=latest.digest, stage=stage, since=since,
                  readout=ReadoutDocument.model_validate(readout.document) if readout else None,
                  readout_digest=readout.digest if readout else None,
                  signoffs=tuple(SignOff(person=r.person_id, function=r.function,  # type: ignore[arg-type]
                                         evidence=dict(r.evidence)) for r in signed))


def initiatives(store: Store) -> list[Initiative]:
    """Every initiative of the store as a record (records.Initiative): its newest use case, stage and since when,
    its readouts and decision-log entries, oldest first; by id. None for a store never written."""
    if not store.exists():
        return []
    with store.session() as s:
        versions: dict[str, list[UseCaseVersion]] = {}
        for row in s.scalars(select(UseCaseVersion).order_by(UseCaseVersion.initiative_id, UseCaseVersion.version)):
            versions.setdefault(row.initiative_id, []).append(row)
        readouts: dict[str, list[StoredReadout]] = {}
        for r in s.scalars(select(ReadoutRow).order_by(ReadoutRow.id)):
            readouts.setdefault(r.initiative_id, []).append(
                StoredReadout(at=_time(r.at), readout=ReadoutDocument.model_validate(r.document), digest=r.digest))
        decisions: dict[str, list[Entry]] = {}
        for e in s.scalars(select(DecisionLogEntry).where(DecisionLogEntry.subject.in_(list(versions)))
                           .order_by(DecisionLogEntry.seq)):
            decisions.setdefault(e.subject, []).append(_entry(e))
    out = []
    for iid, rows in versions.items():
        moves = [e for e in decisions.get(iid, []) if e.action in _MOVES and e.to_stage]
        stage, since = (moves[-1].to_stage, moves[-1].at) if moves else ("idea", rows[0].synced_at)
        out.append(Initiative(id=iid, use_case=_use_case(rows[-1]), stage=stage,  # type: ignore[arg-type]
                              stage_since=_time(since), version=rows[-1].version,
                              readouts=tuple(readouts.get(iid, ())), decisions=tuple(decisions.get(iid, ()))))
    return out


def version(store: Store) -> tuple[int, int, int]:
    """What changes whenever a record of the store does: the decision log's last entry (every decision, sign-off,
    proposal, proof point and role change is one), the use-case versions synced and the readouts attached. A face
    that keeps `initiatives` and `people` between requests reads them again when this changes (one small query)."""
    if not store.exists():
        return (0, 0, 0)
    with store.session() as s:
        seq = s.scalar(select(func.coalesce(func.max(DecisionLogEntry.seq), 0)))
        versions = s.scalar(select(func.count()).select_from(UseCaseVersion))
        readouts = s.scalar(select(func.count()).select_from(ReadoutRow))
    return (int(seq or 0), int(versions or 0), int(readouts or 0))


def initiative(store: Store, initiative_id: str) -> Initiative:
    """One initiative's record, or CxscaleError naming the ones the store has."""
    for i in initiatives(store):
        if i.id == initiative_id:
            return i
    known = ", ".join(i.id for i in initiatives(store)) or "none"
    raise CxscaleError(f"no initiative {initiative_id!r} in the store (known: {known}; cxscale portfolio sync DIR "
                       "loads them)")


def people(store: Store) -> list[Person]:
    """Every person of the store (records.Person), by id; inactive ones too."""
    if not store.exists():
        return []
    with store.session() as s:
        return [entry_of(r).record() for r in s.scalars(select(PersonRow).order_by(PersonRow.id))]


def proposals(store: Store) -> list[Proposal]:
    """The overrides waiting for their sponsor's approval, oldest first."""
    if not store.exists():
        return []
    with store.session() as s:
        rows = s.scalars(select(ProposalRow).where(ProposalRow.status == "pending").order_by(ProposalRow.id))
        return [Proposal(initiative=r.initiative_id, from_stage=r.from_stage,  # type: ignore[arg-type]
                         to_stage=r.to_stage, proposer=r.proposer,  # type: ignore[arg-type]
                         reason=r.reason, at=r.at, evidence=dict(r.evidence)) for r in rows]


def bootstrapping(store: Store) -> bool:
    """True while no active admin of the store can sign in (no live token; on SQLite, no os_user either): until
    then whoever can write the store may set up its people and first admin token (recorded as `bootstrap`), as
    they could write its tables directly."""
    if not store.exists():
        return True
    with store.session() as s:
        return _bootstrapping(s, store)


def _bootstrapping(s: Session, store: Store) -> bool:
    admins = [r for r in s.scalars(select(PersonRow).where(PersonRow.active.is_(True))) if "admin" in r.roles]
    if store.url.get_backend_name() == "sqlite" and any(r.os_user for r in admins):
        return False
    ids = [r.id for r in admins]
    live = s.scalars(select(TokenRow).where(TokenRow.person_id.in_(ids), TokenRow.revoked_at.is_(None))).first()
    return live is None


def _fresh(s: Session, actor: Person) -> Person:
    """The actor as the store knows them now (roles, active), not as the caller remembers them."""
    found = find_person(s, actor.id)
    if found is None:
        raise AccessError(f"{actor.id} is not a person of this store")
    return found.record()


# --- gates -----------------------------------------------------------------------------------------------------


def power_plan(use_case: UseCase, data: Dataset) -> PilotPlan | None:
    """The use case's power plan on the baseline data (as `cxscale usecase lint --data` plans it), or None when its
    metric, target or window is missing (the gate then says the plan is missing; the lint says why)."""
    from cxscale.measure.power import plan_pilot

    m = use_case.metric
    if m is None or m.name is None or m.target is None or m.window_days is None:
        return None
    spec = gates._spec(use_case, None)
    unit = spec.unit if spec else use_case.design.unit if use_case.design else "customer"
    scope = spec.scope.values() if spec is not None and spec.scope is not None else None
    return plan_pilot(data, m.name, m.target.relative, target_absolute=m.target.absolute, unit=unit,
                      window_days=m.window_days, scope=scope)


def _opened(data: Baseline) -> Dataset:
    return data() if callable(data) else data


def _plan_digest(plan: PilotPlan) -> str:
    return digest({k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in asdict(plan).items()})


def _gate(state: _State, plan: PilotPlan | None) -> tuple[gates.GateResult, dict[str, str]]:
    uc, evidence = state.use_case, state.evidence()
    if state.stage == "idea":
        if plan is not None:
            evidence["power_plan"] = _plan_digest(plan)
        return gates.idea_to_pilot(uc, plan), {k: v for k, v in evidence.items() if k != "readout"}
    if state.stage == "pilot":
        return gates.pilot_to_proof(uc, state.readout), evidence
    if state.stage == "proof":
        if state.proof_point is not None:
            evidence["proof_point"] = state.proof_point
        return gates.proof_to_scale(uc, state.signoffs, state.evidence(), state.proof_point), evidence
    raise GateError(f"{uc.id} is {state.stage}: no gate is ahead of it" +
                    (" (it can still be stopped: cxscale stop)" if state.stage == "scale" else ""))


def check(store: Store, initiative_id: str, data: Baseline | None = None, *,
          plan: PilotPlan | None = None) -> gates.GateResult:
    """The next gate of the initiative judged on its stored documents. At idea the gate needs the power plan: given
    as `plan`, or planned on `data` (a Dataset, or a function opening it: called only at idea, so that a gate past
    idea reads no data); without either the gate says it is missing."""
    if not store.exists():
        raise CxscaleError(f"no initiative {initiative_id!r}: the store {store!r} was never written")
    with store.session() as s:
        state = _state(s, initiative_id)
    if state.stage == "idea" and plan is None and data is not None:
        plan = power_plan(state.use_case, _opened(data))
    return _gate(state, plan)[0]


# --- decisions -------------------------------------------------------------------------------------------------


def _record(s: Session, store: Store, decision: GateDecision, actor: str, action: str, reason: str) -> Entry:
    evidence = {**decision.evidence, "gate_decision": digest(decision)}
    entry = append(store, actor=actor, action=action, subject=decision.initiative, reason=reason,
                   from_stage=decision.from_stage, to_stage=decision.to_stage, evidence=evidence, session=s)
    s.add(GateDecisionRow(seq=entry.seq, initiative_id=decision.initiative, document=decision.model_dump(mode="json"),
                          digest=evidence["gate_decision"]))
    return entry


def advance(store: Store, initiative_id: str, to: str, reason: str, actor: Person, *, data: Baseline | None = None,
            plan: PilotPlan | None = None) -> Outcome:
    """Take the initiative's next gate to `to`, proposed by `actor` for `reason`.

    A gate whose conditions hold moves it (an `advance` entry). An advance against the pilot's recommendation is
    an override (gates.decide): it is stored as a proposal (a `propose` entry) that moves nothing until the
    executive sponsor approves it (`approve`). Anything else gates.decide refuses is GateError naming why."""
    if to == "stopped":
        raise GateError(f"{initiative_id}: stopping is not a gate to advance to; cxscale stop {initiative_id} --reason")
    with store.session() as s:
        at_idea = _state(s, initiative_id)
    if at_idea.stage == "idea" and plan is None and data is not None:
        plan = power_plan(at_idea.use_case, _opened(data))

    def work(s: Session) -> Outcome:
        who = _fresh(s, actor)
        state = _state(s, initiative_id)
        authorize(who, "advance", state.use_case)
        ahead = _NEXT.get(state.stage)
        if ahead is None or to != ahead:
            where = f"at {state.stage}" if state.stage in gates.ADVANCING else state.stage
            raise GateError(f"{initiative_id} is {where}: " + (f"its next gate is {state.stage} -> {ahead}, not -> "
                            f"{to}" if ahead else "it moves no further"))
        result, evidence = _gate(state, plan)
        uc = state.use_case
        try:
            decision = gates.decide(result, uc, proposer=who.id, reason=reason, evidence=evidence)
        except GateError as refused:
            sponsor = uc.owners.executive_sponsor if uc.owners is not None else None
            if sponsor is None:
                raise
            try:
                gates.decide(result, uc, proposer=who.id, reason=reason, approver=sponsor, evidence=evidence)
            except GateError as also:
                raise (also if sponsor == who.id else refused) from None
            return _propose(s, store, state, result, who, reason, evidence, sponsor)
        entry = _record(s, store, decision, who.id, "advance", decision.reason)
        return Outcome(initiative_id, "advance", decision.from_stage, decision.to_stage, entry, decision)

    return write(store, work, f"an advance of {initiative_id}")


def _propose(s: Session, store: Store, state: _State, result: gates.GateResult, who: Person, reason: str,
             evidence: dict[str, str], sponsor: str) -> Outcome:
    iid = state.use_case.id or ""
    rec = result.recommendation
    why = f"{reason.strip()} (an override of the recommendation: {(rec.action if rec else None) or 'none yet'}; " \
          f"waits for {sponsor}'s approval)"
    entry = append(store, actor=who.id, action="propose", subject=iid, reason=why, from_stage=result.from_stage,
                   to_stage=result.to_stage, evidence=evidence, session=s)
    for old in s.scalars(select(ProposalRow).where(ProposalRow.initiative_id == iid, ProposalRow.status == "pending")):
        old.status = "superseded"
    s.add(ProposalRow(initiative_id=iid, from_stage=result.from_stage, to_stage=result.to_stage, proposer=who.id,
                      reason=reason.strip(), evidence=evidence, at=entry.at, status="pending", log_seq=entry.seq))
    return Outcome(iid, "propose", result.from_stage, result.to_stage, entry, waiting_for=sponsor)


def approve(store: Store, initiative_id: str, actor: Person) -> Outcome:
    """The executive sponsor approves the override waiting for them: it moves the initiative (an `override` entry,
    the decision marked as such). Refused when the stage or the evidence changed since it was proposed."""

    def work(s: Session) -> Outcome:
        who = _fresh(s, actor)
        state = _state(s, initiative_id)
        authorize(who, "approve", state.use_case)
        proposal = s.scalars(select(ProposalRow).where(ProposalRow.initiative_id == initiative_id,
                                                       ProposalRow.status == "pending")
                             .order_by(ProposalRow.id.desc())).first()
        if proposal is None:
            raise GateError(f"{initiative_id}: no override waits for approval (cxscale gate advance proposes one)")
        if state.stage != proposal.from_stage:
            raise GateError(f"{initiative_id} moved to {state.stage} since {proposal.proposer} proposed "
                            f"{proposal.from_stage} -> {proposal.to_stage}: propose again")
        result, evidence = _gate(state, None)  # overrides are of pilot -> proof, which needs no plan
        changed = sorted(k for k in set(evidence) | set(proposal.evidence)
                         if evidence.get(k) != proposal.evidence.get(k))
        if changed:
            raise GateError(f"{initiative_id}: the evidence changed since {proposal.proposer} proposed the override "
                            f"({', '.join(changed)}): propose again on the current evidence")
        decision = gates.decide(result, state.use_case, proposer=proposal.proposer, reason=proposal.reason,
                                approver=who.id, evidence=evidence)
        entry = _record(s, store, decision, who.id, "override" if decision.override else "advance",
                        f"{decision.reason} (proposed by {decision.proposer}, approved by {who.id})")
        proposal.status, proposal.resolved_by, proposal.resolved_at = "approved", who.id, entry.at
        return Outcome(initiative_id, entry.action, decision.from_stage, decision.to_stage, entry, decision)

    return write(store, work, f"an approval of {initiative_id}")


def signoff(store: Store, initiative_id: str, function: str, actor: Person, reason: str | None = None) -> Outcome:
    """The actor signs off for `function` on the initiative's current evidence (use case and latest readout): only
    at proof, only its owner for that function, for one of their own functions. A newer readout or use case
    resets it (gates.proof_to_scale compares the digests)."""
    if function not in FUNCTIONS:
        raise GateError(f"function {function!r} is not one of {', '.join(FUNCTIONS)}")
    fn: Function = function  # type: ignore[assignment]

    def work(s: Session) -> Outcome:
        who = _fresh(s, actor)
        state = _state(s, initiative_id)
        authorize(who, "signoff", state.use_case, function=fn)
        if state.stage != "proof":
            raise GateError(f"{initiative_id} is at {state.stage}: sign-offs are for the proof -> scale gate")
        given = gates.sign_off(state.use_case, who.id, fn, state.evidence())
        entry = append(store, actor=who.id, action="signoff", subject=initiative_id,
                       reason=(reason or "").strip() or f"{function} sign-off on the current evidence",
                       evidence=given.evidence, session=s)
        s.add(SignOffRow(initiative_id=initiative_id, person_id=who.id, function=fn, evidence=given.evidence,
                         at=entry.at, log_seq=entry.seq))
        return Outcome(initiative_id, "signoff", None, None, entry)

    return write(store, work, f"a sign-off of {initiative_id}")


def stop(store: Store, initiative_id: str, reason: str, actor: Person) -> Outcome:
    """Stop the initiative, from any stage but stopped and retired, for a reason (a `stop` entry)."""

    def work(s: Session) -> Outcome:
        who = _fresh(s, actor)
        state = _state(s, initiative_id)
        authorize(who, "stop", state.use_case)
        result = gates.stop(state.stage, reason)
        decision = gates.decide(result, state.use_case, proposer=who.id, reason=reason,
                                evidence={"use_case": state.digest})
        entry = _record(s, store, decision, who.id, "stop", decision.reason)
        return Outcome(initiative_id, "stop", decision.from_stage, decision.to_stage, entry, decision)

    return write(store, work, f"a stop of {initiative_id}")


def retire(store: Store, initiative_id: str, reason: str, actor: Person) -> Outcome:
    """Retire a capability at scale, for a reason (a `retire` entry): its executive sponsor or a council member.
    Refused, naming the condition, for an initiative not at scale (stop ends one that did not scale)."""

    def work(s: Session) -> Outcome:
        who = _fresh(s, actor)
        state = _state(s, initiative_id)
        authorize(who, "retire", state.use_case)
        result = gates.retire(state.stage, reason)
        decision = gates.decide(result, state.use_case, proposer=who.id, reason=reason,
                                evidence=state.evidence())
        entry = _record(s, store, decision, who.id, "retire", decision.reason)
        return Outcome(initiative_id, "retire", decision.from_stage, decision.to_stage, entry, decision)

    return write(store, work, f"a retirement of {initiative_id}")


def attach_readout(store: Store, initiative_id: str, readout: ReadoutDocument | Mapping[str, Any],
                   actor: Person) -> StoredReadout:
    """Attach a readout (`cxscale measure --json`) of the initiative's pilot spec; the same readout again is kept
    once. A new readout resets the sign-offs given on the one before."""
    if not isinstance(readout, ReadoutDocument):
        try:
            readout = ReadoutDocument.model_validate(readout)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise CxscaleError(f"not a readout (cxscale measure --json): {'.'.join(map(str, first['loc']))}: "
                               f"{first['msg']} ({exc.error_count()} problem{'s' * (exc.error_count() > 1)})") from None
    doc = readout
    d = digest(doc)

    def work(s: Session) -> StoredReadout:
        who = _fresh(s, actor)
        state = _state(s, initiative_id)
        authorize(who, "attach", state.use_case)
        spec = gates._spec(state.use_case, None)
        if spec is None or spec.pilot != doc.pilot:
            raise GateError(f"{initiative_id}: the readout is of pilot {doc.pilot}, the use case's pilot spec is "
                            f"{spec.pilot if spec else 'not given'}")
        last = s.scalars(select(ReadoutRow).where(ReadoutRow.initiative_id == initiative_id)
                         .order_by(ReadoutRow.id.desc()).limit(1)).first()
        if last is not None and last.digest == d:
            return StoredReadout(at=_time(last.at), readout=doc, digest=d)
        at = _utc_now()
        s.add(ReadoutRow(initiative_id=initiative_id, document=doc.to_json(), digest=d, at=at, attached_by=who.id))
        return StoredReadout(at=_time(at), readout=doc, digest=d)

    return write(store, work, f"a readout of {initiative_id}")


# --- sync ------------------------------------------------------------------------------------------------------


def sync(store: Store, folder: str | Path, actor: Person | None) -> SyncReport:
    """Load a portfolio folder into the store: its people.yaml, then its *.usecase.yaml files (recursively).

    A use case whose document differs from its newest stored version is stored as the next version (the history
    is kept); one that is not a valid use case, has no id or repeats another file's id is refused with why. A use
    case is stored even when it does not lint clean (the idea -> pilot gate needs it to; the note says how many
    errors). People added or changed are each a `role_change` entry; only an admin changes them (or anyone while
    `bootstrapping`). `actor` None: only while bootstrapping."""
    root = Path(folder)
    if not root.is_dir():
        raise CxscaleError(f"{root}: not a folder (a portfolio folder holds *.usecase.yaml files and people.yaml)")
    people_path = root / PEOPLE_FILE
    listed = load_people(people_path).people if people_path.exists() else []
    parsed: list[tuple[str, UseCase | None, str]] = []
    seen: dict[str, str] = {}
    for f in use_case_files([root]):
        try:
            uc = load_use_case(f)
            spec = resolve_pilot_spec(uc, f)
        except CxscaleError as exc:
            parsed.append((str(f), None, str(exc)))
            continue
        if uc.id is None:
            parsed.append((str(f), None, f"{f}: no id: a stored use case needs one"))
        elif uc.id in seen:
            parsed.append((str(f), None, f"{f}: id {uc.id} is also the id of {seen[uc.id]}"))
        else:
            seen[uc.id] = str(f)
            parsed.append((str(f), uc.model_copy(update={"pilot_spec": spec}) if spec is not None else uc, ""))

    def work(s: Session) -> SyncReport:
        boot = _bootstrapping(s, store)
        who = _fresh(s, actor) if actor is not None else None
        if who is not None:
            authorize(who, "sync")
        elif not boot:
            raise AccessError("no credential: syncing needs a council member or an admin (CXSCALE_TOKEN or "
                              "--token-file)")
        name = who.id if who is not None else BOOTSTRAP
        may_manage = boot or (who is not None and "admin" in who.roles)
        items = [_sync_person(s, store, p, str(people_path), name, may_manage) for p in listed]
        items += [_sync_use_case(s, f, uc, why) for f, uc, why in parsed]
        here = set(seen) | {i.id for i in items if i.kind == "use case" and i.status == "refused"}
        items += _missing(s, here)
        return SyncReport(tuple(items))

    return write(store, work, f"a sync of {root}")


def _missing(s: Session, here: set[str]) -> list[SyncItem]:
    """The store's use cases whose id no file of the folder gives (a refused file counts by its name, so a file
    that is only broken is not reported missing). The store keeps them and their decisions: the log is
    append-only."""
    latest: dict[str, UseCaseVersion] = {}
    first: dict[str, str] = {}
    for row in s.scalars(select(UseCaseVersion).order_by(UseCaseVersion.initiative_id, UseCaseVersion.version)):
        latest[row.initiative_id] = row
        first.setdefault(row.initiative_id, row.synced_at)
    out = []
    for iid in sorted(set(latest) - here):
        stage, _ = _stage(s, iid, first[iid])
        if stage in ("stopped", "retired"):
            todo = f"it is {stage}: nothing to do (its history stays in the store)"
        else:
            end = f"cxscale retire {iid} --reason" if stage == "scale" else f"cxscale stop {iid} --reason"
            todo = f"it is at {stage}: restore its file (git history: {latest[iid].source}), or end it ({end})"
        out.append(SyncItem("use case", iid, latest[iid].source, "missing",
                            f"in the store (version {latest[iid].version}) but in no file of the folder; {todo}",
                            latest[iid].version))
    return out


def _sync_person(s: Session, store: Store, p: PersonEntry, source: str, actor: str, may_manage: bool) -> SyncItem:
    row = s.get(PersonRow, p.id)
    old = entry_of(row) if row is not None else None
    if old == p:
        return SyncItem("person", p.id, source, "unchanged")
    if not may_manage:
        return SyncItem("person", p.id, source, "refused", f"only an admin adds or changes people ({actor} is not "
                        "one)")
    status: Literal["added", "changed"] = "added" if old is None else "changed"
    _put_person(s, store, p, actor, f"{status} from {source}: " + _describe(p, old))
    return SyncItem("person", p.id, source, status)


def _describe(p: PersonEntry, old: PersonEntry | None) -> str:
    now = p.to_json()
    keys = list(now) if old is None else [k for k, v in old.to_json().items() if now[k] != v]
    def text(v: Any) -> str:
        return (", ".join(v) or "none") if isinstance(v, list) else "none" if v is None else str(v).lower() \
            if isinstance(v, bool) else str(v)

    return "; ".join(f"{k} {text(now[k])}" for k in keys if k != "id")


def _put_person(s: Session, store: Store, p: PersonEntry, actor: str, reason: str) -> Entry:
    row = s.get(PersonRow, p.id)
    at = _utc_now()
    if row is None:
        row = PersonRow(id=p.id, password_hash=None)
        s.add(row)
    row.name, row.functions, row.roles, row.active = p.name, list(p.functions), list(p.roles), p.active
    row.os_user, row.updated_at = p.os_user, at
    if not p.active:
        for t in s.scalars(select(TokenRow).where(TokenRow.person_id == p.id, TokenRow.revoked_at.is_(None))):
            t.revoked_at = at
    s.flush()
    return append(store, actor=actor, action="role_change", subject=f"person:{p.id}", reason=reason,
                  evidence={"person": digest(p.to_json())}, session=s)


def _sync_use_case(s: Session, source: str, uc: UseCase | None, why: str) -> SyncItem:
    if uc is None or uc.id is None:
        return SyncItem("use case", Path(source).name.split(".")[0], source, "refused", why)
    d = digest(uc)
    latest = s.scalars(select(UseCaseVersion).where(UseCaseVersion.initiative_id == uc.id)
                       .order_by(UseCaseVersion.version.desc()).limit(1)).first()
    errors = [f for f in lint_use_case(uc) if f.severity == "error"]
    note = f"{len(errors)} lint error{'s' * (len(errors) != 1)} (cxscale usecase lint {source})" if errors else ""
    if latest is not None and latest.digest == d:
        return SyncItem("use case", uc.id, source, "unchanged", note, latest.version)
    version = latest.version + 1 if latest is not None else 1
    s.add(UseCaseVersion(initiative_id=uc.id, version=version, document=uc.model_dump(mode="json"), digest=d,
                         source=source, synced_at=_utc_now()))
    return SyncItem("use case", uc.id, source, "added" if latest is None else "changed", note, version)


# --- people ----------------------------------------------------------------------------------------------------


def add_person(store: Store, person: PersonEntry, actor: Person | None) -> Entry:
    """Add or change a person (an admin, or anyone while bootstrapping): a `role_change` entry."""

    def work(s: Session) -> Entry:
        name = _manager(s, store, actor, f"add {person.id}")
        old = find_person(s, person.id)
        if old == person:
            raise CxscaleError(f"{person.id} is already in the store as given")
        return _put_person(s, store, person, name, ("added: " if old is None else "changed: ") +
                           _describe(person, old))

    return write(store, work, f"a change of {person.id}")


def deactivate(store: Store, person_id: str, reason: str, actor: Person) -> Entry:
    """Mark a person as having left: they can do nothing more and their tokens are revoked (a `role_change`)."""

    def work(s: Session) -> Entry:
        name = _manager(s, store, actor, f"deactivate {person_id}")
        old = find_person(s, person_id)
        if old is None:
            raise CxscaleError(f"no person {person_id!r} in the store")
        if not old.active:
            raise CxscaleError(f"{person_id} is already inactive")
        return _put_person(s, store, old.model_copy(update={"active": False}), name,
                           f"deactivated: {reason.strip()}" if reason.strip() else "")

    return write(store, work, f"a deactivation of {person_id}")


def issue_token(store: Store, person_id: str, actor: Person | None) -> str:
    """A new personal API token for the person, returned once (only its argon2 hash is kept): by an admin, by the
    person for themselves, or while bootstrapping. A `role_change` entry names the token's id, never the token."""
    token_id, token, hashed = new_token()

    def work(s: Session) -> str:
        target = find_person(s, person_id)
        if target is None:
            raise CxscaleError(f"no person {person_id!r} in the store (cxscale person add, or people.yaml and "
                               "cxscale portfolio sync)")
        if actor is not None and actor.id == person_id and _fresh(s, actor).active:
            name = actor.id
        else:
            name = _manager(s, store, actor, f"make a token for {person_id}")
        if not target.active:
            raise AccessError(f"{person_id} has left (inactive): no token for them")
        s.add(TokenRow(id=token_id, person_id=person_id, hash=hashed, created_at=_utc_now(), revoked_at=None))
        append(store, actor=name, action="role_change", subject=f"person:{person_id}",
               reason=f"API token {token_id} issued", evidence={"person": digest(target.to_json())}, session=s)
        return token

    return write(store, work, f"a token for {person_id}")


def _manager(s: Session, store: Store, actor: Person | None, what: str) -> str:
    if actor is None:
        if _bootstrapping(s, store):
            return BOOTSTRAP
        raise AccessError(f"no credential: only an admin may {what} (CXSCALE_TOKEN or --token-file)")
    authorize(_fresh(s, actor), "manage_people")
    return actor.id
