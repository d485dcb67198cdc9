"""The pilot-trap audit (`cxscale audit`, docs/portfolio-audit.md): every initiative checked for the three ways a
pilot fails to become a capability, isolated, unmeasured and unowned, each flag with its reason key, the numbers
behind it and what would clear it; how long it has been in its stage and the money at stake; worst first.

Pure: plain records in (cxscale.portfolio.records: the initiatives, the people), the diagnosis the touchpoints are
checked against, the moment of the audit; findings out. Nothing here reads a store or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.gate_decision import Stage
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.use_case import UseCase
from cxscale.errors import CxscaleError
from cxscale.format import money, percent
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.portfolio.lint import is_technical
from cxscale.portfolio.records import Initiative, Person

Trap = Literal["isolated", "unmeasured", "unowned"]
TRAPS: tuple[Trap, ...] = ("isolated", "unmeasured", "unowned")

# The reason keys (docs/portfolio-audit.md#reason-keys): "trap/what", stable names that planted worlds and CI use.
NO_TOUCHPOINT = "isolated/no_touchpoint"
TOUCHPOINT_WITHOUT_CONTACTS = "isolated/touchpoint_without_contacts"
NO_OPERATIONS_OWNER = "isolated/no_operations_owner"
CAPABILITY_UNUSED = "isolated/capability_unused"
NO_BUSINESS_METRIC = "unmeasured/no_business_metric"
TECHNICAL_METRIC = "unmeasured/technical_metric"
NO_BASELINE = "unmeasured/no_baseline"
NO_PILOT_SPEC = "unmeasured/no_pilot_spec"
NO_READOUT = "unmeasured/no_readout"
STALE_READOUT = "unmeasured/stale_readout"
PAST_WINDOW = "unmeasured/past_window_no_decision"
OWNER_MISSING = "unowned/owner_missing"
OWNER_LEFT = "unowned/owner_left"
OWNER_UNKNOWN = "unowned/owner_unknown"
NO_DECISION = "unowned/no_decision"
#: Every reason key, in the order the audit checks them.
REASON_KEYS = (NO_TOUCHPOINT, TOUCHPOINT_WITHOUT_CONTACTS, NO_OPERATIONS_OWNER, CAPABILITY_UNUSED,
               NO_BUSINESS_METRIC, TECHNICAL_METRIC, NO_BASELINE, NO_PILOT_SPEC, NO_READOUT, STALE_READOUT,
               PAST_WINDOW, OWNER_MISSING, OWNER_LEFT, OWNER_UNKNOWN, NO_DECISION)



def planted_key(trap: str, key: str) -> str:
    """The reason key of a flag as a planted world's manifest spells it (portfolio/planted.json, docs/simulator.md:
    the trap, then a key like `no-touchpoint`): `isolated/no_touchpoint`. A reason key given whole, in either
    spelling, is returned as the audit spells it. CxscaleError when it names no reason key of the audit."""
    whole = key if "/" in key else f"{trap}/{key}"
    found = whole.replace("-", "_")
    if found not in REASON_KEYS:
        raise CxscaleError(f"{trap} {key}: not a reason key of the audit ({', '.join(REASON_KEYS)})")
    return found


#: The stages the audit checks: stopped and retired initiatives are ends, with nothing left to scale.
AUDITED: tuple[Stage, ...] = ("idea", "pilot", "proof", "scale")
#: Days with no decision-log entry after which an idea, pilot or proof is unowned (a quarter).
STALE_AFTER_DAYS = 90

#: The workflow step each known capability acts in, and whether it assists the agent who handles the contact or
#: deflects the contact from agents (docs/portfolio-audit.md#capabilities). A capability not listed here is used by
#: no workflow step the portfolio knows (isolated/capability_unused). Guidance and summaries help the agent during
#: and after the contact; routing gives the contact to the agent who can resolve it (the agent still handles it,
#: with fewer transfers); outreach and self-service take the contact away from agents, which saves cost but makes no
#: human interaction better.
CAPABILITY_STEPS: dict[str, tuple[str, Literal["assist", "deflect"]]] = {
    "real_time_guidance": ("the agent handles the contact", "assist"),
    "knowledge_suggestion": ("the agent handles the contact", "assist"),
    "after_contact_summaries": ("the agent wraps up the contact", "assist"),
    "after_contact_summary": ("the agent wraps up the contact", "assist"),
    "wrap_up_codes": ("the agent wraps up the contact", "assist"),
    "routing": ("the contact waits for an agent", "assist"),
    "intent_routing": ("the contact waits for an agent", "assist"),
    "proactive_outreach": ("before the customer contacts", "deflect"),
    "self_service": ("the customer serves themselves", "deflect"),
}

#: Metrics whose change moves the cost of contacts, so the touchpoint's avoidable cost prices the target (as the
#: diagnosis's use-case drafts price it, journey/usecase.py).
COST_LINKED = ("cost_to_serve", "repeat_contact_rate_7d", "repeat_contact_rate_14d", "repeat_contact_rate_30d",
               "transfer_rate")

Number = float | int | str | bool | None


@dataclass(frozen=True)
class Flag:
    """One trap an initiative is in: the reason key, the sentence with its numbers, the numbers, what would clear
    it."""

    key: str
    message: str
    clear: str
    evidence: dict[str, Number | list[Number]] = field(default_factory=dict)

    @property
    def trap(self) -> Trap:
        return self.key.split("/", 1)[0]  # type: ignore[return-value]


@dataclass(frozen=True)
class MoneyAtStake:
    """The yearly money the use case's target is worth at its touchpoint, by the diagnosis; `amount` None when the
    diagnosis cannot price it, and `basis` says how it was computed or why not."""

    amount: float | None
    currency: str
    basis: str


@dataclass(frozen=True)
class AuditFinding:
    """One initiative's audit: its flags (none: clean), days in its stage, money at stake, rank (1 = worst), and
    the checks that could not be run (with why)."""

    initiative: str
    title: str | None
    stage: Stage
    days_in_stage: float
    money_at_stake: MoneyAtStake
    flags: tuple[Flag, ...]
    unchecked: tuple[str, ...] = ()
    rank: int = 0

    @property
    def traps(self) -> tuple[Trap, ...]:
        """The traps it is in, in the order isolated, unmeasured, unowned."""
        found = {f.trap for f in self.flags}
        return tuple(t for t in TRAPS if t in found)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.flags)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["traps"] = list(self.traps)
        out["flags"] = [{"trap": f.trap, **asdict(f)} for f in self.flags]
        return out


def utc(moment: datetime) -> datetime:
    """A datetime in UTC; a naive one is read as UTC (the store writes UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def entry_time(at: str) -> datetime:
    """A decision-log entry's time (UTC ISO 8601 text, `2026-12-01T23:15:21.123456Z`)."""
    return utc(datetime.fromisoformat(at.replace("Z", "+00:00")))


def days_between(start: datetime, end: datetime) -> float:
    return (utc(end) - utc(start)) / timedelta(days=1)


def embedded_spec(uc: UseCase) -> PilotSpec | None:
    return uc.pilot_spec if isinstance(uc.pilot_spec, PilotSpec) else None


def window_days(uc: UseCase) -> int | None:
    """The days a pilot of the use case runs: its pilot spec's post window, else the metric's window_days."""
    spec = embedded_spec(uc)
    if spec is not None:
        return spec.windows.post_days
    return uc.metric.window_days if uc.metric is not None else None


def capability_kind(name: str) -> Literal["assist", "deflect"] | None:
    """Whether a capability assists agents or deflects contacts (CAPABILITY_STEPS); None when it is not known."""
    step = CAPABILITY_STEPS.get(name)
    return step[1] if step else None


def audit(initiatives: Iterable[Initiative], people: Iterable[Person], diagnosis: DiagnosisDocument | None,
          as_of: datetime, stale_after_days: int = STALE_AFTER_DAYS,
          catalog: Catalog | None = None) -> list[AuditFinding]:
    """Every idea, pilot, proof and scaled initiative checked for the three traps, ranked worst first (`rank`).

    diagnosis: the one the touchpoints are checked against and money at stake is priced by (None: both are
    reported as not checked). stale_after_days: the days without a decision-log entry after which an idea, pilot
    or proof is unowned. Stopped and retired initiatives are not audited.
    """
    if stale_after_days < 1:
        raise CxscaleError("stale_after_days must be at least 1")
    cat = catalog or builtin_catalog()
    by_id = {p.id: p for p in people}
    found = [_audit_one(i, by_id, diagnosis, utc(as_of), stale_after_days, cat)
             for i in initiatives if i.stage in AUDITED]
    ordered = sorted(found, key=_severity)
    return [replace(f, rank=n) for n, f in enumerate(ordered, 1)]


def _severity(f: AuditFinding) -> tuple[Any, ...]:
    """Worst first: more traps, then more flags, then more money at stake, then longer in the stage, then id."""
    amount = f.money_at_stake.amount or 0.0
    return (-len(f.traps), -len(f.flags), -amount, -f.days_in_stage, f.initiative)


def _audit_one(i: Initiative, people: dict[str, Person], diagnosis: DiagnosisDocument | None, as_of: datetime,
               stale_after_days: int, cat: Catalog) -> AuditFinding:
    uc = i.use_case
    flags: list[Flag] = []
    unchecked: list[str] = []
    flags += _isolated(uc, diagnosis, unchecked)
    flags += _unmeasured(i, as_of, cat)
    flags += _unowned(i, people, as_of, stale_after_days)
    return AuditFinding(initiative=i.id, title=uc.title, stage=i.stage,
                        days_in_stage=round(max(days_between(i.stage_since, as_of), 0.0), 1),
                        money_at_stake=money_at_stake(uc, diagnosis), flags=tuple(flags), unchecked=tuple(unchecked))


# --- isolated --------------------------------------------------------------------------------------------------

_TOUCH = ("journey_stage", "intent", "channel")


def _isolated(uc: UseCase, diagnosis: DiagnosisDocument | None, unchecked: list[str]) -> list[Flag]:
    out = []
    p = uc.problem
    where = {k: getattr(p, k) for k in _TOUCH if p is not None and getattr(p, k) is not None}
    if not where:
        out.append(Flag(NO_TOUCHPOINT, "no journey touchpoint: the use case names no journey stage, intent or "
                        "channel, so nothing ties it to a place in the journey",
                        "name problem.journey_stage and problem.intent (a hotspot of the diagnosis)"))
    elif diagnosis is None:
        unchecked.append(f"{TOUCHPOINT_WITHOUT_CONTACTS}: no diagnosis given to check the touchpoint against")
    else:
        contacts = touchpoint_contacts(where, diagnosis)
        empty = [k for k, n in contacts.items() if not n]
        if empty:
            said = ", ".join(f"{k} {where[k]!r} {contacts[k] or 0:,} contacts" for k in contacts)
            out.append(Flag(TOUCHPOINT_WITHOUT_CONTACTS, f"the touchpoint does not show in the diagnosis "
                            f"({diagnosis.source}): {said}",
                            "act where the contacts are: name a journey stage, intent and channel the diagnosis "
                            "shows (cxscale diagnose), or fix the name's spelling",
                            {f"{k}_contacts": contacts[k] for k in contacts} | {k: where[k] for k in contacts}))
    owners = uc.owners
    if owners is None or owners.operations is None:
        out.append(Flag(NO_OPERATIONS_OWNER, "no operations owner: nobody owns the workflow the use case changes, "
                        "so it stays beside the operation instead of inside it",
                        "name the operations owner (owners.operations) who runs the workflow it changes"))
    unknown = [c for c in uc.capabilities if c not in CAPABILITY_STEPS]
    if unknown:
        out.append(Flag(CAPABILITY_UNUSED, f"no workflow step uses {', '.join(unknown)}: the portfolio knows the "
                        f"steps of {', '.join(sorted(CAPABILITY_STEPS))}",
                        "name a capability a workflow step uses, or add the capability's step to "
                        "cxscale.portfolio.audit.CAPABILITY_STEPS", {"capabilities": list(unknown)}))
    return out


def touchpoint_contacts(where: dict[str, str], diagnosis: DiagnosisDocument) -> dict[str, int | None]:
    """The contacts the diagnosis shows for each named part of a touchpoint (journey_stage, intent, channel; None
    when the diagnosis has no row of that name)."""
    rows = {"journey_stage": {s.journey_stage: s.volume for s in diagnosis.signals.journey_stage},
            "intent": {s.intent: s.volume for s in diagnosis.signals.intent},
            "channel": {s.channel: s.volume for s in diagnosis.signals.channel}}
    return {k: rows[k].get(v) for k, v in where.items()}


# --- unmeasured ------------------------------------------------------------------------------------------------


def _unmeasured(i: Initiative, as_of: datetime, cat: Catalog) -> list[Flag]:
    uc = i.use_case
    out = []
    m = uc.metric
    if m is None or m.name is None:
        out.append(Flag(NO_BUSINESS_METRIC, "no business metric: nothing says which number must move",
                        "name the primary business metric (metric.name, e.g. cost_to_serve, no_show_rate) with its "
                        "target and window"))
    else:
        why = is_technical(m.name, cat)
        if why is not None:
            business = [g.metric for g in uc.guardrails if is_technical(g.metric, cat) is None]
            out.append(Flag(TECHNICAL_METRIC, f"the primary metric {m.name} is technical: {why}",
                            "make a business metric the primary (cost_to_serve, repeat_contact_rate_7d, "
                            "resolution_rate, no_show_rate) and keep this one as a secondary",
                            {"metric": m.name, "business_guardrails": list(business)}))
        if m.baseline is None:
            out.append(Flag(NO_BASELINE, f"no baseline for {m.name}: a change cannot be judged without the level "
                            "it starts from", "copy the baseline from the diagnosis (metric.baseline)",
                            {"metric": m.name}))
    if uc.pilot_spec is None:
        out.append(Flag(NO_PILOT_SPEC, "no pilot spec: nothing says how the pilot will be read out",
                        "embed the pilot spec or give its file (pilot_spec, docs/pilot-spec.md)"))
    if i.stage == "idea":
        return out
    last = i.latest_readout
    days = days_between(i.stage_since, as_of)
    if last is None:
        out.append(Flag(NO_READOUT, f"no readout after {days:.0f} days at {i.stage}: the effect was never measured",
                        "read the pilot out (cxscale measure --spec) and attach the readout",
                        {"days_in_stage": round(days, 1)}))
    elif i.stage in ("pilot", "scale"):
        read_window = last.readout.windows.post_days
        age = days_between(last.at, as_of)
        if age > read_window:
            what = "the realised effect at scale" if i.stage == "scale" else "the running pilot"
            out.append(Flag(STALE_READOUT, f"the latest readout is {age:.0f} days old, older than its {read_window}-day "
                            f"window: {what} is not being measured",
                            "read it out again over the latest window and attach the readout",
                            {"readout_age_days": round(age, 1), "window_days": read_window,
                             "readout_at": utc(last.at).isoformat()}))
    window = window_days(uc)
    if i.stage == "pilot" and window is not None and days > window:
        end = utc(i.stage_since) + timedelta(days=window)
        since = [e for e in i.decisions if entry_time(e.at) >= end]
        if not since:
            out.append(Flag(PAST_WINDOW, f"the pilot ran {days:.0f} days, past its {window}-day window "
                            f"(ended {end:%Y-%m-%d}), with no decision since",
                            f"decide: cxscale gate check {i.id}, then advance, extend with a new window or stop it",
                            {"days_in_stage": round(days, 1), "window_days": window,
                             "window_ended": end.date().isoformat()}))
    return out


# --- unowned ---------------------------------------------------------------------------------------------------

#: The owners the unowned trap requires: every one. A missing operations owner is also isolated (nobody owns the
#: workflow the use case changes), so it is flagged in both traps, as the issue defines them and worlds plant them.
_OWNER_ROLES = ("technology", "operations", "commercial", "executive_sponsor")


def _unowned(i: Initiative, people: dict[str, Person], as_of: datetime, stale_after_days: int) -> list[Flag]:
    uc = i.use_case
    out = []
    owners = uc.owners
    missing = [r for r in _OWNER_ROLES if owners is None or getattr(owners, r) is None]
    if missing:
        names = ", ".join(r.replace("_", " ") for r in missing)
        out.append(Flag(OWNER_MISSING, f"no {names} owner named: nobody is accountable for it",
                        "name one accountable person for each (owners." + ", owners.".join(missing) + ")",
                        {"missing": list(missing)}))
    named = {r: getattr(owners, r) for r in ("technology", "operations", "commercial", "executive_sponsor")
             if owners is not None and getattr(owners, r) is not None}
    left = {r: pid for r, pid in named.items() if pid in people and not people[pid].active}
    unknown = {r: pid for r, pid in named.items() if pid not in people}
    if left:
        said = ", ".join(f"{r.replace('_', ' ')} {pid} ({people[pid].name})" for r, pid in left.items())
        out.append(Flag(OWNER_LEFT, f"owner{'s' if len(left) > 1 else ''} who left: {said}; they own and approve "
                        "nothing any more", "name an active person in their place (cxscale person list)",
                        {"roles": list(left), "people": list(left.values())}))
    if unknown:
        said = ", ".join(f"{r.replace('_', ' ')} {pid!r}" for r, pid in unknown.items())
        out.append(Flag(OWNER_UNKNOWN, f"owner{'s' if len(unknown) > 1 else ''} not among the portfolio's people: "
                        f"{said}", "name a person of the portfolio (cxscale person list) or add them",
                        {"roles": list(unknown), "people": list(unknown.values())}))
    if i.stage in ("idea", "pilot", "proof"):
        last = max([entry_time(e.at) for e in i.decisions] + [utc(i.stage_since)])
        quiet = days_between(last, as_of)
        if quiet > stale_after_days:
            what = "decision-log entry" if i.decisions else "decision since it entered its stage"
            out.append(Flag(NO_DECISION, f"no {what} for {quiet:.0f} days (more than {stale_after_days}): nobody "
                            f"is moving it at {i.stage}", f"decide: cxscale gate check {i.id}, then advance or stop it",
                            {"days_without_decision": round(quiet, 1), "stale_after_days": stale_after_days,
                             "last_at": last.isoformat()}))
    return out


# --- money at stake --------------------------------------------------------------------------------------------


def money_at_stake(uc: UseCase, diagnosis: DiagnosisDocument | None) -> MoneyAtStake:
    """The touchpoint's avoidable cost per year in the diagnosis times the share the target removes (the relative
    target, or the absolute one over the baseline, capped at 100%), for metrics that move the cost of contacts
    (COST_LINKED). The touchpoint is the diagnosis's hotspot of its intent and journey stage; with only one of the
    two named, that stage's or intent's row. None, with the reason, when the diagnosis cannot price it."""
    if diagnosis is None:
        return MoneyAtStake(None, "", "no diagnosis given")
    cur = diagnosis.currency
    m = uc.metric
    if m is None or m.name is None or m.target is None:
        return MoneyAtStake(None, cur, "no business metric with a target to price")
    if m.name not in COST_LINKED:
        return MoneyAtStake(None, cur, f"{m.name} does not move the cost of contacts: the diagnosis does not price "
                            "it (its readout does, in money)")
    t = m.target
    if t.relative is not None:
        share, said = abs(t.relative), f"the target's {percent(abs(t.relative))}"
    elif m.baseline:
        assert t.absolute is not None
        share = abs(t.absolute / m.baseline)
        said = f"the target's {t.absolute:+g} over the baseline {m.baseline:g} ({percent(share)})"
    else:
        return MoneyAtStake(None, cur, "an absolute target without a baseline cannot be turned into a share")
    share = min(share, 1.0)
    p = uc.problem
    stage, intent = (p.journey_stage, p.intent) if p is not None else (None, None)
    base: float | None = None
    where = ""
    if stage and intent:
        hot = next((h for h in diagnosis.hotspots if h.intent == intent and h.journey_stage == stage), None)
        if hot is not None:
            base, where = hot.avoidable_cost_per_year, f"hotspot #{hot.rank} ({intent} at {stage})"
    elif stage:
        row = next((s for s in diagnosis.signals.journey_stage if s.journey_stage == stage), None)
        base, where = (row.avoidable_cost_per_year, f"the {stage} stage") if row is not None else (None, "")
    elif intent:
        row_i = next((s for s in diagnosis.signals.intent if s.intent == intent), None)
        base, where = (row_i.avoidable_cost_per_year, f"the {intent} intent") if row_i is not None else (None, "")
    if base is None:
        return MoneyAtStake(None, cur, "the touchpoint is not among the diagnosis's hotspots or rows")
    amount = base * share
    return MoneyAtStake(round(amount, 2), cur, f"avoidable cost per year at {where}, {money(base, cur)}, times "
                        f"{said} = {money(amount, cur)} a year")


def blocking(findings: Sequence[AuditFinding], fail_on: Iterable[str]) -> list[AuditFinding]:
    """The findings in any of the traps (isolated, unmeasured, unowned) or reason keys of `fail_on` (either
    spelling: `unowned/owner_left` or `unowned/owner-left`)."""
    wanted = {w.replace("-", "_") for w in fail_on}
    bad = sorted(wanted - set(TRAPS) - set(REASON_KEYS))
    if bad:
        raise CxscaleError(f"--fail-on: not a trap or reason key: {', '.join(bad)} (traps: {', '.join(TRAPS)})")
    return [f for f in findings if wanted & (set(f.traps) | set(f.keys))]
