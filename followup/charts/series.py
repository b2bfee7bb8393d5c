"""An indicator over time: values, band or control limits, last year, target path, series break, activities.

Sensitive indicators: a value 1–4 is never plotted. Its period gets a hollow grey marker at the
neutral height 2,5 (the middle of 1–4, the same for every hidden value) labelled '1–4' in the legend
and hover, the line has a gap there, and its band and last-year value are dropped. Control limits are
not drawn for a series with any hidden value: with the other values shown, the centre line (a mean)
would give the hidden one away. A target path that starts or ends on a value 1–4 is not drawn either.

A series break (series_break true on the first period of a new definition) cuts every line and band
and is marked with a dashed vertical line and the word 'Seriebrott' halfway between the two periods.
Action-plan activities are triangles along the bottom of the plot, one per start month (with the
number when several start that month); their titles, status and dates are in the hover, so thirty
activities stay readable where thirty labelled bands would not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from followup import fmt, stats
from followup.charts import theme
from followup.charts.frames import (
    HIDDEN,
    LAST_YEAR_HIDDEN,
    Row,
    flag,
    line_points,
    reason,
    records,
    midpoint,
    number,
    require,
    series_rows,
    since_last_break,
    to_date,
    with_gaps,
)
from followup.charts.frames import value_text as text_of
from followup.model import ActivityStatus, Grain, Unit
from followup.periods import Period, grain_name, period_of, range_label
from followup.status import Target

HIDDEN_Y = fmt.SUPPRESS_BELOW / 2
"""Height of the marker for a hidden value: the middle of 1–4, the same whatever the value is."""
HIDDEN_NAME = f"{fmt.SUPPRESSED} (visas inte)"
BREAK_WORD = "Seriebrott"
ACTIVITY_NAME = "Insatser i handlingsplanen"
TARGET_NAME = "Målbana"
LAST_YEAR_NAME = "Samma period förra året"
CI_NAME = f"95{fmt.GROUP_SEPARATOR}% konfidensintervall"
LIMITS_NAME = "Styrgränser (normal variation)"
CENTRE_NAME = "Medelvärde"
MAX_MARKERS = 60
"""Longer series are drawn as a line without point markers (the latest point keeps its label)."""
MAX_HOVER_TITLES = 8
ACTIVITY_WORDS = {
    ActivityStatus.PLANNED: "planerad",
    ActivityStatus.ONGOING: "pågår",
    ActivityStatus.DONE: "genomförd",
    ActivityStatus.CANCELLED: "inställd",
}
_WHAT = "tidsseriediagrammet"
_RANK = {"main": 1, "hidden": 2, "last_year": 3, "target": 4, "band": 5, "limits": 6, "centre": 7, "activities": 8}
"""Legend order: the measured values first, then what they are compared with, then context."""


def with_last_year(series: pd.DataFrame, grain: Grain) -> pd.DataFrame:
    """A copy with column last_year: each period's value of the same period a year earlier (and, for a
    protected frame, last_year_hidden: whether that value is hidden)."""
    require(series, ("period_start", "value"), _WHAT)
    grain = Grain(grain)
    starts = [_start_of(to_date(d), grain) for d in series["period_start"].tolist()]
    by_start = dict(zip(starts, map(number, series["value"].tolist()), strict=True))
    result = series.copy()
    result["last_year"] = [by_start.get(_year_before(start, grain)) for start in starts]
    if HIDDEN in series.columns:
        hidden = dict(zip(starts, map(reason, series[HIDDEN].tolist()), strict=True))
        result[LAST_YEAR_HIDDEN] = [hidden.get(_year_before(start, grain), "") for start in starts]
    return result


@lru_cache(maxsize=100_000)
def _start_of(day: date, grain: Grain) -> date:
    """The first day of the period of `grain` that holds `day` (cached: charts ask for the same days)."""
    return period_of(day, grain).start


@lru_cache(maxsize=100_000)
def _year_before(start: date, grain: Grain) -> date:
    """The start of the same period a year earlier (the same ISO week number for weeks)."""
    return Period(start, grain).shift_years(-1).start


def with_confidence_band(series: pd.DataFrame, unit: Unit, *, sensitive: bool = False) -> pd.DataFrame:
    """A copy with 95 % low/high: Wilson for shares (needs n), exact Poisson for counts and rates with n."""
    unit = Unit(unit)
    require(series, ("period_start", "value", *(("n",) if unit is Unit.SHARE else ())), _WHAT)
    lows: list[float | None] = []
    highs: list[float | None] = []
    for record in records(series):
        value, n = number(record["value"]), number(record.get("n"))
        low = high = None
        if value is not None and not fmt.must_hide(value, sensitive) and not flag(record.get(HIDDEN)):
            if unit is Unit.SHARE and n:
                low, high = stats.share_interval(value, n)
            elif unit is Unit.COUNT:
                low, high = stats.poisson_interval(value)
            elif unit is Unit.PER_1000 and n:
                low, high = (bound * 1000 / n for bound in stats.poisson_interval(value * n / 1000))
        lows.append(low)
        highs.append(high)
    result = series.copy()
    result["low"], result["high"] = lows, highs
    return result


def control_limits_for(
    series: pd.DataFrame, unit: Unit, grain: Grain, *, sensitive: bool = False
) -> stats.ControlLimits | None:
    """Control limits of the series since its last break; None if too short or any value is hidden."""
    rows = series_rows(series, grain, sensitive=sensitive, what=_WHAT)
    if any(row.hidden for row in rows):
        return None
    return stats.control_limits([row.value for row in since_last_break(rows) if row.value is not None], unit)


Trace = dict[str, Any]
"""A scatter trace's properties, as Plotly's documentation names them; the figure is made from them at once."""


def _scatter(**properties: Any) -> Trace:
    """A scatter trace (properties given as None are left out, as go.Scatter leaves them out)."""
    return theme.trace("scatter", **properties)


def _band_traces(rows: Sequence[Row], name: str) -> list[Trace]:
    """Upper and lower bound of a per-period band, the area between them filled."""
    if not any(row.low is not None and row.high is not None for row in rows):
        return []
    xs, highs = line_points(rows, lambda row: row.high)
    _, lows = line_points(rows, lambda row: row.low)
    edge = {"width": 0}
    return [
        _scatter(x=xs, y=highs, mode="lines", line=edge, hoverinfo="skip", showlegend=False, name=name),
        _scatter(x=xs, y=lows, mode="lines", line=edge, fill="tonexty", fillcolor=theme.BAND_FILL,
                   hoverinfo="skip", name=name, legendrank=_RANK["band"]),
    ]


def _limit_traces(rows: Sequence[Row], limits: stats.ControlLimits, unit: Unit) -> list[Trace]:
    """Control limits (filled between) and centre line over the segment since the last break."""
    segment = since_last_break(rows)
    xs = [segment[0].x, segment[-1].x]
    hover = (
        f"{LIMITS_NAME}: {fmt.value_text(limits.lower, unit)}–{fmt.value_text(limits.upper, unit)}"
        f"<br>{CENTRE_NAME}: {fmt.value_text(limits.centre, unit)}"
    )
    line = {"width": 2, "color": theme.SKY_BLUE}
    return [
        _scatter(x=xs, y=[limits.upper] * 2, mode="lines", line=line, hoverinfo="skip", showlegend=False,
                   name=LIMITS_NAME),
        _scatter(x=xs, y=[limits.lower] * 2, mode="lines", line=line, fill="tonexty",
                   fillcolor=theme.BAND_FILL, hoverinfo="text", hovertext=[hover] * 2, name=LIMITS_NAME,
                   legendrank=_RANK["limits"]),
        _scatter(x=xs, y=[limits.centre] * 2, mode="lines", line={"width": 3, "color": theme.MUTED,
                   "dash": "longdash"}, hoverinfo="text", hovertext=[hover] * 2, name=CENTRE_NAME,
                   legendrank=_RANK["centre"]),
    ]


def _last_year_trace(rows: Sequence[Row], unit: Unit) -> Trace | None:
    """Last year's values at this year's periods: grey, dotted."""
    if not any(row.last_year is not None or row.last_year_hidden for row in rows):
        return None
    xs, ys = line_points(rows, lambda row: row.last_year)
    hover = [
        f"{row.period.shift_years(-1).label}: "
        f"{text_of(row.last_year, unit, hidden=row.last_year_hidden and row.last_year_hidden_text)}"
        for row in rows
    ]
    return _scatter(x=xs, y=ys, mode="lines", name=LAST_YEAR_NAME, connectgaps=False, legendrank=_RANK["last_year"],
                      line={"color": theme.NEUTRAL, "width": 3, "dash": "dot"}, hoverinfo="text",
                      hovertext=with_gaps(rows, hover))


def _main_trace(rows: Sequence[Row], unit: Unit, name: str, band_name: str) -> Trace:
    """The measured values: a thick ink line, markers for short series, the latest value labelled."""
    xs, ys = line_points(rows, lambda row: row.value)
    hover = []
    for row in rows:
        text = f"{row.period.label}: {text_of(row.value, unit, hidden=row.hidden and row.hidden_text)}"
        if row.low is not None and row.high is not None:
            text += f"<br>{band_name}: {fmt.value_text(row.low, unit)}–{fmt.value_text(row.high, unit)}"
        hover.append(text)
    shown = [i for i, row in enumerate(rows) if row.value is not None]
    labels = ["" for _ in rows]
    if shown:
        labels[shown[-1]] = text_of(rows[shown[-1]].value, unit)
    return _scatter(
        x=xs, y=ys, name=theme.plain(name), connectgaps=False, legendrank=_RANK["main"],
        mode="lines+markers+text" if len(rows) <= MAX_MARKERS else "lines+text",
        line={"color": theme.INK, "width": theme.LINE_WIDTH}, marker={"color": theme.INK},
        text=with_gaps(rows, labels), textposition="middle right", cliponaxis=False,
        textfont={"size": theme.BASE_FONT + 2, "color": theme.INK},
        hoverinfo="text", hovertext=with_gaps(rows, hover),
    )


def _hidden_trace(rows: Sequence[Row], *, show_text: bool) -> Trace:
    """Hollow grey markers at the neutral height for hidden values; nothing of the value itself."""
    names = [HIDDEN_NAME if row.hidden_text == fmt.SUPPRESSED else row.hidden_text for row in rows]
    return _scatter(
        x=[row.x for row in rows], y=[HIDDEN_Y] * len(rows), name=HIDDEN_NAME, legendrank=_RANK["hidden"],
        mode="markers+text" if show_text else "markers",
        marker={"symbol": "diamond-open", "size": 16, "color": theme.NEUTRAL, "line": {"width": 3}},
        text=[fmt.SUPPRESSED if row.hidden_text == fmt.SUPPRESSED else "–" for row in rows] if show_text else None,
        textposition="top center", textfont={"color": theme.MUTED, "size": theme.NOTE_FONT + 2}, cliponaxis=False,
        hoverinfo="text", hovertext=[f"{row.period.label}: {name}" for row, name in zip(rows, names, strict=True)],
    )


def _target_trace(target: Target, grain: Grain, unit: Unit) -> Trace:
    """The straight path from baseline to target, dashed bluish green, both ends labelled in hover."""
    target_grain = Grain(target.grain or grain)
    start = period_of(target.baseline_start, target_grain).label
    end = period_of(target.target_start, target_grain).label
    hover = [
        f"Utgångsläge {start}: {fmt.value_text(target.baseline_value, unit)}",
        f"Mål {end}: {fmt.value_text(target.target_value, unit)}",
    ]
    return _scatter(
        x=[target.baseline_start.isoformat(), target.target_start.isoformat()],
        y=[target.baseline_value, target.target_value], name=TARGET_NAME, mode="lines+markers+text",
        legendrank=_RANK["target"],
        line={"color": theme.BLUISH_GREEN, "width": theme.LINE_WIDTH, "dash": "dash"},
        marker={"color": theme.BLUISH_GREEN, "size": 14},
        text=["", f"Mål {fmt.value_text(target.target_value, unit)}"], textposition="top center",
        textfont={"color": theme.BLUISH_GREEN, "size": theme.BASE_FONT}, cliponaxis=False,
        hoverinfo="text", hovertext=hover,
    )


def _activity_trace(activities: pd.DataFrame, first: date, last: date) -> tuple[Trace | None, int]:
    """Action-plan activities starting in [first, last] as triangles, one per start month; and how many."""
    require(activities, ("title", "start_date"), "insatserna i diagrammet")
    groups: dict[Period, list[dict]] = defaultdict(list)
    for record in records(activities):
        if record["start_date"] is None or pd.isna(record["start_date"]):
            continue  # an activity without a start date has no place on a time axis
        start = to_date(record["start_date"])
        if first <= start <= last:
            groups[period_of(start, Grain.MONTH)].append(record)
    if not groups:
        return None, 0
    months = sorted(groups)
    hover = [_activity_hover(month, groups[month]) for month in months]
    counts = [str(len(groups[month])) if len(groups[month]) > 1 else "" for month in months]
    trace = _scatter(
        x=[month.start.isoformat() for month in months], y=[0.045] * len(months), yaxis="y2",
        name=ACTIVITY_NAME, mode="markers+text", text=counts, textposition="top center",
        legendrank=_RANK["activities"],
        textfont={"color": theme.REDDISH_PURPLE, "size": theme.NOTE_FONT + 2}, cliponaxis=False,
        marker={"symbol": "triangle-up", "size": 20, "color": theme.REDDISH_PURPLE,
                "line": {"color": "white", "width": 1}},
        hoverinfo="text", hovertext=hover,
    )
    return trace, sum(len(records) for records in groups.values())


def _activity_hover(month: Period, records: Sequence[dict]) -> str:
    """'<b>2 insatser från mars 2024</b><br>• Title (pågår, mars 2024–)'; long lists are cut."""
    head = f"<b>{len(records)} {'insats' if len(records) == 1 else 'insatser'} från {month.label}</b>"
    lines = [head]
    for record in records[:MAX_HOVER_TITLES]:
        start = period_of(to_date(record["start_date"]), Grain.MONTH)
        end_value = record.get("end_date")
        end = None if end_value is None or pd.isna(end_value) else period_of(to_date(end_value), Grain.MONTH)
        when = range_label(start, end) if end is not None and end >= start else f"{start.label}–"
        status = record.get("status")
        word = ACTIVITY_WORDS.get(ActivityStatus(status)) if status and not pd.isna(status) else None
        lines.append(f"• {theme.plain(record['title'])} ({', '.join(filter(None, [word, when]))})")
    if len(records) > MAX_HOVER_TITLES:
        lines.append(f"… och {len(records) - MAX_HOVER_TITLES} till")
    return "<br>".join(lines)


def mark_breaks(fig: go.Figure | theme.Spec, rows: Sequence[Row], panel: int = 1) -> list[Period]:
    """A dashed vertical line with the word 'Seriebrott' between the periods around each break."""
    suffix = "" if panel == 1 else str(panel)
    breaks = []
    for i, row in enumerate(rows):
        if not (row.series_break and i > 0):
            continue
        x = midpoint(rows[i - 1].period.start, row.period.start).isoformat()
        refs = {"xref": f"x{suffix}", "yref": f"y{suffix} domain"}
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, name=BREAK_WORD, **refs,
                      line={"color": theme.INK, "width": 3, "dash": "dash"})
        fig.add_annotation(x=x, y=1, yanchor="top", xanchor="left", xshift=6, text=BREAK_WORD, name=BREAK_WORD,
                           bgcolor="rgba(255, 255, 255, 0.85)", font={"size": theme.BASE_FONT, "color": theme.INK},
                           **refs)
        breaks.append(row.period)
    return breaks


def time_series(
    series: pd.DataFrame,
    *,
    title: str,
    unit: Unit,
    grain: Grain,
    source: theme.Source,
    name: str = "Utfall",
    sensitive: bool = False,
    target: Target | None = None,
    limits: stats.ControlLimits | None = None,
    activities: pd.DataFrame | None = None,
    band_name: str = CI_NAME,
    height: int = 620,
) -> go.Figure:
    """An indicator's series with its band, last year, target path, series breaks and activities."""
    unit, grain = Unit(unit), Grain(grain)
    if target is not None and target.grain is not None and Grain(target.grain) is not grain:
        raise ValueError(
            f"Målet gäller per {grain_name(Grain(target.grain))} men serien visas per {grain_name(grain)}. "
            f"Visa serien per {grain_name(Grain(target.grain))}, så att målbanan och värdena går att jämföra."
        )
    rows = series_rows(series, grain, sensitive=sensitive, what=_WHAT)
    notes: list[str] = []
    if not rows:
        empty = theme.Spec(height).update_layout(title={"text": theme.plain(title)}, xaxis={"visible": False},
                                                 yaxis={"visible": False})
        empty.add_annotation(text="Inga värden för det här urvalet", xref="paper", yref="paper", x=0.5, y=0.5)
        theme.add_footer(empty, source)
        theme.set_alt(empty, f"{title}: inga värden att visa.")
        return empty.figure()
    traces: list[Trace | None] = [*_band_traces(rows, band_name)]
    if limits is not None and not any(row.hidden for row in rows):
        traces += _limit_traces(rows, limits, unit)
    traces.append(_last_year_trace(rows, unit))
    if target is not None and not (
        sensitive and (fmt.must_hide(target.baseline_value, True) or fmt.must_hide(target.target_value, True))
    ):
        traces.append(_target_trace(target, grain, unit))
    elif target is not None:
        target = None
        notes.append("Målbanan visas inte eftersom den börjar eller slutar på ett dolt värde (1–4).")
    traces.append(_main_trace(rows, unit, name, band_name))
    hidden = [row for row in rows if row.hidden]
    if hidden:
        traces.append(_hidden_trace(hidden, show_text=len(hidden) <= 6))
        notes.append(fmt.SUPPRESSION_NOTE)
    first, last = rows[0].period.start, rows[-1].period.last_day
    marked = 0
    if activities is not None and not activities.empty:
        activity_trace, marked = _activity_trace(activities, first, last)
        traces.append(activity_trace)
    fig = theme.Spec(height, traces=[trace for trace in traces if trace is not None])
    breaks = mark_breaks(fig, rows)
    span_end = max(last, target.target_start) if target else last
    span_start = min(first, target.baseline_start) if target else first
    tickvals, ticktext = theme.time_ticks(span_start, span_end, grain)
    fig.update_layout(
        title={"text": theme.plain(title)},
        xaxis={"type": "date", "tickvals": tickvals, "ticktext": ticktext},
        yaxis={"title": {"text": theme.UNIT_TITLES[unit]}, "rangemode": "normal" if unit is Unit.INDEX else "tozero"},
        yaxis2={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
    )
    theme.add_footer(fig, source, through=rows[-1].period, notes=notes, clearance=theme.tick_clearance(ticktext))
    theme.set_alt(fig, _alt(title, rows, unit, grain, target, breaks, marked, hidden))
    return fig.figure()


def _alt(
    title: str,
    rows: Sequence[Row],
    unit: Unit,
    grain: Grain,
    target: Target | None,
    breaks: Sequence[Period],
    activities: int,
    hidden: Sequence[Row],
) -> str:
    """One Swedish paragraph describing the time-series chart."""
    parts = [f"Linjediagram: {title}, {range_label(rows[0].period, rows[-1].period)} ({theme.UNIT_TITLES[unit]})."]
    latest = rows[-1]
    parts.append(f"Senaste värde {text_of(latest.value, unit, hidden=latest.hidden and latest.hidden_text)} "
                 f"({latest.period.label}).")
    if latest.last_year is not None or latest.last_year_hidden:
        before = text_of(latest.last_year, unit, hidden=latest.last_year_hidden and latest.last_year_hidden_text)
        parts.append(f"Samma period förra året: {before}.")
    if target is not None:
        parts.append(
            f"Målbana från {fmt.value_text(target.baseline_value, unit)} till "
            f"{fmt.value_text(target.target_value, unit)} "
            f"({period_of(target.target_start, Grain(target.grain or grain)).label})."
        )
    if breaks:
        parts.append(f"{BREAK_WORD} i {', '.join(p.label for p in breaks)}: jämför inte över brottet.")
    if activities:
        parts.append(f"{activities} insatser ur handlingsplanen är markerade på tidsaxeln.")
    if hidden:
        parts.append("Perioder med värden 1–4 visas inte som tal.")
    if any(row.hidden_text == fmt.HIDDEN_DERIVED for row in hidden):
        parts.append("Inte heller värden som bygger på dem.")
    return " ".join(parts)
