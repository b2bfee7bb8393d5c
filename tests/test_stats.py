"""Signal or noise: Poisson comparisons, intervals for counts and shares, control-chart limits."""

import math

import pytest
from scipy.stats import binomtest

from followup import stats
from followup.model import Unit
from followup.stats import ChartKind


def test_issue_example_41_against_58_is_noise():
    result = stats.compare_counts(41, 58)
    assert round(result.z, 1) == -2.4
    assert round(result.p_value, 2) == 0.11
    assert result.significant is False


def test_issue_example_41_against_78_is_a_change():
    result = stats.compare_counts(41, 78)
    assert round(result.z, 1) == -4.9
    assert result.p_value < 0.001
    assert result.significant is True


@pytest.mark.parametrize(
    ("a", "b", "significant", "p_value"),
    [
        (0, 0, False, 1.0),
        (0, 5, False, 0.0625),  # |z| = 4.5 > 3, yet five events are no proof: the exact test decides
        (5, 0, False, 0.0625),
        (0, 6, True, 0.03125),
        (10, 22, False, 0.0501),  # |z| = 3.06 but p just above 0.05
        (10, 25, True, 0.0167),
        (100, 100, False, 1.0),
        (130, 100, False, 0.0561),
        (140, 100, True, 0.0118),
    ],
)
def test_count_decisions(a, b, significant, p_value):
    result = stats.compare_counts(a, b)
    assert result.significant is significant
    assert result.p_value == pytest.approx(p_value, abs=5e-4)


def test_count_p_value_is_scipys_binomtest():
    """The two-tail shortcut gives binomtest's two-sided p-value, small and large counts, on both sides of 0.05."""
    pairs = [(a, b) for a in range(0, 60) for b in range(0, 60)] + [(a, b) for a in range(900, 1300, 23)
                                                                    for b in range(900, 1300, 29)]
    for a, b in pairs:
        expected = 1.0 if a + b == 0 else binomtest(a, a + b, 0.5).pvalue
        found = stats.compare_counts(a, b)
        assert found.p_value == pytest.approx(expected, rel=1e-9, abs=1e-300), (a, b)
        assert found.significant is bool(expected < stats.SIGNIFICANCE_LEVEL), (a, b)


def test_count_comparison_is_symmetric():
    forward, backward = stats.compare_counts(12, 30), stats.compare_counts(30, 12)
    assert forward.p_value == pytest.approx(backward.p_value)
    assert forward.z == pytest.approx(-backward.z)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf])
def test_count_must_be_a_non_negative_number(bad):
    with pytest.raises(ValueError, match="antal"):
        stats.compare_counts(bad, 3)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [(0, 0.0, 3.6889), (1, 0.0253, 5.5716), (10, 4.7954, 18.3904), (41, 29.4223, 55.6211)],
)
def test_exact_poisson_interval(count, low, high):
    assert stats.poisson_interval(count) == pytest.approx((low, high), abs=1e-3)


@pytest.mark.parametrize(
    ("share", "n", "low", "high"),
    [
        (50, 100, 40.383, 59.617),
        (0, 50, 0.0, 7.135),  # Wilson behaves at 0 %: a real upper bound
        (100, 50, 92.865, 100.0),  # and at 100 %
        (10, 1000, 8.291, 12.015),
    ],
)
def test_wilson_interval(share, n, low, high):
    assert stats.share_interval(share, n) == pytest.approx((low, high), abs=1e-3)


@pytest.mark.parametrize(("successes", "n"), [(0, 7), (3, 7), (7, 7), (412, 1300)])
def test_wilson_agrees_with_scipy(successes, n):
    expected = binomtest(successes, n).proportion_ci(method="wilson")
    interval = stats.share_interval(successes / n * 100, n)
    assert interval == pytest.approx((expected.low * 100, expected.high * 100), abs=1e-9)


@pytest.mark.parametrize(("share", "n"), [(-1, 100), (101, 100), (50, 0), (50, -3), (math.nan, 10)])
def test_share_interval_refuses_impossible_input(share, n):
    with pytest.raises(ValueError):
        stats.share_interval(share, n)


def test_two_shares_match_newcombe():
    # Newcombe (1998), example (a): 56/70 against 48/80, hybrid score interval 0.0524 to 0.3339
    result = stats.compare_shares(56 / 70 * 100, 70, 48 / 80 * 100, 80)
    assert result.difference == pytest.approx(20.0)
    assert (result.low, result.high) == pytest.approx((5.24, 33.39), abs=0.01)
    assert result.significant is True


@pytest.mark.parametrize(
    ("current", "n_current", "previous", "n_previous", "significant"),
    [
        (0, 500, 0, 500, False),  # both 0 %: nothing to test
        (100, 500, 100, 500, False),  # both 100 %
        (0, 500, 10, 500, True),
        (100, 50, 0, 50, True),
        (23, 850, 27, 900, False),  # four points on about 900 respondents: p ≈ 0.054
        (22, 850, 27, 900, True),
        (30, 40, 45, 40, False),  # small n: wide intervals
    ],
)
def test_share_decisions(current, n_current, previous, n_previous, significant):
    result = stats.compare_shares(current, n_current, previous, n_previous)
    assert result.significant is significant
    assert (result.low <= result.difference <= result.high) or result.difference == 0
    assert (result.low > 0 or result.high < 0) == significant


def test_c_chart_for_counts():
    limits = stats.control_limits([4, 6, 5, 5], Unit.COUNT)
    assert limits.kind is ChartKind.C
    assert limits.centre == 5
    assert limits.lower == 0  # 5 − 3√5 < 0 is floored
    assert limits.upper == pytest.approx(5 + 3 * math.sqrt(5))
    wide = stats.control_limits([100, 100], Unit.COUNT)
    assert (wide.lower, wide.upper) == (70, 130)
    assert wide.outside(131) and wide.outside(69) and not wide.outside(100)


def test_individuals_chart_for_other_units():
    limits = stats.control_limits([10, 12, 11, 13], Unit.PER_1000)
    assert limits.kind is ChartKind.XMR
    assert limits.centre == 11.5
    moving_range = (2 + 1 + 2) / 3
    assert limits.upper == pytest.approx(11.5 + 2.66 * moving_range)
    assert limits.lower == pytest.approx(11.5 - 2.66 * moving_range)


@pytest.mark.parametrize(
    ("values", "unit", "lower", "upper"),
    [
        ([90, 99, 95, 99], Unit.SHARE, None, 100.0),  # capped at 100 %
        ([1, 9, 1, 9], Unit.SHARE, 0.0, None),  # floored at 0 %
        ([1, 9, 1, 9], Unit.INDEX, -16.28, None),  # an index may go below 0
    ],
)
def test_limits_stay_inside_the_units_range(values, unit, lower, upper):
    limits = stats.control_limits(values, unit)
    if lower is not None:
        assert limits.lower == pytest.approx(lower)
    if upper is not None:
        assert limits.upper == pytest.approx(upper)


@pytest.mark.parametrize(("values", "unit"), [([], Unit.COUNT), ([5], Unit.SHARE), ([], Unit.SEK)])
def test_too_few_values_give_no_limits(values, unit):
    assert stats.control_limits(values, unit) is None


@pytest.mark.parametrize(("values", "unit"), [([1, math.nan], Unit.SHARE), ([3, -1], Unit.COUNT)])
def test_impossible_series_is_refused(values, unit):
    with pytest.raises(ValueError):
        stats.control_limits(values, unit)
