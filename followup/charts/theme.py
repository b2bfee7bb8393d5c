"""The product's one Plotly template and what every figure shares: colours, source line, alt text, time ticks.

Every style lives here, in the figure, never in CSS: pages call st.plotly_chart(fig, theme=None) and the
PNG/SVG/PPTX exports use the same figure, so a slide looks like the screen. Sizes are for a 1920×1080
screen read from three metres: 22 px text and tick labels, 32 px titles, 18 px source lines, 4 px lines.

Colours are Okabe–Ito (safe for colour-blind readers), the same as followup.status.DISPLAY. Colour is
kept for meaning: the measured series is near-black ink, the target path bluish green, last year grey,
bands light sky blue, action-plan activities reddish purple; status colours appear only next to a word.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from followup import fmt
from followup.model import Grain, Unit
from followup.periods import MONTH_SHORT, Period

TEMPLATE_NAME = "followup"
SEPARATORS = "," + fmt.GROUP_SEPARATOR
"""Decimal comma, no-break space between thousands (plotly.js reads the 2 characters as decimal, group)."""
FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"
"""Arial on office screens; Liberation Sans (same metrics) where Chromium renders the exports on Debian."""

BASE_FONT = 22
TITLE_FONT = 32
TICK_FONT = 22
NOTE_FONT = 18
LINE_WIDTH = 4
MARKER_SIZE = 10

# Okabe–Ito
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

INK = "#1A1A1A"
"""Text and the measured series."""
MUTED = "#595959"
"""Secondary text (7:1 contrast on white)."""
NEUTRAL = "#7A7A7A"
"""Last year's line, hidden-value markers, district outlines (status.DISPLAY's grey)."""
GRID = "#E3E3E3"
AXIS_LINE = "#8C8C8C"
BAND_FILL = "rgba(86, 180, 233, 0.25)"
"""Sky blue, light: confidence bands and control limits."""
COLORWAY = [BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, BLACK]
"""Several series of one kind (places side by side); yellow is left out: too pale on white."""

UNIT_TITLES: dict[Unit, str] = {
    Unit.COUNT: "antal",
    Unit.SHARE: "%",
    Unit.PER_1000: f"per 1{fmt.GROUP_SEPARATOR}000 inv.",
    Unit.SEK: "kr",
    Unit.INDEX: "index",
}
"""Y-axis title per unit."""

_MARGIN = {"l": 90, "r": 40, "t": 130, "b": 120}
TICK_LINE = 28
"""Height in pixels of one line of tick labels (TICK_FONT plus leading)."""
NOTE_LINE = 23
"""Height in pixels of one line of the source/notes footer."""


def _axis(**extra: object) -> dict[str, object]:
    """Shared axis style: large ticks, Swedish grouping of 4-digit numbers, no SI suffixes."""
    return {
        "tickfont": {"size": TICK_FONT, "color": INK},
        "title": {"font": {"size": BASE_FONT, "color": INK}, "standoff": 14},
        "gridcolor": GRID,
        "gridwidth": 1,
        "zeroline": False,
        "linecolor": AXIS_LINE,
        "linewidth": 2,
        "ticks": "outside",
        "tickcolor": AXIS_LINE,
        "ticklen": 6,
        "separatethousands": True,
        "exponentformat": "none",
        "automargin": True,
        **extra,
    }


def build_template() -> go.layout.Template:
    """The product template: large calm type, Okabe–Ito colours, Swedish separators, white, light grid."""
    return go.layout.Template(
        layout={
            "font": {"family": FONT_FAMILY, "size": BASE_FONT, "color": INK},
            "title": {
                "font": {"size": TITLE_FONT, "color": INK},
                "x": 0,
                "xref": "container",
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 22, "l": 24},
            },
            "separators": SEPARATORS,
            "colorway": COLORWAY,
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "margin": _MARGIN,
            "xaxis": _axis(showgrid=False, showline=True),
            "yaxis": _axis(showgrid=True, showline=False),
            "legend": {
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
                "font": {"size": BASE_FONT, "color": INK},
                "bgcolor": "rgba(255, 255, 255, 0)",
                "itemwidth": 40,
                "traceorder": "normal",  # filled bands would otherwise reverse the order
            },
            "hoverlabel": {"font": {"size": BASE_FONT, "family": FONT_FAMILY}, "bgcolor": "white"},
            "hovermode": "closest",
            "annotationdefaults": {"font": {"size": BASE_FONT, "color": INK}, "showarrow": False},
            "shapedefaults": {"line": {"color": INK, "width": 3}},
        },
        data={
            "scatter": [go.Scatter(line={"width": LINE_WIDTH}, marker={"size": MARKER_SIZE})],
            "bar": [go.Bar(marker={"line": {"width": 0}})],
        },
    )


def register_template() -> str:
    """Register (or refresh) the template as pio.templates['followup']; its name."""
    pio.templates[TEMPLATE_NAME] = build_template()
    return TEMPLATE_NAME


register_template()


PLOTLY_CONFIG: dict[str, object] = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "width": 1920, "height": 1080, "scale": 1},
}
"""For st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG): the browser's own PNG is slide-sized too."""


def base_layout(height: int) -> dict[str, Any]:
    """The layout every figure starts from: the product template, Swedish separators, a default height."""
    # the template object, not its name: a figure made without validation (Spec) would keep the bare name
    return {"template": pio.templates[TEMPLATE_NAME], "separators": SEPARATORS, "height": height}


def apply(fig: go.Figure, height: int, width: int | None = None) -> go.Figure:
    """Give a figure the product template, Swedish separators and a default size (exports pass their own)."""
    fig.update_layout(**base_layout(height))
    if width is not None:
        fig.update_layout(width=width)
    return fig


def _merge(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Merge CHANGES into TARGET as Plotly's update_layout does: nested dicts merged, other values replaced."""
    for name, value in changes.items():
        if isinstance(value, Mapping):
            if not isinstance(target.get(name), dict):
                target[name] = {}
            _merge(target[name], value)
        else:
            target[name] = value


def trace(kind: str, **properties: Any) -> dict[str, Any]:
    """A trace of type KIND as plain data (properties given as None are left out, as go.Scatter leaves them)."""
    return {"type": kind, **{name: value for name, value in properties.items() if value is not None}}


class Spec:
    """A figure being built as plain data (traces and layout), made into a go.Figure once by figure().

    It has the figure methods the chart builders use (update_layout, add_annotation, add_shape), so
    add_footer, set_alt and mark_breaks take either. Plotly's own methods walk its object tree and cost
    about 12 ms per time-series chart; the figure made from the finished data is identical
    (tests/test_charts.py compares them)."""

    def __init__(self, height: int, traces: Sequence[Mapping[str, Any]] = ()) -> None:
        self.data: list[Mapping[str, Any]] = list(traces)
        self.layout: dict[str, Any] = base_layout(height)

    def update_layout(self, **changes: Any) -> Spec:
        """Set layout properties; nested dicts are merged into what is there."""
        _merge(self.layout, changes)
        return self

    def add_trace(self, properties: Mapping[str, Any]) -> Spec:
        """Append a trace (see trace())."""
        self.data.append(properties)
        return self

    def add_annotation(self, **properties: Any) -> Spec:
        """Append a layout annotation."""
        self.layout.setdefault("annotations", []).append(properties)
        return self

    def add_shape(self, **properties: Any) -> Spec:
        """Append a layout shape."""
        self.layout.setdefault("shapes", []).append(properties)
        return self

    def figure(self) -> go.Figure:
        """The finished figure, made without Plotly's per-property validation.

        The product's charts set only documented properties (tests/test_charts.py renders them), and
        validating cost most of a page's time."""
        return go.Figure({"data": self.data, "layout": self.layout}, _validate=False)


def new_figure(height: int, traces: Sequence[Mapping[str, Any]] = ()) -> go.Figure:
    """A figure of TRACES (property dicts) with the product template, Swedish separators and a default height."""
    return Spec(height, traces).figure()


def plain(text: object) -> str:
    """User text made safe for Plotly's HTML-like labels: '<', '>' and '&' shown, never interpreted; no control
    characters (an SVG holding one is not valid XML and does not open)."""
    return html.escape(fmt.printable(str(text)), quote=False)


def through_label(through: Period | date) -> str:
    """'sep 2025' for a month, the period's label for other grains ('T2 2025'), '30 sep 2025' for a day."""
    if isinstance(through, Period):
        if through.grain is Grain.MONTH:
            return f"{MONTH_SHORT[through.start.month - 1]} {through.year}"
        return through.label
    return f"{through.day} {MONTH_SHORT[through.month - 1]} {through.year}"


@dataclass(frozen=True)
class Source:
    """Where a chart's numbers come from: the source, the last period with data, demo data or not."""

    name: str
    through: Period | date | None = None
    demo: bool = False

    def line(self, through: Period | date | None = None) -> str:
        """'Källa: Polisen · data t.o.m. sep 2025' (`through` is used when the source names none)."""
        parts = [f"Källa: {self.name}"]
        last = self.through or through
        if last is not None:
            parts.append(f"data t.o.m. {through_label(last)}")
        if self.demo:
            parts.append("Exempeldata – påhittade siffror")
        return " · ".join(parts)


def add_footer(
    fig: go.Figure | Spec,
    source: Source,
    *,
    through: Period | date | None = None,
    notes: Iterable[str] = (),
    clearance: int = 14 + TICK_LINE,
) -> None:
    """The source and data-date line (then notes) at the bottom left, `clearance` px below the plot area.

    Plotly places annotations relative to the plot area only, so the builder says how much room its
    x-axis labels take (ticks, two-line month/year labels, an axis title); the bottom margin follows.
    """
    lines = [plain(source.line(through)), *(plain(note) for note in notes)]
    fig.add_annotation(
        text="<br>".join(lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-clearance,
        align="left",
        showarrow=False,
        font={"size": NOTE_FONT, "color": MUTED},
        name="footer",
    )
    fig.update_layout(margin={"b": clearance + NOTE_LINE * len(lines) + 18})


def tick_clearance(ticktext: Sequence[str], *, axis_title: bool = False) -> int:
    """Room in pixels under the plot area taken by x tick labels (one or two lines) and an axis title."""
    lines = 2 if any("<br>" in text for text in ticktext) else 1
    return 16 + TICK_LINE * lines + (TICK_LINE + 8 if axis_title else 0)


def set_alt(fig: go.Figure | Spec, text: str) -> None:
    """Store the figure's Swedish text alternative in layout.meta['alt'] (it travels with the figure)."""
    current = fig.layout.get("meta") if isinstance(fig, Spec) else fig.layout.meta
    meta = dict(current) if isinstance(current, dict) else {}
    fig.update_layout(meta={**meta, "alt": text})


def alt_text(fig: go.Figure) -> str:
    """The figure's Swedish text alternative ('' when it has none)."""
    meta = fig.layout.meta
    return str(meta.get("alt", "")) if isinstance(meta, dict) else ""


def iso(day: date) -> str:
    """A date as Plotly reads it on a date axis."""
    return day.isoformat()


def _month_index(day: date) -> int:
    """Months since year 0: for month arithmetic."""
    return day.year * 12 + day.month - 1


_TICK_MONTHS = {Grain.QUARTER: (1, 4, 7, 10), Grain.TERTIAL: (1, 5, 9)}


def time_ticks(first: date, last: date, grain: Grain | None = None) -> tuple[list[str], list[str]]:
    """Swedish tick positions and labels for a date axis: months, tertials/quarters or years by span."""
    start, end = _month_index(first), _month_index(last)
    span = end - start
    grain = Grain(grain) if grain else None
    if span > 96:
        step, months = 24, (1,)
    elif span > 40 or grain is Grain.YEAR:
        step, months = 12, (1,)
    elif grain in _TICK_MONTHS:
        step, months = 4, _TICK_MONTHS[grain]
    elif span > 15:
        step, months = 3, (1, 4, 7, 10)
    else:
        step, months = 1, tuple(range(1, 13))
    values: list[str] = []
    labels: list[str] = []
    for index in range(start if first.day == 1 else start + 1, end + 1):
        year, month = divmod(index, 12)
        month += 1
        if month not in months or (step == 24 and year % 2):
            continue
        if step >= 12:
            label = str(year)
        else:
            name = _period_name(month, grain if step == 4 else None)
            label = f"{name}<br>{year}" if month == 1 or not labels else name
        values.append(iso(date(year, month, 1)))
        labels.append(label)
    return values, labels


def _period_name(month: int, grain: Grain | None) -> str:
    """A tick's name: 'T2' for a tertial, 'kv. 2' for a quarter, else the short month name."""
    if grain is Grain.TERTIAL:
        return f"T{(month - 1) // 4 + 1}"
    if grain is Grain.QUARTER:
        return f"kv. {(month - 1) // 3 + 1}"
    return MONTH_SHORT[month - 1]


def hide(value: float | None, sensitive: bool) -> float | None:
    """The value as a chart may hold it: None when missing (NaN) or a hidden sensitive count 1–4 (fmt.safe)."""
    return fmt.safe(value, sensitive)


def value_range(values: Sequence[float | None], *, from_zero: bool) -> list[float]:
    """An axis range with 8 % headroom over the given values (from 0 when asked or all positive)."""
    shown = [v for v in values if v is not None]
    if not shown:
        return [0.0, 1.0]
    low, high = min(shown), max(shown)
    if from_zero:
        low = min(0.0, low)
    pad = (high - low) * 0.08 or abs(high) * 0.08 or 1.0
    return [low if from_zero and low == 0 else low - pad, high + pad]
