"""Readouts for the page tests (tests/measure/test_html.py, tests/test_reports_in_browser.py) and a small reader of
the page's metric table.

`arms_readout`: a real readout of a small world with two treatment arms and long metric names; csat is blanked for
treatment_b's customers, so csat_mean has no estimate there (NaN). `edge_readout`: the same with the primary's
relative CI unbounded above, as a Fieller interval is when the control mean may be zero (inf in Python, null in
JSON), and aht for treatment_b without any estimate.
"""

from __future__ import annotations

import math
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from cxscale.data import open_data
from cxscale.documents.pilot_spec import MetricRef, PilotSpec, Scope, Target, Windows
from cxscale.documents.readout import ReadoutDocument
from cxscale.engine import connect
from cxscale.measure.readout import readout
from cxscale.measure.verdict import NO_DATA, NOT_YET
from tests.measure.world import write_world

SPEC = PilotSpec(
    pilot="long_names", description="Alerts <b>before</b> the bill & outage", treatments=["treatment", "treatment_b"],
    primary=MetricRef(metric="cost_to_serve", target=Target(relative=-0.05)),
    guardrails=[MetricRef(metric="csat_mean", max_harm=Target(relative=-0.02)),
                MetricRef(metric="repeat_contact_rate_7d", max_harm=Target(absolute=0.02))],
    secondary=[MetricRef(metric="aht"), MetricRef(metric="contacts_per_customer"), MetricRef(metric="transfer_rate")],
    windows=Windows(pre_days=14, post_days=21), scope=Scope(intent=["billing", "tech"]))


def arms_readout(root: Path) -> ReadoutDocument:
    write_world(root, n_customers=900, seed=5, pilot=SPEC.pilot, effect=-0.2)
    a = pd.read_parquet(root / "assignments.parquet")
    a.loc[a.index % 3 == 0, "arm"] = "treatment_b"
    a.to_parquet(root / "assignments.parquet")
    i = pd.read_parquet(root / "interactions.parquet")
    i.loc[i["customer_id"].isin(a.loc[a["arm"] == "treatment_b", "unit_id"]), "csat"] = float("nan")
    i.to_parquet(root / "interactions.parquet")
    return readout(SPEC, open_data(root, engine=connect("duckdb"), validate=False))


def edge_readout(r: ReadoutDocument) -> ReadoutDocument:
    nan = math.nan
    metrics = []
    for m in r.metrics:
        if m.role == "primary" and m.arm == "treatment":
            m = m.model_copy(update={"ci_rel": [m.ci_rel[0], math.inf]})
        elif m.name == "aht" and m.arm == "treatment_b":
            m = m.model_copy(update={"treatment": nan, "effect_abs": nan, "ci_abs": [nan, nan], "effect_rel": nan,
                                     "ci_rel": [nan, nan], "p_value": nan, "p_value_adjusted": nan,
                                     "verdict": NOT_YET, "reason": NO_DATA, "target_reached": None,
                                     "target_reached_ci": None})
        metrics.append(m)
    return r.model_copy(update={"metrics": metrics})


class MetricTable(HTMLParser):
    """rows: one dict per <tr class="metric ROLE"> of the page: "role" and each cell's class -> its text (the lines
    under a cell's first, <span class="sub">, joined with " | ")."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._cell: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr" and classes[:1] == ["metric"]:
            self.rows.append({"role": classes[1]})
        elif tag == "td" and self.rows:
            self._cell = next(c for c in classes if c not in ("num", "l"))
            self.rows[-1][self._cell] = ""
        elif tag == "span" and "sub" in classes and self._cell is not None:
            self.rows[-1][self._cell] += " | "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "tbody"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self.rows[-1][self._cell] += data
