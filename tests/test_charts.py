"""Chart builders: template, traces and their data, target path, series break, activities, shared scales,
an offline map, text alternatives, and no sensitive value 1–4 anywhere in a figure.

The image test at the end exports through kaleido and Debian's chromium (the image_browser fixture puts it in
the browser lane: `make test` runs it, `make check` leaves it out). Its PNG/SVG files land in test-output/charts/
for review.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from followup import charts, config, fmt, stats
from followup.charts import series as series_module
from followup.charts import theme
from followup.model import Grain, Unit
from followup.periods import Period
from followup.status import DISPLAY, Target, TargetStatus, Trend

NB = "\u00a0"
SOURCE = charts.Source("Polisen")
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
MAP_TRACE_TYPES = {"scattergeo", "scattermapbox", "scattermap", "choropleth", "choroplethmapbox",
                   "choroplethmap", "densitymapbox", "densitymap"}


def months(first: str, count: int) -> list[date]:
    """`count` month starts from `first` (YYYY-MM)."""
    year, month = map(int, first.split("-"))
    result = []
    for _ in range(count):
        result.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def monthly_frame() -> pd.DataFrame:
    """21 months jan 2024–sep 2025 of counts, last year's values, and a series break in jan 2025."""
    starts = months("2024-01", 21)
    values = [40, 42, 38, 45, 50, 47, 52, 55, 44, 41, 39, 43, 30, 28, 33, 29, 31, 35, 30, 27, 26]
    return pd.DataFrame({
        "period_start": pd.to_datetime(starts),  # what DuckDB hands pandas
        "value": [float(v) for v in values],
        "last_year": [v + 5.0 for v in values],
        "series_break": [d == date(2025, 1, 1) for d in starts],
    })


def activity_frame() -> pd.DataFrame:
    """Three activities in range (two in the same month), one outside, one without a start date."""
    return pd.DataFrame({
        "title": ["Platssamverkan <b>Hässelby torg</b>", "Kameror", "Nattvandring", "Gammal insats", "Utan datum"],
        "start_date": [date(2024, 3, 1), date(2024, 3, 15), date(2025, 5, 10), date(2019, 1, 1), None],
        "end_date": [None, date(2024, 12, 31), date(2025, 8, 31), date(2019, 6, 30), None],
        "status": ["ongoing", "done", "done", "done", "planned"],
    })


@pytest.fixture
def monthly() -> pd.DataFrame:
    """A fresh copy of monthly_frame() for each test."""
    return monthly_frame()


@pytest.fixture
def activities() -> pd.DataFrame:
    """A fresh copy of activity_frame() for each test."""
    return activity_frame()


TARGET = Target(date(2024, 1, 1), 40.0, date(2025, 12, 1), 30.0, 3.0, Grain.MONTH)


@pytest.fixture
def figure(monthly: pd.DataFrame, activities: pd.DataFrame) -> go.Figure:
    """A time series with everything: last year, target, break, activities."""
    return charts.time_series(
        monthly, title="Anmälda brott på Hässelby torg", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE,
        name="Hässelby torg", target=TARGET, activities=activities,
    )


def trace(fig: go.Figure, name: str) -> Any:
    """The one trace with this legend name."""
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, f"expected one trace named {name!r}, found {[t.name for t in fig.data]}"
    return found[0]


def points(values: Any) -> list[Any]:
    """A trace array as a list with gaps (None) removed."""
    return [v for v in list(values) if v is not None]


def tertial_starts(count: int) -> list[date]:
    """`count` tertial starts from T1 2022."""
    return [date(2022 + i // 3, 1 + 4 * (i % 3), 1) for i in range(count)]


HIDDEN = [3.0, 1.0, 4.0, 2.0]


@pytest.fixture
def sensitive() -> pd.DataFrame:
    """A sensitive tertial series where 3, 1, 4 and 2 must never be shown, with a band and last year."""
    values = [12.0, 3.0, 7.0, 1.0, 0.0, 4.0, 9.0, 2.0, 6.0]
    return pd.DataFrame({
        "period_start": tertial_starts(len(values)),
        "value": values,
        "low": [v - 1 if v else 0.0 for v in values],  # a caller's band around hidden values must go too
        "high": [v + 1 if v else 0.5 for v in values],
        "last_year": [None, None, None, 12.0, 3.0, 7.0, 1.0, 0.0, 4.0],
    })


# ---- template -------------------------------------------------------------------------------------------


def test_template_is_registered_with_large_calm_type_and_swedish_separators() -> None:
    template = pio.templates[charts.TEMPLATE_NAME]
    layout = template.layout
    assert layout.separators == "," + NB == charts.SEPARATORS  # decimal comma, no-break space thousands
    assert layout.font.size >= 20 and layout.title.font.size >= 28
    assert layout.xaxis.tickfont.size >= 18 and layout.yaxis.tickfont.size >= 18
    assert layout.xaxis.separatethousands and layout.xaxis.exponentformat == "none"  # 1 234, never 1.2k
    assert layout.paper_bgcolor == layout.plot_bgcolor == "white"
    assert template.data.scatter[0].line.width == 4
    assert set(layout.colorway) <= OKABE_ITO


def test_spec_makes_the_figure_plotlys_own_methods_make() -> None:
    """theme.Spec merges layout updates, appends annotations and shapes as go.Figure does, without its cost."""
    traces = [{"type": "scatter", "x": ["2025-01-01", "2025-02-01"], "y": [1, 2], "name": "a"}]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("update_layout", {"title": {"text": "T"}, "xaxis": {"type": "date", "tickvals": ["2025-01-01"]}}),
        ("add_shape", {"type": "line", "x0": "2025-01-15", "x1": "2025-01-15", "y0": 0, "y1": 1}),
        ("add_annotation", {"text": "Seriebrott", "x": "2025-01-15", "y": 1, "font": {"size": 22}}),
        ("update_layout", {"xaxis": {"ticktext": ["jan"]}, "margin": {"b": 80}}),
        ("add_annotation", {"text": "Källa", "xref": "paper", "yref": "paper", "x": 0, "y": 0}),
        ("update_layout", {"margin": {"t": 40}, "meta": {"alt": "Text"}, "title": {"font": {"size": 32}}}),
    ]
    spec = theme.Spec(600, traces)
    plotly = theme.apply(go.Figure(data=[go.Scatter(**{k: v for k, v in traces[0].items() if k != "type"})]), 600)
    for method, properties in steps:
        getattr(spec, method)(**properties)
        getattr(plotly, method)(**properties)
    made = spec.figure()
    assert made.to_dict() == plotly.to_dict()
    assert made.layout.xaxis.ticktext == ("jan",) and made.layout.margin.b == 80 and made.layout.title.font.size == 32
    assert theme.new_figure(300, traces).to_dict() == theme.apply(go.Figure(data=traces), 300).to_dict()


def test_status_colours_are_the_templates_okabe_ito_colours() -> None:
    chromatic = {d.colour for d in DISPLAY.values()} - {theme.NEUTRAL, "#C8C8C8"}
    assert chromatic <= OKABE_ITO
    assert DISPLAY[Trend.IMPROVING].colour == theme.BLUE
    assert DISPLAY[TargetStatus.AT_RISK].colour == theme.ORANGE


def all_builders() -> dict[str, go.Figure]:
    """One figure from every builder."""
    monthly, activities = monthly_frame(), activity_frame()
    pair = pd.concat([monthly.assign(place="Hässelby torg"), monthly.assign(place="Maltesholmstorget")])
    ranking = pd.DataFrame({"place": ["A", "B"], "current": [41.0, 58.0], "previous": [78.0, 60.0],
                            "trend": [Trend.IMPROVING, Trend.UNCHANGED]})
    places = pd.DataFrame({"code": ["hasselby-torg"], "name": ["Hässelby torg"], "lat": [59.3672], "lon": [17.8436]})
    return {
        "time_series": charts.time_series(monthly, title="T", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE,
                                          target=TARGET, activities=activities),
        "sparkline": charts.sparkline([1.0, 5.0, 3.0]),
        "small_multiples": charts.small_multiples(pair, title="T", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE),
        "ranking_bar": charts.ranking_bar(ranking, title="T", current_label="jan–sep 2025",
                                          previous_label="jan–sep 2024", source=SOURCE),
        "place_map": charts.place_map(charts.load_districts(date(2025, 1, 1)), places, title="T", source=SOURCE,
                                      highlight_district="hasselby-vallingby"),
    }


@pytest.fixture(scope="module")
def built() -> dict[str, go.Figure]:
    """all_builders(), built once for the module (read only)."""
    return all_builders()


@pytest.mark.parametrize("name", ["time_series", "sparkline", "small_multiples", "ranking_bar", "place_map"])
def test_every_builder_uses_the_template_separators_and_an_alt_text(name: str, built: dict[str, go.Figure]) -> None:
    fig = built[name]
    assert isinstance(fig, go.Figure)
    assert fig.layout.template.to_plotly_json() == pio.templates[charts.TEMPLATE_NAME].to_plotly_json()
    assert fig.layout.separators == charts.SEPARATORS
    alt = charts.alt_text(fig)
    assert len(alt) > 20 and alt == fig.layout.meta["alt"] and alt.endswith(".")


@pytest.mark.parametrize("name", ["time_series", "small_multiples", "ranking_bar", "place_map"])
def test_every_chart_carries_its_source_line(name: str, built: dict[str, go.Figure]) -> None:
    fig = built[name]
    footers = [a.text for a in fig.layout.annotations if a.name == "footer"]
    assert len(footers) == 1 and footers[0].startswith("Källa: Polisen")
    if name in ("time_series", "small_multiples"):  # the data date follows from the series
        assert "data t.o.m. sep 2025" in footers[0]


def test_source_line_names_source_date_and_demo() -> None:
    month = charts.Source("Polisen", through=Period(date(2025, 9, 1), Grain.MONTH), demo=True)
    assert month.line() == "Källa: Polisen · data t.o.m. sep 2025 · Exempeldata – påhittade siffror"
    tertial = Period(date(2025, 5, 1), Grain.TERTIAL)
    assert charts.Source("Socialtjänsten").line(tertial) == "Källa: Socialtjänsten · data t.o.m. T2 2025"
    assert charts.Source("EST", date(2025, 9, 30)).line() == "Källa: EST · data t.o.m. 30 sep 2025"


def test_time_ticks_are_swedish() -> None:
    values, labels = theme.time_ticks(date(2024, 11, 1), date(2025, 3, 1))
    assert values == ["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"]
    assert labels == ["nov<br>2024", "dec", "jan<br>2025", "feb", "mars"]
    assert theme.time_ticks(date(2019, 1, 1), date(2025, 9, 1))[1] == [str(y) for y in range(2019, 2026)]
    assert theme.time_ticks(date(2024, 1, 1), date(2025, 5, 1), Grain.TERTIAL) == (
        ["2024-01-01", "2024-05-01", "2024-09-01", "2025-01-01", "2025-05-01"],
        ["T1<br>2024", "T2", "T3", "T1<br>2025", "T2"],
    )


# ---- time series ----------------------------------------------------------------------------------------


def test_time_series_draws_values_last_year_target_and_activities(figure: go.Figure, monthly: pd.DataFrame) -> None:
    names = [t.name for t in figure.data]
    assert names == [series_module.LAST_YEAR_NAME, series_module.TARGET_NAME, "Hässelby torg",
                     series_module.ACTIVITY_NAME]
    main = trace(figure, "Hässelby torg")
    assert sorted(main.x) == sorted([d.isoformat() for d in months("2024-01", 21)] + ["2024-12-16"])  # + the gap
    assert points(main.y) == list(monthly["value"])
    assert points(trace(figure, series_module.LAST_YEAR_NAME).y) == list(monthly["last_year"])
    assert main.text[-1] == "26" and main.hovertext[0] == "januari 2024: 40"
    assert figure.layout.yaxis.title.text == "antal"
    assert figure.layout.title.text == "Anmälda brott på Hässelby torg"


def test_time_series_gap_and_marker_at_the_series_break(figure: go.Figure) -> None:
    main = trace(figure, "Hässelby torg")
    xs, ys = list(main.x), list(main.y)
    gap = xs.index("2024-12-16")
    assert ys[gap] is None and xs[gap - 1] == "2024-12-01" and xs[gap + 1] == "2025-01-01"
    lines = [s for s in figure.layout.shapes if s.name == series_module.BREAK_WORD]
    assert len(lines) == 1 and lines[0].x0 == lines[0].x1 == "2024-12-16" and lines[0].line.dash == "dash"
    assert [a.text for a in figure.layout.annotations if a.name == series_module.BREAK_WORD] == ["Seriebrott"]
    assert "Seriebrott i januari 2025" in charts.alt_text(figure)


def test_target_path_runs_from_baseline_to_target(figure: go.Figure) -> None:
    target = trace(figure, series_module.TARGET_NAME)
    assert list(target.x) == ["2024-01-01", "2025-12-01"]
    assert list(target.y) == [40.0, 30.0]
    assert target.line.dash == "dash"
    assert list(target.hovertext) == ["Utgångsläge januari 2024: 40", "Mål december 2025: 30"]
    assert figure.layout.xaxis.tickvals[-1] == "2025-10-01"  # ticks run on to the target (data end in sep)


def test_target_in_another_grain_is_refused(monthly: pd.DataFrame) -> None:
    tertial = Target(date(2023, 5, 1), 213.0, date(2026, 5, 1), 149.0, None, Grain.TERTIAL)
    with pytest.raises(ValueError, match="Målet gäller per tertial men serien visas per månad"):
        charts.time_series(monthly, title="T", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE, target=tertial)


def test_activities_are_grouped_per_start_month_with_titles_in_hover(figure: go.Figure) -> None:
    marks = trace(figure, series_module.ACTIVITY_NAME)
    assert list(marks.x) == ["2024-03-01", "2025-05-01"]  # the 2019 one and the undated one are not drawn
    assert list(marks.text) == ["2", ""]
    assert marks.yaxis == "y2" and figure.layout.yaxis2.overlaying == "y"
    assert "Platssamverkan &lt;b&gt;Hässelby torg&lt;/b&gt; (pågår, mars 2024–)" in marks.hovertext[0]
    assert "Kameror (genomförd, mars–dec 2024)" in marks.hovertext[0]
    assert "<b>2 insatser från mars 2024</b>" in marks.hovertext[0]
    assert "Nattvandring" in marks.hovertext[1]
    assert "3 insatser ur handlingsplanen" in charts.alt_text(figure)


def test_many_activities_in_one_month_stay_one_readable_marker(monthly: pd.DataFrame) -> None:
    crowd = pd.DataFrame({"title": [f"Insats {i}" for i in range(40)], "start_date": [date(2024, 6, 1)] * 40})
    fig = charts.time_series(monthly, title="T", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE, activities=crowd)
    marks = trace(fig, series_module.ACTIVITY_NAME)
    assert list(marks.text) == ["40"]
    assert marks.hovertext[0].count("• ") == series_module.MAX_HOVER_TITLES
    assert marks.hovertext[0].endswith("… och 32 till")


def test_confidence_band_for_survey_shares_uses_wilson_intervals() -> None:
    survey = pd.DataFrame({"period_start": [date(2020, 1, 1), date(2023, 1, 1)], "value": [26.2, 19.5],
                           "n": [730.0, 700.0]})
    banded = charts.with_confidence_band(survey, Unit.SHARE)
    assert (banded["low"][0], banded["high"][0]) == stats.share_interval(26.2, 730)
    fig = charts.time_series(banded, title="Otrygga", unit=Unit.SHARE, grain=Grain.YEAR, source=SOURCE)
    high, low = [t for t in fig.data if t.name == series_module.CI_NAME]
    assert low.fill == "tonexty" and list(low.y) == list(banded["low"]) and list(high.y) == list(banded["high"])
    assert fig.layout.yaxis.title.text == "%"
    assert trace(fig, "Utfall").hovertext[0].startswith(f"2020: 26,2{NB}%<br>95{NB}% konfidensintervall: ")


def test_confidence_band_for_counts_is_poisson_and_shares_need_n() -> None:
    counts = pd.DataFrame({"period_start": [date(2025, 1, 1)], "value": [41.0]})
    banded = charts.with_confidence_band(counts, Unit.COUNT)
    assert (banded["low"][0], banded["high"][0]) == stats.poisson_interval(41)
    with pytest.raises(ValueError, match="saknar kolumnen n"):
        charts.with_confidence_band(counts, Unit.SHARE)


def test_control_limits_are_drawn_from_the_segment_after_the_break(monthly: pd.DataFrame) -> None:
    limits = charts.control_limits_for(monthly, Unit.COUNT, Grain.MONTH)
    after_break = [30, 28, 33, 29, 31, 35, 30, 27, 26]
    assert limits == stats.control_limits(after_break, Unit.COUNT)
    fig = charts.time_series(monthly, title="T", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE, limits=limits)
    centre = trace(fig, series_module.CENTRE_NAME)
    assert list(centre.x) == ["2025-01-01", "2025-09-01"] and list(centre.y) == [limits.centre] * 2
    upper, lower = [t for t in fig.data if t.name == series_module.LIMITS_NAME]
    assert list(upper.y) == [limits.upper] * 2 and list(lower.y) == [limits.lower] * 2


def test_last_year_values_come_from_the_same_period_a_year_earlier() -> None:
    frame = pd.DataFrame({"period_start": months("2024-01", 14), "value": [float(v) for v in range(14)]})
    result = charts.with_last_year(frame, Grain.MONTH)
    assert result["last_year"][:12].isna().all() and list(result["last_year"][12:]) == [0.0, 1.0]


def test_missing_column_gets_a_swedish_message(monthly: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="saknar kolumnen value"):
        charts.time_series(monthly.drop(columns="value"), title="T", unit=Unit.COUNT, grain=Grain.MONTH,
                           source=SOURCE)


def test_empty_series_says_so(monthly: pd.DataFrame) -> None:
    fig = charts.time_series(monthly.iloc[0:0], title="T", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE)
    assert "Inga värden" in fig.layout.annotations[0].text and "inga värden" in charts.alt_text(fig)


def test_user_text_is_never_markup(monthly: pd.DataFrame) -> None:
    fig = charts.time_series(monthly, title="<script>x</script> & co", unit=Unit.COUNT, grain=Grain.MONTH,
                             source=charts.Source("<i>Polisen</i>"), name="<b>Torg</b>")
    assert fig.layout.title.text == "&lt;script&gt;x&lt;/script&gt; &amp; co"
    assert fig.data[-1].name == "&lt;b&gt;Torg&lt;/b&gt;"
    assert "<i>" not in fig.layout.annotations[-1].text


# ---- sensitive values ------------------------------------------------------------------------------------


def decoded(value: dict[str, str]) -> list[float]:
    """A Plotly typed array ({'dtype', 'bdata'}) as numbers."""
    return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()


def leaves(node: Any, key: str = "", in_array: bool = False) -> Iterator[tuple[Any, str, bool]]:
    """Every string and number in a figure dict (template left out): value, its key, whether in an array."""
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            yield from ((v, key, True) for v in decoded(node))
            return
        for name, value in node.items():
            if name != "template":
                yield from leaves(value, name)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from leaves(value, key, True)
    else:
        yield node, key, in_array


ALLOWED = re.compile(r"1–4|\d{4}-\d{2}-\d{2}")  # the placeholder itself, and dates
NUMBER = re.compile(r"(?<![\w,.])\d+(?:,\d+)?(?![\w])")


def revealed(fig: go.Figure, hidden: set[float], *, positions: frozenset[str] = frozenset()) -> list[Any]:
    """Hidden values found in the figure: numbers in the traces' data arrays, or numbers in any text.

    Scalars such as line widths and the layout's arrays (axis ranges) are style, not data, and are not
    searched for numbers; nor are arrays named in `positions` (a sparkline's x: the indices 0, 1, 2 …).
    Every string anywhere (titles, hover, labels, alt text, footer) is searched.
    """
    figure = fig.to_dict()
    found = [
        value
        for value, key, in_array in leaves(figure["data"])
        if in_array and key not in positions and type(value) in (int, float) and value in hidden
    ]
    for value, _, _ in leaves(figure):
        if isinstance(value, str):
            tokens = NUMBER.findall(ALLOWED.sub(" ", value))
            found += [value for token in tokens if float(token.replace(",", ".")) in hidden]
    return found


def test_leak_scanner_finds_a_hidden_value_when_one_is_there(sensitive: pd.DataFrame) -> None:
    shown = charts.time_series(sensitive, title="T", unit=Unit.COUNT, grain=Grain.TERTIAL, source=SOURCE)
    assert revealed(shown, set(HIDDEN))  # not flagged sensitive: 1–4 are plotted and the scanner sees them


def test_sensitive_time_series_never_holds_1_to_4(sensitive: pd.DataFrame) -> None:
    limits = stats.control_limits(list(sensitive["value"]), Unit.COUNT)  # computed from the raw values
    fig = charts.time_series(sensitive, title="Unga i SSPF", unit=Unit.COUNT, grain=Grain.TERTIAL, source=SOURCE,
                             sensitive=True, limits=limits)
    assert revealed(fig, set(HIDDEN)) == []
    main = trace(fig, "Utfall")
    assert points(main.y) == [12.0, 7.0, 0.0, 9.0, 6.0]
    marks = trace(fig, series_module.HIDDEN_NAME)
    assert list(marks.y) == [series_module.HIDDEN_Y] * 4 and list(marks.text) == ["1–4"] * 4
    assert list(marks.x) == [d.isoformat() for d in tertial_starts(9) if d in {
        date(2022, 5, 1), date(2023, 1, 1), date(2023, 9, 1), date(2024, 5, 1)}]
    assert not [t for t in fig.data if t.name in (series_module.LIMITS_NAME, series_module.CENTRE_NAME)]
    assert fmt.SUPPRESSION_NOTE in fig.layout.annotations[-1].text
    assert "Perioder med värden 1–4 visas inte som tal." in charts.alt_text(fig)
    assert charts.control_limits_for(sensitive, Unit.COUNT, Grain.TERTIAL, sensitive=True) is None


def test_sensitive_target_on_a_hidden_baseline_is_not_drawn(sensitive: pd.DataFrame) -> None:
    target = Target(date(2022, 5, 1), 3.0, date(2024, 9, 1), 8.0, None, Grain.TERTIAL)
    fig = charts.time_series(sensitive, title="T", unit=Unit.COUNT, grain=Grain.TERTIAL, source=SOURCE,
                             sensitive=True, target=target)
    assert series_module.TARGET_NAME not in [t.name for t in fig.data]
    assert revealed(fig, set(HIDDEN)) == []


def test_sensitive_small_multiples_ranking_and_sparkline_never_hold_1_to_4(sensitive: pd.DataFrame) -> None:
    pair = pd.concat([sensitive.assign(place="Bromma"), sensitive.assign(place="Farsta")])
    ranking = pd.DataFrame({"place": ["Bromma", "Farsta"], "current": [3.0, 12.0], "previous": [9.0, 2.0],
                            "trend": [Trend.NO_DATA, Trend.NO_DATA]})
    figures = [
        charts.small_multiples(pair, title="T", unit=Unit.COUNT, grain=Grain.TERTIAL, source=SOURCE, sensitive=True),
        charts.ranking_bar(ranking, title="T", current_label="2025", previous_label="2024", source=SOURCE,
                           sensitive=True),
        charts.sparkline(list(sensitive["value"]), unit=Unit.COUNT, sensitive=True),
    ]
    for fig in figures[:2]:
        assert revealed(fig, set(HIDDEN)) == []
    assert revealed(figures[2], set(HIDDEN), positions=frozenset({"x"})) == []
    assert list(figures[2].data[0].y) == [12.0, None, 7.0, None, 0.0, None, 9.0, None, 6.0]
    labels = figures[1].data[2].text
    assert labels[0].startswith("12") and labels[1].startswith("1–4")


# ---- small multiples, ranking, sparkline ----------------------------------------------------------------


def test_small_multiples_share_one_y_scale_and_name_each_panel(monthly: pd.DataFrame) -> None:
    small = monthly.assign(value=monthly["value"] / 2)
    pair = pd.concat([monthly.assign(place="Hässelby torg"), small.assign(place="Maltesholmstorget")])
    fig = charts.small_multiples(pair, title="Anmälda brott", unit=Unit.COUNT, grain=Grain.MONTH, source=SOURCE)
    lines = [t for t in fig.data if t.mode and "lines" in t.mode]
    assert [t.name for t in lines] == ["Hässelby torg", "Maltesholmstorget"]
    assert points(lines[1].y) == list(small["value"])
    ranges = {tuple(fig.layout[k].range) for k in fig.layout if k.startswith("yaxis")}
    assert len(ranges) == 1 and next(iter(ranges))[0] == 0 and next(iter(ranges))[1] > 55
    assert {fig.layout[k].matches for k in fig.layout if k.startswith("yaxis")} == {"y"}
    titles = [a.text for a in fig.layout.annotations if a.name not in ("footer", series_module.BREAK_WORD)]
    assert titles == ["<b>Hässelby torg</b>", "<b>Maltesholmstorget</b>"]
    assert len([s for s in fig.layout.shapes if s.name == series_module.BREAK_WORD]) == 2


def test_ranking_puts_the_largest_first_with_status_colour_and_words() -> None:
    frame = pd.DataFrame({
        "place": ["Råcksta", "Hässelby torg", "Maltesholmstorget"],
        "current": [143.0, 41.0, 373.0],
        "previous": [146.0, 78.0, 275.0],
        "trend": [Trend.UNCHANGED, Trend.IMPROVING, Trend.WORSENING],
    })
    fig = charts.ranking_bar(frame, title="Anmälda brott per plats", current_label="jan–sep 2025",
                             previous_label="jan–sep 2024", source=SOURCE)
    bars, previous, labels = fig.data
    assert list(bars.y) == ["Maltesholmstorget", "Råcksta", "Hässelby torg"]
    assert list(bars.x) == [373.0, 143.0, 41.0] and list(previous.x) == [275.0, 146.0, 78.0]
    assert list(bars.marker.color) == [DISPLAY[t].colour for t in (Trend.WORSENING, Trend.UNCHANGED, Trend.IMPROVING)]
    assert list(labels.text) == [
        f"373   ▼ Försämras (+36{NB}%)",
        f"143   ● Oförändrat ({fmt.MINUS}2{NB}%)",
        f"41   ▲ Förbättras ({fmt.MINUS}47{NB}%)",
    ]
    assert fig.layout.yaxis.autorange == "reversed"
    assert "störst först: Maltesholmstorget 373 (mot 275 jan–sep 2024, försämras, +36" in charts.alt_text(fig)


def test_sparkline_has_no_axes_and_emphasises_the_last_value() -> None:
    fig = charts.sparkline([41.0, None, 35.0, 30.0], colour=theme.BLUE, unit=Unit.COUNT)
    line, last = fig.data
    assert list(line.y) == [41.0, None, 35.0, 30.0]
    assert list(last.x) == [3] and list(last.y) == [30.0] and last.marker.color == theme.BLUE
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert charts.alt_text(fig) == "Trendkurva över 4 perioder: från 41 till 30."


# ---- map ------------------------------------------------------------------------------------------------


@pytest.fixture
def places() -> pd.DataFrame:
    """The places of Hägersten-Älvsjö from the reference data, with a value each."""
    frame = pd.read_csv(config.REFERENCE_DIR / "place.csv")
    frame = frame[frame["district"] == "hagersten-alvsjo"].reset_index(drop=True)
    return frame.assign(value=[float(10 * (i + 1)) for i in range(len(frame))])


def test_map_is_offline_lines_and_points_with_one_outline_per_district(places: pd.DataFrame) -> None:
    districts = charts.load_districts(date(2025, 1, 1))
    fig = charts.place_map(districts, places, title="Platser", source=SOURCE, highlight_district="hagersten-alvsjo",
                           highlight_place="liljeholmen", value_label="anmälda brott")
    assert {t.type for t in fig.data} == {"scatter"} and not {t.type for t in fig.data} & MAP_TRACE_TYPES
    layout = fig.to_dict()["layout"]
    assert not {"geo", "mapbox", "map"} & set(layout)
    outlines = [t for t in fig.data if t.mode == "lines"]
    names = sorted(f["properties"]["name"] for f in districts["features"])
    assert [t.name for t in outlines] == names and len(outlines) == 11
    filled = [t for t in outlines if t.fill == "toself"]
    assert [t.meta["district"] for t in filled] == ["hagersten-alvsjo"]
    ratio = fig.layout.yaxis.scaleratio
    assert fig.layout.yaxis.scaleanchor == "x" and 1.9 < ratio < 2.0  # 1 / cos(59.3°)
    assert math.isclose(ratio, 1 / math.cos(math.radians(59.3)), rel_tol=0.01)
    dots = trace(fig, "Platser")
    assert list(dots.text).count("<b>Liljeholmen</b>") == 1 and len(dots.x) == len(places)
    assert dots.marker.size[-1] > dots.marker.size[0]  # bubble grows with the value
    alt = charts.alt_text(fig)
    assert alt.startswith("Karta över Hägersten-Älvsjö") and "Markerad plats: Liljeholmen" in alt


def test_district_outlines_follow_the_2023_reform() -> None:
    before, after = charts.load_districts(date(2023, 6, 30)), charts.load_districts(date(2023, 7, 1))
    assert len(before["features"]) == 13 and len(after["features"]) == 11
    with pytest.raises(ValueError, match="inga stadsdelsgränser"):
        charts.load_districts(date(2019, 12, 31))


# ---- images ---------------------------------------------------------------------------------------------

OUT = config.ROOT / "test-output" / "charts"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_figures_export_to_png_and_svg_at_1920x1080(built: dict[str, go.Figure], image_browser: Path) -> None:
    import kaleido

    OUT.mkdir(parents=True, exist_ok=True)
    kaleido.start_sync_server(silence_warnings=True)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            for name, fig in built.items():
                width, height = (480, 120) if name == "sparkline" else (1920, 1080)
                png = pio.to_image(fig, format="png", width=width, height=height)
                assert png_size(png) == (width, height)
                (OUT / f"test_{name}.png").write_bytes(png)
                svg = pio.to_image(fig, format="svg", width=width, height=height).decode("utf-8")
                assert svg.startswith("<svg") and f'width="{width}"' in svg
                (OUT / f"test_{name}.svg").write_text(svg, encoding="utf-8")
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


# --- protect: the series side of the one suppression path ---------------------------------------------------------


def test_protect_hides_values_their_band_and_last_year_and_keeps_earlier_flags() -> None:
    from followup.charts.frames import protect

    raw = pd.DataFrame({
        "period_start": [date(2025, m, 1) for m in (1, 2, 3, 4)],
        "value": [3.0, 12.0, 0.0, 15.0],
        "low": [1.0, 8.0, 0.0, 10.0], "high": [6.0, 17.0, 2.0, 21.0], "n": [None, None, None, None],
        "last_year": [9.0, 2.0, 4.5, None],
        "hidden": ["", "", "", fmt.HIDDEN_DERIVED],  # the fourth is a sum over a hidden part
    })
    safe = protect(raw, sensitive=True)
    assert safe["value"].isna().tolist() == [True, False, False, True]
    assert safe["hidden"].tolist() == [fmt.SUPPRESSED, "", "", fmt.HIDDEN_DERIVED]
    assert safe["low"].isna().tolist() == [True, False, False, True]
    assert safe["last_year"].isna().tolist() == [False, True, True, True]
    assert safe["last_year_hidden"].tolist() == ["", fmt.SUPPRESSED, fmt.SUPPRESSED, ""]
    assert protect(safe, sensitive=True).equals(safe)  # safe to apply twice
    assert protect(raw.drop(columns="hidden"), sensitive=False)["value"].notna().all()


def test_protect_and_series_rows_hide_a_withheld_city_value_like_a_value_made_from_a_hidden_one() -> None:
    from followup.charts.frames import WITHHELD, protect, series_rows

    raw = pd.DataFrame({
        "period_start": [date(2025, 1, 1), date(2025, 5, 1), date(2025, 9, 1)],
        "value": [23.0, 17.0, 3.0],
        WITHHELD: [True, False, False],  # 23 minus the shown districts would be one district's 1–4
    })
    safe = protect(raw, sensitive=True)
    assert safe["value"].isna().tolist() == [True, False, True]
    assert safe["hidden"].tolist() == [fmt.HIDDEN_DERIVED, "", fmt.SUPPRESSED]
    assert protect(safe, sensitive=True).equals(safe)
    rows = series_rows(raw, Grain.TERTIAL, sensitive=True, what="serien")
    assert [(r.value, r.hidden, r.hidden_text) for r in rows] == [
        (None, True, fmt.HIDDEN_DERIVED), (17.0, False, fmt.SUPPRESSED), (None, True, fmt.SUPPRESSED)]


def test_a_value_made_from_a_hidden_one_is_named_so_in_hover_and_alt() -> None:
    frame = pd.DataFrame({"period_start": [date(2022, 1, 1), date(2023, 1, 1), date(2024, 1, 1)],
                          "value": [None, 14.0, 16.0], "hidden": [fmt.HIDDEN_DERIVED, "", ""]})
    fig = charts.time_series(frame, title="Unga per år", unit=Unit.COUNT, grain=Grain.YEAR,
                             source=charts.Source("Polisen"), sensitive=True)
    marks = trace(fig, series_module.HIDDEN_NAME)
    assert list(marks.hovertext) == [f"2022: {fmt.HIDDEN_DERIVED}"]
    assert "Inte heller värden som bygger på dem." in charts.alt_text(fig)
    assert list(trace(fig, "Utfall").y) == [None, 14.0, 16.0]
