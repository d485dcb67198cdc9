"""Building a proof point: its numbers are the readout's, it is refused without the gate, a rebuild is byte-identical
apart from its build time, verify fails on changed data, and the PDF reads as a document."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from cxscale.cli import app
from cxscale.data import open_data
from cxscale.documents import ProofPoint
from cxscale.errors import CxscaleError, GateError
from cxscale.pdf import render_pdf, url_fetcher
from cxscale.proof import build_proof, render
from tests.conftest import system_tool
from tests.contracts import assert_follows

runner = CliRunner()


def test_the_proof_points_numbers_are_its_readouts(world):
    p, r = world.proof, world.readout
    assert_follows(ProofPoint, p.to_json())
    for mine, theirs in zip(p.readout.metrics, r.metrics, strict=True):
        for field in ("control", "treatment", "effect_abs", "effect_rel", "p_value"):
            assert getattr(mine, field) == pytest.approx(getattr(theirs, field), rel=1e-9)
        assert mine.ci_rel == pytest.approx(theirs.ci_rel, rel=1e-9)
    claim, m = p.claims[0], r.primary[0]
    assert (claim.effect_rel, claim.units) == (pytest.approx(m.effect_rel, rel=1e-9), m.n_treatment)
    last = p.weekly[-1]  # the cumulative effect at the end of the window is the readout's
    assert (last.label, last.effect_rel) == ("week 8", pytest.approx(m.effect_rel, rel=1e-9))
    assert [g.name for g in p.gate] == ["readout of the pilot", "window complete", "causal design", "sample ratio",
                                        "primary moved", "guardrails hold", "target recorded"]
    assert {f.table: f.rows for f in p.fingerprints}["interactions"] > 1000
    assert p.signed_off == ["Daniel Rocha: advance pilot -> proof"]  # from the initiative's decision log


def test_segment_effects_are_the_readout_on_the_segments_units(world):
    from dataclasses import replace

    from cxscale.measure import readout

    seg = next(s for s in world.proof.segments if s.column == "channel")
    e = next(e for e in seg.effects if e.label == "voice")
    ds = open_data(world.path)
    i = ds.interactions.filter(ds.interactions.channel == "voice")
    a = ds.assignments.filter(ds.assignments.unit_id.isin(i.agent_id))
    again = readout(world.spec, replace(ds.at({"channel": ["voice"]}), tables={
        **ds.at({"channel": ["voice"]}).tables, "assignments": a})).primary[0]
    assert (e.n_control, e.n_treatment) == (again.n_control, again.n_treatment)
    assert e.effect_rel == pytest.approx(again.effect_rel, rel=1e-9)


def test_no_proof_point_without_the_gate_naming_the_conditions(world):
    m = world.readout.primary[0]
    flat = m.model_copy(update={"ci_abs": [m.ci_abs[0], 5.0], "ci_rel": [m.ci_rel[0], 0.01]})
    broken = world.readout.model_copy(update={
        "metrics": [flat, *world.readout.metrics[1:]],
        "srm": world.readout.srm.model_copy(update={"ok": False, "p_value": 0.0001})})
    with pytest.raises(GateError, match=r"agent-assist: no proof point: the pilot -> proof gate does not pass "
                                        r"\(sample ratio: .*; primary moved: aht \(treatment\) .*the interval holds 0"):
        build_proof(world.initiative(broken), open_data(world.path), spec=world.spec)


def test_no_proof_point_when_the_data_no_longer_gives_the_readout(world):
    m = world.readout.primary[0]
    other = world.readout.model_copy(update={"metrics": [m.model_copy(update={"control": m.control + 1}),
                                                         *world.readout.metrics[1:]]})
    with pytest.raises(CxscaleError, match=r"the readout does not match the data .*metrics\[0\]\.control"):
        build_proof(world.initiative(other), open_data(world.path), spec=world.spec)


def _streams(pdf: bytes) -> bytes:
    """The PDF with every Flate stream decompressed, so that a difference inside one can be read, and without its
    byte offsets (the cross-reference table or stream, startxref) and its streams' lengths, which move when a compressed
    date compresses to one byte more or less (the object stream holding the document's dates: 2,783 bytes for one
    second, 2,784 for the next)."""
    def inflate(match: re.Match) -> bytes:
        try:
            return zlib.decompress(match.group(1))
        except zlib.error:
            return match.group(1)
    # A cross-reference stream is the table of byte offsets in binary: left out whole, as the table is.
    pdf = re.sub(rb"(/Type\s*/XRef.*?stream\r?\n).*?(\r?\nendstream)", rb"\1XREF\2", pdf, flags=re.S)
    inflated = re.sub(rb"stream\r?\n(.*?)\r?\nendstream", inflate, pdf, flags=re.S)
    offsets = re.sub(rb"startxref\s+\d+", b"startxref OFFSET", re.sub(rb"\d{10} \d{5} [nf]", b"XREF", inflated))
    offsets = re.sub(rb"/Length \d+", b"/Length N", offsets)
    # The file identifier's second half names this instance of the file: a hash over its bytes, dates included.
    return re.sub(rb"(/ID \[\([0-9a-f]+\) )\([0-9a-f]+\)\]", rb"\1(INSTANCE)]", offsets)


def _build(world, out: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["proof", "build", "--use-case", str(world.path / "uc.yaml"), "--readout",
                                 str(world.path / "agent_assist.readout.json"), "--data", str(world.path), "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output


def test_a_rebuild_is_byte_identical_apart_from_its_build_time(world, tmp_path):
    from cxscale.yamlfile import dump_yaml

    (world.path / "uc.yaml").write_text(dump_yaml(world.use_case.model_dump(mode="json", exclude_none=True)))
    out = tmp_path / "proof"
    _build(world, out)
    first = {f: (out / f).read_bytes() for f in ("proof.json", "proof.html", "proof.pdf")}
    data = json.loads(first["proof.json"])
    data["built_at"] = "2001-01-01T00:00:00Z"
    (out / "proof.json").write_text(json.dumps(data))
    import time

    time.sleep(1.1)  # a build time a second later
    _build(world, out)
    again = {f: (out / f).read_bytes() for f in first}
    a, b = json.loads(first["proof.json"]), json.loads(again["proof.json"])
    assert a.pop("built_at") != b.pop("built_at") and a == b
    lines = [(x, y) for x, y in zip(first["proof.html"].splitlines(), again["proof.html"].splitlines(), strict=True)
             if x != y]
    assert [x.split(b'"')[1] for x, _ in lines] == [b"dcterms.created", b"dcterms.modified"]
    dates = rb"\(D:\d{14}Z?[^)]*\)|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert first["proof.pdf"] != again["proof.pdf"]
    assert re.sub(dates, b"DATE", _streams(first["proof.pdf"])) == re.sub(dates, b"DATE", _streams(again["proof.pdf"]))
    assert ProofPoint.model_validate(a | {"built_at": ""}).content_digest == \
        ProofPoint.model_validate(b | {"built_at": ""}).content_digest


def test_the_same_html_and_date_give_the_same_pdf_bytes(world, tmp_path):
    html = render(world.proof)
    when = datetime(2026, 12, 1, tzinfo=UTC)
    one, two = render_pdf(html, tmp_path / "1.pdf", created=when), render_pdf(html, tmp_path / "2.pdf", created=when)
    assert one.read_bytes() == two.read_bytes()


def test_the_pdf_loads_nothing_but_cxscales_own_files(tmp_path):
    for url in ("https://example.com/logo.png", "file:///etc/passwd", "data:text/plain,x"):
        with pytest.raises(CxscaleError, match="refused to load"):
            url_fetcher(url)
    own = (Path(__file__).resolve().parents[2] / "cxscale" / "templates" / "proof.html").as_uri()
    assert url_fetcher(own)["string"].startswith(b"<!DOCTYPE html>")


def test_the_pdf_renders_its_pages_with_charts(world, tmp_path):
    pdftoppm = system_tool("pdftoppm", package="poppler-utils")
    from PIL import Image

    pdf = render_pdf(render(world.proof), tmp_path / "proof.pdf", created=None)
    subprocess.run([pdftoppm, "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 4 <= len(pages) <= 8
    for page in pages:
        ink = float((np.asarray(Image.open(page).convert("L")) < 200).mean())
        assert ink > 0.01, f"{page.name} is almost blank"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout if \
        shutil.which("pdftotext") else ""
    if text:
        assert world.proof.claims[0].text[:40].capitalize()[:20] in text.replace("\n", " ")


def test_verify_holds_on_the_same_data_and_lists_the_differences_on_changed_data(world, tmp_path):
    changed = tmp_path / "world"
    shutil.copytree(world.path, changed)
    part = next((changed / "interactions").glob("*.parquet"))
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * REPLACE (CASE WHEN channel = 'voice' THEN handle_seconds * 1.1 ELSE handle_seconds "
                f"END AS handle_seconds) FROM '{part}') TO '{tmp_path / 'p.parquet'}' (FORMAT parquet)")
    shutil.move(tmp_path / "p.parquet", part)
    (tmp_path / "proof.json").write_text(json.dumps(world.proof.to_json()))
    cli = runner.invoke(app, ["proof", "verify", str(tmp_path / "proof.json"), "--data", str(changed), "--json"])
    assert cli.exit_code == 1
    found = json.loads(cli.output)
    paths = [d["path"] for d in found["differences"]]
    assert not found["ok"] and "fingerprints[2].content_hash" in paths
    assert any(p.startswith("readout.metrics[0].") for p in paths)
    first = next(d for d in found["differences"] if d["path"] == "readout.metrics[0].control")
    assert first["recomputed"] > first["stored"]  # voice contacts 10% longer: a longer control handle time
    same = runner.invoke(app, ["proof", "verify", str(tmp_path / "proof.json"), "--data", str(world.path)])
    assert same.exit_code == 0 and "match the data" in same.output


def test_a_rollouts_effect_by_week_is_its_event_study_with_the_weeks_before_it(world):
    from cxscale.documents import load_spec
    from cxscale.measure.run import measure_spec
    from cxscale.metrics.catalog import builtin_catalog
    from cxscale.proof.evidence import weekly

    spec_path = world.path / "pilots" / "callback_rollout.yaml"
    doc = measure_spec(spec_path)
    weeks = weekly(load_spec(spec_path), open_data(world.path), builtin_catalog(), doc)
    es = doc.primary[0].event_study
    assert [w.label for w in weeks] == [f"week {k:+d}" for k in es.rel_weeks]
    assert {w.verdict for w in weeks} == {"pre", "post"}
    assert [w.effect_abs for w in weeks] == es.coef
