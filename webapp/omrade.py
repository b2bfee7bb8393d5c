"""Prioriterat område: one priority area of a district, each goal with its indicators' charts and statuses.

The page (views/omrade.py) is a list of calls to this module. The first half is pure frame work (what
goes into a chart), the second half draws with Streamlit.

Decisions:
- A chart shows the indicator in its natural grain, except that weekly EST indicators are counted per
  calendar month (queries/scope_event_months.sql, complete months only): 150 weekly points of 0–20
  reports are noise from three metres, a month is the steering group's rhythm, and events are dated
  to the day, so a month is an exact count and not a sum of weeks that straddle two months. The
  chart's title says 'per månad' and a note under it how it is counted; the status above it still
  follows the status rules (the latest 52 weeks against the 52 before).
- One chart per row at full width, the status sentences above it: at half width the product
  template's 22 px legend wraps into the title (checked at 1920×1080).
- A numeric target set per a coarser period than the series (monthly fraud counts, a target per
  tertial) turns the chart to the target's grain (complete periods only, summed or averaged as the
  indicator is), so the target path and the values can be compared; the note says so. A target
  per a finer period than the chart is not drawn, and a note under the chart says why.
- The period picker sets the time axis, but a chart always shows at least two values (the latest one
  in the range and the one before it), so a survey done every third year still shows its comparison.
- Control limits (counts) need MIN_LIMIT_POINTS values since the last series break in the range;
  with fewer the centre and limits would only echo the points themselves.
- Cancelled activities are listed under the goal but not marked on the time axis (nothing happened).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from followup import charts, series
from followup.charts.series import ACTIVITY_WORDS
from followup.model import ActivityStatus, Grain
from followup.chartplan import ChartPlan, build_figure, chart_plan, window
from followup.pack import ChartData, chart_data
from followup.periods import MONTH_NAMES, Period, range_label
from followup.status import COMPARISON_LABELS, Assessment, TargetStatus, Trend
from webapp import components, exports, state


def area_label(number: int, name: str) -> str:
    """How a priority area is named in the picker and the URL: '2. Otrygga och brottsutsatta platser'."""
    return f"{int(number)}. {name}"


def area_options(overview: pd.DataFrame) -> dict[str, str]:
    """The priority areas of a goal_overview result as code -> 'N. Name', in number order."""
    areas = overview.drop_duplicates("priority_area_code").sort_values("priority_area_number")
    return {
        str(code): area_label(number, name)
        for code, number, name in zip(
            areas["priority_area_code"], areas["priority_area_number"], areas["priority_area"], strict=True
        )
    }


def day(value: Any) -> date:
    """A date from a query cell (Timestamp, datetime, date or ISO text)."""
    return pd.Timestamp(value).date()


def date_text(value: Any) -> str:
    """'25 september 2025' for a date or timestamp cell."""
    when = day(value)
    return f"{when.day} {MONTH_NAMES[when.month - 1]} {when.year}"


def goal_activities(activities: pd.DataFrame, goal: str) -> pd.DataFrame:
    """The activities of a goal (scope_activities rows), in start order."""
    return activities.loc[activities["goal_code"] == goal].reset_index(drop=True)


def on_time_axis(activities: pd.DataFrame) -> pd.DataFrame:
    """The activities to mark on a time axis: all but the cancelled ones."""
    return activities.loc[activities["status"] != ActivityStatus.CANCELLED.value]


CommentKey = tuple[str | None, str | None]
"""(goal, indicator) of a comment; one of them may be None."""


def comment_lookup(comments: pd.DataFrame) -> dict[CommentKey, dict[str, Any]]:
    """The latest_comments rows by (goal, indicator), NULL as None."""
    result: dict[CommentKey, dict[str, Any]] = {}
    for record in comments.to_dict("records"):
        goal = record["goal"] if pd.notna(record["goal"]) else None
        indicator = record["indicator"] if pd.notna(record["indicator"]) else None
        result[(goal, indicator)] = record
    return result


def goal_comment(lookup: Mapping[CommentKey, dict[str, Any]], goal: str) -> dict[str, Any] | None:
    """The latest comment on a goal as a whole."""
    return lookup.get((goal, None))


def indicator_comment(
    lookup: Mapping[CommentKey, dict[str, Any]], goal: str, indicator: str
) -> dict[str, Any] | None:
    """The latest comment on an indicator under this goal, else on the indicator whatever the goal."""
    return lookup.get((goal, indicator)) or lookup.get((None, indicator))


def data_span(*frames: pd.DataFrame) -> tuple[date, date] | None:
    """The first and the latest period start over value frames (the period picker's first and last month)."""
    filled = [frame for frame in frames if not frame.empty]
    if not filled:
        return None
    return (min(day(frame["period_start"].min()) for frame in filled),
            max(day(frame["period_start"].max()) for frame in filled))


def goal_indicators(indicators: pd.DataFrame, goal: str) -> list[dict[str, Any]]:
    """The scope_indicators rows of one goal, one per indicator, in query order."""
    rows = indicators.loc[indicators["goal_code"] == goal].drop_duplicates("code")
    return rows.to_dict("records")


def area_goals(overview: pd.DataFrame, area: str) -> list[dict[str, Any]]:
    """The goal_overview rows of one priority area (the city's goals, then the district's own)."""
    return overview.loc[overview["priority_area_code"] == area].to_dict("records")


def chart_key(goal: str, indicator: str) -> str:
    """A stable element key: one indicator can serve two goals of an area."""
    return f"omrade-{goal}-{indicator}"


# ---------------------------------------------------------------------------------------------------
# Streamlit: caches and drawing
# ---------------------------------------------------------------------------------------------------


def data_key(district: str) -> tuple[str, ...]:
    """What the page's charts depend on besides goal, indicator and period: database, data version, district."""
    return state.cache_key(district)


@st.cache_data(max_entries=100, show_spinner=False)
def chart_plans(
    key: tuple[str, ...],
    _indicators: Sequence[Mapping[str, Any]],
    _values: pd.DataFrame,
    _event_months: pd.DataFrame,
    _targets: pd.DataFrame,
) -> dict[str, ChartPlan | None]:
    """chart_plan for each indicator, by code, cached under `key` (data_key plus the area)."""
    by_code = {code: rows for code, rows in _values.groupby("indicator", sort=False)}
    months = {code: rows for code, rows in _event_months.groupby("indicator", sort=False)}
    empty = _values.iloc[0:0]
    return {
        str(row["code"]): chart_plan(row, by_code.get(row["code"], empty), months.get(row["code"], empty), _targets)
        for row in _indicators
    }


@st.cache_resource(max_entries=400, show_spinner=False)
def cached_figure(key: tuple[Any, ...], _build: Callable[[], go.Figure]) -> go.Figure:
    """A built figure, shared by reruns and sessions while its key holds (st.plotly_chart only reads it).

    Building a time-series figure takes about 8 ms (theme.Spec); a page of thirteen charts would spend a
    tenth of a second on every rerun without this.
    """
    return _build()


@dataclass(frozen=True)
class ChartParts:
    """An indicator chart's pieces for the chosen periods: the rows shown, the figure and its export data."""

    shown: pd.DataFrame  # the plan's rows in the window (widened to at least two values)
    widened: bool
    figure: go.Figure | None  # None: no values in the window
    data: ChartData | None


def chart_parts(indicator: Mapping[str, Any], plan: ChartPlan, first: Period, last: Period, *, scope_name: str,
                activities: pd.DataFrame, demo: bool, key: str) -> ChartParts:
    """The window's rows, the figure and the export data of an indicator's chart."""
    shown, widened = window(plan.frame, plan.grain, first, last)
    if shown.empty:
        return ChartParts(shown, widened, None, None)
    marked = on_time_axis(activities)
    figure = build_figure(indicator, plan, shown, scope_name=scope_name, activities=marked, demo=demo)
    data = chart_data(indicator, plan, first, last, key=key, scope_name=scope_name, assessment=None,
                      activities=marked, shown=shown)
    return ChartParts(shown, widened, figure, data)


@st.cache_resource(max_entries=400, show_spinner=False)
def cached_chart(key: tuple[Any, ...], _build: Callable[[], ChartParts]) -> ChartParts:
    """An indicator chart's parts, shared by reruns and sessions while its key holds (nothing mutates them):
    a rerun of the same scope neither cuts the window nor builds the figure and its export data again."""
    return _build()


def status_line(label: str, value: Trend | TargetStatus) -> None:
    """'Utveckling ▲ Förbättras' in bold (not a heading: it sits under the page's h1 or h2): the word carries the
    meaning, the colour helps."""
    st.markdown(f"**{label}** {components.status_markdown(value)}")


def area_status(rollup: series.Rollup | None) -> None:
    """The area's rolled-up status with its rule, and the link to how status is counted."""
    trend, rule = rollup if rollup else (Trend.NO_DATA, "Inga mål med nyckeltal i stadsdelsområdet.")
    left, right = st.columns([4, 1], vertical_alignment="center")
    with left:
        status_line("Områdets status", trend)
        st.markdown(components.plain(rule))
    with right:
        components.status_help_link()


def goal_summary(goals: Sequence[Mapping[str, Any]], rollups: Mapping[str, series.Rollup]) -> None:
    """Every goal of the area with its status on the first screen, before the details of each goal."""
    if not goals:
        return
    with st.container(border=True):
        for goal in goals:
            trend = rollups.get(str(goal["goal_code"]), (Trend.NO_DATA, ""))[0]
            number = f"{int(goal['priority_area_number'])}\\.{int(goal['goal_number'])}"
            st.markdown(f"{components.status_markdown(trend)} **{number}** {components.plain(str(goal['goal']))}")


def goal_header(area_number: int, goal: Mapping[str, Any], rollup: series.Rollup | None) -> None:
    """Goal number and text, its rolled-up status and rule."""
    local = " (lokalt mål)" if goal["goal_scope"] == "local" else ""
    st.header(f"{area_number}\\.{int(goal['goal_number'])} {components.plain(str(goal['goal']))}"
              f"{components.plain(local)}", divider="gray")
    trend, rule = rollup if rollup else (Trend.NO_DATA, "Inga nyckeltal följer målet i stadsdelsområdet.")
    left, right = st.columns([4, 1], vertical_alignment="center")
    with left:
        status_line("Målets status", trend)
        st.markdown(components.plain(rule))
    with right:
        components.status_help_link()


def comment_box(comment: Mapping[str, Any] | None) -> None:
    """The steering group's comment: author, date and period, then the text exactly as written."""
    if comment is None:
        return
    period = Period(day(comment["period_start"]), Grain(comment["grain"])).label
    with st.container(border=True):
        st.markdown(
            f":material/forum: **Styrgruppens kommentar** · {components.plain(str(comment['author']))} · "
            f"{date_text(comment['created_at'])} · avser {period}"
        )
        st.markdown(components.plain(str(comment["body"])).replace("\n", "  \n"))


def activity_table(activities: pd.DataFrame) -> None:
    """The goal's activities as a table in an expander (user text in a table is never interpreted)."""
    label = f"Insatser i handlingsplanen för målet ({len(activities)})"
    with st.expander(label, icon=":material/event_note:"):
        if activities.empty:
            st.caption("Inga insatser är kopplade till målet.")
            return
        rows = [
            {
                "Insats": record["title"],
                "Plats": record["place_name"] if pd.notna(record["place_name"]) else "hela stadsdelsområdet",
                "Ansvarig": record["lead_org"],
                "Status": ACTIVITY_WORDS.get(ActivityStatus(record["status"]), record["status"]),
                "Start": date_text(record["start_date"]) if pd.notna(record["start_date"]) else "–",
                "Slut": date_text(record["end_date"]) if pd.notna(record["end_date"]) else "–",
            }
            for record in activities.to_dict("records")
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def assessment_text(assessment: Assessment) -> None:
    """The indicator's trend and target status side by side, each with its explanation sentence."""
    has_target = assessment.target_status is not None or bool(assessment.target_explanation)
    trend_side, target_side = st.columns(2, gap="large") if has_target else (st.container(), None)
    with trend_side:
        status_line("Utveckling", assessment.trend)
        st.markdown(components.plain(assessment.explanation))
        st.caption(components.plain(COMPARISON_LABELS[assessment.comparison]))
    if target_side is not None:
        with target_side:
            status_line("Mot mål", assessment.target_status or Trend.NO_DATA)
            st.markdown(components.plain(assessment.target_explanation or ""))


def no_chart(text: str) -> None:
    """Instead of an empty chart: why there is nothing to draw."""
    st.info(components.plain(text), icon=":material/hide_source:")


def indicator_section(
    indicator: Mapping[str, Any],
    assessment: Assessment | None,
    plan: ChartPlan | None,
    *,
    first: Period | None,
    last: Period | None,
    scope_name: str,
    activities: pd.DataFrame,
    comment: Mapping[str, Any] | None,
    demo: bool,
    key: str,
    figure_key: tuple[str, ...],
) -> None:
    """One indicator: its statuses with their sentences, the chart at full width (or why there is none), comment."""
    name = str(indicator["name"])
    st.subheader(components.plain(name))
    if assessment is None:
        status_line("Utveckling", Trend.NO_DATA)
    else:
        assessment_text(assessment)
    if plan is None or first is None or last is None:
        no_chart(f"Inget diagram: det finns inga värden för {name} i {scope_name or 'området'} än.")
    else:
        chart(indicator, plan, first, last, scope_name=scope_name, activities=activities, demo=demo, key=key,
              figure_key=figure_key)
    comment_box(comment)


def chart(
    indicator: Mapping[str, Any],
    plan: ChartPlan,
    first: Period,
    last: Period,
    *,
    scope_name: str,
    activities: pd.DataFrame,
    demo: bool,
    key: str,
    figure_key: tuple[str, ...],
) -> None:
    """The indicator's chart for the chosen periods, with notes on what it leaves out or adds."""
    name = str(indicator["name"])
    parts = cached_chart(
        (*figure_key, first.code, last.code, demo, key),
        lambda: chart_parts(indicator, plan, first, last, scope_name=scope_name, activities=activities, demo=demo,
                            key=key),
    )
    shown, widened, fig = parts.shown, parts.widened, parts.figure
    if fig is None:
        no_chart(f"{name} har inga värden från {first.label} till {last.label}. Välj en längre period i sidofältet.")
        return
    st.plotly_chart(fig, theme=None, width="stretch", config=charts.PLOTLY_CONFIG, alt=charts.alt_text(fig) or None,
                    key=key)
    if parts.data is not None:
        exports.chart_downloads(parts.data, fig, key=key)
    notes = [f"Räknat som {plan.counted}."] if plan.counted else []
    if plan.note:
        notes.append(plan.note)
    if widened:
        start = Period(shown["period_start"].iloc[0], plan.grain).label
        notes.append(f"Diagrammet börjar {start}, före vald period, så att det visar minst två värden.")
    for note in notes:
        st.caption(components.plain(note))


def period_note(first: Period, last: Period) -> None:
    """Which months the charts show (the statuses always use the latest data)."""
    st.caption(
        f"Diagrammen visar {components.plain(range_label(first, last))} (välj period i "
        "sidofältet). Status räknas alltid på senaste data, oavsett vald period."
    )


def empty_area_notice(scope_name: str) -> None:
    """An area without goals in the scope."""
    st.info(f"Området har inga mål för {components.plain(scope_name)}.", icon=":material/info:")
