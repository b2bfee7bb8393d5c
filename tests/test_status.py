"""Status engine: trends like with like, signal vs noise, targets, suppression, roll-up."""

import re
from datetime import date, timedelta

import pytest

from followup.model import Aggregation, Direction, Grain, Unit
from followup.status import (
    DISPLAY,
    HOW_STATUS_WORKS,
    Comparison,
    Method,
    Point,
    Target,
    TargetStatus,
    Trend,
    assess,
    rollup,
)

LOWER = Direction.LOWER_IS_BETTER
HIGHER = Direction.HIGHER_IS_BETTER
NAME = "Anmälda brott på Hässelby torg"


def months(year: int, values: list[float], first: int = 1, **extra) -> list[Point]:
    """Monthly points from month `first` of `year`."""
    return [Point(date(year, first + i, 1), Grain.MONTH, v, **extra) for i, v in enumerate(values)]


def weeks(iso_year: int, first_week: int, values: list[float]) -> list[Point]:
    """Weekly points from an ISO week."""
    start = date.fromisocalendar(iso_year, first_week, 1)
    return [Point(start + timedelta(weeks=i), Grain.WEEK, v) for i, v in enumerate(values)]


def year(y: int, value: float, n: float | None = None, series_break: bool = False) -> Point:
    """A yearly point."""
    return Point(date(y, 1, 1), Grain.YEAR, value, n=n, series_break=series_break)


def count(points, *, direction=LOWER, comparison=Comparison.SAME_PERIOD_LAST_YEAR, **kw):
    """Assess a count series."""
    return assess(points, name=NAME, unit=Unit.COUNT, direction=direction, comparison=comparison, **kw)


# --- the two examples of issue 3 -------------------------------------------------------------


def test_41_against_78_is_larger_than_chance():
    points = months(2024, [10, 10, 10, 10, 10, 10, 10, 8, 9, 9, 9, 9]) + months(2025, [5] * 7 + [6])
    result = count(points, comparison=Comparison.YEAR_TO_DATE)
    assert result.explanation == (
        "Anmälda brott på Hässelby torg: 41 jan–aug 2025 mot 78 samma period 2024 (−47 %), "
        "större än slumpvariationen."
    ).replace(" %", "\u00a0%")
    assert result.trend is Trend.IMPROVING
    assert (result.current, result.previous) == (41, 78)
    assert (result.current_label, result.previous_label) == ("jan–aug 2025", "jan–aug 2024")
    assert result.method is Method.POISSON and result.significant is True
    assert result.change_absolute == -37 and result.change_relative == pytest.approx(-37 / 78)


def test_41_against_58_is_within_chance():
    points = months(2024, [8, 7, 7, 7, 7, 7, 7, 8]) + months(2025, [5] * 7 + [6])
    result = count(points, comparison=Comparison.YEAR_TO_DATE)
    assert result.explanation == (
        "Anmälda brott på Hässelby torg: 41 jan–aug 2025 mot 58 samma period 2024 (−29\u00a0%), "
        "inom slumpvariationen."
    )
    assert result.trend is Trend.UNCHANGED
    assert round(result.z, 1) == -2.4 and round(result.p_value, 2) == 0.11
    assert result.significant is False


# --- direction and counts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "before", "direction", "trend"),
    [
        (40, 80, LOWER, Trend.IMPROVING),
        (40, 80, HIGHER, Trend.WORSENING),
        (80, 40, LOWER, Trend.WORSENING),
        (80, 40, HIGHER, Trend.IMPROVING),
        (41, 58, LOWER, Trend.UNCHANGED),
        (41, 58, HIGHER, Trend.UNCHANGED),
        (0, 0, LOWER, Trend.UNCHANGED),
        (0, 20, LOWER, Trend.IMPROVING),
        (20, 0, LOWER, Trend.WORSENING),
        (5, 0, LOWER, Trend.UNCHANGED),  # from 0 to 5 is still chance
        (0, 6, HIGHER, Trend.WORSENING),
        (100, 100, HIGHER, Trend.UNCHANGED),
    ],
)
def test_count_trend_is_direction_aware(now, before, direction, trend):
    result = count(months(2024, [before], first=3) + months(2025, [now], first=3), direction=direction)
    assert result.trend is trend
    assert result.current_label == "mars 2025" and result.previous_label == "mars 2024"


def test_zero_before_gives_no_percentage():
    result = count(months(2024, [0], first=3) + months(2025, [20], first=3))
    assert result.explanation == f"{NAME}: 20 i mars 2025 mot 0 i mars 2024, större än slumpvariationen."
    assert result.change_relative is None and result.change_absolute == 20


def test_zero_against_zero():
    result = count(months(2024, [0], first=3) + months(2025, [0], first=3))
    assert result.trend is Trend.UNCHANGED
    assert result.p_value == 1.0
    assert "0 i mars 2025 mot 0 i mars 2024, inom slumpvariationen" in result.explanation


# --- missing data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "comparison", "reason"),
    [
        ([], Comparison.SAME_PERIOD_LAST_YEAR, "ingen bedömning eftersom det finns inga värden"),
        (months(2025, [7], first=3), Comparison.SAME_PERIOD_LAST_YEAR, "värde saknas för mars 2024"),
        ([year(2024, 30.0)], Comparison.SURVEY, "det finns ingen tidigare mätning"),
        (
            months(2024, [5, 5, 5]) + months(2025, [4, 4, 4]),
            Comparison.ROLLING_12_MONTHS,
            "värde saknas för apr–dec 2024.",
        ),
        (
            months(2024, [5, 5]) + months(2024, [5], first=4) + months(2025, [4, 4, 4, 4]),
            Comparison.YEAR_TO_DATE,
            "värde saknas för mars 2024",
        ),
        (
            months(2024, [5]) + months(2025, [4, 4, 4, 4, 4], first=1),
            Comparison.YEAR_TO_DATE,
            "värde saknas för feb–maj 2024",
        ),
        (
            months(2024, [5] * 12) + months(2025, [4, 4], first=4),
            Comparison.YEAR_TO_DATE,
            "ingen bedömning eftersom värde saknas för jan–mars 2025",
        ),
        (
            [p for p in months(2024, [5] * 8) if p.period_start.month % 2] + months(2025, [4] * 8),
            Comparison.YEAR_TO_DATE,
            "värde saknas för februari 2024, april 2024, juni 2024 och 1 period till.",
        ),
        (
            months(2024, [5] * 12) + [year(2025, 60)],
            Comparison.SAME_PERIOD_LAST_YEAR,
            "olika periodlängd",
        ),
        (weeks(2025, 1, [3] * 20), Comparison.TERTIAL, "kräver värden per månad eller tertial"),
    ],
)
def test_missing_comparison_gives_no_data_with_a_reason(points, comparison, reason):
    result = count(points, comparison=comparison)
    assert result.trend is Trend.NO_DATA
    assert result.method is Method.NONE
    assert reason in result.explanation
    assert result.explanation.startswith(f"{NAME}: ") and result.explanation.endswith(".")


def test_single_period_still_shows_its_value():
    result = count(months(2025, [7], first=3))
    assert result.current == 7 and result.current_text == "7"
    assert result.explanation == (
        f"{NAME}: 7 i mars 2025, men ingen jämförelse eftersom värde saknas för mars 2024."
    )


def test_missing_is_not_zero():
    gap = months(2024, [9] * 8) + months(2025, [9, 9, 9, 9, 9, 9, 9], first=1)  # August 2025 missing
    assert count(gap, comparison=Comparison.YEAR_TO_DATE).trend is Trend.UNCHANGED  # compares jan–jul
    hole = months(2024, [9] * 8) + months(2025, [9] * 6) + months(2025, [9], first=8)
    result = count(hole, comparison=Comparison.YEAR_TO_DATE)
    assert result.trend is Trend.NO_DATA and "juli 2025" in result.explanation


# --- series breaks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("break_month", "allowed"),
    [
        ((2024, 1), True),  # the series starts anew where the comparison starts
        ((2024, 3), False),  # inside the earlier window
        ((2024, 10), False),  # between the windows
        ((2025, 1), False),  # at the start of the current window
        ((2025, 8), False),  # inside the current window
    ],
)
def test_series_break_forbids_comparison_across_it(break_month, allowed):
    points = [
        Point(p.period_start, p.grain, p.value, series_break=(p.period_start == date(*break_month, 1)))
        for p in months(2024, [10] * 12) + months(2025, [30] * 8)
    ]
    result = count(points, comparison=Comparison.YEAR_TO_DATE)
    if allowed:
        assert result.trend is Trend.WORSENING
    else:
        assert result.trend is Trend.NO_DATA
        assert "serien bryts" in result.explanation and "får inte jämföras" in result.explanation
        assert result.current == 240 and result.previous is None


def test_series_break_between_two_surveys():
    result = assess(
        [year(2021, 30.0, n=900), year(2024, 20.0, n=900, series_break=True)],
        name="Otrygga utomhus",
        unit=Unit.SHARE,
        direction=LOWER,
        comparison=Comparison.SURVEY,
    )
    assert result.trend is Trend.NO_DATA
    assert "serien bryts 2024" in result.explanation


# --- the year turning ------------------------------------------------------------------------


def test_week_1_against_week_1_across_the_year_turn():
    points = weeks(2025, 1, [20]) + weeks(2026, 1, [5])  # week 1 2026 starts 29 December 2025
    result = count(points)
    assert (result.current_label, result.previous_label) == ("v. 1 2026", "v. 1 2025")
    assert result.trend is Trend.IMPROVING


def test_week_53_has_no_counterpart_in_a_52_week_year():
    points = weeks(2025, 50, [4, 4, 4]) + weeks(2026, 50, [4, 4, 4, 4])
    result = count(points)
    assert result.trend is Trend.NO_DATA
    assert "v. 53 2026 saknar motsvarighet år 2025" in result.explanation


def test_year_to_date_in_weeks_after_new_year():
    points = weeks(2024, 50, [3, 3, 3, 3, 3]) + weeks(2025, 50, [3, 3, 3, 9, 9])
    result = count(points, comparison=Comparison.YEAR_TO_DATE)
    assert result.current_label == "v. 1–2 2026"
    assert "mot 6 samma period 2025" in result.explanation
    assert result.current == 18 and result.previous == 6


def test_rolling_twelve_months_across_december():
    points = months(2023, [10] * 10, first=3) + months(2024, [10] * 12) + months(2025, [5, 5])
    result = count(points, comparison=Comparison.ROLLING_12_MONTHS)
    assert (result.current_label, result.previous_label) == ("mars 2024–feb 2025", "mars 2023–feb 2024")
    assert (result.current, result.previous) == (110, 120)


def test_rolling_52_weeks():
    points = weeks(2023, 1, [2] * 104)
    result = count(points, comparison=Comparison.ROLLING_12_MONTHS)
    assert result.current == result.previous == 104
    assert result.current_label == "v. 1–52 2024"


# --- tertials --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_month", "label"),
    [(4, "T1 2025"), (6, "T1 2025"), (8, "T2 2025"), (12, "T3 2025")],
)
def test_tertial_uses_the_latest_complete_tertial(last_month, label):
    points = months(2024, [6] * 12) + months(2025, [3] * last_month)
    result = count(points, comparison=Comparison.TERTIAL)
    assert result.current_label == label
    assert result.previous_label == label.replace("2025", "2024")
    assert (result.current, result.previous) == (12, 24)


def test_tertial_points_compared_directly():
    points = [Point(date(2024, 5, 1), Grain.TERTIAL, 50), Point(date(2025, 5, 1), Grain.TERTIAL, 80)]
    result = count(points, comparison=Comparison.TERTIAL, direction=HIGHER)
    assert result.trend is Trend.IMPROVING
    assert "80 T2 2025 mot 50 T2 2024 (+60\u00a0%)" in result.explanation


# --- shares and other units ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "before", "trend", "change"),
    [
        (0.0, 0.0, Trend.UNCHANGED, "0,0 procentenheter"),
        (100.0, 100.0, Trend.UNCHANGED, "0,0 procentenheter"),
        (0.0, 10.0, Trend.IMPROVING, "−10,0 procentenheter"),
        (100.0, 90.0, Trend.WORSENING, "+10,0 procentenheter"),
        (23.0, 27.0, Trend.UNCHANGED, "−4,0 procentenheter"),
        (20.0, 27.0, Trend.IMPROVING, "−7,0 procentenheter"),
    ],
)
def test_survey_shares_with_n(now, before, trend, change):
    result = assess(
        [year(2021, before, n=900), year(2024, now, n=850)],
        name="Otrygga utomhus sent en kväll",
        unit=Unit.SHARE,
        direction=LOWER,
        comparison=Comparison.SURVEY,
    )
    assert result.trend is trend and result.method is Method.TWO_PROPORTIONS
    assert result.change_text == change
    assert result.explanation.startswith("Otrygga utomhus sent en kväll: ")
    assert f"år 2024 mot {before:.1f}".replace(".", ",") in result.explanation


def test_survey_share_sentence():
    result = assess(
        [year(2021, 27.0, n=900), year(2024, 20.0, n=850)],
        name="Otrygga utomhus sent en kväll",
        unit=Unit.SHARE,
        direction=LOWER,
        comparison=Comparison.SURVEY,
    )
    assert result.explanation == (
        "Otrygga utomhus sent en kväll: 20,0\u00a0% år 2024 mot 27,0\u00a0% år 2021 "
        "(−7,0 procentenheter), större än slumpvariationen."
    )


@pytest.mark.parametrize(
    ("unit", "now", "before", "direction", "trend"),
    [
        (Unit.SHARE, 30.0, 25.0, LOWER, Trend.WORSENING),  # no n: +20 % > 10 %
        (Unit.SHARE, 26.0, 25.0, LOWER, Trend.UNCHANGED),  # +4 %
        (Unit.PER_1000, 5.0, 4.0, LOWER, Trend.WORSENING),
        (Unit.PER_1000, 4.2, 4.0, LOWER, Trend.UNCHANGED),
        (Unit.SEK, 80_000, 100_000, LOWER, Trend.IMPROVING),
        (Unit.INDEX, 111, 100, HIGHER, Trend.IMPROVING),
        (Unit.INDEX, 110, 100, HIGHER, Trend.UNCHANGED),  # exactly 10 % is not more than 10 %
        (Unit.PER_1000, 1.0, 0.0, LOWER, Trend.WORSENING),
    ],
)
def test_threshold_rule_when_uncertainty_is_unknown(unit, now, before, direction, trend):
    result = assess([year(2024, before), year(2025, now)], name="Nyckeltal", unit=unit, direction=direction)
    assert result.trend is trend
    assert result.method is Method.THRESHOLD
    limit = "mer än" if trend is not Trend.UNCHANGED else "högst"
    assert f"{limit} 10\u00a0% förändring, tröskeln när osäkerheten är okänd." in result.explanation


def test_threshold_sentence():
    result = assess([year(2024, 4.0), year(2025, 5.0)], name="Brott per 1 000", unit=Unit.PER_1000, direction=LOWER)
    assert result.explanation == (
        "Brott per 1 000: 5,0 år 2025 mot 4,0 år 2024 (+25\u00a0%), "
        "mer än 10\u00a0% förändring, tröskeln när osäkerheten är okänd."
    )


def test_mean_aggregation_weights_shares_by_n():
    points = months(2024, [10.0, 30.0], n=100) + months(2025, [10.0, 30.0], n=100)
    points[3] = Point(points[3].period_start, Grain.MONTH, 30.0, n=300)
    result = assess(points, name="Andel", unit=Unit.SHARE, direction=LOWER, comparison=Comparison.YEAR_TO_DATE)
    assert result.previous == 20.0 and result.current == 25.0


def test_aggregation_can_be_set_from_the_catalogue():
    points = months(2024, [10, 10]) + months(2025, [12, 12])
    result = count(points, comparison=Comparison.YEAR_TO_DATE, aggregation=Aggregation.MEAN)
    assert (result.current, result.previous) == (12, 10)


# --- sensitive counts ------------------------------------------------------------------------


def sensitive(now: float, before: float, **kw):
    points = [Point(date(2024, 5, 1), Grain.TERTIAL, before), Point(date(2025, 5, 1), Grain.TERTIAL, now)]
    return assess(
        points,
        name="Unga i SSPF",
        unit=Unit.COUNT,
        direction=HIGHER,
        sensitive=True,
        comparison=Comparison.TERTIAL,
        **kw,
    )


@pytest.mark.parametrize(
    ("now", "before", "trend", "sentence"),
    [
        (3, 40, Trend.WORSENING, "Unga i SSPF: 1–4 T2 2025 mot 40 T2 2024, större än slumpvariationen."),
        (
            3,
            12,
            Trend.NO_DATA,
            "Unga i SSPF: 1–4 T2 2025 mot 12 T2 2024, små tal visas inte, så förändringen kan inte bedömas.",
        ),
        (0, 3, Trend.UNCHANGED, "Unga i SSPF: 0 T2 2025 mot 1–4 T2 2024, inom slumpvariationen."),
        (2, 4, Trend.UNCHANGED, "Unga i SSPF: 1–4 T2 2025 mot 1–4 T2 2024, inom slumpvariationen."),
        (40, 30, Trend.UNCHANGED, "Unga i SSPF: 40 T2 2025 mot 30 T2 2024 (+33\u00a0%), inom slumpvariationen."),
    ],
)
def test_sensitive_counts_are_hidden_in_explanations(now, before, trend, sentence):
    result = sensitive(now, before)
    assert result.trend is trend
    assert result.explanation == sentence
    if result.suppressed:
        assert result.change_relative is None and result.change_text is None
        assert result.z is None and result.p_value is None
        assert "%" not in result.explanation


@pytest.mark.parametrize("other", [0, 5, 6, 9, 12, 15, 20, 40, 100])
@pytest.mark.parametrize("hidden_is_now", [True, False])
def test_nothing_shown_depends_on_the_hidden_value(other, hidden_is_now):
    """Every field a page could show is the same whichever of 1–4 the hidden count is."""
    shown = set()
    for hidden in (1, 2, 3, 4):
        result = sensitive(hidden, other) if hidden_is_now else sensitive(other, hidden)
        shown.add(
            (
                result.trend,
                result.explanation,
                result.current,
                result.previous,
                result.current_text,
                result.previous_text,
                result.change_absolute,
                result.change_relative,
                result.change_text,
                result.z,
                result.p_value,
                result.significant,
            )
        )
        assert not re.search(r"(?<![\d–])[1-4](?![\d–])", result.explanation.replace("T2", ""))
    assert len(shown) == 1


def test_hidden_target_value_does_not_leak():
    target = Target(date(2024, 5, 1), 10, date(2026, 5, 1), 20, tolerance=2, grain=Grain.TERTIAL)
    statuses = {sensitive(hidden, 12, target=target).target_explanation for hidden in (1, 2, 3, 4)}
    assert len(statuses) == 1
    assert "1–4 T2 2025" in statuses.pop()


# --- targets ---------------------------------------------------------------------------------


def target(baseline: float, goal: float, tolerance: float | None = None) -> Target:
    """From 2023 to 2027, yearly values: the path is half-way in 2025."""
    return Target(date(2023, 1, 1), baseline, date(2027, 1, 1), goal, tolerance)


@pytest.mark.parametrize(
    ("latest", "goal", "direction", "status", "phrase"),
    [
        (85, target(100, 80), LOWER, TargetStatus.ON_TRACK, "i fas med planen"),  # path ≈ 90
        (80, target(100, 80), LOWER, TargetStatus.ON_TRACK, "målet är redan nått"),
        (70, target(100, 80), LOWER, TargetStatus.ON_TRACK, "målet är redan nått"),
        (95, target(100, 80), LOWER, TargetStatus.AT_RISK, "inom toleransen 9"),  # 10 % of 90
        (100, target(100, 80), LOWER, TargetStatus.OFF_TRACK, "mer än toleransen 9"),
        (91, target(100, 80, tolerance=2), LOWER, TargetStatus.AT_RISK, "inom toleransen 2"),
        (93, target(100, 80, tolerance=2), LOWER, TargetStatus.OFF_TRACK, "mer än toleransen 2"),
        (72, target(60, 80), HIGHER, TargetStatus.ON_TRACK, "i fas med planen"),  # path ≈ 70
        (66, target(60, 80), HIGHER, TargetStatus.AT_RISK, "inom toleransen 7"),
        (60, target(60, 80), HIGHER, TargetStatus.OFF_TRACK, "mer än toleransen 7"),
        (85, target(60, 80), HIGHER, TargetStatus.ON_TRACK, "målet är redan nått"),
    ],
)
def test_target_status_against_the_straight_path(latest, goal, direction, status, phrase):
    result = count([year(2024, latest), year(2025, latest)], direction=direction, target=goal)
    assert result.target_status is status
    assert phrase in result.target_explanation
    assert result.expected == pytest.approx(goal.expected_at(date(2025, 1, 1)))
    assert "(målet 80 år 2027)" in result.target_explanation


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 1, 1), 100),  # before the baseline: the baseline
        (date(2023, 1, 1), 100),
        (date(2025, 1, 1), 100 - 20 * 731 / 1461),
        (date(2027, 1, 1), 80),
        (date(2030, 1, 1), 80),  # after the target date: the target
    ],
)
def test_path_is_straight_and_flat_outside(day, expected):
    assert target(100, 80).expected_at(day) == pytest.approx(expected)


def test_yearly_target_is_judged_on_the_latest_complete_year():
    goal = Target(date(2023, 1, 1), 120, date(2025, 1, 1), 100, grain=Grain.YEAR)
    points = months(2024, [8] * 12) + months(2025, [1] * 8)
    result = count(points, target=goal)
    assert result.target_status is TargetStatus.ON_TRACK  # 96 in 2024 against a path of 110
    assert result.target_explanation.startswith(f"{NAME}: 96 år 2024 mot planerade 110")


def test_target_without_a_complete_period_has_no_status():
    goal = Target(date(2023, 1, 1), 120, date(2025, 1, 1), 100, grain=Grain.YEAR)
    result = count(months(2024, [8] * 11) + months(2025, [1] * 8), target=goal)
    assert result.target_status is None
    assert "ingen målbedömning eftersom värde saknas för december 2024" in result.target_explanation


def test_series_break_after_the_baseline_stops_target_status():
    goal = target(100, 80)
    result = count([year(2023, 100), year(2024, 60, series_break=True), year(2025, 50)], target=goal)
    assert result.target_status is None and "serien bryts 2024" in result.target_explanation


def test_no_target_no_target_status():
    result = count([year(2024, 10), year(2025, 12)])
    assert result.target_status is None and result.target_explanation is None


# --- as_of, bad input ------------------------------------------------------------------------


def test_as_of_ignores_later_periods():
    points = months(2024, [10] * 12) + months(2025, [10] * 12)
    result = count(points, as_of=date(2025, 3, 15))
    assert result.current_label == "mars 2025"


def test_a_period_given_twice_is_refused():
    with pytest.raises(ValueError, match="två gånger"):
        count(months(2025, [1, 2]) + months(2025, [3]))


def test_a_point_that_does_not_start_a_period_is_refused():
    with pytest.raises(ValueError, match="första dagen"):
        count([Point(date(2025, 3, 2), Grain.MONTH, 4)])


# --- roll-up and display ---------------------------------------------------------------------


UP, EQ, DOWN, NONE = Trend.IMPROVING, Trend.UNCHANGED, Trend.WORSENING, Trend.NO_DATA


@pytest.mark.parametrize(
    ("children", "result", "text"),
    [
        ([], NONE, "Inga nyckeltal att väga samman."),
        ([NONE, NONE], NONE, "2 utan bedömning av 2 nyckeltal: ingen bedömning, eftersom inget har en bedömning."),
        ([UP], UP, "1 förbättras av 1 nyckeltal: förbättras, eftersom fler förbättras än försämras."),
        ([UP, UP, EQ, DOWN, NONE], UP, "2 förbättras, 1 oförändrat, 1 försämras, 1 utan bedömning av 5 nyckeltal"),
        ([UP, DOWN, DOWN], DOWN, "eftersom fler försämras än förbättras"),
        ([UP, DOWN], EQ, "eftersom lika många förbättras som försämras"),
        ([EQ, EQ, NONE], EQ, "2 oförändrade, 1 utan bedömning av 3 nyckeltal: oförändrat"),
        ([DOWN, NONE, NONE, NONE], DOWN, "1 försämras, 3 utan bedömning"),
    ],
)
def test_rollup(children, result, text):
    trend, rule = rollup(children)
    assert trend is result
    assert text in rule


def test_rollup_accepts_assessments_and_names_goals():
    worse = count(months(2024, [10], first=3) + months(2025, [60], first=3))
    trend, rule = rollup([worse, Trend.UNCHANGED], children="mål")
    assert trend is Trend.WORSENING and "av 2 mål" in rule


def test_every_status_has_word_icon_and_colour():
    statuses = [*Trend, *TargetStatus]
    assert set(DISPLAY) == set(statuses)
    for enum in (Trend, TargetStatus):
        icons = [DISPLAY[s].icon for s in enum]
        words = [DISPLAY[s].word for s in enum]
        colours = [DISPLAY[s].colour for s in enum]
        assert len(set(icons)) == len(icons) and all(icons)  # never colour alone
        assert len(set(words)) == len(words)
        assert len(set(colours)) == len(colours)
        assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)


def test_how_status_works_states_the_rules():
    for needle in ("Hur räknas status?", "0,05", "10\u00a0%", "1–4", "slumpvariationen", "Förbättras"):
        assert needle in HOW_STATUS_WORKS


# --- values made from hidden ones ------------------------------------------------------------------------------


def test_a_window_summed_over_a_hidden_month_is_hidden_and_states_no_change() -> None:
    from followup import fmt

    series = months(2024, [9, 8, 7, 6, 9, 8, 7, 6, 9, 8, 7, 6]) + months(2025, [9, 2, 7, 6])
    a = assess(series, name="Unga", unit=Unit.COUNT, direction=LOWER, sensitive=True,
               comparison=Comparison.TERTIAL, aggregation=Aggregation.SUM)
    # T1 2025 is 9 + 2 + 7 + 6 = 24 with a hidden February: beside the other months it would give the 2 away
    assert a.current is None and a.current_text == fmt.HIDDEN_DERIVED and a.suppressed
    assert a.change_text is None and a.change_absolute is None and a.z is None
    assert a.explanation.startswith(f"Unga: {fmt.HIDDEN_DERIVED} T1 2025 mot 30 T1 2024, ")
    assert a.previous == 30.0 and a.trend is Trend.UNCHANGED  # 23–26 against 30: within noise for every one


def test_a_target_path_on_a_hidden_baseline_is_judged_for_every_value_and_never_shown() -> None:
    from followup import fmt

    target = Target(date(2023, 1, 1), 3.0, date(2026, 1, 1), 40.0, grain=Grain.YEAR)
    a = assess([year(2023, 3), year(2024, 9), year(2025, 12)], name="Unga", unit=Unit.COUNT,
               direction=HIGHER, sensitive=True, target=target, aggregation=Aggregation.SUM)
    assert a.expected is None
    assert "mot målbanan, som inte visas" in (a.target_explanation or "")
    assert "planerade" not in (a.target_explanation or "")
    assert a.target_status is TargetStatus.OFF_TRACK  # 12 against a path of 28 (from 1) … 30 (from 4)
    shown = assess([year(2023, 3), year(2024, 9), year(2025, 12)], name="Unga", unit=Unit.COUNT, direction=HIGHER,
                   sensitive=False, target=target, aggregation=Aggregation.SUM)
    assert shown.expected is not None and "planerade" in (shown.target_explanation or "")
    assert fmt.SUPPRESSED not in (shown.target_explanation or "")
