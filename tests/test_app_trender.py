"""Trender (views/trender.py, webapp/trender.py): the page's pure parts, and the page in AppTest.

The page tests read what a reader sees: the pickers' values, notices, the chart's title, traces and footer,
and the table of numbers behind the chart. Expected numbers are counted here with plain SQL on the
database, not taken from followup.trends, which produced them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import backends
from conftest import insert
from followup import charts, fmt
from followup.model import Aggregation, Frequency, Grain, Level, Unit
from followup.periods import Period
from followup.trends import TrendPoint
from webapp import trender
from webapp.trender import Choice, Indicator, Scope, SeriesResult
from tests.app_support import shown

APP = "../dashboard.py"  # AppTest.from_file resolves paths relative to this file
PAGE = "views/trender.py"
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HV = "Hässelby-Vällingby"
SENSITIVE = "5.2 Personer i avhopparverksamhet"
"""A sensitive count with many values 1–4 in Bromma and Farsta in the demo."""


pytestmark = pytest.mark.usefixtures("fresh_caches")


# --- helpers ---------------------------------------------------------------------------------------------


def run_page(params: dict[str, str | list[str]] | None = None) -> AppTest:
    """Run the app, then switch to Trender with the given URL query parameters."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def notices(at: AppTest) -> list[str]:
    """The page's info boxes as shown."""
    return [shown(info.value) for info in at.info]


def captions(at: AppTest) -> str:
    """All captions, one per line."""
    return "\n".join(shown(c.value) for c in at.caption)


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The Plotly figures on the page, as the JSON sent to the browser."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def the_figure(at: AppTest) -> dict[str, Any]:
    """The page's one figure."""
    (figure,) = figures(at)
    return figure


def title_of(figure: dict[str, Any]) -> tuple[str, str]:
    """The figure's title and subtitle as shown."""
    title = figure["layout"]["title"]
    return shown(title["text"]), shown(title.get("subtitle", {}).get("text", ""))


def footer(figure: dict[str, Any]) -> str:
    """The source and notes line at the bottom of the figure."""
    texts = [a["text"] for a in figure["layout"].get("annotations", []) if a.get("name") == "footer"]
    return shown(texts[0]) if texts else ""


def traces(figure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The figure's traces by name."""
    return {trace["name"]: trace for trace in figure["data"]}


def numbers_in(figure: dict[str, Any]) -> list[float]:
    """Every y value in the figure's traces (gaps left out)."""
    return [y for trace in figure["data"] for y in trace.get("y") or [] if isinstance(y, (int, float))]


def table(at: AppTest) -> pd.DataFrame:
    """The numbers behind the chart."""
    (frame,) = [d.value for d in at.dataframe]
    return frame


def demo_value(path: Path, indicator: str, district: str, start: date) -> float:
    """One stored whole-district value, read with plain SQL (from the session's demo file: the app holds the copy)."""
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(
            "select value from observation where indicator = $i and district = $d and place is null "
            "and period_start = $s",
            {"i": indicator, "d": district, "s": start},
        ).fetchone()
    assert row is not None
    return float(row[0])


# --- the page --------------------------------------------------------------------------------------------


def test_default_view_shows_the_sidebar_district(app_db_file: Path, demo_db_path: Path) -> None:
    at = run_page()
    assert [t.value for t in at.title] == ["Trender"]
    assert at.selectbox(key="indikator").value == "anmalda-brott-omrade"
    assert at.multiselect(key=trender.DISTRICTS_KEY).value == ["hasselby-vallingby"]
    assert at.multiselect(key="platser").value == []
    figure = the_figure(at)
    assert title_of(figure) == ("Anmälda brott i stadsdelsområdet", "Per månad")
    assert "Källa: Brå · data t.o.m. sep 2025 · Exempeldata – påhittade siffror" in footer(figure)
    assert list(traces(figure)) == [HV]
    rows = table(at)
    assert list(rows.columns) == ["Område/plats", "Period", "Värde", "Anmärkning"]
    september = rows.loc[rows["Period"] == "september 2025"].iloc[0]
    expected = demo_value(demo_db_path, "anmalda-brott-omrade", "hasselby-vallingby", date(2025, 9, 1))
    assert september["Värde"] == fmt.number(expected)
    assert september["Anmärkning"] == "preliminärt"
    assert rows["Period"].iloc[0] == "januari 2023"
    assert notices(at) == []


def test_url_restores_indicator_scopes_grain_and_options(demo_db_copy: Path) -> None:
    params = {
        "indikator": "2.2 EST: klotter",
        "omraden": ["Bromma", "Stockholms stad"],
        "platser": "Hässelby torg (Hässelby-Vällingby)",
        "niva": "Tertial",
        "fran": "mars 2024",
        "till": "juni 2025",
        "glidande": "3 perioder",
        "fjol": "true",
    }
    at = run_page(params)
    assert at.selectbox(key="indikator").value == "est-klotter"
    assert at.multiselect(key=trender.DISTRICTS_KEY).value == ["bromma", "stockholm"]
    assert at.multiselect(key="platser").value == ["hasselby-torg"]
    assert at.segmented_control(key="niva").value == "tertial"
    assert at.selectbox(key=trender.ROLLING_KEY).value == "3"
    assert at.toggle(key=trender.LAST_YEAR_KEY).value is True
    assert at.toggle(key=trender.PER_1000_KEY).value is False
    figure = the_figure(at)
    assert title_of(figure) == ("EST: klotter", "Per tertial · glidande medelvärde 3 perioder")
    assert {"Bromma", "Hässelby torg (Hässelby-Vällingby)", trender.LAST_YEAR_NAME} <= set(traces(figure))
    rows = table(at)
    assert list(rows.columns) == ["Område/plats", "Period", "Värde", "Glidande medelvärde",
                                  "Samma period förra året", "Anmärkning"]
    assert rows.loc[rows["Område/plats"] == "Bromma", "Period"].tolist() == ["T1 2024", "T2 2024", "T3 2024",
                                                                            "T1 2025", "T2 2025"]
    assert "Hela perioder visas: jan 2024–aug 2025." in captions(at)
    # the city has no EST reports of its own: it is named, not drawn as zeros
    assert any("Inga värden för Stockholms stad under vald period." in n for n in notices(at))
    assert not any("Adressen anger" in n for n in notices(at))


def test_event_counts_match_the_events_and_the_running_month_is_incomplete(
    app_db: Path | str, demo_db_path: Path
) -> None:
    at = run_page({"indikator": "2.2 EST: klotter", "platser": "Hässelby torg (Hässelby-Vällingby)",
                   "omraden": "Bromma", "fran": "januari 2025", "till": "oktober 2025", "niva": "Månad"})
    with duckdb.connect(str(demo_db_path), read_only=True) as con:
        (march,) = con.execute(
            "select count(*) from event where category = 'klotter' and place = 'hasselby-torg' "
            "and occurred_at >= date '2025-03-01' and occurred_at < date '2025-04-01'"
        ).fetchone()
    rows = table(at).set_index(["Område/plats", "Period"])
    assert rows.loc[("Hässelby torg (Hässelby-Vällingby)", "mars 2025"), "Värde"] == fmt.number(march)
    october = rows.loc[("Hässelby torg (Hässelby-Vällingby)", "oktober 2025"), "Anmärkning"]
    assert october == "ofullständig: omfattar bara 1–26 okt 2025"
    figure = the_figure(at)
    assert trender.INCOMPLETE_NAME in traces(figure)
    assert "Ring: ofullständig period" in footer(figure)
    assert "data t.o.m. sep 2025" in footer(figure)


def test_rates_per_1000_name_the_population_year_and_leave_places_out(demo_db_copy: Path, demo_db_path: Path) -> None:
    at = run_page({"omraden": [HV, "Stockholms stad"], "platser": "Hässelby torg (Hässelby-Vällingby)",
                   "invanare": "true", "fran": "januari 2024", "till": "december 2024", "niva": "År"})
    figure = the_figure(at)
    assert title_of(figure)[1] == "Per år · per 1 000 invånare (befolkning 2024)"
    assert "Platser har ingen befolkning och visas inte per 1 000 invånare." in notices(at)
    assert set(traces(figure)) == {HV, "Stockholms stad"}
    with duckdb.connect(str(demo_db_path), read_only=True) as con:
        (crimes,) = con.execute(
            "select sum(value) from observation where indicator = 'anmalda-brott-omrade' "
            "and district = 'hasselby-vallingby' and place is null and year(period_start) = 2024"
        ).fetchone()
        (people,) = con.execute(
            "select value from population where district = 'hasselby-vallingby' and year = 2024"
        ).fetchone()
    rows = table(at).set_index(["Område/plats", "Period"])
    assert rows.loc[(HV, "2024"), "Per 1 000 invånare"] == fmt.number(crimes * 1000 / people, 1)


def test_rates_before_the_population_year_say_which_population_is_used(demo_db_copy: Path) -> None:
    at = run_page({"invanare": "true", "fran": "januari 2022", "niva": "År"})
    assert "Befolkning finns från 2024; tidigare perioder räknas med befolkningen 2024." in footer(the_figure(at))


GARBAGE = {
    "omraden": ["Atlantis", "Bromma"],
    "platser": "x'; drop table place; --",
    "niva": "Sekund",
    "fran": "2031-01",
    "glidande": "7 perioder",
    "fjol": "kanske",
    "invanare": "ja",
}
"""A bad value for every parameter but the indicator; each gets its own notice."""


@pytest.mark.parametrize("indicator", ["Nonsens", "<script>alert(1)</script>"])
def test_garbage_parameters_fall_back_with_a_notice(demo_db_copy: Path, indicator: str) -> None:
    at = run_page({"indikator": indicator, **GARBAGE})
    shown_notices = notices(at)
    for notice in [f"nyckeltal ` {indicator} `", "` Atlantis `", "drop table", "nivå ` Sekund `", "från ` 2031-01 `",
                   "` 7 perioder `", "förra årets linje ` kanske `", "per 1 000 invånare ` ja `"]:
        assert any(notice in n for n in shown_notices), (notice, shown_notices)
    assert at.selectbox(key="indikator").value == "anmalda-brott-omrade"
    assert at.multiselect(key=trender.DISTRICTS_KEY).value == ["bromma"]
    assert at.segmented_control(key="niva").value == "month"
    assert at.selectbox(key=trender.ROLLING_KEY).value == "0"
    assert at.toggle(key=trender.LAST_YEAR_KEY).value is False
    assert title_of(the_figure(at)) == ("Anmälda brott i stadsdelsområdet", "Per månad")


def test_a_grain_finer_than_the_indicator_falls_back_to_its_own(demo_db_copy: Path) -> None:
    at = run_page({"indikator": SENSITIVE, "niva": "Vecka"})
    assert at.segmented_control(key="niva").value == "tertial"
    assert [o for o in at.segmented_control(key="niva").options] == ["Tertial", "År"]


def test_an_indicator_without_data(app_db_copy: Path | str) -> None:
    with backends.writing(app_db_copy) as con:
        insert(con, "indicator", {"code": "ny-enkat", "name": "Ny trygghetsfråga", "unit": "andel",
                                  "direction": "higher_is_better", "source": "Ny enkät", "frequency": "year",
                                  "aggregation": "mean", "level": "district"})
    at = run_page({"indikator": "Ny trygghetsfråga", "omraden": [HV, "Bromma"]})
    assert at.selectbox(key="indikator").value == "ny-enkat"
    assert f"Inga värden för {HV}, Bromma under vald period." in notices(at)
    figure = the_figure(at)
    assert any(a["text"] == "Inga värden att visa för det här urvalet" for a in figure["layout"]["annotations"])
    assert numbers_in(figure) == []


def test_a_place_indicator_for_a_district_says_to_pick_places(demo_db_copy: Path) -> None:
    at = run_page({"indikator": "2.2 Anmälda brott på platsen"})
    assert f"Inga värden för {HV} under vald period. Nyckeltalet mäts per plats: välj platser." in notices(at)


def test_a_series_break_is_marked_and_not_averaged_across(demo_db_copy: Path) -> None:
    """Maltesholmstorget's crime series is redefined from January 2025 in the demo."""
    at = run_page({"indikator": "2.2 Anmälda brott på platsen", "omraden": [],
                   "platser": "Maltesholmstorget (Hässelby-Vällingby)", "fran": "oktober 2024",
                   "till": "april 2025", "glidande": "3 perioder"})
    figure = the_figure(at)
    assert any(a["text"] == "Seriebrott" for a in figure["layout"]["annotations"])
    rows = table(at).set_index("Period")
    assert rows.loc["januari 2025", "Anmärkning"] == "seriebrott"
    assert rows.loc["januari 2025", "Glidande medelvärde"] == fmt.MISSING  # the window crosses the break
    assert rows.loc["februari 2025", "Glidande medelvärde"] == fmt.MISSING
    assert rows.loc["mars 2025", "Glidande medelvärde"] != fmt.MISSING
    assert rows.loc["december 2024", "Glidande medelvärde"] != fmt.MISSING


def test_no_scope_chosen_asks_for_one(demo_db_copy: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    at.switch_page(PAGE).run()
    at.multiselect(key=trender.DISTRICTS_KEY).set_value([]).run()
    assert not at.exception
    assert "Välj minst ett stadsdelsområde eller en plats." in notices(at)
    assert figures(at) == []


@pytest.mark.parametrize(
    ("grain", "options"),
    [("Tertial", {}), ("År", {"glidande": "3 perioder", "fjol": "true"}), ("Tertial", {"invanare": "true"})],
)
def test_a_sensitive_indicator_never_shows_1_to_4(app_db_file: Path, grain: str, options: dict[str, str]) -> None:
    at = run_page({"indikator": SENSITIVE, "omraden": ["Bromma", "Farsta", HV], "fran": "januari 2019",
                   "niva": grain, **options})
    figure = the_figure(at)
    counts = "invanare" not in options
    if counts:
        assert not [y for y in numbers_in(figure) if 0 < y < 5]
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert not [t for t in texts if t.strip() in {"1", "2", "3", "4"}]
    hover = " ".join(h for trace in figure["data"] for h in trace.get("hovertext") or [] if h)
    assert not any(f": {n}<" in hover or hover.endswith(f": {n}") for n in "1234")
    assert fmt.SUPPRESSION_NOTE in footer(figure)
    rows = table(at)
    value_columns = [c for c in rows.columns if c not in ("Område/plats", "Period", "Anmärkning")]
    cells = {cell for column in value_columns for cell in rows[column]}
    assert not cells & {"1", "2", "3", "4"}
    if counts:
        assert not [c for c in cells if c not in (fmt.MISSING, fmt.SUPPRESSED) and 0 < float(c.replace(",", ".")) < 5]
    hidden = rows[value_columns[0]].isin([fmt.SUPPRESSED]) | rows["Anmärkning"].str.contains("1–4")
    assert hidden.any()
    assert fmt.SUPPRESSION_NOTE in captions(at)


def test_a_sum_over_a_hidden_count_is_not_shown(demo_db_copy: Path) -> None:
    """Bromma's yearly sum is hidden whenever one of its tertials is 1–4 (else it would give it away)."""
    at = run_page({"indikator": SENSITIVE, "omraden": "Bromma", "fran": "januari 2019", "niva": "År"})
    rows = table(at)
    assert (rows["Anmärkning"] == trender.HIDDEN_DERIVED).any()
    assert set(rows.loc[rows["Anmärkning"] == trender.HIDDEN_DERIVED, "Värde"]) == {fmt.MISSING}


def test_empty_database_says_there_is_nothing_yet(reference_db_copy: Path) -> None:
    at = run_page()
    assert any("Det finns inga värden i databasen än" in n for n in notices(at))
    assert figures(at) == []


# --- the pure parts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "label"),
    [
        ({"name": "Anmälda brott", "priority_area_number": 2, "goal_number": 2, "goal_scope": "city"},
         "2.2 Anmälda brott"),
        ({"name": "Klotter", "priority_area_number": 2, "goal_number": 1, "goal_scope": "local"},
         "2.1 Klotter (lokalt mål)"),
        ({"name": "Nedskräpning", "priority_area_number": None, "goal_number": float("nan"), "goal_scope": None},
         "Nedskräpning"),
    ],
)
def test_indicator_label(row: dict[str, Any], label: str) -> None:
    assert trender.indicator_label(row) == label


@pytest.mark.parametrize(
    ("years", "label"),
    [([2024], "per 1 000 invånare (befolkning 2024)"), ([2022, 2024], "per 1 000 invånare (befolkning 2022–2024)"),
     ([], "per 1 000 invånare")],
)
def test_rate_label(years: list[int], label: str) -> None:
    assert shown(trender.rate_label(years)) == label


def test_legend_rows() -> None:
    assert trender.legend_rows(["Bromma", "Farsta"]) == 1
    assert trender.legend_rows(["Maltesholmstorget (Hässelby-Vällingby)"] * 5, width=1000) == 3


def _indicator(**changes: Any) -> Indicator:
    base = {"code": "x", "name": "X", "unit": Unit.COUNT, "source": "Polisen", "frequency": Frequency.MONTH,
            "sensitive": False, "aggregation": Aggregation.SUM, "level": Level.DISTRICT, "from_events": False}
    return Indicator(**(base | changes))


def test_choice_reads_whole_periods_and_earlier_data_for_rolling_and_last_year() -> None:
    scope = Scope("district", "bromma", "Bromma", "bromma")
    march, june = Period(date(2024, 3, 1), Grain.MONTH), Period(date(2025, 6, 1), Grain.MONTH)
    choice = Choice(_indicator(), [scope], march, june, Grain.TERTIAL)
    assert [p.code for p in choice.shown] == ["2024-T1", "2025-T2"]
    assert choice.fetch_from == date(2024, 1, 1)
    assert Choice(_indicator(), [scope], march, june, Grain.TERTIAL, rolling=3, last_year=True).fetch_from == date(
        2022, 5, 1
    )  # T1 2024, two tertials back (T2 2023), a year back


def test_figure_and_table_never_hold_a_hidden_value() -> None:
    months = [Period(date(2025, 1, 1), Grain.MONTH).shift(i) for i in range(3)]
    line = [TrendPoint(months[0], 7.0), TrendPoint(months[1], 3.0, hidden=True), TrendPoint(months[2], 12.0)]
    result = SeriesResult(Scope("district", "bromma", "Bromma", "bromma"), line, line, [2.0, None, 4.0])
    text = trender.value_formatter(Unit.COUNT, Grain.MONTH, per_1000=False)
    figure = trender.trend_figure([result], title="X", subtitle="Per månad", unit=Unit.COUNT, y_title="antal",
                                  source=charts.Source("Polisen"), text=text)
    main = next(t for t in figure.data if t.name == "Bromma")
    assert list(main.y) == [7.0, None, 12.0]
    assert "mars 2025: 12" in " ".join(main.hovertext) and "februari 2025: 1–4" in " ".join(main.hovertext)
    rows = trender.table([result], text, value_title="Värde", rolling=False, last_year=True, counts=True)
    assert rows["Värde"].tolist() == ["7", fmt.SUPPRESSED, "12"]
    assert rows["Samma period förra året"].tolist() == ["2", fmt.MISSING, "4"]


def _series_frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """trend_series rows (scope_kind, scope, period_start, value) of monthly stored values."""
    return pd.DataFrame(
        {
            "scope_kind": [r[0] for r in rows],
            "scope": [r[1] for r in rows],
            "period_start": pd.to_datetime([r[2] for r in rows]),
            "grain": ["month"] * len(rows),
            "value": [r[3] for r in rows],
            "numerator": [None] * len(rows),
            "denominator": [None] * len(rows),
            "preliminary": [False] * len(rows),
            "series_break": [False] * len(rows),
            "counted_from": [None] * len(rows),
            "counted_to": [None] * len(rows),
        }
    )


def test_compute_rates_name_each_population_year_and_skip_places() -> None:
    bromma = Scope("district", "bromma", "Bromma", "bromma")
    farsta = Scope("district", "farsta", "Farsta", "farsta")
    torg = Scope("place", "hasselby-torg", "Hässelby torg (Hässelby-Vällingby)", "hasselby-vallingby")
    series = _series_frame([("district", "bromma", "2023-12-01", 40.0), ("district", "bromma", "2024-01-01", 90.0),
                            ("district", "farsta", "2024-01-01", 5.0), ("place", "hasselby-torg", "2024-01-01", 7.0)])
    population = pd.DataFrame({"district": ["bromma", "bromma"], "year": [2022, 2024], "value": [20_000, 30_000],
                               "source": ["x", "x"]})
    december, january = Period(date(2023, 12, 1), Grain.MONTH), Period(date(2024, 1, 1), Grain.MONTH)
    choice = Choice(_indicator(), [bromma, farsta, torg], december, january, Grain.MONTH, per_1000=True)
    results, notes = trender.compute(choice, series, population)
    assert [r.scope.code for r in results] == ["bromma"]  # Farsta has no population, the place none at all
    assert [p.value for p in results[0].line] == [2.0, 3.0]  # 40 per 20 000 (2022), 90 per 30 000 (2024)
    assert results[0].population_years == [2022, 2024]
    assert notes == ["Platser har ingen befolkning och visas inte per 1 000 invånare.",
                     "Befolkning saknas för Farsta, som inte visas per 1 000 invånare."]
    assert trender.population_note(results, population) is None


def test_compute_last_year_and_rolling_read_before_the_window() -> None:
    bromma = Scope("district", "bromma", "Bromma", "bromma")
    rows = [("district", "bromma", f"{y}-{m:02d}-01", float(m)) for y in (2023, 2024) for m in range(1, 13)]
    march, april = Period(date(2024, 3, 1), Grain.MONTH), Period(date(2024, 4, 1), Grain.MONTH)
    choice = Choice(_indicator(), [bromma], march, april, Grain.MONTH, rolling=3, last_year=True)
    (result,), _ = trender.compute(choice, _series_frame(rows), pd.DataFrame(columns=["district", "year", "value"]))
    assert [p.period.code for p in result.line] == ["2024-03", "2024-04"]
    assert [p.value for p in result.values] == [3.0, 4.0]
    assert [p.value for p in result.line] == [2.0, 3.0]  # (1+2+3)/3 and (2+3+4)/3
    assert result.last_year == [2.0, 3.0]  # the rolling averages of March and April 2023
