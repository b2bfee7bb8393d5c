"""Swedish number formatting ('1 234,5', '12,3 %', '−47 %') and the one rule that hides small counts.

Group separator: U+00A0 NO-BREAK SPACE (what babel's Swedish locale data gives). It looks like a
normal space in every font and never wraps; the narrow U+202F is missing from some fonts used by
PowerPoint and Excel. The same no-break space separates a number from '%' and 'kr'.
Negative numbers use the real minus sign U+2212, as Swedish typography does.
Rounding is half away from zero (2,5 -> 3), not babel's default half-to-even; -0 prints as 0.

Suppression: a sensitive indicator counts individuals, and a count of 1–4 could identify someone.
`must_hide` is the one rule; `hidden_from` extends it to a value made from parts (a sum, average, rate or
difference that contains a hidden part is hidden too); `safe` is a value as it may be held for showing
(None when hidden or missing); `suppress` and `value_text` are its texts ('1–4', '–'). The series side of
the single path is followup.charts.frames.protect (chart plans, meeting packs and every export take
their frames from it); status sentences are made by followup.status from the same rule.

Secondary suppression: the city's value is the sum of its districts', so beside them it would give a hidden
district value away (the city minus the shown districts is the hidden ones' sum). The value queries
(scope_values, indicator_series, trend_series) flag the city's value `withheld` when that sum is itself 1–4
or 4 × the number of hidden values (each must be 4); the single path shows it as HIDDEN_DERIVED, like any
value made from a hidden part (charts.frames.WITHHELD, status.Point.withheld). Districts keep their values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_decimal, get_group_symbol

from followup.model import Unit

LOCALE = "sv_SE"
GROUP_SEPARATOR = "\u00a0"
"""Thousands separator and the space before '%' and 'kr': a no-break space."""
MINUS = "\u2212"
"""The minus sign used for every negative number."""
MISSING = "–"
"""Shown for a missing value (en dash)."""
SUPPRESSED = "1–4"
"""Shown instead of a hidden count of a sensitive indicator."""
SUPPRESS_BELOW = 5
"""Values strictly between 0 and this are hidden for sensitive indicators."""
SUPPRESSION_NOTE = "Värden 1–4 visas inte för känsliga nyckeltal, så att ingen person kan pekas ut."
"""The note shown wherever a value was hidden."""
HIDDEN_DERIVED = "visas inte (bygger på ett värde 1–4)"
"""Shown instead of a value of 5 or more made from a hidden part (a sum, average or rate over it)."""

_DECIMALS = {Unit.COUNT: None, Unit.SHARE: 1, Unit.PER_1000: 1, Unit.SEK: 0, Unit.INDEX: 1}


def _is_missing(value: float | None) -> bool:
    """Whether a value is absent or not a finite number."""
    return value is None or not math.isfinite(value)


def must_hide(value: float | None, sensitive: bool) -> bool:
    """Whether a value must be hidden: a sensitive value strictly between 0 and 5 (1–4, or 0,5, 4,9 …)."""
    return bool(sensitive) and not _is_missing(value) and 0 < value < SUPPRESS_BELOW


def hidden_reason(value: float | None, sensitive: bool, parts: Iterable[float | None] = ()) -> str:
    """What is shown instead of a value made from `parts`: '' when it may be shown, '1–4' when it is 1–4
    itself, HIDDEN_DERIVED when a part must be hidden (shown beside the other parts, it would give that
    part away)."""
    if must_hide(value, sensitive):
        return SUPPRESSED
    return HIDDEN_DERIVED if any(must_hide(part, sensitive) for part in parts) else ""


def hidden_from(parts: Iterable[float | None], sensitive: bool, value: float | None = None) -> bool:
    """Whether a value made from `parts` must be hidden: it is 1–4 itself, or any part must be hidden."""
    return bool(hidden_reason(value, sensitive, parts))


def safe(value: object, sensitive: bool) -> float | None:
    """A value as it may be held for showing: None when missing (None, NaN, NA) or a hidden sensitive 1–4."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if _is_missing(number) or must_hide(number, sensitive) else number


def suppress(value: float | None, sensitive: bool) -> str | float:
    """The value itself, '1–4' when it must be hidden, or '–' when it is missing."""
    if _is_missing(value):
        return MISSING
    return SUPPRESSED if must_hide(value, sensitive) else float(value)


def number(value: float | None, decimals: int | None = None) -> str:
    """'1 234,5': a number with `decimals` decimals (None: none for whole numbers, else one)."""
    if _is_missing(value):
        return MISSING
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return _number_text(float(value), decimals)


@lru_cache(maxsize=65_536)
def _number_text(value: float, decimals: int) -> str:
    """number() for a finite float (cached: a chart's hover texts format thousands of values)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with localcontext() as context:
        context.prec = 400  # room for every digit of any float, so quantizing never overflows
        rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = format_decimal(abs(rounded) if rounded == 0 else rounded, format=pattern, locale=LOCALE)
    return text.replace(get_group_symbol(LOCALE), GROUP_SEPARATOR).replace("-", MINUS)


def percent(value: float | None, decimals: int = 1) -> str:
    """'12,3 %' for a share given in percent (0–100, as stored)."""
    return MISSING if _is_missing(value) else f"{number(value, decimals)}{GROUP_SEPARATOR}%"


def _signed(value: float, decimals: int) -> str:
    """A number with '+' before a rounded value above zero and '−' before one below."""
    text = number(value, decimals)
    return text if text.startswith(MINUS) or not any(c in "123456789" for c in text) else f"+{text}"


def change(fraction: float | None, decimals: int = 0) -> str:
    """'−47 %' or '+12 %' for a relative change given as a fraction (−0.47)."""
    return MISSING if _is_missing(fraction) else f"{_signed(fraction * 100, decimals)}{GROUP_SEPARATOR}%"


def change_points(difference: float | None, decimals: int = 1) -> str:
    """'−4,0 procentenheter': a change between two shares, in percentage points."""
    return MISSING if _is_missing(difference) else f"{_signed(difference, decimals)} procentenheter"


def value_text(value: float | None, unit: Unit, *, sensitive: bool = False) -> str:
    """A value as shown on screen for its unit, hidden ('1–4') or missing ('–') as the rules say."""
    shown = suppress(value, sensitive)
    if isinstance(shown, str):
        return shown
    unit = Unit(unit)
    if unit is Unit.SHARE:
        return percent(shown)
    text = number(shown, _DECIMALS[unit])
    return f"{text}{GROUP_SEPARATOR}kr" if unit is Unit.SEK else text


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, non-characters, lone surrogates)."""


def printable(text: str) -> str:
    """Text without the characters XML cannot hold (so lxml, openpyxl, SVG and PowerPoint accept it); tab and line
    breaks kept."""
    return _NOT_XML.sub("", text)
