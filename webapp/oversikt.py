"""Översikt: the goal tiles of a district, computed from its cached scope status, and how they are drawn.

The first half is pure (frames and assessments in, dataclasses out) so tests can hand-make the input;
the second half draws with Streamlit. A tile shows the goal's rolled-up status, its headline indicator
(the key figure, its change against the comparison period and a sparkline) and the latest data period.

Headline indicator: the first indicator of the goal (in scope_indicators' order) whose trend is the
goal's own status, so that the figure under '▲ Förbättras' is one that improves; when the goal has no
judgement, the first indicator with a value; else the goal's first indicator.

Sparkline: the headline's series in its own grain over the last SPARK_YEARS years and never across a
series break (values on either side may not be compared). Weekly counts are shown as rolling 52-week
totals, the very figure the status compares, since single weeks are mostly noise; surveys show their
measurements one after the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from followup import charts, fmt, series
from followup.pack import headline_code
from followup.model import Aggregation, Frequency, GoalScope, Grain, Unit
from followup.periods import PERIODS_PER_YEAR, Period, natural_grain, periods_between
from followup.status import DISPLAY, Assessment, Point, Trend
from webapp import components, scope, state
from webapp.omrade import area_label  # the area page's own ?prio= label, so the links always match

AREA_PAGE = "views/omrade.py"
"""The Prioriterat område page each tile links to, with ?prio=<area label>&omrade=<district name>."""
SPARK_YEARS = 3
"""How many years back a sparkline reaches."""
MIN_SPARK_POINTS = 6
"""A yearly series shows at least this many years (three points say little)."""
ROLLING_WEEKS = 52
SPARK_HEIGHT = 80
TILES_PER_ROW = 3
NO_GOAL_INDICATORS = "Inga nyckeltal att väga samman."


@dataclass(frozen=True)
class Headline:
    """The key figure of a goal tile: one indicator's assessment and its sparkline values."""

    code: str
    name: str
    unit: Unit
    sensitive: bool
    assessment: Assessment
    spark: tuple[float | None, ...]
    spark_note: str

    @property
    def drawable(self) -> bool:
        """Whether the sparkline has at least two values that may be shown (not missing, not hidden)."""
        shown = [v for v in self.spark if v is not None and not fmt.must_hide(v, self.sensitive)]
        return len(shown) >= 2


@dataclass(frozen=True)
class GoalTile:
    """Everything one goal tile shows."""

    code: str
    area_number: int
    number: int
    text: str
    local: bool
    status: Trend
    rule: str
    indicators: int
    headline: Headline | None
    latest: Period | None

    @property
    def label(self) -> str:
        """'2.3': the goal's number within its area."""
        return f"{self.area_number}.{self.number}"


@dataclass(frozen=True)
class AreaRow:
    """One priority area: its rolled-up status and its goal tiles."""

    code: str
    number: int
    name: str
    status: Trend
    rule: str
    tiles: tuple[GoalTile, ...]

    @property
    def label(self) -> str:
        """'2. Otrygga och brottsutsatta platser': the heading, and the ?prio= value of the area page."""
        return area_label(self.number, self.name)


def _one_grain(points: Sequence[Point], frequency: Frequency) -> list[Point]:
    """The points in one grain: the indicator's natural grain when the series mixes grains."""
    grains = {point.grain for point in points}
    own = natural_grain(frequency)
    return [p for p in points if p.grain is own] if len(grains) > 1 and own in grains else list(points)


def _since_break(points: Sequence[Point]) -> list[Point]:
    """The points from the latest series break on (all of them when there is none)."""
    starts = [index for index, point in enumerate(points) if point.series_break]
    return list(points[starts[-1]:]) if starts else list(points)


def _on_grid(points: Sequence[Point]) -> list[float | None]:
    """Values on every period from the first point to the last, None where a period has no value or the value
    is withheld (a city value that would give a hidden district value away)."""
    by_period = {point.period: None if point.withheld else point.value for point in points}
    first, last = points[0].period, points[-1].period
    return [by_period.get(period) for period in periods_between(first.start, last.start, first.grain)]


def _rolling(values: Sequence[float | None], size: int, aggregation: Aggregation, *,
             sensitive: bool = False) -> list[float | None]:
    """Rolling totals (or means) over `size` periods; None where a period of the window is missing or, for a
    sensitive indicator, hidden (fmt.hidden_from: two totals side by side would give the hidden value away)."""
    result: list[float | None] = []
    for end in range(size, len(values) + 1):
        window = values[end - size : end]
        if any(v is None for v in window) or fmt.hidden_from(window, sensitive):
            result.append(None)
            continue
        total = sum(v for v in window if v is not None)
        result.append(total if aggregation is Aggregation.SUM else total / size)
    return result


def spark_values(points: Sequence[Point], frequency: Frequency, aggregation: Aggregation, *,
                 sensitive: bool = False) -> tuple[list[float | None], str]:
    """Sparkline values of a series and a note on what they are ('' when nothing to draw)."""
    frequency = Frequency(frequency)
    shown = _since_break(sorted(_one_grain(points, frequency), key=lambda p: p.period_start))
    if not shown:
        return [], ""
    grain = shown[-1].grain
    if frequency is Frequency.SURVEY:
        kept = shown[-MIN_SPARK_POINTS:]
        span = kept[0].period.label if len(kept) == 1 else f"{kept[0].period.label}–{kept[-1].period.label}"
        return [p.value for p in kept], f"{len(kept)} {'mätning' if len(kept) == 1 else 'mätningar'}, {span}"
    count = max(PERIODS_PER_YEAR[grain] * SPARK_YEARS, MIN_SPARK_POINTS)
    grid = _on_grid(shown)
    if grain is Grain.WEEK:
        rolled = _rolling(grid[-(count + ROLLING_WEEKS - 1):], ROLLING_WEEKS, Aggregation(aggregation),
                          sensitive=sensitive)
        if not rolled:  # not yet a year of weeks
            return [], ""
        first = shown[-1].period.shift(1 - len(rolled))
        word = "summa" if Aggregation(aggregation) is Aggregation.SUM else "medelvärde"
        return rolled, f"{word} för 52 veckor, vecka för vecka från {first.label} till {shown[-1].period.label}"
    values = grid[-count:]
    first = shown[-1].period.shift(1 - len(values))
    return values, f"{first.label}–{shown[-1].period.label}"


def latest_period(points: Sequence[Point]) -> Period | None:
    """The period that reaches furthest (the finer one when two end on the same day), or None."""
    if not points:
        return None
    finest = {Grain.WEEK: 0, Grain.MONTH: 1, Grain.QUARTER: 2, Grain.TERTIAL: 3, Grain.YEAR: 4}
    return max((p.period for p in points), key=lambda period: (period.last_day, -finest[period.grain]))


def _goal_codes(indicators: pd.DataFrame) -> dict[str, list[str]]:
    """The indicator codes of every goal in a scope_indicators frame, in query order."""
    links = indicators.loc[indicators["goal_code"].notna()]
    return {str(goal): list(dict.fromkeys(codes)) for goal, codes in links.groupby("goal_code", sort=False)["code"]}


def _headline(code: str, catalogue: Mapping[str, Any], assessment: Assessment, points: Sequence[Point]) -> Headline:
    """The Headline of one indicator."""
    values, note = spark_values(points, Frequency(catalogue["frequency"]), Aggregation(catalogue["aggregation"]),
                                sensitive=bool(catalogue["sensitive"]))
    return Headline(code, str(catalogue["name"]), Unit(catalogue["unit"]), bool(catalogue["sensitive"]),
                    assessment, tuple(values), note)


def area_rows(overview: pd.DataFrame, status: state.ScopeStatus) -> list[AreaRow]:
    """The priority areas of goal_overview with their tiles, from a district's scope status."""
    codes_by_goal = _goal_codes(status.indicators)
    catalogue = {str(row["code"]): row for row in status.indicators.drop_duplicates("code").to_dict("records")}
    points = series.points_by_indicator(status.values)
    rows: list[AreaRow] = []
    for (area_code, area_number, area_name), goals in overview.groupby(
        ["priority_area_code", "priority_area_number", "priority_area"], sort=False
    ):
        tiles = []
        for goal in goals.to_dict("records"):
            code = str(goal["goal_code"])
            trend, rule = status.goals.get(code, (Trend.NO_DATA, NO_GOAL_INDICATORS))
            members = codes_by_goal.get(code, [])
            chosen = headline_code(members, status.assessments, trend)
            headline = None if chosen is None else _headline(
                chosen, catalogue[chosen], status.assessments[chosen], points.get(chosen, [])
            )
            member_points = [p for member in members for p in points.get(member, [])]
            tiles.append(GoalTile(code, int(area_number), int(goal["goal_number"]), str(goal["goal"]),
                                  goal["goal_scope"] == GoalScope.LOCAL, trend, rule, len(members), headline,
                                  latest_period(member_points)))
        area_trend, area_rule = status.areas.get(str(area_code), (Trend.NO_DATA, "Inga mål att väga samman."))
        rows.append(AreaRow(str(area_code), int(area_number), str(area_name), area_trend, area_rule, tuple(tiles)))
    return sorted(rows, key=lambda row: row.number)


@st.cache_data(show_spinner=False, max_entries=50)
def _cached_rows(path: str, version: str, district: str, name: str) -> list[AreaRow]:
    """area_rows for a district at a data version."""
    overview = state.query("goal_overview", district=district)
    return area_rows(overview, state.scope_status(district, "", scope_name=name))


def district_rows(district: str, name: str) -> list[AreaRow]:
    """The priority areas and goal tiles of a district (code '' for none), cached until new data is loaded."""
    return _cached_rows(*state.cache_key(district, name))


def change_line(assessment: Assessment) -> str:
    """'−29 % mot v. 44 2023–v. 43 2024', or why there is no change to show."""
    if assessment.change_text:
        return f"{assessment.change_text} mot {assessment.previous_label}"
    if assessment.suppressed:
        return "Förändringen visas inte (små tal)"
    if assessment.current_label:
        return "Ingen jämförelse"
    return "Inga värden"


# --- drawing --------------------------------------------------------------------------------------


def page_intro() -> None:
    """The caption under the title and the link to the status rules."""
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(
        "Varje mål får sin status från sina nyckeltal. Rutan visar ett av dem: senaste värdet, förändringen "
        "mot jämförelseperioden och trenden. Håll muspekaren över frågetecknen för regel och förklaring."
    )
    with right:
        components.status_help_link()


def area_header(area: AreaRow) -> None:
    """The area's heading with its rolled-up status (icon, word, colour) and the rule on hover."""
    status = components.status_markdown(area.status)
    st.header(f"{components.plain(area.label)}&ensp;{status}", divider="gray", anchor=False,
              help=components.plain(f"Området sammantaget: {area.rule}"))


def spark_figure(headline: Headline) -> go.Figure:
    """The headline's sparkline, the latest point in the headline's status colour."""
    colour = DISPLAY[headline.assessment.trend].colour
    return charts.sparkline(list(headline.spark), unit=headline.unit, sensitive=headline.sensitive, colour=colour,
                            height=SPARK_HEIGHT, width=None)


@st.cache_resource(show_spinner=False, max_entries=500)
def _cached_spark(path: str, version: str, district: str, goal: str, _headline: Headline) -> go.Figure:
    """A tile's sparkline, built once per goal and data version (a figure costs a few ms; never mutated)."""
    return spark_figure(_headline)


def _spark(tile: GoalTile, district: str) -> None:
    """Draw a tile's sparkline."""
    assert tile.headline is not None
    fig = _cached_spark(*state.cache_key(district, tile.code, tile.headline))
    st.plotly_chart(fig, theme=None, width="stretch", height=SPARK_HEIGHT,
                    config={"displayModeBar": False, "staticPlot": True})


def _help(headline: Headline) -> str:
    """The sentence behind a key figure, what the sparkline shows and, if sensitive, the small-numbers rule."""
    parts = [headline.assessment.explanation]
    if headline.assessment.target_explanation:
        parts.append(headline.assessment.target_explanation)
    if headline.spark_note:
        parts.append(f"Trendkurvan: {headline.spark_note}.")
    if headline.sensitive:
        parts.append(fmt.SUPPRESSION_NOTE)
    return "\n\n".join(components.plain(part) for part in parts)


def _figure(tile: GoalTile, district: str) -> None:
    """The key figure, its sparkline, its indicator and period, its change, and the sentence on hover."""
    headline = tile.headline
    assert headline is not None
    shown = headline.assessment
    if not shown.current_label:  # no value at all: a big dash would say nothing
        st.markdown(f"{components.plain(headline.name)}: inga värden än.", help=_help(headline))
        return
    # a level-2 heading: big enough to read from the back of the room, and in order after the status (h3)
    st.markdown(f"## {components.plain(shown.current_text)}", anchors=False)
    if headline.drawable:
        _spark(tile, district)
    with st.container(gap=None):
        when = components.nowrap(components.plain(shown.current_label))
        st.markdown(f"{components.plain(headline.name)} · {when}", help=_help(headline))
        aim = f" · mot mål {components.status_markdown(shown.target_status)}" if shown.target_status else ""
        st.markdown(f"**{components.plain(change_line(shown))}**{aim}")


def goal_tile(tile: GoalTile, district: str, district_label: str, area_label_text: str) -> None:
    """One goal: number and text, status, key figure with change and sparkline, latest data, link."""
    st.markdown(f"**{tile.label}** {components.plain(tile.text)}")
    st.markdown(f"### {components.status_markdown(tile.status)}", help=components.plain(tile.rule), anchors=False)
    if tile.headline is None:
        st.markdown("Inga nyckeltal för målet här.")
    else:
        _figure(tile, district)
    facts = [f"{tile.indicators}\u00a0nyckeltal"]
    facts.append(f"senaste data {components.nowrap(tile.latest.label)}" if tile.latest else "ingen data än")
    if tile.local:
        facts.append("lokalt mål")
    st.caption(" · ".join(facts))
    st.page_link(AREA_PAGE, label="Visa området", icon=":material/arrow_forward:",
                 query_params=scope.query_string({scope.AREA_KEY: area_label_text,
                                                  components.DISTRICT_KEY: district_label}))


def goal_grid(area: AreaRow, district: str, district_label: str) -> None:
    """The area's goal tiles, TILES_PER_ROW to a row, each in a bordered box of the row's height."""
    tiles = list(area.tiles)
    for start in range(0, len(tiles), TILES_PER_ROW):
        for column, tile in zip(st.columns(TILES_PER_ROW), tiles[start : start + TILES_PER_ROW], strict=False):
            with column.container(border=True, height="stretch", gap="xsmall"):
                goal_tile(tile, district, district_label, area.label)
