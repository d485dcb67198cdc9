"""The scheduling world's no-show calibration (docs/simulator.md#no-show-calibration): fit once, offline, and record
the printed constants in cxscale/simulate/scheduling.py (NO_SHOW_*). Not part of the suite; run by hand:

    PYTHONPATH=$PWD python bench/calibrate_noshow.py ../shared/data/noshow/noshow_appointments.csv

The real data (Vitória, 2016; observational) gives the targets, on the appointments booked at least a day ahead (the
simulator has no same-day bookings): an additive logistic model of no-show on lead-time band and age band, fitted on
the real (lead band x age band) counts (statsmodels GLM, binomial), and the odds ratio of a no-show after a patient's
previous no-show (which the simulator's latent propensity carries). The simulator keeps its own mix of lead times
(longer than the real one) and ages, so the real rates are standardised to it: the target of a band is the real
model's mean predicted rate over the simulated appointments in that band (the real marginals themselves are not
consistent with the simulated mix). The fit: for each latent propensity sd on a grid, rake the log-odds offsets of the
lead-time and age bands until the simulated world's expected rate per band (mean no-show probability, all other
terms of its model as they are) equals its target; keep the sd whose previous-no-show odds ratio is closest to the
real one.
"""

from __future__ import annotations

import sys

import duckdb
import numpy as np

from cxscale.simulate import scheduling as S
from cxscale.simulate.world import sigmoid

BLOCKS, PER_BLOCK = 30, 5_000


def real_model(cells: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Coefficients of the additive logistic model (intercept, lead bands 1.., age bands 1..) fitted on the cell
    counts (lead band, age band, appointments, no-shows); predict with real_rates."""
    import statsmodels.api as sm

    lead, age, n, k = (np.array(c, float) for c in zip(*cells, strict=True))
    x = np.column_stack([np.ones(len(n))] + [(lead == b).astype(float) for b in range(1, len(S.LEAD_EDGES))]
                        + [(age == b).astype(float) for b in range(1, len(S.AGE_EDGES))])
    return sm.GLM(np.column_stack([k, n - k]), x, family=sm.families.Binomial()).fit().params


def real_rates(params: np.ndarray, lead: np.ndarray, age: np.ndarray) -> np.ndarray:
    """The real model's no-show probability of appointments with these lead and age bands."""
    nl = len(S.LEAD_EDGES)
    eta = params[0] + np.r_[0.0, params[1:nl]][lead] + np.r_[0.0, params[nl:]][age]
    return 1 / (1 + np.exp(-eta))


def real_targets(csv: str) -> dict:
    con = duckdb.connect()
    con.sql(f"""create view r as select *, datediff('day', cast(ScheduledDay as date), cast(AppointmentDay as date))
                as lead, No_show = 'Yes' as ns from read_csv_auto('{csv}')""")
    con.sql("""create view p as select *, lag(ns) over (partition by PatientId order by AppointmentDay, ScheduledDay,
               AppointmentID) as prev from r""")
    lead = con.sql(f"select {band_sql('lead', S.LEAD_EDGES)} b, count(*), avg(ns::int) from r where lead >= 1 "
                   "group by 1 order by 1").fetchall()
    age = con.sql(f"select {band_sql('Age', S.AGE_EDGES)} b, count(*), avg(ns::int) from r where lead >= 1 "
                  "group by 1 order by 1").fetchall()
    (after_ns, after_kept), = con.sql("""select avg(ns::int) filter (where prev), avg(ns::int) filter (where not prev)
                                         from p where lead >= 1""").fetchall()
    cells = con.sql(f"select {band_sql('lead', S.LEAD_EDGES)}, {band_sql('Age', S.AGE_EDGES)}, count(*), "
                    "sum(ns::int) from r where lead >= 1 group by all").fetchall()
    return {"lead": np.array([r[2] for r in lead]), "lead_n": [r[1] for r in lead], "model": real_model(cells),
            "age": np.array([r[2] for r in age]), "age_n": [r[1] for r in age],
            "odds_ratio": (after_ns / (1 - after_ns)) / (after_kept / (1 - after_kept)),
            "after_ns": after_ns, "after_kept": after_kept}


def band_sql(column: str, edges: tuple[int, ...]) -> str:
    """The band index of `column` in SQL (the lower edges `edges`, as lead_band and the age bands use)."""
    return "case " + " ".join(f"when {column} >= {e} then {k}" for k, e in reversed(list(enumerate(edges)))) + " end"


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def world_arrays() -> dict:
    w = S.SchedulingWorld(customers=BLOCKS * PER_BLOCK, seed=42)
    parts = []
    for b in range(BLOCKS):
        _, a = w.appointments(b, PER_BLOCK)
        v = a["visit"]
        rest = (S.INSURANCE_NO_SHOW[a["insurance"][a["ac"]]] + S.NO_SHOW_DISTANCE * np.log(a["distance"][a["ac"]] / 8.0)
                + S.NO_SHOW_REMINDED * a["reminded"])
        parts.append({"z": (a["propensity"] / S.NO_SHOW_PROPENSITY_SD)[a["ac"]][v], "rest": rest[v],
                      "lead": S.lead_band(a["lead_days"])[v], "age": a["age"][a["ac"]][v],
                      "patient": (a["ac"] + b * PER_BLOCK)[v], "at": a["at"][v]})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def standardised(sim: dict, real: dict, which: str) -> np.ndarray:
    """The real model's rate per band of `which`, averaged over the simulated appointments of the band."""
    p = real_rates(real["model"], sim["lead"], sim["age"])
    k = len(S.LEAD_EDGES if which == "lead" else S.AGE_EDGES)
    return np.bincount(sim[which], p, k) / np.bincount(sim[which], minlength=k)


def fit(sim: dict, real: dict, sd: float) -> tuple[np.ndarray, np.ndarray, float]:
    targets = {w: standardised(sim, real, w) for w in ("lead", "age")}
    lead_off, age_off = logit(targets["lead"]), np.zeros(len(targets["age"]))
    for _ in range(200):
        for which, off in (("lead", lead_off), ("age", age_off)):
            p = sigmoid(sd * sim["z"] + sim["rest"] + lead_off[sim["lead"]] + age_off[sim["age"]])
            rates = np.bincount(sim[which], p, len(off)) / np.bincount(sim[which], minlength=len(off))
            off += logit(targets[which]) - logit(rates)
    p = sigmoid(sd * sim["z"] + sim["rest"] + lead_off[sim["lead"]] + age_off[sim["age"]])
    order = np.lexsort((sim["at"], sim["patient"]))
    pp, pat = p[order], sim["patient"][order]
    same = pat[1:] == pat[:-1]
    prev, cur = pp[:-1][same], pp[1:][same]
    after_ns, after_kept = (prev * cur).sum() / prev.sum(), ((1 - prev) * cur).sum() / (1 - prev).sum()
    return lead_off, age_off, (after_ns / (1 - after_ns)) / (after_kept / (1 - after_kept))


def main(csv: str) -> None:
    real = real_targets(csv)
    sim = world_arrays()
    best = min((abs(np.log(fit(sim, real, sd)[2] / real["odds_ratio"])), sd) for sd in np.arange(0.5, 1.61, 0.05))
    sd = round(float(best[1]), 2)
    lead_off, age_off, odds = fit(sim, real, sd)
    ref_lead, ref_age = 2, 2  # 8-14 days, 35-54 years
    print(f"real: lead {np.round(real['lead'], 4).tolist()} (n {real['lead_n']}), age {np.round(real['age'], 4).tolist()} "
          f"(n {real['age_n']}), previous no-show odds ratio {real['odds_ratio']:.3f} "
          f"({real['after_ns']:.4f} vs {real['after_kept']:.4f})")
    print(f"real model coefficients {np.round(real['model'], 3).tolist()}; standardised targets lead "
          f"{np.round(standardised(sim, real, 'lead'), 4).tolist()}, age {np.round(standardised(sim, real, 'age'), 4).tolist()}")
    print(f"NO_SHOW_PROPENSITY_SD = {sd}  (odds ratio in the simulated world {odds:.3f})")
    print(f"NO_SHOW_BASE = {lead_off[ref_lead] + age_off[ref_age]:.3f}")
    print(f"LEAD_NO_SHOW = {np.round(lead_off - lead_off[ref_lead], 3).tolist()}")
    print(f"AGE_NO_SHOW = {np.round(age_off - age_off[ref_age], 3).tolist()}")


if __name__ == "__main__":
    main(sys.argv[1])
