"""Reading chart input: checked DataFrame columns, dates, periods, and the suppression of hidden values.

A series frame has one row per period: period_start (date) and value, and optionally low/high (a band),
last_year (the value of the same period a year earlier), series_break (True where a new definition
starts) and n (survey respondents or population, for bands). Values 1–4 of a sensitive indicator are
dropped here, before any trace is built, so a figure never holds them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from followup import fmt
from followup.charts.theme import hide
from followup.model import Grain, Unit
from followup.periods import Period


def require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """ValueError in Swedish naming the missing columns of a chart's table."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"Tabellen till {what} saknar kolumnen {', '.join(missing)}. "
            f"Den har {', '.join(map(str, frame.columns)) or 'inga kolumner'}; lägg till det som saknas."
        )


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The rows as dicts of Python values, like frame.to_dict('records') at a fraction of its cost."""
    columns = [str(column) for column in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*(frame[c].tolist() for c in columns), strict=True)]


def to_date(value: object) -> date:
    """A date from a date, datetime, pandas Timestamp or ISO text; ValueError when it is missing."""
    if type(value) is date:
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        raise ValueError("Ett datum saknas i tabellen till diagrammet. Fyll i period_start på varje rad.")
    return pd.Timestamp(value).date()


def number(value: object) -> float | None:
    """A float, or None for a missing value (None, NaN, pd.NA)."""
    if value is None or value is pd.NA:
        return None
    result = float(value)  # type: ignore[arg-type]
    return result if math.isfinite(result) else None


def flag(value: object) -> bool:
    """A yes/no cell: True only for a true value (None, NaN and pd.NA are False)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)


@dataclass(frozen=True)
class Row:
    """One period of a series as a chart may show it: hidden values are None and flagged."""

    period: Period
    value: float | None
    hidden: bool = False
    low: float | None = None
    high: float | None = None
    last_year: float | None = None
    last_year_hidden: bool = False
    series_break: bool = False

    @property
    def x(self) -> str:
        """The period start as an ISO date."""
        return self.period.start.isoformat()


def series_rows(frame: pd.DataFrame, grain: Grain, *, sensitive: bool, what: str) -> list[Row]:
    """The rows of a series frame in time order, hidden values (and their bands) removed."""
    require(frame, ("period_start", "value"), what)
    rows: list[Row] = []
    seen: set[Period] = set()
    for record in records(frame):
        period = Period(to_date(record["period_start"]), Grain(grain))
        if period in seen:
            raise ValueError(f"Perioden {period.label} finns två gånger i {what}. Ta bort dubbletten.")
        seen.add(period)
        raw = number(record["value"])
        hidden = fmt.must_hide(raw, sensitive)
        last_raw = number(record.get("last_year"))
        rows.append(
            Row(
                period=period,
                value=hide(raw, sensitive),
                hidden=hidden,
                low=None if hidden else number(record.get("low")),
                high=None if hidden else number(record.get("high")),
                last_year=hide(last_raw, sensitive),
                last_year_hidden=fmt.must_hide(last_raw, sensitive),
                series_break=flag(record.get("series_break")),
            )
        )
    return sorted(rows, key=lambda row: row.period)


def since_last_break(rows: Sequence[Row]) -> list[Row]:
    """The rows from the last series break on (all rows when there is none)."""
    starts = [i for i, row in enumerate(rows) if row.series_break and i > 0]
    return list(rows[starts[-1] :]) if starts else list(rows)


def midpoint(first: date, second: date) -> date:
    """The day halfway between two dates."""
    return first + timedelta(days=(second - first).days // 2)


def line_points(rows: Sequence[Row], pick: Callable[[Row], float | None]) -> tuple[list[str], list[float | None]]:
    """x and y of one line over the rows, with a gap (None) between the periods around a series break."""
    xs: list[str] = []
    ys: list[float | None] = []
    for i, row in enumerate(rows):
        if row.series_break and i > 0:
            xs.append(midpoint(rows[i - 1].period.start, row.period.start).isoformat())
            ys.append(None)
        xs.append(row.x)
        ys.append(pick(row))
    return xs, ys


def with_gaps(rows: Sequence[Row], texts: Sequence[str]) -> list[str]:
    """Per-row texts aligned with _xy's points (an empty text at each gap)."""
    result: list[str] = []
    for i, (row, text) in enumerate(zip(rows, texts, strict=True)):
        if row.series_break and i > 0:
            result.append("")
        result.append(text)
    return result


def value_text(value: float | None, unit: Unit, *, hidden: bool = False) -> str:
    """How a value reads in a label or hover: '1 234', '12,3 %', '1–4' when hidden, '–' when missing."""
    return fmt.SUPPRESSED if hidden else fmt.value_text(value, unit)
