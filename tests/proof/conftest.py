"""A small simulated world with a proven agent pilot, its readout and use case, shared by the proof-point tests."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cxscale.data import open_data
from cxscale.documents import PilotSpec, ReadoutDocument, UseCase, digest, load_spec
from cxscale.documents.proof_point import ProofPoint
from cxscale.portfolio.log import Entry
from cxscale.portfolio.records import Initiative, StoredReadout

OWNERS = {"technology": "Ana Souza", "operations": "Bruno Lima", "commercial": "Carla Mendes",
          "executive_sponsor": "Daniel Rocha"}
BUILT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def use_case_of(spec: PilotSpec, **changes: object) -> UseCase:
    m = spec.primary
    assert m.target is not None
    data = {
        "id": spec.pilot.replace("_", "-"), "title": "Real-time agent guidance cuts handle time",
        "mechanism": "Live guidance suggests the next step while the agent talks, so contacts end sooner.",
        "problem": {"journey_stage": "billing", "intent": "billing_dispute", "channel": "voice",
                    "evidence": {"diagnosis": "diagnosis.json", "hotspot_rank": 1, "figures": {"contacts": 12034}}},
        "capabilities": ["agent_assist"],
        "metric": {"name": m.metric, "direction": "lower", "baseline": 420.0, "window_days": spec.windows.post_days,
                   "target": m.target.model_dump(exclude_none=True)},
        "guardrails": [{"metric": g.metric, "max_harm": g.max_harm.model_dump(exclude_none=True)}
                       for g in spec.guardrails if g.max_harm is not None],
        "design": {"type": "randomised", "unit": spec.unit, "holdout_share": 0.5},
        "pilot_spec": spec.model_dump(mode="json", exclude_defaults=True) | {"pilot": spec.pilot},
        "owners": OWNERS,
    }
    data.update(changes)
    return UseCase.model_validate(data)


@dataclass(frozen=True)
class World:
    path: Path
    spec_path: Path
    spec: PilotSpec
    readout: ReadoutDocument
    use_case: UseCase
    proof: ProofPoint

    def initiative(self, readout: ReadoutDocument | None = None) -> Initiative:
        r = readout or self.readout
        advanced = Entry(seq=1, at="2026-11-30T10:00:00.000000Z", actor="Daniel Rocha", action="advance",
                         subject=self.use_case.id or "", from_stage="pilot", to_stage="proof", reason="a win")
        return Initiative(id=self.use_case.id or "", use_case=self.use_case, stage="proof", stage_since=BUILT,
                          readouts=(StoredReadout(BUILT, r, digest(r)),), decisions=(advanced,))


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from cxscale.measure.run import measure_spec
    from cxscale.proof import build_proof
    from cxscale.simulate.run import simulate

    out = tmp_path_factory.mktemp("proof-world")
    simulate(out=out, customers=5000, seed=42)
    spec_path = out / "pilots" / "agent_assist.yaml"
    spec = load_spec(spec_path)
    readout = measure_spec(spec_path)
    (out / "agent_assist.readout.json").write_text(json.dumps(readout.to_json()))
    uc = use_case_of(spec)
    w = World(out, spec_path, spec, readout, uc, None)  # type: ignore[arg-type]
    proof = build_proof(w.initiative(), open_data(out), spec=spec, built_at=BUILT)
    return World(out, spec_path, spec, readout, uc, proof)


_DATABASES = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty store: a SQLite file not created yet, or a fresh database on the session's PostgreSQL server."""
    from cxscale.portfolio import open_store

    if request.param == "sqlite":
        url = str(tmp_path / "portfolio.db")
    else:
        import psycopg

        server = request.getfixturevalue("postgres")
        name = f"proofs_{next(_DATABASES)}"
        with psycopg.connect(host="127.0.0.1", port=server.port, user="cxscale", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = f"postgresql://cxscale@127.0.0.1:{server.port}/{name}"
    opened = open_store(url)
    yield opened
    opened.close()
