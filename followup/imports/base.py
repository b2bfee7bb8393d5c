"""What every importer returns: a Batch of rows in the database's shape, and Problems in Swedish.

An importer (observations, est, police, bra, kolada) turns a file's bytes into a Batch without touching
the database. It checks everything it can see in the file and the catalogue (a Catalogue snapshot):
format, numbers, dates, periods, unknown codes, duplicates in the file. The loader (followup.imports.load)
then compares the batch with what is stored (new, changed, unchanged rows) and writes it in one
transaction, or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from followup.model import LoadKind

MAX_FILE_BYTES = 200 * 1024 * 1024
"""The largest file a load accepts (also Streamlit's server.maxUploadSize in .streamlit/config.toml)."""

MAX_PROBLEMS = 200
"""Problems listed per file; beyond this the message says how many more there are."""

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


class LoadRefused(Exception):
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
