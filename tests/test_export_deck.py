"""The PowerPoint deck of a meeting Pack: slides, native charts, footers, suppression, templates, progress."""

from __future__ import annotations

import copy
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Inches, Pt

from followup.export import deck
from followup.export.deck import DeckRefused, build_deck, build_year_end_deck
from followup.model import Grain, Unit
from followup.pack import CHART_COLUMNS, ChartData, Pack, Slide, SlideKind, StatusLine
from followup.periods import Period, parse_period
from followup.status import DISPLAY, Trend

MONTHS = [Period(date(2025, month, 1), Grain.MONTH) for month in range(1, 9)]
FOOTER = "Hässelby-Vällingby · källa: Polisen · data t.o.m. 31 augusti 2025"


def _chart(key: str, values: list[float | None], *, last_year: list[float | None] | None = None,
           target: list[float | None] | None = None, sensitive: bool = False, unit: Unit = Unit.COUNT) -> ChartData:
    """A ChartData over the first len(values) months of 2025."""
    periods = MONTHS[: len(values)]
    empty = [None] * len(values)
    frame = pd.DataFrame({
        "period_start": [p.start for p in periods],
        "period": [p.label for p in periods],
        "value": pd.Series(values, dtype=object),
        "last_year": pd.Series(last_year or empty, dtype=object),
        "target": pd.Series(target or empty, dtype=object),
    }, columns=list(CHART_COLUMNS))
    return ChartData(key=key, title=f"Diagram {key}", indicator=key, indicator_row={}, unit=unit,
                     sensitive=sensitive, grain=Grain.MONTH, scope_name="Hässelby-Vällingby", frame=frame,
                     source="Polisen", data_date=date(2025, 8, 31),
                     assessment_text=f"{key}: 15 i augusti 2025 mot 17 i augusti 2024, inom slumpvariationen.")


def _pack(*, demo: bool = True, sensitive_chart: ChartData | None = None) -> Pack:
    """A hand-made Pack with every kind of slide."""
    lines = (StatusLine("2.1 Minska antalet öppna drogscener", Trend.IMPROVING, "1 förbättras av 1 nyckeltal."),
             StatusLine("2.2 Minska brottsligheten", Trend.WORSENING, "1 försämras av 1 nyckeltal."),
             StatusLine("2.3 Öka tryggheten", Trend.NO_DATA, "Inga nyckeltal att väga samman."))
    area_charts = (
        _chart("brott", [10, 12, None, 15, 9, 11, 14, 13], last_year=[11, 13, 12, None, 10, 9, 12, 15],
               target=[12, 11.8, 11.6, 11.4, 11.2, 11, 10.8, 10.6]),
        _chart("andel", [22.4, None, 19.3], unit=Unit.SHARE),
    )
    actions = pd.DataFrame({"Insats": ["Kamerabevakning Hässelby torg", "Ordningsvakter"], "Status": ["Pågår", "Planerad"],
                            "Start": ["2024-05-01", "–"]})
    commitments = pd.DataFrame({"Vad": ["Bjud in skolorna."], "Vem": ["Ordföranden"], "Klart senast": ["–"],
                                "Status": ["Öppet"]})
    place_chart = sensitive_chart or _chart("plats", [None, None, 8.0], sensitive=True)
    slides = (
        Slide(SlideKind.TITLE, "Hässelby-Vällingby", "Styrgruppsmöte · T2 2025", footer=FOOTER),
        Slide(SlideKind.OVERVIEW, "Översikt: målens status", "Hässelby-Vällingby · maj–augusti 2025", lines=lines,
              footer=FOOTER),
        Slide(SlideKind.AREA, "2. Otrygga och brottsutsatta platser", "Hässelby-Vällingby · maj–augusti 2025",
              Trend.IMPROVING, "1 förbättras av 3 mål.", lines, area_charts,
              comment="Anmälda brott vid torget har nästan halverats.", footer=FOOTER),
        Slide(SlideKind.PLACE, "Hässelby torg", "", Trend.UNCHANGED, "", lines[:1], (place_chart,), footer=FOOTER),
        Slide(SlideKind.ACTION_PLAN, "Handlingsplanen", table=actions, footer=FOOTER),
        Slide(SlideKind.COMMITMENTS, "Åtaganden från förra mötet", table=commitments, footer=""),
    )
    return Pack("hasselby-vallingby", "Hässelby-Vällingby", parse_period("2025-T2"), date(2025, 8, 31), demo, slides)


def _open(data: bytes) -> Presentation:
    """A produced deck, read back."""
    return Presentation(io.BytesIO(data))


def _charts(slide: object) -> list[object]:
    """The native chart frames of a slide, in the order they were added."""
    return [shape for shape in slide.shapes if shape.has_chart]


def _shape(slide: object, name: str) -> object:
    """The shape with this name on a slide."""
    return next(shape for shape in slide.shapes if shape.name == name)


def _expected(chart: ChartData, column: str) -> list[float | None]:
    """A frame column with NaN/None as None."""
    return [None if value is None or pd.isna(value) else float(value) for value in chart.frame[column]]


def test_slides_and_titles_follow_the_pack_in_16_by_9() -> None:
    pack = _pack()
    presentation = _open(build_deck(pack))
    assert (presentation.slide_width, presentation.slide_height) == (Inches(13.333), Inches(7.5))
    assert len(presentation.slides) == len(pack.slides)
    assert [page.shapes.title.text for page in presentation.slides] == [slide.title for slide in pack.slides]
    assert presentation.slides[0].slide_layout.name == "Title Slide"
    assert {page.slide_layout.name for page in list(presentation.slides)[1:]} == {"Title Only"}


def test_a_title_slide_is_added_when_the_pack_has_none() -> None:
    pack = _pack()
    pack = Pack(pack.district, pack.district_name, pack.period, pack.data_date, pack.demo, pack.slides[1:])
    presentation = _open(build_deck(pack, today=date(2025, 9, 15)))
    assert len(presentation.slides) == len(pack.slides) + 1
    title_slide = presentation.slides[0]
    assert title_slide.shapes.title.text == "Hässelby-Vällingby"
    texts = " ".join(shape.text_frame.text for shape in title_slide.shapes if shape.has_text_frame)
    assert "T2 2025" in texts and "15 september 2025" in texts and "31 augusti 2025" in texts


def test_charts_are_native_with_the_frames_values_and_gaps() -> None:
    pack = _pack()
    presentation = _open(build_deck(pack))
    for slide, page in zip(pack.slides, presentation.slides, strict=True):
        frames = _charts(page)
        assert len(frames) == len(slide.charts)
        assert not [shape for shape in page.shapes if shape.shape_type == 13]  # no pictures
        for chart, frame in zip(slide.charts, frames, strict=True):
            series = {s.name: list(s.values) for s in frame.chart.plots[0].series}
            assert list(frame.chart.plots[0].categories) == list(chart.frame["period"])
            assert series[chart.scope_name] == _expected(chart, "value")
            if any(v is not None for v in _expected(chart, "last_year")):
                assert series["Förra året"] == _expected(chart, "last_year")
            else:
                assert "Förra året" not in series
            if any(v is not None for v in _expected(chart, "target")):
                assert series["Mål"] == _expected(chart, "target")
            else:
                assert "Mål" not in series
    area = _charts(presentation.slides[2])[0].chart
    assert area.plots[0].series[0].values[2] is None  # a gap, not a zero
    assert 'dispBlanksAs val="gap"' in area.part.blob.decode()
    assert area.value_axis.tick_labels.number_format == "#,##0"
    share = _charts(presentation.slides[2])[1].chart
    assert share.value_axis.tick_labels.number_format == '#,##0.0" %"'


def test_status_is_icon_and_word_and_status_lines_are_large() -> None:
    presentation = _open(build_deck(_pack()))
    area = presentation.slides[2]
    header = _shape(area, "Status").text_frame.text
    assert f"{DISPLAY[Trend.IMPROVING].icon} {DISPLAY[Trend.IMPROVING].word}" in header
    lines = _shape(area, "Statusrader").text_frame
    for trend in (Trend.IMPROVING, Trend.WORSENING, Trend.NO_DATA):
        assert f"{DISPLAY[trend].icon} {DISPLAY[trend].word}" in lines.text
    sizes = [run.font.size for paragraph in lines.paragraphs for run in paragraph.runs]
    assert sizes and min(sizes) >= Pt(18)
    assert "halverats" in _shape(area, "Kommentar").text_frame.text
    assert "inom slumpvariationen" in _shape(area, "Bedömning brott").text_frame.text


def test_every_slide_has_a_footer_with_source_date_and_demo_note() -> None:
    pack = _pack(demo=True)
    presentation = _open(build_deck(pack))
    for slide, page in zip(pack.slides, presentation.slides, strict=True):
        footer = _shape(page, deck.FOOTER_NAME).text_frame.text
        assert "Exempeldata – påhittade siffror" in footer
        assert (slide.footer or "data t.o.m. 31 augusti 2025") in footer.replace(" · Exempeldata – påhittade siffror", "")
    real = _open(build_deck(_pack(demo=False)))
    assert all("Exempeldata" not in _shape(page, deck.FOOTER_NAME).text_frame.text for page in real.slides)


def test_tables_are_native_and_long_ones_are_cut_with_the_rest_in_the_notes() -> None:
    pack = _pack()
    presentation = _open(build_deck(pack))
    table = next(shape for shape in presentation.slides[4].shapes if shape.has_table).table
    assert [cell.text for cell in table.rows[0].cells] == ["Insats", "Status", "Start"]
    assert table.cell(1, 0).text == "Kamerabevakning Hässelby torg"
    many = pd.DataFrame({"Insats": [f"Insats nummer {n} med en ganska lång beskrivning" for n in range(40)],
                         "Status": ["Pågår"] * 40})
    slide = Slide(SlideKind.ACTION_PLAN, "Handlingsplanen", table=many, footer=FOOTER)
    long_pack = Pack("x", "Hässelby-Vällingby", pack.period, pack.data_date, False, (pack.slides[0], slide))
    page = _open(build_deck(long_pack)).slides[1]
    shape = next(shape for shape in page.shapes if shape.has_table)
    rows = shape.table.rows
    assert 2 < len(rows) < 41
    assert "rader till" in rows[len(rows) - 1].cells[0].text
    assert shape.top + sum(row.height for row in rows) <= _shape(page, deck.FOOTER_NAME).top
    assert "Insats nummer 39" in page.notes_slide.notes_text_frame.text


def test_shapes_stay_on_the_slide() -> None:
    presentation = _open(build_deck(_pack()))
    for page in presentation.slides:
        for shape in page.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= presentation.slide_width
            assert shape.top + shape.height <= presentation.slide_height


def _chart_numbers(data: bytes) -> list[float]:
    """Every number in every chart part's XML and in every chart's embedded workbook of a deck."""
    numbers: list[float] = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if re.fullmatch(r"ppt/charts/chart\d+\.xml", name):
                xml = package.read(name).decode()
                for text in re.findall(r"<c:v>([^<]*)</c:v>", xml):
                    try:
                        numbers.append(float(text))
                    except ValueError:
                        pass  # series names and category labels
            elif name.startswith("ppt/embeddings/") and name.endswith(".xlsx"):
                book = openpyxl.load_workbook(io.BytesIO(package.read(name)))
                for sheet in book.worksheets:
                    numbers += [v for row in sheet.iter_rows(values_only=True) for v in row
                                if isinstance(v, int | float) and not isinstance(v, bool)]
    return numbers


def test_no_hidden_count_reaches_the_chart_xml_or_its_workbook() -> None:
    # The frame has None where 1–4 were hidden, plus values the writer must hide again (a leak upstream).
    leaky = _chart("kanslig", [None, 12.0, None, 3.0, 7.0, 0.5], last_year=[2.0, 9.0, None, 6.0, 4.0, 8.0],
                   sensitive=True)
    data = build_deck(_pack(sensitive_chart=leaky))
    numbers = _chart_numbers(data)
    assert 12.0 in numbers and 7.0 in numbers and 9.0 in numbers  # the scan does see the values
    assert not [value for value in numbers if 0 < value < 5]
    frame = next(f for f in _charts(_open(data).slides[3]))
    assert list(frame.chart.plots[0].series[0].values) == [None, 12.0, None, None, 7.0, None]


def test_progress_reports_increasing_fractions_up_to_one() -> None:
    calls: list[tuple[float, str]] = []
    build_deck(_pack(), progress=lambda fraction, text: calls.append((fraction, text)))
    fractions = [fraction for fraction, _ in calls]
    assert len(calls) >= len(_pack().slides)
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert fractions[0] >= 0 and fractions[-1] == 1.0
    assert "Bild 3 av 6" in calls[2][1]


def _template(tmp_path: Path, *, potx: bool = False) -> bytes:
    """A user's template: 10 × 5.625 in, two layouts with Swedish names, an old slide and a logo on the master."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(10), Inches(5.625)
    layouts = presentation.slide_layouts
    for layout in list(layouts)[2:]:
        layouts.remove(layout)
    layouts[0].name = "Rubrikbild"
    layouts[1].name = "Rubrik och innehåll"
    old = presentation.slides.add_slide(layouts[1])
    old.shapes.title.text = "Gammal bild"
    logo = old.shapes.add_textbox(Inches(8.5), Inches(0.1), Inches(1.3), Inches(0.4))
    logo.text_frame.text = "STADENS LOGGA"
    presentation.slide_master.shapes._spTree.append(copy.deepcopy(logo._element))  # no API adds to a master
    out = io.BytesIO()
    presentation.save(out)
    data = out.getvalue()
    if not potx:
        return data
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as package:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"presentation.main+xml", b"template.main+xml")
            package.writestr(item, content)
    return target.getvalue()


@pytest.mark.parametrize("potx", [False, True])
def test_a_users_template_gives_size_layouts_and_master(tmp_path: Path, potx: bool) -> None:
    pack = _pack()
    presentation = _open(build_deck(pack, template=_template(tmp_path, potx=potx)))
    assert (presentation.slide_width, presentation.slide_height) == (Inches(10), Inches(5.625))
    assert len(presentation.slides) == len(pack.slides)
    assert [page.shapes.title.text for page in presentation.slides] == [slide.title for slide in pack.slides]
    assert "Gammal bild" not in [page.shapes.title.text for page in presentation.slides]
    assert presentation.slides[0].slide_layout.name == "Rubrikbild"
    assert {page.slide_layout.name for page in list(presentation.slides)[1:]} == {"Rubrik och innehåll"}
    for page in list(presentation.slides)[1:]:
        assert [shape.placeholder_format.type for shape in page.placeholders] == [1]  # title only, no empty body
        for shape in page.shapes:
            assert shape.left + shape.width <= presentation.slide_width
            assert shape.top + shape.height <= presentation.slide_height
    master_texts = [shape.text_frame.text for shape in presentation.slide_master.shapes if shape.has_text_frame]
    assert "STADENS LOGGA" in master_texts
    assert len(_charts(presentation.slides[2])) == 2


def test_a_file_that_is_no_presentation_is_refused_in_swedish() -> None:
    with pytest.raises(DeckRefused, match="PowerPoint"):
        build_deck(_pack(), template=b"not a pptx at all")


def test_the_year_end_deck_is_the_same_builder() -> None:
    pack = _pack()
    assert len(_open(build_year_end_deck(pack)).slides) == len(pack.slides)


def test_the_demo_meeting_deck_matches_its_pack(demo_db_path: Path) -> None:
    from followup.pack import build_pack

    with duckdb.connect(str(demo_db_path), read_only=True) as con:
        pack = build_pack(con, "hasselby-vallingby", parse_period("2025-T2"))
    presentation = _open(build_deck(pack))
    assert len(presentation.slides) == len(pack.slides)
    charted = 0
    for slide, page in zip(pack.slides, presentation.slides, strict=True):
        assert page.shapes.title.text == slide.title
        assert _shape(page, deck.FOOTER_NAME).text_frame.text
        frames = _charts(page)
        assert len(frames) == len(slide.charts)
        for chart, frame in zip(slide.charts, frames, strict=True):
            series = {s.name: list(s.values) for s in frame.chart.plots[0].series}
            assert series[chart.scope_name] == _expected(chart, "value")
            charted += 1
    assert charted > 0


def _chart_pack(*charts_per_slide: tuple[ChartData, ...]) -> Pack:
    """A Pack of a title slide and one area slide per group of charts."""
    slides = [Slide(SlideKind.TITLE, "Hässelby-Vällingby", "Styrgruppsmöte · T2 2025", footer=FOOTER)]
    slides += [Slide(SlideKind.AREA, f"Område {number}", charts=charts, footer=FOOTER)
               for number, charts in enumerate(charts_per_slide, start=1)]
    return Pack("hasselby-vallingby", "Hässelby-Vällingby", parse_period("2025-T2"), date(2025, 8, 31), False,
                tuple(slides))


def test_many_charts_get_unique_part_names_and_each_its_own_data_and_workbook() -> None:
    charts = [_chart(f"k{n}", [float(n * 10 + i) if (i + n) % 4 else None for i in range(3 + n % 6)],
                     last_year=[float(n)] * (3 + n % 6)) for n in range(16)]
    data = build_deck(_chart_pack(*(tuple(charts[n:n + 2]) for n in range(0, 16, 2))))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
    assert len(names) == len(set(names))
    assert {name for name in names if re.fullmatch(r"ppt/charts/chart\d+\.xml", name)} == {
        f"ppt/charts/chart{n}.xml" for n in range(1, 17)}
    assert {name for name in names if name.startswith("ppt/embeddings/")} == {
        f"ppt/embeddings/Microsoft_Excel_Sheet{n}.xlsx" for n in range(1, 17)}
    frames = [frame for page in _open(data).slides for frame in _charts(page)]
    assert len(frames) == 16
    for chart, frame in zip(charts, frames, strict=True):
        drawn = frame.chart
        assert drawn.chart_title.text_frame.text == chart.title
        assert list(drawn.plots[0].categories) == list(chart.frame["period"])
        assert list(drawn.plots[0].series[0].values) == _expected(chart, "value")
        latest = max(index for index, value in enumerate(_expected(chart, "value")) if value is not None)
        assert re.findall(r'<c:dLbl><c:idx val="(\d+)"/>', drawn.part.blob.decode()) == [str(latest)]
        book = openpyxl.load_workbook(io.BytesIO(drawn.part.chart_workbook.xlsx_part.blob))
        column = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
        assert column == _expected(chart, "value")


def test_a_chart_styled_like_an_earlier_one_equals_one_styled_on_its_own() -> None:
    first = _chart("brott", [10, 12, None, 15, 9, 11, 14, 13], last_year=[11, 13, 12, None, 10, 9, 12, 15])
    second = _chart("rån", [4.0, None, 7.0, 9.0, None], last_year=[5.0, 6.0, None, 8.0, 9.0])
    after_another = build_deck(_chart_pack((first,), (second,)))
    alone = build_deck(_chart_pack((second,)))
    with zipfile.ZipFile(io.BytesIO(after_another)) as package:
        copied = package.read("ppt/charts/chart2.xml")
    with zipfile.ZipFile(io.BytesIO(alone)) as package:
        styled = package.read("ppt/charts/chart1.xml")
    assert b"Diagram r\xc3\xa5n" in copied and b"Diagram brott" not in copied
    assert copied == styled
