"""The wrap-up anchoring guardrail of an after-contact capability pilot (docs/capability-pilots.md#anchoring).

An agent who saves a suggested wrap-up code without reading it (anchoring) shifts the mix of codes towards the
model's mistakes, which corrupts every contact-reason report built on them. The check compares the mix of saved codes
(interactions.wrap_up_code) of the pilot's units' post-window contacts between arms: the engine counts contacts per
unit and code (one grouped query; a few thousand rows at most), then the chi-square of code by arm
(cxscale.stats.code_mix.mix_check, which cxscale.capabilities.wrap_up_mix_check wraps) is the statistic.

Its p-value is a randomisation p-value over the units, not the chi-square's own: a unit's contacts share its habits
(an agent who resolves more saves more "resolved" codes), so treating contacts as independent finds shifts that are
only chance differences between agents (the A/A test in tests/measure/test_anchoring.py shows the contact-level
p-value false-alarming far above alpha). Re-randomising the arms over the units, within the strata when the pilot
was stratified, gives the test the design actually ran.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np

from cxscale.data.dataset import Dataset
from cxscale.documents.pilot_spec import PilotSpec
from cxscale.documents.readout import AnchoringCheck, CodeShift
from cxscale.stats.code_mix import mix_check, randomisation_p

__all__ = ["ALPHA", "CODE_COLUMN", "WRAP_UP_CAPABILITIES", "anchoring_check"]

#: Capabilities whose suggestions are wrap-up codes: their readouts run the check.
WRAP_UP_CAPABILITIES = ("after_contact",)
CODE_COLUMN = "wrap_up_code"
ALPHA = 0.01
PERMUTATIONS = 1999
SHIFTS_SHOWN = 3
#: Where a unit's stratum is read when the pilot was stratified (table, id column, stratum column).
STRATA = {"agent": ("agents", "agent_id", "site")}


def anchoring_check(data: Dataset, spec: PilotSpec, a: ir.Table) -> tuple[AnchoringCheck | None, list[str]]:
    """The check on the contacts of the assigned units `a` (unit_id, arm, assigned_at) in their post windows, and
    the warnings a user must see (the mix shifted, or the codes are missing)."""
    cap = spec.capability
    assert cap is not None
    i = data.interactions
    if CODE_COLUMN not in i.columns or spec.unit != "agent":
        return None, [f"capability {cap.name}: the anchoring guardrail needs interactions.{CODE_COLUMN} and agent "
                      "units; it did not run"]
    units, codes, counts, strata = _unit_code_counts(data, spec, a)
    if counts.sum() == 0:
        return None, [f"capability {cap.name}: no post-window contact of the pilot's agents has a {CODE_COLUMN}, so "
                      "the anchoring guardrail did not run: save the wrap-up codes in interactions"]
    arms = np.array([spec.control if arm == spec.control else "treatment" for arm in units["arm"]])
    treated = arms != spec.control
    by_arm = {arm: dict(zip(codes, counts[arms == arm].sum(axis=0).astype(int).tolist(), strict=True))
              for arm in (spec.control, "treatment")}
    mix = mix_check(by_arm, ALPHA)
    pooled = _pooled(counts, codes, mix.codes)
    p = randomisation_p(pooled, treated, strata, PERMUTATIONS) if mix.dof > 0 else 1.0
    shares = mix.shares
    shifts = sorted(((c, shares[spec.control].get(c, 0.0), shares["treatment"].get(c, 0.0)) for c in mix.codes),
                    key=lambda s: -abs(s[2] - s[1]))[:SHIFTS_SHOWN] if shares else []
    check = AnchoringCheck(
        column=f"interactions.{CODE_COLUMN}",
        contacts={arm: int(sum(v.values())) for arm, v in by_arm.items()},
        units={spec.control: int((~treated).sum()), "treatment": int(treated.sum())},
        codes=len(mix.codes), statistic=mix.statistic, dof=mix.dof, p_value_contacts=mix.p_value, p_value=p,
        permutations=PERMUTATIONS, alpha=ALPHA, shifted=bool(p < ALPHA),
        largest_shifts=[CodeShift(code=c, control=x, treatment=y) for c, x, y in shifts])
    warnings = []
    if check.shifted:
        moved = "; ".join(f"{s.code} {s.control:.1%} -> {s.treatment:.1%}" for s in check.largest_shifts)
        warnings.append(f"capability {cap.name}: ANCHORING: the mix of wrap-up codes differs between arms "
                        f"(randomisation p = {p:.2g} over {sum(check.units.values()):,} agents, alpha {ALPHA:g}); "
                        f"largest shifts, control -> treatment: {moved}. Treated agents may be saving suggested codes "
                        "without correcting them: contact-reason reports from treated agents may be biased until the "
                        "suggestions are reviewed")
    return check, warnings


def _unit_code_counts(data: Dataset, spec: PilotSpec, a: ir.Table
                      ) -> tuple[dict[str, list], list[str], np.ndarray, np.ndarray | None]:
    """Per unit (with its arm and stratum) and code: coded contacts in the unit's post window (one query)."""
    i = data.interactions
    ev = i.filter(i.agent_id.notnull() & i[CODE_COLUMN].notnull()).select("agent_id", "started_at", CODE_COLUMN)
    j = ev.inner_join(a, ev.agent_id == a.unit_id)
    j = j.filter((j.started_at >= j.assigned_at)
                 & (j.started_at < j.assigned_at + ibis.interval(days=spec.windows.post_days)))
    rows = (j.group_by(j.unit_id.name("unit"), j.arm.name("arm"), j[CODE_COLUMN].name("code"))
            .aggregate(n=j.count()).to_pyarrow().to_pylist())
    unit_ids = sorted({r["unit"] for r in rows})
    codes = sorted({r["code"] for r in rows})
    u_index, c_index = {u: k for k, u in enumerate(unit_ids)}, {c: k for k, c in enumerate(codes)}
    counts = np.zeros((len(unit_ids), len(codes)))
    arm_of: dict[str, str] = {}
    for r in rows:
        counts[u_index[r["unit"]], c_index[r["code"]]] += r["n"]
        arm_of[r["unit"]] = r["arm"]
    strata = None
    cap = spec.capability
    table, key, column = STRATA.get(spec.unit, (None, None, None))
    if cap is not None and cap.stratified and table and data.has(table) and column in data.table(table).columns:
        t = data.table(table)
        site = {r["k"]: r["s"] for r in t.filter(t[key].isin(unit_ids)).select(k=t[key], s=t[column])
                .to_pyarrow().to_pylist()}
        names = sorted({str(v) for v in site.values()})
        strata = np.array([names.index(str(site[u])) if u in site else len(names) for u in unit_ids])
    return {"unit": unit_ids, "arm": [arm_of[u] for u in unit_ids]}, codes, counts, strata


def _pooled(counts: np.ndarray, codes: list[str], tested: tuple[str, ...]) -> np.ndarray:
    """The unit x code counts with the codes the chi-square pooled into "other" summed into one column."""
    keep = [codes.index(c) for c in tested if c != "other"]
    rest = [k for k in range(len(codes)) if k not in keep]
    cols = [counts[:, keep]] + ([counts[:, rest].sum(axis=1, keepdims=True)] if rest else [])
    out = np.hstack(cols)
    return out[:, out.sum(axis=0) > 0]
