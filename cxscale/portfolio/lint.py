"""`cxscale usecase lint`: tell a use case from a slogan (docs/portfolio.md#lint-rules).

`lint_use_case` is pure: a use case, its pilot spec and the metric catalog in, findings out. `detectability` turns
a power plan (cxscale.measure.power.plan_pilot, on the baseline data) into findings; `lint_file` reads a file,
its referenced pilot spec and, given data, plans the pilot.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cxscale.documents.pilot_spec import PilotSpec, load_spec
from cxscale.documents.use_case import UseCase, load_use_case
from cxscale.errors import CxscaleError
from cxscale.metrics.catalog import Catalog, builtin_catalog

if TYPE_CHECKING:
    from cxscale.data.dataset import Dataset
    from cxscale.measure.power import PilotPlan

Severity = Literal["error", "warning"]

#: Words that mark a metric of the technology rather than of the business (the words of the metric's name).
TECHNICAL_WORDS = frozenset({"accuracy", "containment", "contained", "deflection", "deflected", "f1", "precision",
                             "recall", "auc", "latency", "bleu", "wer", "uptime"})
_WHY_TECHNICAL = ("it measures the model or the bot, not money or a customer outcome: it can rise while cost, "
                  "repeat contacts or satisfaction get worse. Make a business metric the primary (cost_to_serve, "
                  "repeat_contact_rate_7d, resolution_rate, no_show_rate, conversion_rate) and keep this one as a "
                  "secondary diagnostic")
#: The days a metric reads after each event ("days_to_next_contact <= 7", "days_of_data_after >= 7").
_OWN_WINDOW = re.compile(r"days_(?:to_next_contact|of_data_after)\s*[<>]=?\s*(\d+)")
OWNER_ROLES = ("technology", "operations", "commercial", "executive_sponsor")
#: The file names a folder's use cases have (`cxscale usecase lint DIR`).
USE_CASE_GLOBS = ("*.usecase.yaml", "*.usecase.yml")


@dataclass(frozen=True)
class Finding:
    """One problem of a use case: the rule broken, how bad (an error fails the lint), the key path, and what was
    found, with the numbers."""

    rule: str
    severity: Severity
    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def _error(rule: str, path: str, message: str) -> Finding:
    return Finding(rule, "error", path, message)


def _warning(rule: str, path: str, message: str) -> Finding:
    return Finding(rule, "warning", path, message)


def is_technical(name: str, catalog: Catalog) -> str | None:
    """Why `name` is a technical metric (it does not show business value), or None for a business metric."""
    if name in catalog and catalog.get(name).kind == "technical":
        return " ".join(catalog.get(name).why_not_business.split()) or _WHY_TECHNICAL
    if TECHNICAL_WORDS & set(name.lower().split("_")):
        return _WHY_TECHNICAL
    return None


def metric_window_days(name: str, catalog: Catalog) -> int:
    """The days of data a metric reads after each event (7 for a 7-day repeat rate); 1 when it reads none."""
    m = catalog.get(name)
    texts = [t for part in (m.numerator, m.denominator) if part is not None for t in (part.value, part.filter) if t]
    return max([int(d) for t in texts for d in _OWN_WINDOW.findall(t)], default=1)


def lint_use_case(uc: UseCase, spec: PilotSpec | None = None, catalog: Catalog | None = None) -> list[Finding]:
    """Every finding of a use case. `spec`: the pilot spec of its `pilot_spec` file (resolve_pilot_spec); an
    embedded spec is read from the use case itself."""
    cat = catalog or builtin_catalog()
    if spec is None and isinstance(uc.pilot_spec, PilotSpec):
        spec = uc.pilot_spec
    out = _presence(uc)
    out += _metric(uc, cat)
    out += _guardrails(uc)
    out += _design(uc)
    out += _pilot_spec(uc, spec)
    return out


def _presence(uc: UseCase) -> list[Finding]:
    out = []
    if uc.id is None:
        out.append(_error("no-id", "id", "no id: give the use case a short name (lowercase, digits, - and _)"))
    if uc.title is None:
        out.append(_error("no-title", "title", "no title"))
    p = uc.problem
    where = {k: getattr(p, k) for k in ("journey_stage", "intent", "channel")} if p else {}
    missing = [k for k in ("journey_stage", "intent", "channel") if where.get(k) is None]
    if len(missing) == 3:
        out.append(_error("no-touchpoint", "problem", "no touchpoint: say where in the journey it acts "
                          "(problem.journey_stage, problem.intent, problem.channel)"))
    elif missing:
        out.append(_warning("no-touchpoint", "problem", f"the touchpoint has no {' or '.join(missing)}"))
    if p is None or p.evidence is None:
        out.append(_warning("no-evidence", "problem.evidence", "no evidence: copy the figures that show the problem "
                            "from a diagnosis (cxscale diagnose --json) and name the diagnosis"))
    if uc.mechanism is None:
        out.append(_error("no-mechanism", "mechanism", "no mechanism: say in words how AI is meant to move the "
                          "metric"))
    m = uc.metric
    if m is None or m.name is None:
        out.append(_error("no-business-metric", "metric.name", "no business metric: name the metric of the catalog "
                          "that must move (e.g. cost_to_serve, no_show_rate)"))
    if m is None or m.target is None:
        out.append(_error("no-target", "metric.target", "no target: say how much the metric must move (relative: "
                          "-0.30 = 30% lower, or absolute in metric units)"))
    if m is None or m.window_days is None:
        out.append(_error("no-window", "metric.window_days", "no window: say over how many days the target is read"))
    if m is not None and m.name is not None and m.baseline is None:
        out.append(_warning("no-baseline", "metric.baseline", f"no baseline for {m.name}: copy it from the "
                            "diagnosis or the data"))
    owners = uc.owners
    for role in OWNER_ROLES:
        if owners is None or getattr(owners, role) is None:
            what = "executive sponsor" if role == "executive_sponsor" else f"{role} owner"
            out.append(_error("no-owner", f"owners.{role}", f"no {what}: name one accountable person"))
    if not uc.data_sources:
        out.append(_warning("no-data-sources", "data_sources", "no data sources: say where the metric's data "
                            "comes from"))
    return out


def _metric(uc: UseCase, cat: Catalog) -> list[Finding]:
    m = uc.metric
    if m is None or m.name is None:
        return []
    why = is_technical(m.name, cat)
    if why is not None:
        return [_error("technical-metric", "metric.name", f"{m.name} is a technical metric and does not show "
                       f"business value: {why}")]
    if m.name not in cat:
        return [_error("unknown-metric", "metric.name", f"{m.name} is not a metric of the catalog (known: "
                       f"{', '.join(cat.names)}); add it with --metrics FILE")]
    out = []
    known = cat.get(m.name).direction
    if m.direction is not None and m.direction != known:
        out.append(_error("wrong-direction", "metric.direction", f"{m.name} is better {known} (the catalog), "
                          f"not {m.direction}"))
    if m.target is not None:
        change = m.target.relative if m.target.relative is not None else m.target.absolute
        kind = "relative" if m.target.relative is not None else "absolute"
        assert change is not None
        if change == 0 or (change > 0) != (known == "higher"):
            want = "negative (lower is better)" if known == "lower" else "positive (higher is better)"
            out.append(_error("target-wrong-way", f"metric.target.{kind}", f"the target {change:+g} points the "
                              f"wrong way for {m.name}: it must be {want}"))
        why = cat.get(m.name).beyond_reach(m.target.relative, m.target.absolute)
        if why is not None:
            out.append(_error("target-out-of-range", f"metric.target.{kind}", f"the target {why}: no pilot can "
                              "reach it"))
    if m.window_days is not None:
        own = metric_window_days(m.name, cat)
        if m.window_days < own:
            out.append(_error("window-too-short", "metric.window_days", f"a {m.window_days}-day window is shorter "
                              f"than {m.name}'s own {own} days: give window_days of at least {own}"))
    return out


def _guardrails(uc: UseCase) -> list[Finding]:
    out = []
    primary = uc.metric.name if uc.metric else None
    for i, g in enumerate(uc.guardrails):
        if g.metric == primary:
            out.append(_error("guardrail-is-primary", f"guardrails[{i}].metric", f"{g.metric} is the primary "
                              "metric: a guardrail protects another metric (e.g. csat_mean, repeat_contact_rate_7d)"))
        if g.max_harm is None:
            out.append(_warning("guardrail-no-limit", f"guardrails[{i}].max_harm", f"guardrail {g.metric} has no "
                                "limit: give max_harm (the worst tolerated change)"))
    return out


def _design(uc: UseCase) -> list[Finding]:
    d = uc.design
    if d is None:
        return [_warning("no-design", "design", "no design: randomised (unit, holdout_share) or staged_rollout "
                         "(stages)")]
    if d.type == "randomised" and d.holdout_share is None:
        return [_error("design-incomplete", "design.holdout_share", "a randomised design needs holdout_share (the "
                       "share of units kept as control, 0-1)")]
    if d.type == "staged_rollout" and not d.stages:
        return [_error("design-incomplete", "design.stages", "a staged rollout needs stages (the waves in order)")]
    return []


def _pilot_spec(uc: UseCase, spec: PilotSpec | None) -> list[Finding]:
    if spec is None and uc.pilot_spec is not None:
        return []  # a file not read here
    if spec is None:
        return [_warning("no-pilot-spec", "pilot_spec", "no pilot spec: embed the spec the pilot will be read out "
                         "with, or give its file (docs/pilot-spec.md)")]
    out = []
    m = uc.metric
    if m is not None and m.name is not None and spec.primary.metric != m.name:
        out.append(_error("pilot-spec-mismatch", "pilot_spec.primary.metric", f"the pilot spec reads "
                          f"{spec.primary.metric}, the use case's metric is {m.name}"))
    if m is not None and m.window_days is not None and spec.windows.post_days != m.window_days:
        out.append(_warning("pilot-spec-mismatch", "pilot_spec.windows.post_days", f"the pilot spec reads "
                            f"{spec.windows.post_days} days, the use case's window is {m.window_days}"))
    if uc.design is not None and spec.unit != uc.design.unit:
        out.append(_error("pilot-spec-mismatch", "pilot_spec.unit", f"the pilot spec assigns {spec.unit}s, the "
                          f"design {uc.design.unit}s"))
    return out


def detectability(plan: PilotPlan) -> list[Finding]:
    """A finding when the planned pilot cannot detect its target (the plan's numbers: units needed and available,
    the smallest detectable change)."""
    if plan.feasible:
        return []
    mde = (f"{plan.units_available:,} {plan.unit}s detect changes of {plan.mde_relative_all_units:.1%} "
           f"({plan.mde_abs_all_units:,.4g}) or more" if plan.mde_relative_all_units is not None and
           plan.units_available is not None else "no change is detectable with the units available")
    return [_error("undetectable-target", "metric.target", f"the {plan.target_relative:+.1%} target of "
                   f"{plan.metric} (baseline {plan.baseline:,.4g}) needs {plan.n_total:,} {plan.unit}s "
                   f"({plan.n_per_arm:,} per arm) in a {plan.window_days}-day window, available "
                   f"{plan.units_available or 0:,} within {plan.max_days} days: {mde}")]


def resolve_pilot_spec(uc: UseCase, path: Path) -> PilotSpec | None:
    """The use case's pilot spec: embedded, or read from its file (relative to the use case's folder)."""
    if isinstance(uc.pilot_spec, str):
        return load_spec(path.parent / uc.pilot_spec)
    return uc.pilot_spec


def lint_file(path: str | Path, data: Dataset | None = None, catalog: Catalog | None = None) -> list[Finding]:
    """Every finding of the use case in `path`; a file that is not a use case is one `invalid` finding. With `data`,
    also whether the target is detectable (plan_pilot with the spec's unit, window and scope)."""
    p = Path(path)
    try:
        uc = load_use_case(p)
    except CxscaleError as exc:
        return [_error("invalid", "", str(exc))]
    try:
        spec = resolve_pilot_spec(uc, p)
    except CxscaleError as exc:
        rest = [f for f in lint_use_case(uc, None, catalog) if f.rule != "no-pilot-spec"]
        return [_error("invalid", "pilot_spec", str(exc)), *rest]
    found = lint_use_case(uc, spec, catalog)
    if data is not None and not any(f.severity == "error" and f.path.startswith("metric") for f in found):
        found += _plan(uc, spec, data, catalog)
    return found


def _plan(uc: UseCase, spec: PilotSpec | None, data: Dataset, catalog: Catalog | None) -> list[Finding]:
    from cxscale.measure.power import plan_pilot

    m = uc.metric
    assert m is not None and m.name is not None and m.target is not None and m.window_days is not None
    unit = spec.unit if spec else uc.design.unit if uc.design else "customer"
    scope = spec.scope.values() if spec is not None and spec.scope is not None else None
    try:
        plan = plan_pilot(data, m.name, m.target.relative, target_absolute=m.target.absolute, unit=unit,
                          window_days=m.window_days, catalog=catalog, scope=scope)
    except CxscaleError as exc:
        return [_error("undetectable-target", "metric.target", f"no power plan on the data: {exc}")]
    return detectability(plan)


def use_case_files(paths: list[Path]) -> list[Path]:
    """The files to lint: each file given, and a folder's *.usecase.yaml files (recursively), in order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted({f for g in USE_CASE_GLOBS for f in p.rglob(g)})
        else:
            out.append(p)
    return out
