"""The end-to-end job on the embedded default: simulate a CX world, validate it, diagnose its journeys and read out
every pilot in it. `make demo` runs this through `cxscale demo`; each step is the same function its own command uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from cxscale.data import open_data
from cxscale.documents.pilot_spec import load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.engine import connect
from cxscale.journey import Diagnosis, diagnose, render_html, write_drafts
from cxscale.measure.html import write_html
from cxscale.measure.readout import readout
from cxscale.metrics.catalog import load_catalog
from cxscale.simulate import SimulationResult, simulate

if TYPE_CHECKING:
    from cxscale.settings import Settings

#: The steps, in order, with the label the progress bar shows.
STEPS = ("simulate", "validate", "summarise", "diagnose", "measure")


@dataclass
class DemoResult:
    """What the demo produced: the world, the validation report, a summary, the diagnosis (its top 10 hotspots) and
    one readout per pilot."""

    out: Path
    world: SimulationResult
    validation: dict[str, Any]
    summary: dict[str, Any]
    diagnosis: Diagnosis
    readouts: list[ReadoutDocument] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "world": self.world.summary(), "validation": self.validation,
            "summary": self.summary, "diagnosis": self.diagnosis.as_json(),
            "readouts": [r.to_json() for r in self.readouts], "files": self.files,
        }


def summarise(path: Path, con: Any) -> dict[str, Any]:
    """What is in a world: volumes, period, channels, intents, money, computed as aggregates inside the engine."""
    ds = open_data(path, engine=con, validate=False)
    it = ds.interactions
    overall = it.aggregate(
        interactions=it.count(), customers=it.customer_id.nunique(), first=it.started_at.min(),
        last=it.started_at.max(), cost=it.cost.sum(), handle_hours=it.handle_seconds.sum() / 3600,
        resolved_share=it.resolved.cast("float64").mean(), csat_mean=it.csat.mean(),
        intents=it.intent.nunique(), agents=it.agent_id.nunique(), sites=it.site.nunique(),
    ).to_pyarrow().to_pylist()[0]
    for key in ("first", "last"):  # ISO 8601 in UTC, like every other document cxscale writes
        overall[key] = overall[key].isoformat().replace("+00:00", "Z") if overall[key] is not None else None
    channels = (it.group_by("channel").aggregate(contacts=it.count(), cost=it.cost.sum())
                .order_by(ibis.desc("contacts")).to_pyarrow().to_pylist())
    return {"overall": overall, "channels": channels}


def run_demo(out: str | Path = "out/demo", customers: int = 50_000, seed: int = 42,
             step: Callable[[str], None] | None = None, settings: Settings | None = None) -> DemoResult:
    """Run the whole pipeline on a fresh synthetic support world written to OUT/world; reports go to OUT/.
    settings: the engine's (cxscale.settings; None: the defaults)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tell = step or (lambda _s: None)
    world_dir = out / "world"

    tell("simulate")
    world = simulate("support", customers=customers, seed=seed, out=world_dir)

    tell("validate")
    con = connect(settings=settings)
    report = open_data(world_dir, engine=con, report_only=True).report
    assert report is not None  # opened with validation
    if not report.ok:  # the simulator writes contract data; anything else is a bug worth stopping for
        raise RuntimeError(report.error_message())

    tell("summarise")
    summary = summarise(world_dir, con)

    tell("diagnose")
    diagnosis = diagnose(open_data(world_dir, engine=con, validate=False))
    files: dict[str, str] = {}
    (out / "diagnosis.html").write_text(render_html(diagnosis))
    (out / "diagnosis.json").write_text(json.dumps(diagnosis.as_json(), indent=2))
    files["diagnosis_html"] = str(out / "diagnosis.html")
    files["diagnosis_json"] = str(out / "diagnosis.json")
    drafts = out / "use_cases"
    write_drafts(diagnosis.use_cases, drafts)
    files["use_case_drafts"] = str(drafts)

    tell("measure")
    catalog = load_catalog()
    readouts = []
    (out / "readouts").mkdir(exist_ok=True)
    data = open_data(world_dir, engine=con, validate=False)
    for spec_file in sorted((world_dir / "pilots").glob("*.yaml")):
        spec = load_spec(spec_file)
        r = readout(spec, data, catalog)
        readouts.append(r)
        (out / "readouts" / f"{r.pilot}.json").write_text(json.dumps(r.to_json(), indent=2))
        write_html(r, out / "readouts" / f"{r.pilot}.html", spec, catalog)
    files["readouts"] = str(out / "readouts")

    return DemoResult(out=out, world=world, validation=report.to_dict(), summary=summary,
                      diagnosis=diagnosis.top(10), readouts=readouts, files=files)
