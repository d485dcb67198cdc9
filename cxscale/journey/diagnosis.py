"""diagnose(): where friction and cost are highest in a dataset's journeys, ranked and turned into use-case drafts.

The engine runs a few narrow queries (codes with the plain sums, sequencing, episode sums, failure sums, flow graphs),
each with at most one window; only their aggregates leave the engine (docs/diagnosis.md#passes). The result is the
diagnosis document itself (cxscale/documents/diagnosis.py), with the sums behind it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from pydantic import PrivateAttr

from cxscale.data.dataset import Dataset, as_utc, named
from cxscale.documents.base import OpenModel
from cxscale.documents.diagnosis import (
    SCHEMA_VERSION,
    ChannelSignals,
    DiagnosisDocument,
    DiagnosisOptions,
    DiagnosisPeriod,
    Hotspot,
    IntentSignals,
    SignalsByDimension,
    SiteSignals,
    StageSignals,
    TableValidation,
    Totals,
)
from cxscale.documents.use_case_draft import PilotSize, PilotWindow
from cxscale.engine import engine_name, epoch_seconds
from cxscale.errors import CxscaleError, DataError
from cxscale.journey.contacts import DAY_SECONDS
from cxscale.journey.flows import FLOW_DIMENSIONS, graphs_of_steps
from cxscale.journey.friction import Span, rollup
from cxscale.journey.opportunities import overall_signals, rank_hotspots, signal_values
from cxscale.journey.passes import code_cells, diagnosis_sums, sequence
from cxscale.journey.usecase import Plan, choose_metric, draft_use_case, touchpoint_scope

DAYS_PER_YEAR = 365.25
DEFAULT_CURRENCY = "currency units"

#: The model of each dimension's signal rows (the document's `signals`).
_SIGNAL_ROWS: dict[str, type[OpenModel]] = {"intent": IntentSignals, "journey_stage": StageSignals, "channel": ChannelSignals,
                "site": SiteSignals}


class Diagnosis(DiagnosisDocument):
    """One diagnosis: the document `cxscale diagnose --json` prints (every hotspot, best first), with the
    finest-grain additive sums behind it (intent x stage x channel x site), from which any other grain is rolled
    up. The sums are not part of the document. Money in `hotspots` is over the data's period; *_per_year fields are
    annualised by annualisation_factor = 365.25 / period days.
    """

    _sums: pd.DataFrame = PrivateAttr()

    @property
    def sums(self) -> pd.DataFrame:
        """The finest-grain additive sums behind every figure (passes.diagnosis_sums)."""
        return self._sums

    def by(self, dims: list[str]) -> pd.DataFrame:
        """Signals rolled up to any grain over intent, journey_stage, channel and site."""
        return rollup(self._sums, dims, self.options)

    def top(self, hotspots: int) -> Diagnosis:
        """The diagnosis with its first `hotspots` hotspots alone (what `--json --top N` prints)."""
        return self.model_copy(update={"hotspots": self.hotspots[:hotspots]})


def _signals(sums: pd.DataFrame, options: DiagnosisOptions, factor: float) -> SignalsByDimension:
    """Every signal per value of each dimension, most contacts first, with avoidable_cost_per_year added."""
    rows: dict[str, list[Any]] = {}
    for dim, model in _SIGNAL_ROWS.items():
        table = rollup(sums, [dim], options).sort_values("volume", ascending=False)
        table["avoidable_cost_per_year"] = table["avoidable_cost"] * factor
        rows[dim] = [model(**signal_values(r)) for r in table.to_dict(orient="records")]
    return SignalsByDimension(**rows)


def _times(x: float | None, k: float) -> float | None:
    return None if x is None else x * k


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(int(epoch_seconds), tz=UTC).isoformat().replace("+00:00", "Z")


def source_currency(source: str) -> str | None:
    """The currency a simulated world declares in its ground_truth.json, if the source is such a folder."""
    gt = Path(source) / "ground_truth.json"
    if gt.is_file():
        try:
            return json.loads(gt.read_text()).get("currency")
        except (OSError, ValueError):
            return None
    return None


def validation_summary(dataset: Dataset) -> dict[str, TableValidation] | None:
    """Rows read, accepted and rejected per table (and rejected rows per rule) of a dataset opened with validation
    (cxscale.data.open_data); None when the dataset was not validated."""
    report = dataset.report
    if report is None:
        return None
    out: dict[str, TableValidation] = {}
    for t in report.tables.values():
        rules: dict[str, int] = {}
        for r in t.rules:
            rules[r.rule] = rules.get(r.rule, 0) + r.rows
        out[t.table] = TableValidation(rows_read=t.rows_read, rows_accepted=t.rows_accepted,
                                       rows_rejected=t.rows_rejected, rules=rules)
    return out


def input_notes(dataset: Dataset, mapping: str | None = None) -> list[str]:
    """What the diagnosis read: per table with rejected rows, how many were left out and by which rules, with the
    command that lists them; or, for an unvalidated dataset, that its values are used as they are."""
    summary = validation_summary(dataset)
    command = f"cxscale validate {dataset.source}" + (f" --mapping {mapping}" if mapping else "")
    if summary is None:
        return [f"input not validated against the data contract (the fast path): values are used "
                f"as they are; run `{command}` or diagnose with --validate to check them"]
    label = f"{Path(str(mapping)).stem}: " if mapping else ""
    notes = []
    for table, t in summary.items():
        if not t.rows_rejected:
            continue
        rules = ", ".join(f"{rule} {n:,}" if len(t.rules) > 1 else rule for rule, n in t.rules.items())
        notes.append(f"{label}{t.rows_rejected:,} of {t.rows_read:,} {table} rejected ({rules}) and left out "
                     f"of the diagnosis; run `{command} --quarantine rejected.csv` to see them")
    if not notes:
        notes.append(f"{label}input validated against the data contract: every row passes")
    return notes


def diagnose(dataset: Dataset, options: DiagnosisOptions | None = None, currency: str | None = None,
             use_cases: int = 3, progress: Callable[[str], None] | None = None,
             mapping: str | None = None, since: datetime | None = None, until: datetime | None = None) -> Diagnosis:
    """Diagnose the journeys in `dataset`: friction and cost per intent x stage, flows, ranked hotspots and
    `use_cases` use-case drafts for the top hotspots. `progress` is called with a short label before each step.

    Open the data with `cxscale.data.open_data(path, mapping)` (validated by default): then only rows passing the
    data contract are diagnosed and the notes say how many were rejected and by which rules (`mapping`, the mapping name or file, is
    only named in the command those notes suggest). An unvalidated dataset is diagnosed as it is, and the notes say
    so.

    since/until narrow the diagnosis to the contacts that start at or after `since` and before `until` (Dataset.during;
    naive datetimes are UTC); the period and the notes say so. The window_days before `since` are read as context:
    a contact there is counted nowhere, but a contact of the period that repeats it is a repeat (and may switch
    channel), as in the whole data."""
    options = options or DiagnosisOptions()
    since_ts = None
    if since is not None:
        since = as_utc(since)
        since_ts = math.floor(since.timestamp())
    context = dataset.during(None if since is None else since - timedelta(days=options.window_days), until)
    whole, dataset = dataset, dataset.during(since, until)
    step = progress or (lambda _label: None)
    outcomes = dataset.outcomes if dataset.has("outcomes") else None
    # The dimension codes are materialised once with the plain sums (Ibis cache: a temporary table on DuckDB, a
    # persisted DataFrame on Spark). Then narrow queries, each with at most one window and carrying one integer cell
    # code instead of the names: the customer window sequences the contacts into a cached table (and finds the
    # customers with simultaneous contacts, the only ones sorted with the interaction_id tie-break, and the contacts
    # that may share their intent), the customer x intent window over those contacts gives the episode sums, one
    # more window the failure sums (with outcomes), and the flow graphs group the cached steps; names come back on
    # those small results (docs/diagnosis.md#passes).
    # Diagnosis reads no column derived by a window, and without one a filter reaches the scan (sequence rereads a
    # few customers' contacts).
    interactions = context.without_window_columns("interactions")
    step("coding intents, stages, channels and sites")
    span = data_span(interactions)
    if span is not None and since_ts is not None:
        # The context is read from since - window_days: every contact of the period has that much data before it,
        # unless the data itself starts later.
        first = data_span(whole.without_window_columns("interactions"))
        assert first is not None
        span = Span(max(first.first_ts, since_ts - options.window_days * DAY_SECONDS), span.last_ts)
    codes = code_cells(interactions, options, since_ts, span)
    sequenced = None
    try:
        if not codes.size or (since_ts is not None and not codes.frame["contacts"].sum()):
            selected = f" {_selection(since, until)}" if since or until else ""
            raise DataError(f"{dataset.source}: interactions table has no contacts{selected}; nothing to diagnose")
        step("sequencing each customer's contacts")
        sequenced = sequence(interactions, options, codes, since_ts=since_ts)
        step("friction and cost signals per episode")
        sums = diagnosis_sums(interactions, options, codes, outcomes, sequenced, since_ts, span)
        step("directly-follows graphs of intents, stages and channels")
        flows = graphs_of_steps(sequenced.steps, tuple(FLOW_DIMENSIONS), options.top_flows, codes)
    finally:
        if sequenced is not None:
            sequenced.release()
        codes.release()
    step("ranking hotspots")
    start, end = float(sums["ts_min"].min()), float(sums["ts_max"].max())
    days = max((end - start) / DAY_SECONDS, 1.0)
    chosen = {k: _utc_iso(v) for k, v in (("since", since), ("until", until)) if v is not None}
    period = DiagnosisPeriod(start=_iso(start), end=_iso(end), days=days, **chosen)
    factor = DAYS_PER_YEAR / days
    currency = currency or source_currency(dataset.source) or DEFAULT_CURRENCY
    hotspots = rank_hotspots(sums, options, factor, currency)
    # The loader's per-table row counts are replaced by input_notes, which also name the rules.
    counted = set(dataset.report.summary_notes()) if dataset.report is not None else set()
    notes = input_notes(dataset, mapping) + [n for n in dataset.notes if n not in counted]
    if outcomes is None:
        notes.append("no outcomes table: failures after contact (e.g. no-shows) are unavailable")
    if since is not None or until is not None:
        notes.append(f"diagnosed the contacts {_selection(since, until)} alone: money per year is annualised from "
                     "them")
    if since is not None:
        notes.append(f"the {options.window_days} days before the period are read as context only, so a contact of "
                     "the period that repeats one of them counts as a repeat, as in the whole data")
    if span is not None:
        notes.append(_censoring_note(span, options))
        notes += _unknown_rates_note(sums, options)
    if days < 28:
        notes.append(f"the data covers only {days:.1f} days: money per year extrapolates it x{factor:.0f}")
    top = hotspots[:use_cases]
    use_case_drafts = []
    if top:
        # Each pilot plan reads its touchpoint's contacts a few times: read the top touchpoints' contacts once and
        # plan over that small cached table instead of the whole data each time.
        step("reading the top touchpoints' contacts")
        metrics = [choose_metric(h).metric for h in top]
        narrowed = touchpoints(dataset, [(h.intent, h.journey_stage) for h in top], metrics)
        try:
            for h in top:
                step(f"planning a pilot for {h.intent} at {h.journey_stage}")
                suggestion = choose_metric(h)
                plan = plan_window(narrowed, h, suggestion.metric, suggestion.change)
                use_case_drafts.append(draft_use_case(h, period, currency, dataset.source, plan=plan))
        finally:
            narrowed.interactions.release()
    overall = overall_signals(sums, options)
    diagnosis = Diagnosis(
        schema_version=SCHEMA_VERSION, source=dataset.source, engine=engine_name(dataset.con), period=period,
        currency=currency, annualisation_factor=factor, options=options, overall=overall,
        totals=Totals(cost=overall.cost, avoidable_cost=overall.avoidable_cost,
                      cost_per_year=_times(overall.cost, factor),
                      avoidable_cost_per_year=_times(overall.avoidable_cost, factor)),
        hotspots=hotspots, flows=flows["intent"], signals=_signals(sums, options, factor),
        stage_flows=flows["journey_stage"], channel_flows=flows["channel"], use_cases=use_case_drafts,
        notes=notes, validation=validation_summary(dataset),
    )
    diagnosis._sums = sums
    return diagnosis


def _censoring_note(span: Span, options: DiagnosisOptions) -> str:
    w = options.window_days
    return (f"near the ends of the data a contact's neighbours may lie outside it, so an N-day repeat-contact rate "
            f"counts only contacts that started at least N days before the last contact ({_iso(span.last_ts)}), the "
            f"channel-switch rate only contacts at least {w} days after the first ({_iso(span.first_ts)}), and "
            f"first-contact resolution, contacts per episode and time to resolution only contacts and episodes at "
            f"least {w} days from both (censoring)")


def _unknown_rates_note(sums: pd.DataFrame, options: DiagnosisOptions) -> list[str]:
    """A note naming the rates no contact is far enough from the data's ends to measure, if any."""
    windows = [str(d) for d in options.repeat_windows_days if not sums[f"followed_{d}d"].sum()]
    what = [f"the {_words(windows, '-')}-day repeat-contact rate{'s' if len(windows) > 1 else ''}"] if windows else []
    what += ["the channel-switch rate"] if not sums["preceded_window"].sum() else []
    what += ["first-contact resolution", "contacts per episode", "time to resolution"] \
        if not sums["observed_window"].sum() else []
    if not what:
        return []
    plural = len(windows) > 1 or len(what) > 1
    return [f"the data is too short for {_words(what)}: no contact is far enough from its ends, so "
            f"{'they are' if plural else 'it is'} unknown"]


def data_span(interactions: Any) -> Span | None:
    """The starts of the first and the last contact read, in whole epoch seconds (friction.Span); None for no
    contacts. One query of two aggregates, which DuckDB answers from Parquet statistics when no filter applies."""
    t = interactions
    row = t.aggregate(first=epoch_seconds(t.started_at.min()), last=epoch_seconds(t.started_at.max()))
    got = row.to_pyarrow().to_pylist()[0]
    return None if got["first"] is None else Span(int(got["first"]), int(got["last"]))


def _words(items: list[str], suffix: str = "") -> str:
    """"a", "a and b", "a, b and c" (each but the last followed by `suffix`, e.g. "7-, 14- and 30")."""
    head = [f"{item}{suffix}" for item in items[:-1]]
    return f"{', '.join(head)} and {items[-1]}" if head else items[-1]


def _utc_iso(moment: datetime) -> str:
    """A datetime as the document writes instants (naive datetimes are UTC)."""
    return _iso(as_utc(moment).timestamp())


def _selection(since: datetime | None, until: datetime | None) -> str:
    """The period selected, in words: "from A to B (exclusive)", "from A" or "before B"."""
    if since is not None and until is not None:
        return f"from {_utc_iso(since)} to {_utc_iso(until)} (exclusive)"
    return f"from {_utc_iso(since)}" if since is not None else f"before {_utc_iso(until)}" if until else ""


def _at(t: Any, intent: str, journey_stage: str) -> Any:
    """Contacts at one intent x stage, a missing value matching "unknown" as in the diagnosis."""
    return (named(t, "intent") == intent) & (named(t, "journey_stage") == journey_stage)


#: What a pilot plan reads from interactions besides its metric's columns: the contact (its id orders simultaneous
#: contacts), the unit, the time and the touchpoint.
_PLAN_KEYS = ("interaction_id", "customer_id", "started_at", "intent", "journey_stage")


def touchpoints(dataset: Dataset, pairs: list[tuple[str, str]], metrics: list[str]) -> Dataset:
    """The dataset with its interactions narrowed to the contacts at any of `pairs` (intent, journey_stage) and
    to the columns the pilot plans of `metrics` read, cached (release `.interactions` when done); the other tables
    are kept whole. Only those columns: a derived column such as `resolved` costs a window over all the data."""
    from cxscale.metrics import builtin_catalog

    catalog = builtin_catalog()
    wanted = set(_PLAN_KEYS).union(*(catalog.get(m).columns() for m in metrics if m in catalog))
    # Without a column derived by a window among them, the filter reaches the scan.
    t = dataset.interactions if "resolved" in wanted else dataset.without_window_columns("interactions")
    narrowed = t.filter(ibis.or_(*[_at(t, i, s) for i, s in pairs]))
    narrowed = narrowed.select(*[c for c in t.columns if c in wanted]).cache()
    return Dataset(dataset.con, {**dataset.tables, "interactions": narrowed}, dataset.source, list(dataset.notes))


def touchpoint(dataset: Dataset, intent: str, journey_stage: str) -> Dataset:
    """The dataset narrowed to one intent x stage: its contacts, and the outcomes of the customers who made them."""
    at = dataset.at(touchpoint_scope(intent, journey_stage), check=False)  # names taken from the data
    tables = dict(at.tables)
    if "outcomes" in tables:
        o = tables["outcomes"]
        tables["outcomes"] = o.filter(o.customer_id.isin(tables["interactions"].customer_id))
    return Dataset(dataset.con, tables, f"{dataset.source} [{intent} x {journey_stage}]", list(dataset.notes))


def plan_window(dataset: Dataset, hotspot: Hotspot, metric: str, target_relative: float) -> Plan | None:
    """The pilot window and size from the measurement engine's power calculation (cxscale.measure.power.plan_pilot)
    on the hotspot's touchpoint, customer-randomised: no window when the plan is not feasible (the size says why and
    what is detectable instead); None when it is unavailable or the data cannot support it (the draft then falls
    back to cxscale/journey/planning.py)."""
    try:
        from cxscale.measure.power import plan_pilot
    except ImportError:
        return None
    try:
        p = plan_pilot(touchpoint(dataset, hotspot.intent, hotspot.journey_stage), metric, target_relative)
    except (CxscaleError, KeyError, ValueError, ZeroDivisionError):
        return None
    size = PilotSize(feasible=p.feasible, unit=p.unit, needed=p.n_total, population=p.population,
                     units_available=p.units_available, max_days=p.max_days,
                     mde_relative_all_units=p.mde_relative_all_units, mde_abs_all_units=p.mde_abs_all_units,
                     note=p.note)
    if p.days_total is None:  # not feasible: no window, the plan's reason and what is detectable instead
        return None, size
    window = PilotWindow(
        days=math.ceil(p.days_total), days_to_enrol=math.ceil(p.days_to_enrol or 0), measurement_days=p.window_days,
        sample_size_per_arm=p.n_per_arm, unit=p.unit, units_per_day=round(p.units_per_day, 3),
        baseline_per_unit=p.baseline, split="50/50", alpha=p.alpha, power=p.power,
        method="cxscale.measure.power.plan_pilot on the touchpoint's contacts (customer-randomised)")
    return window, size
