"""Journey diagnosis: episodes, friction signals, cost-to-serve and its avoidable part, flows, ranked opportunities
and use-case drafts, written as the portfolio's use cases (docs/diagnosis.md, docs/use-case-draft.md).

`diagnose` is the one way in: it runs the engine queries of passes.py over integer cell codes and returns the
diagnosis document (cxscale/documents/diagnosis.py: DiagnosisDocument, with its DiagnosisOptions and the use-case
drafts' UseCaseDraft) with the sums behind it; `discover_flows` draws one dimension's directly-follows graph alone.
The reference implementation over the names that the production path is tested against is in tests/journey/oracle.
"""

from cxscale.journey.diagnosis import Diagnosis, diagnose, touchpoint
from cxscale.journey.flows import discover_flows
from cxscale.journey.report import render_html
from cxscale.journey.usecase import draft_use_case, dump_draft, dump_use_case, use_case_of, write_drafts

__all__ = [
    "Diagnosis",
    "diagnose",
    "discover_flows",
    "draft_use_case",
    "dump_draft",
    "dump_use_case",
    "render_html",
    "touchpoint",
    "use_case_of",
    "write_drafts",
]
