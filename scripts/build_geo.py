"""Build the offline district outlines in data/geo/ from the shared 13-area GeoJSON.

Writes two FeatureCollections, one per set of district areas, keyed by the date the set came into force:

- data/geo/districts_2020-01-01.geojson: the 13 areas of 2020-01-01 to 2023-06-30, copied;
- data/geo/districts_2023-07-01.geojson: the 11 areas from 2023-07-01, the same outlines with
  Rinkeby-Kista + Spånga-Tensta dissolved into Järva and Norrmalm + Östermalm into Norra innerstaden.

Every feature carries `code` (data/reference/district.csv), `name`, `city_part`, `valid_from` and
`valid_to`. Coordinates are WGS 84 lon/lat rounded to 5 decimals (about 1 m), exterior rings
counter-clockwise (RFC 7946). Needs shapely, which is not a project dependency: run it ad hoc with

    .venv/bin/pip install shapely
    .venv/bin/python scripts/build_geo.py [--source ../shared/data/stockholm_stadsdelsomraden_13_derived.geojson]

and commit only its output.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path
from typing import Any

from shapely import set_precision
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "stockholm_stadsdelsomraden_13_derived.geojson"
DISTRICT_CSV = ROOT / "data" / "reference" / "district.csv"
GEO_DIR = ROOT / "data" / "geo"
REFORM_DATE = "2023-07-01"
BEFORE_FILE = "districts_2020-01-01.geojson"
AFTER_FILE = f"districts_{REFORM_DATE}.geojson"
GRID = 1e-5
"""Coordinate precision in degrees (5 decimals)."""
SLIVER_M2 = 10_000.0
"""Holes smaller than this left between two dissolved approximate outlines are gaps, not enclaves."""
NAME_PROPERTY = "stadsdelsomrade"
SUCCESSOR_PROPERTY = "stadsdelsomrade_fran_2023_07_01"


def read_districts(path: Path = DISTRICT_CSV) -> dict[str, dict[str, str]]:
    """District rows of data/reference/district.csv keyed by their Swedish name."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


def square_metres(ring: Polygon) -> float:
    """Approximate area in m² of a lon/lat polygon near Stockholm (equirectangular)."""
    lat = math.radians(ring.centroid.y)
    return ring.area * 111_320.0 * 110_574.0 * math.cos(lat)


def drop_slivers(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry without holes smaller than SLIVER_M2."""
    polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    kept = [
        Polygon(p.exterior, [r for r in p.interiors if square_metres(Polygon(r)) >= SLIVER_M2]) for p in polygons
    ]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def tidy(geometry: BaseGeometry) -> BaseGeometry:
    """Snap to the 5-decimal grid (keeping it valid) and orient rings as RFC 7946 asks."""
    snapped = set_precision(geometry, GRID)
    if isinstance(snapped, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in snapped.geoms])
    return orient(snapped, sign=1.0)


def rounded(value: Any) -> Any:
    """Coordinates (nested lists/tuples of floats) rounded to 5 decimals, as lists."""
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return round(float(value), 5)


def feature(row: dict[str, str], geometry: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON feature for a district row."""
    geo = mapping(tidy(geometry))
    return {
        "type": "Feature",
        "properties": {
            "code": row["code"],
            "name": row["name"],
            "city_part": row["city_part"] or None,
            "valid_from": row["valid_from"] or None,
            "valid_to": row["valid_to"] or None,
        },
        "geometry": {"type": geo["type"], "coordinates": rounded(geo["coordinates"])},
    }


def collection(name: str, features: list[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection sorted by district code."""
    return {"type": "FeatureCollection", "name": name, "features": sorted(features, key=lambda f: f["properties"]["code"])}


def build(source: Path, districts: dict[str, dict[str, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 13-area and the 11-area FeatureCollections from the shared 13-area GeoJSON."""
    data = json.loads(source.read_text(encoding="utf-8"))
    before: list[dict[str, Any]] = []
    parts: dict[str, list[BaseGeometry]] = {}
    for item in data["features"]:
        props = item["properties"]
        geometry = shape(item["geometry"])
        before.append(feature(districts[props[NAME_PROPERTY]], geometry))
        parts.setdefault(props[SUCCESSOR_PROPERTY], []).append(geometry)
    after = [
        feature(districts[name], geoms[0] if len(geoms) == 1 else drop_slivers(unary_union(geoms)))
        for name, geoms in parts.items()
    ]
    return (
        collection("stockholm_stadsdelsomraden_2020-01-01_2023-06-30", before),
        collection(f"stockholm_stadsdelsomraden_fran_{REFORM_DATE}", after),
    )


def write(path: Path, data: dict[str, Any]) -> None:
    """Write compact GeoJSON, one feature per line."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in data["features"]]
    head = json.dumps({"type": data["type"], "name": data["name"]}, ensure_ascii=False)[:-1]
    path.write_text(head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def main() -> None:
    """Command line: build both files into data/geo/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the shared 13-area GeoJSON")
    parser.add_argument("--out", type=Path, default=GEO_DIR, help="output folder (data/geo)")
    args = parser.parse_args()
    before, after = build(args.source, read_districts())
    args.out.mkdir(parents=True, exist_ok=True)
    for file_name, data in ((BEFORE_FILE, before), (AFTER_FILE, after)):
        write(args.out / file_name, data)
        print(f"{args.out / file_name}: {len(data['features'])} areas")


if __name__ == "__main__":
    main()
