"""followup/trends.py: re-graining by aggregation, incomplete periods, rates, rolling averages, hiding 1–4."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from followup import trends
from followup.model import Aggregation, Frequency, Grain
from followup.periods import Period, parse_period
from followup.trends import TrendPoint, Value


def months(year: int, values: list[float | None], *, first: int = 1, n: list[float] | None = None) -> list[Value]:
    """Monthly Values from month `first` of `year` on; None leaves the month out (missing)."""
    result = []
    for offset, value in enumerate(values):
        if value is None:
            continue
        period = Period(date(year, first, 1), Grain.MONTH).shift(offset)
        result.append(Value(period, value, n=n[offset] if n else None))
    return result


def by_code(points: list[TrendPoint]) -> dict[str, float | None]:
    """{period code: value} of a trend."""
    return {p.period.code: p.value for p in points}


# --- grains -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "from_events", "allowed", "default"),
    [
        (Frequency.MONTH, False, [Grain.MONTH, Grain.TERTIAL, Grain.YEAR], Grain.MONTH),
        (Frequency.TERTIAL, False, [Grain.TERTIAL, Grain.YEAR], Grain.TERTIAL),
        (Frequency.YEAR, False, [Grain.YEAR], Grain.YEAR),
        (Frequency.SURVEY, False, [Grain.YEAR], Grain.YEAR),
        (Frequency.QUARTER, False, [Grain.YEAR], Grain.YEAR),  # quarters do not nest in tertials
        (Frequency.WEEK, False, [Grain.WEEK], Grain.WEEK),  # stored weeks nest only in weeks
        (Frequency.WEEK, True, [Grain.WEEK, Grain.MONTH, Grain.TERTIAL, Grain.YEAR], Grain.MONTH),
    ],
)
def test_allowed_and_default_grains(frequency: Frequency, from_events: bool, allowed: list[Grain], default: Grain) -> None:
    assert trends.allowed_grains(frequency, from_events=from_events) == allowed
    assert trends.default_grain(frequency, from_events=from_events) is default


# --- re-graining by aggregation ------------------------------------------------------------------------


def test_counts_are_summed_into_tertials_and_years() -> None:
    values = months(2024, [3, 4, 5, 6, 1, 1, 1, 1, 0, 0, 2, 2])
    tertials = trends.regrain(values, Grain.TERTIAL, Aggregation.SUM)
    assert by_code(tertials) == {"2024-T1": 18, "2024-T2": 4, "2024-T3": 4}
    assert all(p.complete and p.note == "" for p in tertials)
    assert by_code(trends.regrain(values, Grain.YEAR, Aggregation.SUM)) == {"2024": 26}


def test_shares_with_n_are_weighted_by_n() -> None:
    values = months(2025, [10.0, 40.0, 20.0, 20.0], n=[100, 300, 100, 100])
    (tertial,) = trends.regrain(values, Grain.TERTIAL, Aggregation.MEAN)
    assert tertial.value == pytest.approx((10 * 100 + 40 * 300 + 20 * 100 + 20 * 100) / 600)  # 28.33, not 22.5
    assert tertial.n == 600


def test_means_without_n_on_every_part_are_plain_means() -> None:
    values = months(2025, [10.0, 40.0, 20.0, 30.0], n=[100, 300, 100, 100])
    values[1] = Value(values[1].period, 40.0, n=None)
    (tertial,) = trends.regrain(values, Grain.TERTIAL, Aggregation.MEAN)
    assert tertial.value == pytest.approx(25.0)
    assert tertial.n is None


def test_rate_aggregation_is_averaged_like_a_mean() -> None:
    values = months(2025, [2.0, 4.0, 6.0, 8.0])
    assert by_code(trends.regrain(values, Grain.TERTIAL, Aggregation.RATE)) == {"2025-T1": 5.0}


def test_own_grain_passes_through_unchanged() -> None:
    values = months(2025, [7, 0, 9])
    points = trends.regrain(values, Grain.MONTH, Aggregation.SUM)
    assert by_code(points) == {"2025-01": 7, "2025-02": 0, "2025-03": 9}
    assert all(p.complete for p in points)


def test_grain_finer_than_the_values_is_refused_in_swedish() -> None:
    values = [Value(Period(date(2025, 1, 1), Grain.TERTIAL), 5)]
    with pytest.raises(ValueError, match="kan inte visas per månad"):
        trends.regrain(values, Grain.MONTH, Aggregation.SUM)


def test_mixed_grains_use_the_finest_that_fits() -> None:
    """A year value beside its months is not added to them (it would count every month twice)."""
    values = [*months(2024, [1] * 12), Value(Period(date(2024, 1, 1), Grain.YEAR), 12)]
    assert by_code(trends.regrain(values, Grain.YEAR, Aggregation.SUM)) == {"2024": 12}


def test_a_period_given_twice_is_refused() -> None:
    values = months(2025, [1, 2]) + months(2025, [3])
    with pytest.raises(ValueError, match="finns två gånger"):
        trends.regrain(values, Grain.TERTIAL, Aggregation.SUM)


# --- zero vs missing, incomplete periods ----------------------------------------------------------------


def test_zero_is_a_value_and_missing_is_a_gap() -> None:
    values = months(2025, [0, None, 4])  # February missing
    points = trends.regrain(values, Grain.MONTH, Aggregation.SUM)
    assert by_code(points) == {"2025-01": 0, "2025-02": None, "2025-03": 4}
    assert [p.complete for p in points] == [True, False, True]
    assert points[1].note == "värde saknas"


def test_zero_periods_sum_to_zero_not_missing() -> None:
    (tertial,) = trends.regrain(months(2025, [0, 0, 0, 0]), Grain.TERTIAL, Aggregation.SUM)
    assert tertial.value == 0 and tertial.complete


def test_a_tertial_with_a_missing_month_is_incomplete_and_says_which() -> None:
    (tertial,) = trends.regrain(months(2025, [5, None, 6, 7]), Grain.TERTIAL, Aggregation.SUM)
    assert tertial.value == 18
    assert not tertial.complete
    assert tertial.note == "ofullständig: värde saknas för februari 2025"


def test_a_tertial_cut_by_the_window_says_so() -> None:
    window = (date(2025, 3, 1), date(2025, 10, 31))
    points = trends.regrain(months(2025, [1, 1, 1, 1], first=3), Grain.TERTIAL, Aggregation.SUM, window=window)
    assert [(p.period.code, p.value, p.complete) for p in points] == [("2025-T1", 2, False), ("2025-T2", 2, False)]
    assert points[0].note == "ofullständig: jan–feb 2025 ligger utanför vald period"
    assert points[1].note == "ofullständig: värde saknas för juli–aug 2025"


def test_event_counts_not_counted_for_every_day_are_incomplete() -> None:
    october = Period(date(2025, 10, 1), Grain.MONTH)
    september = october.shift(-1)
    values = [
        Value(september, 13, counted=(date(2025, 9, 1), date(2025, 9, 30))),
        Value(october, 11, counted=(date(2025, 10, 1), date(2025, 10, 26))),
    ]
    points = trends.regrain(values, Grain.MONTH, Aggregation.SUM)
    assert [p.complete for p in points] == [True, False]
    assert points[1].note == "ofullständig: omfattar bara 1–26 okt 2025"


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (date(2025, 10, 1), date(2025, 10, 31), "oktober 2025"),
        (date(2025, 9, 1), date(2025, 10, 31), "sep–okt 2025"),
        (date(2025, 10, 1), date(2025, 10, 26), "1–26 okt 2025"),
        (date(2025, 10, 6), date(2025, 10, 6), "6 okt 2025"),
        (date(2025, 9, 29), date(2025, 10, 5), "29 sep–5 okt 2025"),
        (date(2024, 12, 30), date(2025, 1, 5), "30 dec 2024–5 jan 2025"),
    ],
)
def test_days_label(first: date, last: date, label: str) -> None:
    assert trends.days_label(first, last) == label


def test_series_break_inside_a_period_is_flagged_and_named() -> None:
    values = months(2025, [5, 6, 7, 8])
    values[2] = Value(values[2].period, 7, series_break=True)
    (tertial,) = trends.regrain(values, Grain.TERTIAL, Aggregation.SUM)
    assert tertial.series_break
    assert "serien bryts mars 2025" in tertial.note


def test_preliminary_part_makes_the_period_preliminary() -> None:
    values = months(2025, [5, 6, 7, 8])
    values[3] = Value(values[3].period, 8, preliminary=True)
    (tertial,) = trends.regrain(values, Grain.TERTIAL, Aggregation.SUM)
    assert tertial.preliminary


# --- the year turning ------------------------------------------------------------------------------------


def test_months_across_new_year_fall_into_their_own_years_and_tertials() -> None:
    values = months(2024, [1, 1, 1, 1], first=11) + months(2025, [2, 2], first=3)  # nov 2024 – feb 2025
    years = trends.regrain(values, Grain.YEAR, Aggregation.SUM)
    assert by_code(years) == {"2024": 2, "2025": 6}
    tertials = trends.regrain(values, Grain.TERTIAL, Aggregation.SUM)
    assert by_code(tertials) == {"2024-T3": 2, "2025-T1": 6}
    assert not tertials[0].complete and "värde saknas för sep–okt 2024" in tertials[0].note


def test_rolling_average_runs_across_new_year() -> None:
    points = trends.regrain(months(2024, [3, 6, 9, 12], first=11), Grain.MONTH, Aggregation.SUM)
    assert by_code(trends.rolling(points, 3, Aggregation.SUM)) == {
        "2024-11": None, "2024-12": None, "2025-01": 6.0, "2025-02": 9.0,
    }


def test_population_of_the_week_year_is_used_at_new_year() -> None:
    """Week 1 of 2025 starts on 30 December 2024 and takes 2025's population."""
    week_1 = parse_period("2025-W01")
    week_52 = week_1.shift(-1)
    points = [TrendPoint(week_52, 10.0), TrendPoint(week_1, 10.0)]
    rates, used = trends.per_1000(points, {2024: 1000, 2025: 2000})
    assert [p.value for p in rates] == [10.0, 5.0]
    assert used == [2024, 2025]


# --- rates per 1 000 inhabitants -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "year", "used"),
    [
        ([2024], 2025, 2024),
        ([2024], 2024, 2024),
        ([2022, 2024], 2023, 2022),
        ([2024], 2019, 2024),  # nothing at or before: the earliest there is (the page says which)
        ([], 2024, None),
    ],
)
def test_population_year(years: list[int], year: int, used: int | None) -> None:
    assert trends.population_year(years, year) == used


def test_rates_per_1000_use_the_latest_population_at_or_before_the_year() -> None:
    points = trends.regrain(
        [Value(Period(date(y, 1, 1), Grain.YEAR), v) for y, v in [(2019, 50.0), (2023, 60.0), (2025, 80.0)]],
        Grain.YEAR,
        Aggregation.SUM,
    )
    rates, used = trends.per_1000(points, {2022: 20_000, 2024: 40_000})
    assert by_code(rates) == {"2019": 2.5, "2020": None, "2021": None, "2022": None, "2023": 3.0, "2024": None,
                              "2025": 2.0}
    assert used == [2022, 2024]


def test_rates_without_population_are_missing() -> None:
    rates, used = trends.per_1000([TrendPoint(Period(date(2025, 1, 1), Grain.YEAR), 10.0)], {})
    assert rates[0].value is None and used == []
    rates, used = trends.per_1000([TrendPoint(Period(date(2025, 1, 1), Grain.YEAR), 10.0)], {2024: 0})
    assert rates[0].value is None and used == []


def test_rate_of_a_zero_count_is_zero() -> None:
    rates, _ = trends.per_1000([TrendPoint(Period(date(2025, 1, 1), Grain.YEAR), 0.0)], {2024: 5000})
    assert rates[0].value == 0.0


# --- rolling averages ------------------------------------------------------------------------------------


def test_rolling_average_of_counts_is_per_period() -> None:
    points = trends.regrain(months(2025, [2, 4, 6, 8, 10]), Grain.MONTH, Aggregation.SUM)
    rolled = trends.rolling(points, 3, Aggregation.SUM)
    assert [p.value for p in rolled] == [None, None, 4.0, 6.0, 8.0]


def test_rolling_average_of_shares_is_weighted_by_n() -> None:
    points = trends.regrain(months(2025, [10.0, 30.0], n=[100, 300]), Grain.MONTH, Aggregation.MEAN)
    assert trends.rolling(points, 2, Aggregation.MEAN)[1].value == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, None, 3, 4, 5], [None, None, None, None, 4.0]),  # a missing month stops every window over it
        ([0, 0, 0, 3], [None, None, 0.0, 1.0]),  # zeros are values
    ],
)
def test_rolling_average_needs_every_period(values: list[float | None], expected: list[float | None]) -> None:
    points = trends.regrain(months(2025, values), Grain.MONTH, Aggregation.SUM)
    assert [p.value for p in trends.rolling(points, 3, Aggregation.SUM)] == expected


def test_rolling_average_skips_incomplete_periods() -> None:
    october = Period(date(2025, 10, 1), Grain.MONTH)
    values = [
        Value(october.shift(-1), 13, counted=(date(2025, 9, 1), date(2025, 9, 30))),
        Value(october, 11, counted=(date(2025, 10, 1), date(2025, 10, 26))),
    ]
    points = trends.regrain(values, Grain.MONTH, Aggregation.SUM)
    assert [p.value for p in trends.rolling(points, 1, Aggregation.SUM)] == [13.0, None]


def test_rolling_average_does_not_cross_a_series_break() -> None:
    values = months(2025, [4, 4, 8, 8, 8])
    values[2] = Value(values[2].period, 8, series_break=True)
    points = trends.regrain(values, Grain.MONTH, Aggregation.SUM)
    assert [p.value for p in trends.rolling(points, 2, Aggregation.SUM)] == [None, 4.0, None, 8.0, 8.0]


def test_rolling_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="minst en period"):
        trends.rolling([], 0, Aggregation.SUM)


# --- sensitive values ------------------------------------------------------------------------------------


def test_sensitive_small_counts_are_hidden_and_zero_is_not() -> None:
    points = trends.regrain(months(2025, [0, 3, 7]), Grain.MONTH, Aggregation.SUM, sensitive=True)
    assert [p.hidden for p in points] == [False, True, False]
    assert [trends.shown_value(p) for p in points] == [0.0, None, 7.0]


def test_a_sum_over_a_hidden_count_is_hidden_too() -> None:
    """Shown beside its other parts, 12 + 3 + 9 = 24 would give the hidden 3 away."""
    values = [Value(Period(date(2025, 1, 1), Grain.TERTIAL).shift(i), v) for i, v in enumerate([12, 3, 9])]
    (year,) = trends.regrain(values, Grain.YEAR, Aggregation.SUM, sensitive=True)
    assert year.value == 24 and year.hidden
    (open_year,) = trends.regrain(values, Grain.YEAR, Aggregation.SUM, sensitive=False)
    assert not open_year.hidden


def test_rate_and_rolling_average_of_a_hidden_count_are_hidden() -> None:
    points = trends.regrain(months(2025, [12, 3, 9, 10]), Grain.MONTH, Aggregation.SUM, sensitive=True)
    rates, _ = trends.per_1000(points, {2025: 1000})
    assert [p.hidden for p in rates] == [False, True, False, False]
    rolled = trends.rolling(points, 2, Aggregation.SUM, sensitive=True)
    assert [p.hidden for p in rolled] == [False, True, True, False]
    assert trends.shown_value(rolled[3]) == 9.5


def test_a_rolling_average_of_1_to_4_is_hidden_for_sensitive_counts() -> None:
    points = trends.regrain(months(2025, [0, 6, 0]), Grain.MONTH, Aggregation.SUM, sensitive=True)
    rolled = trends.rolling(points, 3, Aggregation.SUM, sensitive=True)
    assert rolled[2].value == 2.0 and rolled[2].hidden


def test_to_frame_never_holds_a_hidden_value() -> None:
    points = trends.regrain(months(2025, [0, 3, 7, None, 2]), Grain.MONTH, Aggregation.SUM, sensitive=True)
    frame = trends.to_frame(points)
    assert list(frame.columns) == ["period_start", "value", "hidden", "complete", "preliminary", "series_break",
                                   "note"]
    shown = [None if pd.isna(v) else v for v in frame["value"]]
    assert shown == [0.0, None, 7.0, None, None]
    assert frame["hidden"].tolist() == [False, True, False, False, True]


# --- reading the query result ----------------------------------------------------------------------------


def test_values_by_scope_reads_trend_series_rows() -> None:
    frame = pd.DataFrame(
        {
            "scope_kind": ["place", "district", "district"],
            "scope": ["hasselby-torg", "bromma", "bromma"],
            "period_start": pd.to_datetime(["2025-10-01", "2025-02-01", "2025-01-01"]),
            "grain": ["month", "month", "month"],
            "value": [11.0, 5.0, 4.0],
            "numerator": [None, None, None],
            "denominator": [None, 200.0, None],
            "preliminary": [False, True, False],
            "series_break": [False, False, False],
            "counted_from": pd.to_datetime(["2025-10-01", None, None]),
            "counted_to": pd.to_datetime(["2025-10-26", None, None]),
        }
    )
    scopes = trends.values_by_scope(frame)
    assert list(scopes) == [("place", "hasselby-torg"), ("district", "bromma")]
    assert [v.period.code for v in scopes[("district", "bromma")]] == ["2025-01", "2025-02"]
    assert scopes[("district", "bromma")][1] == Value(Period(date(2025, 2, 1), Grain.MONTH), 5.0, n=200.0,
                                                       preliminary=True)
    assert scopes[("place", "hasselby-torg")][0].counted == (date(2025, 10, 1), date(2025, 10, 26))


def test_a_withheld_city_value_is_hidden_and_so_is_every_sum_over_it() -> None:
    frame = pd.DataFrame({
        "scope_kind": "district", "scope": "stockholm", "grain": "tertial",
        "period_start": [date(2024, 1, 1), date(2024, 5, 1), date(2024, 9, 1)],
        "value": [40.0, 41.0, 39.0], "withheld": [False, True, False],
    })
    values = trends.values_by_scope(frame)[("district", "stockholm")]
    assert [v.withheld for v in values] == [False, True, False]
    tertials = trends.regrain(values, Grain.TERTIAL, Aggregation.SUM, sensitive=True)
    assert [p.hidden for p in tertials] == [False, True, False]
    assert [trends.shown_value(p) for p in tertials] == [40.0, None, 39.0]
    year = trends.regrain(values, Grain.YEAR, Aggregation.SUM, sensitive=True)
    assert [p.hidden for p in year] == [True]  # 120 − 40 − 39 would give the withheld 41 back
