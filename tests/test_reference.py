"""Reference data (data/reference/*.csv, data/geo/*.geojson) and followup.reference.

The expected texts of the agreement come from tests/fixtures/agreement_goals.txt, typed from the seed,
never from the CSV files under test.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from followup import config, db, reference
from followup.model import CITY_DISTRICT, Aggregation, Direction, Frequency, Level, Unit

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "agreement_goals.txt"
SEED = config.ROOT.parent / "shared" / "seeds" / "001_bf1a5e90f9748335.txt"
SHARED_MAPPING = config.ROOT.parent / "shared" / "data" / "stockholm_stadsdel_till_stadsdelsomrade.csv"
README = config.REFERENCE_DIR / "README.md"

SPELLING_FIXES = {"drogsener": "drogscener"}
"""The only change allowed between the agreement's text and goal.csv (see data/reference/README.md)."""

REFORM = date(2023, 7, 1)
BEFORE_REFORM = date(2022, 1, 1)
AFTER_REFORM = date(2024, 1, 1)
CURRENT_AREAS = {
    "bromma", "enskede-arsta-vantor", "farsta", "hagersten-alvsjo", "hasselby-vallingby", "jarva",
    "kungsholmen", "norra-innerstaden", "skarpnack", "skarholmen", "sodermalm",
}  # fmt: skip
PRE_REFORM_AREAS = {"rinkeby-kista", "spanga-tensta", "norrmalm", "ostermalm"}
SUCCESSORS = {
    ("rinkeby-kista", "jarva"),
    ("spanga-tensta", "jarva"),
    ("norrmalm", "norra-innerstaden"),
    ("ostermalm", "norra-innerstaden"),
}
POPULATION_2024_SUM_OF_AREAS = 991_937
POPULATION_2024_CITY = 995_574
POPULATION_2024_RESTOMRADE = 3_637
GEO_FILES = {date(2020, 1, 1): "districts_2020-01-01.geojson", REFORM: "districts_2023-07-01.geojson"}
PLACE_TOLERANCE_M = 1_000.0


# ---------------------------------------------------------------------------------------------- helpers


def read_csv(table: str) -> list[dict[str, str]]:
    """The rows of a reference CSV as dicts of strings ('' for null)."""
    with reference.csv_path(table).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(table: str) -> list[str]:
    """The header row of a reference CSV."""
    with reference.csv_path(table).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def parse_agreement(text: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """Areas in order, each with its numbered goals, from the fixture's '## area' / 'N. goal' lines."""
    areas: list[tuple[str, list[tuple[int, str]]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("## "):
            areas.append((line[3:], []))
            continue
        match = re.fullmatch(r"(\d+)\. (.+)", line)
        assert match and areas, f"{FIXTURE.name} line {number} is neither an area nor a goal: {line!r}"
        areas[-1][1].append((int(match[1]), match[2]))
    return areas


def fixed_spelling(text: str) -> str:
    """The agreement's text with the documented spelling fixes applied."""
    for wrong, right in SPELLING_FIXES.items():
        text = text.replace(wrong, right)
    return text


def in_force(row: dict[str, str], on: date) -> bool:
    """True when a row's valid_from (inclusive) / valid_to (exclusive) interval contains the date."""
    start, end = row["valid_from"], row["valid_to"]
    return (not start or date.fromisoformat(start) <= on) and (not end or date.fromisoformat(end) > on)


def areas_on(on: date) -> set[str]:
    """Codes of the district areas (not the city) in force on a date according to district.csv."""
    return {r["code"] for r in read_csv("district") if r["kind"] == "stadsdelsomrade" and in_force(r, on)}


def load_geo(file_name: str) -> dict[str, Any]:
    """A GeoJSON file of data/geo/."""
    return json.loads((config.GEO_DIR / file_name).read_text(encoding="utf-8"))


def polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    """The polygons (lists of rings) of a Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon", geometry["type"]
    return geometry["coordinates"]


def in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray cast: is the point inside the closed ring?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def in_geometry(lon: float, lat: float, geometry: dict[str, Any]) -> bool:
    """Is the point inside the (multi)polygon, holes excluded?"""
    return any(
        in_ring(lon, lat, rings[0]) and not any(in_ring(lon, lat, hole) for hole in rings[1:])
        for rings in polygons(geometry)
    )


def metres_to_boundary(lon: float, lat: float, geometry: dict[str, Any]) -> float:
    """Distance in metres from the point to the nearest edge (local equirectangular projection)."""
    kx, ky = 111_320.0 * math.cos(math.radians(lat)), 110_574.0
    best = math.inf
    for rings in polygons(geometry):
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
                dx, dy = bx - ax, by - ay
                t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


# --------------------------------------------------------------------- (a) the agreement's areas and goals


def test_fixture_parser_reads_areas_and_numbered_goals() -> None:
    text = "# comment\n\n## Område A\n1. Mål ett.\n2. Mål två.\n## Område B\n1. Mål.\n"
    assert parse_agreement(text) == [("Område A", [(1, "Mål ett."), (2, "Mål två.")]), ("Område B", [(1, "Mål.")])]
    with pytest.raises(AssertionError):
        parse_agreement("1. Ett mål utan område.\n")


def test_spelling_fix_changes_only_the_documented_word() -> None:
    assert fixed_spelling("öppna drogsener samt") == "öppna drogscener samt"
    assert fixed_spelling("Stärka stadens förmåga") == "Stärka stadens förmåga"


def test_fixture_has_five_areas_and_fourteen_goals() -> None:
    agreement = parse_agreement(FIXTURE.read_text(encoding="utf-8"))
    assert len(agreement) == 5
    assert sum(len(goals) for _, goals in agreement) == 14
    for _, goals in agreement:
        assert [n for n, _ in goals] == list(range(1, len(goals) + 1))


@pytest.mark.skipif(not SEED.is_file(), reason="the seed (../shared/seeds) is not beside the repository")
def test_fixture_is_word_for_word_the_seed() -> None:
    seed_lines = set(SEED.read_text(encoding="utf-8").splitlines())
    for area, goals in parse_agreement(FIXTURE.read_text(encoding="utf-8")):
        assert area in seed_lines
        for number, text in goals:
            assert f"{number}. {text}" in seed_lines


def test_priority_areas_are_the_agreements_five_in_order() -> None:
    agreement = parse_agreement(FIXTURE.read_text(encoding="utf-8"))
    rows = sorted(read_csv("priority_area"), key=lambda r: int(r["number"]))
    assert [(int(r["number"]), r["name"]) for r in rows] == [
        (i, fixed_spelling(area)) for i, (area, _) in enumerate(agreement, start=1)
    ]


def test_city_goals_are_the_agreements_fourteen_word_for_word() -> None:
    agreement = parse_agreement(FIXTURE.read_text(encoding="utf-8"))
    area_names = {r["code"]: r["name"] for r in read_csv("priority_area")}
    expected = {(area, number, fixed_spelling(text)) for area, goals in agreement for number, text in goals}
    city_goals = [r for r in read_csv("goal") if r["scope"] == "city"]
    actual = {(area_names[r["priority_area"]], int(r["number"]), r["text"]) for r in city_goals}
    assert len(city_goals) == 14
    assert actual == expected
    assert all(r["district"] == "" for r in city_goals)


def test_readme_documents_the_spelling_fix() -> None:
    text = README.read_text(encoding="utf-8")
    for wrong, right in SPELLING_FIXES.items():
        assert wrong in text and right in text


# ------------------------------------------------------------------------------ (b), (c) indicator catalogue


def test_every_goal_has_an_indicator_and_every_indicator_a_goal() -> None:
    goals = {r["code"] for r in read_csv("goal")}
    indicators = {r["code"] for r in read_csv("indicator")}
    links = read_csv("goal_indicator")
    assert {r["goal"] for r in links} <= goals
    assert {r["indicator"] for r in links} <= indicators
    assert goals - {r["goal"] for r in links} == set(), "goals without an indicator"
    assert indicators - {r["indicator"] for r in links} == set(), "indicators in no goal"


@pytest.mark.parametrize("row", read_csv("indicator"), ids=lambda r: r["code"])
def test_indicator_fields_are_valid(row: dict[str, str]) -> None:
    assert row["unit"] in {u.value for u in Unit}
    assert row["direction"] in {d.value for d in Direction}
    assert row["frequency"] in {f.value for f in Frequency}
    assert row["aggregation"] in {a.value for a in Aggregation}
    assert row["level"] in {lv.value for lv in Level}
    assert row["sensitive"] in {"true", "false"}
    assert row["source"].strip() and row["name"].strip()
    if row["event_category"]:
        assert row["event_category"] in {r["code"] for r in read_csv("event_category")}
        assert (row["unit"], row["aggregation"], row["frequency"]) == (Unit.COUNT, Aggregation.SUM, Frequency.WEEK)


def test_catalogue_has_the_indicators_the_issue_names() -> None:
    names = " | ".join(f"{r['name']} {r['description']} {r['source']}".lower() for r in read_csv("indicator"))
    wanted = ["anmälda brott på platsen", "est:", "otrygga utomhus sent en kväll", "stockholmsenkät",
              "orosanmälningar om barn 13–17", "sspf", "välfärdsbrott", "felaktiga utbetalningar",
              "nära relation", "bedrägerier mot äldre", "avhopparverksamhet"]  # fmt: skip
    assert [w for w in wanted if w not in names] == []
    sensitive = {r["code"] for r in read_csv("indicator") if r["sensitive"] == "true"}
    assert {"orosanmalningar-13-17", "sspf-unga", "avhoppare"} <= sensitive


# -------------------------------------------------------------------------------------- (d) loading


def test_every_table_has_a_csv_whose_header_is_the_tables_columns() -> None:
    con = duckdb.connect()
    db.ensure_schema(con)
    for table in reference.TABLES:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_name = $t order by ordinal_position",
            {"t": table},
        ).fetchall()]  # fmt: skip
        assert header(table) == columns, table


def test_load_reference_into_a_fresh_database_loads_every_row() -> None:
    con = duckdb.connect()
    db.ensure_schema(con)
    counts = reference.load_reference(con)
    assert counts == {table: len(read_csv(table)) for table in reference.TABLES}
    assert counts["goal"] == 14 and counts["priority_area"] == 5 and counts["neighbourhood"] == 117
    # typed on the way in: dates, booleans, integers and nulls from empty fields
    assert con.execute(
        "select valid_from, valid_to from neighbourhood_district where neighbourhood = 'akalla' and district = 'jarva'"
    ).fetchone() == (REFORM, None)
    assert con.execute("select sensitive from indicator where code = 'avhoppare'").fetchone() == (True,)
    assert con.execute("select value from population where district = 'stockholm'").fetchone() == (POPULATION_2024_CITY,)


# ------------------------------------------------------------------------------- (e) districts, population


def test_districts_are_the_eleven_current_the_four_reformed_and_the_city() -> None:
    rows = {r["code"]: r for r in read_csv("district")}
    assert set(rows) == CURRENT_AREAS | PRE_REFORM_AREAS | {CITY_DISTRICT}
    assert rows[CITY_DISTRICT]["kind"] == "stad"
    assert areas_on(AFTER_REFORM) == CURRENT_AREAS
    assert areas_on(BEFORE_REFORM) == CURRENT_AREAS - {"jarva", "norra-innerstaden"} | PRE_REFORM_AREAS
    assert len(areas_on(BEFORE_REFORM)) == 13
    assert all(rows[code]["valid_to"] == REFORM.isoformat() for code in PRE_REFORM_AREAS)


def test_successors_match_the_reform() -> None:
    rows = read_csv("district_successor")
    assert {(r["district"], r["successor"]) for r in rows} == SUCCESSORS
    assert {r["from_date"] for r in rows} == {REFORM.isoformat()}
    districts = {r["code"]: r for r in read_csv("district")}
    for old, new in SUCCESSORS:
        assert districts[old]["valid_to"] == districts[new]["valid_from"] == REFORM.isoformat()


def test_every_current_area_has_its_2024_population_and_the_city_total_includes_restomrade() -> None:
    values = {r["district"]: int(r["value"]) for r in read_csv("population") if r["year"] == "2024"}
    assert set(values) == CURRENT_AREAS | {CITY_DISTRICT}
    areas_sum = sum(values[code] for code in CURRENT_AREAS)
    assert areas_sum == POPULATION_2024_SUM_OF_AREAS
    assert values[CITY_DISTRICT] == POPULATION_2024_CITY == areas_sum + POPULATION_2024_RESTOMRADE
    assert all(r["source"].strip() for r in read_csv("population"))


# --------------------------------------------------------------------------------- (f) neighbourhoods


def test_neighbourhood_codes_are_ascii_slugs_of_their_names() -> None:
    rows = read_csv("neighbourhood")
    assert len(rows) == 117
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", " ": "-"})
    for row in rows:
        assert row["code"] == row["name"].lower().translate(table)
        assert re.fullmatch(r"[a-z0-9-]+", row["code"])


@pytest.mark.parametrize(("on", "expected_areas"), [(BEFORE_REFORM, 13), (AFTER_REFORM, 11)])
def test_every_neighbourhood_is_in_exactly_one_area_of_its_time(on: date, expected_areas: int) -> None:
    memberships = [r for r in read_csv("neighbourhood_district") if in_force(r, on)]
    per_neighbourhood = Counter(r["neighbourhood"] for r in memberships)
    assert set(per_neighbourhood) == {r["code"] for r in read_csv("neighbourhood")}
    assert set(per_neighbourhood.values()) == {1}
    used = {r["district"] for r in memberships}
    assert len(used) == expected_areas
    assert used == areas_on(on)


def test_membership_lies_within_its_districts_lifetime() -> None:
    districts = {r["code"]: r for r in read_csv("district")}
    for row in read_csv("neighbourhood_district"):
        district = districts[row["district"]]
        assert (district["valid_from"] or "") <= (row["valid_from"] or ""), row
        assert (row["valid_to"] or "9999") <= (district["valid_to"] or "9999"), row


def test_moves_at_the_reform_are_the_successor_pairs() -> None:
    rows = read_csv("neighbourhood_district")
    ended = {r["neighbourhood"]: r["district"] for r in rows if r["valid_to"] == REFORM.isoformat()}
    started = {r["neighbourhood"]: r["district"] for r in rows if r["valid_from"] == REFORM.isoformat()}
    assert set(ended) == set(started)
    assert {(ended[n], started[n]) for n in ended} == SUCCESSORS
    assert len(ended) == 19  # 5 Rinkeby-Kista + 6 Spånga-Tensta + 3 Norrmalm + 5 Östermalm


@pytest.mark.skipif(not SHARED_MAPPING.is_file(), reason="../shared/data is not beside the repository")
def test_membership_matches_the_shared_mapping() -> None:
    names = {r["name"]: r["code"] for r in read_csv("district")}
    slugs = {r["name"]: r["code"] for r in read_csv("neighbourhood")}
    with SHARED_MAPPING.open(encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    rows = read_csv("neighbourhood_district")
    for on, column in ((BEFORE_REFORM, "stadsdelsomrade_2020_2023"), (AFTER_REFORM, "stadsdelsomrade_fran_2023_07_01")):
        ours = {r["neighbourhood"]: r["district"] for r in rows if in_force(r, on)}
        assert ours == {slugs[s["stadsdel_namn"]]: names[s[column]] for s in source}


# --------------------------------------------------------------------------------------- (g) geography


@pytest.mark.parametrize(("valid_from", "file_name"), sorted(GEO_FILES.items()))
def test_geo_file_has_one_feature_per_area_of_its_time(valid_from: date, file_name: str) -> None:
    features = load_geo(file_name)["features"]
    districts = {r["code"]: r["name"] for r in read_csv("district")}
    codes = [f["properties"]["code"] for f in features]
    assert sorted(codes) == sorted(areas_on(valid_from))
    assert all(f["properties"]["name"] == districts[f["properties"]["code"]] for f in features)
    assert (config.GEO_DIR / file_name).stat().st_size < 100_000
    text = (config.GEO_DIR / file_name).read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{6,}", text), "coordinates must be rounded to 5 decimals"


def test_unchanged_areas_keep_their_outline_and_merged_areas_cover_their_parts() -> None:
    before = {f["properties"]["code"]: f["geometry"] for f in load_geo(GEO_FILES[date(2020, 1, 1)])["features"]}
    after = {f["properties"]["code"]: f["geometry"] for f in load_geo(GEO_FILES[REFORM])["features"]}
    for code in set(before) & set(after):
        assert before[code] == after[code], code
    for old, new in SUCCESSORS:
        ring = polygons(before[old])[0][0]
        inside = sum(in_geometry(lon, lat, after[new]) or metres_to_boundary(lon, lat, after[new]) < 10 for lon, lat in ring)
        assert inside == len(ring), f"{old} lies outside {new}"


def test_point_in_polygon_helpers() -> None:
    square = {"type": "Polygon", "coordinates": [[[18.0, 59.0], [18.1, 59.0], [18.1, 59.1], [18.0, 59.1], [18.0, 59.0]]]}
    assert in_geometry(18.05, 59.05, square)
    assert not in_geometry(18.2, 59.05, square)
    assert metres_to_boundary(18.05, 59.1 + 0.009, square) == pytest.approx(995, abs=10)


@pytest.mark.parametrize("place", read_csv("place"), ids=lambda r: r["code"])
def test_place_lies_in_its_district(place: dict[str, str]) -> None:
    lon, lat = float(place["lon"]), float(place["lat"])
    checked = 0
    for file_name in GEO_FILES.values():
        outlines = {f["properties"]["code"]: f["geometry"] for f in load_geo(file_name)["features"]}
        if place["district"] in outlines:
            outline = outlines[place["district"]]
            distance = 0.0 if in_geometry(lon, lat, outline) else metres_to_boundary(lon, lat, outline)
            assert distance <= PLACE_TOLERANCE_M, f"{place['name']} ligger {distance:.0f} m utanför {place['district']}"
            checked += 1
    assert checked >= 1


# ------------------------------------------------------------------------------------ (h) named places


def test_places_named_in_the_seeds_are_present() -> None:
    places = {r["name"]: r for r in read_csv("place")}
    hasselby = ["Hässelby torg", "Maltesholmstorget"]
    hagersten = ["Liljeholmen", "Fruängen", "Västertorp", "Älvsjö/Solberga", "Västberga", "Axelsberg", "Örnsberg",
                 "Sjövikskajen/Marievik"]  # fmt: skip
    assert [n for n in hasselby + hagersten if n not in places] == []
    assert {places[n]["district"] for n in hasselby} == {"hasselby-vallingby"}
    assert {places[n]["district"] for n in hagersten} == {"hagersten-alvsjo"}
    assert "Örnberg" in places["Örnsberg"]["description"], "the description must say the seed spells it Örnberg"
    assert sum(r["district"] == "bromma" for r in places.values()) >= 2
    assert all(r["district"] in areas_on(AFTER_REFORM) for r in places.values())
