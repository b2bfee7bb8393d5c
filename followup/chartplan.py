"""What goes into an indicator's chart: the series in the chart's grain, the target path, the figure.

One plan serves the screen (Prioriterat område, Mötesläge) and every export (PowerPoint charts, images,
the numbers behind a chart), so they all show the same values. Decisions (see webapp/omrade.py's
docstring for the why): weekly EST indicators are charted per calendar month; a target set per a
coarser period turns the chart to that grain; a chart shows at least MIN_CHART_POINTS values; control
limits need MIN_LIMIT_POINTS values since the last series break.

Sensitive indicators: the plan's frame is protected (followup.charts.frames.protect) before anyone sees
it, so a hidden 1–4, a sum over a hidden part, a city value the query withheld (it would give a district's
hidden value away) and last year's hidden value are NaN with a flag; a target path that starts or ends on
a value 1–4 is dropped with a note. Pages, packs and exports hold no more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from followup import charts, fmt, series
from followup.charts.frames import HIDDEN, WITHHELD, flag, protect, records
from followup.model import Aggregation, Frequency, Grain, Unit
from followup.periods import Period, grain_name, natural_grain, nests_in, period_of, periods_within
from followup.status import Target

MIN_LIMIT_POINTS = 8
"""Fewest values since the last series break for which control limits are drawn."""
MIN_CHART_POINTS = 2
"""A chart shows at least this many values: earlier ones are added when the range holds fewer."""
CHART_HEIGHT = 600
FRAME_COLUMNS = ["period_start", "value", "n", "series_break"]


def indicator_frame(values: pd.DataFrame, code: str, grain: Grain) -> pd.DataFrame:
    """One indicator's values of one grain as a chart frame: period_start (date), value, n, series_break, and
    when the values say which are withheld (the query column `withheld`) hidden: fmt.HIDDEN_DERIVED there."""
    rows = values.loc[((values["indicator"] == code) & (values["grain"] == Grain(grain).value)).to_numpy()]
    starts = pd.to_datetime(rows["period_start"])
    if not starts.is_monotonic_increasing:
        order = starts.argsort(kind="stable").to_numpy()
        rows, starts = rows.iloc[order], starts.iloc[order]
    frame = pd.DataFrame(
        {
            "period_start": starts.dt.date.to_numpy(),
            "value": rows["value"].astype(float).to_numpy(),
            "n": rows["denominator"].astype(float).to_numpy(),
            "series_break": rows["series_break"].fillna(False).astype(bool).to_numpy(),
        },
        columns=FRAME_COLUMNS,
    )
    if WITHHELD in rows.columns:  # a city value that would give a district's hidden value away
        frame[HIDDEN] = [fmt.HIDDEN_DERIVED if flag(w) else "" for w in rows[WITHHELD].tolist()]
    return frame


def aggregate(frame: pd.DataFrame, fine: Grain, coarse: Grain, aggregation: Aggregation, *,
              sensitive: bool = False) -> pd.DataFrame:
    """A chart frame in a coarser grain: complete periods only, summed or averaged (weighted by n if known);
    for a sensitive indicator a period with a hidden part is flagged hidden (the rest would give it away)."""
    groups: dict[Period, list[dict[str, Any]]] = {}
    for record in records(frame):
        groups.setdefault(period_of(record["period_start"], coarse), []).append(record)
    rows = []
    for period in sorted(groups):
        members = groups[period]
        if len(members) != len(periods_within(period, fine)):
            continue  # a missing part is not zero: leave the period out
        values = [float(r["value"]) for r in members]
        sizes = [r["n"] for r in members]
        known = all(pd.notna(size) and size > 0 for size in sizes)
        if Aggregation(aggregation) is Aggregation.SUM:
            value, n = sum(values), None
        elif known:
            total = sum(float(size) for size in sizes)
            value, n = sum(v * float(s) for v, s in zip(values, sizes, strict=True)) / total, total
        else:
            value, n = sum(values) / len(values), None
        row = {"period_start": period.start, "value": value, "n": n,
               "series_break": any(bool(r["series_break"]) for r in members)}
        if sensitive:
            row[HIDDEN] = fmt.hidden_reason(value, sensitive, values) or (
                fmt.HIDDEN_DERIVED if any(flag(r.get(HIDDEN)) for r in members) else "")
        rows.append(row)
    return pd.DataFrame(rows, columns=[*FRAME_COLUMNS, *([HIDDEN] if sensitive else [])])


def numeric_target(targets: pd.DataFrame, code: str) -> tuple[Target | None, str | None]:
    """The indicator's numeric target (scope_targets lists it first) and a problem with it, if any."""
    rows = targets.loc[(targets["indicator"] == code) & targets["target_value"].notna()]
    if rows.empty:
        return None, None
    try:
        return series.target_of(rows.iloc[0]), None
    except ValueError as problem:
        return None, f"Målbanan visas inte: {problem}"


@dataclass(frozen=True)
class ChartPlan:
    """What one indicator's chart shows: the whole series in the chart's grain, the target path, notes."""

    grain: Grain
    frame: pd.DataFrame  # FRAME_COLUMNS, hidden, last_year, last_year_hidden: every period with data, protected
    # (charts.frames.protect: a hidden value is NaN and flagged, never the number)
    target: Target | None
    counted: str  # how the values are counted, for a note under the chart ('' when as reported)
    note: str | None  # why the target path is not drawn, if there is a target


def chart_plan(
    indicator: Mapping[str, Any], values: pd.DataFrame, event_months: pd.DataFrame, targets: pd.DataFrame
) -> ChartPlan | None:
    """How to chart an indicator of a scope (a scope_indicators row); None when it has no values."""
    code, frequency = str(indicator["code"]), Frequency(indicator["frequency"])
    sensitive = bool(indicator["sensitive"])
    grain, counted = natural_grain(frequency), ""
    if pd.notna(indicator["event_category"]) and grain is Grain.WEEK:
        grain, counted = Grain.MONTH, "antal EST-rapporter per kalendermånad (bara hela månader)"
        frame = indicator_frame(event_months, code, grain)
    else:
        frame = indicator_frame(values, code, grain)
    if frame.empty:
        return None
    target, note = numeric_target(targets, code)
    if target is not None and target.grain is not None and Grain(target.grain) is not grain:
        wanted = Grain(target.grain)
        if nests_in(grain, wanted):
            how = "summa" if Aggregation(indicator["aggregation"]) is Aggregation.SUM else "medelvärde"
            counted = (f"{how} per {grain_name(wanted)} av {grain_name(grain)}svärdena, eftersom målet gäller "
                       f"per {grain_name(wanted)}")
            frame = aggregate(frame, grain, wanted, Aggregation(indicator["aggregation"]), sensitive=sensitive)
            grain = wanted
        else:
            note = (f"Målbanan visas inte: målet gäller per {grain_name(wanted)} och diagrammet visar "
                    f"värden per {grain_name(grain)}.")
            target = None
    if frame.empty:
        return None
    if target is not None and hidden_target(target, sensitive):
        target, note = None, TARGET_HIDDEN
    shown = protect(frame, sensitive)  # from here on no hidden value exists, only its flag
    return ChartPlan(grain, charts.with_last_year(shown, grain), target, counted, note)


TARGET_HIDDEN = "Målbanan visas inte eftersom den börjar eller slutar på ett dolt värde (1–4)."


def hidden_target(target: Target, sensitive: bool) -> bool:
    """Whether a target path must not be shown: it starts or ends on a value 1–4 of a sensitive indicator
    (every point of the path, and the target status, would give that value away)."""
    return fmt.must_hide(target.baseline_value, sensitive) or fmt.must_hide(target.target_value, sensitive)


@lru_cache(maxsize=100_000)
def _last_day(start: date, grain: Grain) -> date:
    """The last day of the period of `grain` starting on `start` (cached: every chart and rerun asks again)."""
    return Period(start, grain).last_day


def window(frame: pd.DataFrame, grain: Grain, first: Period, last: Period) -> tuple[pd.DataFrame, bool]:
    """The rows whose periods overlap first..last, with earlier rows added up to MIN_CHART_POINTS; extended?"""
    starts = frame["period_start"].tolist()
    ends = [_last_day(start, grain) for start in starts]
    before_end = [start <= last.last_day for start in starts]
    inside = [b and end >= first.start for b, end in zip(before_end, ends, strict=True)]
    shown = frame.loc[inside]
    if len(shown) >= MIN_CHART_POINTS:
        return shown.reset_index(drop=True), False
    candidates = frame.loc[before_end]
    if candidates.empty:
        return shown.reset_index(drop=True), False
    widened = candidates.tail(max(MIN_CHART_POINTS, len(shown)))
    return widened.reset_index(drop=True), len(widened) > len(shown)


def points_since_break(frame: pd.DataFrame) -> int:
    """How many rows follow the last series break (all rows when there is none)."""
    flags = list(frame["series_break"])
    starts = [i for i, cut in enumerate(flags) if cut and i > 0]
    return len(flags) - (starts[-1] if starts else 0)


def chart_title(name: str, grain: Grain, frequency: Frequency) -> str:
    """'Anmälda brott i stadsdelsområdet per månad'; a survey 'per mätning'."""
    return f"{name} per mätning" if Frequency(frequency) is Frequency.SURVEY else f"{name} per {grain_name(grain)}"


def build_figure(
    indicator: Mapping[str, Any],
    plan: ChartPlan,
    shown: pd.DataFrame,
    *,
    scope_name: str,
    activities: pd.DataFrame,
    demo: bool,
) -> go.Figure:
    """The indicator's time-series figure for the rows shown: band or control limits, target, activities."""
    unit, sensitive = Unit(indicator["unit"]), bool(indicator["sensitive"])
    frame, limits = shown, None
    if unit is Unit.COUNT:
        if points_since_break(shown) >= MIN_LIMIT_POINTS:
            limits = charts.control_limits_for(shown, unit, plan.grain, sensitive=sensitive)
    elif unit in (Unit.SHARE, Unit.PER_1000) and shown["n"].notna().any():
        frame = charts.with_confidence_band(shown, unit, sensitive=sensitive)
    return charts.time_series(
        frame,
        title=chart_title(str(indicator["name"]), plan.grain, indicator["frequency"]),
        unit=unit,
        grain=plan.grain,
        source=charts.Source(str(indicator["source"]), demo=demo),
        name=scope_name or "Utfall",
        sensitive=sensitive,
        target=plan.target,
        limits=limits,
        activities=activities,
        height=CHART_HEIGHT,
    )
