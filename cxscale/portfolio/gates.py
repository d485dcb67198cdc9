"""The gates of an initiative's lifecycle, idea -> pilot -> proof -> scale (and stopped): pure rules over documents
(docs/portfolio.md#gates).

Each gate takes the documents it judges (the use case and its lint, the power plan, the readout, the sign-offs) and
returns a `GateResult`: every condition, held or not, with the numbers behind it in a sentence, and whether the gate
passes. pilot -> proof also carries the readout's recommendation (`recommend`: ship / roll back / extend / discuss,
the first matching rule of a table). `decide` turns a result and a proposal into a `GateDecision`, refusing what may
not be decided: no reason, self-approval, failed conditions, and an advance against the recommendation (an override)
without the executive sponsor's approval. Nothing here reads a store or knows who is acting: the caller does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from cxscale.documents.gate_decision import (
    Function,
    GateCondition,
    GateDecision,
    Number,
    Recommendation,
    SignOff,
    Stage,
)
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.readout import MetricResult, ReadoutDocument
from cxscale.documents.use_case import UseCase
from cxscale.errors import GateError
from cxscale.portfolio.lint import Finding, lint_use_case

if TYPE_CHECKING:
    from cxscale.measure.power import PilotPlan

#: The order of advancing stages; stopped and retired are ends.
ADVANCING: tuple[Stage, ...] = ("idea", "pilot", "proof", "scale")
FUNCTIONS: tuple[Function, ...] = get_args(Function)
#: What the pilot -> proof recommendation must be for an advance not to be an override.
_ADVANCE_WITH = ("ship", "discuss")


@dataclass(frozen=True)
class GateResult:
    """A gate's verdict on the documents: every condition, and (pilot -> proof) the recommendation."""

    from_stage: Stage
    to_stage: Stage
    conditions: tuple[GateCondition, ...]
    recommendation: Recommendation | None = None

    @property
    def passed(self) -> bool:
        return all(c.held for c in self.conditions)

    @property
    def missing(self) -> list[GateCondition]:
        """The conditions that did not hold, in order."""
        return [c for c in self.conditions if not c.held]


def _held(name: str, held: bool, message: str, **numbers: Number | list[Number]) -> GateCondition:
    return GateCondition(name=name, held=held, message=message, numbers=numbers)


def _spec(uc: UseCase, spec: PilotSpec | None) -> PilotSpec | None:
    return spec if spec is not None else uc.pilot_spec if isinstance(uc.pilot_spec, PilotSpec) else None


# --- idea -> pilot ---------------------------------------------------------------------------------------------


def idea_to_pilot(uc: UseCase, plan: PilotPlan | None, *, spec: PilotSpec | None = None,
                  findings: Sequence[Finding] | None = None) -> GateResult:
    """The use case lints clean, its owners are named and the power plan detects the target with the planned
    units in its window. findings: the use case's lint (default: lint_use_case with `spec`); spec: its pilot spec
    when the use case names a file (an embedded one is read from it)."""
    spec = _spec(uc, spec)
    found = list(findings) if findings is not None else lint_use_case(uc, spec)
    errors = [f for f in found if f.severity == "error"]
    rules = sorted({f.rule for f in errors})
    lint = _held("lints clean", not errors, "the use case lints clean" if not errors else
                 f"{len(errors)} lint error{'s' if len(errors) > 1 else ''} ({', '.join(rules)}): "
                 "cxscale usecase lint names them", errors=len(errors), rules=list(rules))
    roles = ("technology", "operations", "commercial", "executive_sponsor")
    unnamed = [r for r in roles if uc.owners is None or getattr(uc.owners, r) is None]
    owners = _held("owners named", not unnamed, "every owner is named (technology, operations, commercial, "
                   "executive sponsor)" if not unnamed else f"no {', '.join(r.replace('_', ' ') for r in unnamed)} "
                   "owner named", unnamed=list(unnamed))
    return GateResult("idea", "pilot", (lint, owners, _power(uc, plan, spec)))


def _power(uc: UseCase, plan: PilotPlan | None, spec: PilotSpec | None) -> GateCondition:
    name = "target detectable"
    if plan is None:
        return _held(name, False, "no power plan: plan the pilot on the baseline data (cxscale plan --spec)")
    numbers: dict[str, Number | list[Number]] = {
        "metric": plan.metric, "target_relative": plan.target_relative, "window_days": plan.window_days,
        "units_needed": plan.n_total, "units_needed_per_arm": plan.n_per_arm, "units_available": plan.units_available,
        "mde_relative_all_units": plan.mde_relative_all_units}
    m = uc.metric
    if m is not None and (plan.metric != m.name or plan.window_days != m.window_days):
        return _held(name, False, f"the power plan is of {plan.metric} over {plan.window_days} days, the use case's "
                     f"metric is {m.name} over {m.window_days} days: plan the use case's own", **numbers)
    planned = spec.options.planned_units_per_arm if spec is not None else None
    numbers["planned_units_per_arm"] = planned
    mde = (f"all {plan.units_available:,} would detect {plan.mde_relative_all_units:.1%}"
           if plan.units_available is not None and plan.mde_relative_all_units is not None
           else "no change is detectable with the units available")
    need = (f"detecting {plan.target_relative:+.1%} of {plan.metric} in {plan.window_days} days needs "
            f"{plan.n_total:,} {plan.unit}s ({plan.n_per_arm:,} per arm)")
    if not plan.feasible:
        return _held(name, False, f"{need}, available {plan.units_available or 0:,}: {mde}", **numbers)
    if planned is not None and planned < plan.n_per_arm:
        return _held(name, False, f"{need}, the pilot spec plans {planned:,} per arm", **numbers)
    return _held(name, True, f"{need}, available {plan.units_available or 0:,}" +
                 (f", planned {planned:,} per arm" if planned is not None else ""), **numbers)


# --- pilot -> proof --------------------------------------------------------------------------------------------


def _significant(m: MetricResult) -> int:
    """+1 when the interval excludes 0 on the good side, -1 on the bad side, 0 when it holds 0 (or is undefined)."""
    lo, hi = m.ci_abs
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return 0
    good = 1 if m.direction == "higher" else -1
    return good if lo > 0 else -good if hi < 0 else 0


def _ci(m: MetricResult) -> str:
    lo, hi = m.ci_rel
    if lo is None or hi is None or not all(math.isfinite(v) for v in (lo, hi, m.effect_rel or math.nan)):
        return f"{m.effect_abs:+.4g} {m.unit_label}, CI {m.ci_abs[0]:+.4g} to {m.ci_abs[1]:+.4g}"
    return f"{m.effect_rel:+.1%}, CI {lo:+.1%} to {hi:+.1%}"


def _causal(r: ReadoutDocument) -> bool:
    return r.design != "observational" and r.verdict != "inconclusive by design"


def pilot_to_proof(uc: UseCase, readout: ReadoutDocument | None, *, spec: PilotSpec | None = None) -> GateResult:
    """A readout of the use case's pilot spec whose window is complete (or sequential), causal, with a clean split,
    the primary moved the right way with its interval excluding 0 and every guardrail held; whether the target was
    reached is recorded. The recommendation (`recommend`) is part of the result."""
    spec = _spec(uc, spec)
    rec = recommend(readout)
    if readout is None:
        return GateResult("pilot", "proof", (_held("readout", False, "no readout of the pilot: cxscale measure "
                                                   "its pilot spec"),), rec)
    r = readout
    pilot = spec.pilot if spec is not None else None
    out = [_held("readout of the pilot", pilot == r.pilot, f"the readout is of pilot {r.pilot}" +
                 ("" if pilot == r.pilot else f", the use case's pilot spec is {pilot}"), pilot=r.pilot, spec=pilot)]
    post = r.windows.post_days
    out.append(_held("window complete", r.window_complete or r.options.sequential,
                     f"the {post}-day window is complete" if r.window_complete else
                     f"the {post}-day window is open, read sequentially (always-valid intervals)"
                     if r.options.sequential else f"the {post}-day window is not complete (and the design is not "
                     "sequential)", post_days=post, window_complete=r.window_complete, sequential=r.options.sequential))
    causal = _causal(r)
    out.append(_held("causal design", causal, f"a {r.design} readout ({r.verdict})" if causal else
                     f"a {r.design} readout whose verdict is {r.verdict!r}: an association or a design that cannot "
                     "reach significance is not proof", design=r.design, verdict=r.verdict))
    srm = r.srm
    counts = ", ".join(f"{a} {n:,}" for a, n in srm.counts.items())
    out.append(_held("sample ratio", srm.ok, "the split matches the plan" + (f" (p = {srm.p_value:.3g}, {counts})"
                     if srm.applicable and srm.p_value is not None else " (not applicable to this design)")
                     if srm.ok else f"sample-ratio mismatch: p = {srm.p_value:.3g} < {srm.threshold:g} ({counts}): "
                     "the assignment is broken", p_value=srm.p_value, threshold=srm.threshold))
    primary = r.primary
    moved = bool(primary) and all(_significant(m) == 1 for m in primary)
    out.append(_held("primary moved", moved, "; ".join(
        f"{m.name} ({m.arm}) {_ci(m)}: " + {1: "moved the right way, the interval excludes 0",
                                             -1: "moved the wrong way", 0: "the interval holds 0"}[_significant(m)]
        for m in primary) or "the readout has no primary metric",
        effect_rel=[m.effect_rel for m in primary], ci_rel_low=[m.ci_rel[0] for m in primary],
        ci_rel_high=[m.ci_rel[1] for m in primary]))
    guards = [m for m in r.metrics if m.role == "guardrail"]
    breached: list[Number] = [m.name for m in guards if m.guardrail_status == "breached"]
    said = [f"{m.name} {_ci(m)}: {m.guardrail_status}" for m in guards]
    mix = r.capability.anchoring if r.capability is not None else None
    if mix is not None:  # a wrap-up capability: agents anchoring on its codes corrupt contact-reason reporting
        said.append(f"wrap-up code mix (p = {mix.p_value:.3g}, alpha {mix.alpha:g}): "
                    + ("shifted between arms" if mix.shifted else "the same in both arms"))
        if mix.shifted:
            breached.append("wrap_up_code_mix")
    out.append(_held("guardrails hold", not breached, "; ".join(said) or "no guardrails", breached=breached))
    reached = [m.target_reached for m in primary]
    out.append(_held("target recorded", bool(primary) and all(t is not None for t in reached), "; ".join(
        f"target of {m.name} " + ("reached" if m.target_reached else "not reached") + f" ({_ci(m)}, target "
        f"{_target(m)})" for m in primary) or "no primary metric", target_reached=list(reached)))
    return GateResult("pilot", "proof", tuple(out), rec)


def _target(m: MetricResult) -> str:
    t = m.target
    if t is None:
        return "none"
    return f"{t.relative:+.1%}" if t.relative is not None else f"{t.absolute:+.4g} {m.unit_label}"


def recommend(r: ReadoutDocument | None) -> Recommendation:
    """What a readout recommends: the first rule of the table that matches (docs/portfolio.md#the-recommendation).
    No recommendation before the window is complete (unless sequential) or with fewer units than planned."""

    def rule(action: str | None, name: str, reason: str) -> Recommendation:
        return Recommendation(action=action, rule=name, reason=reason)  # type: ignore[arg-type]

    if r is None:
        return rule(None, "no readout", "no readout of the pilot yet")
    if not (r.window_complete or r.options.sequential):
        return rule(None, "window open", f"the {r.windows.post_days}-day window is not complete: no recommendation "
                    "before its end (or read it sequentially)")
    planned = r.options.planned_units_per_arm
    fewest = min(r.n.values(), default=0)
    if planned is not None and fewest < planned:
        return rule(None, "too few units", f"{fewest:,} units in the smallest arm of {planned:,} planned: no "
                    "recommendation before enough data")
    if not r.srm.ok:
        return rule("discuss", "sample-ratio mismatch", f"the split does not match the plan (p = "
                    f"{r.srm.p_value:.3g}): no effect can be trusted; find why before deciding")
    if not _causal(r):
        why = "an association, not an effect" if r.design == "observational" else \
            f"a design that cannot reach significance ({r.reason})"
        return rule("discuss", "not causal", f"a {r.design} readout ({r.verdict}) is {why}: association is not "
                    "proof; decide with a randomised pilot")
    primary = r.primary
    guards = [m for m in r.metrics if m.role == "guardrail"]
    worse = [m for m in primary if _significant(m) == -1]
    breached = [m for m in guards if m.guardrail_status == "breached"]
    if worse or breached:
        what = [f"{m.name} moved the wrong way ({_ci(m)})" for m in worse] + \
            [f"guardrail {m.name} breached ({_ci(m)})" for m in breached]
        return rule("roll back", "harm", "; ".join(what))
    if primary and all(_significant(m) == 1 for m in primary):
        watch = [m for m in guards if m.guardrail_status == "watch"]
        if watch:
            return rule("discuss", "win with a guardrail to watch", f"{primary[0].name} moved the right way "
                        f"({_ci(primary[0])}) but " + ", ".join(f"{m.name} is at watch ({_ci(m)})" for m in watch))
        return rule("ship", "win", f"{primary[0].name} moved the right way ({_ci(primary[0])}) and every guardrail "
                    "holds")
    plausible = [m for m in primary if _target_in_ci(m)]
    if plausible:
        m = plausible[0]
        return rule("extend", "target still possible", f"{m.name} {_ci(m)}: the interval holds 0 and the target "
                    f"{_target(m)}: more units or days can tell them apart")
    return rule("discuss", "no effect worth it", "the intervals hold 0 and rule out the target: the change does no "
                "detectable good; decide whether it is worth keeping")


def _target_in_ci(m: MetricResult) -> bool:
    t = m.target
    if t is None:
        return False
    ci, goal = (m.ci_rel, t.relative) if t.relative is not None else (m.ci_abs, t.absolute)
    lo, hi = ci
    return goal is not None and lo is not None and hi is not None and lo <= goal <= hi


# --- proof -> scale --------------------------------------------------------------------------------------------


def sign_off(uc: UseCase, person: str, function: Function, evidence: Mapping[str, str]) -> SignOff:
    """A sign-off by `person` for `function` on the evidence with these digests; refused when the person is not
    that function's owner in the use case."""
    owner = getattr(uc.owners, function) if uc.owners is not None else None
    if person != owner:
        raise GateError(f"{person} is not the {function} owner of {uc.id} ({owner or 'none named'}): only the "
                        f"{function} owner signs off for {function}")
    return SignOff(person=person, function=function, evidence=dict(evidence))


def proof_to_scale(uc: UseCase, signoffs: Sequence[SignOff], evidence: Mapping[str, str],
                   proof_point: str | None = None) -> GateResult:
    """A sign-off by each of the technology, operations and commercial owners for their own function, on the
    current evidence (digests, name -> SHA-256), and a packaged proof point: `proof_point` is its digest
    (cxscale.proof builds it; None: none built)."""
    out = [_signed(uc, f, [s for s in signoffs if s.function == f], evidence) for f in FUNCTIONS]
    out.append(_held("proof point", proof_point is not None,
                     f"proof point {proof_point[:12]} packaged" if proof_point else
                     "no proof point: cxscale proof build packages one", proof_point=proof_point))
    return GateResult("proof", "scale", tuple(out))


def _signed(uc: UseCase, function: Function, given: list[SignOff], evidence: Mapping[str, str]) -> GateCondition:
    name = f"{function} sign-off"
    owner = getattr(uc.owners, function) if uc.owners is not None else None
    if owner is None:
        return _held(name, False, f"no {function} owner named", owner=None)
    others = sorted({s.person for s in given if s.person != owner})
    by_owner = [s for s in given if s.person == owner]
    not_owner = f"; {', '.join(others)} signed but {'is' if len(others) == 1 else 'are'} not the {function} " \
        f"owner: it does not count" if others else ""
    if not by_owner:
        return _held(name, False, f"no sign-off by {owner}, the {function} owner{not_owner}", owner=owner,
                     not_owner=list(others))
    changed = sorted(k for k in set(evidence) | set(by_owner[-1].evidence)
                     if by_owner[-1].evidence.get(k) != evidence.get(k))
    if changed:
        return _held(name, False, f"{owner}'s sign-off is reset: the evidence changed since ({', '.join(changed)}); "
                     f"sign again{not_owner}", owner=owner, changed=list(changed), not_owner=list(others))
    return _held(name, True, f"signed off by {owner}, the {function} owner, on the current evidence{not_owner}",
                 owner=owner, not_owner=list(others))


# --- stopped ---------------------------------------------------------------------------------------------------


def stop(from_stage: Stage, reason: str) -> GateResult:
    """Any stage -> stopped: the one condition is a reason."""
    if from_stage in ("stopped", "retired"):
        raise GateError(f"an initiative that is {from_stage} cannot be stopped")
    given = bool(reason.strip())
    return GateResult(from_stage, "stopped", (_held("reason", given, "stopped: " + reason.strip() if given else
                                                    "no reason given: say why it stops"),))


def retire(from_stage: Stage, reason: str) -> GateResult:
    """Scale -> retired, the end of a capability that scaled (replaced, or no longer worth running): the
    conditions are that it is at scale and a reason."""
    given = bool(reason.strip())
    return GateResult(from_stage, "retired", (
        _held("at scale", from_stage == "scale", "at scale" if from_stage == "scale" else
              f"at {from_stage}, not at scale: only a scaled capability is retired (stop it instead)"
              if from_stage not in ("stopped", "retired") else f"{from_stage} already: it is an end"),
        _held("reason", given, "retired: " + reason.strip() if given else "no reason given: say why it retires")))


# --- the decision ----------------------------------------------------------------------------------------------


def decide(result: GateResult, uc: UseCase, *, proposer: str, reason: str, approver: str | None = None,
           evidence: Mapping[str, str] | None = None) -> GateDecision:
    """The decision to take the gate `result` judged, or GateError naming why it is refused.

    Every decision has a reason, and nobody approves their own proposal. A gate whose conditions hold is taken as
    proposed. An advance from pilot to proof that goes against its recommendation (roll back, extend, discuss with
    a condition that did not hold, or none yet with every condition held) is an override: it needs the reason and the executive sponsor's approval, and is
    marked as such. Any other gate with a condition that does not hold is refused."""
    if not reason.strip():
        raise GateError(f"{uc.id}: {result.from_stage} -> {result.to_stage} needs a reason: every decision says why")
    if approver is not None and approver == proposer:
        raise GateError(f"{uc.id}: {proposer} cannot approve their own proposal; another person approves")
    rec = result.recommendation
    against = rec is not None and (not result.passed or rec.action not in _ADVANCE_WITH)
    if not result.passed and not (against and rec is not None and rec.action is not None):
        failed = "; ".join(f"{c.name}: {c.message}" for c in result.missing)
        raise GateError(f"{uc.id}: {result.from_stage} -> {result.to_stage} is refused: {failed}")
    if against:
        sponsor = uc.owners.executive_sponsor if uc.owners is not None else None
        assert rec is not None
        if approver is None or approver != sponsor:
            raise GateError(f"{uc.id}: advancing against the recommendation ({rec.action or 'none yet'}: "
                            f"{rec.reason}) is an "
                            f"override and needs the approval of the executive sponsor ({sponsor or 'none named'})"
                            + (f", not {approver}" if approver else ""))
    return GateDecision(initiative=uc.id or "", from_stage=result.from_stage, to_stage=result.to_stage,
                        conditions=list(result.conditions), passed=result.passed, recommendation=rec,
                        override=against, proposer=proposer, approver=approver, reason=reason.strip(),
                        evidence=dict(evidence or {}))
