"""Editing the place alias table the police importer places events by: add and remove a name, audited.

A police event is placed by the names in its text (followup/imports/police.py): the place_alias rows, the
places' names and the names of the district areas. Each write here runs in one transaction with an
audit_log row (db.transaction, steering.audit), so the data version changes and the Data page shows
it at once. A change applies to loads from then on; events already stored keep their district and place
(undo the load and load the file again to match them anew).

Who writes is a followup.access.Principal: adding needs the right to write the alias's district, removing the
right to write the stored alias's district (access.AccessDenied otherwise, in the same transaction).

Refused (steering.WriteRefused, in Swedish): a blank name or one without letters or digits, a name
starting with a small letter (matching keeps the first letter's case: place names are proper nouns), an
unknown district or the city pseudo district, a name that is in events from the whole city (the city, the
county, a district area in force, an event type: police.reserved_names) or an ended district area's name
pointed anywhere but at its successor, a place outside the district, and a name already taken
(matched without regard to case, å/ä/ö, spacing and hyphens) by an alias, a place or a district area in
force, naming what it points at.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb

from followup import access, db, queries, steering
from followup.access import Principal
from followup.imports.catalogue import catalogue
from followup.imports.police import alias_key, reserved_names
from followup.model import DistrictKind
from followup.steering import WriteRefused

ENTITY = "place_alias"
"""The audit_log entity of alias writes."""
MAX_ALIAS_LENGTH = 100
_SPACE = re.compile(r"\s+")


def clean_alias(alias: str | None) -> str:
    """The name as stored: trimmed, runs of white space one space; refused when it cannot match anything."""
    cleaned = _SPACE.sub(" ", alias or "").strip()
    if not cleaned:
        raise WriteRefused("Namnet saknas. Skriv namnet som det står i polisens text, t.ex. ”Vällingby C”.")
    if not alias_key(cleaned):
        raise WriteRefused(f"”{cleaned}” innehåller inga bokstäver eller siffror och kan inte hittas i en text. "
                           "Skriv ortnamnet, t.ex. ”Vällingby C”.")
    if len(cleaned) > MAX_ALIAS_LENGTH:
        raise WriteRefused(f"Namnet är {len(cleaned)} tecken långt. Skriv bara ortnamnet (högst "
                           f"{MAX_ALIAS_LENGTH} tecken).")
    if cleaned[0].isalpha() and not cleaned[0].isupper():
        proper = cleaned[0].upper() + cleaned[1:]
        raise WriteRefused(f"”{cleaned}” börjar med liten bokstav. Ortnamn hittas bara med stor begynnelsebokstav, "
                           f"som i polisens text: skriv ”{proper}”.")
    return cleaned


def target_text(district_name: str, place_name: str | None) -> str:
    """Where a name points, in words: 'platsen Hässelby torg i Hässelby-Vällingby' or 'hela Bromma'."""
    return f"platsen {place_name} i {district_name}" if place_name else f"hela {district_name}"


def _taken(con: duckdb.DuckDBPyConnection, alias: str, today: date) -> dict[str, Any] | None:
    """The alias, place or district area in force whose name matches ALIAS the way the importer does, if any."""
    key = alias_key(alias)
    result = queries.execute(con, "place_alias_names", on=today)
    columns = [column[0] for column in result.description]
    for found in result.fetchall():
        named = dict(zip(columns, found, strict=True))
        if alias_key(named["name"]) == key:
            return named
    return None


def _refuse_taken(taken: dict[str, Any], alias: str) -> WriteRefused:
    """The refusal for a name already in use, naming what it points at."""
    where = target_text(taken["district_name"], taken["place_name"])
    if taken["source"] == "alias":
        same = "" if taken["name"] == alias else f" (som ”{taken['name']}”)"
        return WriteRefused(f"Namnet ”{alias}” finns redan{same} och pekar på {where}. Ta bort det först om det "
                            "ska peka någon annanstans.")
    what = "platsens" if taken["source"] == "place" else "stadsdelsområdets"
    return WriteRefused(f"”{alias}” är redan {what} eget namn och pekar på {where}. Det behövs inget platsnamn "
                        "för det; välj ett annat namn.")


def _refuse_reserved(con: duckdb.DuckDBPyConnection, alias: str, district: str, today: date) -> None:
    """WriteRefused for a name that is in events from the whole city (the city, the county, a district area in
    force, an event type), or an ended district area's name pointed anywhere but at its successor: such a name
    would place other districts' events in the alias's district."""
    known = catalogue(con, today)
    key = alias_key(alias)
    if key in reserved_names(known):
        raise WriteRefused(f"”{alias}” kan inte bli ett platsnamn: det är namnet på staden, länet, ett "
                           "stadsdelsområde eller en händelsetyp och står i händelser från hela staden, så alla "
                           "skulle hamna i ditt område. Skriv ett ortnamn som bara finns i området, t.ex. "
                           "”Vällingby C”.")
    for code, name in zip(known.districts["code"], known.districts["name"], strict=True):
        if alias_key(str(name)) != key:
            continue
        successors = [row[0] for row in queries.execute(con, "district_successors", district=code).fetchall()]
        if district not in successors:
            raise WriteRefused(f"”{alias}” är ett tidigare stadsdelsområde och kan bara peka på området som tog "
                               "över det. Skriv ett ortnamn som bara finns i ditt område.")


def add_alias(
    con: duckdb.DuckDBPyConnection, *, user: Principal, alias: str, district: str, place: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Add a name that places police events in DISTRICT (and PLACE); return the stored row with names."""
    who = steering.user_name(user)
    name = clean_alias(alias)
    with db.transaction(con) as cursor:
        found = steering.district(cursor, district)
        if found["kind"] != DistrictKind.DISTRICT_AREA.value:
            raise WriteRefused(f"”{found['name']}” är hela staden. Ett platsnamn ska peka på ett stadsdelsområde; "
                               "händelser utan känt ortnamn visas redan för hela staden.")
        access.require_write(user, [district], "lägga till platsnamn")
        chosen = steering.place(cursor, steering.optional_text(place), district)
        taken = _taken(cursor, name, today or date.today())
        if taken is not None:
            raise _refuse_taken(taken, name)
        _refuse_reserved(cursor, name, district, today or date.today())
        queries.execute(cursor, "place_alias_insert", alias=name, district=district, place=chosen)
        stored = steering.row(cursor, "place_alias_row", alias=name)
        assert stored is not None
        steering.audit(cursor, user=who, action=steering.AuditAction.CREATE, entity=ENTITY, entity_id=name,
                       before=None, after={"alias": name, "district": district, "place": chosen})
    return stored


def remove_alias(con: duckdb.DuckDBPyConnection, *, user: Principal, alias: str) -> dict[str, Any]:
    """Remove a name from the alias table; return the removed row with names."""
    who = steering.user_name(user)
    name = (alias or "").strip()
    with db.transaction(con) as cursor:
        stored = steering.row(cursor, "place_alias_row", alias=name) if name else None
        if stored is None:
            raise WriteRefused(f"Platsnamnet ”{name}” finns inte (någon kan ha tagit bort det). Välj ett namn i "
                               "listan.")
        access.require_write(user, [stored["district"]], "ta bort platsnamn")
        queries.execute(cursor, "place_alias_delete", alias=name)
        before = {"alias": stored["alias"], "district": stored["district"], "place": stored["place"]}
        steering.audit(cursor, user=who, action=steering.AuditAction.DELETE, entity=ENTITY, entity_id=name,
                       before=before, after=None)
    return stored
