"""The Python example of docs/capabilities.md runs and says what the page says."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "capabilities.md"


def test_the_api_example_runs():
    block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert block is not None
    scope: dict = {}
    exec(compile(block.group(1), str(DOC), "exec"), scope)  # noqa: S102 (our own documentation)
    assert scope["s"].items[0].key == "kb-move_home" and scope["s"].shown
    from cxscale.contract import TABLES

    assert set(scope["record"]) >= {c.name for c in TABLES["feedback"].columns}  # a row of the feedback table
