"""The year-end compilation as an Excel workbook: a summary sheet, then one sheet per priority area.

Each area sheet holds the goals with their status for the year (icon + word, never colour alone), the
activities with their status at the year's end (done and not done), the steering group's analysis and
the numbers behind the area's charts (hidden 1–4 counts stay empty cells). Slides of other kinds that a
Pack may hold (places, the action plan, commitments) get a sheet of the same shape.

Every text cell goes through followup.export.neutralise (a leading =, +, -, @ gets an apostrophe) and is
stored as a string, so Excel never evaluates user text; numbers are numeric cells with Excel number codes.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from followup.charts import theme
from followup.export import neutralise
from followup.fmt import printable
from followup.export.deck import DEMO_NOTE, LAST_YEAR_NAME, NUMBER_FORMATS, TARGET_NAME, chart_values
from followup.model import Unit
from followup.pack import ChartData, Pack, Slide, SlideKind
from followup.periods import MONTH_NAMES
from followup.status import DISPLAY, Trend

SUMMARY_SHEET = "Sammanfattning"
SHEET_NAME_MAX = 31
"""Excel's limit on a sheet name's length."""
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
STATUS_COLUMN = "Status"
"""The activity table's status column (pack.YEAR_ACTIVITY_COLUMNS)."""

_BOLD = Font(bold=True)
_HEADING = Font(bold=True, size=14)
_TITLE = Font(bold=True, size=16)
_MUTED = Font(color=theme.MUTED.lstrip("#"))
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def year_end_workbook(pack: Pack, *, today: date | None = None) -> bytes:
    """The year-end Pack as .xlsx bytes: a summary sheet and a sheet per area (and per other content slide)."""
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY_SHEET
    content = [slide for slide in pack.slides if slide.kind not in (SlideKind.TITLE, SlideKind.OVERVIEW)]
    names = _sheet_names([slide.title for slide in content])
    _summary(summary, pack, content, names, today or date.today())
    for slide, name in zip(content, names, strict=True):
        _slide_sheet(book.create_sheet(name), pack, slide)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_cell(sheet: Worksheet, row: int, column: int, value: object) -> None:
    """Write text that Excel shows and never evaluates: neutralised, control characters removed, type string."""
    text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(str(value)))
    cell = sheet.cell(row=row, column=column, value=text)
    cell.data_type = "s"


def _number_cell(sheet: Worksheet, row: int, column: int, value: float | None, number_format: str) -> None:
    """A numeric cell with an Excel number code; None stays an empty cell (missing or a hidden 1–4)."""
    if value is None:
        return
    cell = sheet.cell(row=row, column=column, value=float(value))
    cell.number_format = number_format


def _sheet_names(titles: Sequence[str]) -> list[str]:
    """Valid, unique sheet names from slide titles: forbidden characters removed, at most 31 characters."""
    names: list[str] = []
    used = {SUMMARY_SHEET.casefold()}
    for title in titles:
        base = _SHEET_FORBIDDEN.sub(" ", printable(title)).strip(" '") or "Blad"
        base = " ".join(base.split())[:SHEET_NAME_MAX].rstrip()
        name, number = base, 2
        while name.casefold() in used:
            suffix = f" ({number})"
            name, number = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix, number + 1
        used.add(name.casefold())
        names.append(name)
    return names


def _status(trend: Trend | None) -> str:
    """'▲ Förbättras': the status as icon and word."""
    shown = DISPLAY[trend or Trend.NO_DATA]
    return f"{shown.icon} {shown.word}"


def _date_text(day: date) -> str:
    """'31 december 2025'."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _header(sheet: Worksheet, row: int, headings: Sequence[str]) -> None:
    """A bold, lightly filled header row."""
    for column, heading in enumerate(headings, start=1):
        text_cell(sheet, row, column, heading)
        sheet.cell(row=row, column=column).font = _BOLD
        sheet.cell(row=row, column=column).fill = _HEADER_FILL


def _summary(sheet: Worksheet, pack: Pack, slides: Sequence[Slide], names: Sequence[str], today: date) -> None:
    """The summary: what the workbook is, then one row per area with its status, goals and activities."""
    title = next((slide.title for slide in pack.slides if slide.kind is SlideKind.TITLE),
                 f"Årssammanställning {pack.period.label} – {pack.district_name}")
    text_cell(sheet, 1, 1, title)
    sheet.cell(row=1, column=1).font = _TITLE
    facts = [("Stadsdelsområde", pack.district_name), ("Period", pack.period.label),
             ("Data t.o.m.", _date_text(pack.data_date) if pack.data_date else "ingen data än"),
             ("Framtagen", _date_text(today))]
    if pack.demo:
        facts.append(("Obs!", DEMO_NOTE))
    for row, (label, value) in enumerate(facts, start=3):
        text_cell(sheet, row, 1, label)
        sheet.cell(row=row, column=1).font = _BOLD
        text_cell(sheet, row, 2, value)
    row = len(facts) + 4
    headings = ["Område", "Flik", "Status", "Förklaring", "Mål per status", "Insatser per status"]
    _header(sheet, row, headings)
    for slide, name in zip(slides, names, strict=True):
        row += 1
        goals = Counter(DISPLAY[line.trend].word for line in slide.lines)
        values = [slide.title, name, _status(slide.status) if slide.status else "", slide.status_text,
                  _counts(goals), _counts(_activity_statuses(slide.table))]
        for column, value in enumerate(values, start=1):
            text_cell(sheet, row, column, value)
            sheet.cell(row=row, column=column).alignment = _WRAP
    _widths(sheet, [38, 28, 20, 60, 34, 34])


def _counts(counter: Counter[str]) -> str:
    """'Förbättras: 2, Oförändrat: 1' ('–' when empty)."""
    return ", ".join(f"{word}: {count}" for word, count in counter.items()) or "–"


def _activity_statuses(table: pd.DataFrame | None) -> Counter[str]:
    """How many activities have each status word (the table's 'Status' column)."""
    if table is None or STATUS_COLUMN not in table.columns:
        return Counter()
    return Counter(str(value) for value in table[STATUS_COLUMN].tolist())


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    """Column widths in characters, from column A."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def _slide_sheet(sheet: Worksheet, pack: Pack, slide: Slide) -> None:
    """One area (or other slide): title and status, goals, activities, analysis, the chart numbers, source."""
    text_cell(sheet, 1, 1, slide.title)
    sheet.cell(row=1, column=1).font = _TITLE
    row = 2
    if slide.status is not None:
        text_cell(sheet, row, 1, _status(slide.status))
        sheet.cell(row=row, column=1).font = _BOLD
        text_cell(sheet, row, 2, slide.status_text)
        row += 1
    if slide.lines:
        row = _section(sheet, row + 1, "Mål och status")
        _header(sheet, row, ["Mål", "Status", "Förklaring"])
        for line in slide.lines:
            row += 1
            for column, value in enumerate([line.label, _status(line.trend), line.text], start=1):
                text_cell(sheet, row, column, value)
                sheet.cell(row=row, column=column).alignment = _WRAP
    if slide.table is not None and len(slide.table.columns):
        row = _section(sheet, row + 2, "Insatser")
        row = _table(sheet, row, slide.table)
    if slide.comment:
        row = _section(sheet, row + 2, "Styrgruppens analys")
        text_cell(sheet, row, 1, slide.comment)
        sheet.cell(row=row, column=1).alignment = _WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        sheet.row_dimensions[row].height = min(400, 15 * (1 + len(slide.comment) // 110))
    if slide.note:
        row += 2
        text_cell(sheet, row, 1, slide.note)
        sheet.cell(row=row, column=1).font = _MUTED
    for chart in slide.charts:
        row = _chart(sheet, row + 2, chart)
    row += 2
    footer = slide.footer or pack.district_name
    text_cell(sheet, row, 1, footer if not pack.demo or DEMO_NOTE in footer else f"{footer} · {DEMO_NOTE}")
    sheet.cell(row=row, column=1).font = _MUTED
    _widths(sheet, [60, 22, 70, 16, 16, 16, 16])


def _section(sheet: Worksheet, row: int, heading: str) -> int:
    """A section heading; the row after it."""
    text_cell(sheet, row, 1, heading)
    sheet.cell(row=row, column=1).font = _HEADING
    return row + 1


def _table(sheet: Worksheet, row: int, table: pd.DataFrame) -> int:
    """A Pack table (activities, commitments) with its Swedish headings; the last row written."""
    _header(sheet, row, [str(column) for column in table.columns])
    for values in table.itertuples(index=False):
        row += 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, bool) or value is None or (not isinstance(value, str) and pd.isna(value)):
                text_cell(sheet, row, column, "Ja" if value is True else "Nej" if value is False else "–")
            elif isinstance(value, int | float):
                _number_cell(sheet, row, column, float(value), "General")
            else:
                text_cell(sheet, row, column, value)
                sheet.cell(row=row, column=column).alignment = _WRAP
    return row


def _chart(sheet: Worksheet, row: int, chart: ChartData) -> int:
    """The numbers behind one chart: period, value, last year, target (hidden 1–4 as empty cells)."""
    text_cell(sheet, row, 1, chart.title)
    sheet.cell(row=row, column=1).font = _BOLD
    if chart.assessment_text:
        row += 1
        text_cell(sheet, row, 1, chart.assessment_text)
        sheet.cell(row=row, column=1).alignment = _WRAP
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        sheet.row_dimensions[row].height = 30
    row += 1
    columns = [("value", chart.scope_name), ("last_year", LAST_YEAR_NAME), ("target", TARGET_NAME)]
    series = [(heading, chart_values(chart, column)) for column, heading in columns]
    series = [(heading, values) for heading, values in series if any(v is not None for v in values)] or series[:1]
    _header(sheet, row, ["Period", *(heading for heading, _ in series)])
    number_format = NUMBER_FORMATS.get(Unit(chart.unit), "General")
    for index, period in enumerate(chart.frame["period"].tolist()):
        row += 1
        text_cell(sheet, row, 1, period)
        for column, (_, values) in enumerate(series, start=2):
            _number_cell(sheet, row, column, values[index], number_format)
    if chart.sensitive:
        row += 1
        text_cell(sheet, row, 1, "Tomma celler: värdet saknas, eller det är 1–4 eller bygger på ett värde 1–4 och "
                                 "visas inte (känsligt nyckeltal).")
        sheet.cell(row=row, column=1).font = _MUTED
    row += 1
    text_cell(sheet, row, 1, f"Källa: {chart.source}")
    sheet.cell(row=row, column=1).font = _MUTED
    return row
