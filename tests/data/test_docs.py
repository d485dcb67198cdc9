"""docs/data-contract.md documents every contract column and every validation rule the code enforces."""

from __future__ import annotations

from pathlib import Path

from cxscale.contract import RULES, TABLES
from cxscale.data.mapping import shipped_mappings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_contract_column_and_rule_is_documented():
    text = (DOCS / "data-contract.md").read_text()
    for table in TABLES.values():
        assert f"### {table.name}" in text
        for column in table.column_names:
            assert f"| {column} |" in text, (table.name, column)
    for rule in RULES:
        assert f"| {rule} |" in text, rule


def test_every_shipped_mapping_is_documented():
    text = (DOCS / "mapping.md").read_text()
    for name in shipped_mappings():
        assert f"--mapping {name}" in text, name
