"""Periods: codes, Swedish labels, ranges, ISO weeks at the year turn, tertial boundaries."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.model import Frequency, Grain
from followup.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    grain_fits_frequency,
    natural_grain,
    nests_in,
    parse_period,
    period_of,
    periods_between,
    periods_within,
    range_label,
    weeks_in_year,
)


@pytest.mark.parametrize(
    ("text", "start", "grain", "code", "label"),
    [
        ("2025", date(2025, 1, 1), Grain.YEAR, "2025", "2025"),
        ("2025-T1", date(2025, 1, 1), Grain.TERTIAL, "2025-T1", "T1 2025"),
        ("2025-T2", date(2025, 5, 1), Grain.TERTIAL, "2025-T2", "T2 2025"),
        ("2025-T3", date(2025, 9, 1), Grain.TERTIAL, "2025-T3", "T3 2025"),
        ("2025-Q2", date(2025, 4, 1), Grain.QUARTER, "2025-Q2", "kv. 2 2025"),
        ("2025-03", date(2025, 3, 1), Grain.MONTH, "2025-03", "mars 2025"),
        ("2025-12", date(2025, 12, 1), Grain.MONTH, "2025-12", "december 2025"),
        ("2025-W12", date(2025, 3, 17), Grain.WEEK, "2025-W12", "v. 12 2025"),
        # tolerated spellings
        (" 2025-t2 ", date(2025, 5, 1), Grain.TERTIAL, "2025-T2", "T2 2025"),
        ("2025-q2", date(2025, 4, 1), Grain.QUARTER, "2025-Q2", "kv. 2 2025"),
        ("2025-3", date(2025, 3, 1), Grain.MONTH, "2025-03", "mars 2025"),
        ("2025 - w 12", date(2025, 3, 17), Grain.WEEK, "2025-W12", "v. 12 2025"),
        ("2025-w1", date(2024, 12, 30), Grain.WEEK, "2025-W01", "v. 1 2025"),  # ISO week 1 starts in 2024
        ("2020-W53", date(2020, 12, 28), Grain.WEEK, "2020-W53", "v. 53 2020"),
        ("\t2026-W53\n", date(2026, 12, 28), Grain.WEEK, "2026-W53", "v. 53 2026"),
    ],
)
def test_parse_code_and_label(text, start, grain, code, label):
    period = parse_period(text)
    assert (period.start, period.grain, period.code, period.label) == (start, grain, code, label)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "Okänd period"),
        ("x", "Okänd period"),
        ("25-03", "Okänd period"),
        ("20255", "Okänd period"),
        ("2025-13", "månad 13 finns inte"),
        ("2025-00", "månad 0 finns inte"),
        ("2025-T4", "tertial 4 finns inte"),
        ("2025-Q5", "kvartal 5 finns inte"),
        ("2025-W53", "vecka 53 finns inte år 2025"),
        ("2025-W00", "vecka 0 finns inte"),
        ("2025-X1", "Okänd period"),
        ("2025/03", "Okänd period"),
        ("1899", "mellan 1900 och 2199"),
    ],
)
def test_bad_codes_get_a_swedish_message_naming_text_and_forms(text, hint):
    with pytest.raises(ValueError) as error:
        parse_period(text)
    message = str(error.value)
    assert hint in message
    assert f"”{text}”" in message
    if "mellan" not in message:
        assert "2025-T2" in message and "2025-W12" in message


@pytest.mark.parametrize(
    ("day", "grain", "code"),
    [
        (date(2024, 12, 29), Grain.WEEK, "2024-W52"),
        (date(2024, 12, 30), Grain.WEEK, "2025-W01"),  # Monday of ISO week 1 2025
        (date(2021, 1, 3), Grain.WEEK, "2020-W53"),  # a Sunday in January still in 2020's week 53
        (date(2027, 1, 3), Grain.WEEK, "2026-W53"),
        (date(2025, 12, 31), Grain.MONTH, "2025-12"),
        (date(2026, 1, 1), Grain.MONTH, "2026-01"),
        (date(2025, 4, 30), Grain.TERTIAL, "2025-T1"),
        (date(2025, 5, 1), Grain.TERTIAL, "2025-T2"),
        (date(2025, 8, 31), Grain.TERTIAL, "2025-T2"),
        (date(2025, 9, 1), Grain.TERTIAL, "2025-T3"),
        (date(2025, 12, 31), Grain.TERTIAL, "2025-T3"),
        (date(2025, 3, 31), Grain.QUARTER, "2025-Q1"),
        (date(2025, 4, 1), Grain.QUARTER, "2025-Q2"),
        (date(2025, 12, 31), Grain.YEAR, "2025"),
        (datetime(2025, 5, 1, 12, 30), Grain.TERTIAL, "2025-T2"),
    ],
)
def test_period_of(day, grain, code):
    assert period_of(day, grain).code == code


@pytest.mark.parametrize(
    ("code", "end"),
    [
        ("2024-W52", date(2024, 12, 30)),
        ("2020-W53", date(2021, 1, 4)),
        ("2025-12", date(2026, 1, 1)),
        ("2025-T1", date(2025, 5, 1)),
        ("2025-T3", date(2026, 1, 1)),
        ("2025-Q4", date(2026, 1, 1)),
        ("2025", date(2026, 1, 1)),
    ],
)
def test_end_is_exclusive(code, end):
    period = parse_period(code)
    assert period.end == end
    assert period.contains(period.last_day) and not period.contains(end)


@pytest.mark.parametrize(
    ("code", "years", "expected"),
    [
        ("2025-T2", -1, "2024-T2"),
        ("2025-03", -1, "2024-03"),
        ("2025-W12", -1, "2024-W12"),
        ("2025-W01", -1, "2024-W01"),
        ("2020-W53", 1, "2021-W52"),  # 2021 has no week 53: clamped to week 52
        ("2026-W53", -1, "2025-W52"),
        ("2026-W53", -6, "2020-W53"),
        ("2025", 2, "2027"),
    ],
)
def test_shift_years(code, years, expected):
    assert parse_period(code).shift_years(years).code == expected


@pytest.mark.parametrize(
    ("code", "steps", "expected"),
    [
        ("2024-12", 1, "2025-01"),
        ("2025-01", -1, "2024-12"),
        ("2024-W52", 1, "2025-W01"),
        ("2020-W52", 1, "2020-W53"),
        ("2025-T3", 1, "2026-T1"),
        ("2025-T1", -1, "2024-T3"),
        ("2025-Q1", -5, "2023-Q4"),
    ],
)
def test_shift_across_the_year_turn(code, steps, expected):
    assert parse_period(code).shift(steps).code == expected


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        ("2025-01", "2025-08", "jan–aug 2025"),
        ("2024-12", "2025-02", "dec 2024–feb 2025"),
        ("2025-03", "2025-03", "mars 2025"),
        ("2025-T1", "2025-T2", "jan–aug 2025"),
        ("2025-01", "2025-12", "2025"),
        ("2023-01", "2025-12", "2023–2025"),
        ("2024-10", "2025-09", "okt 2024–sep 2025"),
        ("2025-Q2", "2025-Q3", "apr–sep 2025"),
        ("2025-05", "2025-06", "maj–juni 2025"),
        ("2025-W01", "2025-W12", "v. 1–12 2025"),
        ("2024-W52", "2025-W02", "v. 52 2024–v. 2 2025"),
        ("2025-W12", "2025-W12", "v. 12 2025"),
        ("2021", "2024", "2021–2024"),
    ],
)
def test_range_label(first, last, label):
    assert range_label(parse_period(first), parse_period(last)) == label


@pytest.mark.parametrize(("first", "last"), [("2025-08", "2025-01"), ("2025-W01", "2025-03")])
def test_range_label_refuses_reversed_or_mixed(first, last):
    with pytest.raises(ValueError):
        range_label(parse_period(first), parse_period(last))


@pytest.mark.parametrize(
    ("start", "end", "grain", "codes"),
    [
        (date(2024, 11, 15), date(2025, 2, 1), Grain.MONTH, ["2024-11", "2024-12", "2025-01", "2025-02"]),
        (date(2024, 12, 25), date(2025, 1, 6), Grain.WEEK, ["2024-W52", "2025-W01", "2025-W02"]),
        (date(2025, 4, 30), date(2025, 9, 1), Grain.TERTIAL, ["2025-T1", "2025-T2", "2025-T3"]),
        (date(2025, 3, 1), date(2025, 3, 1), Grain.YEAR, ["2025"]),
        (date(2025, 3, 2), date(2025, 3, 1), Grain.MONTH, []),
    ],
)
def test_periods_between(start, end, grain, codes):
    assert [p.code for p in periods_between(start, end, grain)] == codes


def test_periods_within_a_tertial_and_refusal_for_weeks():
    assert [p.code for p in periods_within(parse_period("2025-T2"), Grain.MONTH)] == [
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
    ]
    with pytest.raises(ValueError, match="ryms inte"):
        periods_within(parse_period("2025-T2"), Grain.WEEK)


@pytest.mark.parametrize(
    ("grain", "frequency", "fits"),
    [
        (Grain.WEEK, Frequency.WEEK, True),
        (Grain.MONTH, Frequency.WEEK, False),  # weeks straddle months
        (Grain.MONTH, Frequency.MONTH, True),
        (Grain.TERTIAL, Frequency.MONTH, True),
        (Grain.QUARTER, Frequency.MONTH, True),
        (Grain.YEAR, Frequency.MONTH, True),
        (Grain.WEEK, Frequency.MONTH, False),
        (Grain.TERTIAL, Frequency.QUARTER, False),  # a quarter straddles T1/T2
        (Grain.YEAR, Frequency.TERTIAL, True),
        (Grain.MONTH, Frequency.TERTIAL, False),
        (Grain.YEAR, Frequency.SURVEY, True),
        (Grain.TERTIAL, Frequency.SURVEY, False),
        (Grain.YEAR, Frequency.YEAR, True),
    ],
)
def test_grain_fits_frequency(grain, frequency, fits):
    assert grain_fits_frequency(grain, frequency) is fits


def test_survey_uses_year_grain():
    assert natural_grain(Frequency.SURVEY) is Grain.YEAR
    assert nests_in(Grain.MONTH, Grain.TERTIAL) and not nests_in(Grain.TERTIAL, Grain.MONTH)


@pytest.mark.parametrize(
    ("start", "grain"),
    [
        (date(2025, 3, 18), Grain.WEEK),  # a Tuesday
        (date(2025, 3, 2), Grain.MONTH),
        (date(2025, 2, 1), Grain.TERTIAL),
        (date(2025, 2, 1), Grain.QUARTER),
        (date(2025, 2, 1), Grain.YEAR),
        (date(1899, 1, 1), Grain.YEAR),
    ],
)
def test_period_refuses_a_start_that_is_not_a_period_start(start, grain):
    with pytest.raises(ValueError):
        Period(start, grain)


def test_period_normalises_datetime_and_string_grain():
    period = Period(datetime(2025, 5, 1), "tertial")
    assert period == parse_period("2025-T2")
    assert period.grain is Grain.TERTIAL


def test_weeks_in_year():
    assert [weeks_in_year(year) for year in (2020, 2021, 2024, 2025, 2026)] == [53, 52, 52, 52, 53]


days = st.dates(min_value=date(MIN_YEAR, 1, 8), max_value=date(MAX_YEAR - 1, 12, 20))
grains = st.sampled_from(list(Grain))


@given(days, grains)
def test_code_round_trip(day, grain):
    period = period_of(day, grain)
    assert period.contains(day)
    assert parse_period(period.code) == period
    assert parse_period(f"  {period.code.lower()} ") == period
    assert parse_period(period.code.replace("-", " - ")) == period


@given(days, grains)
def test_neighbours_touch_and_labels_differ(day, grain):
    period = period_of(day, grain)
    following = period.shift(1)
    assert following.start == period.end
    assert following.shift(-1) == period
    assert following.label != period.label and following.code != period.code
    assert range_label(period, period) == period.label


@given(days, grains, st.integers(min_value=-5, max_value=5))
def test_shift_years_keeps_the_number_except_week_53(day, grain, years):
    period = period_of(day, grain)
    try:
        shifted = period.shift_years(years)
    except ValueError:  # outside the supported years
        return
    assert shifted.grain is period.grain and shifted.year == period.year + years
    assert shifted.number == period.number or (grain is Grain.WEEK and period.number == 53 == shifted.number + 1)
