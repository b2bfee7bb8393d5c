"""Reading chart input: checked DataFrame columns, dates, periods, and the suppression of hidden values.

A series frame has one row per period: period_start (date) and value, and optionally low/high (a band),
last_year (the value of the same period a year earlier), series_break (True where a new definition
starts) and n (survey respondents or population, for bands), and from `protect` the flags hidden and
last_year_hidden. Values 1–4 of a sensitive indicator, and values made from them, are dropped here
before any trace or table is built: `protect` is the series side of the one suppression path.
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
    hidden_text: str = fmt.SUPPRESSED  # what is shown instead of a hidden value
    last_year_hidden_text: str = fmt.SUPPRESSED

    @property
    def x(self) -> str:
        """The period start as an ISO date."""
        return self.period.start.isoformat()


HIDDEN = "hidden"
"""Column of a protected frame: '' when the period's value may be shown, else the text shown instead:
'1–4' (fmt.SUPPRESSED) or fmt.HIDDEN_DERIVED for a value made from a hidden one (truthy when hidden)."""
WITHHELD = "withheld"
"""Column of the value queries (scope_values, indicator_series, trend_series): True for a city value of a
sensitive indicator withheld by secondary suppression (shown, it would give a district's hidden 1–4 away).
It is shown as fmt.HIDDEN_DERIVED, exactly like a sum over a hidden part: `protect` hides it."""
LAST_YEAR_HIDDEN = "last_year_hidden"
"""Column of a protected frame: the same for the value of the same period a year earlier."""
_WITH_VALUE = ("n", "low", "high")
"""Columns that describe a period's value (its n, its band): dropped with a hidden value."""


def reason(value: object) -> str:
    """A hidden column's cell as text: '' for not hidden (also False, None, NaN); True (a bare flag) as
    fmt.HIDDEN_DERIVED."""
    if isinstance(value, str):
        return value
    return fmt.HIDDEN_DERIVED if flag(value) else ""


def _reasons(frame: pd.DataFrame, column: str, values: list[float | None], sensitive: bool) -> list[str]:
    """Per row what is shown instead of the value: an earlier flag kept (for the value column also a withheld
    one), else '1–4' for a hidden value."""
    earlier = [reason(v) for v in frame[column].tolist()] if column in frame.columns else [""] * len(frame)
    if column == HIDDEN and WITHHELD in frame.columns:
        earlier = [was or reason(flag(w)) for was, w in zip(earlier, frame[WITHHELD].tolist(), strict=True)]
    return [fmt.SUPPRESSED if fmt.must_hide(v, sensitive) else was for was, v in zip(earlier, values, strict=True)]


def _numbers(frame: pd.DataFrame, column: str) -> list[float | None]:
    """A column as floats, None where a cell is missing."""
    return [number(value) for value in frame[column].tolist()]


def _kept(values: list[float | None], hidden: list[str], index: pd.Index) -> pd.Series:
    """A float column with NaN where a value is missing or hidden."""
    return pd.Series([float("nan") if h or v is None else v for v, h in zip(values, hidden, strict=True)],
                     index=index, dtype=float)


def protect(frame: pd.DataFrame, sensitive: bool) -> pd.DataFrame:
    """A series frame as it may be shown: hidden values (and their n and band) NaN, the text shown instead
    in hidden and last_year_hidden ('' when shown). A row already flagged (a sum over a hidden part; a city
    value the query withheld, column withheld) stays hidden; a value left 1–4 is hidden here. Safe to apply twice. Every chart plan, meeting pack and export
    of a series goes through it."""
    require(frame, ("period_start", "value"), "serien")
    result = frame.copy()
    values = _numbers(frame, "value")
    hidden = _reasons(frame, HIDDEN, values, sensitive)
    result["value"] = _kept(values, hidden, frame.index)
    result[HIDDEN] = pd.Series(hidden, index=frame.index, dtype=object)
    for column in _WITH_VALUE:
        if column in frame.columns:
            result[column] = _kept(_numbers(frame, column), hidden, frame.index)
    if "last_year" in frame.columns:
        before = _numbers(frame, "last_year")
        last_hidden = _reasons(frame, LAST_YEAR_HIDDEN, before, sensitive)
        result["last_year"] = _kept(before, last_hidden, frame.index)
        result[LAST_YEAR_HIDDEN] = pd.Series(last_hidden, index=frame.index, dtype=object)
    return result


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
        hidden = fmt.SUPPRESSED if fmt.must_hide(raw, sensitive) else (
            reason(record.get(HIDDEN)) or reason(flag(record.get(WITHHELD))))
        last_raw = number(record.get("last_year"))
        last_hidden = fmt.SUPPRESSED if fmt.must_hide(last_raw, sensitive) else reason(record.get(LAST_YEAR_HIDDEN))
        rows.append(
            Row(
                period=period,
                value=None if hidden else hide(raw, sensitive),
                hidden=bool(hidden),
                low=None if hidden else number(record.get("low")),
                high=None if hidden else number(record.get("high")),
                last_year=None if last_hidden else hide(last_raw, sensitive),
                last_year_hidden=bool(last_hidden),
                series_break=flag(record.get("series_break")),
                hidden_text=hidden or fmt.SUPPRESSED,
                last_year_hidden_text=last_hidden or fmt.SUPPRESSED,
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


def value_text(value: float | None, unit: Unit, *, hidden: bool | str = False) -> str:
    """How a value reads in a label or hover: '1 234', '12,3 %', '1–4' (or the hidden text given) when
    hidden, '–' when missing."""
    if hidden:
        return hidden if isinstance(hidden, str) else fmt.SUPPRESSED
    return fmt.value_text(value, unit)
