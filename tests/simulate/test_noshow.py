"""The scheduling world's no-show model is calibrated on the real Medical Appointment No Shows data (observational:
it calibrates the scenario, never an uplift truth; docs/simulator.md#no-show-calibration). A world of another seed
than the fit's reproduces, on appointments booked at least a day ahead, the real no-show rates by lead-time band and
by age band (standardised to the simulator's mix of the other feature: its lead times are longer and its patients
older than the real ones), the overall rate so standardised, and the real previous-no-show odds ratio."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
import statsmodels.api as sm

from cxscale.simulate import scheduling as S
from tests.conftest import shared_data

BLOCKS, PER_BLOCK = 16, 5_000


def _design(lead: np.ndarray, age: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(lead))] + [(lead == b).astype(float) for b in range(1, len(S.LEAD_EDGES))]
                           + [(age == b).astype(float) for b in range(1, len(S.AGE_EDGES))])


def _band_sql(column: str, edges: tuple[int, ...]) -> str:
    return "case " + " ".join(f"when {column} >= {e} then {k}" for k, e in reversed(list(enumerate(edges)))) + " end"


@pytest.fixture(scope="module")
def real() -> dict:
    csv = shared_data("noshow", "noshow_appointments.csv")
    con = duckdb.connect()
    con.sql(f"""create view r as select *, datediff('day', cast(ScheduledDay as date), cast(AppointmentDay as date))
                as lead, No_show = 'Yes' as ns from read_csv_auto('{csv}') """)
    con.sql("create view d as select * from r where lead >= 1")
    out: dict = {}
    for name, column, edges in (("lead", "lead", S.LEAD_EDGES), ("age", "Age", S.AGE_EDGES)):
        rows = con.sql(f"select {_band_sql(column, edges)}, count(*) from d group by 1 order by 1")
        out[name] = {int(b): int(n) for b, n in rows.fetchall()}
    # The additive logistic model of no-show on the two bands, fitted on the real band x band counts.
    cells = con.sql(f"select {_band_sql('lead', S.LEAD_EDGES)}, {_band_sql('Age', S.AGE_EDGES)}, count(*), "
                    "sum(ns::int) from d group by all").fetchall()
    lead, age, n, k = (np.array(c, float) for c in zip(*cells, strict=True))
    out["params"] = sm.GLM(np.column_stack([k, n - k]), _design(lead.astype(int), age.astype(int)),
                           family=sm.families.Binomial()).fit().params
    ((out["odds_ratio"],),) = con.sql("""
        with p as (select *, lag(ns) over (partition by PatientId order by AppointmentDay, ScheduledDay,
                   AppointmentID) as prev from r)
        select (a / (1 - a)) / (b / (1 - b))
        from (select avg(ns::int) filter (where prev) a, avg(ns::int) filter (where not prev) b from p
              where lead >= 1)""").fetchall()
    return out


@pytest.fixture(scope="module")
def simulated() -> dict:
    """The world's own draws (seed 7; the fit used seed 42): every visit's no-show without any pilot (ns0)."""
    world = S.SchedulingWorld(customers=BLOCKS * PER_BLOCK, seed=7)
    parts = []
    for b in range(BLOCKS):
        _, a = world.appointments(b, PER_BLOCK)
        v = a["visit"]
        parts.append({"ns": a["ns0"][v], "lead": S.lead_band(a["lead_days"])[v], "age": a["age"][a["ac"]][v],
                      "patient": (a["ac"] + b * PER_BLOCK)[v], "at": a["at"][v]})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _real_rate(real: dict, simulated: dict) -> np.ndarray:
    """The real model's no-show probability of every simulated appointment (its lead and age bands)."""
    return 1 / (1 + np.exp(-_design(simulated["lead"], simulated["age"]) @ real["params"]))


@pytest.mark.parametrize("feature", ["lead", "age"])
def test_no_show_rates_by_band_match_the_real_data(real, simulated, feature):
    """Tolerance: 2 percentage points, or twice the real rate's standard error where the band is small (61+ days)."""
    ns, band, expected = simulated["ns"], simulated[feature], _real_rate(real, simulated)
    for b, n in real[feature].items():
        sim, rate = ns[band == b].mean(), expected[band == b].mean()
        tolerance = max(0.02, 2 * np.sqrt(rate * (1 - rate) / n))
        assert abs(sim - rate) <= tolerance, (feature, b, round(sim, 4), round(rate, 4), n)


def test_overall_rate_and_previous_no_show_odds_ratio_match_the_real_data(real, simulated):
    assert abs(simulated["ns"].mean() - _real_rate(real, simulated).mean()) <= 0.01
    order = np.lexsort((simulated["at"], simulated["patient"]))
    ns, patient = simulated["ns"][order], simulated["patient"][order]
    same = patient[1:] == patient[:-1]
    prev, cur = ns[:-1][same], ns[1:][same]
    a, b = cur[prev].mean(), cur[~prev].mean()
    odds_ratio = (a / (1 - a)) / (b / (1 - b))
    assert abs(np.log(odds_ratio / real["odds_ratio"])) <= np.log(1.15), (odds_ratio, real["odds_ratio"])
