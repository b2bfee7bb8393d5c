"""An offline map: district outlines and places drawn as plain lines and points in lon/lat.

No tile server and no Plotly geo/mapbox/map traces (they fetch base maps or topojson from a CDN).
Outlines are go.Scatter lines from the GeoJSON in data/geo/; the y axis is scaled by 1/cos(latitude)
so that a kilometre is as long north–south as east–west (about 1.96 at Stockholm's 59.3°).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from followup import config, fmt
from followup.charts import theme
from followup.charts.frames import number, require
from followup.model import Unit

_FILE = re.compile(r"^districts_(\d{4}-\d{2}-\d{2})\.geojson$")
HIGHLIGHT_FILL = "rgba(0, 114, 178, 0.10)"
PLACE_SIZE = 18
MIN_BUBBLE, MAX_BUBBLE = 16, 64
"""Bubble diameters in pixels; the area grows with the value."""
_WHAT = "kartan"


def load_districts(on: date | None = None, folder: Path | None = None) -> dict[str, Any]:
    """The district outlines in force on `on` (default today): the latest districts_<date>.geojson ≤ on."""
    folder = folder or config.GEO_DIR
    day = on or date.today()
    files = sorted(
        (date.fromisoformat(match[1]), path)
        for path in folder.glob("districts_*.geojson")
        if (match := _FILE.match(path.name))
    )
    valid = [path for since, path in files if since <= day]
    if not valid:
        raise ValueError(
            f"Det finns inga stadsdelsgränser för {day.isoformat()} i {folder}. "
            "Lägg en fil districts_ÅÅÅÅ-MM-DD.geojson där (se scripts/build_geo.py)."
        )
    return json.loads(valid[-1].read_text(encoding="utf-8"))


def _rings(geometry: Mapping[str, Any]) -> Iterator[Sequence[Sequence[float]]]:
    """Every ring (outer and holes) of a Polygon or MultiPolygon."""
    match geometry.get("type"):
        case "Polygon":
            yield from geometry["coordinates"]
        case "MultiPolygon":
            for polygon in geometry["coordinates"]:
                yield from polygon
        case other:
            raise ValueError(f"Stadsdelsgränsen har geometrin {other}; bara Polygon och MultiPolygon går att rita.")


def _outline(geometry: Mapping[str, Any]) -> tuple[list[float | None], list[float | None]]:
    """Lon and lat of all rings, separated by None so one trace draws them all."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for ring in _rings(geometry):
        if lons:
            lons.append(None)
            lats.append(None)
        lons += [point[0] for point in ring]
        lats += [point[1] for point in ring]
    return lons, lats


def _label_point(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """Area centroid of the largest outer ring (where the district's name goes)."""
    best: tuple[float, float, float] = (0.0, 0.0, 0.0)
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if area and abs(area) > abs(best[2]):
            best = (cx / (3 * area), cy / (3 * area), area)
    return best[0], best[1]


def _bounds(coords: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Min lon, min lat, max lon, max lat."""
    lons, lats = [c[0] for c in coords], [c[1] for c in coords]
    return min(lons), min(lats), max(lons), max(lats)


def place_map(
    districts: Mapping[str, Any],
    places: pd.DataFrame,
    *,
    title: str,
    source: theme.Source,
    highlight_district: str | None = None,
    highlight_place: str | None = None,
    value_label: str | None = None,
    unit: Unit = Unit.COUNT,
    sensitive: bool = False,
    zoom_to_highlight: bool = True,
    height: int = 760,
) -> go.Figure:
    """District outlines (the chosen one filled) and places (frame: code, name, lat, lon, optional value); a
    sensitive value 1–4 gets no bubble size and reads '1–4'."""
    require(places, ("code", "name", "lat", "lon"), _WHAT)
    features = sorted(districts.get("features", []), key=lambda f: f["properties"]["name"])
    if not features:
        raise ValueError("Kartan har inga stadsdelsgränser att rita. Läs in dem med load_districts().")
    fig = theme.Spec(height)
    chosen = None
    for feature in features:
        props = feature["properties"]
        selected = props["code"] == highlight_district
        chosen = feature if selected else chosen
        lons, lats = _outline(feature["geometry"])
        fig.add_trace(theme.trace(
            "scatter", x=lons, y=lats, mode="lines", name=theme.plain(props["name"]), showlegend=False,
            line={"color": theme.INK if selected else theme.NEUTRAL, "width": 4 if selected else 2},
            fill="toself" if selected else None, fillcolor=HIGHLIGHT_FILL if selected else None,
            hoverinfo="text", hovertext=theme.plain(props["name"]), hoveron="fills+points" if selected else "points",
            meta={"district": props["code"]},
        ))
    view = chosen["geometry"] if chosen is not None and zoom_to_highlight else None
    points = [
        (float(x), float(y))
        for feature in ([chosen] if view else features)
        for ring in _rings(feature["geometry"])
        for x, y in ring
    ]
    min_lon, min_lat, max_lon, max_lat = _bounds(points)
    pad_lon, pad_lat = (max_lon - min_lon) * 0.12, (max_lat - min_lat) * 0.12
    x_range = [min_lon - pad_lon, max_lon + pad_lon]
    y_range = [min_lat - pad_lat, max_lat + pad_lat]
    _add_district_labels(fig, features, places, x_range, y_range, highlight_district)
    placed = _add_places(fig, places, highlight_place, value_label, unit, sensitive)
    mid_lat = (y_range[0] + y_range[1]) / 2
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": False}
    fig.update_layout(
        title={"text": theme.plain(title)},
        xaxis={**hidden_axis, "range": x_range},
        yaxis={**hidden_axis, "range": y_range, "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(mid_lat))},
        showlegend=False, margin={"l": 30, "r": 30},
    )
    notes = [f"Cirkelns yta visar {value_label}."] if value_label and "value" in places.columns else []
    if any(p["value_text"] == fmt.SUPPRESSED for p in placed):
        notes.append(fmt.SUPPRESSION_NOTE)
    notes.append("Gränser: stadsdelsområden (förenklade). Ingen bakgrundskarta.")
    theme.add_footer(fig, source, notes=notes, clearance=12)
    name = chosen["properties"]["name"] if chosen is not None else "Stockholm"
    theme.set_alt(fig, _alt(name, placed, highlight_place, value_label, unit))
    return fig.figure()


def _add_district_labels(fig: theme.Spec, features: Sequence[Mapping[str, Any]], places: pd.DataFrame,
                         x_range: Sequence[float], y_range: Sequence[float], highlight: str | None) -> None:
    """Names of the other districts at their centroids, where in view and clear of the places' labels.

    The highlighted district is named in the title, so its name is not repeated on the map.
    """
    width, height = x_range[1] - x_range[0], y_range[1] - y_range[0]
    spots = list(zip(places["lon"].astype(float), places["lat"].astype(float), strict=True))
    for feature in features:
        if feature["properties"]["code"] == highlight:
            continue
        x, y = _label_point(feature["geometry"])
        inside = x_range[0] + 0.08 * width <= x <= x_range[1] - 0.08 * width and (
            y_range[0] + 0.06 * height <= y <= y_range[1] - 0.06 * height
        )
        crowded = any(abs(lon - x) < 0.22 * width and abs(lat - y) < 0.08 * height for lon, lat in spots)
        if inside and not crowded:
            fig.add_annotation(x=x, y=y, text=theme.plain(feature["properties"]["name"]), name="district-label",
                               font={"size": theme.BASE_FONT, "color": theme.MUTED})


def _add_places(fig: theme.Spec, places: pd.DataFrame, highlight: str | None, value_label: str | None,
                unit: Unit, sensitive: bool = False) -> list[dict]:
    """Places as points (bubbles by value when given, none for a hidden value) with their names beside them."""
    records = places.to_dict("records")
    raw = [number(r.get("value")) for r in records]
    values = [fmt.safe(v, sensitive) for v in raw]
    texts = [fmt.value_text(v, unit, sensitive=sensitive) for v in raw]
    largest = max((v for v in values if v is not None), default=0.0)
    sizes, hover = [], []
    for record, value in zip(records, values, strict=True):
        if value is None or largest <= 0:
            size = PLACE_SIZE
        else:
            size = MIN_BUBBLE + (MAX_BUBBLE - MIN_BUBBLE) * math.sqrt(max(value, 0) / largest)
        selected = highlight in (record["code"], record["name"])
        sizes.append(size * (1.25 if selected and value is None else 1))
        text = f"<b>{theme.plain(record['name'])}</b>"
        if value_label and "value" in record:
            text += f"<br>{theme.plain(value_label)}: {texts[len(hover)]}"
        hover.append(text)
    selected_flags = [highlight in (r["code"], r["name"]) for r in records]
    fig.add_trace(theme.trace(
        "scatter", x=[float(r["lon"]) for r in records], y=[float(r["lat"]) for r in records],
        mode="markers+text", name="Platser", cliponaxis=False,
        text=[f"<b>{theme.plain(r['name'])}</b>" if s else theme.plain(r["name"]) for r, s in zip(records, selected_flags)],
        textposition=_text_positions(records), textfont={"size": theme.BASE_FONT, "color": theme.INK},
        marker={"size": sizes, "sizemode": "diameter", "opacity": 0.9,
                "color": [theme.ORANGE if s else theme.MUTED for s in selected_flags],
                "line": {"color": [theme.INK if s else "white" for s in selected_flags], "width": 2}},
        hoverinfo="text", hovertext=hover,
    ))
    return [{**r, "value": v, "value_text": t} for r, v, t in zip(records, values, texts, strict=True)]


def _text_positions(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Label side per place: right, unless a nearer neighbour sits to the right (then left)."""
    positions = []
    for record in records:
        lon, lat = float(record["lon"]), float(record["lat"])
        crowded_right = any(
            0 < float(other["lon"]) - lon < 0.03 and abs(float(other["lat"]) - lat) < 0.006 for other in records
        )
        positions.append("middle left" if crowded_right else "middle right")
    return positions


def _alt(district: str, places: Sequence[Mapping[str, Any]], highlight: str | None, value_label: str | None,
         unit: Unit) -> str:
    """Swedish description of the map: the district, the places (with values) and the highlighted one."""
    if value_label:
        items = [f"{p['name']} {p['value_text']}" for p in places]
        listing = f"{value_label}: " + ", ".join(items)
    else:
        listing = ", ".join(p["name"] for p in places)
    text = f"Karta över {district} med stadsdelsområdenas gränser och {len(places)} platser. {listing}."
    marked = [p["name"] for p in places if highlight in (p["code"], p["name"])]
    return text + (f" Markerad plats: {marked[0]}." if marked else "")
