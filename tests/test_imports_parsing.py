"""Vectorised parsing of numbers, dates, times and periods as Swedish users type them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.imports import parsing
from followup.imports.parsing import (
    parse_date,
    parse_datetime,
    parse_number,
    parse_numbers,
    parse_period_cell,
    parse_periods,
    parse_time,
)
from followup.imports.tabular import read_table
from followup.model import Grain
from followup.periods import MAX_YEAR, MIN_YEAR, Period, period_of, weeks_in_year


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12.0), ("12,5", 12.5), ("12.5", 12.5), (" 1 234,5 ", 1234.5), ("1\u00a0234\u00a0567", 1234567.0),
        ("1\u202f234,25", 1234.25), ("−3", -3.0), ("-3,5", -3.5), ("+4", 4.0), ("0,5", 0.5), (",5", 0.5),
        ("1,5E+06", 1.5e6), ("1,234", 1.234), ("1.234", 1.234), ("", None), (None, None), (7.0, 7.0),
    ],
)
def test_numbers_swedish_and_plain(text: object, value: float | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tolv", "är inte ett tal"), ("12 34", "är inte ett tal"), ("1 2345", "är inte ett tal"),
        ("1,234.5", "går inte att tolka säkert"), ("1.234,5", "går inte att tolka säkert"),
        ("1.234.567", "går inte att tolka säkert"), ("inf", "är inte ett tal"), ("nan", "är inte ett tal"),
        ("=SUMMA(A1:A3)", "formel"), ("45%", "procenttecken"), ("12 kr", "är inte ett tal"),
    ],
)
def test_bad_numbers_have_a_swedish_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_number(text)


def test_percent_only_where_allowed_per_row() -> None:
    parsed = parse_numbers(pd.Series(["45%", "45 %", "45%", "12"]), percent_ok=pd.Series([True, True, False, False]))
    assert parsed.values.tolist()[:2] == [45.0, 45.0]
    assert parsed.bad.tolist() == [False, False, True, False]
    assert parse_number("45,5 %", percent_ok=True) == 45.5


def test_vectorised_results_follow_the_rows_and_mark_empty_cells() -> None:
    parsed = parse_numbers(pd.Series(["1", "x", "", "1", " 1 "], index=[10, 11, 12, 13, 14]))
    assert parsed.values.index.tolist() == [10, 11, 12, 13, 14]
    assert parsed.values.fillna(-1).tolist() == [1.0, -1, -1, 1.0, 1.0]
    assert parsed.bad.tolist() == [False, True, False, False, False]
    assert parsed.empty.tolist() == [False, False, True, False, False]


def swedish(value: float, decimals: int, group: str, minus: str = "−") -> str:
    """A number as a Swede might write it: decimal comma, grouped thousands, typographic minus."""
    text = f"{abs(value):,.{decimals}f}".replace(",", group).replace(".", ",")
    return (minus if value < 0 else "") + text


@given(
    st.integers(min_value=-10**12, max_value=10**12),
    st.integers(min_value=0, max_value=4),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
)
def test_swedish_numbers_round_trip(cents: int, decimals: int, group: str) -> None:
    value = cents / 10**decimals
    assert parse_number(swedish(value, decimals, group)) == pytest.approx(value, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2025-03-01", datetime(2025, 3, 1)), ("2025-03-01 21:14", datetime(2025, 3, 1, 21, 14)),
        ("2025-03-01T21:14:03", datetime(2025, 3, 1, 21, 14, 3)), ("2025-03-01 21.14", datetime(2025, 3, 1, 21, 14)),
        ("20250301", datetime(2025, 3, 1)), (datetime(2025, 3, 1, 8, 5), datetime(2025, 3, 1, 8, 5)),
        (date(2025, 3, 1), datetime(2025, 3, 1)), ("", None),
    ],
)
def test_datetimes(text: object, value: datetime | None) -> None:
    assert parse_datetime(text) == value


@pytest.mark.parametrize("text", ["01/03/2025", "2025-02-30", "2025-13-01", "2025-03-01 24:00", "2025-03-01 21:60", "igår"])
def test_bad_datetimes(text: str) -> None:
    with pytest.raises(ValueError, match="ÅÅÅÅ-MM-DD"):
        parse_datetime(text)


def test_dates_refuse_a_time_and_times_parse_alone() -> None:
    assert parse_date("2025-03-01") == date(2025, 3, 1)
    with pytest.raises(ValueError, match="inget datum"):
        parse_date("2025-03-01 21:14")
    assert parse_time("21.14") == time(21, 14)
    assert parse_time("9:05:03") == time(9, 5, 3)
    assert parse_time("1899-12-30 21:14:00") == time(21, 14)  # a bare time cell as Excel stores it
    with pytest.raises(ValueError, match="klockslag"):
        parse_time("25:00")


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31)))
def test_datetimes_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_datetime(moment.isoformat(sep=" ")) == moment


@pytest.mark.parametrize(
    ("text", "start", "grain"),
    [
        ("2025", date(2025, 1, 1), Grain.YEAR), ("2025-T2", date(2025, 5, 1), Grain.TERTIAL),
        ("2025-t3", date(2025, 9, 1), Grain.TERTIAL), ("2025-Q2", date(2025, 4, 1), Grain.QUARTER),
        ("2025-q4", date(2025, 10, 1), Grain.QUARTER), ("2025-03", date(2025, 3, 1), Grain.MONTH),
        ("2025-W12", date(2025, 3, 17), Grain.WEEK), ("2025-w01", date(2024, 12, 30), Grain.WEEK),
        ("2025-03-01", date(2025, 3, 1), Grain.MONTH), (datetime(2025, 3, 1), date(2025, 3, 1), Grain.MONTH),
        (2025, date(2025, 1, 1), Grain.YEAR),
    ],
)
def test_periods(text: object, start: date, grain: Grain) -> None:
    assert parse_period_cell(text) == (start, grain)


@pytest.mark.parametrize("text", ["2025-W54", "2025-T4", "2025-13", "2025-03-02", "mars 2025", "=A1"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period_cell(text)


def test_periods_vectorised() -> None:
    parsed = parse_periods(pd.Series(["2025-T2", "", "x", "2025-T2"]))
    assert parsed.grain.tolist() == ["tertial", None, None, "tertial"]
    assert parsed.bad.tolist() == [False, False, True, False]
    assert parsed.empty.tolist() == [False, True, False, False]
    assert "Okänd period" in parsed.error[2]


@st.composite
def periods(draw: st.DrawFn) -> Period:
    """Any period between the supported years."""
    grain = draw(st.sampled_from(list(Grain)))
    if grain is Grain.WEEK:
        year = draw(st.integers(MIN_YEAR, MAX_YEAR))
        week = draw(st.integers(1, weeks_in_year(year)))
        return Period(date.fromisocalendar(year, week, 1), grain)
    day = draw(st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31)))
    return period_of(day, grain)


@given(periods(), st.booleans())
def test_period_codes_round_trip(period: Period, lower: bool) -> None:
    code = period.code.lower() if lower else period.code
    assert parse_period_cell(code) == (period.start, period.grain)


rows_strategy = st.lists(
    st.tuples(
        st.text(alphabet="abcåäöÅÄÖé xyz-/", min_size=1, max_size=12).filter(lambda s: s.strip() == s and s),
        st.integers(min_value=-10**9, max_value=10**9),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(
    rows_strategy,
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    st.sampled_from(["\r\n", "\n"]),
)
def test_csv_written_any_swedish_way_reads_back_the_same(
    rows: list[tuple[str, int, int]], separator: str, encoding: str, newline: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline)
    writer.writerow(["Namn", "Värde"])
    expected = []
    for name, number, decimals in rows:
        value = number / 10**decimals
        writer.writerow([name, swedish(value, decimals, " ", minus="-")])
        expected.append((name, value))
    table = read_table(buffer.getvalue().encode(encoding), "f.csv", required={"namn": (), "värde": ()})
    assert not table.problems
    values = parse_numbers(table.rows["varde"])
    assert table.rows["namn"].tolist() == [name for name, _ in expected]
    assert values.values.tolist() == pytest.approx([value for _, value in expected])
    assert table.row_numbers.tolist() == list(range(2, len(rows) + 2))


def test_formula_message_is_shared() -> None:
    assert "klistra in som värden" in parsing.FORMULA
    assert parse_datetime("2025-03-01 00:00") == datetime(2025, 3, 1)
    assert parse_time("") is None and timedelta(0) == timedelta(0)
