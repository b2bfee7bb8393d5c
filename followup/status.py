"""Goal status: the trend against a like-for-like comparison, status against a numeric target, roll-up.

Trend (`assess`): the latest comparable period(s) against the comparison period(s); a change counts
only when it is larger than chance: the exact Poisson comparison for counts (antal, summed over the
periods compared), the two-proportion test for survey shares with their n, and for anything else
(shares without n, rates, kronor, index) a relative change above RELATIVE_THRESHOLD. The direction
of the indicator turns a real change into improving or worsening. No data when a compared period is
missing (missing is not zero), when a series break lies between or inside the compared periods, or
when a sensitive count is hidden and the verdict would depend on the hidden value. A compared window
that sums or averages several periods is hidden too when one of them is (fmt.HIDDEN_DERIVED): beside the
other periods it would give that one away; its verdict is then judged for every value the hidden parts
could have (the `_Window` candidates), as a single hidden value is.

Target (`Target`): the latest value against the straight path from baseline to target at the
latest period's start (flat before the baseline and after the target date). At least as good as the
target value, or as the path: on track. Worse than the path by at most the tolerance: at risk.
Worse by more: off track. Tolerance defaults to DEFAULT_TOLERANCE of the path value. A path that starts
or ends on a sensitive value 1–4 is never shown (every point of it gives that value away): the status is
judged for every value it could have, and the sentence names no path value.

Roll-up (`rollup`): improving when more children improve than worsen, worsening when more worsen
than improve, otherwise unchanged; children without a judgement do not vote. This is the sign of
the average score (+1 / 0 / −1) that goal tools such as ClearPoint offer as "average" roll-up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache

from followup import fmt, stats
from followup.model import Aggregation, Direction, Grain, Unit
from followup.periods import (
    MONTH_NAMES,
    PERIODS_PER_YEAR,
    Period,
    grain_name,
    nests_in,
    period_of,
    periods_between,
    periods_within,
    range_label,
)

RELATIVE_THRESHOLD = 0.10
"""Without a known uncertainty a change counts only when it exceeds 10 % of the earlier value."""
DEFAULT_TOLERANCE = 0.10
"""A target without a tolerance is 'at risk' when at most 10 % of the path value behind it."""


class Trend(StrEnum):
    IMPROVING = "improving"
    UNCHANGED = "unchanged"
    WORSENING = "worsening"
    NO_DATA = "no_data"


class TargetStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class Comparison(StrEnum):
    SAME_PERIOD_LAST_YEAR = "same_period_last_year"
    YEAR_TO_DATE = "year_to_date"
    ROLLING_12_MONTHS = "rolling_12_months"
    TERTIAL = "tertial"
    SURVEY = "survey"


class Method(StrEnum):
    POISSON = "poisson"  # counts: exact Poisson (conditional binomial) test
    TWO_PROPORTIONS = "two_proportions"  # survey shares with n
    THRESHOLD = "threshold"  # no known uncertainty: relative change above RELATIVE_THRESHOLD
    NONE = "none"  # no comparison was made


@dataclass(frozen=True)
class Display:
    """How a status is shown: a Swedish word, an icon character and a colour (never colour alone)."""

    word: str
    icon: str
    colour: str


DISPLAY: dict[Trend | TargetStatus, Display] = {  # Okabe–Ito colours, safe for colour-blind readers
    Trend.IMPROVING: Display("Förbättras", "▲", "#0072B2"),  # blue
    Trend.UNCHANGED: Display("Oförändrat", "●", "#7A7A7A"),  # grey
    Trend.WORSENING: Display("Försämras", "▼", "#D55E00"),  # vermillion
    Trend.NO_DATA: Display("Ingen bedömning", "○", "#C8C8C8"),  # light grey
    TargetStatus.ON_TRACK: Display("I fas", "✓", "#0072B2"),  # blue
    TargetStatus.AT_RISK: Display("Risk", "!", "#E69F00"),  # orange
    TargetStatus.OFF_TRACK: Display("Efter plan", "✗", "#D55E00"),  # vermillion
}

COMPARISON_LABELS: dict[Comparison, str] = {
    Comparison.SAME_PERIOD_LAST_YEAR: "Senaste period mot samma period förra året",
    Comparison.YEAR_TO_DATE: "Hittills i år mot samma del av förra året",
    Comparison.ROLLING_12_MONTHS: "Senaste tolv månaderna mot tolv månader före",
    Comparison.TERTIAL: "Senaste hela tertial mot samma tertial förra året",
    Comparison.SURVEY: "Senaste mätning mot föregående mätning",
}


@dataclass(frozen=True)
class Point:
    """One value of a series: its period, value, respondents or population n, and a series-break flag."""

    period_start: date
    grain: Grain
    value: float
    n: float | None = None
    series_break: bool = False  # a new definition or source starts here: no comparison across it
    withheld: bool = False  # a city value withheld beside its districts (query column withheld): shown as hidden

    @property
    def period(self) -> Period:
        """The point's period."""
        return _period(self.period_start, self.grain)


@lru_cache(maxsize=200_000)
def _period(start: date, grain: Grain) -> Period:
    """Period(start, grain), shared (Period is immutable): the rules ask for the same periods again and again."""
    return Period(start, grain)


@dataclass(frozen=True)
class Target:
    """A numeric target: baseline and target value, each for one period of `grain` (None: the series')."""

    baseline_start: date
    baseline_value: float
    target_start: date
    target_value: float
    tolerance: float | None = None  # in the indicator's unit; None: DEFAULT_TOLERANCE of the path value
    grain: Grain | None = None

    def expected_at(self, day: date) -> float:
        """The straight path from baseline to target at `day`, flat outside the two dates."""
        span = (self.target_start - self.baseline_start).days
        progress = 1.0 if span <= 0 else min(1.0, max(0.0, (day - self.baseline_start).days / span))
        return self.baseline_value + (self.target_value - self.baseline_value) * progress


@dataclass(frozen=True)
class Assessment:
    """The status of one indicator in one scope, with the numbers and one Swedish sentence saying why.

    Hidden values (sensitive counts 1–4) are None here and '1–4' in the *_text fields, and then no
    change, z or p-value is given either. Show values through the *_text fields.
    """

    name: str
    trend: Trend
    explanation: str
    comparison: Comparison
    method: Method = Method.NONE
    current: float | None = None
    previous: float | None = None
    current_text: str = fmt.MISSING
    previous_text: str = fmt.MISSING
    current_label: str | None = None
    previous_label: str | None = None
    change_absolute: float | None = None
    change_relative: float | None = None
    change_text: str | None = None
    z: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    suppressed: bool = False
    target_status: TargetStatus | None = None
    target_explanation: str | None = None
    expected: float | None = None  # the target path's value for the period the target is judged on

    @property
    def display(self) -> Display:
        """Word, icon and colour of the trend."""
        return DISPLAY[self.trend]

    @property
    def target_display(self) -> Display | None:
        """Word, icon and colour of the target status, if there is one."""
        return None if self.target_status is None else DISPLAY[self.target_status]


@dataclass(frozen=True)
class _Spec:
    name: str
    unit: Unit
    direction: Direction
    sensitive: bool
    aggregation: Aggregation


class _NoData(Exception):
    """No judgement is possible; the message is the Swedish reason (a clause after 'eftersom')."""


def assess(
    points: Iterable[Point],
    *,
    name: str,
    unit: Unit,
    direction: Direction,
    sensitive: bool = False,
    target: Target | None = None,
    comparison: Comparison = Comparison.SAME_PERIOD_LAST_YEAR,
    as_of: date | None = None,
    aggregation: Aggregation | None = None,
) -> Assessment:
    """Trend (and target status) of a series, ignoring points that start after `as_of`."""
    unit = Unit(unit)
    default = Aggregation.SUM if unit is Unit.COUNT else Aggregation.MEAN
    spec = _Spec(name, unit, Direction(direction), sensitive, Aggregation(aggregation or default))
    series = _series(points, as_of)
    result = _assess_trend(series, Comparison(comparison), spec)
    if target is None or not series:
        return result
    status, sentence, expected = _assess_target(series, target, spec)
    return replace(result, target_status=status, target_explanation=sentence, expected=expected)


def _series(points: Iterable[Point], as_of: date | None) -> dict[Period, Point]:
    """The points by period, in time order; ValueError on a period given twice."""
    series: dict[Period, Point] = {}
    for point in sorted(points, key=lambda p: p.period_start):
        if as_of is not None and point.period_start > as_of:
            continue
        period = point.period
        if period in series:
            raise ValueError(f"Perioden {period.label} finns två gånger i serien. Ta bort dubbletten.")
        series[period] = point
    return series


def _assess_trend(series: dict[Period, Point], comparison: Comparison, spec: _Spec) -> Assessment:
    """Compare the latest window with its comparison window."""
    base = Assessment(spec.name, Trend.NO_DATA, "", comparison)
    try:
        if not series:
            raise _NoData("det finns inga värden")
        if len({period.grain for period in series}) > 1:
            raise _NoData("värdena har olika periodlängd (till exempel både månad och år)")
        if spec.unit is Unit.COUNT and any(p.value < 0 for p in series.values()):
            raise _NoData("ett antal kan inte vara negativt")
        current_periods, previous_periods = _windows(list(series), comparison)
    except _NoData as reason:
        return replace(base, explanation=f"{spec.name}: ingen bedömning eftersom {reason}.")
    current_label = _window_label(current_periods, comparison)
    previous_label = _window_label(previous_periods, comparison)
    base = replace(base, current_label=current_label, previous_label=previous_label)
    if any(p not in series for p in current_periods):
        reason = _missing_reason(series, current_periods)
        return replace(base, explanation=f"{spec.name}: ingen bedömning eftersom {reason}.")
    now = _window([series[p] for p in current_periods], spec)
    hidden = bool(now.hidden)
    current_text = _window_text(now, spec)
    base = replace(base, current=None if hidden else now.value, current_text=current_text, suppressed=hidden)
    reason = _missing_reason(series, previous_periods) or _break_reason(
        series, previous_periods[0].start, current_periods[-1].end
    )
    if reason:
        head = f"{spec.name}: {current_text} {_when(current_label)}"
        return replace(base, explanation=f"{head}, men ingen jämförelse eftersom {reason}.")
    before = _window([series[p] for p in previous_periods], spec)
    phrase = _previous_phrase(comparison, current_periods, previous_periods)
    return _judge(base, spec, now, before, phrase)


def _judge(base: Assessment, spec: _Spec, now: _Window, before: _Window, previous_phrase: str) -> Assessment:
    """Decide signal or noise, the trend, and the sentence, keeping hidden values hidden."""
    value, n_value, earlier, n_earlier = now.value, now.n, before.value, before.n
    hidden = base.suppressed or bool(before.hidden)
    method, significant, z, p_value = _decide(value, earlier, n_value, n_earlier, spec)
    trend: Trend | None = _directed(value, earlier, significant, spec.direction)
    change = value - earlier
    relative = change / earlier if earlier else None
    if spec.unit is Unit.SHARE:
        change_text = fmt.change_points(change)
    else:
        change_text = None if relative is None else fmt.change(relative)
    if hidden:  # everything shown must be the same for every value the hidden ones could have
        trend = _robust_trend(now, before, spec)
        significant = None if trend is None else trend is not Trend.UNCHANGED
        z = p_value = change = relative = change_text = None
    verdict = (
        "små tal visas inte, så förändringen kan inte bedömas"
        if significant is None
        else _verdict(method, significant)
    )
    previous_text = _window_text(before, spec)
    brackets = f" ({change_text})" if change_text else ""
    sentence = (
        f"{spec.name}: {base.current_text} {_when(base.current_label)} mot {previous_text} "
        f"{_when(previous_phrase)}{brackets}, {verdict}."
    )
    return replace(
        base,
        trend=trend or Trend.NO_DATA,
        explanation=sentence,
        method=method,
        previous=None if before.hidden else earlier,
        previous_text=previous_text,
        change_absolute=change,
        change_relative=relative,
        change_text=change_text,
        z=z,
        p_value=p_value,
        significant=significant,
        suppressed=hidden,
    )


def _windows(periods: Sequence[Period], comparison: Comparison) -> tuple[list[Period], list[Period]]:
    """The current and the comparison periods, in the series' own grain."""
    latest = periods[-1]
    match comparison:
        case Comparison.YEAR_TO_DATE:
            week = latest.grain is Grain.WEEK
            first = date.fromisocalendar(latest.year, 1, 1) if week else date(latest.year, 1, 1)
            current = periods_between(first, latest.start, latest.grain)
        case Comparison.ROLLING_12_MONTHS:
            size = PERIODS_PER_YEAR[latest.grain]
            current = [latest.shift(step) for step in range(1 - size, 1)]
            return current, [period.shift(-size) for period in current]
        case Comparison.TERTIAL:
            if not nests_in(latest.grain, Grain.TERTIAL):
                raise _NoData("en tertialjämförelse kräver värden per månad eller tertial")
            tertial = period_of(latest.start, Grain.TERTIAL)
            if latest.end < tertial.end:  # the latest tertial is not complete: use the one before
                tertial = tertial.shift(-1)
            earlier = tertial.shift_years(-1)
            return periods_within(tertial, latest.grain), periods_within(earlier, latest.grain)
        case Comparison.SURVEY:
            if len(periods) < 2:
                raise _NoData("det finns ingen tidigare mätning")
            return [latest], [periods[-2]]
        case _:
            current = [latest]
    return current, [_year_earlier(period) for period in current]


def _year_earlier(period: Period) -> Period:
    """The same period a year earlier; no data for a week 53 whose year before has no week 53."""
    earlier = period.shift_years(-1)
    if earlier.number != period.number:
        raise _NoData(f"{period.label} saknar motsvarighet år {earlier.year}")
    return earlier


def _window_label(periods: Sequence[Period], comparison: Comparison) -> str:
    """Swedish label of a window: a tertial's own label, else the run of periods."""
    if comparison is Comparison.TERTIAL:
        return period_of(periods[0].start, Grain.TERTIAL).label
    return range_label(periods[0], periods[-1])


def _when(label: str) -> str:
    """A period label as it reads after a number: 'år 2025', 'i mars 2025', else the label itself."""
    if label.isdigit():
        return f"år {label}"
    words = label.split()
    return f"i {label}" if len(words) == 2 and words[0] in MONTH_NAMES else label


def _previous_phrase(comparison: Comparison, current: Sequence[Period], previous: Sequence[Period]) -> str:
    """How the comparison window is named in the sentence: 'samma period 2024' or its label."""
    label = _window_label(previous, comparison)
    if comparison is Comparison.YEAR_TO_DATE and len(current) > 1 and not label.isdigit():
        return f"samma period {previous[-1].year}"
    return label


def _missing_reason(series: dict[Period, Point], periods: Sequence[Period]) -> str | None:
    """'värde saknas för …' naming the missing periods as runs ('apr–dec 2024'), or None."""
    runs: list[list[Period]] = []
    for period in periods:
        if period in series:
            continue
        if runs and runs[-1][-1].shift(1) == period:
            runs[-1].append(period)
        else:
            runs.append([period])
    if not runs:
        return None
    named = [range_label(run[0], run[-1]) for run in runs[:3]]
    rest = len(runs) - 3
    more = [f"{rest} {'period' if rest == 1 else 'perioder'} till"] if rest > 0 else []
    items = named + more
    text = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} och {items[-1]}"
    return f"värde saknas för {text}"


def _break_reason(series: dict[Period, Point], start: date, end: date) -> str | None:
    """The reason a series break after `start` and before `end` forbids the comparison, if there is one."""
    for period, point in series.items():
        if point.series_break and start < period.start < end:
            return (
                f"serien bryts {period.label} (ny definition eller källa) och perioder före och efter "
                "brottet får inte jämföras"
            )
    return None


def _aggregate(points: Sequence[Point], spec: _Spec) -> tuple[float, float | None]:
    """One value for a window (sum, or mean weighted by n when every point has one) and its total n."""
    values = [point.value for point in points]
    sizes = [point.n for point in points]
    n = sum(sizes) if all(size is not None and size > 0 for size in sizes) else None
    if spec.aggregation is Aggregation.SUM:
        return sum(values), n
    if n:
        return sum(v * size for v, size in zip(values, sizes)) / n, n
    return sum(values) / len(values), n


def _decide(
    value: float, earlier: float, n_value: float | None, n_earlier: float | None, spec: _Spec
) -> tuple[Method, bool, float | None, float | None]:
    """Method, whether the change is larger than chance, z and p-value."""
    if spec.unit is Unit.COUNT:
        counts = stats.compare_counts(value, earlier)
        return Method.POISSON, counts.significant, counts.z, counts.p_value
    if spec.unit is Unit.SHARE and n_value and n_earlier:
        shares = stats.compare_shares(value, n_value, earlier, n_earlier)
        return Method.TWO_PROPORTIONS, shares.significant, shares.z, shares.p_value
    if earlier == 0:
        return Method.THRESHOLD, value != 0, None, None
    return Method.THRESHOLD, abs(value - earlier) / abs(earlier) > RELATIVE_THRESHOLD, None, None


def _directed(value: float, earlier: float, significant: bool, direction: Direction) -> Trend:
    """Improving or worsening for a real change, given the indicator's direction; else unchanged."""
    if value == earlier or not significant:
        return Trend.UNCHANGED
    lower = value < earlier
    return Trend.IMPROVING if lower == (direction is Direction.LOWER_IS_BETTER) else Trend.WORSENING


def _candidates(value: float, spec: _Spec) -> tuple[float, ...]:
    """The values a hidden value could have (itself when it is shown)."""
    if not fmt.must_hide(value, spec.sensitive):
        return (value,)
    if spec.unit is Unit.COUNT:  # the Poisson test rounds, so a fraction could act as 0 … 5
        return (1, 2, 3, 4) if float(value).is_integer() else (0, 1, 2, 3, 4, 5)
    return tuple(step / 4 for step in range(1, 20))


MAX_CANDIDATES = 41
"""A window with many hidden parts is tried at this many values from its lowest to its highest possible."""


@dataclass(frozen=True)
class _Window:
    """The value of a compared window (one period, or the sum or mean of several) as a reader may know it."""

    value: float
    n: float | None
    hidden: str  # '' when it may be shown, else the text shown instead (fmt.hidden_reason)
    candidates: tuple[float, ...]  # every value it could have for a reader: itself when shown


def _window(points: Sequence[Point], spec: _Spec) -> _Window:
    """A window's value and n; hidden when 1–4 or made from a hidden part, with the values it could have."""
    value, n = _aggregate(points, spec)
    hidden = fmt.hidden_reason(value, spec.sensitive, [point.value for point in points])
    if any(point.withheld for point in points):  # a withheld value: a reader cannot know what it could be
        return _Window(value, n, hidden or fmt.HIDDEN_DERIVED, ())
    if not hidden:
        return _Window(value, n, hidden, (value,))
    options = [_candidates(point.value, spec) for point in points]  # a shown part: its own value
    if len(points) == 1 or all(len(option) == 1 for option in options):
        return _Window(value, n, hidden, _candidates(value, spec))
    low = _aggregate([replace(p, value=min(o)) for p, o in zip(points, options, strict=True)], spec)[0]
    high = _aggregate([replace(p, value=max(o)) for p, o in zip(points, options, strict=True)], spec)[0]
    whole = spec.aggregation is Aggregation.SUM and all(float(v).is_integer() for o in options for v in o)
    steps = min(int(round(high - low)) if whole else MAX_CANDIDATES - 1, MAX_CANDIDATES - 1)
    grid = {low + (high - low) * i / steps for i in range(steps + 1)} if steps else {low}
    return _Window(value, n, hidden, tuple(sorted(round(v) if whole else v for v in grid)))


def _window_text(window: _Window, spec: _Spec) -> str:
    """A window's value as the sentence shows it: the unit's format, '1–4', or why it is not shown."""
    return window.hidden or fmt.value_text(window.value, spec.unit)


def _robust_trend(now: _Window, before: _Window, spec: _Spec) -> Trend | None:
    """The trend every possible hidden value gives, or None when it depends on the hidden value."""
    outcomes = {
        _directed(v, e, _decide(v, e, now.n, before.n, spec)[1], spec.direction)
        for v in now.candidates
        for e in before.candidates
    }
    return outcomes.pop() if len(outcomes) == 1 else None


def _verdict(method: Method, significant: bool) -> str:
    """'större än slumpvariationen', 'inom slumpvariationen', or the threshold wording."""
    if method is Method.THRESHOLD:
        limit = fmt.change(RELATIVE_THRESHOLD).lstrip("+")
        return f"{'mer än' if significant else 'högst'} {limit} förändring, tröskeln när osäkerheten är okänd"
    return "större än slumpvariationen" if significant else "inom slumpvariationen"


def _assess_target(
    series: dict[Period, Point], target: Target, spec: _Spec
) -> tuple[TargetStatus | None, str, float | None]:
    """Target status, sentence and path value, for the latest complete period of the target's grain."""
    latest = next(reversed(series))
    grain = Grain(target.grain or latest.grain)
    try:
        period, window = _latest_complete(series, grain, spec)
        reason = _break_reason(series, target.baseline_start, period.end)
        if reason:
            raise _NoData(reason)
    except _NoData as reason:
        return None, f"{spec.name}: ingen målbedömning eftersom {reason}.", None
    hidden_path = fmt.must_hide(target.baseline_value, spec.sensitive) or fmt.must_hide(
        target.target_value, spec.sensitive)
    paths = [target]
    if hidden_path:  # a path on a hidden value: judge it for every value that one could have
        paths = [replace(target, baseline_value=b, target_value=t)
                 for b in _candidates(target.baseline_value, spec) for t in _candidates(target.target_value, spec)]
    outcomes = set()
    for path in paths:
        expected = path.expected_at(period.start)
        tolerance = path.tolerance if path.tolerance is not None else DEFAULT_TOLERANCE * abs(expected)
        outcomes |= {_target_rule(v, expected, tolerance, path.target_value, spec.direction)
                     for v in window.candidates}
    expected = target.expected_at(period.start)
    tolerance = target.tolerance if target.tolerance is not None else DEFAULT_TOLERANCE * abs(expected)
    goal_period = period_of(target.target_start, grain)
    goal = f"{fmt.value_text(target.target_value, spec.unit)} {_when(goal_period.label)}"
    head = f"{spec.name}: {_window_text(window, spec)} {_when(period.label)} "
    if hidden_path:
        head += "mot målbanan, som inte visas eftersom den börjar eller slutar på ett värde 1–4"
    else:
        head += f"mot planerade {fmt.value_text(expected, spec.unit)} (målet {goal})"
    if len(outcomes) != 1:  # none: a withheld value, which could be anything
        return None, f"{head}, små tal visas inte, så målet kan inte bedömas.", None if hidden_path else expected
    status, phrase = outcomes.pop()
    if hidden_path:
        return status, f"{head}, {phrase.replace(' {tolerance}', '')}.", None
    allowed = (
        f"{fmt.number(tolerance, 1)} procentenheter"
        if spec.unit is Unit.SHARE
        else fmt.value_text(tolerance, spec.unit)
    )
    return status, f"{head}, {phrase.format(tolerance=allowed)}.", expected


def _latest_complete(series: dict[Period, Point], grain: Grain, spec: _Spec) -> tuple[Period, _Window]:
    """The latest complete period of `grain` and its value, summed or averaged from the series."""
    latest = next(reversed(series))
    if grain is latest.grain:
        return latest, _window([series[latest]], spec)
    if not nests_in(latest.grain, grain):
        given = grain_name(latest.grain)
        raise _NoData(f"målet gäller per {grain_name(grain)} men värdena finns per {given}")
    period = period_of(latest.start, grain)
    if latest.end < period.end:
        period = period.shift(-1)
    parts = periods_within(period, latest.grain)
    reason = _missing_reason(series, parts)
    if reason:
        raise _NoData(reason)
    return period, _window([series[p] for p in parts], spec)


def _target_rule(
    value: float, expected: float, tolerance: float, target_value: float, direction: Direction
) -> tuple[TargetStatus, str]:
    """On track (target met, or on the path), at risk (behind within tolerance) or off track."""

    def at_least_as_good(a: float, b: float) -> bool:
        return a <= b if direction is Direction.LOWER_IS_BETTER else a >= b

    if at_least_as_good(value, target_value):
        return TargetStatus.ON_TRACK, "målet är redan nått"
    if at_least_as_good(value, expected):
        return TargetStatus.ON_TRACK, "i fas med planen"
    if abs(value - expected) <= tolerance:
        return TargetStatus.AT_RISK, "sämre än planen men inom toleransen {tolerance}"
    return TargetStatus.OFF_TRACK, "sämre än planen med mer än toleransen {tolerance}"


_ROLLUP_WORDS = {  # singular, plural (nyckeltal and mål are neuter)
    Trend.IMPROVING: ("förbättras", "förbättras"),
    Trend.UNCHANGED: ("oförändrat", "oförändrade"),
    Trend.WORSENING: ("försämras", "försämras"),
    Trend.NO_DATA: ("utan bedömning", "utan bedömning"),
}


def rollup(statuses: Iterable[Trend | Assessment], *, children: str = "nyckeltal") -> tuple[Trend, str]:
    """Roll up: improving if more improve than worsen, worsening if more worsen, else unchanged; + rule."""
    trends = [s.trend if isinstance(s, Assessment) else Trend(s) for s in statuses]
    if not trends:
        return Trend.NO_DATA, f"Inga {children} att väga samman."
    counts = Counter(trends)
    better, worse = counts[Trend.IMPROVING], counts[Trend.WORSENING]
    if len(trends) == counts[Trend.NO_DATA]:
        result, because = Trend.NO_DATA, "inget har en bedömning"
    elif worse > better:
        result, because = Trend.WORSENING, "fler försämras än förbättras"
    elif better > worse:
        result, because = Trend.IMPROVING, "fler förbättras än försämras"
    else:
        result, because = Trend.UNCHANGED, "lika många förbättras som försämras"
    tally = ", ".join(
        f"{counts[t]} {_ROLLUP_WORDS[t][counts[t] != 1]}" for t in _ROLLUP_WORDS if counts[t]
    )
    word = DISPLAY[result].word.lower()
    return result, f"{tally} av {len(trends)} {children}: {word}, eftersom {because}."


def badge(status: Trend | TargetStatus) -> str:
    """Markdown '**▲ Förbättras**': icon and word of a status (colour is added by the page)."""
    shown = DISPLAY[status]
    return f"**{shown.icon} {shown.word}**"


HOW_STATUS_WORKS = f"""### Hur räknas status?

**Utveckling** jämför det senaste värdet med en jämförbar period: samma period förra året, hittills i år
mot samma del av förra året, de senaste tolv månaderna mot tolv månader före, senaste hela tertial
(jan–apr, maj–aug, sep–dec) mot samma tertial förra året, eller senaste mätning mot föregående.
En förändring räknas bara när den är större än slumpen kan förklara:

- **Antal** (till exempel anmälda brott): perioderna summeras och jämförs med ett exakt Poisson-test.
  Förändringen räknas när p-värdet är under {fmt.number(stats.SIGNIFICANCE_LEVEL, 2)}. Vi visar också
  brottsanalytikernas z = 2(√a − √b); 41 mot 58 ger z = −2,4 och p = 0,11, alltså inom slumpvariationen.
- **Andelar från enkäter** med antal svarande: 95 % konfidensintervall och test av två andelar.
- **Övrigt** (andelar utan antal svarande, per 1 000 invånare, kronor, index): osäkerheten är okänd,
  så förändringen räknas först när den är större än {fmt.change(RELATIVE_THRESHOLD).lstrip("+")} av det
  tidigare värdet.

Om en ändring är bra eller dålig beror på nyckeltalet: färre brott är en förbättring, fler trygga
är en förbättring. {badge(Trend.IMPROVING)}, {badge(Trend.UNCHANGED)}, {badge(Trend.WORSENING)}.
{badge(Trend.NO_DATA)} när ett värde saknas (saknat värde räknas aldrig som noll), när serien bryts
(ny definition eller källa) mellan eller inom perioderna som jämförs, eller när små tal är dolda och
bedömningen skulle avslöja dem.

**Mot mål**: där ett målvärde finns jämförs senaste värdet med en rak linje från utgångsvärdet till
målvärdet. {badge(TargetStatus.ON_TRACK)} när värdet är minst lika bra som linjen eller målet redan är
nått, {badge(TargetStatus.AT_RISK)} när det är sämre men inom toleransen (om ingen tolerans är satt:
{fmt.percent(DEFAULT_TOLERANCE * 100, 0)} av linjens värde), {badge(TargetStatus.OFF_TRACK)} när det är sämre än så.

**Sammanvägning**: ett mål får status från sina nyckeltal och ett prioriterat område från sina mål.
Förbättras när fler förbättras än försämras, försämras när fler försämras än förbättras, annars
oförändrat. Nyckeltal utan bedömning räknas inte, men antalet visas alltid.

**Känsliga nyckeltal** (enskilda personer) visar aldrig antal 1–4; de visas som ”1–4”, och ingen
procentuell förändring visas då heller. Inte heller en summa, ett medelvärde eller en målbana som bygger
på ett sådant värde visas, eftersom det dolda värdet då skulle gå att räkna fram.
"""
