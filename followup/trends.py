"""Trends: one indicator's values re-grained to a coarser period, per 1 000 inhabitants, as rolling averages.

Input is what the named query `trend_series` returns: per scope (a whole district or a place) the stored
values in their own grain, or for an indicator computed from events the counts per period of the chosen
grain with the days counted. Nothing here reads the database, the clock or Streamlit.

Re-graining follows the indicator's aggregation: a sum for counts (and kronor), an n-weighted mean for
shares with their n, a plain mean otherwise. A period is complete when its parts cover it: every finer
period present (in the chosen window), or for event counts every day counted. An incomplete period keeps
its value (the part that exists) but is flagged with a Swedish note, so a chart can set it apart. A
missing value is never a zero: a period without any part has no value at all.

Sensitive indicators: a count of 1–4 is hidden (fmt.must_hide), and so is every value made from one (a sum
over it, a rolling average over it, its rate): shown beside the other values, such a value would give
the hidden one away by subtraction. Hidden points keep their value here for further computation; the
page shows them through `shown_value` and `to_frame`, which drop it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from followup import fmt
from followup.model import Aggregation, Frequency, Grain
from followup.periods import (
    MONTH_SHORT,
    Period,
    grain_name,
    natural_grain,
    nests_in,
    period_of,
    periods_within,
    range_label,
)

PAGE_GRAINS: tuple[Grain, ...] = (Grain.WEEK, Grain.MONTH, Grain.TERTIAL, Grain.YEAR)
"""The period lengths a trend can be shown in."""
_FINENESS = {Grain.WEEK: 0, Grain.MONTH: 1, Grain.QUARTER: 2, Grain.TERTIAL: 3, Grain.YEAR: 4}

ScopeKey = tuple[str, str]
"""(scope_kind, scope code): ('district', 'bromma') or ('place', 'hasselby-torg')."""


@dataclass(frozen=True)
class Value:
    """One stored value or event count as the query gives it."""

    period: Period
    value: float
    n: float | None = None  # survey respondents, staff, … (the denominator)
    preliminary: bool = False
    series_break: bool = False
    counted: tuple[date, date] | None = None  # first and last day counted; None: the whole period
    withheld: bool = False  # the city's value of a sensitive indicator that would give a hidden district away


@dataclass(frozen=True)
class TrendPoint:
    """One period of a trend: its value (None when missing), completeness, and why it is set apart."""

    period: Period
    value: float | None
    n: float | None = None
    complete: bool = True
    hidden: bool = False  # sensitive: a value 1–4, or one made from such a value
    preliminary: bool = False
    series_break: bool = False  # a new definition starts in this period: no line or average across
    note: str = ""  # Swedish, e.g. 'ofullständig: omfattar bara 1–26 okt 2025'


def allowed_grains(frequency: Frequency, *, from_events: bool) -> list[Grain]:
    """The page's grains at least as coarse as the indicator's own; events can be counted in any."""
    if from_events:
        return list(PAGE_GRAINS)
    own = natural_grain(Frequency(frequency))
    return [grain for grain in PAGE_GRAINS if nests_in(own, grain)]


def default_grain(frequency: Frequency, *, from_events: bool) -> Grain:
    """The grain a trend opens in: months for weekly events (weeks are noisy), else the indicator's own."""
    allowed = allowed_grains(frequency, from_events=from_events)
    if from_events and Grain.MONTH in allowed:
        return Grain.MONTH
    own = natural_grain(Frequency(frequency))
    return own if own in allowed else (allowed[-1] if allowed else Grain.YEAR)


def _number(value: Any) -> float | None:
    """A float, or None for NULL/NaN."""
    if value is None or value is pd.NaT:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _day(value: Any) -> date | None:
    """A date from a query cell, or None for NULL."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date()


def values_by_scope(frame: pd.DataFrame) -> dict[ScopeKey, list[Value]]:
    """The rows of a trend_series result as Values per (scope_kind, scope), in time order."""
    result: dict[ScopeKey, list[Value]] = defaultdict(list)
    for row in frame.to_dict("records"):
        first, last = _day(row.get("counted_from")), _day(row.get("counted_to"))
        value = _number(row["value"])
        if value is None:
            continue
        result[(str(row["scope_kind"]), str(row["scope"]))].append(
            Value(
                period=Period(_day(row["period_start"]), Grain(row["grain"])),
                value=value,
                n=_number(row.get("denominator")),
                preliminary=bool(row.get("preliminary") or False),
                series_break=bool(row.get("series_break") or False),
                counted=(first, last) if first is not None and last is not None else None,
                withheld=bool(row.get("withheld") or False),
            )
        )
    return {key: sorted(values, key=lambda v: (v.period.start, v.period.grain)) for key, values in result.items()}


def combine(values: Sequence[float], sizes: Sequence[float | None], aggregation: Aggregation) -> tuple[float, float | None]:
    """One value from parts: a sum, an n-weighted mean when every part has n, else a plain mean; and total n."""
    total_n = sum(s for s in sizes if s is not None) if sizes and all(s is not None and s > 0 for s in sizes) else None
    if Aggregation(aggregation) is Aggregation.SUM:
        return float(sum(values)), total_n
    if total_n:
        return sum(v * s for v, s in zip(values, sizes, strict=True)) / total_n, total_n  # type: ignore[operator]
    return sum(values) / len(values), total_n


def days_label(first: date, last: date) -> str:
    """Swedish label of a run of days: 'okt 2025' for whole months, '1–26 okt 2025', '29 dec 2024–4 jan 2025'."""
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        return range_label(period_of(first, Grain.MONTH), period_of(last, Grain.MONTH))
    if first == last:
        return f"{first.day} {MONTH_SHORT[first.month - 1]} {first.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTH_SHORT[last.month - 1]} {last.year}"
    head = f"{first.day} {MONTH_SHORT[first.month - 1]}"
    if first.year != last.year:
        head += f" {first.year}"
    return f"{head}–{last.day} {MONTH_SHORT[last.month - 1]} {last.year}"


def _runs(parts: Sequence[Period]) -> str:
    """'jan–feb 2025 och maj 2025': consecutive periods joined into ranges."""
    runs: list[list[Period]] = []
    for part in sorted(parts):
        if runs and runs[-1][-1].shift(1) == part:
            runs[-1].append(part)
        else:
            runs.append([part])
    labels = [range_label(run[0], run[-1]) for run in runs]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} och {labels[-1]}"


def _base_grain(values: Sequence[Value], grain: Grain) -> Grain:
    """The grain the values are re-grained from: the finest of theirs that nests in `grain`."""
    grains = {value.period.grain for value in values}
    fitting = sorted((g for g in grains if nests_in(g, grain)), key=_FINENESS.__getitem__)
    if not fitting:
        given = ", ".join(sorted(grain_name(g) for g in grains))
        raise ValueError(
            f"Värden per {given} kan inte visas per {grain_name(grain)}: perioderna ryms inte jämnt. "
            "Välj en nivå som är minst lika grov som nyckeltalets egen."
        )
    return fitting[0]


def _completeness(
    period: Period, parts: Sequence[Value], base: Grain, window: tuple[date, date] | None
) -> tuple[bool, str]:
    """Whether the parts cover the period, and a Swedish note saying what is left out when they do not."""
    if base is period.grain:
        (part,) = parts
        if part.counted is None or part.counted == (period.start, period.last_day):
            return True, ""
        return False, f"ofullständig: omfattar bara {days_label(*part.counted)}"
    present = {part.period for part in parts}
    absent = [p for p in periods_within(period, base) if p not in present]
    if not absent:
        return True, ""
    outside = [p for p in absent if window is not None and (p.last_day < window[0] or p.start > window[1])]
    inside = [p for p in absent if p not in outside]
    notes = []
    if inside:
        notes.append(f"värde saknas för {_runs(inside)}")
    if outside:
        notes.append(f"{_runs(outside)} ligger utanför vald period")
    return False, "ofullständig: " + "; ".join(notes)


def regrain(
    values: Sequence[Value],
    grain: Grain,
    aggregation: Aggregation,
    *,
    sensitive: bool = False,
    window: tuple[date, date] | None = None,
) -> list[TrendPoint]:
    """The values per period of `grain`, every period from the first to the last with data (gaps as None).

    `window` (first and last day shown) tells a part left out by the window from a missing one.
    """
    grain, aggregation = Grain(grain), Aggregation(aggregation)
    if not values:
        return []
    base = _base_grain(values, grain)
    groups: dict[Period, list[Value]] = defaultdict(list)
    seen: set[Period] = set()
    for value in values:
        if value.period.grain is not base:
            continue
        if value.period in seen:
            raise ValueError(f"Perioden {value.period.label} finns två gånger i serien. Ta bort dubbletten.")
        seen.add(value.period)
        groups[value.period if base is grain else period_of(value.period.start, grain)].append(value)
    points: list[TrendPoint] = []
    period, last = min(groups), max(groups)
    while period <= last:
        parts = sorted(groups.get(period, []), key=lambda v: v.period)
        points.append(_point(period, parts, base, aggregation, sensitive, window))
        period = period.shift(1)
    return points


def _point(
    period: Period,
    parts: Sequence[Value],
    base: Grain,
    aggregation: Aggregation,
    sensitive: bool,
    window: tuple[date, date] | None,
) -> TrendPoint:
    """One period from its parts (none: a missing value)."""
    if not parts:
        return TrendPoint(period, None, complete=False, note="värde saknas")
    value, n = combine([p.value for p in parts], [p.n for p in parts], aggregation)
    complete, note = _completeness(period, parts, base, window)
    inner_break = [p.period for p in parts[1:] if p.series_break]
    if inner_break:
        words = f"serien bryts {inner_break[0].label} (ny definition eller källa)"
        note = f"{note}; {words}" if note else words
    hidden = fmt.hidden_from([p.value for p in parts], sensitive, value) or any(p.withheld for p in parts)
    return TrendPoint(
        period=period,
        value=value,
        n=n,
        complete=complete,
        hidden=hidden,
        preliminary=any(p.preliminary for p in parts),
        series_break=any(p.series_break for p in parts),
        note=note,
    )


def population_year(years: Iterable[int], year: int) -> int | None:
    """The population year used for a period's year: the latest at or before it, else the earliest there is."""
    known = sorted(set(years))
    if not known:
        return None
    before = [y for y in known if y <= year]
    return before[-1] if before else known[0]


def per_1000(points: Sequence[TrendPoint], population: Mapping[int, float]) -> tuple[list[TrendPoint], list[int]]:
    """Values per 1 000 inhabitants (population by year) and the population years used, in order.

    A period without any population (none known, or 0) gets no value. The rate of a hidden count is
    hidden too: with the population known it would give the count away.
    """
    result: list[TrendPoint] = []
    used: set[int] = set()
    for point in points:
        year = population_year(population, point.period.year)
        size = population.get(year) if year is not None else None
        if point.value is None or not size:
            result.append(replace(point, value=None, n=None))
            continue
        used.add(year)  # type: ignore[arg-type]
        result.append(replace(point, value=point.value * 1000 / size, n=float(size)))
    return result, sorted(used)


def rolling(
    points: Sequence[TrendPoint], size: int, aggregation: Aggregation, *, sensitive: bool = False
) -> list[TrendPoint]:
    """The average of each period and the size-1 before it: None unless all are there, complete and unbroken.

    Sums are averaged per period (a rolling average of monthly counts is a count per month); means with
    n on every part are n-weighted. A series break inside the window stops the average. With
    `sensitive` (counts of individuals) an average of 1–4 is hidden too; an average over a hidden value
    always is.
    """
    if size < 1:
        raise ValueError(f"Ett glidande medelvärde behöver minst en period, inte {size}.")
    aggregation = Aggregation(aggregation)
    per_period = Aggregation.MEAN if aggregation is Aggregation.SUM else aggregation
    result: list[TrendPoint] = []
    for index, point in enumerate(points):
        window = points[index - size + 1 : index + 1] if index >= size - 1 else []
        usable = (
            len(window) == size
            and all(p.value is not None and p.complete for p in window)
            and not any(p.series_break for p in window[1:])
        )
        if not usable:
            result.append(replace(point, value=None, n=None, hidden=False, note=""))
            continue
        value, n = combine([p.value for p in window], [p.n for p in window], per_period)  # type: ignore[misc]
        hidden = any(p.hidden for p in window) or fmt.must_hide(value, sensitive)
        result.append(
            replace(point, value=value, n=n, hidden=hidden, preliminary=any(p.preliminary for p in window), note="")
        )
    return result


def shown_value(point: TrendPoint) -> float | None:
    """The value a page may show: None when missing or hidden."""
    return None if point.hidden or point.value is None else point.value


def to_frame(points: Sequence[TrendPoint]) -> pd.DataFrame:
    """A chart/table frame: period_start, value (None when hidden or missing), hidden, complete, notes."""
    return pd.DataFrame(
        {
            "period_start": [p.period.start for p in points],
            "value": [shown_value(p) for p in points],
            "hidden": [p.hidden for p in points],
            "complete": [p.complete for p in points],
            "preliminary": [p.preliminary for p in points],
            "series_break": [p.series_break for p in points],
            "note": [p.note for p in points],
        },
        columns=["period_start", "value", "hidden", "complete", "preliminary", "series_break", "note"],
    )
