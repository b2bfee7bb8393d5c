"""What every importer returns: a Batch of rows in the database's shape, and Problems in Swedish.

An importer (observations, est, police, bra, kolada) turns a file's bytes into a Batch without touching
the database. It checks everything it can see in the file and the catalogue (a Catalogue snapshot):
format, numbers, dates, periods, unknown codes, duplicates in the file. The loader (followup.imports.load)
then compares the batch with what is stored (new, changed, unchanged rows) and writes it in one
transaction, or not at all.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from followup import errors
from followup.model import LoadKind

MIB = 1024 * 1024
"""A megabyte as Streamlit counts it (server.maxUploadSize is in these)."""

MAX_FILE_BYTES = 50 * MIB
"""The largest file a load accepts (also Streamlit's server.maxUploadSize in .streamlit/config.toml). Reading
costs up to about 15 times a CSV's size in memory (strings, the frame, checks): 50 MB keeps a load well under
1 GB above the app's own, and the largest real file (a year of EST reports, Brå's export) is a few MB."""

COMMAND_LINE_FILE_BYTES = 200 * MIB
"""The largest file `python -m followup load` accepts: it runs in a process of its own, so its memory (about
1.3 GB for a million rows, bench/bench_load.py) is nobody else's, and bulk loads of a city's history need it."""

MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES
"""The most an Excel workbook may unpack to (its XML is typically 5–10 times the zipped file): a small
file that unpacks to gigabytes (a 'zip bomb') is refused before it is read."""

MAX_NAME_CHARS = 200
"""A file name longer than this is shortened (keeping its extension) where it is shown and recorded."""

_NOT_SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control, zero-width and direction-changing characters: a name with them does not read as it is."""

MAX_PROBLEMS = 200
"""Problems listed per file; beyond this the message says how many more there are."""

MAX_CELL_CHARS = 32_767
"""The longest cell a file may hold: Excel's own limit, so no real export has a longer one."""

MAX_COLUMNS = 1_000
"""The widest row read: every format has fewer than 20 columns, and a wider sheet is junk or an attack."""

MAX_ROWS = 300_000
"""The most rows with values read from a file (counted before a CSV is parsed): each row costs about 1.5 KB while
it is checked, and the largest real loads have about 200,000 rows."""

COMMAND_LINE_ROWS = 2_000_000
"""The most rows `python -m followup load` reads from one file (see COMMAND_LINE_FILE_BYTES)."""

MAX_COUNT = 10_000_000
"""The largest count (unit antal) accepted: ten times the city's population, far above any real count."""

MAX_COUNT_TEXT = f"{MAX_COUNT:,}".replace(",", " ")
"""MAX_COUNT as Swedish text: '10 000 000'."""

MAX_VALUE = 1e12
"""The largest absolute value of any other unit: beyond it a value is a typo or an attack, and it would
overflow the integer formatting of pages and exports."""

MAX_JSON_DIGITS = 18
"""The most digits of a whole number in a JSON file: ids and values fit in 64 bits below it."""

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab and line breaks (ESC included): they never belong in free text and can
change what a terminal or export shows."""
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "indicator", "district", "place", "period_start", "grain", "value", "numerator", "denominator",
    "preliminary", "series_break", "source_row",
)
"""Columns of Batch.observations. place None = the whole district; source_row = the row in the file."""

EVENT_COLUMNS: tuple[str, ...] = (
    "source", "source_id", "occurred_at", "district", "place", "category", "reporter", "description",
    "source_row",
)
"""Columns of Batch.events (event.source values from model.EventSource; district None = city only)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is, and what to do about it (in Swedish)."""

    file: str
    row: int | None  # as the user counts it: the header is row 1 in a CSV/Excel file; None: the whole file
    column: str | None  # the column's heading as written in the file; None: the whole row or file
    message: str

    def text(self) -> str:
        """'fil.csv, rad 12, kolumn värde: …' – the problem with its place in the file."""
        where = [self.file]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column is not None:
            where.append(f"kolumn {self.column}")
        return f"{', '.join(where)}: {self.message}"


class LoadRefused(errors.BadInput):
    """The file cannot be loaded; nothing was written. problems lists every reason."""

    def __init__(self, problems: list[Problem], plan: object | None = None) -> None:
        self.problems = problems
        self.plan = plan  # the load.Plan when the refusal is about overwriting stored values
        super().__init__(problems_text(problems))


def problems_text(problems: list[Problem], limit: int = MAX_PROBLEMS) -> str:
    """All problems, one per line, cut at LIMIT with a line saying how many more there are."""
    lines = [problem.text() for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… och {len(problems) - limit} problem till. Rätta dem ovan och ladda filen igen.")
    return "\n".join(lines)


@dataclass
class Batch:
    """The rows a file holds, in the database's shape, with what the importer found wrong or skipped."""

    kind: LoadKind
    file_name: str
    checksum: str
    observations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(OBSERVATION_COLUMNS)))
    events: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(EVENT_COLUMNS)))
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Swedish report lines, e.g. rows skipped and why
    skipped: int = 0  # rows left out by rule (other municipalities, summaries, …), counted in the report
    new_categories: dict[str, str] = field(default_factory=dict)  # event_category code -> name to add

    @property
    def ok(self) -> bool:
        """True when the file has no problems and may be loaded."""
        return not self.problems


def megabytes(size: int, *, up: bool = True) -> str:
    """'200,1' for a size in bytes ('200' for whole megabytes), to a tenth: rounded up for a file, down for a limit,
    so that a file over a limit never reads as the limit."""
    tenths = math.ceil(size * 10 / MIB) if up else math.floor(size * 10 / MIB)
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10},{tenths % 10}"


def size_problem(size: int, limit: int = MAX_FILE_BYTES) -> str | None:
    """Why a file of SIZE bytes cannot be loaded (Swedish, with the limit and the fix), or None when it can."""
    if size <= limit:
        return None
    return (f"filen är för stor: {megabytes(size)} MB, och största tillåtna storlek är {megabytes(limit, up=False)} MB. Dela "
            "upp den i flera filer (till exempel en per år) och ladda dem var för sig.")


def file_label(file_name: str) -> str:
    """The name a file is shown and recorded under: its last path part, without control, zero-width or
    direction-changing characters, at most MAX_NAME_CHARS long. Only ever text: nothing opens it as a path."""
    name = re.split(r"[\\/]", _NOT_SHOWN.sub("", file_name))[-1].strip() or "namnlös fil"
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    ending = f".{extension}" if dot and stem and len(extension) <= 10 else ""
    return name[: MAX_NAME_CHARS - len(ending) - 1] + "…" + ending


def checksum(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as hex (stored in import_log)."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Catalogue:
    """What a file is checked against: the database's indicators, districts, places, aliases and codes.

    indicators: code, name, unit, direction, frequency, sensitive, aggregation, level, event_category
    districts:  code, name, kind, valid_from, valid_to
    places:     code, name, district
    aliases:    alias, district, place
    source_codes: source, code, indicator
    categories: code, name (event categories)
    today:      the day after which a date is 'in the future'
    """

    indicators: pd.DataFrame
    districts: pd.DataFrame
    places: pd.DataFrame
    aliases: pd.DataFrame
    source_codes: pd.DataFrame
    categories: pd.DataFrame
    today: date


def without_controls(text: str) -> str:
    """TEXT without control characters (tab and line breaks kept)."""
    return CONTROL_CHARACTERS.sub("", text)


class JsonUnreadable(errors.BadInput, ValueError):
    """A JSON file that cannot be read; the message is Swedish and says why."""


def _bounded_int(text: str) -> int | str:
    """A JSON whole number as int, or its digits as text when too long (checked by the importer, not a crash)."""
    return int(text) if len(text.lstrip("-")) <= MAX_JSON_DIGITS else text


def read_json(text: str) -> object:
    """Parse JSON text; JsonUnreadable (Swedish) for broken, too deeply nested or otherwise unreadable JSON."""
    import json

    try:
        return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise JsonUnreadable(f"filen är inte giltig JSON: {exc.msg} på rad {exc.lineno}, tecken {exc.colno}. "
                             "Filen är trasig eller avkortad; hämta den igen.") from exc
    except RecursionError as exc:  # the C scanner recurses once per bracket
        raise JsonUnreadable("filen är inte läsbar JSON: listor eller objekt är inbäddade i varandra i för många "
                             "nivåer. Hämta filen igen från källan och ladda den oförändrad.") from exc
    except (ValueError, MemoryError) as exc:
        raise JsonUnreadable(f"filen är inte läsbar JSON ({type(exc).__name__}). Hämta filen igen från källan och "
                             "ladda den oförändrad.") from exc


@dataclass(frozen=True)
class ReadLimits:
    """How large a file a load reads: bytes and rows with values."""

    file_bytes: int
    rows: int


COMMAND_LINE_LIMITS = ReadLimits(COMMAND_LINE_FILE_BYTES, COMMAND_LINE_ROWS)
_LIMITS: ContextVar[ReadLimits | None] = ContextVar("followup_read_limits", default=None)


@contextmanager
def read_limits(limits: ReadLimits) -> Iterator[None]:
    """Read files under LIMITS instead of the app's (MAX_FILE_BYTES, MAX_ROWS) within the block: the command line
    does, in its own process. A context variable, so a page's run in another thread keeps the app's limits."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


def file_limit(app_limit: int) -> int:
    """The largest file in bytes a read accepts now: APP_LIMIT (the app's), or the limits read_limits set."""
    limits = _LIMITS.get()
    return app_limit if limits is None else limits.file_bytes


def unpacked_limit(app_limit: int) -> int:
    """The most a workbook may unpack to now: APP_LIMIT (the app's), or ten times the file size read_limits set."""
    limits = _LIMITS.get()
    return app_limit if limits is None else 10 * limits.file_bytes


def row_limit(app_limit: int) -> int:
    """The most rows with values a read accepts now: APP_LIMIT (the app's), or the limits read_limits set."""
    limits = _LIMITS.get()
    return app_limit if limits is None else limits.rows
