"""The readout of a capability pilot (docs/capability-pilots.md#readout): the headline intent-to-treat effect on every
assigned unit (cxscale.measure.readout, unchanged), plus from the exposures and feedback logged in both arms:

- the triggered effect: each metric on the triggered interactions of the units with a triggered exposure in the post
  window, in both arms (control computes its suggestion too, so its triggered contacts are the counterfactual);
- the sample-ratio check on those triggered units (a mismatch: triggering depends on the arm);
- the funnel per arm: decisions -> triggered -> shown -> used (feedback accepted or edited);
- the primary metric's intent-to-treat effect by tenure band (agents.tenure_months or customers.tenure_months);
- for a wrap-up capability, the anchoring guardrail: the mix of saved wrap-up codes by arm (cxscale.measure.anchoring).

Everything is computed in the engine as per-arm sufficient statistics (cxscale.measure.sufficient) and a few counts;
the statistics are cxscale.stats' (Welch, delta method).
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir

from cxscale.contract import USED_ACTIONS
from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import Capability, PilotSpec
from cxscale.documents.readout import (
    CapabilityEffect,
    CapabilitySection,
    FunnelStep,
    ReadoutDocument,
    Srm,
    TenureBand,
)
from cxscale.measure import effects, verdict
from cxscale.measure.anchoring import WRAP_UP_CAPABILITIES, anchoring_check
from cxscale.measure.readout import _expected_split, metric_roles, readout
from cxscale.measure.sufficient import MetricArmStats, pilot_stats
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.definition import MetricDef
from cxscale.stats.models import RatioStats

__all__ = ["capability_readout"]

#: Where the tenure of a unit of each type is read (table, id column, tenure column in months).
TENURE = {"agent": ("agents", "agent_id"), "customer": ("customers", "customer_id")}
TENURE_COLUMN = "tenure_months"


def capability_readout(spec: PilotSpec, data: Dataset, catalog: Catalog | None = None) -> ReadoutDocument:
    """The readout of a spec with a `capability:` block: the randomised readout with its capability section."""
    assert spec.capability is not None, "a capability pilot's spec"
    catalog = catalog or builtin_catalog()
    doc = readout(spec, data, catalog)
    if not data.has("exposures"):
        doc.warnings.append(f"capability {spec.capability.name}: the data has no exposures table, so the readout has "
                            "no triggered effect and no funnel; log every decision in both arms "
                            "(docs/capability-pilots.md#logging-both-arms)")
        return doc
    if spec.scope is not None:
        data = data.at(spec.scope.values(), check=False)
    cap = spec.capability
    a = _assignments(data, spec)
    e = _exposures(data, spec)
    funnel = _funnel(data, spec, e)
    doc.warnings.extend(_unmatched(e, a, spec))
    defs = [m for _, _, m in metric_roles(spec, catalog)]
    defs = list({m.name: m for m in defs}.values())
    trig_units, trig_interactions = _triggered(a, e, spec)
    counts = {r["arm"]: int(r["n"]) for r in trig_units.group_by("arm").aggregate(n=trig_units.count())
              .to_pyarrow().to_pylist()}
    counts = {arm: counts.get(arm, 0) for arm in spec.arms}
    expected = _expected_split(spec)
    srm_p = effects.srm_p_value(counts, expected) if sum(counts.values()) else float("nan")
    srm_ok = not (srm_p < verdict.SRM_ALPHA)
    triggered: list[CapabilityEffect] = []
    if cap.triggered and all(counts[arm] >= 2 for arm in spec.arms):
        i = data.interactions
        narrowed = _with_interactions(data, i.filter(i.interaction_id.isin(trig_interactions.interaction_id)))
        ps = pilot_stats(narrowed, spec, defs, cuped=False, assignments=trig_units)
        triggered = [_effect(m, arm, ps.stats, spec) for m in defs for arm in spec.treatments]
    elif cap.triggered:
        doc.warnings.append(f"capability {cap.name}: fewer than 2 triggered units in an arm ({_counts(counts)}), so "
                            "there is no triggered effect")
    if not srm_ok:
        doc.warnings.append(f"capability {cap.name}: triggered units per arm ({_counts(counts)}) do not match the "
                            f"planned split (p = {srm_p:.2g}): triggering depends on the arm (is every decision "
                            "logged in control too?), so the triggered effect is not comparable")
    source, bands = _by_tenure(data, spec, cap, a, defs[0])
    anchoring = None
    if cap.name in WRAP_UP_CAPABILITIES:
        anchoring, notes = anchoring_check(data, spec, a)
        doc.warnings.extend(notes)
    doc.capability = CapabilitySection(
        name=cap.name, funnel=funnel, triggered_units=counts,
        srm_triggered=Srm(p_value=srm_p, ok=srm_ok, threshold=verdict.SRM_ALPHA, counts=counts,
                          applicable=not math.isnan(srm_p)),
        triggered=triggered, tenure_source=source, by_tenure=bands, anchoring=anchoring)
    return doc


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{a} {n:,}" for a, n in counts.items())


def _assignments(ds: Dataset, spec: PilotSpec) -> ir.Table:
    a = ds.assignments
    return a.filter((a.pilot == spec.pilot) & (a.unit_type == spec.unit)).select("unit_id", "arm", "assigned_at")


def _exposures(ds: Dataset, spec: PilotSpec) -> ir.Table:
    e = ds.table("exposures")
    assert spec.capability is not None
    return e.filter((e.pilot_id == spec.pilot) & (e.unit_type == spec.unit) & (e.capability == spec.capability.name))


def _with_interactions(ds: Dataset, interactions: ir.Table) -> Dataset:
    return Dataset(ds.con, {**ds.tables, "interactions": interactions}, ds.source, list(ds.notes), ds.report)


def _triggered(a: ir.Table, e: ir.Table, spec: PilotSpec) -> tuple[ir.Table, ir.Table]:
    """The units (unit_id, arm, assigned_at) with a triggered exposure in their post window, and those exposures'
    interaction ids. The arm is the assignment's: the exposure's own arm only says what was logged."""
    t = e.filter(e.triggered).select("unit_id", "interaction_id", "ts")
    j = t.inner_join(a, "unit_id")
    j = j.filter((j.ts >= j.assigned_at) & (j.ts < j.assigned_at + ibis.interval(days=spec.windows.post_days)))
    units = a.semi_join(j.select("unit_id").distinct(), "unit_id")
    return units, j.select("interaction_id").distinct()


def _unmatched(e: ir.Table, a: ir.Table, spec: PilotSpec) -> list[str]:
    """A warning when exposures name units the pilot did not assign, or another arm than the assignment's: the
    funnel counts them as logged, the triggered effect uses the assigned arm (one grouped query)."""
    assigned = a.select(_uid=a.unit_id, _arm=a.arm)
    j = e.left_join(assigned, e.unit_id == assigned._uid)
    row = j.aggregate(unassigned=ibis.ifelse(j._uid.isnull(), 1, 0).sum(),
                      other_arm=ibis.ifelse(j._uid.notnull() & (j.arm != j._arm), 1, 0).sum()).to_pyarrow().to_pylist()[0]
    bad = {k: int(v or 0) for k, v in row.items()}
    if not any(bad.values()):
        return []
    return [f"capability {spec.capability.name if spec.capability else ''}: {bad['unassigned']:,} exposures name units "
            f"not assigned to pilot {spec.pilot} and {bad['other_arm']:,} an arm other than their assignment's; the "
            "funnel counts them as logged, the triggered effect uses the assigned arm: fix the logging"]


def _funnel(ds: Dataset, spec: PilotSpec, e: ir.Table) -> list[FunnelStep]:
    """Per arm of the exposures: decisions, triggered, shown and used (a shown suggestion with feedback accepted or
    edited, counted once however many actions it had)."""
    flag = e.mutate(_used=ibis.literal(False))
    if ds.has("feedback"):
        f = ds.table("feedback")
        used = f.filter(f.action.isin(USED_ACTIONS)).select(_sid=f.suggestion_id).distinct()
        flag = e.left_join(used, e.suggestion_id == used._sid).mutate(_used=ibis._._sid.notnull())

    def n(flag_expr: ir.BooleanValue) -> ir.Scalar:
        return ibis.ifelse(flag_expr, 1, 0).sum()

    rows = flag.group_by("arm").aggregate(decisions=flag.count(), triggered=n(flag.triggered), shown=n(flag.shown),
                                          used=n(flag.shown & flag._used)).to_pyarrow().to_pylist()
    by_arm = {r["arm"]: r for r in rows}
    order = [a for a in spec.arms if a in by_arm] + sorted(set(by_arm) - set(spec.arms))
    out = []
    for arm in order:
        r = {k: int(by_arm[arm][k] or 0) for k in ("decisions", "triggered", "shown", "used")}
        out.append(FunnelStep(arm=arm, **r, trigger_rate=_share(r["triggered"], r["decisions"]),
                              shown_rate=_share(r["shown"], r["triggered"]), use_rate=_share(r["used"], r["shown"])))
    return out


def _share(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _effect(m: MetricDef, arm: str, stats: dict[tuple[str, str], MetricArmStats], spec: PilotSpec) -> CapabilityEffect:
    c, t = stats[(m.name, spec.control)].post, stats[(m.name, arm)].post
    e = effects.effect_of(c, t, spec.options.alpha)
    return CapabilityEffect(metric=m.name, arm=arm, n_control=c.n, n_treatment=t.n, control=_value(c),
                            treatment=_value(t), effect_abs=e.effect_abs, ci_abs=list(e.ci_abs),
                            effect_rel=e.effect_rel, ci_rel=list(e.ci_rel), p_value=e.p_value, method=e.method,
                            alpha=e.alpha)


def _value(s: object) -> float:
    return float(s.ratio if isinstance(s, RatioStats) else s.mean)  # type: ignore[attr-defined]


def _by_tenure(ds: Dataset, spec: PilotSpec, cap: Capability, a: ir.Table,
               primary: MetricDef) -> tuple[str | None, list[TenureBand]]:
    """The primary metric's intent-to-treat effect within each tenure band (one engine query per band)."""
    if spec.unit not in TENURE:  # a switchback's slots have no tenure
        return None, []
    table, key = TENURE[spec.unit]
    if not ds.has(table) or TENURE_COLUMN not in ds.table(table).columns:
        return None, []
    t = ds.table(table)
    tenure = t.select(_tid=t[key], _tenure=t[TENURE_COLUMN].cast("float64"))
    edges = list(cap.tenure_bands)
    bands = []
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else None
        keep = tenure.filter((tenure._tenure >= lo) & ((tenure._tenure < hi) if hi is not None else True))
        units = a.semi_join(keep, a.unit_id == keep._tid)
        label = f"{lo:g}-{hi:g} months" if hi is not None else f"{lo:g}+ months"
        n = {r["arm"]: int(r["n"]) for r in units.group_by("arm").aggregate(n=units.count()).to_pyarrow().to_pylist()}
        effect = None
        if all(n.get(arm, 0) >= 2 for arm in spec.arms):
            ps = pilot_stats(ds, spec, [primary], assignments=units)
            c, tr = ps.stats[(primary.name, spec.control)], ps.stats[(primary.name, spec.treatments[0])]
            use_cuped = spec.options.cuped and c.cuped is not None and tr.cuped is not None and \
                c.pre is not None and tr.pre is not None and c.pre.variance > 0 and tr.pre.variance > 0  # type: ignore[union-attr]
            sc, st = (c.cuped, tr.cuped) if use_cuped else (c.post, tr.post)
            e = effects.effect_of(sc, st, spec.options.alpha)  # type: ignore[arg-type]
            effect = CapabilityEffect(
                metric=primary.name, arm=spec.treatments[0], n_control=c.post.n, n_treatment=tr.post.n,
                control=_value(c.post), treatment=_value(tr.post), effect_abs=e.effect_abs, ci_abs=list(e.ci_abs),
                effect_rel=e.effect_rel, ci_rel=list(e.ci_rel), p_value=e.p_value, method=e.method, alpha=e.alpha)
        bands.append(TenureBand(band=label, lower=lo, upper=hi, effect=effect))
    return f"{table}.{TENURE_COLUMN}", bands
