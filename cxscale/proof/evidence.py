"""The evidence a proof point adds to its readout: the primary effect by week and where it holds, by segment.

Both are readouts of the same spec on part of the data, made by the readout itself (cxscale.measure.readout, so the
engine computes every sufficient statistic and the statistics are the readout's own):
- by week: the spec with its post window cut at the end of week 1, 2, ... (cumulative); a rollout's effect by week is
  its event study (leads and lags) instead, which also shows the pre-trend;
- by segment: for a customer pilot, the pilot's customers with one value of a customers column (segment, region,
  channel, ...); for an agent or site pilot, the contacts at one value of an interactions column (site, channel) and
  the units that handled any of them; for an agent pilot whose data has agents.tenure_months, also the pilot's
  agents in each tenure band (the capability's bands, else 0-6, 6-24, 24+ months): where novices and veterans differ.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import replace

import ibis

from cxscale.data.dataset import Dataset, named
from cxscale.documents.pilot_spec import PilotSpec, Windows
from cxscale.documents.proof_point import EffectAt, SegmentEffects
from cxscale.documents.readout import MetricResult, ReadoutDocument
from cxscale.errors import CxscaleError
from cxscale.measure.readout import readout
from cxscale.metrics.catalog import Catalog

#: A column is a segment when it has 2 to this many values among the pilot's units.
MAX_VALUES = 8
#: At most this many segment columns (the first found, in the table's column order).
MAX_COLUMNS = 4
#: The contact columns an agent or site pilot is segmented by (when present and not the unit itself).
CONTACT_COLUMNS = ("site", "channel", "journey_stage")
#: The segment of an agent pilot's agents by tenure band (agents.tenure_months), and its default band edges in months.
TENURE = "tenure_months"
TENURE_BANDS = (0.0, 6.0, 24.0)


def materialised(data: Dataset) -> Dataset:
    """The dataset with each table computed once into a temporary table of its engine (rows stay there): the many
    readouts of the weeks and segments then read stored rows instead of redoing the validation's views each time."""
    tag = uuid.uuid4().hex[:8]
    tables = {name: data.con.create_table(f"_proof_{name}_{tag}", t, temp=True) for name, t in data.tables.items()}
    return replace(data, tables=tables, unwindowed={})


def effect_at(label: str, m: MetricResult) -> EffectAt:
    return EffectAt(label=label, metric=m.name, arm=m.arm, control=m.control, treatment=m.treatment,
                    effect_rel=m.effect_rel, ci_rel=list(m.ci_rel), effect_abs=m.effect_abs, ci_abs=list(m.ci_abs),
                    p_value=m.p_value, n_control=m.n_control, n_treatment=m.n_treatment, verdict=str(m.verdict))


def _finite(*xs: float | None) -> bool:
    return all(x is not None and math.isfinite(x) for x in xs)


def weekly(spec: PilotSpec, data: Dataset, catalog: Catalog, doc: ReadoutDocument) -> list[EffectAt]:
    """The primary effect per treatment arm cumulative to the end of each week of the post window (randomised), or
    the rollout's event-study coefficients by week relative to the first treatment (absolute effects). Weeks without
    a finite estimate (no outcome yet in either arm) are left out."""
    primary = doc.primary
    if doc.design == "rollout":
        out = []
        for m in primary:
            es = m.event_study
            if es is None:
                continue
            for week, coef, ci in zip(es.rel_weeks, es.coef, es.ci, strict=True):
                out.append(EffectAt(label=f"week {week:+d}", metric=m.name, arm=m.arm, control=None, treatment=None,
                                    effect_rel=None, ci_rel=[None, None], effect_abs=coef, ci_abs=list(ci),
                                    p_value=None, n_control=m.n_control, n_treatment=m.n_treatment,
                                    verdict="pre" if week < 0 else "post"))
        return out
    post = spec.windows.post_days
    ends = sorted({min(7 * k, post) for k in range(1, math.ceil(post / 7) + 1)})
    out = []
    for end in ends:
        cut = spec.model_copy(update={"windows": Windows(pre_days=spec.windows.pre_days, post_days=end)})
        part = doc if end == post else readout(cut, data, catalog)
        for m in part.primary:
            if _finite(m.effect_abs, m.effect_rel, *m.ci_abs):
                out.append(effect_at(f"day {end}" if end % 7 else f"week {end // 7}", m))
    return out


def _values(table: ibis.Table, column: str) -> list[str] | None:
    """The column's values as names (null: "unknown"), when it has 2 to MAX_VALUES of them; else None."""
    found = (table.select(v=named(table, column)).distinct().limit(MAX_VALUES + 1).to_pyarrow().column("v")
             .to_pylist())
    return sorted(found) if 2 <= len(found) <= MAX_VALUES else None


def _units(data: Dataset, spec: PilotSpec) -> ibis.Table:
    a = data.assignments
    return a.filter((a.pilot == spec.pilot) & (a.unit_type == spec.unit))


def _with_assignments(data: Dataset, assignments: ibis.Table) -> Dataset:
    return replace(data, tables={**data.tables, "assignments": assignments})


def segments(spec: PilotSpec, data: Dataset, catalog: Catalog, columns: list[str] | None = None) -> list[SegmentEffects]:
    """The primary effect within each value of each segment column: `columns`, or the first MAX_COLUMNS text or
    boolean columns with 2 to MAX_VALUES values (customers for a customer pilot, CONTACT_COLUMNS otherwise). A
    segment whose readout fails (an arm without units there) is left out."""
    if spec.design == "observational":
        return []
    units = _units(data, spec)
    if spec.unit == "customer":
        if not data.has("customers"):
            return []
        table_name = "customers"
        c = data.customers
        mine = c.semi_join(units, c.customer_id == units.unit_id)
        candidates = columns or [k for k, t in c.schema().items() if k != "customer_id" and
                                 (t.is_string() or t.is_boolean())]
    else:
        if not data.has("interactions"):
            return []
        table_name = "interactions"
        i = data.without_window_columns("interactions")
        key = {"agent": "agent_id", "site": "site"}[spec.unit]
        mine = i.semi_join(units, i[key] == units.unit_id)
        candidates = columns or [k for k in CONTACT_COLUMNS if k in i.columns and k != key]
    tenure = spec.unit == "agent" and TENURE in (columns or [TENURE]) and _has_tenure(data)
    candidates = [k for k in candidates if not (tenure and k == TENURE)]
    unknown = sorted(set(candidates) - set(mine.columns))
    if unknown:
        raise CxscaleError(f"segments: the {table_name} table has no column {', '.join(unknown)}")
    out = [_tenure_segment(data, spec, units, catalog)] if tenure else []
    for column in candidates:
        values = _values(mine, column)
        if values is None:
            continue
        effects = []
        for value in values:
            part = _segment_data(data, spec, units, table_name, column, value)
            try:
                doc = readout(spec, part, catalog)
            except CxscaleError:
                continue
            effects += [effect_at(value, m) for m in doc.primary]
        how = (f"the pilot's customers whose {column} is each value" if table_name == "customers" else
               f"the contacts whose {column} is each value, and the {spec.unit}s that handled any of them")
        out.append(SegmentEffects(column=column, table=table_name, how=how, effects=effects))  # type: ignore[arg-type]
        if len(out) == MAX_COLUMNS:
            break
    return out


def _segment_data(data: Dataset, spec: PilotSpec, units: ibis.Table, table_name: str, column: str,
                  value: str) -> Dataset:
    if table_name == "customers":
        c = data.customers
        members = c.filter(named(c, column) == value)
        return _with_assignments(data, units.semi_join(members, units.unit_id == members.customer_id))
    narrowed = data.at({column: [value]}, check=False)
    i = narrowed.without_window_columns("interactions")
    key = {"agent": "agent_id", "site": "site"}[spec.unit]
    return _with_assignments(narrowed, units.semi_join(i, units.unit_id == i[key]))


def _has_tenure(data: Dataset) -> bool:
    return data.has("agents") and TENURE in data.table("agents").columns


def tenure_bands(spec: PilotSpec) -> list[tuple[str, float, float]]:
    """(label, lower, upper) of each tenure band in months: the capability's edges, else TENURE_BANDS."""
    edges = [float(e) for e in (spec.capability.tenure_bands if spec.capability and spec.capability.tenure_bands
                                else TENURE_BANDS)]
    uppers = [*edges[1:], math.inf]
    return [(f"{lo:g}-{hi:g} months" if math.isfinite(hi) else f"{lo:g}+ months", lo, hi)
            for lo, hi in zip(edges, uppers, strict=True)]


def _tenure_segment(data: Dataset, spec: PilotSpec, units: ibis.Table, catalog: Catalog) -> SegmentEffects:
    """The primary effect among the pilot's agents in each tenure band (agents without a tenure are in none)."""
    agents = data.table("agents")
    effects = []
    for label, lo, hi in tenure_bands(spec):
        t = agents[TENURE]
        members = agents.filter((t >= lo) & (t < hi) if math.isfinite(hi) else t >= lo)
        part = _with_assignments(data, units.semi_join(members, units.unit_id == members.agent_id))
        try:
            doc = readout(spec, part, catalog)
        except CxscaleError:
            continue
        effects += [effect_at(label, m) for m in doc.primary]
    how = "the pilot's agents in each band of agents.tenure_months (months since they started handling contacts)"
    return SegmentEffects(column=TENURE, table="agents", how=how, effects=effects)
