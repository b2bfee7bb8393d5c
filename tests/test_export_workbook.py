"""The year-end workbook and the shared formula-injection rule (followup.export.neutralise)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from followup.export import neutralise
from followup.export.workbook import SUMMARY_SHEET, year_end_workbook
from followup.model import Grain, Unit
from followup.pack import CHART_COLUMNS, ChartData, Pack, Slide, SlideKind, StatusLine
from followup.periods import Period
from followup.status import Trend

FORMULAS = ["=1+1", "+46 8 508 000 00", "-x", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")", "\t=1"]


def _chart(values: list[float | None], *, sensitive: bool) -> ChartData:
    """A tertial chart for 2025 with the given values."""
    periods = [Period(date(2025, month, 1), Grain.TERTIAL) for month in (1, 5, 9)][: len(values)]
    frame = pd.DataFrame({
        "period_start": [p.start for p in periods],
        "period": [p.label for p in periods],
        "value": pd.Series(values, dtype=object),
        "last_year": pd.Series([9.0, None, 11.0][: len(values)], dtype=object),
        "target": pd.Series([None] * len(values), dtype=object),
    }, columns=list(CHART_COLUMNS))
    return ChartData(key="k", title="Unga misstänkta för våldsbrott per tertial", indicator="k", indicator_row={},
                     unit=Unit.COUNT, sensitive=sensitive, grain=Grain.TERTIAL, scope_name="Hässelby-Vällingby",
                     frame=frame, source="Polisen", data_date=date(2025, 12, 31), assessment_text="1–4 T3 2025.")


def _pack(*, comment: str = "Platssamverkan har kommit igång.", activity: str = "Kamerabevakning") -> Pack:
    """A year-end Pack: a title slide and two areas (the second with the same long name start)."""
    table = pd.DataFrame({"Insats": [activity, "Ordningsvakter"], "Status": ["Genomförd", "Pågår"],
                          "Mål": ["2.2", "2.2, 2.3"]})
    lines = (StatusLine("2.1 Minska antalet öppna drogscener", Trend.IMPROVING, "1 förbättras av 1 nyckeltal."),
             StatusLine("2.2 Minska brottsligheten", Trend.WORSENING, "1 försämras av 1 nyckeltal."))
    long_name = "2. Otrygga och brottsutsatta platser: en mycket lång rubrik"
    slides = (
        Slide(SlideKind.TITLE, "Årssammanställning 2025 – Hässelby-Vällingby"),
        Slide(SlideKind.AREA, long_name, "", Trend.IMPROVING, "1 förbättras av 2 mål.", lines,
              (_chart([12.0, None, 7.0], sensitive=True),), table, comment, "Hässelby-Vällingby · källa: Polisen"),
        Slide(SlideKind.AREA, long_name + " [igen]?", "", Trend.NO_DATA, "", (), (), None, "", "",
              "Inga insatser för områdets mål under 2025."),
    )
    return Pack("hasselby-vallingby", "Hässelby-Vällingby", Period(date(2025, 1, 1), Grain.YEAR),
                date(2025, 12, 31), True, slides)


def _book(pack: Pack) -> openpyxl.Workbook:
    """The workbook of a pack, read back."""
    return openpyxl.load_workbook(io.BytesIO(year_end_workbook(pack, today=date(2026, 1, 15))))


def _cells(sheet: object) -> list[object]:
    """Every cell of a sheet that holds a value."""
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("text", FORMULAS)
def test_neutralise_guards_formula_starts(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Kamerabevakning", "1+1=2", "", "Mål 2.2 – klart", "'=redan skyddad"])
def test_neutralise_leaves_other_text_alone(text: str) -> None:
    assert neutralise(text) == text


def test_a_summary_sheet_then_one_valid_sheet_per_area() -> None:
    book = _book(_pack())
    assert book.sheetnames[0] == SUMMARY_SHEET
    areas = book.sheetnames[1:]
    assert len(areas) == 2 and len(set(areas)) == 2
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in areas)
    summary = [cell.value for cell in _cells(book[SUMMARY_SHEET])]
    assert "Årssammanställning 2025 – Hässelby-Vällingby" in summary
    assert "Exempeldata – påhittade siffror" in summary
    assert "▲ Förbättras" in summary and "Genomförd: 1, Pågår: 1" in summary
    assert areas[0] in summary  # the summary names each area's sheet


def test_goals_activities_analysis_and_numbers_round_trip() -> None:
    sheet = _book(_pack()).worksheets[1]
    values = [cell.value for cell in _cells(sheet)]
    assert "2.1 Minska antalet öppna drogscener" in values and "▼ Försämras" in values
    assert "1 försämras av 1 nyckeltal." in values
    assert {"Kamerabevakning", "Ordningsvakter", "Genomförd", "Pågår"} <= set(values)
    assert "Platssamverkan har kommit igång." in values
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    numbers = {row[0]: row[1:3] for row in rows if row[0] in ("T1 2025", "T2 2025", "T3 2025")}
    assert numbers == {"T1 2025": [12.0, 9.0], "T2 2025": [None, None], "T3 2025": [7.0, 11.0]}
    assert any(isinstance(v, str) and "källa: Polisen" in v for v in values)


def test_no_hidden_count_in_a_sensitive_series() -> None:
    pack = _pack()
    area = pack.slides[1]
    leaky = _chart([3.0, 12.0, 0.5], sensitive=True)  # an upstream leak: the writer hides 1–4 again
    pack = Pack(pack.district, pack.district_name, pack.period, pack.data_date, pack.demo,
                (pack.slides[0], Slide(area.kind, area.title, charts=(leaky,)), *pack.slides[2:]))
    sheet = _book(pack).worksheets[1]
    numbers = [cell.value for cell in _cells(sheet) if isinstance(cell.value, int | float)]
    assert 12.0 in numbers
    assert not [value for value in numbers if 0 < value < 5]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_looking_text_is_stored_as_text(text: str) -> None:
    sheet = _book(_pack(comment=text, activity=text)).worksheets[1]
    written = [cell for cell in _cells(sheet) if isinstance(cell.value, str) and text.strip() in cell.value]
    assert len(written) == 2  # the activity and the analysis
    for cell in written:
        assert cell.data_type == "s"
        assert cell.value == "'" + text
        assert not cell.value.startswith(("=", "+", "-", "@"))
