"""docs/portfolio-log.md: its example runs, its worked hash is what the code computes, and every kind verify reports
is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import rfc8785

from cxscale.portfolio import Entry, Verification
from cxscale.portfolio.log import ACTIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "portfolio-log.md"
KINDS = ("edited", "deleted", "reordered", "inserted", "truncated", "signature")


def test_the_example_runs(tmp_path, monkeypatch):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    exec(compile(code.group(1), str(DOC), "exec"), {})
    assert (tmp_path / "checkpoint.json").exists()


def test_the_worked_hash_is_what_the_code_computes():
    text = DOC.read_text()
    canonical = re.search(r"```text\n(.*?)\n```", text, re.S)
    assert canonical is not None
    data = rfc8785.dumps(json.loads(canonical.group(1))).decode()
    assert data == canonical.group(1)
    entry = Entry(seq=1, at="2026-12-01T09:30:00.000000Z", actor="ana.silva", action="advance",
                  subject="no-show-outreach", from_stage="idea", to_stage="pilot",
                  reason="spec lints clean, owners named, power plan detects -30% in 90 days",
                  evidence={"use_case": "a" * 64})
    assert rfc8785.dumps({"entry": entry.content(), "previous": entry.previous}).decode() == canonical.group(1)
    assert f"hashes to `{entry.computed_hash()}`" in text


def test_every_action_and_kind_is_documented():
    text = DOC.read_text()
    assert all(f"`{action}`" in text for action in ACTIONS)
    assert all(f"| `{kind}` |" in text for kind in KINDS)
    assert set(Verification.__dataclass_fields__) <= set(re.findall(r"`(\w+)`", text)) | {"reason"}
