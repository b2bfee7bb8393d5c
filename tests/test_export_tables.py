"""The numbers behind every chart: chart_table, CSV in the Swedish Excel style and the Excel workbook.

sample_pack() builds a small Pack by hand (as followup.pack.build_pack would) and is shared with
tests/test_export_images.py: a monthly count for the district, a yearly share with decimals, and a
sensitive count with hidden 1–4 values, on a place whose name looks like a formula.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from followup import fmt
from followup.chartplan import chart_plan, window
from followup.export import tables
from followup.model import Frequency, Grain, Unit
from followup.pack import CHART_COLUMNS, ChartData, Pack, Slide, SlideKind
from followup.periods import Period, parse_period

FORMULA_PLACE = "=HYPERLINK(\"http://x.test\";\"Torget\")"
SENSITIVE_RAW = [7.0, 3.0, 0.0, 12.0, 1.0, None, 9.0, 4.0]
"""Monthly raw values of the sensitive indicator, jan–aug 2025: 3, 1 and 4 must never be written."""


def indicator_row(code: str, name: str, unit: Unit, frequency: Frequency, *, sensitive: bool = False) -> dict[str, Any]:
    """A scope_indicators row with what chart_plan and build_figure read."""
    return {"code": code, "name": name, "unit": unit.value, "frequency": frequency.value, "sensitive": sensitive,
            "aggregation": "sum" if unit is Unit.COUNT else "mean", "event_category": None, "source": "Polisen"}


def values_frame(code: str, grain: Grain, starts: list[date], values: list[float | None]) -> pd.DataFrame:
    """Observation rows of one indicator (the columns chart_plan reads); None is a missing value (NULL)."""
    return pd.DataFrame({
        "indicator": code, "grain": grain.value, "period_start": pd.to_datetime(starts),
        "value": [float("nan") if value is None else value for value in values],
        "denominator": [1000.0 if grain is Grain.YEAR else None for _ in starts],
        "series_break": False,
    })


def make_chart(key: str, row: dict[str, Any], values: pd.DataFrame, scope_name: str, first: Period,
               last: Period) -> ChartData:
    """A ChartData as build_pack makes it: the plan's rows shown, 1–4 of a sensitive series as None."""
    targets = pd.DataFrame({"indicator": pd.Series(dtype=object), "target_value": pd.Series(dtype=float)})
    plan = chart_plan(row, values, values.iloc[0:0], targets)
    assert plan is not None
    shown, _ = window(plan.frame, plan.grain, first, last)
    sensitive = bool(row["sensitive"])

    def safe(value: Any) -> float | None:
        return None if pd.isna(value) or fmt.must_hide(float(value), sensitive) else float(value)

    frame = pd.DataFrame({
        "period_start": list(shown["period_start"]),
        "period": [Period(start, plan.grain).label for start in shown["period_start"]],
        "value": [safe(v) for v in shown["value"]],
        "last_year": [safe(v) for v in shown["last_year"]],
        "target": [None] * len(shown),
    }, columns=list(CHART_COLUMNS))
    return ChartData(
        key=key, title=f"{row['name']} per {'år' if plan.grain is Grain.YEAR else 'månad'}", indicator=row["code"],
        indicator_row=row, unit=Unit(row["unit"]), sensitive=sensitive, grain=plan.grain, scope_name=scope_name,
        frame=frame, source=row["source"], data_date=date(2025, 8, 31), plan=plan, shown=shown,
    )


def months(year: int, first: int, count: int) -> list[date]:
    """count month starts from year-first."""
    return [date(year + (first - 1 + i) // 12, (first - 1 + i) % 12 + 1, 1) for i in range(count)]


def sample_pack() -> Pack:
    """A district pack with three charts on two slides (one chart repeated on both)."""
    first, last = Period(date(2025, 1, 1), Grain.MONTH), Period(date(2025, 8, 1), Grain.MONTH)
    crimes_row = indicator_row("anmalda-brott", "Anmälda brott", Unit.COUNT, Frequency.MONTH)
    crimes = make_chart("2.2--anmalda-brott", crimes_row, values_frame(
        "anmalda-brott", Grain.MONTH, months(2024, 1, 20),
        [40, 42, 38, 45, 50, 47, 52, 55, 44, 41, 39, 43, 30, 28, 33, 29, 31, 35, 30, 27]),
        "Hässelby-Vällingby", first, last)
    safety_row = indicator_row("trygghet", "Andel som känner sig trygga", Unit.SHARE, Frequency.SURVEY)
    safety = make_chart("1.1--trygghet", safety_row, values_frame(
        "trygghet", Grain.YEAR, [date(2021, 1, 1), date(2023, 1, 1), date(2025, 1, 1)], [61.25, 58.5, 63.75]),
        "Hässelby-Vällingby", first, last)
    shots_row = indicator_row("skjutningar", "Skadade personer", Unit.COUNT, Frequency.MONTH, sensitive=True)
    shots = make_chart("plats-torget--skjutningar", shots_row, values_frame(
        "skjutningar", Grain.MONTH, months(2024, 1, 20),
        [2.0, 8.0, 6.0, 11.0, 5.0, 6.0, 1.0, 10.0, 5.0, 6.0, 7.0, 8.0, *SENSITIVE_RAW]),
        FORMULA_PLACE, first, last)
    slides = (
        Slide(SlideKind.TITLE, "Hässelby-Vällingby"),
        Slide(SlideKind.AREA, "1. Trygghet", charts=(safety, crimes)),
        Slide(SlideKind.PLACE, "Torget", charts=(shots, crimes)),
    )
    return Pack("hasselby-vallingby", "Hässelby-Vällingby", parse_period("2025-T2"), date(2025, 8, 31), True, slides)


def charts_by_key() -> dict[str, ChartData]:
    """The sample pack's charts by key."""
    return {chart.key: chart for slide in sample_pack().slides for chart in slide.charts}


def read_csv(data: bytes) -> pd.DataFrame:
    """Read a CSV as a Swedish Excel user's file."""
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")


# --- chart_table --------------------------------------------------------------------------------------------


def test_chart_table_has_swedish_headings_and_the_frame_values() -> None:
    chart = charts_by_key()["2.2--anmalda-brott"]
    table = tables.chart_table(chart)
    assert list(table.columns) == ["Period", "Hässelby-Vällingby", "Förra året", "Mål"]
    assert table["Period"].tolist() == [f"{m} 2025" for m in ("januari", "februari", "mars", "april", "maj",
                                                               "juni", "juli", "augusti")]
    assert table["Hässelby-Vällingby"].tolist() == [30.0, 28.0, 33.0, 29.0, 31.0, 35.0, 30.0, 27.0]
    assert table["Förra året"].tolist() == [40.0, 42.0, 38.0, 45.0, 50.0, 47.0, 52.0, 55.0]
    assert table["Mål"].isna().all()
    assert table.attrs["title"] == chart.title and table.attrs["source"] == "Polisen"


def test_hidden_sensitive_values_are_the_text_1_4_and_missing_values_are_empty() -> None:
    table = tables.chart_table(charts_by_key()["plats-torget--skjutningar"])
    values = table[FORMULA_PLACE].tolist()
    assert values == [7.0, "1–4", 0.0, 12.0, "1–4", None, 9.0, "1–4"]
    assert table["Förra året"].tolist() == ["1–4", 8.0, 6.0, 11.0, 5.0, 6.0, "1–4", 10.0]


def test_a_1_4_value_left_in_the_frame_is_still_hidden() -> None:
    chart = charts_by_key()["plats-torget--skjutningar"]
    leaky = chart.frame.assign(value=[7.0, 3.0, 0.0, 12.0, 1.0, None, 9.0, 4.5])
    table = tables.chart_table(ChartData(**{**chart.__dict__, "frame": leaky, "shown": None}))
    assert table[FORMULA_PLACE].tolist() == [7.0, "1–4", 0.0, 12.0, "1–4", None, 9.0, "1–4"]


def test_line_name_never_repeats_another_heading() -> None:
    chart = charts_by_key()["2.2--anmalda-brott"]
    assert tables.line_name(ChartData(**{**chart.__dict__, "scope_name": "Mål"})) == "Mål (utfall)"
    assert tables.line_name(ChartData(**{**chart.__dict__, "scope_name": " "})) == "Utfall"


def test_pack_tables_name_every_chart_once_in_slide_order() -> None:
    assert list(tables.pack_tables(sample_pack())) == [
        "1.1--trygghet", "2.2--anmalda-brott", "plats-torget--skjutningar"]


# --- CSV ----------------------------------------------------------------------------------------------------


def test_csv_is_swedish_excel_style_and_round_trips_the_numbers() -> None:
    data = tables.to_csv(tables.chart_table(charts_by_key()["1.1--trygghet"]))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Period;Hässelby-Vällingby;Förra året;Mål"
    assert "\r\n" in text and "2025;63,75;;" in text
    back = read_csv(data)
    assert back["Hässelby-Vällingby"].tolist() == [58.5, 63.75]
    assert back["Period"].astype(str).tolist() == ["2023", "2025"]


def test_csv_round_trips_counts() -> None:
    back = read_csv(tables.to_csv(tables.chart_table(charts_by_key()["2.2--anmalda-brott"])))
    assert back["Hässelby-Vällingby"].tolist() == [30, 28, 33, 29, 31, 35, 30, 27]
    assert back["Förra året"].tolist() == [40, 42, 38, 45, 50, 47, 52, 55]


def test_csv_of_a_sensitive_chart_holds_no_1_4_number() -> None:
    data = tables.to_csv(tables.chart_table(charts_by_key()["plats-torget--skjutningar"]))
    back = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    cells = back.iloc[:, 1:3].to_numpy().ravel().tolist()
    assert cells.count("1–4") == 5  # three values, two of last year's
    assert not {"1", "2", "3", "4", "1,0", "3,0", "4,0"} & set(cells)
    assert back.iloc[:, 1].tolist() == ["7", "1–4", "0", "12", "1–4", "", "9", "1–4"]


@pytest.mark.parametrize("text", ["=1+1", "+46 8 508 000 00", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_csv_neutralises_formula_looking_text(text: str) -> None:
    frame = pd.DataFrame({"Namn": [text, "Torget"], text: [1.5, -2.0]})
    back = read_csv(tables.to_csv(frame))
    assert back.columns.tolist() == ["Namn", f"'{text}"]
    assert back["Namn"].tolist()[0] == f"'{text}"
    assert back[f"'{text}"].tolist() == [1.5, -2.0]  # numbers, negative ones included, stay numbers


def test_csv_heading_that_looks_like_a_formula_is_neutralised() -> None:
    data = tables.to_csv(tables.chart_table(charts_by_key()["plats-torget--skjutningar"]))
    assert read_csv(data).columns.tolist()[1] == f"'{FORMULA_PLACE}"  # its ';' is quoted, its '=' guarded


def test_csv_number_is_swedish() -> None:
    assert [tables.csv_number(v) for v in (3.0, -2.5, 1234567.0, 0.125, 1 / 3)] == [
        "3", "-2,5", "1234567", "0,125", "0,333333333333333"]


# --- Excel --------------------------------------------------------------------------------------------------


def test_xlsx_has_a_contents_sheet_and_a_sheet_per_chart_with_numbers_as_numbers() -> None:
    frames = tables.pack_tables(sample_pack())
    data = tables.to_xlsx(frames)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == ["Innehåll", "1.1--trygghet", "2.2--anmalda-brott", "plats-torget--skjutningar"]
    crimes = sheets["2.2--anmalda-brott"]
    assert crimes.columns.tolist() == ["Period", "Hässelby-Vällingby", "Förra året", "Mål"]
    assert crimes["Hässelby-Vällingby"].tolist() == [30, 28, 33, 29, 31, 35, 30, 27]
    assert sheets["1.1--trygghet"]["Hässelby-Vällingby"].tolist() == [58.5, 63.75]
    contents = sheets["Innehåll"]
    assert contents["Diagram"].tolist()[1] == "Anmälda brott per månad"
    assert contents["Anmärkning"].fillna("").tolist() == ["", "", fmt.SUPPRESSION_NOTE]
    book = load_workbook(io.BytesIO(data))
    cell = book["2.2--anmalda-brott"]["B2"]
    assert cell.data_type == "n" and cell.value == 30


def test_xlsx_sensitive_sheet_holds_1_4_as_text_and_no_formula() -> None:
    data = tables.to_xlsx(tables.pack_tables(sample_pack()))
    book = load_workbook(io.BytesIO(data))
    sheet = book["plats-torget--skjutningar"]
    assert sheet["B1"].value == f"'{FORMULA_PLACE}" and sheet["B1"].data_type == "s"
    values = [row[0].value for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
    assert values == [7, "1–4", 0, 12, "1–4", None, 9, "1–4"]
    numbers = [c.value for row in sheet.iter_rows(min_row=2, min_col=2, max_col=4) for c in row
               if c.data_type == "n" and c.value is not None]
    assert not [n for n in numbers if 0 < n < 5]
    assert all(c.data_type != "f" for s in book.worksheets for row in s.iter_rows() for c in row)


@pytest.mark.parametrize("text", ["=1+1", "+46", "-x", "@A1", "\t=1", "\r=1"])
def test_xlsx_neutralises_formula_looking_text(text: str) -> None:
    book = load_workbook(io.BytesIO(tables.to_xlsx({"blad": pd.DataFrame({"Namn": [text], "Värde": [-1.5]})})))
    sheet = book["blad"]
    assert sheet["A2"].value == f"'{text}" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -1.5 and sheet["B2"].data_type == "n"


def test_sheet_names_are_short_unique_and_allowed() -> None:
    long = "plats-hasselby-strand-tunnelbana--anmalda-brott"
    names = tables.sheet_names([long, long + "-x", "a/b:c*d?[e]", "Innehåll", "ABC", "abc"])
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert names[0] == long[:31] and names[1] == long[:29] + "~2"
    assert names[2] == "a_b_c_d__e_" and names[3] == "Innehåll~2" and names[5] == "abc~2"


def test_xlsx_without_chart_frames_has_no_contents_sheet() -> None:
    data = tables.to_xlsx({"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": [2.5]})})
    assert list(pd.read_excel(io.BytesIO(data), sheet_name=None)) == ["a", "b"]
    with pytest.raises(ValueError, match="Inga tabeller"):
        tables.to_xlsx({})
