"""Reading a spreadsheet (.xlsx) or CSV file into a Table of strings, refusing files that are not one.

CSV files are read as Swedish Excel writes them: the separator (semicolon, comma or tab) and the encoding
(UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) are detected, never asked for. Every cell
becomes a string ('' when empty); numbers, dates and periods are parsed later (followup.imports.parsing).
The header row may have up to MAX_TITLE_ROWS title rows above it; in a workbook the first sheet whose
header row has the required columns is read. Rows are numbered as the user sees them in Excel (the first
row of the file is row 1), and wholly blank rows are skipped.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

import numpy as np
import pandas as pd

from followup.imports.base import (MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_PROBLEMS, MAX_ROWS,
                                   MAX_UNPACKED_BYTES, LoadRefused, Problem, file_limit, megabytes, row_limit,
                                   size_problem, unpacked_limit)
from followup.imports.text import normalise

Columns = Mapping[str, Sequence[str]]
"""A column's canonical name -> the headings accepted for it (matched with text.normalise)."""

MAX_TITLE_ROWS = 10
"""How many rows above the header row (titles, notes) are looked through for the header."""

SEPARATORS = (";", ",", "\t")
"""CSV separators tried, in order of preference when two fit equally well."""

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "filen är en bild (PNG), inte ett kalkylark"),
    (b"\xff\xd8\xff", "filen är en bild (JPEG), inte ett kalkylark"),
    (b"GIF87a", "filen är en bild (GIF), inte ett kalkylark"),
    (b"GIF89a", "filen är en bild (GIF), inte ett kalkylark"),
    (b"%PDF", "filen är ett PDF-dokument, inte ett kalkylark"),
    (b"BM", None),  # a BMP image only when the rest fits, checked below
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FIX_SAVE = "Spara filen som Excel-arbetsbok (.xlsx) eller CSV (semikolonavgränsad) och ladda den igen."


@dataclass(frozen=True)
class Table:
    """A sheet's rows as strings, keyed by normalised heading, with the file's own headings and row numbers."""

    file_name: str
    headings: tuple[str, ...]  # the header row as written, one per column ('' for an empty heading)
    columns: dict[str, str]  # normalised heading -> heading as written
    rows: pd.DataFrame  # one column per normalised heading, every cell a str ('' when empty)
    row_numbers: np.ndarray  # each row's number in the file as the user sees it (the first row is 1)
    sheet: str | None = None  # the sheet read, for a workbook
    problems: list[Problem] = field(default_factory=list)  # rows that do not fit the header (CSV)

    def match(self, spec: Columns) -> dict[str, str]:
        """The canonical names of SPEC found among the headings -> their normalised heading."""
        found = {}
        for name, accepted in spec.items():
            for heading in (name, *accepted):
                key = normalise(heading)
                if key in self.columns:
                    found[name] = key
                    break
        return found

    def heading(self, key: str) -> str:
        """The heading as written in the file for a normalised heading."""
        return self.columns.get(key, key)


def refuse(file_name: str, message: str) -> LoadRefused:
    """A LoadRefused for a whole-file problem."""
    return LoadRefused([Problem(file_name, None, None, message)])


def read_table(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    required: Columns | None = None,
    optional: Columns | None = None,
) -> Table:
    """Read a .csv or .xlsx file's header row and rows; LoadRefused (in Swedish) when it cannot be read."""
    required = required or {}
    optional = optional or {}
    kind = file_kind(data, file_name)
    if kind == "xlsx":
        return _read_xlsx(data, file_name, sheet, required, optional)
    return _read_csv(data, file_name, required, optional)


def file_kind(data: bytes, file_name: str) -> str:
    """'xlsx' or 'csv' from the file's content; LoadRefused for empty, huge, binary or old Excel files."""
    suffix = PurePath(file_name).suffix.lower()
    if not data or not data.strip():
        raise refuse(file_name, "filen är tom. Välj filen med värdena och ladda den igen.")
    if (too_large := size_problem(len(data), file_limit(MAX_FILE_BYTES))) is not None:
        raise refuse(file_name, too_large)
    for magic, message in _MAGIC:
        if data.startswith(magic) and message:
            raise refuse(file_name, f"{message}. {_FIX_SAVE}")
    if data.startswith(_OLE) or suffix == ".xls":
        raise refuse(
            file_name,
            "filen är i det gamla Excel-formatet (.xls) eller lösenordsskyddad. Öppna den i Excel, välj "
            "Spara som > Excel-arbetsbok (.xlsx) utan lösenord och ladda den nya filen.",
        )
    if data.startswith(_ZIP):
        if _is_xlsx(data):
            _refuse_zip_bomb(data, file_name)
            return "xlsx"
        raise refuse(file_name, f"filen är ett zip-arkiv men inte en Excel-arbetsbok (.xlsx). {_FIX_SAVE}")
    if suffix in (".xlsx", ".xlsm"):
        raise refuse(file_name, f"filen heter {suffix} men är ingen Excel-arbetsbok (den är trasig eller av annat slag). {_FIX_SAVE}")
    if _looks_binary(data):
        raise refuse(file_name, f"filen innehåller binära data, inte text eller ett kalkylark. {_FIX_SAVE}")
    return "csv"


def _is_xlsx(data: bytes) -> bool:
    """Whether a zip archive is an Excel workbook (holds xl/workbook.xml)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _refuse_zip_bomb(data: bytes, file_name: str) -> None:
    """LoadRefused when a workbook would unpack to more than MAX_UNPACKED_BYTES (sizes from its directory; the
    zip reader never returns more than a part's recorded size)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    most = unpacked_limit(MAX_UNPACKED_BYTES)
    if unpacked > most:
        raise refuse(
            file_name,
            f"arbetsboken packas upp till {megabytes(unpacked)} MB, mer än de {megabytes(most, up=False)} MB som kan "
            "läsas. Dela upp den i flera filer, eller spara den som CSV (UTF-8) och ladda den i delar.",
        )


def _looks_binary(data: bytes) -> bool:
    """Whether the start of a file is binary rather than text (NUL bytes or many control characters)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text with BOM
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    return controls > len(head) // 100 + 2


# --- CSV -------------------------------------------------------------------------------------------------


def decode(data: bytes, file_name: str) -> str:
    """The text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
        _refuse_mixed_encodings(data, file_name)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1252", "latin-1")
        _refuse_mixed_encodings(data, file_name)
    for encoding in encodings:
        try:
            return _unix_lines(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise refuse(
        file_name,
        "filens teckenkodning gick inte att läsa. Spara filen från Excel som CSV UTF-8 (semikolonavgränsad) "
        "och ladda den igen.",
    )


def _unix_lines(text: str) -> str:
    """TEXT with old Mac line ends (a lone CR, as Excel for Mac wrote CSV) as line feeds; other text unchanged."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


_UTF8_LETTERS = (b"\xc3\xa5", b"\xc3\xa4", b"\xc3\xb6", b"\xc3\x85", b"\xc3\x84", b"\xc3\x96", b"\xc3\xa9")
"""å ä ö Å Ä Ö é as UTF-8 bytes: a file that has them is meant to be UTF-8."""


def _refuse_mixed_encodings(data: bytes, file_name: str) -> None:
    """Refuse a file that is UTF-8 in places and not in others (lines pasted from two files)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if any(letters in data for letters in _UTF8_LETTERS):
            row = data[: error.start].count(b"\n") + 1
            raise refuse(
                file_name,
                f"filen blandar teckenkodningar: den är skriven i UTF-8, men rad {row} har tecken i en annan "
                "kodning (troligen Windows-1252, till exempel inklistrat från en annan fil). Öppna filen i Excel "
                "och spara hela filen som CSV UTF-8, och ladda den igen.",
            ) from error


def detect_separator(lines: Sequence[str]) -> str:
    """The separator that splits the sample lines into the most equal, widest rows (';' wins ties)."""
    best, best_score = ";", (-1, -1)
    for separator in SEPARATORS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=separator) if any(cell.strip() for cell in row)]
        except csv.Error:  # a line that is one huge field with this separator: not the separator
            continue
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = separator, score
    return best


def _read_csv(data: bytes, file_name: str, required: Columns, optional: Columns) -> Table:
    """Read a CSV file (separator and encoding detected) into a Table."""
    text = decode(data, file_name)
    _refuse_long(text, file_name)
    sample_lines = text[:200_000].splitlines()[: MAX_TITLE_ROWS + 50]
    separator = detect_separator(sample_lines)
    reader = csv.reader(_lines(text), delimiter=separator)  # not StringIO: it copies the text at 4 bytes a character
    head: list[tuple[int, list[str]]] = []  # (physical lines read so far, record)
    for record in _records(reader, file_name):
        head.append((reader.line_num, record))
        if len(head) > MAX_TITLE_ROWS:
            break
    records = [record for _, record in head]
    index = _header_index(records, required, file_name, sheet=None)
    header = records[index]
    lines_before = head[index][0]  # physical lines up to and including the header
    width = len(header)
    _refuse_wide(width, index + 1, file_name)
    if '"' in text:  # quoted cells may hold separators and line breaks: the csv module reads them exactly
        frame, problems = _read_ragged(text, separator, lines_before, width, index + 1, file_name)
    else:
        problems, longer = _width_problems(text, separator, lines_before, width, index + 1, file_name)
        if longer:
            frame, problems = _read_ragged(text, separator, lines_before, width, index + 1, file_name)
        else:
            frame = pd.read_csv(
                io.BytesIO(text.encode("utf-8")),  # a StringIO would hold the text at 4 bytes a character
                encoding="utf-8",
                sep=separator,
                header=None,
                names=list(range(width)),
                index_col=False,
                skiprows=lines_before,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quoting=csv.QUOTE_NONE,
            )
    numbers = np.arange(len(frame), dtype=np.int64) + index + 2
    return _table(file_name, None, header, frame, numbers, problems, required, optional)


def _width_problems(
    text: str, separator: str, skip_lines: int, width: int, header_row: int, file_name: str
) -> tuple[list[Problem], bool]:
    """Problems for unquoted rows with another number of fields than the header; True if any is longer."""
    whole = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)  # UTF-8 keeps ASCII bytes unambiguous
    breaks = np.flatnonzero(whole == ord("\n"))
    offset = 0  # where the rows below the header start
    if skip_lines:
        offset = int(breaks[skip_lines - 1]) + 1 if len(breaks) >= skip_lines else len(whole)
    buffer = whole[offset:]  # a view: the rows below the header
    ends = breaks[breaks >= offset] - offset
    if len(buffer) and buffer[-1] != ord("\n"):
        ends = np.append(ends, len(buffer))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    marks = np.flatnonzero(buffer == ord(separator))
    counts = np.searchsorted(marks, ends) - np.searchsorted(marks, starts) + 1
    odd = np.flatnonzero(counts != width)
    rows = [i for i in odd if bytes(buffer[starts[i] : ends[i]]).strip()]  # a blank line is no problem
    problems = [_width_problem(file_name, header_row + 1 + int(i), int(counts[i]), width) for i in rows]
    return problems, bool(any(counts[i] > width for i in rows))


def _read_ragged(text: str, separator: str, skip_lines: int, width: int, header_row: int, file_name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read rows of any length with the csv module; rows longer or shorter than the header become problems."""
    records, problems = [], []
    reader = csv.reader(itertools.islice(_lines(text), skip_lines, None), delimiter=separator)
    for number, record in enumerate(_records(reader, file_name, skip_lines), start=header_row + 1):
        if len(record) != width and any(cell.strip() for cell in record):
            extra = record[width:]
            if len(record) < width or any(cell.strip() for cell in extra):
                problems.append(_width_problem(file_name, number, len(record), width))
        records.append((record + [""] * width)[:width])
    return pd.DataFrame(records, columns=list(range(width)), dtype=object), problems


def _lines(text: str) -> Iterator[str]:
    """The lines of TEXT with their line ends, one at a time (csv.reader reads any iterator of lines)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _records(reader: Iterator[list[str]], file_name: str, lines_before: int = 0) -> Iterator[list[str]]:
    """The reader's records; LoadRefused naming the line where the csv module gives up (a cell over its limit)."""
    try:
        yield from reader
    except csv.Error as error:
        row = lines_before + getattr(reader, "line_num", 0)
        raise LoadRefused([Problem(
            file_name, row, None,
            "raden kunde inte läsas: en cell är längre än 131 072 tecken eller ett citattecken saknar sitt "
            "avslutande citattecken, så resten av filen blir en enda cell. Rätta eller korta cellen (Excel rymmer "
            "högst 32 767 tecken i en cell) och spara filen igen.",
        )]) from error


def _refuse_long(text: str, file_name: str) -> None:
    """LoadRefused for a CSV of more than MAX_ROWS lines, counted before any is parsed: a file of short
    rows would become millions of cells (gigabytes) in the reader."""
    lines, most = text.count("\n"), row_limit(MAX_ROWS)
    if lines > most + MAX_TITLE_ROWS + 1:
        raise refuse(file_name, f"filen har {lines} rader; högst {most} kan läsas i en fil. Dela upp den i flera "
                                "(till exempel en per år) och ladda dem var för sig.")


def _refuse_wide(width: int, row: int, file_name: str) -> None:
    """LoadRefused when the header row is wider than MAX_COLUMNS (every format has fewer than 20 columns)."""
    if width > MAX_COLUMNS:
        raise LoadRefused([Problem(
            file_name, row, None,
            f"rubrikraden har {width} kolumner; högst {MAX_COLUMNS} kan läsas. Ta bort de tomma eller överflödiga "
            "kolumnerna till höger (markera dem, Ta bort) och spara filen igen.",
        )])


def _long_cells(frame: pd.DataFrame, numbers: np.ndarray, headings: Sequence[str], file_name: str) -> list[Problem]:
    """Problems for cells longer than MAX_CELL_CHARS, which are emptied (the row is refused anyway)."""
    problems = []
    for position, column in enumerate(frame.columns):
        lengths = frame[column].str.len().to_numpy()
        for where in np.flatnonzero(lengths > MAX_CELL_CHARS)[:MAX_PROBLEMS]:
            problems.append(Problem(
                file_name, int(numbers[where]), headings[position] or None,
                f"cellen har {int(lengths[where])} tecken; högst {MAX_CELL_CHARS} går. Korta texten eller dela "
                "upp den, och spara filen igen.",
            ))
        if (lengths > MAX_CELL_CHARS).any():
            frame[column] = frame[column].where(lengths <= MAX_CELL_CHARS, "")
    return problems


def _width_problem(file_name: str, row: int, fields: int, width: int) -> Problem:
    """The problem for a CSV row with another number of fields than the header row."""
    if fields > width:
        message = (
            f"raden har {fields} fält men rubrikraden {width}. Ett kommatecken eller semikolon i en cell delar "
            "den i två: sätt citattecken runt cellen, eller spara filen från Excel som CSV (semikolonavgränsad)."
        )
    else:
        message = (
            f"raden har bara {fields} fält men rubrikraden {width}. Fyll i de saknade cellerna (lämna dem tomma "
            "med rätt antal avgränsare) eller spara filen från Excel igen."
        )
    return Problem(file_name, row, None, message)


# --- Excel -----------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, file_name: str, sheet: str | None, required: Columns, optional: Columns) -> Table:
    """Read the first sheet of a workbook whose header row has the required columns."""
    import openpyxl  # loaded only for workbooks

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise refuse(file_name, f"Excel-filen gick inte att läsa ({type(error).__name__}). {_FIX_SAVE}") from error
    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise refuse(file_name, f"fliken '{sheet}' finns inte. Flikarna i filen: {_quoted(names)}.")
        candidates = [sheet] if sheet is not None else names
        tried: list[tuple[str, list[list[str]]]] = []
        for name in candidates:
            worksheet = workbook[name]
            worksheet.reset_dimensions()  # the declared size (up to 16,384 columns) would pad every row to it
            head = [
                [_cell_text(value) for value in row]
                for row in _guarded_rows(worksheet, file_name, name, 1, MAX_COLUMNS + 1, MAX_TITLE_ROWS + 1)
            ]
            index = _find_header(head, required)
            if index is None:
                matched, best = _best_index(head, required)
                if matched:  # a header row with some columns: merged cells may hide the others
                    _check_merged(data, worksheet, best + 1, file_name, name)
                tried.append((name, head))
                continue
            _check_merged(data, worksheet, index + 1, file_name, name)
            width = _header_width(head[index])
            _refuse_wide(width, index + 1, file_name)
            numbers, values = _data_rows(worksheet, file_name, name, index + 2, width)
            return _sheet_table(file_name, name, head[index], values, numbers, required, optional)
        raise _no_sheet(file_name, tried, required)
    finally:
        workbook.close()


def _header_width(header: list[str]) -> int:
    """The header row's width without its empty cells on the right."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


def _guarded_rows(
    worksheet: object, file_name: str, sheet: str, min_row: int, max_col: int, max_row: int | None = None
) -> Iterator[tuple[object, ...]]:
    """The sheet's value rows from MIN_ROW (at most MAX_COL wide); LoadRefused in Swedish when the XML is damaged
    (a shared-string index that points nowhere, a cell openpyxl cannot read)."""
    number = min_row - 1
    try:
        for number, row in enumerate(
            worksheet.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True),  # type: ignore[attr-defined]
            start=min_row,
        ):
            yield row
    except LoadRefused:
        raise
    except Exception as error:  # openpyxl raises IndexError, KeyError, ValueError … for a damaged sheet
        raise LoadRefused([Problem(
            file_name, number + 1, None,
            f"fliken '{sheet}' är skadad och kunde inte läsas vid den här raden ({type(error).__name__}). {_FIX_SAVE}",
        )]) from error


def _data_rows(
    worksheet: object, file_name: str, sheet: str, first_row: int, width: int
) -> tuple[np.ndarray, list[tuple[object, ...]]]:
    """The row numbers and values of the sheet's non-blank rows from FIRST_ROW, each WIDTH wide. Blank rows are
    skipped as they are read, so a lone cell a million rows down costs nothing; more than MAX_ROWS is refused."""
    numbers: list[int] = []
    values: list[tuple[object, ...]] = []
    most = row_limit(MAX_ROWS)
    for number, row in enumerate(_guarded_rows(worksheet, file_name, sheet, first_row, max(width, 1)), start=first_row):
        if not any(cell is not None and cell != "" for cell in row):
            continue
        if len(values) >= most:
            raise refuse(file_name, f"fliken '{sheet}' har fler rader med värden än de högst {most} som kan läsas i "
                                    "en fil. Dela upp den i flera (till exempel en per år) och ladda dem var för sig.")
        numbers.append(number)
        values.append(row)
    return np.array(numbers, dtype=np.int64), values


def _sheet_table(
    file_name: str,
    sheet: str,
    header: list[str],
    values: list[tuple[object, ...]],
    numbers: np.ndarray,
    required: Columns,
    optional: Columns,
) -> Table:
    """A Table from a sheet's header and the value tuples of the rows numbered NUMBERS."""
    width = _header_width(header)
    header = header[:width]
    frame = pd.DataFrame([row[:width] for row in values], columns=list(range(width)), dtype=object)
    if frame.shape[1] < width:
        frame = frame.reindex(columns=list(range(width)))
    for column in frame.columns:
        frame[column] = _as_text(frame[column])
    return _table(file_name, sheet, header, frame, numbers, [], required, optional)


def _as_text(series: pd.Series) -> pd.Series:
    """A column of cell values as strings: numbers without a needless '.0', dates as ISO, empty as ''."""
    is_text = series.map(type).eq(str).to_numpy()
    if is_text.all():
        return series
    result = series.copy()
    other = ~is_text
    result[other] = [_cell_text(value) for value in series[other]]
    return result


def _cell_text(value: object) -> str:
    """One cell value as text: '' for empty, '12' for 12.0, '2025-03-01' or '2025-03-01 21:14:00'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _check_merged(data: bytes, worksheet: object, header_row: int, file_name: str, sheet: str) -> None:
    """LoadRefused when merged cells touch the header row (read from the sheet's XML: read-only sheets hide them)."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path.lstrip("/"))
    found = []
    for match in _MERGE.finditer(xml):
        first_col, first_row, last_col, last_row = (
            part.decode() if part else None for part in match.groups()
        )
        top, bottom = int(first_row), int(last_row or first_row)
        if top <= header_row <= bottom:
            found.append(f"{first_col}{first_row}:{last_col}{last_row}" if last_col else f"{first_col}{first_row}")
    if found:
        raise refuse(
            file_name,
            f"fliken '{sheet}' har sammanfogade rubrikceller ({', '.join(found)}). Dela upp dem (Start > "
            "Sammanfoga och centrera > Dela upp celler) och skriv en rubrik i varje kolumn.",
        )


def _no_sheet(file_name: str, tried: list[tuple[str, list[list[str]]]], required: Columns) -> LoadRefused:
    """LoadRefused naming the sheets and, for the closest one, the headings missing and found."""
    wanted = _quoted(list(required))
    best = max(tried, key=lambda item: _best_row(item[1], required)[0], default=None)
    if best is not None:
        matched, row = _best_row(best[1], required)
        if matched:
            return LoadRefused([_missing_columns(file_name, row, required, sheet=best[0])])
    sheets = _quoted([name for name, _ in tried])
    return refuse(
        file_name,
        f"ingen flik har rubrikraden som behövs ({wanted}). Flikarna i filen: {sheets}. Skriv rubrikerna "
        "i första raden på fliken med värdena (mallen visar hur).",
    )


# --- header and table ------------------------------------------------------------------------------------


def _matches(cells: Sequence[str], spec: Columns) -> int:
    """How many of SPEC's columns a row of headings has."""
    keys = {normalise(cell) for cell in cells if cell and cell.strip()}
    return sum(1 for name, accepted in spec.items() if keys & {normalise(h) for h in (name, *accepted)})


def _find_header(records: Sequence[Sequence[str]], required: Columns) -> int | None:
    """The index of the first row (of the first MAX_TITLE_ROWS + 1) with every required column; None if none."""
    for index, record in enumerate(records[: MAX_TITLE_ROWS + 1]):
        if not any(cell.strip() for cell in record):
            continue
        if not required or _matches(record, required) == len(required):
            return index
    return None


def _best_row(records: Sequence[Sequence[str]], required: Columns) -> tuple[int, list[str]]:
    """The number of required columns in the best candidate header row, and that row."""
    best: tuple[int, list[str]] = (0, [])
    for record in records[: MAX_TITLE_ROWS + 1]:
        matched = _matches(record, required)
        if matched > best[0] or not best[1] and any(cell.strip() for cell in record):
            best = (matched, list(record))
    return best


def _best_index(records: Sequence[Sequence[str]], required: Columns) -> tuple[int, int]:
    """The number of required columns in the best candidate header row, and that row's index."""
    scores = [_matches(record, required) for record in records[: MAX_TITLE_ROWS + 1]]
    if not scores:
        return 0, 0
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return scores[best], best


def _header_index(records: list[list[str]], required: Columns, file_name: str, sheet: str | None) -> int:
    """The header row's index in a CSV file's first records; LoadRefused naming the missing columns."""
    index = _find_header(records, required)
    if index is not None:
        return index
    _, row = _best_row(records, required)
    raise LoadRefused([_missing_columns(file_name, row, required, sheet=sheet)])


def _missing_columns(file_name: str, row: Sequence[str], required: Columns, sheet: str | None) -> Problem:
    """The problem for a header row without some required columns."""
    keys = {normalise(cell) for cell in row if cell and cell.strip()}
    missing = [name for name, accepted in required.items() if not keys & {normalise(h) for h in (name, *accepted)}]
    found = [cell for cell in row if cell and cell.strip()]
    where = f"fliken '{sheet}' " if sheet else "rubrikraden "
    found_text = f"Rubrikerna i filen: {_quoted(found)}." if found else "Rubrikraden är tom."
    return Problem(
        file_name,
        None,
        None,
        f"{where}saknar {'kolumnen' if len(missing) == 1 else 'kolumnerna'} {_quoted(missing)}. {found_text} "
        f"Skriv rubrikerna {_quoted(list(required))} i första raden (stora eller små bokstäver, å/ä/ö eller a/o "
        "går lika bra).",
    )


def _table(
    file_name: str,
    sheet: str | None,
    header: Sequence[str],
    frame: pd.DataFrame,
    numbers: np.ndarray,
    problems: list[Problem],
    required: Columns,
    optional: Columns,
) -> Table:
    """Name the columns by normalised heading, drop blank rows, refuse a heading written twice."""
    headings = tuple(str(cell).strip() for cell in header)
    keys = [normalise(heading) if heading else f"_kolumn{i + 1}" for i, heading in enumerate(headings)]
    wanted = {normalise(h) for name, accepted in {**required, **optional}.items() for h in (name, *accepted)}
    seen: dict[str, str] = {}
    for key, heading in zip(keys, headings, strict=True):
        if key in seen and key in wanted:
            raise refuse(
                file_name,
                f"kolumnen '{heading}' finns två gånger i rubrikraden. Ta bort eller döp om den ena.",
            )
        seen.setdefault(key, heading)
    frame = frame.iloc[:, : len(keys)]
    frame.columns = keys
    frame = frame.loc[:, ~frame.columns.duplicated()]
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        blank &= frame[column].str.strip().eq("").to_numpy()
    if blank.any():
        frame = frame.loc[~blank]
        numbers = numbers[~blank]
    frame = frame.reset_index(drop=True)
    problems = [*problems, *_long_cells(frame, numbers, headings, file_name)]
    return Table(file_name, headings, seen, frame, numbers, sheet, problems)


def _quoted(names: Sequence[str]) -> str:
    """'a', 'b' and 'c' – names quoted and joined for a Swedish sentence."""
    quoted = [f"'{name}'" for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " och " + quoted[-1]
