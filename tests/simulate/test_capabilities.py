"""The support world's capability pilot (cxscale.simulate.capabilities): opt-in, deterministic, drawn from its own
streams, its tables valid under the contract, its planted truth in ground_truth.json."""

from __future__ import annotations

import hashlib
import json

import duckdb

from cxscale.data import open_data
from cxscale.simulate import simulate
from cxscale.simulate.capabilities import OUTREACH, PILOT, SHOWN
from cxscale.simulate.routing_pilot import ROUTING

CAPABILITY_FILES = ("exposures/part-00000.parquet", "feedback/part-00000.parquet", "agents.parquet")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_capability_worlds_are_deterministic_and_chunking_free(tmp_path):
    one = simulate("support", 6_000, 3, tmp_path / "a", capabilities=True, workers=1)
    two = simulate("support", 6_000, 3, tmp_path / "b", capabilities=True, workers=1, chunk_customers=5_000)
    assert one.ground_truth == two.ground_truth
    assert _digest(tmp_path / "a" / "agents.parquet") == _digest(tmp_path / "b" / "agents.parquet")
    con = duckdb.connect()
    for table in ("exposures", "feedback", "interactions"):
        a, b = (con.sql(f"select * from '{tmp_path / w / table}/*.parquet' order by all").fetchall() for w in "ab")
        assert a == b, table


def test_without_the_flag_the_world_is_unchanged_and_has_no_capability_tables(tmp_path):
    plain = simulate("support", 3_000, 4, tmp_path / "plain", workers=1)
    cap = simulate("support", 3_000, 4, tmp_path / "cap", capabilities=True, workers=1)
    assert not any((tmp_path / "plain" / f).exists() for f in CAPABILITY_FILES)
    assert PILOT not in {p["pilot"] for p in plain.ground_truth["pilots"]}
    # The capabilities draw from their own streams: contacts before the first starts (routing, day 7) are the same
    # contacts, and over the whole period the same contacts happen (same customers, channels, agents, resolutions):
    # the pilots change only their contacts' transfer flags, handle times, waits and what follows from them in time.
    con = duckdb.connect()
    before = "where started_at < timestamp '2026-01-12' order by interaction_id"
    a, b = (con.sql(f"select * {exclude} from '{tmp_path / w}/interactions/*.parquet' {before}").fetchall()
            for w, exclude in (("plain", ""), ("cap", "exclude (wrap_up_code)")))  # the cap world saves codes
    assert a == b and len(a) > 100
    same = ("select interaction_id, customer_id, channel, intent, agent_id, site, resolved "
            "from '{}/interactions/*.parquet' order by all")
    a, b = (con.sql(same.format(tmp_path / w)).fetchall() for w in ("plain", "cap"))
    assert a == b and len(a) > 5000
    assert [p["pilot"] for p in cap.ground_truth["pilots"]][-2:] == [PILOT, ROUTING]
    assert cap.ground_truth["pilots"][:5] == plain.ground_truth["pilots"][:5]  # the other pilots' units and truths


def test_capability_tables_pass_the_contract(tmp_path):
    simulate("support", 3_000, 5, tmp_path / "w", capabilities=True, workers=1)
    report = open_data(tmp_path / "w", report_only=True).report
    assert report is not None and report.ok, report.error_lines()
    assert {"exposures", "feedback", "agents"} <= set(report.tables)


def test_ground_truth_has_the_planted_funnel_and_tenure_gradient(tmp_path):
    r = simulate("support", 3_000, 6, tmp_path / "w", capabilities=True, workers=1)
    p = next(p for p in r.ground_truth["pilots"] if p["pilot"] == PILOT)
    assert p["funnel"]["shown_rate"] == SHOWN and 0.5 < p["funnel"]["trigger_rate"] < 0.7
    assert list(p["by_tenure"]) == ["0-6 months", "6-24 months", "24+ months"]
    gains = [p["by_tenure"][b]["aht"]["relative"] for b in p["by_tenure"]]
    assert gains[0] < gains[1] < gains[2] < 0
    assert p["triggered_effects"]["aht"]["relative"] < p["true_effects"]["aht"]["relative"] < 0
    json.dumps(r.ground_truth, allow_nan=False)  # strict JSON


def test_the_scheduling_world_gains_an_outreach_pilot_and_is_otherwise_unchanged(tmp_path):
    plain = simulate("scheduling", 3_000, 4, tmp_path / "plain", workers=1)
    cap = simulate("scheduling", 3_000, 4, tmp_path / "cap", capabilities=True, workers=1)
    assert [p["pilot"] for p in cap.ground_truth["pilots"]] == ["two_way_reminders", OUTREACH]
    assert cap.ground_truth["pilots"][0] == plain.ground_truth["pilots"][0]  # the reminder pilot's truth and units
    report = open_data(tmp_path / "cap", report_only=True).report
    assert report is not None and report.ok, report.error_lines()
    con = duckdb.connect()
    # Before outreach (day 114) the same contacts; their ids shift where outreach adds a patient's later contacts.
    before = "where started_at < timestamp '2026-04-29' order by all"
    a, b = (con.sql(f"select * exclude (interaction_id) from '{tmp_path / w}/interactions/*.parquet' {before}")
            .fetchall() for w in ("plain", "cap"))
    assert a == b and len(a) > 1000


def test_saved_wrap_up_codes_are_the_true_ones_unless_anchoring_is_planted(tmp_path):
    """Without anchoring every saved code is intent:resolved|follow_up of the contact; with it, only treated agents'
    contacts in the after_contact window keep wrong (resolution-flipped) codes, and their suggestions say so."""
    from cxscale.simulate.wrapup_pilot import WRAPUP

    con = duckdb.connect()
    wrong = """select count(*) filter (where i.wrap_up_code <> i.intent || ':' || if(i.resolved, 'resolved',
               'follow_up')), count(*) filter (where i.agent_id is null and i.wrap_up_code is not null),
               count(*) filter (where i.wrap_up_code <> i.intent || ':' || if(i.resolved, 'resolved', 'follow_up')
               and (a.arm <> 'treatment' or i.started_at < timestamp '2026-01-19'
               or i.started_at >= timestamp '2026-02-09'))
               from '{w}/interactions/*.parquet' i left join '{w}/assignments.parquet' a
               on a.unit_id = i.agent_id and a.pilot = '{p}'"""
    for anchoring in (False, True):
        w = tmp_path / str(anchoring)
        simulate("support", 6_000, 8, w, capabilities=True, anchoring=anchoring, workers=1)
        ((n_wrong, coded_self_service, outside),) = con.sql(wrong.format(w=w, p=WRAPUP)).fetchall()
        assert coded_self_service == 0 and outside == 0
        assert (n_wrong > 50) if anchoring else (n_wrong == 0)
        actions = dict(con.sql(f"select action, count(*) from '{w}/feedback/*.parquet' f join "
                               f"'{w}/exposures/*.parquet' e using (suggestion_id) where e.pilot_id = '{WRAPUP}' "
                               "group by 1").fetchall())
        assert set(actions) == {"displayed", "auto_applied", "accepted", "edited", "overridden"}
        assert actions["displayed"] + actions["auto_applied"] == actions["accepted"] + actions["edited"] + \
            actions["overridden"]
