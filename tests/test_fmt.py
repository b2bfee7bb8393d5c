"""Swedish number formatting and the one suppression rule for sensitive counts."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup import fmt
from followup.model import Unit

NB = "\u00a0"  # no-break space: thousands separator and before % and kr
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234.5, None, f"1{NB}234,5"),
        (-1234.5, None, f"{MINUS}1{NB}234,5"),
        (1234567, None, f"1{NB}234{NB}567"),
        (1234567, 1, f"1{NB}234{NB}567,0"),
        (12.0, None, "12"),
        (0, None, "0"),
        (0.25, None, "0,3"),  # half away from zero, not babel's half-to-even
        (2.5, 0, "3"),
        (3.5, 0, "4"),
        (-2.5, 0, f"{MINUS}3"),
        (0.05, 1, "0,1"),
        (-0.04, 1, "0,0"),  # no negative zero
        (999.96, 1, f"1{NB}000,0"),
        (None, None, "–"),
        (math.nan, None, "–"),
        (math.inf, 0, "–"),
        (1e30, None, "1" + f"{NB}000" * 10),
    ],
)
def test_number(value, decimals, text):
    assert fmt.number(value, decimals) == text


def test_the_largest_float_still_formats():
    text = fmt.number(-1.7976931348623157e308, 0)
    assert text.startswith(f"{MINUS}179{NB}769{NB}313") and text.count(NB) == 102


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.345, f"12,3{NB}%"), (0, f"0,0{NB}%"), (100, f"100,0{NB}%"), (None, "–")],
)
def test_percent(value, text):
    assert fmt.percent(value) == text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (-0.4744, f"{MINUS}47{NB}%"),
        (-0.2931, f"{MINUS}29{NB}%"),
        (0.12, f"+12{NB}%"),
        (0.001, f"0{NB}%"),
        (-0.004, f"0{NB}%"),
        (1.5, f"+150{NB}%"),
        (None, "–"),
    ],
)
def test_change_uses_a_real_minus_and_an_explicit_plus(fraction, text):
    assert fmt.change(fraction) == text


@pytest.mark.parametrize(
    ("difference", "text"),
    [(-4, f"{MINUS}4,0 procentenheter"), (2.25, "+2,3 procentenheter"), (0.01, "0,0 procentenheter")],
)
def test_change_points(difference, text):
    assert fmt.change_points(difference) == text


@pytest.mark.parametrize(
    ("value", "sensitive", "hidden", "shown"),
    [
        (0, True, False, 0.0),  # zero is shown: it identifies nobody
        (1, True, True, "1–4"),
        (2, True, True, "1–4"),
        (4, True, True, "1–4"),
        (4.5, True, True, "1–4"),  # fractions in the range are hidden too (a mean, a rounding)
        (0.5, True, True, "1–4"),
        (4.999, True, True, "1–4"),
        (5, True, False, 5.0),
        (5.0, True, False, 5.0),
        (1234, True, False, 1234.0),
        (3, False, False, 3.0),  # not sensitive: shown
        (-2, True, False, -2.0),
        (None, True, False, "–"),
        (math.nan, True, False, "–"),
    ],
)
def test_suppression_rule(value, sensitive, hidden, shown):
    assert fmt.must_hide(value, sensitive) is hidden
    assert fmt.suppress(value, sensitive) == shown


@pytest.mark.parametrize(
    ("value", "unit", "sensitive", "text"),
    [
        (1234, Unit.COUNT, False, f"1{NB}234"),
        (3, Unit.COUNT, True, "1–4"),
        (0, Unit.COUNT, True, "0"),
        (7.5, Unit.COUNT, False, "7,5"),
        (23.04, Unit.SHARE, False, f"23,0{NB}%"),
        (4.56, Unit.PER_1000, False, "4,6"),
        (123456.7, Unit.SEK, False, f"123{NB}457{NB}kr"),
        (102.25, Unit.INDEX, False, "102,3"),
        (None, Unit.SHARE, False, "–"),
    ],
)
def test_value_text(value, unit, sensitive, text):
    assert fmt.value_text(value, unit, sensitive=sensitive) == text


@given(st.floats(min_value=0, max_value=5, exclude_min=True, exclude_max=True))
def test_no_sensitive_value_below_five_is_ever_printed(value):
    assert fmt.value_text(value, Unit.COUNT, sensitive=True) == fmt.SUPPRESSED


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_numbers_use_only_no_break_spaces_and_real_minus(value):
    text = fmt.number(value, 1)
    assert "-" not in text and " " not in text and "\u202f" not in text
    assert text.startswith(MINUS) == (value < 0 and any(c in "123456789" for c in text))
    digits = text.replace(NB, "").replace(MINUS, "-").replace(",", ".")
    assert abs(float(digits) - value) <= 0.05 + 1e-6 * abs(value)


# --- a value made from parts, and a value as it may be held -------------------------------------------------


def test_a_value_made_from_a_hidden_part_is_hidden_with_its_own_words() -> None:
    assert fmt.hidden_reason(3.0, True) == fmt.SUPPRESSED
    assert fmt.hidden_reason(12.0, True, [9.0, 3.0]) == fmt.HIDDEN_DERIVED  # 12 − 9 would give the 3 away
    assert fmt.hidden_reason(12.0, True, [6.0, 6.0, 0.0]) == ""  # 0 is shown: it identifies no one
    assert fmt.hidden_reason(3.0, False, [3.0]) == "" and fmt.hidden_reason(None, True, [None]) == ""
    assert fmt.hidden_from([9.0, 3.0], True, 12.0) and not fmt.hidden_from([9.0, 6.0], True, 15.0)


@pytest.mark.parametrize(("value", "sensitive", "expected"), [
    (3.0, True, None), (3.0, False, 3.0), (0.0, True, 0.0), (5, True, 5.0), (4.99, True, None),
    (None, True, None), (float("nan"), False, None), ("tre", False, None),
])
def test_safe_is_the_value_a_page_may_hold(value: object, sensitive: bool, expected: float | None) -> None:
    assert fmt.safe(value, sensitive) == expected


def test_safe_treats_pandas_na_as_missing() -> None:
    import pandas as pd

    assert fmt.safe(pd.NA, True) is None and fmt.safe(pd.NaT, False) is None
