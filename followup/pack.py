"""A meeting pack: the agenda of a steering-group meeting as slides, the same for the screen and the deck.

build_pack(con, district, period) assembles, for one district and one period (the meeting's "as of"),
the slides the meeting steps through: a title, the overview of every goal, one slide per priority area,
one per tracked place, the action plan and the commitments from the last meeting. Meeting mode
(views/mote.py) draws a Pack with Streamlit; followup.export draws the same Pack as a PowerPoint deck
(native charts), images and tables. Nothing here imports Streamlit.

Every number in a Pack is already safe to show: sensitive counts of 1–4, and values made from them,
are None in ChartData.frame and ChartData.shown (followup.charts.frames.protect, flagged hidden), a
target path on a hidden value is left out, and the texts say "1–4" (followup.fmt, followup.status), so
no renderer needs to know the rule (the writers check again all the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from followup import db, fmt, places, queries, series
from followup.chartplan import ChartPlan, chart_plan, chart_title, hidden_target, window
from followup.charts.frames import HIDDEN, LAST_YEAR_HIDDEN, protect, reason, records
from followup.charts.series import ACTIVITY_WORDS
from followup.model import ActivityStatus, CommitmentStatus, Frequency, GoalScope, Grain, Unit
from followup.periods import MONTH_NAMES, Period, period_of
from followup.status import DISPLAY, Assessment, Target, Trend, rollup


class SlideKind(StrEnum):
    TITLE = "title"
    OVERVIEW = "overview"
    AREA = "area"
    PLACE = "place"
    ACTION_PLAN = "action_plan"
    COMMITMENTS = "commitments"


@dataclass(frozen=True)
class StatusLine:
    """One judged thing on a slide: a goal or an indicator, its status and the sentence that explains it."""

    label: str  # "2.2 Minska brottsligheten på …" or "Anmälda brott på platsen"
    trend: Trend  # drawn with status.DISPLAY[trend] (icon + word + colour), never by colour alone
    text: str  # the rule or the assessment's explanation (already suppressed for sensitive counts)


CHART_COLUMNS: tuple[str, ...] = ("period_start", "period", "value", "last_year", "target", "hidden",
                                  "last_year_hidden")
"""Columns of ChartData.frame: period start (date), period label ('mars 2025'), value (None: missing or
hidden), last year's value for the same period (None when missing or hidden), the target path (None),
and, for value and last_year, the text shown instead of a hidden one ('' when not hidden; '1–4', or
fmt.HIDDEN_DERIVED for a value made from a hidden one), which tells hidden from missing (a frame made
by hand may leave the two out: they read as not hidden)."""


@dataclass(frozen=True)
class ChartData:
    """One chart of a slide: the numbers behind it and what the figure needs."""

    key: str  # stable, file-name safe: "<goal or place>--<indicator code>"
    title: str  # "Anmälda brott i stadsdelsområdet per månad"
    indicator: str  # indicator code
    indicator_row: dict  # the scope_indicators row (name, unit, frequency, source, sensitive, aggregation …)
    unit: Unit
    sensitive: bool
    grain: Grain
    scope_name: str  # the line's name: the district, the place, or "Stockholms stad"
    frame: pd.DataFrame  # CHART_COLUMNS, in period order, only the periods shown
    source: str  # "Polisen", "EST-rapportering" …
    data_date: date | None  # the last day of the latest period with a value
    assessment_text: str = ""  # the indicator's status sentence, for the slide's notes and the footer
    plan: object | None = None  # the followup.chartplan.ChartPlan it came from (for chartplan.build_figure)
    shown: pd.DataFrame | None = None  # the chart plan's rows shown (for chartplan.build_figure)
    activities: pd.DataFrame | None = None  # scope_activities rows to mark on the time axis (build_figure's)


@dataclass(frozen=True)
class Slide:
    """One step of the meeting and one slide of the deck."""

    kind: SlideKind
    title: str  # "2. Otrygga och brottsutsatta platser"
    subtitle: str = ""  # "Hässelby-Vällingby · januari–augusti 2025"
    status: Trend | None = None  # the slide's own rolled-up status (an area's), if any
    status_text: str = ""  # its rule
    lines: tuple[StatusLine, ...] = ()  # goals (overview, area) or indicators (place)
    charts: tuple[ChartData, ...] = ()  # at most MAX_CHARTS
    table: pd.DataFrame | None = None  # activities or commitments, columns already in Swedish
    comment: str = ""  # the steering group's latest analysis for the slide, plain text
    footer: str = ""  # "Hässelby-Vällingby · källa: Polisen, EST · data t.o.m. 31 augusti 2025"
    note: str = ""  # why the slide has no charts or no table rows ("Inga insatser …"), plain text


Runner = queries.Runner
"""How pack reads a named query: run(con, name, **params) -> rows; queries.run, or a cached one (the app's).
A public pack reads through queries.public_run, where the queries marked internal answer with no rows."""

MAX_CHARTS = 2
"""Charts per slide: read from three metres, two side by side is the most that stays legible."""


@dataclass(frozen=True)
class Pack:
    """The whole agenda for one district and period."""

    district: str
    district_name: str
    period: Period
    data_date: date | None  # the latest data in the pack
    demo: bool  # the database holds invented demo data: every slide says so
    slides: tuple[Slide, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------------
# Building a pack from the database
# ---------------------------------------------------------------------------------------------------

FIRST_DAY = date(2015, 1, 1)
"""Values are read from this day on (as the dashboard's scope status does)."""
CHART_YEARS = 3
"""A chart shows the last three years up to the meeting's period end."""
MAX_PLACE_CHARTS = 2
ACTION_PLAN_SOURCE = "handlingsplanen"
COMMITMENT_SOURCE = "styrgruppens beslut"
DEMO_NOTE = "Exempeldata – påhittade siffror"
NO_DATA = "ingen data än"
NO_GOAL_INDICATORS = "Inga nyckeltal att väga samman."
ACTION_PLAN_COLUMNS = ("Insats", "Plats", "Mål", "Ansvarig", "Status", "Start", "Slut")
COMMITMENT_COLUMNS = ("Vad", "Vem", "Klart senast", "Status")
YEAR_ACTIVITY_COLUMNS = ("Insats", "Status", "Mål")
ACTIVITY_STATUS_WORDS = {status: word.capitalize() for status, word in ACTIVITY_WORDS.items()}
COMMITMENT_WORDS = {CommitmentStatus.OPEN: "Öppet", CommitmentStatus.DONE: "Klart",
                    CommitmentStatus.CANCELLED: "Inställt"}
_MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.TERTIAL: 4, Grain.YEAR: 12}
"""Months per period of the month-based grains (a week is seven days)."""


@dataclass(frozen=True)
class ScopeData:
    """A scope's query results known by a day, its assessments and roll-ups (as webapp/state.ScopeStatus)."""

    name: str
    indicators: pd.DataFrame
    values: pd.DataFrame
    event_months: pd.DataFrame
    targets: pd.DataFrame
    assessments: dict[str, Assessment]
    data_date: date | None

    # worked out once, when first asked for (a place's slide needs none of the roll-ups)
    @cached_property
    def goals(self) -> dict[str, series.Rollup]:
        """Each goal's rolled-up status (series.goal_statuses)."""
        return series.goal_statuses(self.assessments, self.indicators)

    @cached_property
    def catalogue(self) -> dict[str, dict[str, Any]]:
        """One scope_indicators row per indicator code, in query order."""
        return _catalogue(self.indicators)

    @cached_property
    def codes_by_goal(self) -> dict[str, list[str]]:
        """The indicator codes of every goal, in query order."""
        return _goal_codes(self.indicators)

    @cached_property
    def areas(self) -> dict[str, series.Rollup]:
        """Each priority area's rolled-up status (series.area_statuses)."""
        return series.area_statuses(self.goals, self.indicators)

    def sources(self, codes: Iterable[str] | None = None) -> list[str]:
        """The sources of the scope's indicators that have values (those of `codes` only), in catalogue order."""
        measured = set(self.values["indicator"].unique()) | set(self.event_months["indicator"].unique())
        wanted = measured if codes is None else measured & set(codes)
        rows = self.indicators.drop_duplicates("code")
        return list(dict.fromkeys(str(s) for c, s in zip(rows["code"], rows["source"], strict=True) if c in wanted))


def _day(value: Any) -> date | None:
    """A date from a query cell, or None for NULL/NaT."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def date_text(value: date) -> str:
    """'31 augusti 2025'."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def period_text(period: Period) -> str:
    """A period in words for a slide: 'maj–augusti 2025', 'mars 2025', '2025', 'v. 12 2025'."""
    if period.grain in (Grain.WEEK, Grain.MONTH, Grain.YEAR):
        return period.label
    first, last = period.start, period.last_day
    return f"{MONTH_NAMES[first.month - 1]}–{MONTH_NAMES[last.month - 1]} {first.year}"


def known_by(values: pd.DataFrame, day: date) -> pd.DataFrame:
    """The rows of a values frame whose period has ended by `day` (what a meeting about that day could know)."""
    if values.empty:
        return values
    starts = pd.to_datetime(values["period_start"]).to_numpy().astype("datetime64[D]")
    grains = values["grain"].to_numpy()
    months = np.select([grains == g.value for g in _MONTHS], list(_MONTHS.values()), 0)
    by_month = (starts.astype("datetime64[M]") + months.astype("timedelta64[M]")).astype("datetime64[D]")
    ends = np.where(grains == Grain.WEEK.value, starts + np.timedelta64(7, "D"), by_month)
    return values.loc[ends <= np.datetime64(day) + np.timedelta64(1, "D")].reset_index(drop=True)


def data_date_of(values: pd.DataFrame) -> date | None:
    """The last day of the latest final period (preliminary ones only when nothing else exists)."""
    final = values.loc[~values["preliminary"].fillna(False).astype(bool)] if "preliminary" in values else values
    return series.latest_data_date(final if not final.empty else values)


def scope_data(con: duckdb.DuckDBPyConnection, district: str, place: str, name: str, until: date, *,
               run: Runner = queries.run) -> ScopeData:
    """Read a scope (district, or place in it) as known by `until` and assess it as of its latest data."""
    params = {"district": district, "place": place}
    indicators = run(con, "scope_indicators", **params)
    values = known_by(run(con, "scope_values", **params, **{"from": FIRST_DAY}), until)
    event_months = known_by(run(con, "scope_event_months", **params), until)
    targets = run(con, "scope_targets", **params)
    assessments = series.assess_scope(indicators, values, targets, scope_name=name)
    latest = [d for d in (data_date_of(values), data_date_of(event_months)) if d]
    return ScopeData(name, indicators, values, event_months, targets, assessments,
                     min(max(latest), until) if latest else None)


def headline_code(codes: Sequence[str], assessments: Mapping[str, Assessment], status: Trend) -> str | None:
    """A goal's headline indicator (Översikt's key figure, a slide's chart): the first whose trend is the
    goal's status, else the first with a value, else the first."""
    known = [code for code in codes if code in assessments]
    if status is not Trend.NO_DATA:
        matching = [code for code in known if assessments[code].trend is status]
        if matching:
            return matching[0]
    with_value = [code for code in known if assessments[code].current_label]
    return (with_value or known or [None])[0]


def footer(scope_name: str, sources: Sequence[str], data_date: date | None, demo: bool) -> str:
    """'Hässelby-Vällingby · källa: Polisen, EST · data t.o.m. 31 augusti 2025' (+ the demo note)."""
    when = f"data t.o.m. {date_text(data_date)}" if data_date else NO_DATA
    parts = [scope_name, f"källa: {', '.join(sources) if sources else '–'}", when]
    return " · ".join(parts + ([DEMO_NOTE] if demo else []))


def _target_value(target: Target | None, start: date, sensitive: bool) -> float | None:
    """The target path at a period start between baseline and target date, else None (and None all along
    a path that starts or ends on a hidden value: every point of it would give that value away)."""
    if target is None or hidden_target(target, sensitive) or not target.baseline_start <= start <= target.target_start:
        return None
    return fmt.safe(target.expected_at(start), sensitive)


def chart_window(until: date, years: int = CHART_YEARS) -> tuple[Period, Period]:
    """The months a chart shows: `years` years up to the month of `until`."""
    last = period_of(until, Grain.MONTH)
    return last.shift(1 - 12 * years), last


def chart_data(
    row: Mapping[str, Any],
    plan: ChartPlan,
    first: Period,
    last: Period,
    *,
    key: str,
    scope_name: str,
    assessment: Assessment | None,
    activities: pd.DataFrame | None = None,
    shown: pd.DataFrame | None = None,
) -> ChartData | None:
    """A ChartData for one indicator's plan over first..last (None when no value falls in it); `shown`: the
    plan's window over first..last when the caller has already cut it."""
    if shown is None:
        shown, _ = window(plan.frame, plan.grain, first, last)
    if shown.empty:
        return None
    sensitive, starts = bool(row["sensitive"]), [pd.Timestamp(s).date() for s in shown["period_start"]]
    shown = protect(shown, sensitive)  # the plan's rows are protected already; a hand-made plan's now are
    frame = pd.DataFrame(
        {
            "period_start": starts,
            "period": [Period(s, plan.grain).label for s in starts],
            "value": pd.Series([fmt.safe(v, sensitive) for v in shown["value"]], dtype=object),
            "last_year": pd.Series([fmt.safe(v, sensitive) for v in shown["last_year"]], dtype=object),
            "target": pd.Series([_target_value(plan.target, s, sensitive) for s in starts], dtype=object),
            "hidden": pd.Series([reason(v) for v in shown[HIDDEN]], dtype=object),
            "last_year_hidden": pd.Series([reason(v) for v in shown[LAST_YEAR_HIDDEN]], dtype=object),
        },
        columns=list(CHART_COLUMNS),
    )
    with_value = [s for s, v, h in zip(starts, shown["value"], shown[HIDDEN], strict=True) if pd.notna(v) or reason(h)]
    return ChartData(
        key=key,
        title=chart_title(str(row["name"]), plan.grain, Frequency(row["frequency"])),
        indicator=str(row["code"]),
        indicator_row=dict(row),
        unit=Unit(row["unit"]),
        sensitive=sensitive,
        grain=plan.grain,
        scope_name=scope_name,
        frame=frame,
        source=str(row["source"]),
        data_date=Period(max(with_value), plan.grain).last_day if with_value else None,
        assessment_text=assessment.explanation if assessment else "",
        plan=plan,
        shown=shown,
        activities=activities,
    )


def _plan(scope: ScopeData, row: Mapping[str, Any]) -> ChartPlan | None:
    """chart_plan of one indicator of a scope (indicator_frame picks the indicator's rows)."""
    return chart_plan(row, scope.values, scope.event_months, scope.targets)


def _catalogue(indicators: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """One scope_indicators row per indicator code, in query order."""
    return {str(r["code"]): r for r in records(indicators.drop_duplicates("code"))}


def _goal_codes(indicators: pd.DataFrame) -> dict[str, list[str]]:
    """The indicator codes of every goal, in query order."""
    links = indicators.loc[indicators["goal_code"].notna()]
    return {str(goal): list(dict.fromkeys(codes)) for goal, codes in links.groupby("goal_code", sort=False)["code"]}


def _on_time_axis(activities: pd.DataFrame) -> pd.DataFrame:
    """Activities to mark on a chart's time axis: all but the cancelled ones."""
    return activities.loc[activities["status"] != ActivityStatus.CANCELLED.value].reset_index(drop=True)


def goal_label(goal: Mapping[str, Any]) -> str:
    """'2.2 Minska brottsligheten …' (with '(lokalt mål)' for a district's own goal)."""
    local = " (lokalt mål)" if goal["goal_scope"] == GoalScope.LOCAL.value else ""
    return f"{int(goal['priority_area_number'])}.{int(goal['goal_number'])} {goal['goal']}{local}"


def _goal_numbers(overview: pd.DataFrame) -> dict[str, str]:
    """Goal code -> '2.2'."""
    return {str(g["goal_code"]): f"{int(g['priority_area_number'])}.{int(g['goal_number'])}"
            for g in overview.to_dict("records")}


def _goal_lines(goals: Sequence[Mapping[str, Any]], scope: ScopeData) -> tuple[StatusLine, ...]:
    """One StatusLine per goal: its rolled-up trend and rule."""
    return tuple(
        StatusLine(goal_label(goal), *scope.goals.get(str(goal["goal_code"]), (Trend.NO_DATA, NO_GOAL_INDICATORS)))
        for goal in goals
    )


def _headline_charts(
    goals: Sequence[Mapping[str, Any]],
    scope: ScopeData,
    activities: pd.DataFrame,
    first: Period,
    last: Period,
) -> tuple[ChartData, ...]:
    """Up to MAX_CHARTS charts: each goal's headline indicator, in goal order, each indicator once."""
    catalogue, codes_by_goal = scope.catalogue, scope.codes_by_goal
    charts_: list[ChartData] = []
    for goal in goals:
        code = str(goal["goal_code"])
        trend = scope.goals.get(code, (Trend.NO_DATA, ""))[0]
        chosen = headline_code(codes_by_goal.get(code, []), scope.assessments, trend)
        if chosen is None or any(c.indicator == chosen for c in charts_):
            continue
        row = catalogue[chosen]
        plan = _plan(scope, row)
        if plan is None:
            continue
        mine = _on_time_axis(activities.loc[activities["goal_code"] == code])
        chart = chart_data(row, plan, first, last, key=f"{code}--{chosen}",
                           scope_name=series.scope_of(str(row["level"]), scope.name),
                           assessment=scope.assessments.get(chosen), activities=mine)
        if chart is not None:
            charts_.append(chart)
        if len(charts_) == MAX_CHARTS:
            break
    return tuple(charts_)


def _area_groups(overview: pd.DataFrame) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(area code, 'N. Name', goal rows) per priority area, in number order."""
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for row in overview.to_dict("records"):  # a dozen rows: plain Python beats a pandas groupby here
        key = (str(row["priority_area_code"]), int(row["priority_area_number"]), str(row["priority_area"]))
        groups.setdefault(key, []).append(row)
    return [(code, f"{number}. {name}", rows)
            for (code, number, name), rows in sorted(groups.items(), key=lambda item: item[0][1])]


def _area_comment(comments: pd.DataFrame, goal_codes: Iterable[str], *, every: bool) -> str:
    """The comments (period_comments rows) on the goals: the latest one, or every one newest first."""
    rows = comments.loc[comments["goal"].isin(list(goal_codes))]
    if rows.empty:
        return ""
    if not every:
        return str(rows.iloc[0]["body"])
    texts = [f"{Period(pd.Timestamp(r['period_start']).date(), Grain(r['grain'])).label}: {r['body']}"
             for r in rows.to_dict("records")]
    return "\n\n".join(texts)


def _area_sources(goals: Sequence[Mapping[str, Any]], scope: ScopeData) -> list[str]:
    """The sources of the area's goals' indicators that have values."""
    codes_by_goal = scope.codes_by_goal
    return scope.sources([c for g in goals for c in codes_by_goal.get(str(g["goal_code"]), [])])


def _dates(value: Any) -> str:
    """A table cell for a date: '2025-04-01' or '–'."""
    day = _day(value)
    return day.isoformat() if day else fmt.MISSING


def _goal_list(codes: Any, numbers: Mapping[str, str]) -> str:
    """'pa2-1, pa2-2' -> '2.1, 2.2'."""
    if codes is None or pd.isna(codes) or not str(codes).strip():
        return fmt.MISSING
    return ", ".join(numbers.get(c.strip(), c.strip()) for c in str(codes).split(","))


def action_plan_table(activities: pd.DataFrame, period: Period, numbers: Mapping[str, str]) -> pd.DataFrame:
    """activity_list rows on the agenda: ongoing or planned, or done/cancelled within the period; Swedish columns."""
    rows = []
    for r in activities.to_dict("records"):
        status = ActivityStatus(r["status"])
        closed = _day(r["end_date"]) or _day(r["start_date"])
        if status in (ActivityStatus.DONE, ActivityStatus.CANCELLED) and not (
            closed and period.start <= closed <= period.last_day
        ):
            continue
        rows.append({
            "Insats": str(r["title"]),
            "Plats": str(r["place_name"]) if pd.notna(r["place_name"]) else "hela stadsdelsområdet",
            "Mål": _goal_list(r["goals"], numbers),
            "Ansvarig": str(r["lead_org"]),
            "Status": ACTIVITY_STATUS_WORDS[status],
            "Start": _dates(r["start_date"]),
            "Slut": _dates(r["end_date"]),
        })
    return pd.DataFrame(rows, columns=list(ACTION_PLAN_COLUMNS))


def commitment_table(commitments: pd.DataFrame, period: Period) -> pd.DataFrame:
    """commitment_list rows on the agenda: open ones due by the next period's end or undated, then those done.

    The meeting about a period is held after it ends, so the commitments it follows up fall due before the
    next period ends; one made at a later meeting is left out. Done: due (or closed) within the two periods.
    """
    horizon = period.shift(1).last_day
    rows = []
    for r in commitments.to_dict("records"):
        status, due, made = CommitmentStatus(r["status"]), _day(r["due_date"]), _day(r["meeting_date"])
        if made and made > horizon:
            continue
        closed = _day(r["updated_at"]) or due
        if status is CommitmentStatus.OPEN and due is not None and due > horizon:
            continue
        if status is not CommitmentStatus.OPEN and not (closed and period.start <= closed <= horizon):
            continue
        rows.append((status is not CommitmentStatus.OPEN, due or date.max, {
            "Vad": str(r["what"]), "Vem": str(r["who"]) if pd.notna(r["who"]) else fmt.MISSING,
            "Klart senast": due.isoformat() if due else fmt.MISSING, "Status": COMMITMENT_WORDS[status],
        }))
    rows.sort(key=lambda item: item[:2])
    return pd.DataFrame([row for *_, row in rows], columns=list(COMMITMENT_COLUMNS))


def _place_charts(place: str, scope: ScopeData, activities: pd.DataFrame, first: Period,
                  last: Period) -> tuple[ChartData, ...]:
    """A place's main charts: reported crimes, then the EST indicators with most reports in the window."""
    catalogue = scope.catalogue
    months = scope.event_months
    inside = pd.to_datetime(months["period_start"]).between(pd.Timestamp(first.start), pd.Timestamp(last.last_day))
    reports = months.loc[inside].groupby("indicator")["value"].sum()
    est = sorted((c for c, r in catalogue.items() if pd.notna(r["event_category"])),
                 key=lambda c: (-float(reports.get(c, 0.0)), c))
    crimes = [places.CRIME_INDICATOR] if places.CRIME_INDICATOR in catalogue else []
    rest = [c for c in catalogue if c not in crimes and c not in est]
    chosen: list[ChartData] = []
    marked = _on_time_axis(activities)
    for code in crimes + est + rest:
        row = catalogue[code]
        plan = _plan(scope, row)
        chart = None if plan is None else chart_data(
            row, plan, first, last, key=f"{place}--{code}", scope_name=scope.name,
            assessment=scope.assessments.get(code), activities=marked)
        if chart is not None:
            chosen.append(chart)
        if len(chosen) == MAX_PLACE_CHARTS:
            break
    return tuple(chosen)


def _chosen_places(district_places: pd.DataFrame, wanted: Sequence[str] | None, district_name: str) -> list[dict]:
    """The tracked places with data, or the ones asked for (codes or names) in the order given."""
    rows = district_places.to_dict("records")
    if wanted is None:
        return [r for r in rows if _day(r["last_day"])]
    by_key = {str(r["code"]): r for r in rows} | {str(r["name"]).casefold(): r for r in rows}
    unknown = [w for w in wanted if w not in by_key and w.casefold() not in by_key]
    if unknown:
        raise ValueError(
            f"Okänd plats för {district_name}: {', '.join(unknown)}. Ange platsens kod eller namn; platserna är "
            f"{', '.join(str(r['name']) for r in rows) or 'inga'}."
        )
    return list({id(r): r for r in (by_key.get(w) or by_key[w.casefold()] for w in wanted)}.values())


def _district_name(con: duckdb.DuckDBPyConnection, district: str, on: date, run: Runner = queries.run) -> str:
    """The name of a district in force on a day (current_districts), or a Swedish error naming the valid codes."""
    rows = run(con, "current_districts", on=on)
    names = dict(zip(rows["code"], rows["name"], strict=True))
    if district not in names:
        raise ValueError(f"Stadsdelsområdet '{district}' finns inte den {date_text(on)}. Välj ett av: "
                         f"{', '.join(sorted(names))}.")
    return str(names[district])


OVERVIEW_TITLE = "Översikt: målens status"
ACTION_PLAN_TITLE = "Handlingsplanen: pågående och planerade insatser"
COMMITMENTS_TITLE = "Åtaganden från förra mötet"


@dataclass(frozen=True)
class AgendaItem:
    """One step of a meeting before its slide is built: its kind, title and what it is about."""

    kind: SlideKind
    title: str
    key: str = ""  # the priority area's code (AREA) or the place's code (PLACE)


@dataclass(frozen=True)
class Agenda:
    """A meeting's steps, known without assessing anything: enough to navigate and to build any one slide."""

    district: str
    district_name: str
    period: Period
    demo: bool
    items: tuple[AgendaItem, ...]
    overview: pd.DataFrame  # goal_overview rows: the areas' goals and their numbers

    @property
    def subtitle(self) -> str:
        """'Hässelby-Vällingby · maj–augusti 2025'."""
        return f"{self.district_name} · {period_text(self.period)}"


@dataclass(frozen=True)
class Meeting:
    """What the district's slides share: the district as known at the period's end, its activities and comments."""

    scope: ScopeData
    activities: pd.DataFrame
    comments: pd.DataFrame


def build_agenda(
    con: duckdb.DuckDBPyConnection, district: str, period: Period, *, places: Sequence[str] | None = None,
    run: Runner = queries.run, public: bool = False,
) -> Agenda:
    """The meeting's steps for a district and period: title, overview, areas, tracked places with data, plan,
    commitments (a PUBLIC meeting has no action plan and commitment slides: their text is internal)."""
    name = _district_name(con, district, period.last_day, run)
    overview = run(con, "goal_overview", district=district)
    district_places = run(con, "district_places", district=district)
    items = [AgendaItem(SlideKind.TITLE, name), AgendaItem(SlideKind.OVERVIEW, OVERVIEW_TITLE)]
    items += [AgendaItem(SlideKind.AREA, label, code) for code, label, _ in _area_groups(overview)]
    items += [AgendaItem(SlideKind.PLACE, str(p["name"]), str(p["code"]))
              for p in _chosen_places(district_places, places, name)]
    if not public:
        items += [AgendaItem(SlideKind.ACTION_PLAN, ACTION_PLAN_TITLE),
                  AgendaItem(SlideKind.COMMITMENTS, COMMITMENTS_TITLE)]
    return Agenda(district, name, period, db.is_demo(con), tuple(items), overview)


def build_meeting(con: duckdb.DuckDBPyConnection, agenda: Agenda, *, run: Runner = queries.run) -> Meeting:
    """The district's scope, activities and comments as known at the end of the agenda's period."""
    district, period = agenda.district, agenda.period
    scope = scope_data(con, district, "", agenda.district_name, period.last_day, run=run)
    activities = run(con, "scope_activities", district=district, place="")
    comments = known_by(run(con, "period_comments", district=district,
                                    **{"from": FIRST_DAY, "to": period.last_day}),
                        period.last_day)
    return Meeting(scope, activities, comments)


def needs_meeting(item: AgendaItem) -> bool:
    """Whether the item's slide draws on the district's Meeting (a place's slide needs only the place)."""
    return item.kind is not SlideKind.PLACE


def build_slide(con: duckdb.DuckDBPyConnection, agenda: Agenda, number: int, meeting: Meeting | None = None, *,
                run: Runner = queries.run) -> Slide:
    """Slide `number` (from 1) of the agenda; the Meeting is built here when the slide needs it and none is given."""
    item = agenda.items[number - 1]
    if meeting is None and needs_meeting(item):
        meeting = build_meeting(con, agenda, run=run)
    district, period, name, subtitle = agenda.district, agenda.period, agenda.district_name, agenda.subtitle
    first, last = chart_window(period.last_day)

    def foot(sources: Sequence[str], data_date: date | None = None, scope_name: str = name) -> str:
        when = data_date if data_date is not None or meeting is None else meeting.scope.data_date
        return footer(scope_name, sources, when, agenda.demo)

    match item.kind:
        case SlideKind.PLACE:
            place_scope = scope_data(con, district, item.key, item.title, period.last_day, run=run)
            place_activities = run(con, "scope_activities", district=district, place=item.key)
            lines = tuple(StatusLine(str(row["name"]), a.trend, a.explanation)
                          for code, row in place_scope.catalogue.items()
                          if (a := place_scope.assessments.get(code)) is not None)
            trend, rule = rollup([line.trend for line in lines], children="nyckeltal")
            charts_ = _place_charts(item.key, place_scope, place_activities, first, last)
            return Slide(
                SlideKind.PLACE, item.title, subtitle, trend, rule, lines, charts_,
                footer=foot(place_scope.sources(), place_scope.data_date, f"{item.title}, {name}"),
                note="" if charts_ else f"Inga diagram: det finns inga värden för {item.title} t.o.m. "
                                        f"{date_text(period.last_day)}.",
            )
        case SlideKind.ACTION_PLAN:
            plan_rows = action_plan_table(
                run(con, "activity_list", district=district, goal="", place="", status=""), period,
                _goal_numbers(agenda.overview))
            return Slide(SlideKind.ACTION_PLAN, item.title, subtitle, table=plan_rows, footer=foot([ACTION_PLAN_SOURCE]),
                         note="" if len(plan_rows) else "Inga insatser i handlingsplanen för perioden.")
        case SlideKind.COMMITMENTS:
            due = commitment_table(run(con, "commitment_list", district=district, status=""), period)
            return Slide(SlideKind.COMMITMENTS, item.title, subtitle, table=due, footer=foot([COMMITMENT_SOURCE]),
                         note="" if len(due) else "Inga öppna åtaganden att följa upp.")
    assert meeting is not None  # every other slide draws on the district (needs_meeting)
    scope, when = meeting.scope, meeting.scope.data_date
    match item.kind:
        case SlideKind.TITLE:
            title_sub = f"Styrgruppsmöte · {period.label} ({period_text(period)}) · " + (
                f"data t.o.m. {date_text(when)}" if when else NO_DATA)
            return Slide(SlideKind.TITLE, name, title_sub, footer=foot(scope.sources()))
        case SlideKind.OVERVIEW:
            return Slide(SlideKind.OVERVIEW, item.title, subtitle,
                         lines=_goal_lines(agenda.overview.to_dict("records"), scope), footer=foot(scope.sources()))
    goals = next(rows for code, _, rows in _area_groups(agenda.overview) if code == item.key)
    trend, rule = scope.areas.get(item.key, (Trend.NO_DATA, "Inga mål med nyckeltal i stadsdelsområdet."))
    charts_ = _headline_charts(goals, scope, meeting.activities, first, last)
    return Slide(
        SlideKind.AREA, item.title, subtitle, trend, rule, _goal_lines(goals, scope), charts_,
        comment=_area_comment(meeting.comments, [str(g["goal_code"]) for g in goals], every=False),
        footer=foot(_area_sources(goals, scope)),
        note="" if charts_ else f"Inga diagram: det finns inga värden för områdets nyckeltal t.o.m. "
                                f"{date_text(period.last_day)}.",
    )


def agenda_of(pack: Pack) -> Agenda:
    """The agenda of a pack already built (its slides' kinds and titles), e.g. to show a hand-made pack."""
    items = tuple(AgendaItem(slide.kind, slide.title) for slide in pack.slides)
    return Agenda(pack.district, pack.district_name, pack.period, pack.demo, items, pd.DataFrame())


def build_pack(
    con: duckdb.DuckDBPyConnection, district: str, period: Period, *, places: Sequence[str] | None = None,
    public: bool = False,
) -> Pack:
    """The meeting's slides for a district and period, as known at the period's end (or the latest data); a
    PUBLIC pack has none of the steering group's internal text (comments, activities, commitments)."""
    agenda = build_agenda(con, district, period, places=places, public=public)
    with _PlaceReader(con, agenda) as reader:
        run = queries.public_run(reader) if public else reader
        meeting = build_meeting(con, agenda, run=queries.public_run(queries.run) if public else queries.run)
        slides = tuple(build_slide(con, agenda, number, meeting, run=run)
                       for number in range(1, len(agenda.items) + 1))
    return Pack(district, agenda.district_name, period, meeting.scope.data_date, agenda.demo, slides)


PLACE_BATCHES = {
    "scope_values": "place_values",
    "scope_event_months": "place_event_months",
    "scope_targets": "place_targets",
    "scope_activities": "scope_activities",
}
"""For a place's query, the query that gives every place of the district at once (with a place column);
the district's own scope_activities holds its places' activities. tests/test_queries.py checks that each
place's share is exactly the place's own result."""


class _PlaceReader:
    """A Runner that reads the place slides' queries ahead, a district at a time, in a second thread.

    A meeting of twenty places would run a hundred small queries, each costing DuckDB some 10 ms before it
    reads a row. This reader runs PLACE_BATCHES' district-wide queries once instead (and each place's
    scope_indicators), on its own cursor in a second thread, so DuckDB works while Python assesses the
    slides before them; a place's query is then answered with its share of the district's result. Any other
    query is run as usual. Used as a context manager: the thread ends with it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, agenda: Agenda) -> None:
        self._cursor = con.cursor()  # made here: a connection is not to be shared between threads
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-places")
        self._district = agenda.district
        self._places = {item.key for item in agenda.items if item.kind is SlideKind.PLACE}
        self._batches: dict[str, Future[dict[str, pd.DataFrame]]] = {}
        self._ahead: dict[str, Future[pd.DataFrame]] = {}
        if not self._places:
            return
        for single, batch in PLACE_BATCHES.items():
            params: dict[str, Any] = {"district": self._district}
            if single == "scope_values":
                params["from"] = FIRST_DAY
            if batch == single:
                params["place"] = ""
            self._batches[single] = self._pool.submit(self._split, batch, params, keep_place=batch == single)
        for place in sorted(self._places):
            self._ahead[place] = self._pool.submit(queries.run, self._cursor, "scope_indicators",
                                                   district=self._district, place=place)

    def _split(self, name: str, params: Mapping[str, Any], *, keep_place: bool) -> dict[str, pd.DataFrame]:
        """A district-wide result by place: each place's rows as its own query returns them ('' : no rows)."""
        whole = queries.run(self._cursor, name, **params)
        shape = whole if keep_place else whole.drop(columns="place")
        parts = {"": shape.iloc[0:0]}
        for place, rows in whole.groupby("place", sort=False):
            parts[str(place)] = (rows if keep_place else rows.drop(columns="place")).reset_index(drop=True)
        return parts

    def __call__(self, con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
        place = params.get("place")
        if params.get("district") == self._district and place in self._places:
            if name in self._batches and params.get("from", FIRST_DAY) == FIRST_DAY:
                parts = self._batches[name].result()
                return parts.get(place, parts[""])
            if name == "scope_indicators":
                return self._ahead[place].result()
        return queries.run(con, name, **params)

    def __enter__(self) -> _PlaceReader:
        return self

    def __exit__(self, *_: object) -> None:
        for ahead in [*self._batches.values(), *self._ahead.values()]:
            ahead.cancel()
        self._pool.shutdown(wait=True)
        self._cursor.close()


# ---------------------------------------------------------------------------------------------------
# The year-end compilation
# ---------------------------------------------------------------------------------------------------


def year_activity_table(activities: pd.DataFrame, year: int, goal_codes: Sequence[str],
                        numbers: Mapping[str, str]) -> pd.DataFrame:
    """scope_activities rows of the goals active in the year, with their status at the year's end; Swedish columns.

    Done in the year: 'Genomförd'; cancelled: 'Inställd'; still running at the year's end: 'Pågår' (also one
    closed later); not started: 'Planerad'. Activities closed before the year or starting after it are left out.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = activities.loc[activities["goal_code"].isin(list(goal_codes))]
    result: dict[int, dict[str, Any]] = {}
    for r in rows.to_dict("records"):
        status, start, end = ActivityStatus(r["status"]), _day(r["start_date"]), _day(r["end_date"])
        if (start and start > last) or (end and end < first and status is not ActivityStatus.PLANNED):
            continue
        if status is ActivityStatus.DONE and end and end > last:
            status = ActivityStatus.ONGOING  # it was not done yet at the year's end
        if status is ActivityStatus.ONGOING and start is None:
            status = ActivityStatus.PLANNED
        entry = result.setdefault(int(r["id"]), {"Insats": str(r["title"]), "Status": ACTIVITY_STATUS_WORDS[status],
                                                 "_goals": []})
        entry["_goals"].append(numbers.get(str(r["goal_code"]), str(r["goal_code"])))
    order = {ActivityStatus.DONE: 0, ActivityStatus.ONGOING: 1, ActivityStatus.PLANNED: 2, ActivityStatus.CANCELLED: 3}
    rank = {ACTIVITY_STATUS_WORDS[s]: n for s, n in order.items()}
    table = [{"Insats": e["Insats"], "Status": e["Status"], "Mål": ", ".join(dict.fromkeys(e["_goals"]))}
             for e in result.values()]
    table.sort(key=lambda row: rank[row["Status"]])
    return pd.DataFrame(table, columns=list(YEAR_ACTIVITY_COLUMNS))


def build_year_end(con: duckdb.DuckDBPyConnection, district: str, year: int) -> Pack:
    """The agreement's yearly compilation: per priority area the goals' status, the activities and the analysis."""
    period = Period(date(year, 1, 1), Grain.YEAR)
    name = _district_name(con, district, period.last_day)
    demo = db.is_demo(con)
    scope = scope_data(con, district, "", name, period.last_day)
    overview = queries.run(con, "goal_overview", district=district)
    activities = queries.run(con, "scope_activities", district=district, place="")
    comments = queries.run(con, "period_comments", district=district,
                           **{"from": period.start, "to": period.last_day})
    numbers = _goal_numbers(overview)
    first, last = Period(period.start, Grain.MONTH), Period(date(year, 12, 1), Grain.MONTH)
    when, subtitle = scope.data_date, f"{name} · {year}"
    title_sub = "Mål, insatser och styrgruppens analys · " + (f"data t.o.m. {date_text(when)}" if when else NO_DATA)
    slides = [Slide(SlideKind.TITLE, f"Årssammanställning {year} – {name}", title_sub,
                    footer=footer(name, scope.sources(), when, demo))]
    for area, label, goals in _area_groups(overview):
        trend, rule = scope.areas.get(area, (Trend.NO_DATA, "Inga mål med nyckeltal i stadsdelsområdet."))
        goal_codes = [str(g["goal_code"]) for g in goals]
        charts_ = _headline_charts(goals, scope, activities, first, last)
        table = year_activity_table(activities, year, goal_codes, numbers)
        comment = _area_comment(comments, goal_codes, every=True)
        notes = [] if len(table) else [f"Inga insatser för områdets mål under {year}."]
        if not comment:
            notes.append(f"Styrgruppen har inte kommenterat områdets mål för {year}.")
        slides.append(Slide(SlideKind.AREA, label, subtitle, trend, rule, _goal_lines(goals, scope), charts_, table,
                            comment, footer(name, _area_sources(goals, scope), when, demo), " ".join(notes)))
    return Pack(district, name, period, when, demo, tuple(slides))


def year_end_tables(pack: Pack) -> dict[str, pd.DataFrame]:
    """The year-end workbook's sheets from a build_year_end pack: goal status, activities and analysis per area."""
    goals, activities, analysis = [], [], []
    for slide in pack.slides:
        if slide.kind is not SlideKind.AREA:
            continue
        for line in slide.lines:
            shown = DISPLAY[line.trend]
            goals.append({"Område": slide.title, "Mål": line.label, "Status": f"{shown.icon} {shown.word}",
                          "Förklaring": line.text})
        if slide.table is not None:
            activities.extend({"Område": slide.title, **row} for row in slide.table.to_dict("records"))
        analysis.append({"Område": slide.title, "Status": DISPLAY[slide.status or Trend.NO_DATA].word,
                         "Regel": slide.status_text, "Styrgruppens analys": slide.comment})
    return {
        "Målens status": pd.DataFrame(goals, columns=["Område", "Mål", "Status", "Förklaring"]),
        "Insatser": pd.DataFrame(activities, columns=["Område", *YEAR_ACTIVITY_COLUMNS]),
        "Styrgruppens analys": pd.DataFrame(analysis, columns=["Område", "Status", "Regel", "Styrgruppens analys"]),
    }
