"""Pure Plotly figure builders: one product template, the same figure on screen and in every export.

Pages call st.plotly_chart(fig, theme=None); exports write the same figure with kaleido. Every figure
carries a Swedish text alternative (alt_text(fig), stored in layout.meta['alt']) and a source line
with the data date at the bottom. Values 1–4 of sensitive indicators never enter a figure.

Builders:
- time_series(series, ...): period_start, value [, low, high, last_year, series_break]
- sparkline(values, ...)
- small_multiples(frame, ...): place, period_start, value
- ranking_bar(frame, ...): place, current, previous, trend [, change_text]
- place_map(districts, places, ...): GeoJSON from load_districts(); places: code, name, lat, lon [, value]
"""

from followup.charts.geo import load_districts, place_map
from followup.charts.ranking import ranking_bar
from followup.charts.series import (
    control_limits_for,
    time_series,
    with_confidence_band,
    with_last_year,
)
from followup.charts.small import small_multiples, sparkline
from followup.charts.theme import (
    PLOTLY_CONFIG,
    SEPARATORS,
    TEMPLATE_NAME,
    Source,
    alt_text,
    build_template,
    register_template,
)

__all__ = [
    "PLOTLY_CONFIG",
    "SEPARATORS",
    "TEMPLATE_NAME",
    "Source",
    "alt_text",
    "build_template",
    "control_limits_for",
    "load_districts",
    "place_map",
    "ranking_bar",
    "register_template",
    "small_multiples",
    "sparkline",
    "time_series",
    "with_confidence_band",
    "with_last_year",
]
