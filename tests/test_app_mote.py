"""Mötesläge (views/mote.py, webapp/mote.py): the pure helpers, and the page stepped through in AppTest.

The page tests walk the whole agenda with Nästa on the demo database and on a database with reference
data only, and check every slide's title, status words and 'n av m' against the Pack that
followup.pack.build_pack makes from the same data in a database file (the demo's pages run on both backends,
the embedded file and the shared lake, and are checked against the pack of the demo file). A hand-made
Pack checks the drawing itself: user text shown as written, the table, a chart without a chart plan.
"""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from followup import db, pack
from followup.model import Grain, Unit
from followup.pack import CHART_COLUMNS, ChartData, Pack, Slide, SlideKind, StatusLine
from followup.periods import parse_period
from followup.status import DISPLAY, Trend
from webapp import mote
from tests import app_support
from tests.app_support import shown

APP = "../dashboard.py"  # AppTest.from_file resolves paths relative to this file
PAGE = "views/mote.py"
RUN_TIMEOUT = 120  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HV = "Hässelby-Vällingby"

pytestmark = pytest.mark.usefixtures("fresh_caches")


# --- pure helpers ---------------------------------------------------------------------------------------


def test_period_options_are_recent_tertials_quarters_and_years_that_have_begun() -> None:
    options = mote.period_options(date(2025, 10, 31))
    codes = list(options)
    assert codes[:3] == ["2025-T3", "2025-T2", "2025-T1"]
    assert "2026-T1" not in options and "2025-Q4" in options and "2023" in options and "2022" not in options
    assert [c for c in codes if "-T" in c] == [f"{y}-T{t}" for y in (2025, 2024, 2023) for t in (3, 2, 1)][0:9]
    assert options["2025-T2"] == "T2 2025 (maj–aug 2025)"
    assert options["2025-T3"] == "T3 2025 (sep–dec 2025) – pågår"
    assert options["2024"] == "2024"


def test_default_period_is_the_latest_tertial_the_data_covers() -> None:
    assert mote.default_period(mote.period_options(date(2025, 10, 31)), date(2025, 10, 31)) == "2025-T2"
    assert mote.default_period(mote.period_options(date(2025, 12, 31)), date(2025, 12, 31)) == "2025-T3"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2025-T2", "2025-T2"), (" 2025 - t2 ", "2025-T2"), ("2025-T9", None), ("hej", None), ("2019", None),
     ("", None), (None, None)],
)
def test_known_period_reads_the_address(raw: str | None, expected: str | None) -> None:
    assert mote.known_period(raw, mote.period_options(date(2025, 10, 31))) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", (3, False)), (" 13 ", (13, False)), (None, (1, False)), ("", (1, False)), ("x", (1, True)),
     ("0", (1, True)), ("-2", (1, True)), ("14", (13, True)), ("2.5", (1, True))],
)
def test_slide_number_reads_the_address(raw: str | None, expected: tuple[int, bool]) -> None:
    assert mote.slide_number(raw, 13) == expected


def test_counter_and_agenda_labels() -> None:
    assert mote.counter_text(3, 12) == "3 av 12"
    assert mote.agenda_label(4, Slide(SlideKind.AREA, "2. Otrygga platser")) == "4. 2. Otrygga platser"


def test_legend_layout_keeps_one_row_when_it_fits_and_counts_columns_otherwise() -> None:
    names = ["Hässelby-Vällingby", "Samma period förra året", "Styrgränser (normal variation)", "Medelvärde"]
    assert mote.legend_layout(names, 1500) == (1, None)
    rows, entry = mote.legend_layout(names, 700)
    assert entry is not None and entry >= 300  # the widest name, 30 characters at 22 px
    assert rows == 4  # one column: two entries of 355 px do not fit in 700 px
    assert mote.legend_layout([], 700) == (1, None)


def test_chart_figure_fits_its_legend_above_the_plot() -> None:
    chart = _chart("plats--brott", sensitive=False, values=[12, 15, None, 9])
    fig = mote.chart_figure(chart, demo=True, width=600)
    assert fig.layout.margin.t >= mote.TITLE_BLOCK + mote.LEGEND_ROW
    assert fig.layout.height == fig.layout.margin.t + mote.PLOT_HEIGHT + fig.layout.margin.b


# --- a hand-made pack -----------------------------------------------------------------------------------


def _chart(key: str, *, sensitive: bool, values: list[float | None]) -> ChartData:
    """A small monthly count chart without a chart plan."""
    starts = [date(2025, month, 1) for month in range(1, len(values) + 1)]
    frame = pd.DataFrame({"period_start": starts, "period": [f"m{m}" for m in range(len(values))],
                          "value": values, "last_year": [None] * len(values), "target": [None] * len(values)},
                         columns=list(CHART_COLUMNS))
    row = {"code": "brott", "name": "Anmälda brott", "unit": "count", "frequency": "month", "source": "Polisen",
           "sensitive": sensitive}
    return ChartData(key, "Anmälda brott per månad", "brott", row, Unit.COUNT, sensitive, Grain.MONTH, HV, frame,
                     "Polisen", date(2025, 4, 30))


TRICKY = "**inte fet** <b>inte html</b> :red[inte röd] $x$ 1. inte lista"


def hand_pack(district: str = "hasselby-vallingby", period: object = None) -> Pack:
    """Four slides: title, an area with lines, comment and a chart, a place, and an action plan table."""
    lines = (StatusLine("2.1 Minska antalet öppna drogscener", Trend.WORSENING, "Fler platser än i fjol."),
             StatusLine("2.2 Minska brottsligheten", Trend.IMPROVING, "Färre anmälda brott."))
    table = pd.DataFrame({"Insats": ["Trygghetsvandring " + TRICKY], "Status": ["Pågår"]})
    slides = (
        Slide(SlideKind.TITLE, HV, "Styrgruppsmöte · T2 2025", footer="Hässelby-Vällingby · källa: test"),
        Slide(SlideKind.AREA, "2. Otrygga och brottsutsatta platser", f"{HV} · maj–augusti 2025", Trend.WORSENING,
              "1 förbättras, 1 försämras av 2 mål.", lines, (_chart("pa2--brott", sensitive=False,
                                                                      values=[40, 38, None, 31]),),
              comment=TRICKY, footer="Hässelby-Vällingby · källa: Polisen"),
        Slide(SlideKind.PLACE, "Hässelby torg", f"{HV} · maj–augusti 2025", Trend.NO_DATA, "Inget att väga.",
              (StatusLine("Anmälda brott på platsen", Trend.NO_DATA, "1–4 i augusti 2025: visas inte."),),
              note="Inga diagram: det finns inga värden för Hässelby torg."),
        Slide(SlideKind.ACTION_PLAN, "Handlingsplanen", f"{HV} · maj–augusti 2025", table=table,
              footer="källa: handlingsplanen"),
    )
    return Pack("hasselby-vallingby", HV, parse_period("2025-T2"), date(2025, 8, 31), True, slides)


# --- helpers for the page -------------------------------------------------------------------------------


def open_page(**params: str) -> AppTest:
    """Run the app on the page with the URL's query parameters."""
    return app_support.open_page(PAGE, timeout=RUN_TIMEOUT, **params)


def page_text(at: AppTest) -> str:
    """Every title, header, subheader, markdown and notice on the page, as read."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "info") for e in at.get(kind)]
    return shown("\n".join(parts))


def slide_title(at: AppTest) -> str:
    """The slide's title as read (the status after it included)."""
    assert len(at.title) == 1, [t.value for t in at.title]
    return shown(at.title[0].value)


def expected_pack(db_path: Path, district: str, period: str) -> Pack:
    """The pack build_pack makes for a database file, read-only (the demo's: the page may run on either backend)."""
    with closing(db.open_database(db_path, read_only=True)) as con:
        return pack.build_pack(con, district, parse_period(period))


def assert_slide(at: AppTest, slides: tuple[Slide, ...], number: int) -> None:
    """The page shows slide `number`: its title, its status words, 'n av m' and the address."""
    slide = slides[number - 1]
    assert slide_title(at).startswith(shown(mote.components.plain(slide.title))), (number, slide_title(at))
    text = page_text(at)
    assert f"**{number} av {len(slides)}**" in text
    trends = ([slide.status] if slide.status is not None else []) + [line.trend for line in slide.lines]
    for trend in trends:
        assert f"{DISPLAY[trend].icon} {DISPLAY[trend].word}" in text, (number, DISPLAY[trend].word)
    if slide.status is not None:
        assert f"{DISPLAY[slide.status].icon} {DISPLAY[slide.status].word}" in slide_title(at)
    assert at.selectbox(key=mote.GOTO_STATE).value == number
    assert at.query_params[mote.SLIDE_KEY] == str(number)
    assert at.button(key="mote-prev").disabled is (number == 1)
    assert at.button(key="mote-next").disabled is (number == len(slides))


def step_through(at: AppTest, slides: tuple[Slide, ...]) -> None:
    """Walk the agenda with Nästa from the first slide to the last, checking each slide."""
    assert_slide(at, slides, 1)
    for number in range(2, len(slides) + 1):
        at.button(key="mote-next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert_slide(at, slides, number)


# --- the demo database ----------------------------------------------------------------------------------


def test_demo_agenda_steps_through_every_slide_and_back(app_db_file: Path, demo_db_path: Path) -> None:
    expected = expected_pack(demo_db_path, "hasselby-vallingby", "2025-T2")
    kinds = [s.kind for s in expected.slides]
    # title, overview, five priority areas, the tracked places, the action plan, the commitments
    assert kinds[:2] == [SlideKind.TITLE, SlideKind.OVERVIEW]
    assert kinds.count(SlideKind.AREA) == 5 and kinds.count(SlideKind.PLACE) >= 1
    assert kinds[-2:] == [SlideKind.ACTION_PLAN, SlideKind.COMMITMENTS]
    at = open_page(omrade=HV, period="2025-T2")
    assert at.query_params[mote.PERIOD_KEY] == "2025-T2"
    assert at.selectbox(key=mote.PERIOD_STATE).value == "2025-T2"
    assert "Exempeldata – påhittade siffror" in "\n".join(w.value for w in at.warning)
    step_through(at, expected.slides)
    last = len(expected.slides)
    # an area slide draws its charts, the action plan its table
    at.button(key="mote-prev").click().run()
    assert_slide(at, expected.slides, last - 1)
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == len(expected.slides[last - 2].table)
    at.button(key="mote-prev").click().run()
    assert_slide(at, expected.slides, last - 2)
    # 'Gå till' jumps to any slide
    area = next(n for n, s in enumerate(expected.slides, start=1) if s.kind is SlideKind.AREA and s.charts)
    at.selectbox(key=mote.GOTO_STATE).set_value(area).run()
    assert_slide(at, expected.slides, area)
    assert len(at.get("plotly_chart")) == len(expected.slides[area - 1].charts)


def test_bild_in_the_address_opens_that_slide(demo_db_copy: Path) -> None:
    expected = expected_pack(demo_db_copy, "hasselby-vallingby", "2025-T2")
    at = open_page(omrade=HV, period="2025-T2", bild="3")
    assert_slide(at, expected.slides, 3)
    assert not at.info
    at.button(key="mote-prev").click().run()
    assert_slide(at, expected.slides, 2)


@pytest.mark.parametrize(("raw", "number"), [("x", 1), ("99", None)])
def test_garbage_bild_falls_back_with_a_notice(demo_db_copy: Path, raw: str, number: int | None) -> None:
    expected = expected_pack(demo_db_copy, "hasselby-vallingby", "2025-T2")
    number = number or len(expected.slides)
    at = open_page(omrade=HV, period="2025-T2", bild=raw)
    assert_slide(at, expected.slides, number)
    notices = "\n".join(shown(i.value) for i in at.info)
    assert f"Adressen anger bild ` {raw} `, som inte finns här. Visar bild {number} i stället." in notices


def test_garbage_period_falls_back_with_a_notice(demo_db_copy: Path) -> None:
    at = open_page(omrade=HV, period="2025-T9")
    assert at.selectbox(key=mote.PERIOD_STATE).value == "2025-T2"
    notices = "\n".join(shown(i.value) for i in at.info)
    assert "Adressen anger period ` 2025-T9 `, som inte finns här. Visar T2 2025 (maj–aug 2025) i stället." in notices
    assert at.query_params[mote.PERIOD_KEY] == "2025-T2"


def test_choosing_another_period_starts_the_agenda_over(demo_db_copy: Path) -> None:
    at = open_page(omrade=HV, period="2025-T2", bild="4")
    assert at.selectbox(key=mote.GOTO_STATE).value == 4
    at.selectbox(key=mote.PERIOD_STATE).set_value("2025-T1").run()
    assert not at.exception
    assert at.query_params[mote.PERIOD_KEY] == "2025-T1"
    assert at.selectbox(key=mote.GOTO_STATE).value == 1
    assert at.query_params[mote.SLIDE_KEY] == "1"
    assert "T1 2025" in page_text(at)


# --- a database with reference data only ----------------------------------------------------------------


def test_reference_only_agenda_steps_through_with_no_judgements(reference_db_copy: Path) -> None:
    today = date.today()
    options = mote.period_options(today)
    period = mote.default_period(options, today)
    expected = expected_pack(reference_db_copy, "hasselby-vallingby", period)
    assert len(expected.slides) >= 4
    at = open_page(omrade=HV)
    assert at.query_params[mote.PERIOD_KEY] == period
    step_through(at, expected.slides)
    text = page_text(at)
    assert "Databasen har inga värden än" in text
    assert not at.get("plotly_chart")


# --- drawing a hand-made pack ---------------------------------------------------------------------------


@pytest.fixture
def hand_made(monkeypatch: pytest.MonkeyPatch) -> Pack:
    """build_agenda and build_slide replaced by ones that return hand_pack()'s agenda and slides."""
    made = hand_pack()
    monkeypatch.setattr(pack, "build_agenda", lambda con, district, period, **_: pack.agenda_of(made))
    monkeypatch.setattr(pack, "build_meeting", lambda con, agenda, **_: None)
    monkeypatch.setattr(pack, "build_slide", lambda con, agenda, number, meeting=None, **_: made.slides[number - 1])
    return made


def test_hand_made_pack_is_drawn_with_user_text_as_written(demo_db_copy: Path, hand_made: Pack) -> None:
    at = open_page(omrade=HV, period="2025-T2")
    step_through(at, hand_made.slides)
    at.selectbox(key=mote.GOTO_STATE).set_value(2).run()
    raw = "\n".join(m.value for m in at.markdown)
    assert mote.components.plain(TRICKY) in raw  # escaped: no bold, no HTML, no colour, no maths
    assert "Styrgruppens analys" in raw
    assert "Fler platser än i fjol." in shown(raw) and "Färre anmälda brott." in shown(raw)
    assert len(at.get("plotly_chart")) == 1
    at.selectbox(key=mote.GOTO_STATE).set_value(3).run()
    assert "Inga diagram: det finns inga värden för Hässelby torg." in page_text(at)
    at.selectbox(key=mote.GOTO_STATE).set_value(4).run()
    assert at.dataframe[0].value["Insats"].tolist() == ["Trygghetsvandring " + TRICKY]


def test_changing_district_starts_over(demo_db_copy: Path, hand_made: Pack) -> None:
    at = open_page(omrade=HV, period="2025-T2", bild="3")
    assert at.selectbox(key=mote.GOTO_STATE).value == 3
    at.sidebar.selectbox(key="omrade").set_value("farsta").run()
    assert not at.exception
    assert at.selectbox(key=mote.GOTO_STATE).value == 1


def test_empty_database_explains_how_to_fill_it(tmp_db_path: Path) -> None:
    with closing(duckdb.connect(str(tmp_db_path))) as con:
        db.ensure_schema(con)
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "Databasen är tom" in page_text(at)


def test_last_data_day_follows_the_finest_values() -> None:
    frame = pd.DataFrame({"period_start": [date(2025, 1, 1), date(2025, 9, 1), date(2025, 10, 20)],
                          "grain": ["year", "month", "week"]})
    assert mote.last_data_day(frame) == date(2025, 10, 26)
    assert mote.last_data_day(frame.iloc[:1]) == date(2025, 12, 31)
    assert mote.last_data_day(frame.iloc[0:0]) is None


def test_the_meeting_and_its_year_export_from_the_page(app_db: Path | str) -> None:
    """The export expander offers the meeting's deck, images and numbers, and the year's compilation."""
    at = open_page(omrade="Hässelby-Vällingby", period="2025-T2")
    buttons = [b.label for b in at.button]
    assert "Skapa PowerPoint" not in buttons  # the whole pack and the year are built only when asked for
    assert "Årssammanställningen (Excel)" not in [d.label for d in at.get("download_button")]
    assert "Förbered exporten av mötets 13 bilder" in buttons
    at.button(key="mote-forbered-export").click().run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b.label for b in at.button]
    assert {"Skapa PowerPoint", "Skapa bilder (PNG)", "Skapa årssammanställningen (PowerPoint)"} <= set(buttons)
    downloads = [d.label for d in at.get("download_button")]
    assert {"Siffrorna (Excel)", "Årssammanställningen (Excel)"} <= set(downloads)
    next(b for b in at.button if b.label == "Skapa årssammanställningen (PowerPoint)").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Ladda ner årssammanställningen (PowerPoint)" in [d.label for d in at.get("download_button")]
