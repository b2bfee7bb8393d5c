"""Signal or noise: tests and intervals for counts and survey shares, and control-chart limits.

Counts. Two counts a (now) and b (before) over equally long periods are compared as Poisson counts.
The decision uses the exact test: given a + b events, a is Binomial(a + b, ½) when nothing changed
(two-sided, as scipy.stats.binomtest gives it; computed as twice the smaller tail, see _binomial_p).
The change is called real when p < SIGNIFICANCE_LEVEL (0.05). We also report the crime analysts'
z = 2(√a − √b) (square roots stabilise Poisson variance). It is not the decision: its rule of thumb
|z| > 3 calls 5 against 0 a change (z = 4.5) while the exact test does not (p = 0.06). Issue 3's
example 41 against 58 gives z = −2.4 and p = 0.11: noise.

Shares. A survey share p from n respondents gets a Wilson score interval (it behaves at 0 % and
100 %, unlike the normal approximation, and is less conservative than Clopper–Pearson). Two shares
are compared with the pooled two-proportion z-test (decision, p < SIGNIFICANCE_LEVEL) and Newcombe's
hybrid score interval for the difference (built from the two Wilson intervals).

Series. Control charts: a c-chart for counts (centre = mean, limits = mean ± 3√mean, floored at 0)
and an individuals (XmR) chart for other units (centre = mean, limits = mean ± 2.66 × mean moving
range). Shares are in percent (0–100) throughout, as the database stores them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from scipy.special import bdtr
from scipy.stats import chi2, norm

from followup.model import Unit

SIGNIFICANCE_LEVEL = 0.05
"""A change is larger than chance when its two-sided p-value is below this."""
CONFIDENCE = 0.95
"""Confidence level of every interval (1 − SIGNIFICANCE_LEVEL)."""
XMR_FACTOR = 2.66
"""Individuals chart: 3 / d2 with d2 = 1.128 for moving ranges of two."""


class ChartKind(StrEnum):
    C = "c"  # counts: Poisson limits around the mean
    XMR = "xmr"  # other units: individuals chart with moving range


@dataclass(frozen=True)
class CountComparison:
    """Two counts compared: z = 2(√a − √b), exact two-sided p-value, and the decision."""

    current: float
    previous: float
    z: float
    p_value: float
    significant: bool


@dataclass(frozen=True)
class ShareComparison:
    """Two shares (percent) compared: difference in points, its interval, z, p and the decision."""

    difference: float
    low: float
    high: float
    z: float
    p_value: float
    significant: bool


@dataclass(frozen=True)
class ControlLimits:
    """A control chart's centre line and limits for a series."""

    kind: ChartKind
    centre: float
    lower: float
    upper: float

    def outside(self, value: float) -> bool:
        """Whether a value falls outside the limits (a signal, not noise)."""
        return value < self.lower or value > self.upper


def _check_count(value: float) -> int:
    """A count as an int (rounded); ValueError when negative or not finite."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Ett antal måste vara ett tal som är 0 eller större, inte {value}.")
    return round(value)


def _check_share(share: float, n: float) -> None:
    """ValueError unless 0 ≤ share ≤ 100 and n > 0."""
    if not (math.isfinite(share) and 0 <= share <= 100):
        raise ValueError(f"En andel ska vara mellan 0 och 100 procent, inte {share}.")
    if not (math.isfinite(n) and n > 0):
        raise ValueError(f"Antalet svarande n ska vara större än 0, inte {n}.")


def compare_counts(current: float, previous: float, alpha: float = SIGNIFICANCE_LEVEL) -> CountComparison:
    """Poisson comparison of two counts over equal periods: z = 2(√a − √b), exact binomial p."""
    a, b = _check_count(current), _check_count(previous)
    z, p_value = 2 * (math.sqrt(a) - math.sqrt(b)), _binomial_p(a, b)
    return CountComparison(current, previous, z, p_value, p_value < alpha)


def _binomial_p(a: int, b: int) -> float:
    """Two-sided exact binomial p-value of a against b given their sum, as scipy's binomtest(a, a+b, 0.5).

    With p = ½ the distribution is symmetric, so the outcomes no more likely than the observed one are the
    two equal tails: twice the smaller tail's cdf (scipy.special.bdtr). It is 200 times faster than
    binomtest, which searches for the other tail; tests/test_stats.py checks that they agree."""
    if a == b:
        return 1.0
    return min(1.0, 2.0 * float(bdtr(min(a, b), a + b, 0.5)))


def poisson_interval(count: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for the mean behind an observed count."""
    return _garwood(_check_count(count), confidence)


@lru_cache(maxsize=65_536)
def _garwood(k: int, confidence: float) -> tuple[float, float]:
    """The Garwood interval of a count k (scipy's chi2; cached: charts ask for the same counts again)."""
    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(chi2.ppf(tail, 2 * k)) / 2
    return low, float(chi2.ppf(1 - tail, 2 * k + 2)) / 2


def share_interval(share: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval (percent) for a share (percent) from n respondents."""
    _check_share(share, n)
    p, z = share / 100, float(norm.ppf(1 - (1 - confidence) / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if share == 0 else max(0.0, centre - half) * 100
    return low, 100.0 if share == 100 else min(1.0, centre + half) * 100


def compare_shares(
    current: float,
    n_current: float,
    previous: float,
    n_previous: float,
    alpha: float = SIGNIFICANCE_LEVEL,
) -> ShareComparison:
    """Two survey shares (percent) with their n: pooled z-test and Newcombe interval of the difference."""
    _check_share(current, n_current)
    _check_share(previous, n_previous)
    p1, p2 = current / 100, previous / 100
    pooled = (p1 * n_current + p2 * n_previous) / (n_current + n_previous)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_current + 1 / n_previous))
    z = 0.0 if se == 0 else (p1 - p2) / se
    p_value = 1.0 if se == 0 else float(2 * norm.sf(abs(z)))
    confidence = 1 - alpha
    low1, high1 = share_interval(current, n_current, confidence)
    low2, high2 = share_interval(previous, n_previous, confidence)
    difference = current - previous
    low = difference - math.hypot(current - low1, high2 - previous)
    high = difference + math.hypot(high1 - current, previous - low2)
    return ShareComparison(difference, low, high, z, p_value, p_value < alpha)


def control_limits(values: Sequence[float], unit: Unit) -> ControlLimits | None:
    """Centre line and limits: a c-chart for counts, an XmR chart otherwise; None if too few values."""
    data = [float(v) for v in values]
    if any(not math.isfinite(v) for v in data):
        raise ValueError("Styrdiagrammet kan inte räknas: serien innehåller värden som inte är tal.")
    unit = Unit(unit)
    if unit is Unit.COUNT:
        for value in data:
            _check_count(value)
        if not data:
            return None
        centre = sum(data) / len(data)
        spread = 3 * math.sqrt(centre)
        return ControlLimits(ChartKind.C, centre, max(0.0, centre - spread), centre + spread)
    if len(data) < 2:
        return None
    centre = sum(data) / len(data)
    moving_range = sum(abs(b - a) for a, b in zip(data, data[1:])) / (len(data) - 1)
    lower, upper = centre - XMR_FACTOR * moving_range, centre + XMR_FACTOR * moving_range
    if unit is not Unit.INDEX:
        lower = max(0.0, lower)
    if unit is Unit.SHARE:
        upper = min(100.0, upper)
    return ControlLimits(ChartKind.XMR, centre, lower, upper)
