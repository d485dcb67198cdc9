"""A small portfolio for the store, service and CLI tests: people.yaml, a use case of the simulated world's
proactive_alerts pilot owned by those people, its readout (as measured, recommending extend) and a winning copy
(recommending ship), and a power plan that detects the target."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from cxscale.documents.pilot_spec import load_spec
from cxscale.documents.readout import ReadoutDocument

PEOPLE = [
    {"id": "ana.souza", "name": "Ana Souza", "functions": ["technology"], "roles": []},
    {"id": "bruno.lima", "name": "Bruno Lima", "functions": ["operations"], "roles": []},
    {"id": "carla.mendes", "name": "Carla Mendes", "functions": ["commercial"], "roles": []},
    {"id": "daniel.rocha", "name": "Daniel Rocha", "functions": [], "roles": ["sponsor"]},
    {"id": "eva.council", "name": "Eva Council", "functions": ["operations"], "roles": ["council"]},
    {"id": "vic.viewer", "name": "Vic Viewer", "functions": ["technology"], "roles": ["viewer"]},
    {"id": "adam.admin", "name": "Adam Admin", "functions": [], "roles": ["admin"]},
]
OWNERS = {"technology": "ana.souza", "operations": "bruno.lima", "commercial": "carla.mendes",
          "executive_sponsor": "daniel.rocha"}
WIN = {"effect_abs": -0.4, "ci_abs": [-0.7, -0.1], "effect_rel": -0.08, "ci_rel": [-0.14, -0.02],
       "target_reached": True}


def use_case(world: Path, uc_id: str = "proactive-alerts", **changes: Any) -> dict[str, Any]:
    """A use case of the world's proactive_alerts pilot spec that lints clean, owned by the people above."""
    spec = load_spec(world / "pilots" / "proactive_alerts.yaml")
    m = spec.primary
    data = {
        "usecase_version": 1, "id": uc_id, "title": "Proactive alerts cut the cost to serve",
        "mechanism": "alerts tell customers of an outage before they call",
        "problem": {"journey_stage": "service", "intent": "billing", "channel": "phone",
                    "evidence": {"diagnosis": "diagnosis.json"}},
        "metric": {"name": m.metric, "baseline": 1.0, "window_days": spec.windows.post_days,
                   "target": m.target.model_dump(exclude_none=True)},
        "guardrails": [{"metric": g.metric, "max_harm": g.max_harm.model_dump(exclude_none=True)}
                       for g in spec.guardrails if g.max_harm is not None],
        "design": {"type": "randomised", "unit": spec.unit, "holdout_share": 0.5},
        "pilot_spec": spec.model_dump(mode="json", exclude_unset=True), "data_sources": ["the simulated world"],
        "owners": dict(OWNERS)}
    data.update(changes)
    return data


def write_folder(folder: Path, world: Path, people: list[dict] | None = None, **use_cases: dict[str, Any]) -> Path:
    """A portfolio folder: people.yaml and one NAME.usecase.yaml per keyword (default: the one use case)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.yaml").write_text(yaml.safe_dump({"people_version": 1, "people": people or PEOPLE},
                                                       sort_keys=False))
    for name, doc in (use_cases or {"proactive-alerts": use_case(world)}).items():
        (folder / f"{name}.usecase.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def edited(doc: ReadoutDocument, **primary: Any) -> ReadoutDocument:
    data = copy.deepcopy(doc.to_json())
    next(m for m in data["metrics"] if m["role"] == "primary").update(primary)
    return ReadoutDocument.model_validate(data)


def winning(doc: ReadoutDocument) -> ReadoutDocument:
    return edited(doc, **WIN)


def detectable(plan):
    """The world's power plan as if the pilot had the units it needs (the 20,000-customer world is too small)."""
    return replace(plan, feasible=True, units_available=plan.n_total * 2, days_to_enrol=30.0, days_total=86.0)


def dump(doc: ReadoutDocument, path: Path) -> Path:
    path.write_text(json.dumps(doc.to_json()))
    return path
