"""The simulator's messages and knowledge base, the Python API (suggest, feedback), saving models and the CLI."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cxscale.capabilities import Context, context_from, feedback, load, save, suggest
from cxscale.cli import app
from cxscale.errors import CxscaleError
from cxscale.simulate import support_catalog as C
from cxscale.simulate.messages import first_message, knowledge_base, messages_table, phrases
from tests.conftest import shared_data


def test_messages_are_deterministic_and_not_trivial():
    rows = [first_message("support", C.INTENTS[i % 20], f"I{i}", 5) for i in range(4000)]
    assert rows == [first_message("support", C.INTENTS[i % 20], f"I{i}", 5) for i in range(4000)]
    assert rows != [first_message("support", C.INTENTS[i % 20], f"I{i}", 6) for i in range(4000)]
    mixed = sum(1 for _, second in rows if second) / len(rows)
    assert 0.07 < mixed < 0.13
    templates = {p.lower() for ps in phrases("support").values() for p in ps}
    verbatim = sum(1 for text, _ in rows if text.lower() in templates) / len(rows)
    assert verbatim < 0.5  # openers, fillers, slots and typos change most messages


def test_every_simulated_intent_has_phrasings_and_an_article():
    from cxscale.simulate import scheduling

    for scenario, intents in (("support", C.INTENTS), ("scheduling", scheduling.INTENTS)):
        assert set(phrases(scenario)) == set(intents)
        assert {a["intent"] for a in knowledge_base(scenario)} >= set(intents)


def test_world_written_with_messages_holds_them(tmp_path):
    from cxscale.simulate import simulate

    simulate("support", 300, 3, tmp_path, messages=True)
    m = pq.read_table(tmp_path / "messages.parquet")
    i = pq.read_table(tmp_path / "interactions").select(["interaction_id", "intent", "resolved"])
    assert m.num_rows == i.num_rows
    again = messages_table("support", 3, i["interaction_id"].to_pylist(), i["intent"].to_pylist(),
                           i["resolved"].to_pylist())
    assert again.equals(m)
    assert json.loads((tmp_path / "knowledge_base.json").read_text()) == knowledge_base("support")


def test_suggest_and_feedback_make_the_record_to_log():
    ctx = {"interaction_id": "I42", "agent_id": "A0001", "text": "i forgot my pasword and cant log in"}
    s = suggest("intent_routing", ctx)
    assert s.items[0].key == "password_reset" and s == suggest("intent_routing", ctx)
    g = suggest("guidance", ctx)
    assert g.items[0].key == "kb-password_reset"
    rec = feedback(s, "accepted", "password_reset")
    assert rec["suggestion_id"] == s.suggestion_id and rec["action"] == "accepted"
    a = suggest("after_contact", Context(interaction_id="I42", turns=(("customer", "forgot my password"),
                                                                        ("agent", "I have sent a reset link."))))
    edited = feedback(a, "edited", a.items[0].key, final_text=(a.text or "") + "!")
    assert edited["edit_distance"] == 1
    with pytest.raises(CxscaleError, match="was not suggested"):
        feedback(s, "accepted", "cancel_service")
    with pytest.raises(CxscaleError, match="unknown fields colour"):
        context_from({"colour": "red"})
    with pytest.raises(CxscaleError, match="no model for capability 'outreach'"):
        suggest("outreach", Context())


def test_a_saved_model_suggests_the_same(tmp_path):
    from cxscale.capabilities import builtin_models

    m = builtin_models()["guidance"]
    back = load(save(m, tmp_path / "guidance.joblib"))
    ctx = Context(text="moving house next month")
    assert back.suggest(ctx) == m.suggest(ctx)
    with pytest.raises(CxscaleError, match="no such model file"):
        load(tmp_path / "missing.joblib")


runner = CliRunner()


def test_cli_lists_capabilities_with_their_unit():
    r = runner.invoke(app, ["capability", "list", "--json"])
    assert r.exit_code == 0, r.output
    units = {c["name"]: c["unit"] for c in json.loads(r.output)}
    assert units == {"intent_routing": "queue_time_slot", "guidance": "agent", "after_contact": "agent",
                     "outreach": "customer"}


def test_cli_evaluates_an_intent_model_on_any_labelled_csv(tmp_path):
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    rows = [(first_message("support", it, f"T{i}", 1)[0].replace('"', ""), it)
            for i, it in enumerate(C.INTENTS[:5] * 30)]
    train.write_text("msg,label\n" + "\n".join(f'"{t}",{c}' for t, c in rows[:120]))
    test.write_text("msg,label\n" + "\n".join(f'"{t}",{c}' for t, c in rows[120:]))
    r = runner.invoke(app, ["capability", "evaluate", "intent_routing", "--train", str(train), "--test", str(test),
                            "--text-column", "msg", "--label-column", "label", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["metrics"]["accuracy"] > doc["baselines"]["accuracy"]
    assert {"accuracy", "macro_f1", "ece"} <= set(doc["metrics"])
    bad = runner.invoke(app, ["capability", "evaluate", "intent_routing", "--train", str(train), "--test", str(test)])
    assert bad.exit_code == 1 and "no column 'text'" in str(bad.exception)


@pytest.mark.shared_data
def test_cli_writes_the_html_report_with_its_chart(tmp_path):
    out = tmp_path / "guidance.html"
    r = runner.invoke(app, ["capability", "evaluate", "guidance", "--data", str(shared_data("abcd")), "--out",
                            str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert "<svg" in page and "recall_at_5" in page and "Unit of randomisation: agent" in page
