"""Trender: pickers bound to the URL, the series per scope, a line chart of several series, the numbers table.

The pure parts (labels, `compute`, `trend_figure`, `table`) take frames and return figures or frames, so
tests can call them without Streamlit; `pickers` and `show` draw. The multi-series line chart lives here
until the charts package has a builder for several series (it uses the product template and its footer).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from followup import charts, fmt, trends
from followup.charts import theme
from followup.model import Aggregation, Frequency, Grain, Level, Unit
from followup.periods import MONTH_NAMES, Period, period_of, range_label
from followup.trends import TrendPoint
from webapp import scope, state
from webapp.components import plain, selected_district, verbatim

DISTRICTS_KEY = "omraden"
"""URL parameter of the whole districts shown (?omraden=Bromma&omraden=Farsta)."""
PER_1000_KEY = "invanare"
ROLLING_KEY = "glidande"
LAST_YEAR_KEY = "fjol"
DEFAULT_INDICATOR = "anmalda-brott-omrade"
MAX_SCOPES = 8
"""Per picker: more lines than this cannot be told apart."""
GRAIN_WORDS = {Grain.WEEK: "vecka", Grain.MONTH: "månad", Grain.TERTIAL: "tertial", Grain.YEAR: "år"}
ROLLING_OPTIONS = {"0": "Inget", "3": "3 perioder", "12": "12 perioder"}
TOGGLE_NAMES = {PER_1000_KEY: "per 1 000 invånare", LAST_YEAR_KEY: "förra årets linje"}
INCOMPLETE_NAME = "Ofullständig period"
LAST_YEAR_NAME = "Prickad: samma period förra året"
HIDDEN_DERIVED = "visas inte: bygger på ett värde 1–4"
MAX_MARKERS = 36
MAX_END_LABELS = 4
LEGEND_WIDTH = 1000
"""Width in pixels the legend is assumed to have when its rows are counted (a narrow screen's chart)."""
LEGEND_ROW = 34
RING = {"symbol": "circle-open", "size": 16, "line": {"width": 3}}
END_LABEL_GAP = 28
"""Pixels between the centres of two end labels."""
TITLE_ROOM = 112


@dataclass(frozen=True)
class Indicator:
    """The catalogue facts the page needs about the chosen indicator."""

    code: str
    name: str
    unit: Unit
    source: str
    frequency: Frequency
    sensitive: bool
    aggregation: Aggregation
    level: Level
    from_events: bool

    @property
    def can_rate(self) -> bool:
        """Whether values per 1 000 inhabitants make sense: summed counts."""
        return self.unit is Unit.COUNT and self.aggregation is Aggregation.SUM


@dataclass(frozen=True)
class Scope:
    """A whole district (or the city) or a place, as the pickers name it."""

    kind: str  # 'district' or 'place'
    code: str
    label: str
    district: str
    district_valid_from: date | None = None

    @property
    def key(self) -> trends.ScopeKey:
        """(kind, code), the key of trends.values_by_scope."""
        return (self.kind, self.code)


@dataclass(frozen=True)
class Choice:
    """Everything the pickers decided."""

    indicator: Indicator
    scopes: list[Scope]
    first: Period  # first month picked
    last: Period  # last month picked
    grain: Grain
    per_1000: bool = False
    rolling: int = 0
    last_year: bool = False

    @property
    def shown(self) -> tuple[Period, Period]:
        """The first and last period of the chosen grain shown: whole periods around the months picked."""
        return period_of(self.first.start, self.grain), period_of(self.last.start, self.grain)

    @property
    def fetch_from(self) -> date:
        """The first day to read: a rolling window and last year's line need earlier periods."""
        start = self.shown[0]
        if self.rolling > 1:
            start = start.shift(1 - self.rolling)
        if self.last_year:
            start = start.shift_years(-1)
        return start.start


@dataclass(frozen=True)
class SeriesResult:
    """One scope's line: the values per period, what the line shows, last year's values and notes."""

    scope: Scope
    values: list[TrendPoint]  # per period (rates when per 1 000), within the shown periods
    line: list[TrendPoint]  # the values, or their rolling average
    last_year: list[float | None] = field(default_factory=list)  # aligned with line
    population_years: list[int] = field(default_factory=list)


# --- labels ----------------------------------------------------------------------------------------------


def indicator_label(row: Mapping[str, object]) -> str:
    """'2.2 Anmälda brott i stadsdelsområdet' (the goal's number first), '… (lokalt mål)', or the name."""
    name = str(row["name"])
    area, goal = row.get("priority_area_number"), row.get("goal_number")
    if area is None or goal is None or pd.isna(area) or pd.isna(goal):
        return name
    local = " (lokalt mål)" if row.get("goal_scope") == "local" else ""
    return f"{int(area)}.{int(goal)} {name}{local}"


def indicator_options(catalogue: pd.DataFrame) -> dict[str, str]:
    """Indicator code -> label, in goal order."""
    return {str(row["code"]): indicator_label(row) for row in catalogue.to_dict("records")}


def indicator_of(row: Mapping[str, object]) -> Indicator:
    """The Indicator of a catalogue row."""
    category = row.get("event_category")
    return Indicator(
        code=str(row["code"]),
        name=str(row["name"]),
        unit=Unit(row["unit"]),
        source=str(row["source"]),
        frequency=Frequency(row["frequency"]),
        sensitive=bool(row["sensitive"]),
        aggregation=Aggregation(row["aggregation"]),
        level=Level(row["level"]),
        from_events=isinstance(category, str) and bool(category),
    )


def scopes_of(frame: pd.DataFrame) -> tuple[dict[str, Scope], dict[str, Scope]]:
    """The districts (and the city) and the places of a trend_scopes result, by code."""
    districts: dict[str, Scope] = {}
    places: dict[str, Scope] = {}
    for row in frame.to_dict("records"):
        valid_from = row.get("district_valid_from")
        since = None if valid_from is None or pd.isna(valid_from) else pd.Timestamp(valid_from).date()
        if row["scope_kind"] == "district":
            districts[row["code"]] = Scope("district", row["code"], str(row["name"]), row["code"], since)
        else:
            label = f"{row['name']} ({row['district_name']})"
            places[row["code"]] = Scope("place", row["code"], label, str(row["district"]), since)
    return districts, places


def rate_label(years: Sequence[int]) -> str:
    """'per 1 000 invånare (befolkning 2024)', naming every population year used."""
    if not years:
        return f"per 1{fmt.GROUP_SEPARATOR}000 invånare"
    shown = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return f"per 1{fmt.GROUP_SEPARATOR}000 invånare (befolkning {shown})"


def value_formatter(unit: Unit, grain: Grain, *, per_1000: bool) -> Callable[[float | None], str]:
    """How a value reads: the unit's format, or a rate with 2 decimals for weeks and months (1 otherwise)."""
    if per_1000:
        decimals = 2 if grain in (Grain.WEEK, Grain.MONTH) else 1
        return lambda value: fmt.number(value, decimals)
    return lambda value: fmt.value_text(value, unit)


# --- the series ------------------------------------------------------------------------------------------


def _within(points: Sequence[TrendPoint], first: Period, last: Period) -> list[TrendPoint]:
    """The points from period first to last."""
    return [p for p in points if first <= p.period <= last]


def _last_year(points: Sequence[TrendPoint], grain: Grain) -> dict[Period, float | None]:
    """Each period's shown, complete value of the same period a year earlier (charts.with_last_year)."""
    if not points:
        return {}
    frame = pd.DataFrame(
        {
            "period_start": [p.period.start for p in points],
            "value": [trends.shown_value(p) if p.complete else None for p in points],
        }
    )
    frame = charts.with_last_year(frame, grain)
    return {p.period: (None if pd.isna(v) else float(v)) for p, v in zip(points, frame["last_year"], strict=True)}


def compute(
    choice: Choice, series: pd.DataFrame, population: pd.DataFrame
) -> tuple[list[SeriesResult], list[str]]:
    """Every chosen scope's series (trend_series rows, population rows) and Swedish notes on what is left out."""
    indicator, grain = choice.indicator, choice.grain
    by_scope = trends.values_by_scope(series)
    first, last = choice.shown
    window = (choice.fetch_from, last.last_day)
    results: list[SeriesResult] = []
    notes: list[str] = []
    no_population: list[str] = []
    for chosen in choice.scopes:
        if choice.per_1000 and chosen.kind == "place":
            continue
        points = trends.regrain(by_scope.get(chosen.key, []), grain, indicator.aggregation,
                                sensitive=indicator.sensitive, window=window)
        sizes: dict[int, float] = {}
        if choice.per_1000:
            rows = population.loc[population["district"] == chosen.code]
            sizes = {int(y): float(v) for y, v in zip(rows["year"], rows["value"], strict=True)}
            if not sizes:
                no_population.append(chosen.label)
                continue
            points, _ = trends.per_1000(points, sizes)
        line = points
        if choice.rolling > 1:
            line = trends.rolling(points, choice.rolling, indicator.aggregation,
                                  sensitive=indicator.sensitive and not choice.per_1000)
        before = _last_year(line, grain) if choice.last_year else {}
        shown_line = _within(line, first, last)
        years = sorted({y for p in shown_line if p.value is not None
                        if (y := trends.population_year(sizes, p.period.year)) is not None})
        results.append(
            SeriesResult(
                scope=chosen,
                values=_within(points, first, last),
                line=shown_line,
                last_year=[before.get(p.period) for p in shown_line] if choice.last_year else [],
                population_years=years,
            )
        )
    if choice.per_1000 and any(s.kind == "place" for s in choice.scopes):
        notes.append("Platser har ingen befolkning och visas inte per 1 000 invånare.")
    if no_population:
        notes.append(f"Befolkning saknas för {', '.join(no_population)}, som inte visas per 1 000 invånare.")
    return results, notes


def subtitle(choice: Choice, population_years: Sequence[int]) -> str:
    """'Per månad · per 1 000 invånare (befolkning 2024) · glidande medelvärde 12 perioder'."""
    parts = [f"Per {GRAIN_WORDS[choice.grain]}"]
    if choice.per_1000:
        parts.append(rate_label(population_years))
    if choice.rolling > 1:
        parts.append(f"glidande medelvärde {choice.rolling} perioder")
    return " · ".join(parts)


def population_note(results: Sequence[SeriesResult], population: pd.DataFrame) -> str | None:
    """Say when periods before the first population year are computed with a later year's population."""
    earliest = {
        code: int(rows["year"].min()) for code, rows in population.groupby("district") if not rows.empty
    }
    early = [
        r for r in results
        if r.scope.code in earliest and any(p.value is not None and p.period.year < earliest[r.scope.code]
                                            for p in r.values)
    ]
    if not early:
        return None
    year = min(earliest[r.scope.code] for r in early)
    return f"Befolkning finns från {year}; tidigare perioder räknas med befolkningen {year}."


# --- the chart -------------------------------------------------------------------------------------------


def _colour(index: int) -> tuple[str, str]:
    """Colour and dash of the index-th series: the product colours, then the same colours dashed."""
    colours = theme.COLORWAY
    return colours[index % len(colours)], "solid" if index < len(colours) else "dash"


def _xy(points: Sequence[TrendPoint], pick: Callable[[TrendPoint], object]) -> tuple[list[str], list, list[int | None]]:
    """x and y of a line with a gap before each series break, and each x's point index (None at a gap)."""
    xs: list[str] = []
    ys: list[object] = []
    index_of: list[int | None] = []
    for index, point in enumerate(points):
        if point.series_break and index > 0:
            xs.append(point.period.start.isoformat())
            ys.append(None)
            index_of.append(None)
        xs.append(point.period.start.isoformat())
        ys.append(pick(point))
        index_of.append(index)
    return xs, ys, index_of


def _legend_only(name: str, group: str, **style: object) -> go.Scatter:
    """A legend entry in neutral grey for a kind of trace (each scope's own traces share its group)."""
    return go.Scatter(x=[None], y=[None], name=name, legendgroup=group, hoverinfo="skip", legendrank=900, **style)


def _hover(name: str, point: TrendPoint, text: Callable[[float | None], str]) -> str:
    """'<b>Bromma</b><br>mars 2025: 1 234 (ofullständig: …)'."""
    shown = trends.shown_value(point)
    value = text(shown) if shown is not None or not point.hidden else fmt.SUPPRESSED
    extra = f"<br>{theme.plain(point.note)}" if point.note else ""
    return f"<b>{theme.plain(name)}</b><br>{point.period.label}: {value}{extra}"


def trend_figure(
    results: Sequence[SeriesResult],
    *,
    title: str,
    subtitle: str,
    unit: Unit,
    y_title: str,
    source: charts.Source,
    text: Callable[[float | None], str],
    notes: Sequence[str] = (),
    rolling: bool = False,
    height: int = 640,
) -> go.Figure:
    """Several scopes' lines over time: incomplete periods as open rings, last year dotted, breaks marked.

    Hidden values (sensitive 1–4, and values made from them) are not in the figure: the lines have a gap
    and the footer says why. (A marker at a neutral height, as the single-series chart has, would stack
    up for several scopes at the same period and not say whose value is hidden.)
    """
    fig = theme.new_figure(height)
    heading = {"text": theme.plain(title), "subtitle": {"text": theme.plain(subtitle),
                                                         "font": {"size": theme.BASE_FONT, "color": theme.MUTED}}}
    every = [p for r in results for p in r.line]
    if not any(trends.shown_value(p) is not None for p in every):
        fig.update_layout(title=heading, margin={"t": TITLE_ROOM + 40})
        fig.add_annotation(text="Inga värden att visa för det här urvalet", xref="paper", yref="paper", x=0.5, y=0.5)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        theme.add_footer(fig, source, notes=notes)
        theme.set_alt(fig, f"{title}: inga värden att visa.")
        return fig
    legend: set[str] = set()
    markers = max(len(r.line) for r in results) <= MAX_MARKERS
    for index, result in enumerate(results):
        fig.add_traces(_traces(index, result, text, rolling=rolling, markers=markers, legend=legend))
    for period in sorted({p.period for r in results for i, p in enumerate(r.line) if p.series_break and i > 0}):
        fig.add_vline(x=period.start.isoformat(), line={"color": theme.INK, "width": 2, "dash": "dash"})
        fig.add_annotation(x=period.start.isoformat(), y=1, yref="paper", yanchor="top", xanchor="left",
                           xshift=6, text="Seriebrott", bgcolor="rgba(255, 255, 255, 0.85)")
    starts = sorted(p.period.start for p in every)
    tickvals, ticktext = theme.time_ticks(starts[0], starts[-1])
    rows = legend_rows([trace.name for trace in fig.data if trace.showlegend is not False])
    top = TITLE_ROOM + LEGEND_ROW * rows + 16
    height += LEGEND_ROW * (rows - 1)
    y_values = [y for trace in fig.data for y in (trace.y or ()) if isinstance(y, (int, float))]
    y_range = theme.value_range(y_values, from_zero=unit is not Unit.INDEX)
    labels = len(results) <= MAX_END_LABELS
    fig.update_layout(
        title=heading,
        xaxis={"type": "date", "tickvals": tickvals, "ticktext": ticktext},
        yaxis={"title": {"text": theme.plain(y_title)}, "range": y_range},
        margin={"r": 150 if labels else 40, "t": top},
        height=height,
    )
    latest = max((p.period for p in every if p.complete and trends.shown_value(p) is not None), default=None)
    all_notes = list(notes)
    if any(p.hidden for p in every):
        all_notes.append(fmt.SUPPRESSION_NOTE + " Luckor i linjerna är dolda värden.")
    if any(not p.complete and trends.shown_value(p) is not None for p in every):
        all_notes.append("Ring: ofullständig period (alla dagar eller månader finns inte med än).")
    clearance = theme.tick_clearance(ticktext)
    theme.add_footer(fig, source, through=latest, notes=all_notes, clearance=clearance)
    if labels:
        plot_height = height - top - fig.layout.margin.b
        _end_labels(fig, results, text, y_range, plot_height)
    theme.set_alt(fig, _alt(title, results, text))
    return fig


def _traces(
    index: int, result: SeriesResult, text: Callable[[float | None], str], *, rolling: bool, markers: bool,
    legend: set[str],
) -> list[go.Scatter]:
    """One scope's traces: thin per-period values (under a rolling average), last year, the line, rings."""
    colour, dash = _colour(index)
    name, line = result.scope.label, result.line
    traces: list[go.Scatter] = []
    if rolling:
        xs, ys, _ = _xy(result.values, trends.shown_value)
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", name=f"{theme.plain(name)}, per period", showlegend=False,
            line={"color": colour, "width": 1.5, "dash": dash}, opacity=0.35, connectgaps=False, hoverinfo="skip",
        ))
    if result.last_year and any(v is not None for v in result.last_year):
        if "last_year" not in legend:
            traces.append(_legend_only(LAST_YEAR_NAME, "last_year", mode="lines",
                                       line={"color": theme.NEUTRAL, "width": 2.5, "dash": "dot"}))
            legend.add("last_year")
        hover = [f"<b>{theme.plain(name)}</b><br>{p.period.shift_years(-1).label}: {text(v)}"
                 for p, v in zip(line, result.last_year, strict=True)]
        traces.append(go.Scatter(
            x=[p.period.start.isoformat() for p in line], y=result.last_year, mode="lines",
            name=f"{theme.plain(name)}, förra året", legendgroup="last_year", showlegend=False,
            line={"color": colour, "width": 2.5, "dash": "dot"}, connectgaps=False, hoverinfo="text", hovertext=hover,
        ))
    xs, ys, index_of = _xy(line, lambda p: trends.shown_value(p) if p.complete else None)
    hover = [_hover(name, p, text) for p in line]
    traces.append(go.Scatter(
        x=xs, y=ys, name=theme.plain(name), connectgaps=False,
        mode="lines+markers" if markers else "lines",
        line={"color": colour, "width": theme.LINE_WIDTH, "dash": dash}, marker={"color": colour},
        hoverinfo="text", hovertext=[hover[i] if i is not None else "" for i in index_of], legendrank=100 + index,
    ))
    rings = [p for p in line if not p.complete and trends.shown_value(p) is not None]
    if rings:
        if "incomplete" not in legend:
            traces.append(_legend_only(INCOMPLETE_NAME, "incomplete", mode="markers",
                                       marker=RING | {"color": theme.NEUTRAL}))
            legend.add("incomplete")
        traces.append(go.Scatter(
            x=[p.period.start.isoformat() for p in rings], y=[trends.shown_value(p) for p in rings], mode="markers",
            name=f"{theme.plain(name)}, ofullständig", legendgroup="incomplete", showlegend=False,
            marker=RING | {"color": colour}, hoverinfo="text", hovertext=[_hover(name, p, text) for p in rings],
        ))
    return traces


def _end_labels(
    fig: go.Figure,
    results: Sequence[SeriesResult],
    text: Callable[[float | None], str],
    y_range: Sequence[float],
    plot_height: float,
) -> None:
    """Each line's latest complete value at its end, in its colour, nudged apart so no two overlap."""
    ends = []
    for index, result in enumerate(results):
        shown = [p for p in result.line if p.complete and trends.shown_value(p) is not None]
        if shown:
            ends.append((trends.shown_value(shown[-1]), shown[-1], _colour(index)[0]))
    span = (y_range[1] - y_range[0]) or 1.0
    placed: list[float] = []  # label centres in pixels from the bottom of the plot
    for value, point, colour in sorted(ends, key=lambda end: end[0]):
        pixel = (value - y_range[0]) / span * plot_height
        target = max(pixel, placed[-1] + END_LABEL_GAP) if placed else pixel
        placed.append(target)
        fig.add_annotation(
            x=point.period.start.isoformat(), y=value, xanchor="left", yanchor="middle", xshift=12,
            yshift=target - pixel, text=text(value), showarrow=False, name="end_label",
            font={"size": theme.BASE_FONT, "color": colour},
        )


def legend_rows(names: Sequence[str], width: int = LEGEND_WIDTH) -> int:
    """Rows of a horizontal legend: one when every entry fits, else equal columns as wide as the longest."""
    widths = [40 + 40 + round(len(name) * theme.BASE_FONT * 0.48) for name in names]  # symbol, gap, text
    if sum(widths) <= width:
        return 1
    per_row = max(1, width // max(widths))
    return -(-len(names) // per_row)


def _alt(title: str, results: Sequence[SeriesResult], text: Callable[[float | None], str]) -> str:
    """One Swedish paragraph describing the chart: span and each scope's latest shown value."""
    periods = sorted(p.period for r in results for p in r.line)
    parts = [f"Linjediagram: {title}, {range_label(periods[0], periods[-1])}."]
    for result in results:
        shown = [p for p in result.line if p.complete and trends.shown_value(p) is not None]
        if shown:
            parts.append(f"{result.scope.label}: senast {text(trends.shown_value(shown[-1]))} "
                         f"({shown[-1].period.label}).")
        else:
            parts.append(f"{result.scope.label}: inga värden att visa.")
    return " ".join(parts)


# --- the table -------------------------------------------------------------------------------------------


def _cell(point: TrendPoint | None, text: Callable[[float | None], str], *, counts: bool) -> tuple[str, str]:
    """A value as the table shows it, and the note it needs: '1–4' for a hidden count, '–' for the rest."""
    if point is None or point.value is None:
        return fmt.MISSING, ""
    if point.hidden:
        if counts and fmt.must_hide(point.value, True):
            return fmt.SUPPRESSED, ""
        return fmt.MISSING, HIDDEN_DERIVED
    return text(point.value), ""


def table(results: Sequence[SeriesResult], text: Callable[[float | None], str], *, value_title: str,
          rolling: bool, last_year: bool, counts: bool) -> pd.DataFrame:
    """The numbers behind the chart, one row per scope and period, every cell Swedish text."""
    rows: list[dict[str, str]] = []
    for result in results:
        for value, line, before in zip(result.values, result.line,
                                       result.last_year or [None] * len(result.line), strict=True):
            shown, note = _cell(value, text, counts=counts)
            row = {"Område/plats": result.scope.label, "Period": value.period.label, value_title: shown}
            notes = [note, value.note, "preliminärt" if value.preliminary else ""]
            if rolling:
                row["Glidande medelvärde"], rolled_note = _cell(line, text, counts=counts)
                notes.append(f"medelvärdet {rolled_note}" if rolled_note else "")
            if last_year:
                row["Samma period förra året"] = text(before) if before is not None else fmt.MISSING
            if value.series_break:
                notes.append("seriebrott")
            row["Anmärkning"] = "; ".join(dict.fromkeys(n for n in notes if n))
            rows.append(row)
    columns = ["Område/plats", "Period", value_title]
    columns += ["Glidande medelvärde"] * rolling + ["Samma period förra året"] * last_year + ["Anmärkning"]
    return pd.DataFrame(rows, columns=columns)


# --- Streamlit -------------------------------------------------------------------------------------------


def toggle(label: str, key: str, *, help: str | None = None) -> bool:
    """A toggle bound to ?key=true; a value other than true/false gets a notice and reads as off."""
    raw = st.query_params.get_all(key)
    on = st.toggle(label, key=key, bind="query-params", help=help)
    if raw and raw[-1].strip().lower() not in ("true", "false"):
        st.info(
            f"Adressen anger {plain(TOGGLE_NAMES.get(key, key))} {verbatim(raw[-1])}, som inte går att läsa. "
            "Skriv true eller false. Visar utan.",
            icon=":material/link_off:",
        )
    return bool(on)


def pickers(catalogue: pd.DataFrame, scopes: pd.DataFrame, first_day: date, last_day: date) -> Choice:
    """The indicator, scopes, period, grain and options, each bound to the URL."""
    options = indicator_options(catalogue)
    code = scope.select("Nyckeltal", options, key=scope.INDICATOR_KEY, default=DEFAULT_INDICATOR, sidebar=False,
                        help="Numret är målets: 2.2 är mål 2 i prioriterat område 2.")
    indicator = indicator_of(catalogue.loc[catalogue["code"] == code].iloc[0].to_dict())
    districts, places = scopes_of(scopes)
    home = selected_district()
    left, right = st.columns(2)
    with left:
        chosen_districts = scope.multiselect(
            "Stadsdelsområden", {c: s.label for c, s in districts.items()}, key=DISTRICTS_KEY,
            default=[home] if home in districts else list(districts)[:1], max_selections=MAX_SCOPES,
        )
    with right:
        chosen_places = scope.multiselect(
            "Platser", {c: s.label for c, s in places.items()}, key=scope.PLACES_KEY, max_selections=MAX_SCOPES,
        )
    first, last = scope.period_range(first_day, last_day)
    allowed = trends.allowed_grains(indicator.frequency, from_events=indicator.from_events)
    default = trends.default_grain(indicator.frequency, from_events=indicator.from_events)
    columns = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    with columns[0]:
        grain = scope.grain(allowed, default=default)
    with columns[1]:
        rolling = scope.select("Glidande medelvärde", ROLLING_OPTIONS, key=ROLLING_KEY, default="0", sidebar=False,
                               help="Medelvärdet av perioden och perioderna närmast före.")
    with columns[2]:
        per_1000 = False
        if indicator.can_rate:
            per_1000 = toggle("Per 1 000 invånare", PER_1000_KEY,
                              help="Bara för stadsdelsområden och staden: platser har ingen befolkning.")
        elif st.query_params.get(PER_1000_KEY, "").lower() == "true":
            st.caption("Per 1 000 invånare finns bara för antal.")
    with columns[3]:
        last_year = toggle("Förra årets linje", LAST_YEAR_KEY, help="Samma period ett år tidigare, prickad.")
    chosen = [districts[c] for c in chosen_districts] + [places[c] for c in chosen_places]
    return Choice(indicator, chosen, first, last, grain, per_1000, int(rolling or 0), last_year)


def _scope_notices(choice: Choice, results: Sequence[SeriesResult]) -> None:
    """Say which scopes have no values in the period, and which districts began later (the 2023 reform)."""
    empty = [r.scope for r in results if not any(p.value is not None for p in r.values)]
    if empty:
        advice = ""
        if choice.indicator.from_events:
            advice = " Inga EST-rapporter är inlästa därifrån för perioden."
        elif choice.indicator.level is Level.PLACE and any(s.kind == "district" for s in empty):
            advice = " Nyckeltalet mäts per plats: välj platser."
        names = ", ".join(s.label for s in empty)
        st.info(f"Inga värden för {plain(names)} under vald period.{advice}", icon=":material/info:")
    first = choice.shown[0].start
    for chosen in choice.scopes:
        since = chosen.district_valid_from
        if chosen.kind == "district" and since is not None and since > first:
            st.caption(f"{plain(chosen.label)} finns från {since.day} {MONTH_NAMES[since.month - 1]} {since.year}; "
                       "värden före dess hör till de tidigare stadsdelsområdena.")


def show(choice: Choice) -> None:
    """Read the series, draw the chart and the numbers behind it."""
    indicator = choice.indicator
    if not choice.scopes:
        st.info("Välj minst ett stadsdelsområde eller en plats.", icon=":material/touch_app:")
        return
    districts = [s.code for s in choice.scopes if s.kind == "district"]
    places = [s.code for s in choice.scopes if s.kind == "place"]
    first, last = choice.shown
    series = state.query("trend_series", indicator=indicator.code, districts=districts, places=places,
                         **{"from": choice.fetch_from, "to": last.last_day}, grain=choice.grain.value)
    population = state.query("population", districts=districts)
    results, notes = compute(choice, series, population)
    for note in notes:
        st.info(plain(note), icon=":material/groups:")
    if not results:
        return
    _scope_notices(choice, results)
    years = sorted({y for r in results for y in r.population_years})
    y_title = theme.UNIT_TITLES[Unit.PER_1000] if choice.per_1000 else theme.UNIT_TITLES[indicator.unit]
    text = value_formatter(indicator.unit, choice.grain, per_1000=choice.per_1000)
    figure_notes = [note for note in [population_note(results, population) if choice.per_1000 else None] if note]
    if indicator.from_events:
        figure_notes.append("Räknat ur EST-rapporterna; en period utan rapporter räknas som 0 när området rapporterar.")
    figure = trend_figure(
        results, title=indicator.name, subtitle=subtitle(choice, years), unit=indicator.unit, y_title=y_title,
        source=charts.Source(indicator.source, demo=state.is_demo()), text=text, notes=figure_notes,
        rolling=choice.rolling > 1,
    )
    st.plotly_chart(figure, theme=None, width="stretch", config=charts.PLOTLY_CONFIG, alt=charts.alt_text(figure) or None)
    span = range_label(first, last)
    if (first.start, last.last_day) != (choice.first.start, choice.last.last_day):
        st.caption(f"Hela perioder visas: {span}.")
    with st.expander("Siffrorna bakom diagrammet", icon=":material/table:"):
        value_title = "Per 1 000 invånare" if choice.per_1000 else "Värde"
        frame = table(results, text, value_title=value_title, rolling=choice.rolling > 1,
                      last_year=choice.last_year, counts=indicator.unit is Unit.COUNT and not choice.per_1000)
        st.dataframe(frame, hide_index=True, width="stretch")
        if indicator.sensitive:
            st.caption(fmt.SUPPRESSION_NOTE)
