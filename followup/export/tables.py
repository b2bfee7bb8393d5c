"""The numbers behind every chart, as Excel (.xlsx) and CSV in the Swedish Excel style.

chart_table(chart) is the one table of a chart: Period, the line's name (the district or the place),
Förra året, Mål. A sensitive count of 1–4 is the text "1–4" in every writer, never the number, and a value
made from one is fmt.HIDDEN_DERIVED (the pack's flags; a number 1–4 left in a sensitive frame is hidden
here too, not only trusted from the pack). Text cells that a spreadsheet would read as a formula
(starting with =, +, -, @, tab or carriage return) are neutralised in both formats by the package's
shared followup.export.neutralise.

CSV: semicolon, decimal comma, UTF-8 with BOM, CRLF: a Swedish Excel opens it with a double click.
Excel: one sheet per chart (names of at most 31 characters, unique) and a first sheet "Innehåll" naming
each sheet's chart, scope, source and data date; numbers are numbers, not text.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from followup import fmt
from followup.charts.frames import HIDDEN, LAST_YEAR_HIDDEN, reason
from followup.export import neutralise
from followup.pack import ChartData, Pack

PERIOD = "Period"
LAST_YEAR = "Förra året"
TARGET = "Mål"
DEFAULT_LINE = "Utfall"
NUMBER_COLUMNS = ("value", "last_year", "target")
"""ChartData.frame columns that hold numbers; each becomes a table column after Period."""
CONTENTS = "Innehåll"
MAX_SHEET_NAME = 31
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0##"
"""Excel number formats (Excel shows them with the reader's separators: '1 234,5' in Swedish)."""
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

def _is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


HIDDEN_FLAGS = {"value": HIDDEN, "last_year": LAST_YEAR_HIDDEN}
"""The ChartData.frame column that says what is shown instead of each hidden number column."""


def _hidden_texts(chart: ChartData, column: str) -> list[str]:
    """Per row the text shown instead of a hidden value of the column ('' when not hidden): the frame's flag,
    and for a hand-made frame without flags the chart plan's protected rows (chart.shown) by period."""
    frame, flag = chart.frame, HIDDEN_FLAGS.get(column)
    texts = [reason(v) for v in frame[flag]] if flag and flag in frame.columns else [""] * len(frame)
    shown = chart.shown
    if flag and shown is not None and flag in shown.columns and "period_start" in shown.columns:
        by_start = {pd.Timestamp(s).date(): reason(v) for s, v in zip(shown["period_start"], shown[flag], strict=True)}
        starts = [pd.Timestamp(start).date() for start in frame["period_start"]]
        texts = [text or by_start.get(start, "") for text, start in zip(texts, starts, strict=True)]
    return texts


def _cell(value: Any, hidden: str, sensitive: bool) -> float | str | None:
    """A table cell: the number; '1–4' (or the hidden text) for a hidden sensitive value; None when missing.
    A number left 1–4 in a sensitive chart's frame is hidden here too (the frame is not trusted)."""
    if hidden:
        return hidden
    if _is_missing(value):
        return None
    number = float(value)
    return fmt.SUPPRESSED if fmt.must_hide(number, sensitive) else number


def line_name(chart: ChartData) -> str:
    """The heading of the chart's own values: its scope's name, never one of the other headings."""
    name = chart.scope_name.strip() or DEFAULT_LINE
    return f"{name} (utfall)" if name in (PERIOD, LAST_YEAR, TARGET) else name


def chart_table(chart: ChartData) -> pd.DataFrame:
    """The numbers behind a chart: Period, <scope name>, Förra året, Mål; hidden 1–4 as the text '1–4'."""
    frame = chart.frame
    columns: dict[str, list[Any]] = {PERIOD: [str(label) for label in frame["period"]]}
    for column, heading in zip(NUMBER_COLUMNS, (line_name(chart), LAST_YEAR, TARGET), strict=True):
        hidden = _hidden_texts(chart, column)
        values = frame[column] if column in frame.columns else [None] * len(frame)
        columns[heading] = [_cell(value, text, chart.sensitive) for value, text in zip(values, hidden, strict=True)]
    table = pd.DataFrame(columns, dtype=object)
    table.attrs = {
        "title": chart.title,
        "scope": chart.scope_name,
        "source": chart.source,
        "data_date": chart.data_date,
        "sensitive": chart.sensitive,
        "unit": str(chart.unit),
    }
    return table


def pack_tables(pack: Pack) -> dict[str, pd.DataFrame]:
    """chart_table of every chart of a pack by ChartData.key, in slide order, each key once."""
    tables: dict[str, pd.DataFrame] = {}
    for slide in pack.slides:
        for chart in slide.charts:
            if chart.key not in tables:
                tables[chart.key] = chart_table(chart)
    return tables


# --- CSV ---------------------------------------------------------------------------------------------------


def csv_number(value: float) -> str:
    """A number as a Swedish Excel reads it in a CSV: decimal comma, no grouping, no exponent for our sizes."""
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}".replace(".", ",")


def _csv_cell(value: Any) -> str:
    """A cell's CSV text: numbers Swedish, text neutralised, missing empty."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | float):
        return csv_number(float(value))
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def to_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV for a Swedish Excel: semicolon, decimal comma, UTF-8 with BOM, CRLF line ends."""
    text = pd.DataFrame(
        {neutralise(str(heading)): [_csv_cell(value) for value in frame[heading]] for heading in frame.columns},
        dtype=object,
    )
    if len(set(text.columns)) != len(frame.columns):
        raise ValueError("Tabellen har två kolumner med samma rubrik; ge dem olika namn.")
    return text.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")


# --- Excel -------------------------------------------------------------------------------------------------


def sheet_names(keys: Iterable[str]) -> list[str]:
    """Excel sheet names for the keys: forbidden characters replaced, at most 31 characters, all unique."""
    names: list[str] = []
    taken = {CONTENTS.casefold()}
    for key in keys:
        base = _SHEET_FORBIDDEN.sub("_", str(key)).strip("'").strip() or "Diagram"
        name, number = base[:MAX_SHEET_NAME], 1
        while name.casefold() in taken:  # Excel compares sheet names without case
            number += 1
            suffix = f"~{number}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _xlsx_cell(value: Any) -> Any:
    """A cell's value for openpyxl: numbers as numbers, text neutralised (openpyxl writes '=…' as a formula)."""
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if isinstance(value, date):
        return value
    return neutralise(str(value))


def _write_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    """A frame as a plain table: bold headings on row 1, frozen, columns wide enough to read."""
    headings = [neutralise(str(heading)) for heading in frame.columns]
    sheet.append(headings)
    for record in frame.itertuples(index=False):
        sheet.append([_xlsx_cell(value) for value in record])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = INTEGER_FORMAT if isinstance(cell.value, int) else DECIMAL_FORMAT
    for index, heading in enumerate(headings, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.cell(row=1, column=index).alignment = Alignment(wrap_text=True, vertical="top")
        longest = max([len(heading), *(len(str(v)) for v in frame.iloc[:, index - 1] if not _is_missing(v))])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(12, longest + 2), 60)
    sheet.freeze_panes = "A2"


def _contents(frames: Mapping[str, pd.DataFrame], names: list[str]) -> pd.DataFrame:
    """The first sheet: which chart each sheet holds, its scope, source and data date, and the 1–4 note."""
    rows = []
    for name, frame in zip(names, frames.values(), strict=True):
        attrs = frame.attrs
        data_date = attrs.get("data_date")
        rows.append({
            "Flik": name,
            "Diagram": attrs.get("title", ""),
            "Område": attrs.get("scope", ""),
            "Källa": attrs.get("source", ""),
            "Data t.o.m.": data_date.isoformat() if isinstance(data_date, date) else "",
            "Anmärkning": fmt.SUPPRESSION_NOTE if attrs.get("sensitive") else "",
        })
    return pd.DataFrame(rows, dtype=object)


def to_xlsx(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """The frames as an Excel workbook: a sheet per frame (named by its key, ≤ 31 characters, unique).

    Frames made by chart_table carry their chart's title and source, so a first sheet "Innehåll" says
    which chart each sheet holds.
    """
    if not frames:
        raise ValueError("Inga tabeller att skriva till Excel.")
    names = sheet_names(frames)
    book = Workbook()
    first = book.active
    if any(frame.attrs.get("title") for frame in frames.values()):
        first.title = CONTENTS
        _write_sheet(first, _contents(frames, names))
        first = None
    for index, (name, frame) in enumerate(zip(names, frames.values(), strict=True)):
        if index == 0 and first is not None:
            first.title = name
            sheet = first
        else:
            sheet = book.create_sheet(name)
        _write_sheet(sheet, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
