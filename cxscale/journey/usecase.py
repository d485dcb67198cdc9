"""From opportunity to use case: a drafted use case for a ranked hotspot (docs/use-case-draft.md).

`draft_use_case` builds the draft (UseCaseDraft, draft_version 1, the `use_cases` of the diagnosis JSON): the problem
and its evidence, the journey touchpoint, a business metric with its measured baseline, a suggested target, the
window a pilot would need to detect it and the pilot spec. `use_case_of` turns it into the portfolio's document
(UseCase, usecase_version 1) with every part filled but the owners, and `write_drafts` writes those as
`<id>.usecase.yaml` beside their pilot specs, the files `cxscale usecase lint` and `cxscale measure` read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cxscale.documents.diagnosis import Baseline, DiagnosisPeriod, Hotspot
from cxscale.documents.pilot_spec import PilotSpec, dump_spec
from cxscale.documents.use_case import USECASE_VERSION, UseCase
from cxscale.documents.use_case_draft import (
    DRAFT_VERSION,
    BaselinePeriod,
    BusinessMetric,
    DraftSource,
    DraftTarget,
    Guardrail,
    HarmLimit,
    Mechanism,
    MoneyAtStake,
    Owners,
    PilotSize,
    PilotWindow,
    Touchpoint,
    UseCaseDraft,
)
from cxscale.journey.planning import pilot_window
from cxscale.stats import power_plan
from cxscale.stats.power import MAX_PILOT_DAYS
from cxscale.yamlfile import dump_yaml

#: A pilot's plan for a draft: its window (None when the target is not detectable in time) and its size.
Plan = tuple[PilotWindow | None, PilotSize]


@dataclass(frozen=True)
class Suggestion:
    """What a draft proposes for one kind of friction: the business metric (a catalog metric) with its unit and
    suggested relative change, the title's verb, and the mechanism: the agent capability that would act at the
    touchpoint (real_time_guidance, after_contact_summaries, routing, proactive_outreach) and how, in words
    ({intent}, {stage} and {channel} are filled in)."""

    metric: str
    unit: str
    change: float
    verb: str
    capability: str
    mechanism: str


#: Per friction kind, what a draft proposes.
SUGGESTION_FOR_KIND: dict[str, Suggestion] = {
    "repeat_contacts": Suggestion(
        "repeat_contact_rate_7d", "share 0-1", -0.20, "Cut repeat contacts", "real_time_guidance",
        "Real-time guidance for the agents who take {intent} at {stage}: the answer and the next step that resolve "
        "the need at the first contact, so the customer does not come back."),
    "channel_switching": Suggestion(
        "repeat_contact_rate_7d", "share 0-1", -0.20, "Resolve in the first channel", "real_time_guidance",
        "A complete answer for {intent} at {stage} in the channel the customer starts in ({channel}): guidance "
        "for agents and the same answer in self-service, so the need is not raised again elsewhere."),
    "transfers": Suggestion(
        "transfer_rate", "share 0-1", -0.25, "Route right first time", "routing",
        "Routing of {intent} at {stage} to the skill that resolves it, from the intent detected at the start of "
        "the contact, instead of a transfer after it."),
    "outcome_failures": Suggestion(
        "no_show_rate", "share 0-1", -0.30, "Prevent failures after contact", "proactive_outreach",
        "Proactive outreach after {intent} at {stage}: a reminder before the appointment with an easy way to "
        "confirm, move or cancel it."),
    "low_csat": Suggestion(
        "csat_mean", "points on a 1-5 scale", 0.05, "Raise satisfaction", "real_time_guidance",
        "Real-time guidance for {intent} at {stage}: what the customer needs to hear and the fix, with the "
        "after-contact summary sent to the customer."),
    "abandonment": Suggestion(
        "abandonment_rate", "share 0-1", -0.30, "Answer before customers give up", "routing",
        "A callback or a self-service answer offered to customers about {intent} at {stage} in {channel} while "
        "they wait, before they give up and contact again."),
    "long_waits": Suggestion(
        "cost_to_serve", "currency per contact", -0.10, "Shorten waits and cost to serve", "routing",
        "A callback instead of the queue for {intent} at {stage} in {channel} when the wait is long, and the "
        "simple cases answered in self-service."),
}

#: Suggested guardrails per primary metric: (catalog metric, max_harm as a relative change in its bad direction,
#: the hotspot baseline field that tells whether the data has it; None: always). The pilot spec keeps those whose
#: baseline the data has.
GUARDRAILS_FOR_METRIC: dict[str, list[tuple[str, float, str | None]]] = {
    "repeat_contact_rate_7d": [("csat_mean", -0.03, "csat_mean"), ("aht", 0.10, "aht_seconds")],
    "transfer_rate": [("csat_mean", -0.03, "csat_mean"), ("repeat_contact_rate_7d", 0.05, "repeat_contact_rate_7d")],
    "no_show_rate": [("contacts_per_customer", 0.10, None), ("csat_mean", -0.03, "csat_mean")],
    "csat_mean": [("cost_to_serve", 0.05, None), ("aht", 0.10, "aht_seconds")],
    "cost_to_serve": [("csat_mean", -0.03, "csat_mean"), ("repeat_contact_rate_7d", 0.05, "repeat_contact_rate_7d")],
    "abandonment_rate": [("csat_mean", -0.03, "csat_mean"), ("cost_to_serve", 0.05, None)],
}

#: Baseline field in a hotspot for each metric, and its standard deviation field for means (None: a proportion).
_BASELINE = {
    "repeat_contact_rate_7d": ("repeat_contact_rate_7d", None),
    "transfer_rate": ("transfer_rate", None),
    "no_show_rate": ("failure_rate", None),
    "csat_mean": ("csat_mean", "csat_sd"),
    "cost_to_serve": ("cost_per_contact", "cost_sd"),
    "abandonment_rate": ("abandonment_rate", None),
}

#: Who must own a use case before it leaves draft: one person each from technology, operations and commercial.
OWNER_ROLES = ("technology", "operations", "commercial")


def _slug(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")


def touchpoint_scope(intent: str, journey_stage: str) -> dict[str, list[str]]:
    """A pilot spec's scope (PilotSpec.scope) for one intent x stage: the contacts its readout and its plan read."""
    return {"intent": [intent], "journey_stage": [journey_stage]}


def choose_metric(hotspot: Hotspot) -> Suggestion:
    """What to propose for a hotspot: from its first friction kind whose baseline the data has; without kinds, from
    the largest part of its avoidable cost."""
    for kind in hotspot.kinds:
        suggestion = SUGGESTION_FOR_KIND[kind]
        if getattr(hotspot.baseline, _BASELINE[suggestion.metric][0]) is not None:
            return suggestion
    parts = hotspot.avoidable_cost_parts
    if (parts.transfers or 0) > (parts.repeat_contacts or 0) + (parts.channel_switches or 0):
        return SUGGESTION_FOR_KIND["transfers"]
    if hotspot.baseline.repeat_contact_rate_7d:
        return SUGGESTION_FOR_KIND["repeat_contacts"]
    return SUGGESTION_FOR_KIND["long_waits"]


def _guardrails(metric: str, baseline: Baseline) -> list[Guardrail]:
    """The suggested guardrails the data can measure, with their baselines at the touchpoint."""
    out = []
    for name, harm, field in GUARDRAILS_FOR_METRIC[metric]:
        value = None if field is None else getattr(baseline, field)
        if field is None or value is not None:
            out.append(Guardrail(metric=name, max_harm=HarmLimit(relative=harm), baseline=value))
    return out


def draft_use_case(hotspot: Hotspot, period: DiagnosisPeriod, currency: str, source: str, alpha: float = 0.05,
                   power: float = 0.8, plan: Plan | None = None) -> UseCaseDraft:
    """The draft spec for one ranked hotspot of a diagnosis.

    plan: the pilot window and size from the measurement engine's power calculation (see diagnosis.plan_window);
    without it the window comes from a normal approximation over the touchpoint's contacts
    (cxscale/journey/planning.py). A pilot that cannot detect the target within MAX_PILOT_DAYS days (or, by agent
    or site, with the units that exist) gets no window: its `pilot_size` says so and what is detectable instead.
    """
    suggestion = choose_metric(hotspot)
    metric, unit, rel, verb = suggestion.metric, suggestion.unit, suggestion.change, suggestion.verb
    field, sd_field = _BASELINE[metric]
    baseline = getattr(hotspot.baseline, field)
    sd = getattr(hotspot.baseline, sd_field) if sd_field else None
    target = baseline * (1 + rel)
    if sd_field is None:
        target = min(max(target, 0.0), 1.0)
    window, size = plan if plan is not None else (None, None)
    if plan is None and baseline and target != baseline and (sd_field is None or sd):
        units_per_day = hotspot.volume / max(period.days, 1e-9)
        w = pilot_window(baseline, target, units_per_day, sd=sd, alpha=alpha, power=power)
        size = _contacts_size(w, units_per_day, baseline, rel, sd, hotspot.volume, alpha, power)
        window = w if size.feasible else None
    where = f"{hotspot.intent} at {hotspot.journey_stage}"
    per_year = hotspot.avoidable_cost_per_year or 0.0
    draft_id = _slug("uc", hotspot.intent, hotspot.journey_stage, metric)
    guardrails = _guardrails(metric, hotspot.baseline)
    measurement_days = (window.measurement_days if window is not None else None) or 28
    return UseCaseDraft(
        draft_version=DRAFT_VERSION,
        id=draft_id,
        title=f"{verb} for {where}",
        status="draft",
        problem=(
            f"Contacts about {hotspot.intent} at the {hotspot.journey_stage} stage rank #{hotspot.rank} "
            f"among journey hotspots (score {hotspot.score}): "
            f"{', '.join(hotspot.kinds) or 'high avoidable cost'}; "
            f"{per_year:,.0f} {currency} a year of avoidable cost."
        ),
        evidence=list(hotspot.evidence),
        journey_touchpoint=Touchpoint(intent=hotspot.intent, journey_stage=hotspot.journey_stage,
                                      channel=hotspot.channel, channel_share=hotspot.channel_share),
        mechanism=Mechanism(capability=suggestion.capability, summary=suggestion.mechanism.format(
            intent=hotspot.intent, stage=hotspot.journey_stage, channel=hotspot.channel)),
        business_metric=BusinessMetric(name=metric, unit=unit, baseline=baseline,
                                       direction="increase" if rel > 0 else "decrease",
                                       baseline_period=BaselinePeriod(start=period.start, end=period.end)),
        target=DraftTarget(value=round(target, 6), relative_change=rel),
        money_at_stake=MoneyAtStake(avoidable_cost_per_year=per_year, currency=currency,
                                    estimated_savings_per_year_at_target=round(per_year * abs(rel), 2)
                                    if metric in ("repeat_contact_rate_7d", "transfer_rate", "cost_to_serve")
                                    else None),
        guardrails=guardrails,
        owners=Owners(**dict.fromkeys(OWNER_ROLES)),
        pilot_window=window,
        pilot_size=size,
        # What `cxscale measure` reads once the pilot has run (docs/pilot-spec.md): customer-randomised 50/50, the
        # business metric with its target, the guardrails, the measurement window of the plan.
        pilot_spec=PilotSpec.model_validate({
            "spec_version": 1, "pilot": draft_id, "description": f"{verb} for {where} (draft from a diagnosis)",
            "design": "randomised", "unit": "customer",
            "scope": touchpoint_scope(hotspot.intent, hotspot.journey_stage),
            "primary": {"metric": metric, "target": {"relative": rel}},
            "guardrails": [{"metric": g.metric, "max_harm": {"relative": g.max_harm.relative}} for g in guardrails],
            "windows": {"pre_days": 28, "post_days": int(measurement_days)},
            "value": {"currency": currency},
        }),
        source=DraftSource(diagnosis=source, hotspot_rank=hotspot.rank),
    )


def _contacts_size(w: PilotWindow, units_per_day: float, baseline: float, rel: float, sd: float | None,
                   volume: int, alpha: float, power: float) -> PilotSize:
    """The pilot size of a fallback window (contacts, which arrive at the period's rate, `units_per_day` a day):
    feasible within MAX_PILOT_DAYS days, else what the contacts of MAX_PILOT_DAYS days would detect."""
    needed = 2 * w.sample_size_per_arm
    feasible = w.days <= MAX_PILOT_DAYS
    available = int(MAX_PILOT_DAYS * units_per_day)
    mde_rel = mde_abs = None
    if available >= 4:
        flip = sd is None and rel < 0  # a rate's fall of p is a rise of 1 - p
        p = power_plan(1 - baseline if flip else baseline, sd, n_per_arm=available / 2, alpha=alpha, power=power,
                       proportion=sd is None)
        if math.isfinite(p.mde_abs):
            mde_rel, mde_abs = abs(p.mde_abs / baseline), abs(p.mde_abs)
    need = f"detecting {rel:+.1%} needs {needed:,} contacts ({w.sample_size_per_arm:,} per arm)"
    if feasible:
        note = f"{need}: about {w.days:,} days at {units_per_day:,.1f} contacts a day"
    else:
        if mde_rel is None:
            instead = "are too few to detect any change"
        elif rel < 0 and mde_rel >= 1:
            instead = f"would detect only a fall of {mde_rel:.0%}, more than the whole baseline: no reduction"
        else:
            instead = f"would detect changes of {mde_rel:.1%} ({mde_abs:,.4g}) or more in either direction"
        note = (f"not feasible within {MAX_PILOT_DAYS} days: {need}, about {w.days:,} days at "
                f"{units_per_day:,.1f} contacts a day; the {available:,} contacts of {MAX_PILOT_DAYS} days {instead}")
    return PilotSize(feasible=feasible, unit="contact", needed=needed, population=volume, units_available=available,
                     max_days=MAX_PILOT_DAYS, mde_relative_all_units=mde_rel, mde_abs_all_units=mde_abs, note=note)


#: The order a draft's YAML file reads in: what and why, where, what would act, the numbers it must move and must
#: not harm, who owns it, the pilot, and where it came from; a plan's window from its length to its method. (The
#: model's own order groups the fields by the version that added them.)
_WRITTEN_ORDER = ("draft_version", "id", "title", "status", "problem", "evidence", "journey_touchpoint", "mechanism",
                  "business_metric", "target", "money_at_stake", "guardrails", "owners", "pilot_window", "pilot_size",
                  "pilot_spec", "source")
_WINDOW_ORDER = ("days", "days_to_enrol", "measurement_days", "sample_size_per_arm", "unit", "units_per_day",
                 "baseline_per_unit", "split", "alpha", "power", "method")


def _in_order(fields: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """`fields` with the keys of `order` first, in that order (those of a newer producer after them)."""
    return {k: fields[k] for k in order if k in fields} | {k: v for k, v in fields.items() if k not in order}


def dump_draft(draft: UseCaseDraft) -> str:
    """The draft as YAML text, in the order it reads."""
    written = _in_order(draft.as_json(), _WRITTEN_ORDER)
    if written.get("pilot_window"):
        written["pilot_window"] = _in_order(written["pilot_window"], _WINDOW_ORDER)
    return yaml.safe_dump(written, sort_keys=False, allow_unicode=True, width=110)


#: The hotspot's figures a use case's evidence copies (name in the use case: the baseline field), in the
#: diagnosis's units; those the data lacks (null) are left out.
EVIDENCE_FIGURES = ("repeat_contact_rate_7d", "transfer_rate", "channel_switch_rate", "long_wait_rate",
                    "abandonment_rate", "failure_rate", "first_contact_resolution", "aht_seconds", "csat_mean",
                    "cost_per_contact")
#: Every role a use case names one accountable person for (cxscale.portfolio.lint.OWNER_ROLES).
USE_CASE_OWNERS = (*OWNER_ROLES, "executive_sponsor")


def evidence_figures(hotspot: Hotspot) -> dict[str, float]:
    """The numbers of a hotspot a use case copies as its evidence: contacts, main channel share, score, money per
    year and the baseline rates the data has."""
    figures: dict[str, float | None] = {
        "contacts": hotspot.volume, "channel_share": hotspot.channel_share, "score": hotspot.score,
        "cost_per_year": hotspot.cost_per_year, "avoidable_cost_per_year": hotspot.avoidable_cost_per_year,
        **{name: getattr(hotspot.baseline, name) for name in EVIDENCE_FIGURES}}
    return {k: float(v) for k, v in figures.items() if v is not None and math.isfinite(v)}


def use_case_of(draft: UseCaseDraft, hotspot: Hotspot | None = None, *, diagnosis: str | None = None,
                pilot_spec: str | None = None) -> UseCase:
    """The portfolio's use case (usecase_version 1) of a draft: problem, evidence, mechanism, metric, guardrails,
    design and pilot spec filled from the diagnosis, the owners left empty for people to name.

    hotspot: the draft's hotspot, whose figures become the evidence (without it, the draft's baseline and money);
    diagnosis: what the figures were copied from (default: the data the diagnosis read); pilot_spec: the file name
    of the pilot spec relative to the use case (default: the spec embedded)."""
    tp, bm = draft.journey_touchpoint, draft.business_metric
    if hotspot is not None:
        figures = evidence_figures(hotspot)
    else:
        given = {"channel_share": tp.channel_share, bm.name: bm.baseline,
                 "avoidable_cost_per_year": draft.money_at_stake.avoidable_cost_per_year}
        figures = {k: float(v) for k, v in given.items() if v is not None and math.isfinite(v)}
    spec = draft.pilot_spec
    window = spec.windows.post_days if spec is not None else 28
    return UseCase.model_validate({
        "usecase_version": USECASE_VERSION, "id": draft.id, "title": draft.title,
        "problem": {"journey_stage": tp.journey_stage, "intent": tp.intent, "channel": tp.channel,
                    "evidence": {"diagnosis": diagnosis or draft.source.diagnosis,
                                 "hotspot_rank": draft.source.hotspot_rank, "figures": figures}},
        "mechanism": draft.mechanism.summary if draft.mechanism else None,
        "capabilities": [draft.mechanism.capability] if draft.mechanism else [],
        "metric": {"name": bm.name, "direction": "lower" if bm.direction == "decrease" else "higher",
                   "baseline": bm.baseline, "target": {"relative": draft.target.relative_change},
                   "window_days": window},
        "guardrails": [{"metric": g.metric, "max_harm": {"relative": g.max_harm.relative}}
                       for g in draft.guardrails or []],
        "design": {"type": "randomised", "unit": spec.unit if spec else "customer", "holdout_share": 0.5},
        "pilot_spec": pilot_spec if pilot_spec is not None else spec,
        "data_sources": [draft.source.diagnosis],
        "owners": dict.fromkeys(USE_CASE_OWNERS),
    })


def dump_use_case(uc: UseCase, header: str = "") -> str:
    """A use case as YAML text in the order of the document, with empty owner slots written out as null (what is
    left to fill), after `header` (comment lines)."""
    data = uc.model_dump(mode="json", exclude_none=True)
    figures = data.get("problem", {}).get("evidence", {}).get("figures", {})
    for name, value in figures.items():  # counts read as counts (contacts: 15163, not 15163.0)
        if float(value).is_integer() and abs(value) < 2**53:
            figures[name] = int(value)
    if uc.owners is not None:
        data["owners"] = uc.owners.model_dump(mode="json")
    return header + dump_yaml(data)


def _header(draft: UseCaseDraft) -> str:
    """What a drafted use case says on top: where it came from, what a person must fill, and what to check."""
    lines = [f"A use case drafted by `cxscale diagnose` from hotspot #{draft.source.hotspot_rank} of "
             f"{draft.source.diagnosis} (docs/use-case-draft.md).",
             "To fill before it can leave idea: owners (technology, operations, commercial, executive_sponsor), one",
             "accountable person each. Review the target, the guardrails and the mechanism: they are starting points.",
             "Check it with `cxscale usecase lint FILE --data DATA` (docs/portfolio.md)."]
    size = draft.pilot_size
    if size is not None and not size.feasible:
        lines += ["The target as drafted is not detectable (the lint reports undetectable-target):", *_wrap(size.note)]
    elif size is not None and size.unit == "contact":
        lines += ["No power plan could be made on the data (the lint with --data reports undetectable-target); the "
                  "drafted", "window is a normal approximation over contacts: " + size.note]
    return "".join(f"# {line}\n" for line in lines)


def _wrap(text: str, width: int = 110) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*out, line] if line else out


def write_drafts(drafts: list[UseCaseDraft], folder: Path, hotspots: Sequence[Hotspot] = (),
                 diagnosis: str | None = None) -> list[Path]:
    """Write each draft as the use case `<id>.usecase.yaml` into `folder` (use_case_of, with the figures of its
    hotspot among `hotspots`, matched by rank), and beside it its pilot spec `<id>.pilot.yaml`, which the use case
    names and `cxscale measure` reads once the pilot has run. Returns the use cases' paths."""
    folder.mkdir(parents=True, exist_ok=True)
    by_rank = {h.rank: h for h in hotspots}
    written = []
    for draft in drafts:
        spec_file = f"{draft.id}.pilot.yaml" if draft.pilot_spec is not None else None
        if draft.pilot_spec is not None:
            dump_spec(draft.pilot_spec, folder / f"{draft.id}.pilot.yaml")
        uc = use_case_of(draft, by_rank.get(draft.source.hotspot_rank), diagnosis=diagnosis, pilot_spec=spec_file)
        path = folder / f"{draft.id}.usecase.yaml"
        path.write_text(dump_use_case(uc, _header(draft)), encoding="utf-8")
        written.append(path)
    return written
