"""followup/imports/aliases.py: adding and removing place aliases, refusals, audit rows, and their effect on loads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

from followup import access, queries
from followup.imports import aliases, load, police
from followup.imports.catalogue import catalogue
from followup.steering import WriteRefused
from table_state import table_checksums

TODAY = date(2026, 9, 1)
NEW_NAME = "Provgränden"
"""A made-up street name that no alias, place or district of the reference data matches."""
HV = "hasselby-vallingby"
ANNA = access.Principal("anna", access.Role.ADMIN)
BO = access.Principal("bo", access.Role.EDITOR, frozenset({HV}))
VIEWER = access.Principal("vera@stockholm.se", access.Role.VIEWER)
NO_ROLE = access.Principal("nils@stockholm.se", None)
BROMMA_EDITOR = access.Principal("britt@stockholm.se", access.Role.EDITOR, frozenset({"bromma"}))


@pytest.fixture
def con(reference_db_copy: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the reference database (the project's place_alias.csv, no loads)."""
    with closing(duckdb.connect(str(reference_db_copy))) as connection:
        yield connection


def listed(con: duckdb.DuckDBPyConnection, district: str = "") -> list[tuple]:
    """(alias, district name, place name) of the place_aliases query."""
    frame = queries.run(con, "place_aliases", district=district)
    return [(row.alias, row.district_name, row.place_name if isinstance(row.place_name, str) else None)
            for row in frame.itertuples(index=False)]


def audit_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(user, action, entity, entity_id, detail as a dict) of every audit_log row, oldest first."""
    rows = con.execute("select user_name, action, entity, entity_id, detail from audit_log order by id").fetchall()
    return [(*row[:4], json.loads(row[4])) for row in rows]


def police_file(*events: tuple[int, str]) -> bytes:
    """A police feed file with one robbery in Stockholm on 1 March 2025 per (id, summary)."""
    return json.dumps([
        {"id": event_id, "datetime": "2025-03-01 22:05:00 +01:00", "name": "1 mars 21.14, Rån, Stockholm",
         "summary": summary, "url": "/x", "type": "Rån",
         "location": {"name": "Stockholm", "gps": "59.329324,18.068581"}}
        for event_id, summary in events
    ], ensure_ascii=False).encode("utf-8")


def placed(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> list[tuple]:
    """(source_id, district, place) of a police file parsed against the database's catalogue now."""
    batch = police.parse(data, name, catalogue(con, TODAY))
    assert batch.ok, [p.text() for p in batch.problems]
    return [(row.source_id, row.district, row.place) for row in batch.events.itertuples(index=False)]


# --- add and remove ---------------------------------------------------------------------------------------


def test_add_and_remove_round_trip_with_audit_rows(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con, exclude=("audit_log",))
    assert (NEW_NAME, "Hässelby-Vällingby", "Hässelby torg") not in listed(con)

    stored = aliases.add_alias(con, user=ANNA, alias=f"  {NEW_NAME} ", district="hasselby-vallingby",
                               place="hasselby-torg")
    assert stored == {"alias": NEW_NAME, "district": "hasselby-vallingby", "district_name": "Hässelby-Vällingby",
                      "place": "hasselby-torg", "place_name": "Hässelby torg"}
    assert (NEW_NAME, "Hässelby-Vällingby", "Hässelby torg") in listed(con, "hasselby-vallingby")
    assert NEW_NAME not in [alias for alias, *_ in listed(con, "bromma")]

    removed = aliases.remove_alias(con, user=BO, alias=NEW_NAME)
    assert removed["alias"] == NEW_NAME and removed["place"] == "hasselby-torg"
    assert NEW_NAME not in [alias for alias, *_ in listed(con)]
    assert table_checksums(con, exclude=("audit_log",)) == before
    after = {"alias": NEW_NAME, "district": "hasselby-vallingby", "place": "hasselby-torg"}
    assert audit_rows(con) == [
        ("anna", "create", "place_alias", NEW_NAME, {"before": None, "after": after}),
        ("bo", "delete", "place_alias", NEW_NAME, {"before": after, "after": None}),
    ]


def test_an_alias_for_a_whole_district_has_no_place(con: duckdb.DuckDBPyConnection) -> None:
    aliases.add_alias(con, user=ANNA, alias="Provgårdens  gränd", district="bromma", place="")
    assert ("Provgårdens gränd", "Bromma", None) in listed(con, "bromma")  # white space collapsed


def test_a_seeded_alias_can_be_removed(con: duckdb.DuckDBPyConnection) -> None:
    assert ("Vällingby C", "Hässelby-Vällingby", "Vällingby centrum") in listed(con)
    aliases.remove_alias(con, user=ANNA, alias="Vällingby C")
    assert "Vällingby C" not in [alias for alias, *_ in listed(con)]


# --- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "district", "place", "message"),
    [
        ("   ", "bromma", None, "Namnet saknas"),
        ("– –", "bromma", None, "innehåller inga bokstäver eller siffror"),
        ("provgränden", "bromma", None, "börjar med liten bokstav"),
        ("P" * 101, "bromma", None, "högst 100 tecken"),
        (NEW_NAME, "atlantis", None, "Stadsdelsområdet ”atlantis” finns inte"),
        (NEW_NAME, "stockholm", None, "är hela staden"),
        (NEW_NAME, "bromma", "hasselby-torg", "Platsen Hässelby torg ligger inte i stadsdelsområdet"),
        (NEW_NAME, "bromma", "ingenstans", "Platsen ”ingenstans” finns inte"),
        ("Vällingby C", "bromma", None,
         "Namnet ”Vällingby C” finns redan och pekar på platsen Vällingby centrum i Hässelby-Vällingby"),
        ("VALLINGBY-C", "bromma", None, "finns redan (som ”Vällingby C”) och pekar på platsen Vällingby centrum"),
        ("Abrahamsberg", "hasselby-vallingby", None, "finns redan och pekar på hela Bromma"),
        ("Hässelby  torg", "bromma", None,
         "”Hässelby torg” är redan platsens eget namn och pekar på platsen Hässelby torg i Hässelby-Vällingby"),
        ("Farsta", "bromma", None, "”Farsta” är redan stadsdelsområdets eget namn och pekar på hela Farsta"),
    ],
)
def test_add_refusals_name_the_cause_and_write_nothing(
    con: duckdb.DuckDBPyConnection, alias: str, district: str, place: str | None, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(WriteRefused, match=re.escape(message)):
        aliases.add_alias(con, user=ANNA, alias=alias, district=district, place=place)
    assert table_checksums(con) == before


def test_a_name_is_taken_only_by_district_areas_in_force(con: duckdb.DuckDBPyConnection) -> None:
    """'Rinkeby-Kista' ended in 2023: its name may point at Järva for the events of today."""
    aliases.add_alias(con, user=ANNA, alias="Rinkeby-Kista", district="jarva")
    assert ("Rinkeby-Kista", "Järva", None) in listed(con, "jarva")


def test_unknown_user_and_unknown_alias_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con)
    with pytest.raises(WriteRefused, match="vem som skriver"):
        aliases.add_alias(con, user=access.Principal(" ", access.Role.ADMIN), alias=NEW_NAME, district="bromma")
    with pytest.raises(WriteRefused, match=f"Platsnamnet ”{NEW_NAME}” finns inte"):
        aliases.remove_alias(con, user=ANNA, alias=NEW_NAME)
    with pytest.raises(WriteRefused, match="vem som skriver"):
        aliases.remove_alias(con, user=access.Principal("", access.Role.ADMIN), alias="Vällingby C")
    assert table_checksums(con) == before


# --- the effect on loads -----------------------------------------------------------------------------------


def test_a_police_file_loaded_after_adding_an_alias_matches_the_new_name(con: duckdb.DuckDBPyConnection) -> None:
    first = police_file((501, f"Rån på {NEW_NAME} under kvällen."))
    assert placed(con, first, "forsta.json") == [("501", None, None)]  # unknown name: city level
    load.apply(con, police.parse(first, "forsta.json", catalogue(con, TODAY)), user=ANNA)

    aliases.add_alias(con, user=ANNA, alias=NEW_NAME, district="hasselby-vallingby", place="hasselby-torg")

    second = police_file((501, f"Rån på {NEW_NAME} under kvällen."), (502, f"Nytt rån vid {NEW_NAME}s port."))
    assert placed(con, second, "andra.json") == [
        ("501", "hasselby-vallingby", "hasselby-torg"), ("502", "hasselby-vallingby", "hasselby-torg")]
    load.apply(con, police.parse(second, "andra.json", catalogue(con, TODAY)), user=ANNA)
    stored = con.execute("select source_id, district, place from event where source = 'polisen' "
                         "order by source_id").fetchall()
    # from now on: the new event is placed, the one loaded before keeps its (city) level
    assert stored == [("501", None, None), ("502", "hasselby-vallingby", "hasselby-torg")]

    aliases.remove_alias(con, user=ANNA, alias=NEW_NAME)
    assert placed(con, second, "andra.json") == [("501", None, None), ("502", None, None)]


# --- who may write ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (VIEWER, r"vera@stockholm.se (läsare) får inte lägga till platsnamn: det kräver rollen redaktör"),
        (NO_ROLE, r"nils@stockholm.se (utan roll) får inte lägga till platsnamn"),
        (BROMMA_EDITOR, "britt@stockholm.se (redaktör) får inte lägga till platsnamn för hasselby-vallingby: du är "
                        "redaktör för bromma."),
    ],
)
def test_adding_a_name_without_the_right_to_write_its_district_is_refused(
    con: duckdb.DuckDBPyConnection, user: access.Principal, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=re.escape(message)):
        aliases.add_alias(con, user=user, alias=NEW_NAME, district=HV, place="hasselby-torg")
    assert table_checksums(con) == before


@pytest.mark.parametrize(
    ("user", "message"),
    [(VIEWER, "får inte ta bort platsnamn: det kräver rollen redaktör"),
     (NO_ROLE, "får inte ta bort platsnamn: det kräver rollen redaktör"),
     (BROMMA_EDITOR, "får inte ta bort platsnamn för hasselby-vallingby: du är redaktör för bromma.")],
)
def test_removing_another_districts_name_is_refused(
    con: duckdb.DuckDBPyConnection, user: access.Principal, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=re.escape(message)):
        aliases.remove_alias(con, user=user, alias="Vällingby C")  # a seeded name in Hässelby-Vällingby
    assert table_checksums(con) == before


def test_an_editor_writes_names_of_their_district_and_an_admin_of_every_district(
    con: duckdb.DuckDBPyConnection,
) -> None:
    aliases.add_alias(con, user=BROMMA_EDITOR, alias=NEW_NAME, district="bromma")
    aliases.remove_alias(con, user=BROMMA_EDITOR, alias=NEW_NAME)
    admin = access.local("anna")
    aliases.add_alias(con, user=admin, alias=NEW_NAME, district=HV)
    aliases.remove_alias(con, user=admin, alias="Vällingby C")
    assert [row[:4] for row in audit_rows(con)] == [
        ("britt@stockholm.se", "create", "place_alias", NEW_NAME), ("britt@stockholm.se", "delete", "place_alias", NEW_NAME),
        ("lokal:anna", "create", "place_alias", NEW_NAME), ("lokal:anna", "delete", "place_alias", "Vällingby C")]


def test_a_user_given_as_text_fails_loudly(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con)
    with pytest.raises(TypeError, match="Principal"):
        aliases.add_alias(con, user="anna", alias=NEW_NAME, district=HV)
    with pytest.raises(TypeError, match="Principal"):
        aliases.remove_alias(con, user="anna", alias="Vällingby C")
    assert table_checksums(con) == before
