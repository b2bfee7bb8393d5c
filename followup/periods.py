"""Reporting periods: a start date and a Grain, with codes ('2025-T2') and Swedish labels ('T2 2025').

Weeks are ISO weeks (Monday to Sunday; week 1 holds the year's first Thursday, so a week's year
can differ from its start date's year). Tertials are Jan–Apr (T1), May–Aug (T2) and Sep–Dec (T3),
the city's reporting periods. Every period is half-open: [start, end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel.dates import get_month_names

from followup.model import Frequency, Grain

MIN_YEAR = 1900
MAX_YEAR = 2199
"""Years outside this range are refused (a typo such as 20025 gets a message, not a far-off date)."""

_MONTHS_PER_PERIOD = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.TERTIAL: 4, Grain.YEAR: 12}
PERIODS_PER_YEAR = {Grain.WEEK: 52, Grain.MONTH: 12, Grain.QUARTER: 4, Grain.TERTIAL: 3, Grain.YEAR: 1}
"""How many periods make a rolling year (52 weeks = 364 days, so week windows stay whole weeks)."""

MONTH_NAMES = tuple(get_month_names("wide", locale="sv")[m] for m in range(1, 13))
"""Swedish month names: januari … december."""
MONTH_SHORT = tuple(get_month_names("abbreviated", locale="sv")[m].rstrip(".") for m in range(1, 13))
"""Short Swedish month names without the dot, for ranges: jan, feb, mars, apr, … dec."""

_NATURAL_GRAIN = {
    Frequency.WEEK: Grain.WEEK,
    Frequency.MONTH: Grain.MONTH,
    Frequency.QUARTER: Grain.QUARTER,
    Frequency.TERTIAL: Grain.TERTIAL,
    Frequency.YEAR: Grain.YEAR,
    Frequency.SURVEY: Grain.YEAR,
}
_NESTS_IN = {  # grain -> the grains whose periods are whole unions of its periods
    Grain.WEEK: {Grain.WEEK},
    Grain.MONTH: {Grain.MONTH, Grain.QUARTER, Grain.TERTIAL, Grain.YEAR},
    Grain.QUARTER: {Grain.QUARTER, Grain.YEAR},
    Grain.TERTIAL: {Grain.TERTIAL, Grain.YEAR},
    Grain.YEAR: {Grain.YEAR},
}
_CHECKED: set[tuple[date, Grain]] = set()
"""(start, grain) pairs already found valid, so a Period made again skips the checks."""
_CHECKED_MAX = 200_000

_CODE = re.compile(r"^(?P<year>\d{4})(?:\s*-\s*(?P<kind>[TQW])?\s*(?P<number>\d{1,2}))?$", re.IGNORECASE)
_ACCEPTED = "år (2025), tertial (2025-T2), kvartal (2025-Q2), månad (2025-03) eller vecka (2025-W12)"


def weeks_in_year(iso_year: int) -> int:
    """Number of ISO weeks (52 or 53) in an ISO year."""
    return date(iso_year, 12, 28).isocalendar().week


def _add_months(start: date, months: int) -> date:
    """The first of the month `months` after the first-of-month date `start`."""
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: its first day and its grain; ordered by start."""

    start: date
    grain: Grain

    def __post_init__(self) -> None:
        """Normalise (datetime -> date, str -> Grain) and refuse a start that does not begin a period."""
        if isinstance(self.start, datetime):
            object.__setattr__(self, "start", self.start.date())
        if type(self.grain) is not Grain:
            object.__setattr__(self, "grain", Grain(self.grain))
        if (self.start, self.grain) in _CHECKED:  # the status rules make hundreds of thousands of periods
            return
        if not _is_period_start(self.start, self.grain):
            raise ValueError(
                f"{self.start.isoformat()} är inte första dagen i en period av typen {self.grain}: "
                "veckor börjar på måndag, månader den 1:a, kvartal 1 jan/apr/jul/okt, "
                "tertial 1 jan/maj/sep och år 1 januari."
            )
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"Året {self.year} ligger utanför {MIN_YEAR}–{MAX_YEAR}. Rätta årtalet.")
        if len(_CHECKED) < _CHECKED_MAX:
            _CHECKED.add((self.start, self.grain))

    @property
    def year(self) -> int:
        """The period's year (the ISO year for weeks)."""
        return self.start.isocalendar().year if self.grain is Grain.WEEK else self.start.year

    @property
    def number(self) -> int:
        """The period's number within its year: week, month, quarter or tertial number; 1 for a year."""
        if self.grain is Grain.WEEK:
            return self.start.isocalendar().week
        return (self.start.month - 1) // _MONTHS_PER_PERIOD[self.grain] + 1

    @property
    def end(self) -> date:
        """The first day after the period (exclusive end)."""
        if self.grain is Grain.WEEK:
            return self.start + timedelta(days=7)
        return _add_months(self.start, _MONTHS_PER_PERIOD[self.grain])

    @property
    def last_day(self) -> date:
        """The period's last day (inclusive)."""
        return self.end - timedelta(days=1)

    @property
    def code(self) -> str:
        """Machine code: '2025', '2025-T2', '2025-Q2', '2025-03' or '2025-W12'."""
        match self.grain:
            case Grain.WEEK:
                return f"{self.year}-W{self.number:02d}"
            case Grain.MONTH:
                return f"{self.year}-{self.number:02d}"
            case Grain.QUARTER:
                return f"{self.year}-Q{self.number}"
            case Grain.TERTIAL:
                return f"{self.year}-T{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        """Swedish label: 'v. 12 2025', 'mars 2025', 'kv. 2 2025', 'T2 2025' or '2025'."""
        match self.grain:
            case Grain.WEEK:
                return f"v. {self.number} {self.year}"
            case Grain.MONTH:
                return f"{MONTH_NAMES[self.start.month - 1]} {self.year}"
            case Grain.QUARTER:
                return f"kv. {self.number} {self.year}"
            case Grain.TERTIAL:
                return f"T{self.number} {self.year}"
        return str(self.year)

    def shift(self, n: int) -> Period:
        """The period n steps later (earlier when n < 0) of the same grain."""
        return _shifted(self, n)

    def shift_years(self, n: int) -> Period:
        """The same period n years later; week 53 becomes week 52 in a year without a week 53."""
        if self.grain is not Grain.WEEK:
            return Period(_add_months(self.start, 12 * n), self.grain)
        year = self.year + n
        week = min(self.number, weeks_in_year(year))
        return Period(date.fromisocalendar(year, week, 1), self.grain)

    def contains(self, day: date) -> bool:
        """Whether a date falls inside the period."""
        return self.start <= day < self.end

    def __str__(self) -> str:
        """The period's code."""
        return self.code


@lru_cache(maxsize=200_000)
def _shifted(period: Period, n: int) -> Period:
    """Period.shift, shared (periods are immutable): the status rules shift the same periods again and again."""
    if period.grain is Grain.WEEK:
        return Period(period.start + timedelta(weeks=n), period.grain)
    return Period(_add_months(period.start, n * _MONTHS_PER_PERIOD[period.grain]), period.grain)


def _is_period_start(start: date, grain: Grain) -> bool:
    """Whether `start` is the first day of a period of `grain`."""
    if grain is Grain.WEEK:
        return start.weekday() == 0
    months = _MONTHS_PER_PERIOD[grain]
    return start.day == 1 and (start.month - 1) % months == 0


def period_of(day: date, grain: Grain) -> Period:
    """The period of `grain` that contains `day`."""
    if isinstance(day, datetime):
        day = day.date()
    grain = Grain(grain)
    if grain is Grain.WEEK:
        return Period(day - timedelta(days=day.weekday()), grain)
    months = _MONTHS_PER_PERIOD[grain]
    return Period(date(day.year, (day.month - 1) // months * months + 1, 1), grain)


def parse_period(text: str) -> Period:
    """Read a period code ('2025', '2025-T2', '2025-Q2', '2025-03', '2025-W12'; any case, spaces)."""
    match = _CODE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"Okänd period: ”{text}”. Skriv {_ACCEPTED}.")
    year, kind, number = int(match["year"]), (match["kind"] or "").upper(), match["number"]
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Okänd period: ”{text}”: året ska ligga mellan {MIN_YEAR} och {MAX_YEAR}.")
    if number is None:
        return Period(date(year, 1, 1), Grain.YEAR)
    value = int(number)
    grain, highest = {
        "": (Grain.MONTH, 12),
        "Q": (Grain.QUARTER, 4),
        "T": (Grain.TERTIAL, 3),
        "W": (Grain.WEEK, weeks_in_year(year)),
    }[kind]
    if not 1 <= value <= highest:
        raise ValueError(
            f"Okänd period: ”{text}”: {grain_name(grain)} {value} finns inte år {year} (1–{highest}). "
            f"Skriv {_ACCEPTED}."
        )
    if grain is Grain.WEEK:
        return Period(date.fromisocalendar(year, value, 1), grain)
    return Period(date(year, (value - 1) * _MONTHS_PER_PERIOD[grain] + 1, 1), grain)


def grain_name(grain: Grain) -> str:
    """Swedish noun for a grain: vecka, månad, kvartal, tertial, år."""
    names = {"week": "vecka", "month": "månad", "quarter": "kvartal", "tertial": "tertial", "year": "år"}
    return names[Grain(grain)]


def periods_between(start: date, end: date, grain: Grain) -> list[Period]:
    """Every period of `grain` from the one holding `start` to the one holding `end`, inclusive."""
    if end < start:
        return []
    current, last = period_of(start, grain), period_of(end, grain)
    result = []
    while current <= last:
        result.append(current)
        current = current.shift(1)
    return result


def periods_within(outer: Period, grain: Grain) -> list[Period]:
    """The periods of a finer `grain` that make up `outer`; ValueError when they do not nest."""
    if not nests_in(grain, outer.grain):
        raise ValueError(f"Perioder av typen {grain_name(grain)} ryms inte jämnt i {outer.label}.")
    return periods_between(outer.start, outer.last_day, grain)


def nests_in(fine: Grain, coarse: Grain) -> bool:
    """Whether each period of `coarse` is a whole number of `fine` periods (weeks nest only in weeks)."""
    return Grain(coarse) in _NESTS_IN[Grain(fine)]


def natural_grain(frequency: Frequency) -> Grain:
    """The grain an indicator of this frequency is reported in (a survey uses year)."""
    return _NATURAL_GRAIN[Frequency(frequency)]


def grain_fits_frequency(grain: Grain, frequency: Frequency) -> bool:
    """Whether values of this frequency can be shown at `grain` (their own grain or one they sum into)."""
    return nests_in(natural_grain(frequency), grain)


def range_label(first: Period, last: Period) -> str:
    """Swedish label of a run of periods: 'jan–aug 2025', 'dec 2024–feb 2025', 'v. 1–12 2025'."""
    if last < first:
        raise ValueError(f"Perioden slutar ({last.label}) före den börjar ({first.label}).")
    if first == last:
        return first.label
    if (first.grain is Grain.WEEK) != (last.grain is Grain.WEEK):
        raise ValueError("Veckor och månadsbaserade perioder kan inte blandas i ett intervall.")
    if first.grain is Grain.WEEK:
        if first.year == last.year:
            return f"v. {first.number}–{last.number} {first.year}"
        return f"{first.label}–{last.label}"
    start, final = first.start, last.last_day
    if start.month == 1 and final.month == 12:
        return str(start.year) if start.year == final.year else f"{start.year}–{final.year}"
    if start.year == final.year and start.month == final.month:
        return f"{MONTH_NAMES[start.month - 1]} {start.year}"
    head = MONTH_SHORT[start.month - 1]
    if start.year == final.year:
        return f"{head}–{MONTH_SHORT[final.month - 1]} {start.year}"
    return f"{head} {start.year}–{MONTH_SHORT[final.month - 1]} {final.year}"
