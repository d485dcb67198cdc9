"""The readout of a switchback pilot (routing): the unit is a queue x time slot (docs/capability-pilots.md#switchback).

A router's policy changes the waits and transfers of every contact in a queue, because they share one agent pool, so
contacts cannot be randomised one by one; the policy alternates per queue and slot instead, each slot's arm the hash
of its unit id QUEUE@START (cxscale.assignment.slot_arm). The readout is the capability readout on slot units:

1. every contact gets the id of its slot in the engine: its queue (the spec's capability.queue_by columns, joined by
   "|") and its started_at floored to capability.slot_minutes from midnight UTC; contacts in the first
   burn_in_minutes of a slot (still served from the queue the previous slot's policy built: carry-over) are left out;
2. cxscale.measure.capability then reads the slots as units: every metric is aggregated per slot (a ratio metric's
   numerator and denominator per slot), the effect and its interval come from per-arm sums over slots (Welch, the
   delta method), the SRM check counts slots, the funnel and the triggered effect read the exposures logged per slot.

The slot's window is the slot itself, so the engine reads each slot's contacts from its start (pre 0 days, post 1
day, no CUPED: a slot has no pre-period of its own). Impossible slots (an id that does not parse, slots of one queue
that overlap or sit off the slot grid) are one-line errors before anything is computed.
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir

from cxscale.data.dataset import Dataset, named
from cxscale.data.stage import slot_text, unparseable_slot
from cxscale.documents.pilot_spec import PilotSpec, Windows
from cxscale.documents.readout import ReadoutDocument, StratifiedEffect, SwitchbackSection
from cxscale.errors import DataError
from cxscale.measure.capability import capability_readout
from cxscale.measure.readout import metric_roles
from cxscale.measure.sufficient import SLOT_COLUMN, MetricArmStats, pilot_stats
from cxscale.metrics.catalog import Catalog, builtin_catalog
from cxscale.metrics.definition import MetricDef
from cxscale.stats.dist import t_ppf, t_sf
from cxscale.stats.models import MeanStats, RatioStats
from cxscale.stats.ratio import ratio_and_variance

__all__ = ["SLOT_COLUMN", "slotted", "switchback_readout"]

_EXAMPLES = 3
#: Joins an arm and a queue into one label, so that one engine query gives the sums per arm and queue.
_SEP = "\x1f"
_QUEUE_OF_ID = "^(.*)@[^@]*$"
#: The post-stratified estimate's time-of-day bands, in hours from midnight UTC (night, morning, afternoon,
#: evening): contact volume, handle times and waits follow the hour of day.
DAY_PART_HOURS = 6


def switchback_readout(spec: PilotSpec, data: Dataset, catalog: Catalog | None = None) -> ReadoutDocument:
    """The readout of a spec with unit slot: the capability readout with slots as units, plus its switchback
    section (slots and contacts per arm)."""
    cap = spec.capability
    assert cap is not None and cap.slot_minutes is not None, "a switchback spec (unit slot, capability.slot_minutes)"
    slots = _slots(data, spec)
    _check_slots(data, spec, slots)
    with_slots = slotted(data, spec)
    inner = spec.model_copy(update={"windows": Windows(pre_days=0, post_days=1),
                                    "options": spec.options.model_copy(update={"cuped": False})})
    catalog = catalog or builtin_catalog()
    doc = capability_readout(inner, with_slots, catalog)
    doc.switchback = _section(data, spec, slots)
    defs = list({m.name: m for _, _, m in metric_roles(spec, catalog)}.values())
    doc.switchback.stratified = _stratified(with_slots, inner, defs, slots)
    return doc


def _slots(ds: Dataset, spec: PilotSpec) -> ir.Table:
    a = ds.assignments
    return a.filter((a.pilot == spec.pilot) & (a.unit_type == "slot")).select("unit_id", "arm", "assigned_at")


def _queue(t: ir.Table, spec: PilotSpec) -> ir.StringValue:
    """A contact's queue: its queue_by columns as text (a null is "unknown"), joined by "|"."""
    assert spec.capability is not None
    parts = [named(t, c) for c in spec.capability.queue_by]
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out


def _slot_parts(t: ir.Table, spec: PilotSpec) -> tuple[ir.StringValue, ir.IntegerValue]:
    """(slot unit id, seconds since the slot started) of every contact, computed in the engine."""
    assert spec.capability is not None and spec.capability.slot_minutes is not None
    length = spec.capability.slot_minutes * 60
    seconds = t.started_at.epoch_seconds()
    start = (seconds // length) * length
    slot = _queue(t, spec) + "@" + slot_text(start.as_timestamp("s"))
    return slot, seconds - start


def slotted(ds: Dataset, spec: PilotSpec) -> Dataset:
    """The dataset with every contact's slot id in interactions.slot_id and the contacts inside a slot's burn-in
    left out (the other tables whole)."""
    assert spec.capability is not None
    burn_in = spec.capability.burn_in_minutes * 60

    def within(t: ir.Table) -> ir.Table:
        slot, offset = _slot_parts(t, spec)
        return t.mutate(**{SLOT_COLUMN: slot}).filter(offset >= burn_in)

    tables = {**ds.tables, "interactions": within(ds.interactions)}
    lean = {n: within(t) if n == "interactions" else t for n, t in ds.unwindowed.items()}
    return Dataset(ds.con, tables, ds.source, list(ds.notes), ds.report, lean)


def _check_slots(ds: Dataset, spec: PilotSpec, slots: ir.Table) -> None:
    """One-line DataErrors for slots no router could have run: an id that is not QUEUE@YYYY-MM-DDTHH:MMZ or whose
    assigned_at is another moment, a start off the slot grid (not a multiple of slot_minutes from midnight UTC),
    and two slots of one queue less than slot_minutes apart (overlapping: a contact would be in both)."""
    assert spec.capability is not None and spec.capability.slot_minutes is not None
    length = spec.capability.slot_minutes
    s = slots.mutate(_queue=slots.unit_id.re_extract(_QUEUE_OF_ID, 1))
    s = s.mutate(_prev=s.assigned_at.lag().over(group_by=s._queue, order_by=s.assigned_at))
    unparsed = unparseable_slot(s.unit_id, s.assigned_at)
    minute_of_day = s.assigned_at.hour() * 60 + s.assigned_at.minute()
    off_grid = ~unparsed & ((minute_of_day % length != 0) | (s.assigned_at.second() != 0))
    overlap = ~unparsed & s._prev.notnull() & (s.assigned_at < s._prev + ibis.interval(minutes=length))
    where = f"{ds.source}: assignments: pilot {spec.pilot}"
    rules = (
        (unparsed, "unparseable_slot", "a slot id is not QUEUE@YYYY-MM-DDTHH:MMZ assigned at that start (e.g. "
                                       "north@2026-01-19T08:00Z)"),
        (overlap, "overlapping_slots", f"a slot starts less than {length} minutes after the previous slot of its queue, so "
                                       "the two overlap"),
        (off_grid, "slot_off_grid", f"a slot does not start on the {length}-minute grid from midnight UTC "
                                    "(capability.slot_minutes), so no contact falls in it"),
    )
    counts = s.aggregate(**{rule: ibis.ifelse(bad, 1, 0).sum() for bad, rule, _ in rules}).to_pyarrow().to_pylist()[0]
    for bad, rule, what in rules:
        n = int(counts[rule] or 0)
        if n:
            rows = s.filter(bad).order_by("unit_id").limit(_EXAMPLES).select("unit_id", "assigned_at")
            examples = ", ".join(f"{r['unit_id']} (assigned_at {r['assigned_at']:%Y-%m-%d %H:%M:%S})"
                                 for r in rows.to_pyarrow().to_pylist())
            raise DataError(f"{where}: column unit_id: rule {rule}: {what}: {n:,} slot{'' if n == 1 else 's'}, "
                            f"e.g. {examples}")


def _stratified(ds: Dataset, spec: PilotSpec, metrics: list[MetricDef], slots: ir.Table) -> list[StratifiedEffect]:
    """Each metric's effect post-stratified by queue and time of day: per stratum (a queue in one DAY_PART_HOURS band
    of the day) the difference between the arms' per-slot estimates (a ratio over slots, or a mean), weighted by the
    stratum's share of the metric's denominator in both arms; the variance is the weighted sum of the strata's
    (weights held fixed), the reference t with the strata's pooled degrees of freedom. Queues and hours differ in
    volume, handle time and waits, and a slot's arm is independent of both, so this has the plain comparison's
    target with the variation between strata taken out, and corrects a chance imbalance of the arms over them. One
    engine query: the sums per arm and stratum (the arm label carries the stratum)."""
    if spec.scope is not None:
        ds = ds.at(spec.scope.values(), check=False)
    band = (slots.assigned_at.hour() // DAY_PART_HOURS).cast("string")
    labelled = slots.mutate(arm=slots.arm + _SEP + slots.unit_id.re_extract(_QUEUE_OF_ID, 1) + _SEP + band)
    ps = pilot_stats(ds, spec, metrics, cuped=False, assignments=labelled)
    strata = sorted({label.split(_SEP, 1)[1] for _, label in ps.stats})
    out = []
    for m in metrics:
        for arm in spec.treatments:
            parts = [p for q in strata if (p := _stratum(ps.stats.get((m.name, spec.control + _SEP + q)),
                                                         ps.stats.get((m.name, arm + _SEP + q)))) is not None]
            if not parts:
                continue
            w = sum(p[0] for p in parts)
            control = sum(p[0] * p[1] for p in parts) / w
            effect = sum(p[0] * p[2] for p in parts) / w
            se = math.sqrt(sum(p[0] ** 2 * p[3] for p in parts)) / w
            df = sum(p[4] for p in parts)
            half = float(t_ppf(1 - spec.options.alpha / 2, df)) * se
            p_value = float(2 * t_sf(abs(effect) / se, df)) if se > 0 else float("nan")
            out.append(StratifiedEffect(
                metric=m.name, arm=arm, strata=len(parts), strata_left_out=len(strata) - len(parts), control=control,
                effect_abs=effect, effect_rel=effect / control if control else float("nan"),
                ci_abs=[effect - half, effect + half], p_value=p_value, alpha=spec.options.alpha,
                method=f"post-stratified by queue and time of day ({DAY_PART_HOURS}-hour bands from midnight UTC; "
                       "delta method within strata)"))
    return out


def _stratum(c: MetricArmStats | None, t: MetricArmStats | None) -> tuple[float, float, float, float, int] | None:
    """(weight, control level, difference, its variance, degrees of freedom) of one stratum; None when an arm has
    fewer than 2 slots or no denominator there."""
    if c is None or t is None or c.post.n < 2 or t.post.n < 2:
        return None
    (lc, vc, wc), (lt, vt, wt) = _level(c.post), _level(t.post)
    if not (wc > 0 and wt > 0 and math.isfinite(vc + vt)):
        return None
    return wc + wt, lc, lt - lc, vc + vt, c.post.n + t.post.n - 2


def _level(s: MeanStats | RatioStats) -> tuple[float, float, float]:
    """(estimate, its variance, weight) of one arm in one stratum: the ratio over slots and the contacts it counts, or
    the mean over slots and their number."""
    if isinstance(s, RatioStats):
        r, v = ratio_and_variance(s)
        return float(r), float(v), float(s.den_sum)
    return s.mean, s.variance / s.n, float(s.n)


def _section(ds: Dataset, spec: PilotSpec, slots: ir.Table) -> SwitchbackSection:
    """Slots per arm and the contacts analysed and left in burn-in (two grouped queries)."""
    cap = spec.capability
    assert cap is not None and cap.slot_minutes is not None
    i = ds.at(spec.scope.values(), check=False).interactions if spec.scope is not None else ds.interactions
    slot, offset = _slot_parts(i, spec)
    c = i.select(_sid=slot, _burn=offset < cap.burn_in_minutes * 60)
    j = c.inner_join(slots, c._sid == slots.unit_id)
    per_arm = j.group_by("arm").aggregate(
        contacts=ibis.ifelse(j._burn, 0, 1).sum(), burn=ibis.ifelse(j._burn, 1, 0).sum(),
        with_contacts=j._sid.nunique(where=~j._burn))
    contacts = {r["arm"]: r for r in per_arm.to_pyarrow().to_pylist()}
    q = slots.mutate(_queue=slots.unit_id.re_extract(_QUEUE_OF_ID, 1))
    rows = q.group_by("arm").aggregate(n=q.count()).to_pyarrow().to_pylist()
    n = {r["arm"]: int(r["n"]) for r in rows}
    queues = int(q._queue.nunique().to_pyarrow().as_py() or 0)
    return SwitchbackSection(
        slot_minutes=cap.slot_minutes, burn_in_minutes=cap.burn_in_minutes, queue_by=list(cap.queue_by),
        queues=queues, slots={arm: n.get(arm, 0) for arm in spec.arms},
        slots_with_contacts={arm: int((contacts.get(arm) or {}).get("with_contacts") or 0) for arm in spec.arms},
        contacts=sum(int(r["contacts"] or 0) for r in contacts.values()),
        burn_in_contacts=sum(int(r["burn"] or 0) for r in contacts.values()))
