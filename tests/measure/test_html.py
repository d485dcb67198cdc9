"""The readout page (cxscale measure --html): every metric shows its target and whether it was reached, every number
reads in its unit, nothing reads nan or inf, and the verdict, SRM check, money, warnings and scope are on it."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pytest

from cxscale import format as fmt
from cxscale.documents.readout import ReadoutDocument
from cxscale.measure import html as page
from tests.measure.pages import SPEC, MetricTable, arms_readout, edge_readout

M = fmt.MINUS


@pytest.fixture(scope="module")
def arms(tmp_path_factory: pytest.TempPathFactory) -> ReadoutDocument:
    return arms_readout(tmp_path_factory.mktemp("arms"))


def render(r: ReadoutDocument) -> str:
    return page.render(r, SPEC)


def _rows(r: ReadoutDocument) -> dict[tuple[str, str], dict[str, str]]:
    rows = MetricTable(render(r)).rows
    assert len(rows) == len(r.metrics)
    return {(row["name"].split(" | ")[0], row["name"].split("arm ")[-1]): row for row in rows}


def _visible(page: str) -> str:
    """The page's text and its tooltips, without tags."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S)))


def test_every_metric_row_shows_its_target_and_whether_it_was_reached(arms):
    rows = _rows(arms)
    for m in arms.metrics:
        row = rows[(m.name, m.arm)]
        if m.role == "primary":
            assert row["target"] == f"{M}5.0%"
            expected = {(True, True): "yes, whole CI", (True, False): "estimate only", (False, False): "no"}
            assert row["reached"] == expected[(m.target_reached, m.target_reached_ci)]
        elif m.role == "guardrail":  # the tolerated harm, signed the way that hurts; the status beside it
            assert row["target"] == {"csat_mean": f"{M}2.0%", "repeat_contact_rate_7d": "+2.0 pp"}[m.name]
            assert row["reached"] == m.guardrail_status
        else:
            assert (row["target"], row["reached"]) == ("none", "no target")
        assert row["reason"].startswith(f"{m.verdict} | ")


def test_numbers_read_in_their_units(arms):
    rows = _rows(arms)
    rate = rows[("repeat_contact_rate_7d", "treatment")]
    m = next(m for m in arms.metrics if m.name == "repeat_contact_rate_7d" and m.arm == "treatment")
    assert re.fullmatch(r"\d{1,2}\.\d%", rate["control"]) and rate["control"] == fmt.percent(m.control)
    assert f"{m.control:.4f}"[:5] not in render(arms)  # no raw fraction such as 0.2584
    assert re.fullmatch(r"[+\u2212][\d.]+ pp \| \[[+\u2212][\d.]+ pp, [+\u2212][\d.]+ pp\]", rate["change"])
    cost = rows[("cost_to_serve", "treatment")]
    assert cost["control"].endswith(" EUR") and cost["change"].split(" | ")[0].endswith(" EUR")
    assert re.fullmatch(r"\d+:\d\d min", rows[("aht", "treatment")]["control"])
    assert rows[("aht", "treatment")]["change"].split(" | ")[0].endswith(" s")
    for row in rows.values():
        assert re.fullmatch(r"[+\u2212][\d.,]+%", row["relative"].split(" | ")[0]) or row["relative"] == "n/a | n/a"
        assert "e-" not in row["p"]


def test_a_metric_without_an_estimate_reads_n_a(arms):
    csat_b = _rows(arms)[("csat_mean", "treatment_b")]
    assert csat_b["treatment"] == "n/a" and csat_b["change"] == "n/a | n/a" and csat_b["reached"] == "watch"
    assert "no estimate" in render(arms)  # in the chart
    nan = math.nan
    blank = [m.model_copy(update={"effect_abs": nan, "ci_abs": [nan, nan], "target_reached": None,
                                  "target_reached_ci": None}) if m.role == "primary" else m for m in arms.metrics]
    primary = _rows(arms.model_copy(update={"metrics": blank}))[("cost_to_serve", "treatment")]
    assert (primary["target"], primary["reached"]) == (f"{M}5.0%", "no estimate")


def test_an_unbounded_relative_interval_reads_unbounded_and_nothing_reads_nan_or_inf(arms):
    edge = edge_readout(arms)
    rows = _rows(edge)
    primary = rows[("cost_to_serve", "treatment")]
    assert primary["relative"].endswith(", unbounded]")
    assert rows[("aht", "treatment_b")]["relative"] == "n/a | n/a"
    assert rows[("aht", "treatment_b")]["p"] == "n/a"
    text = render(edge)
    words = re.findall(r"[a-z]+", _visible(text).lower())
    assert "nan" not in words and "inf" not in words and "infinity" not in words
    assert 'class="unbounded"' in text  # the chart's arrow


def test_the_page_states_verdict_srm_value_warnings_and_scope(arms, tmp_path: Path):
    arms = arms.model_copy(update={"warnings": ["the data ends 2026-04-01, before the post window <of the last unit>"]})
    html_page = page.write_html(arms, tmp_path / "p.html", SPEC).read_text(encoding="utf-8")
    text = " ".join(_visible(html_page).split())
    assert f"Verdict: {arms.verdict}" in text and " ".join(arms.reason.split()) in text
    assert f"SRM check: p = {fmt.p_value(arms.srm.p_value)}" in text
    assert arms.value is not None and f"Annual value: {fmt.money(arms.value.annual, 'EUR')} per year" in text
    assert " ".join(arms.value.basis.split()) in text
    assert "contacts at intent billing, tech" in text
    assert "units per arm control " + fmt.count(arms.n["control"]) in text
    assert "Warnings the data ends 2026-04-01, before the post window <of the last unit>" in text
    assert "&lt;b&gt;before&lt;/b&gt; the bill &amp; outage" in html_page  # the spec's words are escaped
    assert "<script" not in html_page and not re.search(r"""(src|href)=["']?https?:""", html_page)


def test_annual_value_with_an_unbounded_interval_reads_unbounded(arms):
    assert arms.value is not None
    r = arms.model_copy(update={"value": arms.value.model_copy(update={"ci": [-math.inf, arms.value.ci[1]]})})
    assert "(CI [unbounded, " in render(r)
