"""`cxscale proof`: build a proof point (HTML, PDF and its JSON), check sales copy against it, verify it on the data."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cxscale.cli._app import app, console, iso_date, number_in, print_json, read_settings
from cxscale.errors import CxscaleError

if TYPE_CHECKING:
    from cxscale.documents.proof_point import ProofPoint
    from cxscale.portfolio.store import Store

proof_app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                        help="Proof points: validated pilots packaged as reproducible, verifiable evidence.\n\n"
                             "Example: [bold]cxscale proof build --use-case uc.yaml --spec pilot.yaml --data world "
                             "--out proof/[/]")
app.add_typer(proof_app, name="proof")


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CxscaleError(f"{path}: cannot read the {what} ({exc})") from None
    if not isinstance(data, dict):
        raise CxscaleError(f"{path}: a {what} is a JSON object")
    return data


def load_proof(path: Path) -> ProofPoint:
    """A proof point's JSON, validated; one line naming the file when it is not one."""
    from pydantic import ValidationError

    from cxscale.documents.proof_point import ProofPoint

    try:
        return ProofPoint.model_validate(_read_json(path, "proof point"))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CxscaleError(f"{path}: not a proof point: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


@proof_app.command("build", epilog="Examples:\n\n  cxscale proof build agent-assist-live --store portfolio.db "
                   "--data out/world --out proof/agent-assist   # an initiative of the store, recorded in its log"
                   "\n\n  cxscale proof build --use-case portfolio/agent-assist.yaml "
                   "--readout readouts/agent_assist.json --data world --out proof/agent-assist   # from files")
def build_command(
    initiative_id: str = typer.Argument(None, metavar="[ID]", help="An initiative of the store (--store): its use "
                                        "case and latest readout; the proof point is recorded in the store's "
                                        "library and decision log, by you (your credential)."),
    use_case: Path = typer.Option(None, "--use-case", help="Or: the initiative's use case (YAML)."),
    readout_file: Path = typer.Option(None, "--readout", help="Its stored readout (cxscale measure --json); the "
                                                              "data must still give it."),
    spec_file: str = typer.Option(None, "--spec", help="Its pilot spec (a file or a shipped name), when the use case "
                                                       "names it as a file or no readout is given: read out now."),
    data: str = typer.Option(..., "--data", help="The data the pilot was read out on (folder, file or URL)."),
    mapping: str = typer.Option(None, "--mapping", help="A mapping file or shipped mapping name."),
    out: Path = typer.Option(..., "--out", help="Folder for proof.json, proof.html and proof.pdf."),
    store: str = typer.Option(None, "--store", help="The portfolio store (a SQLite file or postgresql:// URL; "
                                                    "default with ID: CXSCALE_STORE): the proof point joins its "
                                                    "library and a proof_point entry its decision log."),
    token_file: Path = typer.Option(None, "--token-file", help="A file holding your personal API token (default: "
                                    "CXSCALE_TOKEN; on a SQLite store, else your operating-system user's person)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also print the page as a PDF."),
    as_json: bool = typer.Option(False, "--json", help="Print the proof point's JSON."),
) -> None:
    """Build the proof point of an initiative whose pilot -> proof gate passes; refused, naming the conditions that
    did not hold, otherwise. Writes proof.json, proof.html (self-contained) and proof.pdf into --out."""
    from datetime import UTC, datetime

    from cxscale.data import open_data
    from cxscale.documents import PilotSpec, ReadoutDocument, digest, load_spec, load_use_case
    from cxscale.measure.readout import readout
    from cxscale.pdf import render_pdf
    from cxscale.portfolio.records import Initiative, StoredReadout
    from cxscale.proof import build_proof, render

    settings = read_settings()
    if initiative_id is not None:
        if use_case is not None or readout_file is not None:
            raise CxscaleError("give an initiative ID (its documents come from the store) or --use-case, not both")
        _build_stored(initiative_id, store or settings.store, token_file, spec_file, data, mapping, out, pdf,
                      as_json)
        return
    if use_case is None:
        raise CxscaleError("give the initiative: an ID of the store, or --use-case FILE (see --help)")
    uc = load_use_case(use_case)
    spec = load_spec(spec_file) if spec_file else None
    if spec is None and isinstance(uc.pilot_spec, str):
        spec = load_spec(use_case.parent / uc.pilot_spec)
    if spec is None and not isinstance(uc.pilot_spec, PilotSpec):
        raise CxscaleError(f"{use_case}: the use case has no pilot spec; give --spec FILE")
    the_spec = spec or uc.pilot_spec
    assert isinstance(the_spec, PilotSpec)
    dataset = open_data(data, mapping, settings=settings)
    now = datetime.now(UTC).replace(microsecond=0)
    doc = ReadoutDocument.model_validate(_read_json(readout_file, "readout")) if readout_file else \
        readout(the_spec, dataset)
    initiative = Initiative(id=uc.id or the_spec.pilot, use_case=uc, stage="proof", stage_since=now,
                            readouts=(StoredReadout(now, doc, digest(doc)),))
    words = ["cxscale", "proof", "build", "--use-case", str(use_case)]
    words += ["--readout", str(readout_file)] if readout_file else []
    words += ["--spec", str(spec_file)] if spec_file else []
    words += ["--data", str(data)] + (["--mapping", mapping] if mapping else []) + ["--out", str(out)]
    proof = build_proof(initiative, dataset, spec=the_spec, command=shlex.join(words), mapping=mapping, built_at=now)
    out.mkdir(parents=True, exist_ok=True)
    (out / "proof.json").write_text(json.dumps(proof.to_json(), indent=2, sort_keys=True) + "\n")
    html = render(proof)
    (out / "proof.html").write_text(html, encoding="utf-8")
    if pdf:
        render_pdf(html, out / "proof.pdf", created=now)
    if store:
        from cxscale.cli.portfolio import acting, opened
        from cxscale.portfolio.access import authorize
        from cxscale.proof.library import record_proof

        with opened(store) as s:
            person = acting(s, token_file)
            assert person is not None
            authorize(person, "attach", uc)
            record_proof(s, proof, actor=person.id)
    _report(proof, out, pdf, as_json)


def _report(proof: ProofPoint, out: Path, pdf: bool, as_json: bool) -> None:
    if as_json:
        print_json(proof.to_json())
        return
    for c in proof.claims:
        console.print(f"[green]claim[/]: {c.text}", highlight=False, soft_wrap=True)
    console.print(f"proof point {proof.id} ({proof.content_digest[:12]}) written to {out}/proof.json, proof.html"
                  + (", proof.pdf" if pdf else ""), highlight=False)


def _build_stored(initiative_id: str, store: str, token_file: Path | None, spec_file: str | None, data: str,
                  mapping: str | None, out: Path, pdf: bool, as_json: bool) -> None:
    """`cxscale proof build ID`: the initiative's documents from the store; built by the acting person (an owner
    of the initiative or a council member, the rule of attaching its evidence), recorded in the library and log."""
    from datetime import UTC, datetime

    from cxscale.cli.portfolio import acting, opened
    from cxscale.data import open_data
    from cxscale.documents import load_spec
    from cxscale.pdf import render_pdf
    from cxscale.portfolio import service
    from cxscale.portfolio.access import authorize
    from cxscale.proof import build_proof, render
    from cxscale.proof.library import record_proof

    with opened(store) as s:
        person = acting(s, token_file)
        assert person is not None
        initiative = service.initiative(s, initiative_id)
        authorize(person, "attach", initiative)
        dataset = open_data(data, mapping, settings=read_settings())
        now = datetime.now(UTC).replace(microsecond=0)
        words = ["cxscale", "proof", "build", initiative_id, "--store", store, "--data", str(data)]
        words += (["--spec", spec_file] if spec_file else []) + (["--mapping", mapping] if mapping else [])
        proof = build_proof(initiative, dataset, spec=load_spec(spec_file) if spec_file else None,
                            command=shlex.join([*words, "--out", str(out)]), mapping=mapping, built_at=now)
        out.mkdir(parents=True, exist_ok=True)
        (out / "proof.json").write_text(json.dumps(proof.to_json(), indent=2, sort_keys=True) + "\n")
        html = render(proof)
        (out / "proof.html").write_text(html, encoding="utf-8")
        if pdf:
            render_pdf(html, out / "proof.pdf", created=now)
        record_proof(s, proof, actor=person.id)
    _report(proof, out, pdf, as_json)


@proof_app.command("claim-check", epilog="Example:\n\n  cxscale proof claim-check brochure.txt --proof proof/proof.json")
def claim_check_command(
    text: str = typer.Argument(..., help="The copy to check, or a text file holding it."),
    proof_file: Path = typer.Option(..., "--proof", help="The proof point (proof.json)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per sentence."),
) -> None:
    """Check sales copy against the proof point, sentence by sentence: exit 1 when any sentence overstates the
    evidence (a number outside the interval, the upper bound as the effect, a segment's result for everyone, a
    relative effect on the wrong base, a secondary metric as primary, money without its interval)."""
    from dataclasses import asdict

    from cxscale.proof import check_claims

    proof = load_proof(proof_file)
    path = Path(text)
    copy = path.read_text() if len(text) < 4096 and "\n" not in text and path.is_file() else text
    verdicts = check_claims(copy, proof)
    if as_json:
        print_json([asdict(v) for v in verdicts])
    else:
        table = Table("", "sentence", "reason", show_lines=True)
        for v in verdicts:
            table.add_row("[green]ok[/]" if v.ok else f"[red]{v.kind}[/]", v.sentence, v.reason)
        console.print(table)
    if not verdicts:
        raise CxscaleError("the copy states no number and names no metric of the proof point: nothing to check")
    if not all(v.ok for v in verdicts):
        raise typer.Exit(1)


@proof_app.command("verify", epilog="Example:\n\n  cxscale proof verify proof/proof.json --data world")
def verify_command(
    proof_file: Path = typer.Argument(..., help="The proof point (proof.json)."),
    data: str = typer.Option(..., "--data", help="The data to recompute it on."),
    mapping: str = typer.Option(None, "--mapping", help="A mapping file or shipped mapping name."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Recompute every number of the proof point from the data and its pilot spec; exit 1 listing each difference
    when one no longer matches (changed data, another engine, another version)."""
    from dataclasses import asdict

    from cxscale.data import open_data
    from cxscale.proof.verify import verify_proof

    proof = load_proof(proof_file)
    result = verify_proof(proof, open_data(data, mapping or proof.rebuild.mapping, settings=read_settings()))
    if as_json:
        print_json({"ok": result.ok, "checked": result.checked,
                    "differences": [asdict(d) for d in result.differences]})
    elif result.ok:
        console.print(f"[green]ok[/]: all {result.checked:,} values of proof point {proof.id} match the data",
                      highlight=False)
    else:
        table = Table("value", "proof point", "recomputed")
        for d in result.differences[:40]:
            table.add_row(d.path, str(d.stored), str(d.recomputed))
        console.print(table)
        more = len(result.differences) - 40
        console.print(f"[red]{len(result.differences):,} of {result.checked:,} values differ[/]"
                      + (f" ({more:,} not shown; --json lists all)" if more > 0 else ""), highlight=False)
    if not result.ok:
        raise typer.Exit(1)


_STORE_HELP = "The portfolio store: a SQLite file or a postgresql:// URL (default: CXSCALE_STORE, else portfolio.db)."


def _store(store: str | None) -> Store:
    from cxscale.portfolio import open_store

    return open_store(store or read_settings().store)


@proof_app.command("add", epilog="Example:\n\n  cxscale proof add proof/proof.json --store portfolio.db")
def add_command(
    proof_file: Path = typer.Argument(..., help="The proof point (proof.json)."),
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help="A file holding your personal API token (default: "
                                    "CXSCALE_TOKEN; on a SQLite store, else your operating-system user's person)."),
    as_json: bool = typer.Option(False, "--json", help="Print the decision-log entry as JSON."),
) -> None:
    """Add a built proof point to the library and record its proof_point entry in the decision log, by you (an
    owner of the initiative or a council member)."""
    from cxscale.cli.portfolio import acting
    from cxscale.portfolio.access import authorize
    from cxscale.proof.library import record_proof

    proof = load_proof(proof_file)
    opened = _store(store)
    try:
        person = acting(opened, token_file)
        assert person is not None
        authorize(person, "attach", proof.use_case)
        entry = record_proof(opened, proof, actor=person.id)
    finally:
        opened.close()
    if as_json:
        print_json(entry.to_json())
        return
    console.print(f"proof point {proof.id} ({proof.content_digest[:12]}) stored; decision-log entry {entry.seq}",
                  highlight=False)


@proof_app.command("list", epilog="Examples:\n\n  cxscale proof list --capability agent_assist --min-effect 0.05\n\n"
                   "  cxscale proof list --search handle --json")
def list_command(
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    journey_stage: str = typer.Option(None, "--journey-stage", help="Only this journey stage."),
    intent: str = typer.Option(None, "--intent", help="Only this intent."),
    channel: str = typer.Option(None, "--channel", help="Only this channel."),
    capability: str = typer.Option(None, "--capability", help="Only proof points using this capability."),
    metric: str = typer.Option(None, "--metric", help="Only this primary metric."),
    min_effect: float = typer.Option(None, "--min-effect", callback=number_in(-1, 100), help="Only primary effects at least this size in the good "
                                                                "direction (a share: 0.05 = 5%)."),
    owner: str = typer.Option(None, "--owner", help="Only initiatives this person owns or sponsors."),
    since: str = typer.Option(None, "--since", callback=iso_date, help="Built on or after this date (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--until", callback=iso_date, help="Built before this date (YYYY-MM-DD)."),
    search: str = typer.Option(None, "--search", help="Words that must all occur in the title, problem, mechanism or "
                                                      "claims (full-text search)."),
    as_json: bool = typer.Option(False, "--json", help="Print the proof points as one JSON list."),
) -> None:
    """List the library's proof points, newest first, filtered by where they were proven and what they proved."""
    from dataclasses import asdict

    from cxscale import format as fmt
    from cxscale.proof.library import list_proofs

    opened = _store(store)
    try:
        found = list_proofs(opened, journey_stage=journey_stage, intent=intent, channel=channel,
                            capability=capability, metric=metric, min_effect=min_effect, owner=owner, since=since,
                            until=until, search=search)
    finally:
        opened.close()
    if as_json:
        print_json([asdict(f) for f in found])
        return
    table = Table("proof point", "title", "where", "capabilities", "metric", "effect", "CI", "built")
    for f in found:
        table.add_row(f.digest[:12], f.title, ", ".join(v for v in (f.journey_stage, f.intent, f.channel) if v),
                      ", ".join(f.capabilities), f.metric, fmt.percent(f.effect),
                      f"{fmt.percent(f.ci[0])} to {fmt.percent(f.ci[1])}", f.built_at[:10])
    console.print(table)
    console.print(f"{len(found)} proof point{'' if len(found) == 1 else 's'}", highlight=False)


@proof_app.command("learn", epilog="Example (CLAIM in quotes):\n\n  cxscale proof learn CLAIM --supports 1a2b3c4d "
                   "--contradicts 9f8e7d6c")
def learn_command(
    claim: str = typer.Argument(..., help="What the portfolio learned, as a claim."),
    supports: list[str] = typer.Option([], "--supports", help="A proof point (digest prefix) that supports it."),
    contradicts: list[str] = typer.Option([], "--contradicts", help="A proof point that contradicts it."),
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    token_file: Path = typer.Option(None, "--token-file", help="A file holding your personal API token (default: "
                                    "CXSCALE_TOKEN; on a SQLite store, else your operating-system user's person)."),
    as_json: bool = typer.Option(False, "--json", help="Print the learning as JSON."),
) -> None:
    """Record a learning linked to the proof points that support and that contradict it (a council member or an
    admin)."""
    from dataclasses import asdict

    from cxscale.cli.portfolio import acting
    from cxscale.portfolio.access import authorize
    from cxscale.proof.library import add_learning

    opened = _store(store)
    try:
        person = acting(opened, token_file)
        assert person is not None
        authorize(person, "learn")
        learning = add_learning(opened, claim, supports=supports, contradicts=contradicts)
    finally:
        opened.close()
    if as_json:
        print_json(asdict(learning))
        return
    console.print(f"learning {learning.id}: {len(learning.supports)} supporting, {len(learning.contradicts)} "
                  "contradicting proof points", highlight=False)


@proof_app.command("index", epilog="Example:\n\n  cxscale proof index --out library.html")
def index_command(
    out: Path = typer.Option(..., "--out", help="The HTML page to write."),
    store: str = typer.Option(None, "--store", help=_STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"index\": PATH, \"proof_points\": N} as JSON."),
) -> None:
    """Write the library's index page: proof points by capability and journey stage, and the learnings."""
    from cxscale.proof.library import list_proofs, write_index

    opened = _store(store)
    try:
        write_index(opened, out)
        count = len(list_proofs(opened))
    finally:
        opened.close()
    if as_json:
        print_json({"index": str(out), "proof_points": count})
        return
    console.print(f"library index written to {out}", highlight=False)
