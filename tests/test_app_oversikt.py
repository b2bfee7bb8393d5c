"""Översikt (views/oversikt.py, webapp/oversikt.py): the goal tiles' pure parts, and the page in AppTest.

The page tests read what a reader sees: per goal tile its status word, key figure, change and
sparkline; per priority area its rolled-up status. Numbers are checked against counts made here with
plain SQL on the database, not against the status engine that produced them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import insert
from followup import fmt, status
from followup.model import Aggregation, Frequency, Grain
from followup.periods import Period
from followup.status import Assessment, Comparison, Point, Trend
from webapp import oversikt

APP = "../dashboard.py"  # AppTest.from_file resolves paths relative to this file
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HV = "Hässelby-Vällingby"

AREAS = [
    "Unga i riskzon för destruktivt beteende",
    "Otrygga och brottsutsatta platser",
    "Systemhotande brottslighet",
    "Särskilt utsatta och sårbara brottsoffer",
    "Kriminella miljöer och livsstilar",
]
"""The agreement's five priority areas, word for word."""

CITY_GOALS = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "5.1", "5.2"]

EST_CATEGORIES = {
    "EST: otrygg eller mörk plats": "otrygg-plats",
    "EST: misstänkt narkotikahantering": "narkotika",
    "EST: skadegörelse": "skadegorelse",
    "EST: klotter": "klotter",
    "EST: brand": "brand",
    "EST: nedskräpning": "nedskrapning",
    "EST: störande samling": "storande-samling",
}
"""The EST indicators' names (data/reference/indicator.csv) and the event category each one counts."""

WORDS = {shown.word: value for value, shown in status.DISPLAY.items()}


# --- helpers ---------------------------------------------------------------------------------------


pytestmark = pytest.mark.usefixtures("fresh_caches")


def run_page(omrade: str | None = None) -> AppTest:
    """Run the app (Översikt is its default page), with ?omrade= when given."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if omrade is not None:
        at.query_params["omrade"] = omrade
    return at.run()


def shown(text: str) -> str:
    """Markdown as the reader sees it: escapes removed, no-break spaces and &ensp; as spaces."""
    return text.replace("\\", "").replace("\u00a0", " ").replace("&ensp;", " ")


def status_words(text: str) -> list[str]:
    """The status words in a piece of markdown (from status_markdown: ':colour-background[**icon word**]')."""
    return [word for word in WORDS if re.search(rf"\*\*\S {re.escape(word)}\*\*", shown(text))]


@dataclass
class Tile:
    """What one goal tile shows, in order."""

    label: str
    texts: list[str] = field(default_factory=list)
    helps: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    links: list[Any] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The goal's status word (the first status on the tile)."""
        return status_words(self.texts[1])[0]

    @property
    def figure(self) -> str | None:
        """The key figure ('## 347'), or None when the tile has none."""
        big = [t for t in self.texts if t.startswith("## ")]
        return big[0].removeprefix("## ") if big else None

    @property
    def text(self) -> str:
        """Everything the tile says, one element per line."""
        return "\n".join(self.texts)


def _walk(node: Any) -> Iterator[Any]:
    """The element tree in document order."""
    yield node
    children = getattr(node, "children", None)
    for key in sorted(children or {}):
        yield from _walk(children[key])


GOAL_LINE = re.compile(r"^\*\*(\d+\.\d+)\*\* ")


def tiles(at: AppTest) -> dict[str, Tile]:
    """The goal tiles by goal number ('2.2'): everything from a goal's first line to the next goal."""
    result: dict[str, Tile] = {}
    current: Tile | None = None
    for node in _walk(at.main):
        if node.type == "header":
            current = None
        elif node.type in ("markdown", "caption"):
            match = GOAL_LINE.match(node.value)
            if match:
                current = result.setdefault(match.group(1), Tile(match.group(1)))
            if current is not None:
                current.texts.append(shown(node.value))
                current.helps.append(shown(node.proto.help))
        elif current is not None and node.type == "plotly_chart":
            current.charts.append(json.loads(node.proto.spec))
        elif current is not None and node.type == "page_link":
            current.links.append(node)
    return result


def area_statuses(at: AppTest) -> dict[str, str]:
    """Each priority area's heading label ('2. Otrygga …') and its status word."""
    result = {}
    for header in at.header:
        label, _, rest = header.value.partition("&ensp;")
        result[shown(label)] = status_words(rest)[0]
    return result


def last_complete_week(con: duckdb.DuckDBPyConnection) -> date:
    """The Monday of the last complete week: the latest week whose Sunday is on or before the latest report."""
    latest: datetime = con.execute("select max(occurred_at) from event").fetchone()[0]
    after = latest.date() + timedelta(days=1)
    return after - timedelta(days=after.weekday() + 7)


def est_count(con: duckdb.DuckDBPyConnection, district: str, category: str, first: date, end: date) -> int:
    """EST reports of a category in a district from `first` up to (not including) `end`."""
    row = con.execute(
        "select count(*) from event where district = $d and category = $c and occurred_at >= $a and occurred_at < $b",
        {"d": district, "c": category, "a": first, "b": end},
    ).fetchone()
    return int(row[0])


def add_observation(con: duckdb.DuckDBPyConnection, **row: object) -> None:
    """Insert one observation with defaults for the columns a test does not care about."""
    defaults = {"indicator": "anmalda-brott-omrade", "unit": "antal", "district": "hasselby-vallingby",
                "place": None, "period_start": date(2025, 10, 1), "grain": "month", "value": 12.0}
    insert(con, "observation", defaults | row)


def chart_values(chart: dict[str, Any]) -> list[float | None]:
    """The y values of a sparkline's line (its first trace)."""
    return chart["data"][0]["y"]


# --- pure parts -------------------------------------------------------------------------------------


def week(n: int) -> date:
    """The Monday of week n after the first week of 2024 (n = 0 is 2024-01-01)."""
    return date(2024, 1, 1) + timedelta(weeks=n)


def month(year: int, number: int) -> date:
    """The first day of a month."""
    return date(year, number, 1)


def assessment(trend: Trend, **fields: Any) -> Assessment:
    """An Assessment with the fields a test cares about."""
    return Assessment("Nyckeltal", trend, "Förklaring.", Comparison.SAME_PERIOD_LAST_YEAR, **fields)


@pytest.mark.parametrize(
    ("trends", "goal", "expected"),
    [
        ({"a": Trend.UNCHANGED, "b": Trend.IMPROVING, "c": Trend.IMPROVING}, Trend.IMPROVING, "b"),
        ({"a": Trend.NO_DATA, "b": Trend.WORSENING}, Trend.WORSENING, "b"),
        ({"a": Trend.UNCHANGED, "b": Trend.UNCHANGED}, Trend.UNCHANGED, "a"),
        # a tie (one up, one down) rolls up to unchanged with no unchanged member: the first with a value
        ({"a": Trend.IMPROVING, "b": Trend.WORSENING}, Trend.UNCHANGED, "a"),
    ],
)
def test_headline_is_the_first_indicator_with_the_goals_status(
    trends: dict[str, Trend], goal: Trend, expected: str
) -> None:
    assessments = {code: assessment(trend, current_label="2025") for code, trend in trends.items()}
    assert oversikt.headline_code(list(trends), assessments, goal) == expected


def test_headline_without_judgement_is_the_first_with_a_value_else_the_first() -> None:
    assessments = {"a": assessment(Trend.NO_DATA), "b": assessment(Trend.NO_DATA, current_label="T2 2025")}
    assert oversikt.headline_code(["a", "b"], assessments, Trend.NO_DATA) == "b"
    assert oversikt.headline_code(["a"], assessments, Trend.NO_DATA) == "a"
    assert oversikt.headline_code(["unknown"], assessments, Trend.NO_DATA) is None
    assert oversikt.headline_code([], assessments, Trend.NO_DATA) is None


def test_weekly_sparkline_is_the_rolling_52_week_total_for_three_years() -> None:
    points = [Point(week(n), Grain.WEEK, float(n % 3)) for n in range(260)]
    values, note = oversikt.spark_values(points, Frequency.WEEK, Aggregation.SUM)
    assert len(values) == 156
    assert values[-1] == sum(n % 3 for n in range(208, 260))
    assert values[0] == sum(n % 3 for n in range(53, 105))
    assert "summa för 52 veckor" in note and note.endswith("till v. 51 2028")


def test_weekly_sparkline_has_a_gap_while_a_week_is_missing_and_a_mean_for_means() -> None:
    points = [Point(week(n), Grain.WEEK, 2.0) for n in range(120) if n != 100]
    values, note = oversikt.spark_values(points, Frequency.WEEK, Aggregation.MEAN)
    assert len(values) == 120 - 51  # as many full windows as there are
    # the windows that hold week 100 (window ends 100 … 119) have no value
    assert values[-20:] == [None] * 20
    assert values[-21] == 2.0
    assert "medelvärde" in note


def test_monthly_sparkline_is_the_last_three_years_with_gaps_for_missing_months() -> None:
    points = [Point(month(year, m), Grain.MONTH, float(year * 100 + m)) for year in range(2020, 2026)
              for m in range(1, 13) if (year, m) != (2024, 5)]
    values, note = oversikt.spark_values(points, Frequency.MONTH, Aggregation.SUM)
    assert len(values) == 36
    assert values[0] == 202301.0 and values[-1] == 202512.0
    assert values[16] is None  # May 2024
    assert note == "januari 2023–december 2025"


def test_sparkline_starts_at_the_latest_series_break() -> None:
    points = [Point(month(2024, m), Grain.MONTH, 10.0, series_break=m in (3, 7)) for m in range(1, 13)]
    values, note = oversikt.spark_values(points, Frequency.MONTH, Aggregation.SUM)
    assert len(values) == 6
    assert note == "juli 2024–december 2024"


def test_survey_sparkline_shows_the_measurements_one_after_the_other() -> None:
    points = [Point(date(year, 1, 1), Grain.YEAR, 20.0 + year - 2010, n=800) for year in range(2010, 2025, 2)]
    values, note = oversikt.spark_values(points, Frequency.SURVEY, Aggregation.MEAN)
    assert values == [24.0, 26.0, 28.0, 30.0, 32.0, 34.0]  # the last six, no gaps between surveys
    assert note == "6 mätningar, 2014–2024"


def test_yearly_sparkline_keeps_at_least_six_years() -> None:
    points = [Point(date(year, 1, 1), Grain.YEAR, float(year)) for year in range(2015, 2026)]
    values, _ = oversikt.spark_values(points, Frequency.YEAR, Aggregation.SUM)
    assert values == [float(year) for year in range(2020, 2026)]


def test_sparkline_of_no_points_or_less_than_a_year_of_weeks_is_empty() -> None:
    assert oversikt.spark_values([], Frequency.MONTH, Aggregation.SUM) == ([], "")
    weeks = [Point(week(n), Grain.WEEK, 3.0) for n in range(51)]
    assert oversikt.spark_values(weeks, Frequency.WEEK, Aggregation.SUM) == ([], "")


def test_a_single_survey_is_one_measurement() -> None:
    values, note = oversikt.spark_values([Point(date(2024, 1, 1), Grain.YEAR, 20.0)], Frequency.SURVEY, Aggregation.MEAN)
    assert (values, note) == ([20.0], "1 mätning, 2024")


def test_mixed_grains_keep_the_indicators_own_grain() -> None:
    points = [Point(month(2025, m), Grain.MONTH, 1.0) for m in range(1, 7)] + [Point(date(2025, 1, 1), Grain.YEAR, 9.0)]
    values, _ = oversikt.spark_values(points, Frequency.MONTH, Aggregation.SUM)
    assert values == [1.0] * 6


def test_latest_period_reaches_furthest_and_prefers_the_finer_grain() -> None:
    points = [Point(date(2025, 5, 1), Grain.TERTIAL, 1.0), Point(date(2025, 8, 1), Grain.MONTH, 1.0),
              Point(date(2024, 1, 1), Grain.YEAR, 1.0)]
    assert oversikt.latest_period(points) == Period(date(2025, 8, 1), Grain.MONTH)
    assert oversikt.latest_period([]) is None
    weeks = [Point(date(2025, 10, 20), Grain.WEEK, 1.0), Point(date(2025, 10, 1), Grain.MONTH, 1.0)]
    assert oversikt.latest_period(weeks) == Period(date(2025, 10, 1), Grain.MONTH)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"change_text": "−29 %", "previous_label": "T2 2024", "current_label": "T2 2025"}, "−29 % mot T2 2024"),
        ({"suppressed": True, "current_label": "2024"}, "Förändringen visas inte (små tal)"),
        ({"current_label": "T2 2025"}, "Ingen jämförelse"),
        ({}, "Inga värden"),
    ],
)
def test_change_line(fields: dict[str, Any], expected: str) -> None:
    assert oversikt.change_line(assessment(Trend.UNCHANGED, **fields)) == expected


@pytest.mark.parametrize(
    ("spark", "sensitive", "drawable"),
    [((3.0, 12.0), False, True), ((3.0, 12.0), True, False), ((None, 12.0, 8.0), True, True), ((5.0,), False, False)],
)
def test_a_sparkline_is_drawn_only_with_two_values_that_may_be_shown(
    spark: tuple[float | None, ...], sensitive: bool, drawable: bool
) -> None:
    headline = oversikt.Headline("x", "X", "antal", sensitive, assessment(Trend.UNCHANGED), spark, "")
    assert headline.drawable is drawable


# --- the page in AppTest ----------------------------------------------------------------------------


def test_demo_hasselby_vallingby_shows_every_goal_with_its_status(app_db_file: Path) -> None:
    at = run_page()
    assert not at.exception
    assert shown(at.title[0].value) == f"Översikt – {HV}"
    areas = area_statuses(at)
    assert list(areas) == [f"{n}. {name}" for n, name in enumerate(AREAS, start=1)]
    shown_tiles = tiles(at)
    assert list(shown_tiles) == CITY_GOALS
    # the demo's scenarios (followup/demo.py SCENARIOS) for Hässelby-Vällingby:
    assert shown_tiles["2.2"].status == "Förbättras"  # est-narkotika falls after platssamverkan
    assert shown_tiles["4.2"].status == "Försämras"  # phone fraud against the elderly rises
    assert shown_tiles["3.1"].status == "Ingen bedömning"  # welfare-crime reports missing for T2–T3 2024
    assert areas["4. Särskilt utsatta och sårbara brottsoffer"] == "Försämras"
    assert areas["2. Otrygga och brottsutsatta platser"] == "Förbättras"
    # never colour alone: every status has its icon and word
    for tile in shown_tiles.values():
        assert tile.status in WORDS


def test_demo_key_figures_are_the_counts_in_the_database(app_db_file: Path, demo_db_path: Path) -> None:
    at = run_page()
    shown_tiles = tiles(at)
    con = duckdb.connect(str(demo_db_path), read_only=True)  # the copy's original
    try:
        first = last_complete_week(con) - timedelta(weeks=51)  # the latest 52 weeks …
        end = first + timedelta(weeks=52)
        current = est_count(con, "hasselby-vallingby", "narkotika", first, end)
        previous = est_count(con, "hasselby-vallingby", "narkotika", first - timedelta(weeks=52), first)  # … and the 52 before
        fraud = dict(con.execute(
            "select period_start, value from observation where indicator = 'bedragerier-aldre' "
            "and district = 'hasselby-vallingby' and place is null and period_start in ('2024-09-01', '2025-09-01')"
        ).fetchall())
    finally:
        con.close()
    narcotics = shown_tiles["2.2"]
    assert narcotics.figure == shown(fmt.number(current))
    assert "EST: misstänkt narkotikahantering" in narcotics.text
    assert shown(f"{fmt.change((current - previous) / previous)} mot") in narcotics.text
    fraud_tile = shown_tiles["4.2"]
    assert fraud_tile.figure == shown(fmt.number(fraud[date(2025, 9, 1)]))
    assert "Anmälda bedrägerier mot äldre · september 2025" in fraud_tile.text
    change = shown(f"{fmt.change(fraud[date(2025, 9, 1)] / fraud[date(2024, 9, 1)] - 1)} mot september 2024")
    (line,) = [text for text in fraud_tile.texts if change in text]
    assert "mot mål" in line and status_words(line) == ["Efter plan"]  # the demo's off-track target (TARGETS)
    # the sentence with the numbers is there on hover
    assert any("större än slumpvariationen" in help_text for help_text in narcotics.helps)


@pytest.mark.parametrize("district", ["hasselby-vallingby", "bromma"])
def test_est_key_figures_count_the_last_52_weeks_of_reports(
    app_db_file: Path, demo_db_path: Path, district: str
) -> None:
    names = {"hasselby-vallingby": HV, "bromma": "Bromma"}
    at = run_page(omrade=names[district])
    assert not at.exception
    assert shown(at.title[0].value) == f"Översikt – {names[district]}"
    con = duckdb.connect(str(demo_db_path), read_only=True)  # the copy's original
    checked = 0
    try:
        first = last_complete_week(con) - timedelta(weeks=51)
        for tile in tiles(at).values():
            for name, category in EST_CATEGORIES.items():
                if f"{name} · " in tile.text:
                    count = est_count(con, district, category, first, first + timedelta(weeks=52))
                    assert tile.figure == shown(fmt.number(count)), name
                    checked += 1
    finally:
        con.close()
    assert checked >= 1  # at least one goal is headed by an EST count


@pytest.mark.parametrize("omrade", [None, "Bromma"])
def test_one_sparkline_per_tile_with_values_that_may_be_shown(demo_db_copy: Path, omrade: str | None) -> None:
    at = run_page(omrade=omrade)
    shown_tiles = tiles(at)
    with_figure = [tile for tile in shown_tiles.values() if tile.figure not in (None, fmt.SUPPRESSED)]
    assert len(at.get("plotly_chart")) == sum(len(tile.charts) for tile in shown_tiles.values())
    assert all(len(tile.charts) == 1 for tile in with_figure)
    for tile in shown_tiles.values():
        for chart in tile.charts:
            assert sum(value is not None for value in chart_values(chart)) >= 2
            assert chart["layout"]["meta"]["alt"].startswith("Trendkurva")


def test_tiles_link_to_their_area_in_the_district(demo_db_copy: Path) -> None:
    at = run_page()
    labels = list(area_statuses(at))
    for goal, tile in tiles(at).items():
        (link,) = tile.links
        assert link.proto.page == "omrade"
        params = parse_qs(link.proto.query_string)
        assert params == {"prio": [labels[int(goal.split(".")[0]) - 1]], "omrade": [HV]}
    help_links = [link for link in at.get("page_link") if link.proto.label == "Hur räknas status?"]
    assert len(help_links) == 1


def test_a_tiles_link_opens_its_area_on_the_area_page(demo_db_copy: Path) -> None:
    at = run_page()
    link = tiles(at)["4.2"].links[0]
    at.query_params.clear()
    for key, values in parse_qs(link.proto.query_string).items():
        at.query_params[key] = values[0]
    at.switch_page("views/omrade.py").run()
    assert not at.exception
    assert shown(at.title[0].value) == f"4. Särskilt utsatta och sårbara brottsoffer – {HV}"
    assert not [info.value for info in at.info if "Adressen anger" in info.value]


def test_area_and_goal_statuses_explain_their_rule_on_hover(demo_db_copy: Path) -> None:
    at = run_page()
    for header in at.header:
        assert re.search(r"av \d+ mål: \w+", shown(header.proto.help)), header.proto.help
    tile = tiles(at)["2.2"]
    # EST drug reports improve; the other seven (Brå's two counts and the city's Kolada rate among them) are
    # unchanged
    assert "1 förbättras, 7 oförändrade av 8 nyckeltal: förbättras, eftersom fler förbättras än försämras." in tile.helps[1]


def test_reference_database_without_values_says_no_judgement_everywhere(reference_db_copy: Path) -> None:
    at = run_page()
    assert not at.exception
    assert not at.main.warning  # no demo flag, no demo notice
    assert set(area_statuses(at).values()) == {"Ingen bedömning"}
    shown_tiles = tiles(at)
    assert list(shown_tiles) == CITY_GOALS
    for tile in shown_tiles.values():
        assert tile.status == "Ingen bedömning"
        assert tile.figure is None and not tile.charts
        assert "inga värden än" in tile.text and "nyckeltal · ingen data än" in tile.text
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("omrade", ["garbage", "<script>alert(1)</script>", "bromma "])
def test_garbage_omrade_shows_the_default_district(demo_db_copy: Path, omrade: str) -> None:
    at = run_page(omrade=omrade)
    assert not at.exception
    assert shown(at.title[0].value) == f"Översikt – {HV}"
    assert any("stadsdelsområde" in info.value for info in at.info)
    assert tiles(at)["2.2"].status == "Förbättras"


def test_sensitive_counts_1_to_4_never_show(reference_db_copy: Path) -> None:
    con = duckdb.connect(str(reference_db_copy))
    for year, value in [(2019, 8), (2020, 9), (2021, 3), (2022, 12), (2023, 6), (2024, 2)]:
        add_observation(con, indicator="oro-radikalisering", period_start=date(year, 1, 1), grain="year",
                        value=float(value))
    con.close()
    tile = tiles(run_page())["5.1"]  # oro-radikalisering is sensitive (indicator.csv)
    assert tile.figure == "1–4"
    assert "Förändringen visas inte (små tal)" in tile.text
    assert any(fmt.SUPPRESSION_NOTE in help_text for help_text in tile.helps)
    (chart,) = tile.charts
    assert chart_values(chart) == [8, 9, None, 12, 6, None]
    (sentence,) = [help_text for help_text in tile.helps if help_text.startswith("Ärenden om oro")]
    assert "1–4 år 2024 mot 6 år 2023" in sentence
    assert not re.search(r"\b[1-4]\b", sentence.replace("1–4", ""))


def test_series_break_leaves_the_goal_without_judgement_and_cuts_the_sparkline(reference_db_copy: Path) -> None:
    con = duckdb.connect(str(reference_db_copy))
    for index in range(33):  # January 2023 – September 2025, a new definition from March 2025
        start = month(2023 + index // 12, index % 12 + 1)
        add_observation(con, indicator="bedragerier-aldre", period_start=start, value=20.0 + index,
                        series_break=start == date(2025, 3, 1))
    con.close()
    tile = tiles(run_page())["4.2"]
    assert tile.status == "Ingen bedömning"
    assert tile.figure == "52"
    assert "Ingen jämförelse" in tile.text
    assert any("serien bryts mars 2025" in help_text for help_text in tile.helps)
    (chart,) = tile.charts
    assert chart_values(chart) == [float(v) for v in range(46, 53)]  # March–September 2025


def test_goal_shows_indicator_count_and_latest_period(reference_db_copy: Path) -> None:
    con = duckdb.connect(str(reference_db_copy))
    add_observation(con, period_start=date(2025, 9, 1))
    add_observation(con, period_start=date(2025, 10, 1))
    add_observation(con, district="bromma", period_start=date(2025, 11, 1))  # another district's value
    con.close()
    shown_tiles = tiles(run_page())
    # goal 2.2 follows anmalda-brott-omrade, four EST counts, the two Brå counts and the city's Kolada rate
    # in a district (the place count has no whole-district values here, so it is not part of the district's
    # view; the city-level rate is)
    assert "8 nyckeltal · senaste data oktober 2025" in shown_tiles["2.2"].text
    assert shown_tiles["2.2"].figure == "12"
    assert "nyckeltal · ingen data än" in shown_tiles["2.1"].text


def test_new_load_shows_without_restart(reference_db_copy: Path) -> None:
    from webapp import state

    at = run_page()
    assert "oktober 2025" not in tiles(at)["2.2"].text
    con = state.connection(str(state.database_path()))  # the app's own connection: one writer
    cursor = con.cursor()
    insert(cursor, "import_log", {"id": 1, "kind": "observations", "file_name": "polisen.xlsx",
                                  "checksum": "abc", "user_name": "test"})
    add_observation(cursor, load_id=1)
    cursor.close()
    assert "senaste data oktober 2025" in tiles(at.run())["2.2"].text


def test_local_goals_show_only_for_their_district(reference_db_copy: Path) -> None:
    con = duckdb.connect(str(reference_db_copy))
    insert(con, "goal", {"code": "bromma-1", "priority_area": "otrygga-platser", "number": 4,
                         "text": "Färre bränder i Brommaplans parkeringshus.", "scope": "local",
                         "district": "bromma"})
    con.close()
    local = tiles(run_page(omrade="Bromma"))["2.4"]
    assert local.texts[0] == "**2.4** Färre bränder i Brommaplans parkeringshus."
    assert local.status == "Ingen bedömning"
    assert "Inga nyckeltal för målet här." in local.text and "lokalt mål" in local.text
    st.cache_data.clear()
    assert "2.4" not in tiles(run_page())


def test_user_text_is_shown_as_written(reference_db_copy: Path) -> None:
    con = duckdb.connect(str(reference_db_copy))
    insert(con, "goal", {"code": "hv-1", "priority_area": "otrygga-platser", "number": 4,
                         "text": "Färre *bränder* :red[här] $x$ <b>nu</b>", "scope": "local",
                         "district": "hasselby-vallingby"})
    con.close()
    at = run_page()
    line = next(m.value for m in at.markdown if "bränder" in m.value)
    assert line == "**2.4** Färre \\*bränder\\* \\:red\\[här\\] \\$x\\$ \\<b\\>nu\\</b\\>"
