"""Places against themselves a year earlier: EST reports and reported crimes in a period, signal or noise.

The rows come from the named queries place_ranking (one row per place and measure) and
place_events_by_category (one row per EST category at a place). Each row holds the counts of a period and of
the same days a year earlier, the two windows (already cut at the latest data), and what the comparison may
rest on: days or months without data in either window and a series break between them. A change is called
improving or worsening only when the exact Poisson comparison (followup.stats.compare_counts) finds it larger
than chance, in the direction the measure counts as better (fewer reports and crimes are better). Every row
gets one Swedish sentence with the numbers, as the status engine writes them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd

from followup import fmt, stats
from followup.model import Direction, Grain
from followup.periods import MONTH_NAMES, MONTH_SHORT, period_of, range_label
from followup.status import Trend

CRIME_INDICATOR = "anmalda-brott-plats"
"""The indicator that holds reported crimes per place and month (place_ranking's $crimes)."""


class Measure(StrEnum):
    INCIDENTS = "incidents"  # EST reports of every category
    CRIMES = "crimes"  # reported crimes (CRIME_INDICATOR)


MEASURE_NAMES: dict[Measure, str] = {Measure.INCIDENTS: "EST-rapporter", Measure.CRIMES: "Anmälda brott"}
"""How a measure is named at the start of a sentence or a chart title."""

BREAK_REASON = "serien bryts {period} (ny definition eller källa) och perioder före och efter brottet får inte jämföras"


@dataclass(frozen=True)
class Change:
    """One place (or category) in a period against the same days a year earlier, with its status and why."""

    code: str
    name: str
    trend: Trend
    explanation: str
    current: float | None = None
    previous: float | None = None
    current_label: str | None = None
    previous_label: str | None = None
    change_text: str = fmt.MISSING  # '−47 %' when the two periods may be compared, else '–'
    comparable: bool = False
    reason: str | None = None  # why there is no judgement: a clause that follows 'eftersom'


def _day(value: Any) -> date | None:
    """A date from a query cell, or None for NULL/NaT."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date()


def _count(value: Any) -> float | None:
    """A count from a query cell, or None for NULL/NaN."""
    return None if value is None or pd.isna(value) else float(value)


def _last_of_month(day: date) -> bool:
    """Whether a day is the last day of its month."""
    return (day + timedelta(days=1)).day == 1


def days_label(first: date, last: date) -> str:
    """'jan–sep 2025' for whole months, else the days: '1 jan–26 okt 2025', '1–28 sep 2025', '15 dec 2024–3 jan 2025'."""
    if first.day == 1 and _last_of_month(last):
        return range_label(period_of(first, Grain.MONTH), period_of(last, Grain.MONTH))
    head = f"{first.day} {MONTH_SHORT[first.month - 1]}"
    tail = f"{last.day} {MONTH_SHORT[last.month - 1]} {last.year}"
    if first == last:
        return tail
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{tail}"
    return f"{head}–{tail}" if first.year == last.year else f"{head} {first.year}–{tail}"


def _when(label: str) -> str:
    """A window label as it reads after a number: 'år 2025', 'i mars 2025', 'under 1 jan–26 okt 2025'."""
    if label.isdigit():
        return f"år {label}"
    if label[0].isdigit():
        return f"under {label}"
    words = label.split()
    return f"i {label}" if len(words) == 2 and words[0] in MONTH_NAMES else label


def _previous_phrase(first: date, last: date, label: str) -> str:
    """'samma period 2024' when the window lies in one year, else 'samma period ett år tidigare (label)'."""
    return f"samma period {first.year}" if first.year == last.year else f"samma period ett år tidigare ({label})"


def _missing_reason(measure: Measure, missing: int, first: date, last: date) -> str:
    """Why a window is incomplete: EST reporting had not started, or months without a value."""
    label = days_label(first, last)
    if measure is Measure.INCIDENTS:
        return f"stadsdelsområdet inte rapporterade till EST under hela {label}"
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return f"värde saknas för {missing} av {months} månader {label}"


def _verdict(comparison: stats.CountComparison) -> str:
    """'större än slumpvariationen' or 'inom slumpvariationen'."""
    return "större än slumpvariationen" if comparison.significant else "inom slumpvariationen"


def _trend(current: float, previous: float, significant: bool, direction: Direction) -> Trend:
    """Improving or worsening for a change larger than chance, given the direction; else unchanged."""
    if current == previous or not significant:
        return Trend.UNCHANGED
    lower = current < previous
    return Trend.IMPROVING if lower == (direction is Direction.LOWER_IS_BETTER) else Trend.WORSENING


def compare_row(row: Mapping[str, Any], *, subject: str, measure: Measure, period_label: str) -> Change:
    """The status of one place_ranking or place_events_by_category row; subject opens the sentence."""
    code, name = str(row.get("place", row.get("category", ""))), str(row["name"])
    current, previous = _count(row["current"]), _count(row["previous"])
    current_from, current_to = _day(row["current_from"]), _day(row["current_to"])
    previous_from, previous_to = _day(row["previous_from"]), _day(row["previous_to"])
    if current is None or current_from is None or current_to is None:
        because = f"det finns inga värden för {period_label}"
        return Change(code, name, Trend.NO_DATA, f"{subject}: ingen bedömning eftersom {because}.", reason=because)
    current_label = days_label(current_from, current_to)
    base = Change(code, name, Trend.NO_DATA, "", current, None, current_label)
    shown = f"{subject}: {fmt.number(current)} {_when(current_label)}"
    if int(_count(row["current_missing"]) or 0) > 0:
        reason = _missing_reason(measure, int(row["current_missing"]), current_from, current_to)
        return _no_comparison(base, f"{shown}, men ingen bedömning eftersom {reason}.", reason)
    if previous_from is None or previous_to is None:
        reason = "det inte finns något år före"
        return _no_comparison(base, f"{shown}, men ingen jämförelse eftersom {reason}.", reason)
    previous_label = days_label(previous_from, previous_to)
    base = Change(code, name, Trend.NO_DATA, "", current, None, current_label, previous_label)
    previous_missing = int(_count(row["previous_missing"]) or 0)
    if previous is None or previous_missing > 0:
        reason = _missing_reason(measure, previous_missing, previous_from, previous_to)
        return _no_comparison(base, f"{shown}, men ingen jämförelse eftersom {reason}.", reason)
    cut = _day(row.get("series_break"))
    if cut is not None:
        reason = BREAK_REASON.format(period=period_of(cut, Grain.MONTH).label)
        return _no_comparison(base, f"{shown}, men ingen jämförelse eftersom {reason}.", reason)
    direction = Direction(row.get("direction") or Direction.LOWER_IS_BETTER)
    comparison = stats.compare_counts(current, previous)
    change_text = fmt.change((current - previous) / previous) if previous else fmt.MISSING
    brackets = f" ({change_text})" if change_text != fmt.MISSING else ""
    sentence = (
        f"{shown} mot {fmt.number(previous)} {_previous_phrase(previous_from, previous_to, previous_label)}"
        f"{brackets}, {_verdict(comparison)}."
    )
    trend = _trend(current, previous, comparison.significant, direction)
    return Change(code, name, trend, sentence, current, previous, current_label, previous_label, change_text, True)


def _no_comparison(base: Change, sentence: str, reason: str) -> Change:
    """A change without a judgement: the sentence says why; no previous value or change is shown."""
    return Change(base.code, base.name, Trend.NO_DATA, sentence, base.current, None, base.current_label,
                  base.previous_label, reason=reason)


def measure_changes(ranking: pd.DataFrame, measure: Measure, *, period_label: str) -> list[Change]:
    """Every place's change for one measure of a place_ranking result, in the query's order."""
    rows = ranking.loc[ranking["measure"] == measure.value].to_dict("records")
    subject = MEASURE_NAMES[measure]
    return [
        compare_row(row, subject=f"{subject} på {row['name']}", measure=measure, period_label=period_label)
        for row in rows
    ]


def category_changes(categories: pd.DataFrame, place_name: str, *, period_label: str) -> list[Change]:
    """Every EST category's change at one place, from a place_events_by_category result."""
    return [
        compare_row(row, subject=f"{row['name']} på {place_name}", measure=Measure.INCIDENTS,
                    period_label=period_label)
        for row in categories.to_dict("records")
    ]


def ranking_frame(changes: list[Change]) -> pd.DataFrame:
    """The frame charts.ranking_bar draws (place, current, previous, trend, change_text)."""
    return pd.DataFrame(
        {
            "place": [c.name for c in changes],
            "current": [c.current for c in changes],
            "previous": [c.previous for c in changes],
            "trend": [c.trend.value for c in changes],
            "change_text": [c.change_text for c in changes],
        },
        columns=["place", "current", "previous", "trend", "change_text"],
    )


def worst_first(changes: list[Change]) -> list[Change]:
    """Changes ordered for reading: worsening, improving, unchanged, no judgement; larger counts first."""
    order = {Trend.WORSENING: 0, Trend.IMPROVING: 1, Trend.UNCHANGED: 2, Trend.NO_DATA: 3}
    return sorted(changes, key=lambda c: (order[c.trend], -(c.current or 0), c.name))


def short_text(change: Change, measure: Measure) -> str:
    """One line per measure for a summary: 'EST-rapporter 847 mot 742 (+14 %)' or why there is no judgement."""
    what = MEASURE_NAMES[measure]
    if change.comparable:
        brackets = f" ({change.change_text})" if change.change_text != fmt.MISSING else ""
        return f"{what} {fmt.number(change.current)} mot {fmt.number(change.previous)}{brackets}"
    if change.current is None:
        return f"{what}: inga värden"
    return f"{what} {fmt.number(change.current)}, ingen jämförelse: {change.reason}"
