"""A switchback pilot (routing, unit = queue x time slot) read out on the simulated support world's intent_routing
pilot: the intent-to-treat and triggered effects cover the planted truth with slot-level intervals, the funnel equals
the planted rates, slots are recomputed from the queue and a timestamp, impossible slots are refused in one line,
and A/A re-randomisations of the control slots keep the false-positive rate near 5%
(docs/capability-pilots.md#switchback)."""

from __future__ import annotations

import json
import math
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from cxscale.assignment import AssignmentPlan, parse_slot_id, slot_arm, slot_id, slot_start
from cxscale.cli import app
from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, load_spec
from cxscale.errors import DataError, SpecError
from cxscale.measure import measure_spec
from cxscale.measure.switchback import switchback_readout
from cxscale.metrics.catalog import load_catalog
from cxscale.simulate import simulate
from cxscale.simulate.routing_pilot import BURN_IN_MINUTES, LIVE_WAIT, ROUTING, SLOT_MINUTES, TRIGGER
from tests.data.hostile import assert_one_line, cli
from tests.measure.relabel import relabelled

WAIT_METRIC = """
metrics:
  - name: live_wait
    description: Average queue wait of a live contact (voice, chat, messaging), in seconds.
    direction: lower
    type: mean
    numerator: {value: wait_seconds, filter: "channel in ['voice', 'chat', 'messaging']"}
    unit_label: seconds
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("switchback") / "support"
    simulate("support", 8_000, 2, out, capabilities=True, workers=1)
    return out


@pytest.fixture(scope="module")
def truth(world) -> dict:
    return next(p for p in json.loads((world / "ground_truth.json").read_text())["pilots"] if p["pilot"] == ROUTING)


@pytest.fixture(scope="module")
def spec(world) -> PilotSpec:
    return load_spec(world / "pilots" / f"{ROUTING}.yaml")


@pytest.fixture(scope="module")
def doc(world, spec, tmp_path_factory):
    """The readout with the wait metric (a user metric: the catalog has none) as a second secondary."""
    f = tmp_path_factory.mktemp("metrics") / "wait.yaml"
    f.write_text(WAIT_METRIC)
    with_wait = spec.model_copy(update={"secondary": [*spec.secondary, MetricRef(metric=LIVE_WAIT)]})
    return switchback_readout(with_wait, open_data(world), load_catalog(f))


def _inside(value: float, ci: list[float]) -> bool:
    return ci[0] <= value <= ci[1]


def test_intent_to_treat_effects_cover_the_planted_truth(doc, truth):
    assert doc.unit == "slot" and doc.srm.ok and not doc.warnings, doc.warnings
    by_name = {m.name: m for m in doc.metrics}
    assert set(by_name) == {"transfer_rate", "aht", LIVE_WAIT} == set(truth["true_effects"])
    for name, m in by_name.items():
        planted = truth["true_effects"][name]["absolute"]
        assert planted < 0 and _inside(planted, m.ci_abs), (name, planted, m.ci_abs)
        assert m.ci_abs[1] < 0, name  # and the world is large enough to see each one
    assert doc.verdict == "proven"


def test_post_stratified_effects_cover_the_planted_truth(doc, truth):
    """Post-stratified by queue and time of day: per site and six-hour band, differences weighted by their
    contacts: the same target."""
    sb = doc.switchback
    assert sb is not None and {e.metric for e in sb.stratified} == set(truth["true_effects"])
    plain = {m.name: m for m in doc.metrics}
    for e in sb.stratified:
        assert (e.strata, e.strata_left_out) == (9 * 4, 0) and e.method.startswith("post-stratified by queue and time")
        assert _inside(truth["true_effects"][e.metric]["absolute"], e.ci_abs) and e.ci_abs[1] < 0, e.metric
        # the same data and target: the estimate is near the plain one, in a fraction of its interval
        m = plain[e.metric]
        assert abs(e.effect_abs - m.effect_abs) < 0.25 * (m.ci_abs[1] - m.ci_abs[0]), e.metric


def test_triggered_effects_and_funnel(doc, truth):
    cap = doc.capability
    assert cap is not None and cap.srm_triggered.ok and cap.tenure_source is None and cap.by_tenure == []
    for e in cap.triggered:
        assert _inside(truth["triggered_effects"][e.metric]["absolute"], e.ci_abs), e.metric
    control, treatment = cap.funnel
    assert control.shown == 0 and treatment.shown == treatment.triggered  # routing acts on whatever it triggers on
    decisions = control.decisions + treatment.decisions
    trigger = (control.triggered + treatment.triggered) / decisions

    def near(observed: float, p: float, n: int) -> bool:  # within 4 binomial standard errors
        return abs(observed - p) <= 4 * math.sqrt(p * (1 - p) / n)

    assert truth["funnel"]["trigger_rate"] == TRIGGER and near(trigger, TRIGGER, decisions)
    assert near(treatment.use_rate, truth["funnel"]["use_rate"], treatment.shown)


def test_the_variance_is_over_slots(world, doc, spec):
    """transfer_rate recomputed by hand from per-slot sums (delta method over slots, t interval): the same
    effect and interval as the readout's."""
    sb = doc.switchback
    assert sb is not None and (sb.slot_minutes, sb.burn_in_minutes, sb.queue_by) == (60, 10, ["site"])
    con = duckdb.connect()
    con.sql("set TimeZone = 'UTC'")
    rows = con.sql(f"""
        with c as (
          select site || '@' || strftime(time_bucket(interval '{SLOT_MINUTES} minutes', started_at::timestamp),
                                         '%Y-%m-%dT%H:%MZ') as slot,
                 epoch(started_at::timestamp) % {SLOT_MINUTES * 60} >= {BURN_IN_MINUTES * 60} as analysed,
                 transferred
          from '{world}/interactions/*.parquet' where site is not null),
        s as (select unit_id, arm from '{world}/assignments.parquet' where pilot = '{ROUTING}')
        select s.arm, s.unit_id, count(c.slot) as den, coalesce(sum(c.transferred::int), 0) as num
        from s left join c on c.slot = s.unit_id and c.analysed group by all""").fetchall()
    arms = {a: np.array([(r[3], r[2]) for r in rows if r[0] == a], float) for a in ("control", "treatment")}
    assert {a: len(v) for a, v in arms.items()} == doc.n == sb.slots
    assert sum(int(v[:, 1].sum()) for v in arms.values()) == sb.contacts

    def ratio(v: np.ndarray) -> tuple[float, float]:
        y, x = v[:, 0], v[:, 1]
        r = y.sum() / x.sum()
        d = y - r * x  # the linearised per-slot residual
        return r, d.var(ddof=1) / (len(v) * x.mean() ** 2)

    (rc, vc), (rt, vt) = ratio(arms["control"]), ratio(arms["treatment"])
    m = next(m for m in doc.metrics if m.name == "transfer_rate")
    half = sps.t.ppf(0.975, len(arms["control"]) + len(arms["treatment"]) - 2) * math.sqrt(vc + vt)
    assert m.effect_abs == pytest.approx(rt - rc, rel=1e-9)
    assert m.ci_abs == pytest.approx([rt - rc - half, rt - rc + half], rel=1e-3)


def test_slots_are_recomputed_from_the_queue_and_a_timestamp(world, spec):
    assert spec.capability is not None
    plan = spec.capability.plan(spec)
    rows = [r for r in pq.read_table(world / "assignments.parquet").to_pylist() if r["pilot"] == ROUTING]
    assert len(rows) == 9 * 28 * 24 and {r["unit_type"] for r in rows} == {"slot"}
    for r in rows[::7]:
        queue, start = parse_slot_id(r["unit_id"])
        assert start == r["assigned_at"] and slot_id(queue, start) == r["unit_id"]
        # Any moment of the slot gives its arm; the burn-in's too (it is analysed out, not reassigned).
        for minute in (0, 9, 59):
            moment = start.replace(minute=minute, second=30)
            assert slot_start(moment, SLOT_MINUTES) == start
            assert slot_arm(plan, queue, moment, SLOT_MINUTES) == r["arm"]
    # Every exposure names the slot its contact's queue and start time give, in the slot's arm.
    ds = open_data(world, validate=False)
    e, i = ds.table("exposures"), ds.interactions
    j = e.filter(e.pilot_id == ROUTING).join(i, "interaction_id").select("unit_id", "arm", "site", "started_at")
    for r in j.order_by("unit_id").limit(300).to_pyarrow().to_pylist():
        assert r["unit_id"] == slot_id(r["site"], slot_start(r["started_at"], SLOT_MINUTES))
        assert slot_arm(plan, r["site"], r["started_at"], SLOT_MINUTES) == r["arm"]
    assert plan.seed == ROUTING and not plan.stratified


def test_slot_helpers_are_deterministic_and_strict():
    plan = AssignmentPlan(seed="routing")
    at = datetime(2026, 1, 19, 8, 47, 12, tzinfo=UTC)
    assert slot_start(at, 30) == datetime(2026, 1, 19, 8, 30, tzinfo=UTC)
    assert slot_start(at.replace(tzinfo=None), 120) == datetime(2026, 1, 19, 8, 0, tzinfo=UTC)
    assert slot_id("north|voice", slot_start(at, 60)) == "north|voice@2026-01-19T08:00Z"
    assert parse_slot_id("a@b@2026-01-19T08:00Z") == ("a@b", datetime(2026, 1, 19, 8, 0, tzinfo=UTC))
    arms = [slot_arm(plan, "north", datetime(2026, 1, 19, h, tzinfo=UTC), 60) for h in range(24)]
    assert arms == [slot_arm(plan, "north", datetime(2026, 1, 19, h, 59, tzinfo=UTC), 60) for h in range(24)]
    assert {"control", "treatment"} == set(arms)  # the policy switches back and forth within a day
    for bad in ("north", "north@2026-01-19 08:00", "@2026-01-19T08:00Z", "north@2026-13-01T08:00Z"):
        with pytest.raises(SpecError, match="QUEUE@YYYY-MM-DDTHH:MMZ"):
            parse_slot_id(bad)


def test_a_switchback_spec_is_checked():
    base = {"pilot": "r", "unit": "slot", "primary": {"metric": "transfer_rate", "target": {"relative": -0.1}}}
    ok = PilotSpec.model_validate({**base, "capability": {"name": "routing", "slot_minutes": 30,
                                                          "burn_in_minutes": 5, "queue_by": ["site", "channel"]}})
    assert ok.capability is not None and ok.capability.queue_by == ["site", "channel"]
    for capability, message in (
            (None, "give the capability block with slot_minutes"),
            ({"name": "routing"}, "give the capability block with slot_minutes"),
            ({"name": "routing", "slot_minutes": 50}, "divides 1440"),
            ({"name": "routing", "slot_minutes": 60, "burn_in_minutes": 60}, "fewer minutes than the slot"),
            ({"name": "routing", "slot_minutes": 60, "queue_by": ["site", "site"]}, "twice"),
            ({"name": "routing", "slot_minutes": 60, "queue_by": ["agent_id"]}, "queue_by"),
            ({"name": "routing", "slot_minutes": 60, "stratified": True}, "stratified")):
        raw = {**base, **({"capability": capability} if capability else {})}
        with pytest.raises(ValueError, match=message):
            PilotSpec.model_validate(raw)
    with pytest.raises(ValueError, match="switchback only"):
        PilotSpec.model_validate({**base, "unit": "agent", "capability": {"name": "g", "slot_minutes": 60}})


def _with_slots(world: Path, out: Path, rows: list[dict]) -> Path:
    """A copy of the world's folder layout whose assignments gain `rows` for the routing pilot."""
    out.mkdir()
    for name in ("interactions", "outcomes", "exposures", "feedback"):
        shutil.copytree(world / name, out / name)
    for name in ("customers.parquet", "agents.parquet"):
        shutil.copy(world / name, out / name)
    a = pq.read_table(world / "assignments.parquet")
    extra = pa.Table.from_pylist(rows, schema=a.schema)
    pq.write_table(pa.concat_tables([a, extra]), out / "assignments.parquet")
    return out


def _slot(unit_id: str, at: datetime, arm: str = "control") -> dict:
    return {"unit_id": unit_id, "unit_type": "slot", "pilot": ROUTING, "arm": arm, "assigned_at": at}


def test_a_slot_id_that_does_not_parse_is_rejected_by_validation(world, tmp_path):
    at = datetime(2026, 3, 2, 8, tzinfo=UTC)
    data = _with_slots(world, tmp_path / "w", [_slot("dublin 2026-03-02 08:00", at),
                                                _slot("dublin@2026-03-02T09:00Z", at)])  # id and assigned_at differ
    report = open_data(data, report_only=True).report
    assert report is not None
    (rule,) = [r for r in report.tables["assignments"].rules if r.rule == "unparseable_slot"]
    assert rule.rows == 2 and rule.column == "unit_id"
    res = CliRunner().invoke(app, ["validate", str(data)], env={"COLUMNS": "200"})
    assert "unparseable_slot" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize(("unit_id", "at", "rule", "count"), [
    # half-way through the assigned 08:00 slot of the same queue, and the 09:00 one starts half-way through it
    ("dublin@2026-01-12T08:30Z", datetime(2026, 1, 12, 8, 30, tzinfo=UTC), "overlapping_slots", 2),
    # alone, but not where a 60-minute slot can start: no contact's time floors to it
    ("dublin@2026-03-02T08:30Z", datetime(2026, 3, 2, 8, 30, tzinfo=UTC), "slot_off_grid", 1),
])
def test_overlapping_or_off_grid_slots_are_one_line_errors(world, tmp_path, unit_id, at, rule, count):
    data = _with_slots(world, tmp_path / "w", [_slot(unit_id, at)])
    spec_path = world / "pilots" / f"{ROUTING}.yaml"
    with pytest.raises(DataError, match=rf"assignments: pilot {ROUTING}: column unit_id: rule {rule}: a slot .*: "
                                        rf"{count} slots?, e\.g\. {unit_id}") as exc:
        measure_spec(spec_path, data, validate=False)
    assert "\n" not in str(exc.value)
    assert_one_line(*cli("measure", str(spec_path), "--data", str(data), "--no-validate"), rule, unit_id)


def test_the_plain_readout_refuses_slots_in_one_line(world, spec):
    from cxscale.measure import readout

    with pytest.raises(SpecError, match="unit slot is a switchback's queue x time slot: read it with"):
        readout(spec, open_data(world, validate=False))


def test_measure_prints_the_slots(world, tmp_path):
    page = tmp_path / "readout.html"
    res = CliRunner().invoke(app, ["measure", str(world / "pilots" / f"{ROUTING}.yaml"), "--html", str(page)],
                             env={"COLUMNS": "140"})
    assert res.exit_code == 0, res.output
    assert "unit slot" in res.output and "switchback: 9 queues (site) x 60-minute slots" in res.output
    assert "Switchback: 9 queues (site) x 60-minute slots, each slot a unit" in page.read_text()
    js = json.loads(CliRunner().invoke(app, ["measure", str(world / "pilots" / f"{ROUTING}.yaml"), "--json"]).stdout)
    sb = js["switchback"]
    assert sb["burn_in_contacts"] > 0 and sum(sb["slots"].values()) == 9 * 28 * 24
    funnel = js["capability"]["funnel"]
    assert sum(f["decisions"] for f in funnel) == sb["contacts"] + sb["burn_in_contacts"]  # every decision in a slot


@pytest.mark.slow
def test_aa_switchbacks_keep_the_false_positive_rate_near_five_percent(world, spec):
    """200 A/A switchbacks: the control slots split again at random 200 times, their exposures relabelled, read out
    as a switchback. Nobody was routed by skill, so every effect is zero; with a correct test about 10 of 200 are
    significant (binomial: 2 to 20 holds with probability 0.999), for the intent-to-treat, triggered and
    post-stratified effects alike."""
    ds = open_data(world, validate=False)
    a, e = ds.assignments, ds.table("exposures")
    control = a.filter((a.pilot == ROUTING) & (a.arm == "control"))
    slots = control.select("unit_id").to_pyarrow().column("unit_id").to_pylist()
    runs = 200
    rng = np.random.default_rng(23)
    draws = rng.random((runs, len(slots))) < 0.5
    con = ds.con
    all_arms = con.create_table("aa_slot_arms", pa.table({
        "_k": np.repeat(np.arange(runs), len(slots)), "_uid": slots * runs,
        "_arm": np.where(draws.ravel(), "treatment", "control")}), temp=True)
    mine = e.filter(e.pilot_id == ROUTING)
    aa_exposures = con.create_table("aa_slot_exposures", mine.filter(mine.unit_id.isin(slots)), temp=True)
    i = ds.interactions
    tables = {**ds.tables, "interactions": con.create_table(
        "aa_slot_interactions", i.filter(i.interaction_id.isin(aa_exposures.interaction_id)), temp=True)}
    base_a = con.create_table("aa_slot_assignments", control, temp=True)
    quiet = spec.model_copy(update={"secondary": []})
    hits = {"itt": 0, "triggered": 0, "stratified": 0}
    for k in range(runs):
        relabel_a = relabelled(con, "aa_run_assignments", base_a, all_arms, k)
        relabel_e = relabelled(con, "aa_run_exposures", aa_exposures, all_arms, k)
        aa = Dataset(con, {**tables, "assignments": relabel_a, "exposures": relabel_e}, ds.source)
        doc = switchback_readout(quiet, aa)
        hits["itt"] += doc.primary[0].p_value < 0.05
        hits["triggered"] += doc.capability.triggered[0].p_value < 0.05
        hits["stratified"] += doc.switchback.stratified[0].p_value < 0.05
    assert all(2 <= k <= 20 for k in hits.values()), hits
