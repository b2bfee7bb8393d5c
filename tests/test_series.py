"""From query results to statuses: hand-made frames in the queries' columns, then the demo database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from followup import demo, queries, series
from followup.model import Frequency, Grain, Level
from followup.status import Assessment, Comparison, Method, Point, Target, TargetStatus, Trend

HV = "hasselby-vallingby"
TORG = "hasselby-torg"
SCOPE = "Hässelby torg"
NBSP = "\u00a0"

INDICATOR_COLUMNS = [
    "code", "name", "unit", "direction", "source", "frequency", "sensitive", "aggregation", "level",
    "event_category", "goal_code", "goal_number", "goal_scope", "priority_area_code", "priority_area_number",
]
VALUE_COLUMNS = [
    "indicator", "period_start", "grain", "value", "numerator", "denominator", "preliminary", "series_break",
]
TARGET_COLUMNS = [
    "indicator", "baseline_start", "baseline_grain", "baseline_value", "target_start", "target_grain",
    "target_value", "tolerance", "note",
]


# --- hand-made frames in the columns the queries return ---------------------------------------------------


def indicator(code: str, name: str, unit: str, direction: str, frequency: str, goal: str | None = None,
              area: str | None = None, **extra: Any) -> dict[str, Any]:
    """A scope_indicators row."""
    aggregation = "sum" if unit == "antal" else "mean"
    row = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(code=code, name=name, unit=unit, direction=direction, source="Test", frequency=frequency,
               sensitive=False, aggregation=aggregation, level="place", goal_code=goal, goal_number=1,
               goal_scope="city", priority_area_code=area, priority_area_number=1)
    row.update(extra)
    return row


def value(code: str, start: Any, grain: str, amount: float, n: float | None = None,
          series_break: bool = False) -> dict[str, Any]:
    """A scope_values row."""
    return dict(indicator=code, period_start=start, grain=grain, value=amount, numerator=None, denominator=n,
                preliminary=False, series_break=series_break)


def target(code: str, baseline: str, grain: str, baseline_value: float, target_start: str | None = None,
           target_value: float | None = None, tolerance: float | None = None,
           target_grain: str | None = None) -> dict[str, Any]:
    """A scope_targets row (as DuckDB returns it: dates as Timestamps, NULL as NaN/NaT)."""
    numeric = target_value is not None
    return dict(indicator=code, baseline_start=pd.Timestamp(baseline), baseline_grain=grain,
                baseline_value=baseline_value, target_start=pd.Timestamp(target_start) if numeric else pd.NaT,
                target_grain=(target_grain or grain) if numeric else None,
                target_value=target_value if numeric else float("nan"),
                tolerance=float("nan") if tolerance is None else tolerance, note="")


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly the query's columns (also when there are no rows)."""
    return pd.DataFrame(rows, columns=columns)


def weekly(code: str, first: date, amounts: list[float]) -> list[dict[str, Any]]:
    """Consecutive weekly rows from a Monday."""
    return [value(code, pd.Timestamp(first + timedelta(weeks=i)), "week", a) for i, a in enumerate(amounts)]


INDICATORS = frame([
    indicator("brott", "Anmälda brott", "antal", "lower_is_better", "month", "g1", "a1"),
    indicator("brott", "Anmälda brott", "antal", "lower_is_better", "month", "g2", "a2"),
    indicator("est", "EST: klotter", "antal", "lower_is_better", "week", "g1", "a1", event_category="klotter"),
    indicator("trygg", "Trygga", "andel", "higher_is_better", "survey", "g2", "a2"),
    indicator("tomt", "Utan värden", "antal", "lower_is_better", "tertial", "g2", "a2"),
], INDICATOR_COLUMNS)

VALUES = frame([
    value("brott", pd.Timestamp("2025-09-01"), "month", 30),  # out of order: points() sorts
    value("brott", pd.Timestamp("2024-08-01"), "month", 50),
    value("brott", pd.Timestamp("2024-09-01"), "month", 60),
    value("brott", pd.Timestamp("2025-08-01"), "month", 48),
    *weekly("est", date(2023, 10, 30), [10] * 52 + [4] * 52),  # the last week starts 2025-10-20
    value("trygg", pd.Timestamp("2020-01-01"), "year", 30.0, n=400),
    value("trygg", pd.Timestamp("2023-01-01"), "year", 40.0, n=400),
], VALUE_COLUMNS)

TARGETS = frame([
    target("brott", "2024-01-01", "month", 60, "2026-01-01", 20, tolerance=5),
    target("brott", "2023-01-01", "month", 70),  # directional: no target value
    target("trygg", "2020-01-01", "year", 30, "2026-01-01", 45, target_grain="tertial"),
], TARGET_COLUMNS)


def scope(**kw: Any) -> dict[str, Assessment]:
    """assess_scope over the hand-made frames (keyword arguments replace them)."""
    frames = {"indicators": INDICATORS, "values": VALUES, "targets": TARGETS} | {
        k: v for k, v in kw.items() if k in ("indicators", "values", "targets")
    }
    options = {k: v for k, v in kw.items() if k not in frames}
    return series.assess_scope(frames["indicators"], frames["values"], frames["targets"], scope_name=SCOPE,
                               **options)


# --- comparison per frequency and names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "comparison"),
    [
        (Frequency.WEEK, Comparison.ROLLING_12_MONTHS),
        (Frequency.MONTH, Comparison.SAME_PERIOD_LAST_YEAR),
        (Frequency.QUARTER, Comparison.SAME_PERIOD_LAST_YEAR),
        (Frequency.TERTIAL, Comparison.TERTIAL),
        (Frequency.YEAR, Comparison.SAME_PERIOD_LAST_YEAR),
        (Frequency.SURVEY, Comparison.SURVEY),
        ("week", Comparison.ROLLING_12_MONTHS),  # the catalogue's text works too
    ],
)
def test_default_comparison(frequency: Frequency, comparison: Comparison) -> None:
    assert series.default_comparison(frequency) is comparison


def test_every_frequency_has_a_comparison() -> None:
    assert set(series.COMPARISON_BY_FREQUENCY) == set(Frequency)


@pytest.mark.parametrize(
    ("indicator_name", "scope_name", "expected"),
    [
        ("Anmälda brott", "Hässelby torg", "Anmälda brott, Hässelby torg"),
        ("Öppna drogscener", "Hässelby-Vällingby", "Öppna drogscener, Hässelby-Vällingby"),
        ("Öppna drogscener", "", "Öppna drogscener"),
        ("Öppna drogscener", "  ", "Öppna drogscener"),
    ],
)
def test_scoped_name(indicator_name: str, scope_name: str, expected: str) -> None:
    assert series.scoped_name(indicator_name, scope_name) == expected


# --- points, the data's present and targets ---------------------------------------------------------------


@pytest.mark.parametrize(
    "as_cell",
    [pd.Timestamp, date.fromisoformat, str],
    ids=["timestamp", "date", "text"],
)
def test_points_read_the_query_cells_in_time_order(as_cell: Any) -> None:
    values = frame([
        value("brott", as_cell("2025-03-01"), "month", 9, series_break=True),
        value("brott", as_cell("2024-03-01"), "month", 12, n=381),
    ], VALUE_COLUMNS)
    assert series.points(values) == [
        Point(date(2024, 3, 1), Grain.MONTH, 12.0, 381.0, False),
        Point(date(2025, 3, 1), Grain.MONTH, 9.0, None, True),
    ]


def test_points_of_no_rows() -> None:
    assert series.points(frame([], VALUE_COLUMNS)) == []
    assert series.points_by_indicator(frame([], VALUE_COLUMNS)) == {}


def test_points_take_one_indicator_at_a_time() -> None:
    with pytest.raises(ValueError, match="points_by_indicator"):
        series.points(VALUES)


def test_points_by_indicator() -> None:
    found = series.points_by_indicator(VALUES)
    assert list(found) == ["brott", "est", "trygg"]
    assert [p.period_start for p in found["brott"]] == [date(2024, 8, 1), date(2024, 9, 1), date(2025, 8, 1),
                                                        date(2025, 9, 1)]
    assert len(found["est"]) == 104 and found["est"][-1] == Point(date(2025, 10, 20), Grain.WEEK, 4.0)
    assert found["trygg"][0].n == 400


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([("2025-09-01", "month")], date(2025, 9, 30)),
        ([("2025-09-01", "month"), ("2025-10-20", "week")], date(2025, 10, 26)),
        ([("2024-01-01", "year"), ("2025-05-01", "tertial")], date(2025, 8, 31)),
        ([("2024-01-01", "year"), ("2024-10-01", "month")], date(2024, 12, 31)),  # the year ends later
        ([("2040-01-01", "quarter")], date(2040, 3, 31)),  # the data's present, whatever the clock says
        ([], None),
    ],
)
def test_latest_data_date(periods: list[tuple[str, str]], expected: date | None) -> None:
    values = frame([value("x", pd.Timestamp(start), grain, 1) for start, grain in periods], VALUE_COLUMNS)
    assert series.latest_data_date(values) == expected


def test_target_of_a_numeric_target() -> None:
    row = frame([target("brott", "2024-01-01", "month", 60, "2026-01-01", 20, tolerance=5)], TARGET_COLUMNS)
    assert series.target_of(row.iloc[0]) == Target(date(2024, 1, 1), 60.0, date(2026, 1, 1), 20.0, 5.0,
                                                   Grain.MONTH)


def test_target_of_without_tolerance_uses_the_default() -> None:
    row = target("otrygghet", "2024-01-01", "year", 31.5, "2027-01-01", 25)
    assert series.target_of(row) == Target(date(2024, 1, 1), 31.5, date(2027, 1, 1), 25.0, None, Grain.YEAR)


def test_target_of_a_directional_goal_is_none() -> None:
    assert series.target_of(target("brott", "2023-01-01", "month", 70)) is None


def test_target_of_refuses_two_grains() -> None:
    row = target("trygg", "2020-01-01", "year", 30, "2026-01-01", 45, target_grain="tertial")
    with pytest.raises(ValueError, match="per år men målvärdet per tertial. Ange båda för samma periodlängd"):
        series.target_of(row)


# --- long histories: only the rows that can count are read ----------------------------------------------


def _months(code: str, first: str, amounts: list[float], grain: str = "month") -> list[dict[str, Any]]:
    """Consecutive rows of a grain from the first day of a month."""
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    start = pd.Timestamp(first)
    return [value(code, start + pd.DateOffset(months=i * step), grain, a) for i, a in enumerate(amounts)]


def _wobble(count: int, seed: int) -> list[float]:
    """Deterministic counts that wander (so trends differ between windows)."""
    return [float(20 + (i * seed) % 17 + (i // 40) * 3) for i in range(count)]


LONG_INDICATORS = frame([
    indicator("lang", "Lång serie", "antal", "lower_is_better", "week", "g1", "a1"),
    indicator("brott", "Brott", "antal", "lower_is_better", "week", "g1", "a1"),
    indicator("gammal", "Slutade 2019", "antal", "lower_is_better", "month", "g1", "a1"),
    indicator("enkat", "Enkät", "andel", "higher_is_better", "survey", "g1", "a1"),
    indicator("blandad", "Månad, sedan år", "antal", "lower_is_better", "quarter", "g1", "a1"),
    indicator("negativ", "Negativt 2016", "antal", "lower_is_better", "month", "g1", "a1"),
    indicator("dubbel", "Dubblett 2016", "antal", "lower_is_better", "month", "g1", "a1"),
    indicator("manad", "Per månad", "antal", "lower_is_better", "month", "g1", "a1"),
    indicator("tertial", "Per tertial", "andel", "higher_is_better", "tertial", "g1", "a1"),
], INDICATOR_COLUMNS)

_LONG_WEEKS = weekly("lang", date(2015, 1, 5), _wobble(564, 7))
_LONG_WEEKS[200]["series_break"] = True  # 2018-11-05: older than the years read, but after the baseline
LONG_VALUES = frame([
    *_LONG_WEEKS,
    *weekly("brott", date(2015, 1, 5), _wobble(564, 5)),
    *_months("gammal", "2012-01-01", _wobble(90, 3)),
    value("enkat", pd.Timestamp("2012-01-01"), "year", 41.0, n=500),
    value("enkat", pd.Timestamp("2016-01-01"), "year", 35.0, n=500),
    value("enkat", pd.Timestamp("2024-01-01"), "year", 44.0, n=500),
    *_months("blandad", "2015-01-01", _wobble(24, 5)),
    *_months("blandad", "2022-01-01", [100.0, 90.0, 70.0, 60.0], grain="year"),
    *_months("negativ", "2015-01-01", [-1.0, *_wobble(129, 11)]),
    *_months("dubbel", "2015-01-01", _wobble(130, 13)),
    value("dubbel", pd.Timestamp("2016-03-01"), "month", 9.0),
    *_months("manad", "2015-01-01", _wobble(130, 9)),
    *[value("tertial", pd.Timestamp("2015-01-01") + pd.DateOffset(months=4 * i), "tertial", 50.0 + (i * 7) % 11,
            n=800) for i in range(32)],
], VALUE_COLUMNS)

LONG_TARGETS = frame([
    target("lang", "2016-01-04", "week", 25, "2026-01-05", 15),
    target("brott", "2016-01-04", "week", 25, "2026-01-05", 15),
], TARGET_COLUMNS)


def test_long_histories_give_the_same_assessments_as_the_whole_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """rows_that_count leaves out most of ten years of weeks, and every assessment stays the same: breaks,
    a stale series, a survey's old previous measurement, mixed grains, an old negative count, a duplicate."""
    as_of = series.latest_data_date(LONG_VALUES)
    frequencies = dict(zip(LONG_INDICATORS["code"], LONG_INDICATORS["frequency"], strict=True))
    kept = series.rows_that_count(LONG_VALUES, frequencies, as_of)
    assert len(kept) < len(LONG_VALUES) / 2
    assert set(LONG_VALUES["indicator"]) == set(kept["indicator"])
    trimmed = series.assess_scope(LONG_INDICATORS, LONG_VALUES, LONG_TARGETS, scope_name=SCOPE)
    monkeypatch.setattr(series, "HISTORY_YEARS", 100)
    assert len(series.rows_that_count(LONG_VALUES, frequencies, as_of)) == len(LONG_VALUES)
    whole = series.assess_scope(LONG_INDICATORS, LONG_VALUES, LONG_TARGETS, scope_name=SCOPE)
    assert trimmed == whole
    for comparison in Comparison:  # every window, also when the data end early in a year
        for until in (None, "2024-01-15", "2024-05-06", "2023-09-04"):
            values = LONG_VALUES if until is None else LONG_VALUES.loc[
                pd.to_datetime(LONG_VALUES["period_start"]) <= pd.Timestamp(until)]
            monkeypatch.setattr(series, "HISTORY_YEARS", 2)
            short = series.assess_scope(LONG_INDICATORS, values, LONG_TARGETS, scope_name=SCOPE, comparison=comparison)
            monkeypatch.setattr(series, "HISTORY_YEARS", 100)
            full = series.assess_scope(LONG_INDICATORS, values, LONG_TARGETS, scope_name=SCOPE, comparison=comparison)
            assert short == full, (comparison, until)
    assert "serien bryts v. 45 2018" in str(whole["lang"].target_explanation)
    assert whole["brott"].target_status is not None
    assert whole["gammal"].current_label == "juni 2019"
    assert whole["enkat"].previous_label == "2016"
    assert "olika periodlängd" in whole["blandad"].explanation
    assert "negativt" in whole["negativ"].explanation
    assert "två gånger" in whole["dubbel"].explanation


# --- assess_scope over hand-made frames -------------------------------------------------------------------


def test_assess_scope_one_assessment_per_indicator_in_catalogue_order() -> None:
    assert list(scope()) == ["brott", "est", "trygg", "tomt"]


def test_assess_scope_counts_month_against_the_same_month_last_year() -> None:
    brott = scope()["brott"]
    assert brott.comparison is Comparison.SAME_PERIOD_LAST_YEAR and brott.method is Method.POISSON
    assert brott.trend is Trend.IMPROVING
    assert brott.explanation == (
        f"Anmälda brott, Hässelby torg: 30 i september 2025 mot 60 i september 2024 (−50{NBSP}%), "
        "större än slumpvariationen."
    )


def test_assess_scope_judges_the_first_numeric_target() -> None:
    brott = scope()["brott"]  # path at 2025-09-01: 60 − 40 × 609/731 = 26,7; 30 is behind by less than 5
    assert brott.target_status is TargetStatus.AT_RISK
    assert brott.expected == pytest.approx(60 - 40 * 609 / 731)
    later_first = TARGETS.iloc[[1, 0, 2]].reset_index(drop=True)  # a directional row first changes nothing
    assert scope(targets=later_first)["brott"].target_status is TargetStatus.AT_RISK
    stricter = frame([target("brott", "2024-01-01", "month", 60, "2025-09-01", 20, tolerance=5),
                      *TARGETS.to_dict("records")], TARGET_COLUMNS)
    assert scope(targets=stricter)["brott"].target_status is TargetStatus.OFF_TRACK


def test_assess_scope_weeks_compare_52_weeks_with_the_52_before() -> None:
    est = scope()["est"]
    assert est.comparison is Comparison.ROLLING_12_MONTHS
    assert (est.current, est.previous, est.trend) == (208, 520, Trend.IMPROVING)
    assert est.explanation.startswith("EST: klotter, Hässelby torg: 208 v. 44 2024–v. 43 2025 mot 520 ")


def test_assess_scope_surveys_compare_with_the_previous_survey() -> None:
    trygg = scope()["trygg"]
    assert trygg.comparison is Comparison.SURVEY and trygg.method is Method.TWO_PROPORTIONS
    assert trygg.trend is Trend.IMPROVING
    assert trygg.explanation.startswith(f"Trygga, Hässelby torg: 40,0{NBSP}% år 2023 mot 30,0{NBSP}% år 2020")


def test_assess_scope_a_bad_target_is_explained_not_raised() -> None:
    trygg = scope()["trygg"]
    assert trygg.target_status is None
    assert trygg.target_explanation == (
        "Trygga, Hässelby torg: ingen målbedömning. Målets utgångsvärde gäller per år men målvärdet per tertial. "
        "Ange båda för samma periodlängd."
    )


def test_assess_scope_an_indicator_without_values_has_no_data() -> None:
    tomt = scope()["tomt"]
    assert tomt.trend is Trend.NO_DATA and tomt.target_status is None
    assert tomt.explanation == "Utan värden, Hässelby torg: ingen bedömning eftersom det finns inga värden."


def test_assess_scope_as_of_defaults_to_the_datas_present_not_the_clock() -> None:
    moved = VALUES.assign(period_start=[start + pd.DateOffset(years=15) for start in VALUES["period_start"]])
    moved.loc[moved["grain"] == "week", "period_start"] = [  # weeks must stay Mondays: 15 years = 783 weeks
        start + timedelta(weeks=783) for start in VALUES.loc[VALUES["grain"] == "week", "period_start"]
    ]
    found = scope(values=moved, targets=frame([], TARGET_COLUMNS))
    assert found["brott"].current_label == "september 2040" and found["brott"].trend is Trend.IMPROVING
    assert found["est"].trend is Trend.IMPROVING and found["trygg"].current_label == "2038"


def test_assess_scope_as_of_leaves_out_later_periods() -> None:
    brott = scope(as_of=date(2025, 8, 31))["brott"]
    assert (brott.current, brott.previous, brott.current_label) == (48, 50, "augusti 2025")
    assert brott.trend is Trend.UNCHANGED


def test_assess_scope_a_chosen_comparison_applies_to_every_indicator() -> None:
    found = scope(comparison=Comparison.YEAR_TO_DATE)
    assert {a.comparison for a in found.values()} == {Comparison.YEAR_TO_DATE}
    assert found["brott"].current_label == "jan–sep 2025"  # and Jan–Jul 2025 are missing, so no judgement
    assert found["brott"].trend is Trend.NO_DATA and "värde saknas för jan–juli 2025" in found["brott"].explanation


def test_assess_scope_keeps_the_natural_grain_when_grains_mix() -> None:
    mixed = pd.concat([VALUES, frame([value("brott", pd.Timestamp("2024-01-01"), "year", 700)], VALUE_COLUMNS)])
    assert scope(values=mixed)["brott"].trend is Trend.IMPROVING
    yearly = frame([value("brott", pd.Timestamp(f"{y}-01-01"), "year", v) for y, v in ((2023, 700), (2024, 400))],
                   VALUE_COLUMNS)  # only another grain than the frequency's: judged in that grain
    assert scope(values=yearly)["brott"].current_label == "2024"


def test_assess_scope_a_period_given_twice_is_explained_not_raised() -> None:
    twice = pd.concat([VALUES, frame([value("brott", pd.Timestamp("2025-09-01"), "month", 31)], VALUE_COLUMNS)])
    brott = scope(values=twice)["brott"]
    assert brott.trend is Trend.NO_DATA
    assert brott.explanation == (
        "Anmälda brott, Hässelby torg: ingen bedömning. Perioden september 2025 finns två gånger i serien. "
        "Ta bort dubbletten."
    )


def test_assess_scope_hides_small_sensitive_counts() -> None:
    indicators = frame([indicator("unga", "Unga misstänkta", "antal", "lower_is_better", "tertial", "g1", "a1",
                                  sensitive=True)], INDICATOR_COLUMNS)
    values = frame([value("unga", pd.Timestamp("2024-05-01"), "tertial", 12),
                    value("unga", pd.Timestamp("2025-05-01"), "tertial", 3)], VALUE_COLUMNS)
    unga = scope(indicators=indicators, values=values)["unga"]
    assert unga.comparison is Comparison.TERTIAL
    assert unga.suppressed and unga.current is None and unga.current_text == "1–4"
    assert "1–4 T2 2025 mot 12 T2 2024" in unga.explanation and " 3 " not in unga.explanation


def test_assess_scope_of_nothing() -> None:
    assert scope(indicators=frame([], INDICATOR_COLUMNS), values=frame([], VALUE_COLUMNS)) == {}


# --- roll-up ----------------------------------------------------------------------------------------------


def _assessment(trend: Trend) -> Assessment:
    return Assessment("x", trend, "", Comparison.SAME_PERIOD_LAST_YEAR)


LINKS = frame([
    indicator("a", "A", "antal", "lower_is_better", "month", "g1", "p1"),
    indicator("b", "B", "antal", "lower_is_better", "month", "g1", "p1"),
    indicator("c", "C", "antal", "lower_is_better", "month", "g1", "p1"),
    indicator("b", "B", "antal", "lower_is_better", "month", "g2", "p1"),
    indicator("d", "D", "antal", "lower_is_better", "month", "g3", "p2"),
    indicator("f", "F", "antal", "lower_is_better", "month", "g3", "p2"),  # not assessed: does not vote
    indicator("e", "E", "antal", "lower_is_better", "month"),  # in no goal
], INDICATOR_COLUMNS)
ASSESSED = {
    "a": _assessment(Trend.IMPROVING),
    "b": _assessment(Trend.WORSENING),
    "c": _assessment(Trend.IMPROVING),
    "d": _assessment(Trend.NO_DATA),
    "e": _assessment(Trend.WORSENING),
}


def test_goal_statuses_roll_up_their_indicators() -> None:
    goals = series.goal_statuses(ASSESSED, LINKS)
    assert list(goals) == ["g1", "g2", "g3"]
    assert goals["g1"] == (
        Trend.IMPROVING,
        "2 förbättras, 1 försämras av 3 nyckeltal: förbättras, eftersom fler förbättras än försämras.",
    )
    assert goals["g2"][0] is Trend.WORSENING
    assert goals["g3"] == (
        Trend.NO_DATA,
        "1 utan bedömning av 1 nyckeltal: ingen bedömning, eftersom inget har en bedömning.",
    )


def test_a_city_level_indicator_is_named_for_the_city() -> None:
    assert series.scope_of("city", "Hässelby-Vällingby") == "Stockholms stad"
    assert series.scope_of("district", "Hässelby-Vällingby") == "Hässelby-Vällingby"


def test_area_statuses_roll_up_their_goals_one_vote_each() -> None:
    areas = series.area_statuses(series.goal_statuses(ASSESSED, LINKS), LINKS)
    assert areas == {
        "p1": (Trend.UNCHANGED,
               "1 förbättras, 1 försämras av 2 mål: oförändrat, eftersom lika många förbättras som försämras."),
        "p2": (Trend.NO_DATA, "1 utan bedömning av 1 mål: ingen bedömning, eftersom inget har en bedömning."),
    }


def test_roll_up_of_nothing() -> None:
    empty = frame([], INDICATOR_COLUMNS)
    assert series.goal_statuses({}, empty) == {} and series.area_statuses({}, empty) == {}


# --- the demo database ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def con(demo_db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection to the session's demo database."""
    connection = duckdb.connect(str(demo_db_path), read_only=True)
    yield connection
    connection.close()


def _frames(con: duckdb.DuckDBPyConnection, district: str, place: str) -> tuple[pd.DataFrame, ...]:
    """scope_indicators, scope_values (all history) and scope_targets of a scope."""
    params = {"district": district, "place": place}
    return (
        queries.run(con, "scope_indicators", **params),
        queries.run(con, "scope_values", **params, **{"from": demo.DATA_START}),
        queries.run(con, "scope_targets", **params),
    )


@pytest.fixture(scope="module")
def district_scope(con: duckdb.DuckDBPyConnection) -> tuple[tuple[pd.DataFrame, ...], dict[str, Assessment]]:
    """Hässelby-Vällingby's frames and assessments (as_of from the data)."""
    frames = _frames(con, HV, "")
    return frames, series.assess_scope(*frames, scope_name="Hässelby-Vällingby")


def test_hasselby_vallingby_shows_every_status(
    con: duckdb.DuckDBPyConnection, district_scope: tuple[tuple[pd.DataFrame, ...], dict[str, Assessment]]
) -> None:
    _, found = district_scope
    # crimes at a place are measured per place only: not part of a whole district's view
    assert set(found) == set(con.table("indicator").df()["code"]) - {"anmalda-brott-plats"}
    assert {a.trend for a in found.values()} == set(Trend)
    assert {a.target_status for a in found.values()} - {None} == set(TargetStatus)
    assert found["bedragerier-aldre"].explanation.startswith("Anmälda bedrägerier mot äldre, Hässelby-Vällingby: ")


def test_hasselby_vallingby_as_of_is_the_end_of_the_latest_period(
    district_scope: tuple[tuple[pd.DataFrame, ...], dict[str, Assessment]]
) -> None:
    """The autumn's lägesbild already gives 2025 (preliminary), so the data reach 2025-12-31, as goal_overview says."""
    (indicators, values, targets), found = district_scope
    assert series.latest_data_date(values) == date(2025, 12, 31)
    at_demo_today = series.assess_scope(indicators, values, targets, scope_name="Hässelby-Vällingby",
                                        as_of=demo.DEMO_TODAY)
    assert at_demo_today == found


def test_hasselby_vallingby_goals_and_areas(
    district_scope: tuple[tuple[pd.DataFrame, ...], dict[str, Assessment]]
) -> None:
    (indicators, _, _), found = district_scope
    goals = series.goal_statuses(found, indicators)
    areas = series.area_statuses(goals, indicators)
    assert len(goals) == 14 and len(areas) == 5
    assert goals["pa4-2"][0] is Trend.WORSENING  # fraud against the elderly rises, close-relationship crimes flat
    assert goals["pa4-2"][1].startswith("1 oförändrat, 1 försämras av 2 nyckeltal: försämras")
    # goal 2.2: EST drug reports improve; the district's Brå counts and the city's Kolada rate (named for
    # the city) are unchanged
    assert goals["pa2-2"][0] is Trend.IMPROVING
    assert goals["pa2-2"][1].startswith("1 förbättras, 7 oförändrade av 8 nyckeltal: förbättras")
    for code in ("bra-brott-mot-person", "bra-misshandel", "kolada-valdsbrott"):
        assert found[code].trend is Trend.UNCHANGED, code
    assert found["kolada-valdsbrott"].explanation.startswith("Anmälda våldsbrott per 1 000 invånare i staden, "
                                                             "Stockholms stad")


def test_hasselby_torg_place_scope(con: duckdb.DuckDBPyConnection) -> None:
    indicators, values, targets = _frames(con, HV, TORG)
    found = series.assess_scope(indicators, values, targets, scope_name=SCOPE)
    catalogue = con.table("indicator").df()
    assert set(found) == set(catalogue.loc[catalogue["level"] == Level.PLACE, "code"])
    crimes = found["anmalda-brott-plats"]
    assert (crimes.trend, crimes.target_status) == (Trend.IMPROVING, TargetStatus.ON_TRACK)
    assert crimes.explanation.startswith("Anmälda brott på platsen, Hässelby torg: ")
    assert found["est-narkotika"].trend is Trend.IMPROVING
    assert series.latest_data_date(values) == demo.LAST_WEEK + timedelta(days=6)  # the last whole EST week
    areas = series.area_statuses(series.goal_statuses(found, indicators), indicators)
    assert list(areas) == ["otrygga-platser"]


def test_weeks_without_reports_are_zeros_from_the_districts_first_report(
    con: duckdb.DuckDBPyConnection, district_scope: tuple[tuple[pd.DataFrame, ...], dict[str, Assessment]]
) -> None:
    (_, values, _), _ = district_scope
    fires = values.loc[values["indicator"] == "est-brand"]
    weeks = pd.date_range(demo.EST_START[HV], demo.LAST_WEEK, freq="7D")
    assert list(fires["period_start"]) == list(weeks) and set(fires["grain"]) == {"week"}
    assert fires["value"].iloc[0] == 0  # the district reported from 2019-01-07, its first fire came later
    reported = con.execute(
        "select count(*) from event where district = ? and category = 'brand'", [HV]
    ).fetchone()[0]
    assert fires["value"].sum() == reported  # no report lost, none invented


@pytest.mark.parametrize("place", ["", TORG], ids=["district", "place"])
def test_scope_values_and_indicator_series_agree(con: duckdb.DuckDBPyConnection, place: str) -> None:
    """The two queries repeat the same rules; every indicator's rows must be the same in both."""
    params = {"district": HV, "place": place, "from": date(2024, 1, 1)}
    values = queries.run(con, "scope_values", **params)
    for code in queries.run(con, "scope_indicators", district=HV, place=place)["code"].unique():
        one = queries.run(con, "indicator_series", indicator=code, to=demo.DEMO_TODAY, **params)
        expected = values.loc[values["indicator"] == code].reset_index(drop=True)
        pd.testing.assert_frame_equal(one, expected, check_dtype=False, obj=code)
