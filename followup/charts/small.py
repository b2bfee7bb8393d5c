"""Small charts: the sparkline of a goal tile and small multiples (one panel per place, one shared scale)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from followup import fmt
from followup.charts import theme
from followup.charts.frames import Row, line_points, require, series_rows, with_gaps
from followup.charts.frames import value_text as text_of
from followup.charts.series import HIDDEN_NAME, HIDDEN_Y, mark_breaks
from followup.model import Grain, Unit
from followup.periods import range_label

SPARK_HEIGHT = 90
SPARK_WIDTH = 260
PANEL_HEIGHT = 380
HIDDEN_SYMBOL = "◇"
"""Named in the footer, since the panels have no legend: the hollow diamond of a hidden value."""
_WHAT = "de små diagrammen"


def sparkline(
    values: Sequence[float | None],
    *,
    unit: Unit | None = None,
    sensitive: bool = False,
    colour: str = theme.INK,
    height: int = SPARK_HEIGHT,
    width: int | None = SPARK_WIDTH,
) -> go.Figure:
    """A tiny line with no axes for a goal tile; the latest value emphasised (in `colour`, e.g. status).

    Hidden (1–4) and missing values are gaps. A tile shows its own data date, so the sparkline has no
    source line; its alt text says what it shows.
    """
    shown = [theme.hide(v, sensitive) for v in values]
    xs = list(range(len(shown)))
    traces: list[dict[str, object]] = [
        {"type": "scatter", "x": xs, "y": shown, "mode": "lines", "connectgaps": False, "hoverinfo": "skip",
         "line": {"color": theme.INK, "width": 3}, "name": "Trend"},
    ]
    last = len(shown) - 1
    if shown and shown[last] is not None:
        traces.append({"type": "scatter", "x": [last], "y": [shown[last]], "mode": "markers", "hoverinfo": "skip",
                       "name": "Senaste",
                       "marker": {"size": 14, "color": colour, "line": {"color": "white", "width": 2}}})
    layout: dict[str, object] = {
        "margin": {"l": 8, "r": 12, "t": 10, "b": 8},
        "showlegend": False,
        "hovermode": False,
        # room after the latest point for its marker, however many points there are
        "xaxis": {"visible": False, "range": [-0.5, max(last, 0) + max(0.7, 0.03 * len(shown))]},
        "yaxis": {"visible": False, "range": theme.value_range(shown, from_zero=False)},
        "dragmode": False,
    }
    spec = theme.Spec(height, traces).update_layout(**layout)
    if width is not None:
        spec.update_layout(width=width)
    theme.set_alt(spec, _spark_alt(shown, values, unit, sensitive))
    return spec.figure()


def _spark_value(shown: float | None, raw: float | None, unit: Unit | None, sensitive: bool) -> str:
    """One sparkline value as text: '1–4' when hidden, else in the unit's format (or a plain number)."""
    if shown is None and fmt.must_hide(raw, sensitive):
        return fmt.SUPPRESSED
    return fmt.value_text(shown, Unit(unit)) if unit else fmt.number(shown)


def _spark_alt(shown: Sequence[float | None], values: Sequence[float | None], unit: Unit | None,
               sensitive: bool) -> str:
    """'Trendkurva över 12 perioder: från 41 till 35.' with hidden values as '1–4'."""
    if not values:
        return "Trendkurva utan värden."
    first = _spark_value(shown[0], values[0], unit, sensitive)
    last = _spark_value(shown[-1], values[-1], unit, sensitive)
    return f"Trendkurva över {len(values)} perioder: från {first} till {last}."


def small_multiples(
    frame: pd.DataFrame,
    *,
    title: str,
    unit: Unit,
    grain: Grain,
    source: theme.Source,
    sensitive: bool = False,
    places: Sequence[str] | None = None,
    columns: int | None = None,
) -> go.Figure:
    """One panel per place (frame: place, period_start, value), all with the same y and x scale."""
    unit, grain = Unit(unit), Grain(grain)
    require(frame, ("place", "period_start", "value"), _WHAT)
    order = list(places) if places is not None else list(dict.fromkeys(frame["place"]))
    rows_by_place = {
        place: series_rows(frame[frame["place"] == place], grain, sensitive=sensitive, what=_WHAT) for place in order
    }
    columns = columns or min(len(order), 3) or 1
    grid_rows = max(1, -(-len(order) // columns))
    fig = make_subplots(
        rows=grid_rows, cols=columns, shared_xaxes="all", shared_yaxes="all",
        subplot_titles=[f"<b>{theme.plain(place)}</b>" for place in order],
        horizontal_spacing=0.06, vertical_spacing=0.16 if grid_rows > 1 else 0.1,
    )
    theme.apply(fig, PANEL_HEIGHT * grid_rows + 200)
    fig.update_annotations(font={"size": theme.BASE_FONT + 4, "color": theme.INK})
    every_y: list[float | None] = []
    all_rows = [row for rows in rows_by_place.values() for row in rows]
    any_hidden = any(row.hidden for row in all_rows)
    for index, place in enumerate(order):
        rows = rows_by_place[place]
        cell = {"row": index // columns + 1, "col": index % columns + 1}
        fig.add_trace(_panel_trace(place, rows, unit), **cell)
        mark_breaks(fig, rows, index + 1)
        hidden = [row for row in rows if row.hidden]
        if hidden:
            fig.add_trace(_hidden_trace(place, hidden), **cell)
            every_y.append(HIDDEN_Y)
        every_y += [row.value for row in rows]
    y_range = theme.value_range(every_y, from_zero=unit is not Unit.INDEX)
    fig.update_yaxes(range=y_range, matches="y", tickfont={"size": theme.TICK_FONT})
    fig.update_yaxes(title={"text": theme.UNIT_TITLES[unit]}, col=1)
    ticktext: list[str] = []
    if all_rows:
        starts = sorted(row.period.start for row in all_rows)
        tickvals, ticktext = theme.time_ticks(starts[0], starts[-1], grain)
        fig.update_xaxes(type="date", tickvals=tickvals, ticktext=ticktext, matches="x", showticklabels=True)
    fig.update_layout(title={"text": theme.plain(title)}, showlegend=False)
    latest = max((row.period for row in all_rows), default=None)
    notes = [f"{HIDDEN_SYMBOL} = {HIDDEN_NAME}. {fmt.SUPPRESSION_NOTE}"] if any_hidden else []
    theme.add_footer(fig, source, through=latest, notes=notes, clearance=theme.tick_clearance(ticktext))
    theme.set_alt(fig, _multiples_alt(title, order, rows_by_place, unit))
    return fig


def _hidden_trace(place: str, hidden: Sequence[Row]) -> go.Scatter:
    """Hollow grey markers at the neutral height for one place's hidden values."""
    return go.Scatter(
        x=[row.x for row in hidden], y=[HIDDEN_Y] * len(hidden), mode="markers", name=HIDDEN_NAME,
        marker={"symbol": "diamond-open", "size": 14, "color": theme.NEUTRAL, "line": {"width": 3}},
        hoverinfo="text", hovertext=[f"{theme.plain(place)}<br>{r.period.label}: {HIDDEN_NAME}" for r in hidden],
        showlegend=False,
    )


def _panel_trace(place: str, rows: Sequence[Row], unit: Unit) -> go.Scatter:
    """One place's line: ink, markers when short, a gap at a series break, hover with place and value."""
    xs, ys = line_points(rows, lambda row: row.value)
    hover = [f"<b>{theme.plain(place)}</b><br>{r.period.label}: {text_of(r.value, unit, hidden=r.hidden)}" for r in rows]
    return go.Scatter(
        x=xs, y=ys, name=theme.plain(place),
        mode="lines+markers" if len(rows) <= 40 else "lines", connectgaps=False, showlegend=False,
        line={"color": theme.INK, "width": theme.LINE_WIDTH - 1}, marker={"color": theme.INK, "size": 8},
        hoverinfo="text", hovertext=with_gaps(rows, hover),
    )


def _multiples_alt(title: str, order: Sequence[str], rows_by_place: dict[str, list[Row]], unit: Unit) -> str:
    """Swedish description: what is compared, the shared scale, each place's latest value."""
    parts = [f"Små diagram med samma skala, ett per plats: {title}."]
    for place in order:
        rows = rows_by_place[place]
        if not rows:
            parts.append(f"{place}: inga värden.")
            continue
        last = rows[-1]
        span = range_label(rows[0].period, last.period)
        parts.append(f"{place} ({span}): senast {text_of(last.value, unit, hidden=last.hidden)} ({last.period.label}).")
    return " ".join(parts)
