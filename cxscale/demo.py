"""The end-to-end job on the embedded default: simulate a CX world, validate it, diagnose its journeys and read out
every pilot in it. `make demo` runs this through `cxscale demo`; each step is the same function its own command uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from cxscale.data import Dataset, open_data
from cxscale.documents.pilot_spec import PilotSpec, load_spec
from cxscale.documents.readout import ReadoutDocument
from cxscale.engine import connect
from cxscale.errors import CxscaleError
from cxscale.journey import Diagnosis, diagnose, render_html, write_drafts
from cxscale.measure.html import write_html
from cxscale.measure.readout import readout
from cxscale.metrics.catalog import load_catalog
from cxscale.simulate import SimulationResult, simulate

if TYPE_CHECKING:
    from cxscale.portfolio.records import Person
    from cxscale.settings import Settings

#: The steps, in order, with the label the progress bar shows.
STEPS = ("simulate", "validate", "summarise", "diagnose", "measure", "portfolio", "audit", "proof")
#: The password `make demo` gives every demo person for the dashboard (demo mode only: the login page says so).
DEMO_PASSWORD = "demo"


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
    portfolio: PortfolioStory | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "world": self.world.summary(), "validation": self.validation,
            "summary": self.summary, "diagnosis": self.diagnosis.as_json(),
            "readouts": [r.to_json() for r in self.readouts], "files": self.files,
            "portfolio": self.portfolio.to_json() if self.portfolio else None,
        }


@dataclass
class PortfolioStory:
    """What the demo did with the world's portfolio: every decision it took (or the gate that refused it), where
    each initiative ended, the audit, the scorecard, the proof points and whether the decision log verifies."""

    store: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    scorecard: dict[str, Any] = field(default_factory=dict)
    proof_points: dict[str, str] = field(default_factory=dict)
    log: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"store": self.store, "steps": self.steps, "stages": self.stages, "audit": self.audit,
                "scorecard": self.scorecard, "proof_points": self.proof_points, "log": self.log}


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
    write_drafts(diagnosis.use_cases, drafts, hotspots=diagnosis.hotspots, diagnosis=str(out / "diagnosis.html"))
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

    story = None
    if (world_dir / "portfolio" / "planted.json").exists():
        story = run_portfolio(out, world_dir, data, diagnosis, catalog, tell)
        files.update({k: v for k, v in story.log.items() if k in ("checkpoint", "public_key")})
        files["portfolio_store"] = story.store
        files["review"] = str(out / "review.html")
        files["proof_points"] = str(out / "proof")

    return DemoResult(out=out, world=world, validation=report.to_dict(), summary=summary,
                      diagnosis=diagnosis.top(10), readouts=readouts, files=files, portfolio=story)


def _first_active(people: dict[str, Person], *ids: str | None) -> Person | None:
    return next((people[i] for i in ids if i is not None and i in people and people[i].active), None)


def run_portfolio(out: Path, world_dir: Path, data: Dataset, diagnosis: Diagnosis, catalog: Any,
                  tell: Callable[[str], None] = lambda _s: None) -> PortfolioStory:
    """The operating model on the world's portfolio (docs/simulator.md#the-portfolio), in a fresh store
    OUT/portfolio.db: sync the folder, then for each initiative take every gate whose evidence holds, acting as the
    people the use case names (the demo is the library acting for them; the command line needs a credential):
    idea -> pilot on the power plan of the data, a readout of its pilot spec attached, pilot -> proof on it, the
    sign-offs and stops the manifest plants (people's decisions), a proof point for every proof, proof -> scale where
    it then holds. Then the audit, the scorecard, the quarterly review pack, a signed checkpoint of the log and its
    verification, and the demo people's dashboard passwords."""
    from cxscale.portfolio import service
    from cxscale.portfolio.audit import audit
    from cxscale.portfolio.log import checkpoint, entries, generate_key, load_public_key, public_path, verify
    from cxscale.portfolio.review import build_review, write_review
    from cxscale.portfolio.scorecard import evaluate, evaluations, save_evaluation
    from cxscale.portfolio.store import open_store

    tell("portfolio")
    folder = world_dir / "portfolio"
    planted = {p["id"]: p for p in json.loads((folder / "planted.json").read_text())["initiatives"]}
    path = out / "portfolio.db"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = open_store(path)
    story = PortfolioStory(store=str(path))
    try:
        service.sync(store, folder, None)
        people = {p.id: p for p in service.people(store)}
        council = next(p for p in people.values() if "council" in p.roles and p.active)
        (out / "portfolio_readouts").mkdir(exist_ok=True)

        def act(iid: str, what: str, do: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
            try:
                done = do(store, iid, *args, **kwargs)
            except CxscaleError as exc:
                story.steps.append({"initiative": iid, "step": what, "done": False, "why": str(exc)})
                return False
            pending = getattr(done, "pending", False)
            story.steps.append({"initiative": iid, "step": what, "done": not pending,
                                "why": f"waits for {done.waiting_for}" if pending else ""})
            return not pending

        for iid in planted:
            i = service.initiative(store, iid)
            o = i.use_case.owners
            owner = _first_active(people, o.technology, o.operations, o.commercial) if o else None
            mover = owner or council
            act(iid, "idea -> pilot", service.advance, "pilot",
                "the use case lints clean and the power plan detects its target", mover, data=data)
            if service.initiative(store, iid).stage == "pilot" and isinstance(i.use_case.pilot_spec, PilotSpec):
                r = readout(i.use_case.pilot_spec, data, catalog)
                (out / "portfolio_readouts" / f"{iid}.json").write_text(json.dumps(r.to_json(), indent=2))
                service.attach_readout(store, iid, r, mover)
                act(iid, "pilot -> proof", service.advance, "proof", f"the readout recommends advancing: {r.reason}",
                    mover)
            reason = planted[iid].get("stop_reason")
            if reason and service.initiative(store, iid).stage not in ("stopped", "retired"):
                sponsor = _first_active(people, o.executive_sponsor if o else None) or council
                act(iid, "stop", service.stop, reason, sponsor)
            if service.initiative(store, iid).stage == "proof":
                for function in planted[iid].get("signoffs", []):
                    signer = _first_active(people, getattr(o, function) if o else None)
                    if signer is not None:
                        act(iid, f"{function} sign-off", service.signoff, function, signer)

        tell("proof")
        story.proof_points = _proof_points(out, store, data, catalog)
        for iid in planted:
            if service.initiative(store, iid).stage == "proof":
                i = service.initiative(store, iid)
                mover = _first_active(people, i.use_case.owners.technology if i.use_case.owners else None) or council
                act(iid, "proof -> scale", service.advance, "scale", "signed off by every function on the proof point",
                    mover)
        found = service.initiatives(store)
        story.stages = {i.id: i.stage for i in found}

        tell("audit")
        key = out / "portfolio-log.key"
        for stale in (key, public_path(key)):
            stale.unlink(missing_ok=True)
        mark = checkpoint(store, generate_key(key))
        mark.write(out / "portfolio-log.checkpoint.json")
        check = verify(store, mark, load_public_key(public_path(key)))
        story.log = {"entries": len(entries(store)), "verified": check.ok, "head": check.head,
                     "checkpoint": str(out / "portfolio-log.checkpoint.json"), "public_key": str(public_path(key))}
        now = datetime.now(UTC)
        everyone = list(people.values())
        doc = _diagnosis_document(diagnosis)
        story.audit = [f.to_json() for f in audit(found, everyone, doc, now)]
        card = evaluate(found, everyone, doc, check, now)
        save_evaluation(store, card)
        story.scorecard = card.to_json()
        pack = build_review(found, everyone, doc, card.quarter, now, check, evaluations(store)[:-1])
        write_review(pack, out / "review.html")
        _demo_logins(out, store, everyone)
    finally:
        store.close()
    return story


def _diagnosis_document(diagnosis: Diagnosis) -> Any:
    from cxscale.documents.diagnosis import DiagnosisDocument

    return diagnosis if isinstance(diagnosis, DiagnosisDocument) else DiagnosisDocument.model_validate(
        diagnosis.as_json())


def _proof_points(out: Path, store: Any, data: Dataset, catalog: Any) -> dict[str, str]:
    """A proof point (HTML, PDF, JSON) for every initiative at proof, recorded in the store's library and log."""
    from cxscale.pdf import render_pdf
    from cxscale.portfolio import service
    from cxscale.proof import build_proof, render
    from cxscale.proof.library import record_proof, write_index

    built: dict[str, str] = {}
    for i in service.initiatives(store):
        if i.stage != "proof":
            continue
        now = datetime.now(UTC).replace(microsecond=0)
        proof = build_proof(i, data, catalog=catalog, built_at=now,
                            command=f"cxscale proof build {i.id} --store {out / 'portfolio.db'} --data "
                                    f"{out / 'world'}")
        folder = out / "proof" / i.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "proof.json").write_text(json.dumps(proof.to_json(), indent=2, sort_keys=True) + "\n")
        html = render(proof, catalog)
        (folder / "proof.html").write_text(html, encoding="utf-8")
        render_pdf(html, folder / "proof.pdf", created=now)
        record_proof(store, proof, actor="demo.admin")
        built[i.id] = str(folder)
    write_index(store, out / "proof" / "index.html")
    return built


def _demo_logins(out: Path, store: Any, people: list[Person]) -> None:
    """Give every active demo person the demo password and list them for the dashboard's login page."""
    try:
        from cxscale.portfolio.passwords import set_password
    except ImportError:  # the dashboard's passwords are not in this build
        return
    users = []
    for p in people:
        if p.active:
            set_password(store, p.id, DEMO_PASSWORD, None, demo=True)
            users.append({"user": p.id, "what": ", ".join([*p.functions, *p.roles]) or "member"})
    (out / "demo-logins.json").write_text(json.dumps({"password": DEMO_PASSWORD, "users": users}, indent=2))
