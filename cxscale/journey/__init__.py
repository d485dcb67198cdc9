"""Journey diagnosis: episodes, friction signals, cost-to-serve and its avoidable part, flows, ranked opportunities
and use-case drafts (docs/diagnosis.md)."""

from cxscale.documents.diagnosis import DiagnosisDocument
from cxscale.documents.use_case_draft import UseCaseDraft
from cxscale.journey.contacts import enriched_contacts, episodes, journey_steps
from cxscale.journey.diagnosis import SCHEMA_VERSION, Diagnosis, diagnose, touchpoint
from cxscale.journey.flows import Flow, directly_follows, discover_flows, flow_graphs, top_flows
from cxscale.journey.options import DiagnosisOptions
from cxscale.journey.report import render_html
from cxscale.journey.usecase import draft_use_case, dump_draft, write_drafts

__all__ = [
    "SCHEMA_VERSION",
    "Diagnosis",
    "DiagnosisDocument",
    "DiagnosisOptions",
    "Flow",
    "diagnose",
    "directly_follows",
    "discover_flows",
    "draft_use_case",
    "dump_draft",
    "enriched_contacts",
    "episodes",
    "flow_graphs",
    "journey_steps",
    "render_html",
    "top_flows",
    "touchpoint",
    "UseCaseDraft",
    "write_drafts",
]
