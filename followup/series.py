"""From query results to statuses: one Assessment per indicator of a scope, rolled up to goals and areas.

The frames are what the named queries return: `scope_indicators` (one row per indicator and goal),
`scope_values` or `indicator_series` (values; weeks without EST reports are already explicit zeros),
and `scope_targets`. Nothing here reads the database or the clock, so tests can hand-make the frames.

Comparison per frequency (`default_comparison`): weeks compare the latest 52 weeks with the 52 before
(single weeks are too small to show a change); months, quarters and years the latest period with the
same period a year earlier; tertials the latest complete tertial with the same tertial a year earlier
(the city reports by tertial); surveys the latest survey with the previous one. For months this is
chosen over year to date because it follows a change at once, is as long in January as in September,
and is what the demo's scenarios are stated for (year to date turns Axelsberg's 'unchanged' into a
change); year to date stays available through assess_scope's `comparison`.

The data's present (`as_of`) defaults to the last day of the latest period in the values (as
goal_overview's latest_data_date), never the clock: the demo's data stop in October 2025 whatever day it
is. A period published before it ends (the demo's preliminary lägesbild for 2025) takes it to that
period's end, which only means that no value is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from followup.model import Aggregation, Direction, Frequency, Grain, Level, Unit
from followup.periods import Period, grain_name, natural_grain
from followup.status import Assessment, Comparison, Point, Target, Trend, assess, rollup

Rollup = tuple[Trend, str]
"""A rolled-up status and the Swedish sentence with the rule and the tally."""

COMPARISON_BY_FREQUENCY: dict[Frequency, Comparison] = {
    Frequency.WEEK: Comparison.ROLLING_12_MONTHS,
    Frequency.MONTH: Comparison.SAME_PERIOD_LAST_YEAR,
    Frequency.QUARTER: Comparison.SAME_PERIOD_LAST_YEAR,
    Frequency.TERTIAL: Comparison.TERTIAL,
    Frequency.YEAR: Comparison.SAME_PERIOD_LAST_YEAR,
    Frequency.SURVEY: Comparison.SURVEY,
}
"""The like-for-like comparison each frequency is judged by (see the module docstring for why)."""


def default_comparison(frequency: Frequency) -> Comparison:
    """The comparison an indicator of this frequency is judged by unless the user picks another."""
    return COMPARISON_BY_FREQUENCY[Frequency(frequency)]


CITY_SCOPE_NAME = "Stockholms stad"
"""How the scope of a city-level indicator (level 'city') is named wherever it is shown."""


def scope_of(level: str, scope_name: str) -> str:
    """The scope an indicator's values describe: the city for a city-level indicator, else the page's scope."""
    return CITY_SCOPE_NAME if level == Level.CITY.value else scope_name


def scoped_name(indicator_name: str, scope_name: str) -> str:
    """How an indicator is named in a scope's sentences: 'Anmälda brott på platsen, Hässelby torg'."""
    return f"{indicator_name}, {scope_name}" if scope_name.strip() else indicator_name


def _day(value: Any) -> date:
    """A date from a query cell (Timestamp, datetime, date or 'YYYY-MM-DD')."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _number(value: Any) -> float | None:
    """A float, or None for NULL/NaN."""
    if value is None or value is pd.NA or value != value:  # NaN is the only value unequal to itself
        return None
    return float(value)


def _rows(values: pd.DataFrame) -> list[tuple[str, Point]]:
    """(indicator code, point) for every row of a values frame, converted column by column."""
    codes = values["indicator"].tolist() if "indicator" in values.columns else [""] * len(values)
    starts = pd.to_datetime(values["period_start"]).dt.date.tolist()
    grains = {grain: Grain(grain) for grain in values["grain"].unique()}
    withheld = values["withheld"].fillna(False).tolist() if "withheld" in values.columns else [False] * len(values)
    columns = zip(codes, starts, values["grain"].tolist(), values["value"].tolist(), values["denominator"].tolist(),
                  values["series_break"].tolist(), withheld, strict=True)
    return [
        (str(code), Point(start, grains[grain], float(value), _number(size), bool(cut), bool(held)))
        for code, start, grain, value, size, cut, held in columns
    ]


def _time_order(point: Point) -> tuple[date, str]:
    """Sort key: period start, then grain."""
    return point.period_start, point.grain


def points(values: pd.DataFrame) -> list[Point]:
    """The points of one indicator's series (rows of scope_values or indicator_series), in time order."""
    series = points_by_indicator(values)
    if len(series) > 1:
        raise ValueError(f"points() tar en serie åt gången men fick flera nyckeltal ({', '.join(series)}). "
                         "Använd points_by_indicator().")
    return next(iter(series.values()), [])


def points_by_indicator(values: pd.DataFrame) -> dict[str, list[Point]]:
    """The points of every indicator in a scope_values result, keyed by indicator code, in time order."""
    result: dict[str, list[Point]] = {}
    for code, point in _rows(values):
        result.setdefault(code, []).append(point)
    return {code: sorted(result[code], key=_time_order) for code in sorted(result)}


def latest_data_date(values: pd.DataFrame) -> date | None:
    """The last day of the latest period in the values (the data's present), or None without values."""
    if values.empty:
        return None
    latest = pd.to_datetime(values["period_start"]).groupby(values["grain"]).max()
    return max(Period(_day(start), Grain(grain)).last_day for grain, start in latest.items())


def target_of(row: Mapping[str, Any] | pd.Series) -> Target | None:
    """The numeric Target of a scope_targets row, or None for a directional goal (no target value)."""
    if _number(row["target_value"]) is None:
        return None
    baseline_grain, target_grain = Grain(row["baseline_grain"]), Grain(row["target_grain"])
    if baseline_grain is not target_grain:
        raise ValueError(
            f"Målets utgångsvärde gäller per {grain_name(baseline_grain)} men målvärdet per "
            f"{grain_name(target_grain)}. Ange båda för samma periodlängd."
        )
    return Target(
        baseline_start=_day(row["baseline_start"]),
        baseline_value=float(row["baseline_value"]),
        target_start=_day(row["target_start"]),
        target_value=float(row["target_value"]),
        tolerance=_number(row["tolerance"]),
        grain=target_grain,
    )


def _first_numeric_targets(targets: pd.DataFrame) -> dict[str, pd.Series]:
    """Per indicator the first numeric target row (scope_targets puts the latest numeric one first)."""
    numeric = targets.loc[targets["target_value"].notna()]
    return {str(code): rows.iloc[0] for code, rows in numeric.groupby("indicator", sort=False)}


def _catalogue(indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator of a scope_indicators result (which repeats an indicator per goal)."""
    return indicators.drop_duplicates(subset="code", keep="first")


HISTORY_YEARS = 2
"""Calendar years before an indicator's latest value that assess_scope reads (see rows_that_count)."""


def rows_that_count(values: pd.DataFrame, frequencies: Mapping[str, Frequency], as_of: date) -> pd.DataFrame:
    """The rows of a values frame that can change an assessment as of `as_of`; older ones are left out.

    No comparison window starts before 1 January two years before an indicator's latest period: a rolling
    year against the year before reaches 2 × 52 weeks or 2 × 12 months back from the latest period's
    start, year to date starts at the previous year's first (ISO) week, and the latest complete tertial
    may be last year's last one, compared with the year before. So older rows cannot change its trend
    or target status, except a series break (it forbids comparisons across it, back to a target's
    baseline), a negative count, a period given twice, a survey's previous measurement and a series mixing
    grains: those rows are kept. Ten years of weekly values are then at most three, for the same
    assessments (tests/test_series.py compares them with the whole history, for every comparison)."""
    if values.empty:
        return values
    starts = pd.to_datetime(values["period_start"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    index, codes = pd.factorize(values["indicator"].astype(str))
    latest = np.full(len(codes), np.iinfo(np.int64).min)
    upto = starts <= np.datetime64(as_of, "D").astype(np.int64)
    np.maximum.at(latest, index[upto], starts[upto])
    known = latest > np.iinfo(np.int64).min  # an indicator with nothing up to as_of keeps every row
    years = latest[known].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    cutoff = np.full(len(codes), np.iinfo(np.int64).min)
    cutoff[known] = (years - HISTORY_YEARS - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    old = starts < cutoff[index]
    if not old.any():
        return values
    grain_index, grains = pd.factorize(values["grain"])
    pairs = np.unique(index * len(grains) + grain_index)
    mixed = np.bincount(pairs // len(grains), minlength=len(codes)) > 1
    survey = np.array([Frequency(frequencies.get(code, Frequency.MONTH)) is Frequency.SURVEY for code in codes])
    needed = (mixed | survey)[index] | values["series_break"].fillna(False).astype(bool).to_numpy()
    drop = old & ~(needed | (values["value"] < 0).to_numpy())
    # a period given twice must still be refused: both rows are older than the cutoff or neither is
    twice = values.loc[drop].duplicated(["indicator", "grain", "period_start"], keep=False).to_numpy()
    drop[np.flatnonzero(drop)[twice]] = False
    return values.loc[~drop]


def _one_grain(series: list[Point], frequency: Frequency) -> list[Point]:
    """A series in one grain: when it mixes grains, only the indicator's natural grain is kept."""
    grains = {point.grain for point in series}
    own = natural_grain(frequency)
    return [p for p in series if p.grain is own] if len(grains) > 1 and own in grains else series


def assess_scope(
    indicators: pd.DataFrame,
    values: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    scope_name: str,
    as_of: date | None = None,
    comparison: Comparison | None = None,
) -> dict[str, Assessment]:
    """The status of every indicator of a scope, keyed by code; comparison None: each one's default."""
    as_of = as_of or latest_data_date(values)
    catalogue = _catalogue(indicators)
    if as_of is not None:
        values = rows_that_count(values, dict(zip(catalogue["code"].astype(str), catalogue["frequency"])), as_of)
    series = points_by_indicator(values)
    numeric = _first_numeric_targets(targets)
    result: dict[str, Assessment] = {}
    for row in catalogue.itertuples(index=False):
        code, frequency = str(row.code), Frequency(row.frequency)
        name = scoped_name(str(row.name), scope_of(str(row.level), scope_name))
        chosen = comparison or default_comparison(frequency)
        target, target_problem = None, None
        if code in numeric:
            try:
                target = target_of(numeric[code])
            except ValueError as problem:
                target_problem = f"{name}: ingen målbedömning. {problem}"
        try:
            assessment = assess(
                _one_grain(series.get(code, []), frequency),
                name=name,
                unit=Unit(row.unit),
                direction=Direction(row.direction),
                sensitive=bool(row.sensitive),
                target=target,
                comparison=chosen,
                as_of=as_of,
                aggregation=Aggregation(row.aggregation),
            )
        except ValueError as problem:  # e.g. a period given twice: say so instead of failing the page
            assessment = Assessment(name, Trend.NO_DATA, f"{name}: ingen bedömning. {problem}", chosen)
        if target_problem:
            assessment = replace(assessment, target_explanation=target_problem)
        result[code] = assessment
    return result


def goal_statuses(assessments: Mapping[str, Assessment], indicators: pd.DataFrame) -> dict[str, Rollup]:
    """Each goal's status rolled up from its indicators' trends, keyed by goal code, in query order.

    A city-level indicator (a Kolada rate) counts in a district's goals too: the agreement's goals are the
    city's; its sentences name the city (scope_of), not the district."""
    links = indicators.loc[indicators["goal_code"].notna()]
    result: dict[str, Rollup] = {}
    for goal, codes in links.groupby("goal_code", sort=False)["code"]:
        members = [assessments[code] for code in dict.fromkeys(codes) if code in assessments]
        result[str(goal)] = rollup(members, children="nyckeltal")
    return result


def area_statuses(goals: Mapping[str, Rollup], indicators: pd.DataFrame) -> dict[str, Rollup]:
    """Each priority area's status rolled up from its goals' statuses, keyed by area code, in query order."""
    links = indicators.loc[indicators["goal_code"].notna(), ["priority_area_code", "goal_code"]]
    result: dict[str, Rollup] = {}
    for area, goal_codes in links.drop_duplicates().groupby("priority_area_code", sort=False)["goal_code"]:
        trends: Iterable[Trend] = [goals[goal][0] for goal in goal_codes if goal in goals]
        result[str(area)] = rollup(trends, children="mål")
    return result
