"""Places ranked by incidents or crimes in a period, with the change against last year and its status.

Each bar carries its status colour and, beside it, the value, the status icon and word and the change,
so colour is never the only carrier. A thin black tick on each bar marks last year's value.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from followup import fmt
from followup.charts import theme
from followup.charts.frames import number, require
from followup.model import Unit
from followup.status import DISPLAY, Trend

ROW_HEIGHT = 64
PREVIOUS_NAME = "Samma period förra året"
_WHAT = "rangordningen av platser"


def _change_text(current: float | None, previous: float | None, given: object) -> str:
    """The change as given by the caller, else the relative change ('−47 %'), else '–'."""
    if isinstance(given, str) and given.strip():
        return given
    if current is None or previous is None or previous == 0:
        return fmt.MISSING
    return fmt.change((current - previous) / previous)


def ranking_bar(
    frame: pd.DataFrame,
    *,
    title: str,
    current_label: str,
    previous_label: str,
    source: theme.Source,
    unit: Unit = Unit.COUNT,
    sensitive: bool = False,
) -> go.Figure:
    """Horizontal bars, largest at the top (frame: place, current, previous, trend, optional change_text)."""
    unit = Unit(unit)
    require(frame, ("place", "current", "previous", "trend"), _WHAT)
    records = []
    for record in frame.to_dict("records"):
        current, previous = number(record["current"]), number(record["previous"])
        hidden_now, hidden_before = fmt.must_hide(current, sensitive), fmt.must_hide(previous, sensitive)
        given = record["trend"]
        trend = Trend(given) if isinstance(given, str) and given else Trend.NO_DATA
        change = fmt.MISSING if hidden_now or hidden_before else _change_text(current, previous, record.get("change_text"))
        records.append({
            "place": str(record["place"]),
            "current": None if hidden_now else current,
            "previous": None if hidden_before else previous,
            "current_text": fmt.value_text(current, unit, sensitive=sensitive),
            "previous_text": fmt.value_text(previous, unit, sensitive=sensitive),
            "display": DISPLAY[trend],
            "change": change,
        })
    records.sort(key=lambda r: (-(r["current"] if r["current"] is not None else -1), r["place"]))
    names = [theme.plain(r["place"]) for r in records]
    labels = [
        f"{r['current_text']}   {r['display'].icon} {r['display'].word}"
        + (f" ({r['change']})" if r["change"] != fmt.MISSING else "")
        for r in records
    ]
    hover = [
        f"<b>{theme.plain(r['place'])}</b><br>{theme.plain(current_label)}: {r['current_text']}"
        f"<br>{theme.plain(previous_label)}: {r['previous_text']}"
        f"<br>Förändring: {r['change']}<br>{r['display'].icon} {r['display'].word}"
        for r in records
    ]
    largest = max([v for r in records for v in (r["current"], r["previous"]) if v is not None], default=1.0)
    fig = theme.Spec(ROW_HEIGHT * len(records) + 280)
    fig.add_trace(theme.trace(
        "bar", y=names, x=[r["current"] for r in records], orientation="h", name=theme.plain(current_label),
        marker={"color": [r["display"].colour for r in records]}, showlegend=False,
        hoverinfo="text", hovertext=hover, width=0.62,
    ))
    fig.add_trace(theme.trace(
        "scatter", y=names, x=[r["previous"] for r in records], mode="markers", name=f"{PREVIOUS_NAME} ({theme.plain(previous_label)})",
        marker={"symbol": "line-ns", "size": 44, "line": {"width": 5, "color": theme.INK}, "color": theme.INK},
        hoverinfo="text", hovertext=hover,
    ))
    ends = [max(v for v in (r["current"], r["previous"], 0.0) if v is not None) for r in records]
    fig.add_trace(theme.trace(
        "scatter", y=names, x=[end + largest * 0.015 for end in ends], mode="text", name="Etiketter", showlegend=False,
        text=labels, textposition="middle right", cliponaxis=False,
        textfont={"size": theme.BASE_FONT, "color": theme.INK}, hoverinfo="text", hovertext=hover,
    ))
    fig.update_layout(
        title={"text": theme.plain(title)},
        xaxis={"range": [0, largest * 1.6], "showgrid": True, "showline": False,
               "title": {"text": f"{theme.UNIT_TITLES[unit]}, {theme.plain(current_label)}"}},
        yaxis={"categoryorder": "array", "categoryarray": names, "autorange": "reversed", "showgrid": False,
               "ticks": "", "ticklabelstandoff": 12, "tickfont": {"size": theme.BASE_FONT + 2}},
        bargap=0.3,
    )
    notes = [fmt.SUPPRESSION_NOTE] if any(fmt.SUPPRESSED in (r["current_text"], r["previous_text"]) for r in records) else []
    theme.add_footer(fig, source, notes=notes, clearance=theme.tick_clearance([], axis_title=True))
    theme.set_alt(fig, _alt(title, current_label, previous_label, records))
    return fig.figure()


def _alt(title: str, current_label: str, previous_label: str, records: list[dict]) -> str:
    """Swedish description: the ranking with each place's value, status and change."""
    items = [
        f"{r['place']} {r['current_text']} (mot {r['previous_text']} {previous_label}, "
        f"{r['display'].word.lower()}{'' if r['change'] == fmt.MISSING else ', ' + r['change']})"
        for r in records
    ]
    return f"Liggande stapeldiagram: {title}. Platser efter {current_label}, störst först: " + "; ".join(items) + "."
