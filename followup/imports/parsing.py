"""Vectorised parsers for the cells people type: numbers, dates, times, date-times and period codes.

Each parser takes a pandas Series of cell strings (as followup.imports.tabular reads them; datetime,
date and number objects are accepted too), works over the column's UNIQUE values and maps the result
back, and returns a Parsed: the values and, per cell, a Swedish reason why it could not be read ('' when
it could, or when the cell is empty: an empty cell is missing, see Parsed.empty).

Accepted spellings
- numbers: decimal comma or point ('12,5', '12.5'); spaces, non-breaking or thin spaces between groups
  of three digits ('1 234 567,5'); a leading '-', '+' or the typographic minus '−'; scientific notation
  as Excel writes large numbers ('1,5E+06'); a trailing '%' only where percent_ok (shares). A number with
  both a comma and a point ('1,234.5', '1.234,5') or with two of either is ambiguous and refused.
- dates: ISO 'YYYY-MM-DD' (Swedish Excel's own format) and 'YYYYMMDD'. Slashed dates ('01/03/2025') are
  refused: day/month order differs between countries and a wrong guess would be silent.
- times: 'HH:MM', 'HH:MM:SS' and the Swedish 'HH.MM' ('21.14').
- date-times: a date, a space or 'T', and a time ('2025-03-01 21:14', '2025-03-01T21:14:03'); a date
  alone is midnight.
- periods: the codes of followup.periods ('2025', '2025-T2', '2025-Q2', '2025-03', '2025-W12'), any case;
  also the first day of a month as a date ('2025-03-01', what Excel makes of a typed '2025-03'), read as
  that month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from followup.model import Grain
from followup.periods import Period, parse_period

_SPACES = "[ \t\u00a0\u202f\u2009]"  # literal characters: RE2 (pyarrow) has no \\u escapes
_VALID = (
    "^[+\u2212\u2013-]?(?:[0-9]{1,3}(?:" + _SPACES + "[0-9]{3})+|[0-9]+)?(?:[.,][0-9]*)?(?:[eE][+-]?[0-9]+)?"
    + "(?:" + _SPACES + "*%)?$"
)
"""Every accepted number spelling (RE2 syntax; the literal characters, not escapes, are in the pattern)."""
_DATE = r"^(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})"
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,]\d+)?)?"
_DATETIME = _DATE + r"(?:(?:\s+|T)" + _TIME + r")?$"
_TIME_ONLY = r"^" + _TIME + r"$"

NOT_A_NUMBER = "'{value}' är inte ett tal. Skriv bara siffror, med decimalkomma eller decimalpunkt (t.ex. 12,5)."
AMBIGUOUS_NUMBER = (
    "'{value}' går inte att tolka säkert: talet har både komma och punkt eller flera av dem. Skriv talet utan "
    "tusentalsavgränsare (mellanslag går bra) och med ett decimalkomma, t.ex. 1234,5."
)
PERCENT_NOT_ALLOWED = "'{value}': procenttecken går bara för andelar. Skriv talet utan %."
FORMULA = (
    "cellen innehåller en formel ('{value}') och formler räknas inte ut vid import. Kopiera kolumnen och "
    "klistra in som värden (Klistra in special > Värden), spara och ladda filen igen."
)
NOT_A_DATE = "'{value}' är inget datum. Skriv datum som ÅÅÅÅ-MM-DD (t.ex. 2025-03-01)."
NOT_A_DATETIME = (
    "'{value}' är ingen tidpunkt. Skriv datum och tid som ÅÅÅÅ-MM-DD TT:MM (t.ex. 2025-03-01 21:14)."
)
NOT_A_TIME = "'{value}' är inget klockslag. Skriv tiden som TT:MM (t.ex. 21:14)."


@dataclass(frozen=True)
class Parsed:
    """Parsed cells: values (missing where empty or bad) and per cell the reason it is bad ('' if not)."""

    values: pd.Series
    error: pd.Series
    empty: pd.Series

    @property
    def bad(self) -> pd.Series:
        """True where a non-empty cell could not be read."""
        return self.error.ne("")


@dataclass(frozen=True)
class ParsedPeriods:
    """Parsed period cells: start dates, grains (Grain values), errors and empty cells."""

    start: pd.Series
    grain: pd.Series
    error: pd.Series
    empty: pd.Series

    @property
    def bad(self) -> pd.Series:
        """True where a non-empty cell is not a period."""
        return self.error.ne("")


def _scalar_text(value: object) -> str:
    """One cell value as text: '' for empty, datetime objects as ISO, 12.0 as '12'."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _uniques(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes into the unique stripped texts of a column, and those texts (an Arrow-backed str Series)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if pd.api.types.is_string_dtype(series.dtype) and not series.hasnans:
        texts = pd.Series(uniques, dtype="str")
    else:
        texts = pd.Series([_scalar_text(value) for value in uniques], dtype="str")
    texts = texts.str.strip()
    again, stripped = pd.factorize(texts, use_na_sentinel=False)
    return again[codes], pd.Series(stripped, dtype="str")


def _back(codes: np.ndarray, values: pd.Series | np.ndarray, index: pd.Index, dtype: object = None) -> pd.Series:
    """Map per-unique results back to every cell of the column."""
    array = np.asarray(values)
    return pd.Series(array[codes] if len(codes) else array[:0], index=index, dtype=dtype)


def parse_numbers(series: pd.Series, percent_ok: bool | pd.Series = False) -> Parsed:
    """Numbers with decimal comma or point, space-grouped thousands, '−' and (where percent_ok) '%'."""
    codes, texts = _uniques(series)
    numbers, reasons = _numbers_of(texts)
    empty = texts.eq("").to_numpy()
    values = _back(codes, numbers.to_numpy(dtype=float), series.index, float)
    error = _back(codes, reasons.to_numpy(dtype=object), series.index, object)
    percent = _back(codes, texts.str.endswith("%").to_numpy(dtype=bool), series.index, bool)
    allowed = percent_ok if isinstance(percent_ok, pd.Series) else pd.Series(percent_ok, index=series.index)
    refused = percent & ~allowed.astype(bool) & error.eq("")
    if refused.any():
        raw = _back(codes, texts.to_numpy(dtype=object), series.index, object)
        error = error.where(~refused, raw[refused].map(lambda value: PERCENT_NOT_ALLOWED.format(value=value)))
        values = values.where(~refused)
    return Parsed(values, error, _back(codes, empty, series.index, bool))


def _numbers_of(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse unique number texts with pyarrow: the values (NaN when empty or bad) and the reasons ('' when good)."""
    raw = pa.array(texts.array) if isinstance(texts.array, pd.arrays.ArrowStringArray) else pa.array(
        texts.to_numpy(dtype=object), type=pa.string()
    )
    valid = pc.and_(pc.match_substring_regex(raw, _VALID), pc.match_substring_regex(raw, "[0-9]"))
    valid_np = valid.to_numpy(zero_copy_only=False)
    values = np.full(len(texts), np.nan)
    if valid_np.any():
        chosen = pc.filter(raw, valid)
        chosen = pc.replace_substring_regex(chosen, _SPACES + "|%", "")
        chosen = pc.replace_substring_regex(chosen, "[\u2212\u2013]", "-")
        chosen = pc.replace_substring(chosen, ",", ".")
        values[valid_np] = pc.cast(chosen, pa.float64()).to_numpy(zero_copy_only=False)
    good = valid_np & np.isfinite(values)
    values[~good] = np.nan
    empty = texts.eq("").to_numpy(dtype=bool)
    reasons = np.full(len(texts), "", dtype=object)
    wrong = np.flatnonzero(~good & ~empty)
    if len(wrong):
        reasons[wrong] = [_number_reason(text) for text in texts.to_numpy(dtype=object)[wrong]]
    return pd.Series(values, index=texts.index), pd.Series(reasons, index=texts.index, dtype=object)


def _number_reason(text: str) -> str:
    """Why a text is not a number: a formula, an ambiguous mix of comma and point, or text."""
    if text.startswith("="):
        return FORMULA.format(value=text)
    mantissa = re.sub(r"[eE][+-]?\d+$", "", text)
    if re.fullmatch(r"[+\-\u2212]?[\d\s\u00a0\u202f\u2009.,]+%?", mantissa) and (
        ("," in mantissa and "." in mantissa) or mantissa.count(",") > 1 or mantissa.count(".") > 1
    ):
        return AMBIGUOUS_NUMBER.format(value=text)
    return NOT_A_NUMBER.format(value=text)


def parse_datetimes(series: pd.Series, *, date_only: bool = False) -> Parsed:
    """Dates ('2025-03-01') or date-times ('2025-03-01 21:14[:03]'); values are Timestamps (NaT if not)."""
    codes, texts = _uniques(series)
    parts = texts.str.extract(_DATETIME)
    if date_only:
        parts.loc[parts["hour"].notna(), :] = np.nan
    fields = parts.fillna({"hour": "0", "minute": "0", "second": "0"})
    stamps = pd.to_datetime(
        pd.DataFrame({name: pd.to_numeric(fields[name], errors="coerce") for name in fields.columns}),
        errors="coerce",
    )
    clock = fields[["hour", "minute", "second"]].apply(pd.to_numeric, errors="coerce")
    stamps = stamps.where(clock["hour"].lt(24) & clock["minute"].lt(60) & clock["second"].lt(60))
    empty = texts.eq("")
    template = NOT_A_DATE if date_only else NOT_A_DATETIME
    bad = stamps.isna() & ~empty
    reasons = pd.Series("", index=texts.index, dtype=object)
    reasons[bad] = [(FORMULA if v.startswith("=") else template).format(value=v) for v in texts[bad]]
    values = _back(codes, stamps.to_numpy(dtype="datetime64[ns]"), series.index, "datetime64[ns]")
    return Parsed(
        values,
        _back(codes, reasons.to_numpy(dtype=object), series.index, object),
        _back(codes, empty.to_numpy(dtype=bool), series.index, bool),
    )


def parse_dates(series: pd.Series) -> Parsed:
    """Dates ('2025-03-01'); a date-time cell with a time is refused."""
    return parse_datetimes(series, date_only=True)


def parse_times(series: pd.Series) -> Parsed:
    """Times of day ('21:14', '21:14:03', '21.14'); values are Timedeltas since midnight (NaT if not)."""
    codes, texts = _uniques(series)
    stripped = texts.str.replace(r"^1899-12-3[01][ T]", "", regex=True)  # Excel's day zero for a bare time
    parts = stripped.str.extract(_TIME_ONLY)
    hour = pd.to_numeric(parts["hour"], errors="coerce")
    minute = pd.to_numeric(parts["minute"], errors="coerce")
    second = pd.to_numeric(parts["second"], errors="coerce").fillna(0)
    good = hour.lt(24) & minute.lt(60) & second.lt(60)
    deltas = pd.to_timedelta(hour * 3600 + minute * 60 + second, unit="s").where(good)
    empty = texts.eq("")
    bad = ~good & ~empty
    reasons = pd.Series("", index=texts.index, dtype=object)
    reasons[bad] = [(FORMULA if v.startswith("=") else NOT_A_TIME).format(value=v) for v in texts[bad]]
    return Parsed(
        _back(codes, deltas.to_numpy(dtype="timedelta64[ns]"), series.index, "timedelta64[ns]"),
        _back(codes, reasons.to_numpy(dtype=object), series.index, object),
        _back(codes, empty.to_numpy(dtype=bool), series.index, bool),
    )


def parse_periods(series: pd.Series) -> ParsedPeriods:
    """Period codes ('2025', '2025-T2', '2025-Q2', '2025-03', '2025-W12', any case) -> start and grain."""
    codes, texts = _uniques(series)
    starts, grains, reasons = [], [], []
    for text in texts:
        if not text:
            starts.append(np.datetime64("NaT"))
            grains.append(None)
            reasons.append("")
            continue
        try:
            period = period_from_text(text)
        except ValueError as error:
            starts.append(np.datetime64("NaT"))
            grains.append(None)
            reasons.append(FORMULA.format(value=text) if text.startswith("=") else str(error))
            continue
        starts.append(np.datetime64(period.start, "ns"))
        grains.append(period.grain.value)
        reasons.append("")
    index = series.index
    return ParsedPeriods(
        _back(codes, np.array(starts, dtype="datetime64[ns]"), index, "datetime64[ns]"),
        _back(codes, np.array(grains, dtype=object), index, object),
        _back(codes, np.array(reasons, dtype=object), index, object),
        _back(codes, texts.eq("").to_numpy(dtype=bool), index, bool),
    )


def period_from_text(text: str) -> Period:
    """One period from its code, or from a first-of-month date as Excel stores a typed '2025-03'."""
    stripped = text.strip()
    if len(stripped) >= 10 and stripped[4:5] == "-" and stripped[7:10] == "-01":
        rest = stripped[10:].strip()
        if rest in ("", "00:00", "00:00:00", "T00:00:00"):
            return parse_period(stripped[:7])
    return parse_period(stripped)


# --- scalar versions ---------------------------------------------------------------------------------------


def _one(parsed: Parsed) -> object:
    """The single value of a one-cell Parsed; ValueError with the Swedish reason when bad."""
    if parsed.bad.iloc[0]:
        raise ValueError(parsed.error.iloc[0])
    if parsed.empty.iloc[0]:
        return None
    return parsed.values.iloc[0]


def parse_number(text: object, percent_ok: bool = False) -> float | None:
    """One number (None when empty); ValueError with a Swedish reason when it is not one."""
    value = _one(parse_numbers(pd.Series([text], dtype=object), percent_ok=percent_ok))
    return None if value is None else float(value)


def parse_datetime(text: object) -> datetime | None:
    """One date-time (None when empty); ValueError with a Swedish reason when it is not one."""
    value = _one(parse_datetimes(pd.Series([text], dtype=object)))
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def parse_date(text: object) -> date | None:
    """One date (None when empty); ValueError with a Swedish reason when it is not one."""
    value = _one(parse_dates(pd.Series([text], dtype=object)))
    return None if value is None else pd.Timestamp(value).date()


def parse_time(text: object) -> time | None:
    """One time of day (None when empty); ValueError with a Swedish reason when it is not one."""
    value = _one(parse_times(pd.Series([text], dtype=object)))
    if value is None:
        return None
    seconds = int(pd.Timedelta(value).total_seconds())
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def parse_period_cell(text: object) -> tuple[date, Grain] | None:
    """One period as (start, grain) (None when empty); ValueError with a Swedish reason when it is not one."""
    parsed = parse_periods(pd.Series([text], dtype=object))
    if parsed.bad.iloc[0]:
        raise ValueError(parsed.error.iloc[0])
    if parsed.empty.iloc[0]:
        return None
    return pd.Timestamp(parsed.start.iloc[0]).date(), Grain(parsed.grain.iloc[0])
