"""The police events importer: Stockholm's incidents from the public feed, placed by names in their text."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup.imports import police
from followup.imports.base import EVENT_COLUMNS, Catalogue
from followup.imports.catalogue import catalogue
from followup.model import EventSource, LoadKind

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TODAY = date(2026, 9, 1)


@pytest.fixture(scope="module")
def cat(reference_db_path: Path) -> Catalogue:
    """The reference catalogue (with the project's place_alias.csv), today = 2026-09-01."""
    with closing(duckdb.connect(str(reference_db_path), read_only=True)) as con:
        return catalogue(con, TODAY)


def parse(name: str, cat: Catalogue):
    return police.parse((FIXTURES / name).read_bytes(), name, cat)


def event(batch, source_id: str) -> pd.Series:
    rows = batch.events[batch.events["source_id"] == source_id]
    assert len(rows) == 1, source_id
    return rows.iloc[0]


def test_good_file_has_no_problems_and_the_event_columns(cat: Catalogue) -> None:
    batch = parse("police_events.json", cat)
    assert batch.ok, [p.text() for p in batch.problems]
    assert batch.kind is LoadKind.POLICE
    assert list(batch.events.columns) == list(EVENT_COLUMNS)
    first = event(batch, "1001")
    assert first["source"] == EventSource.POLICE == "polisen"
    assert first["reporter"] == "Polisen" and first["source_row"] == 1
    assert first["description"] == "Rån mot en butik vid Hässelby torg."


def test_incident_time_comes_from_name_with_dot_or_colon_and_unpadded_hour(cat: Catalogue) -> None:
    batch = parse("police_events.json", cat)
    assert event(batch, "1001")["occurred_at"] == pd.Timestamp("2025-03-01 21:14")
    assert event(batch, "1002")["occurred_at"] == pd.Timestamp("2025-03-02 07:45")  # datetime '8:01:00'


def test_december_incident_published_in_january_belongs_to_the_previous_year(cat: Catalogue) -> None:
    assert event(parse("police_events.json", cat), "1004")["occurred_at"] == pd.Timestamp("2024-12-31 23:50")
    assert police.incident_time(31, 12, 23, 50, datetime(2025, 1, 1, 1, 15)) == datetime(2024, 12, 31, 23, 50)
    assert police.incident_time(1, 3, 21, 14, datetime(2025, 3, 1, 22, 5)) == datetime(2025, 3, 1, 21, 14)
    with pytest.raises(ValueError):
        police.incident_time(30, 2, 12, 0, datetime(2025, 3, 1, 12, 0))


def test_since_2026_the_municipality_is_the_last_part_of_name(cat: Catalogue) -> None:
    batch = parse("police_events.json", cat)
    assert event(batch, "1005")["district"] == "hasselby-vallingby"  # location.name 'Stockholms län'
    assert "1006" not in set(batch.events["source_id"])  # '…, Solna'
    assert any("andra kommuner" in note and "Solna 1" in note for note in batch.notes)


def test_summaries_and_duplicate_ids_are_skipped_and_counted(cat: Catalogue) -> None:
    batch = parse("police_events.json", cat)
    assert "1007" not in set(batch.events["source_id"])
    assert batch.events["source_id"].tolist().count("1001") == 1
    assert batch.skipped == 3  # one summary, one other municipality, one duplicate
    assert any("1 sammanfattningar" in note for note in batch.notes)
    assert any("1 händelser fanns flera gånger" in note for note in batch.notes)


@pytest.mark.parametrize(("source_id", "district", "place"), [
    ("1001", "hasselby-vallingby", "hasselby-torg"),      # place name
    ("1002", "bromma", None),                             # neighbourhood alias: district only
    ("1003", None, None),                                 # no name: city level
    ("1004", "hasselby-vallingby", "vallingby-centrum"),  # place name beats the shorter 'Vällingby'
    ("1005", "hasselby-vallingby", "maltesholmstorget"),  # 'Hässelby strand' refined by 'Maltesholm'
    ("1008", "ostermalm", None),                          # Östermalm in 2022: the old area
    ("1009", "norra-innerstaden", None),                  # Östermalm in 2025: the merged area
    ("1010", None, None),                                 # Rinkeby in 2022: Järva did not exist yet
    ("1011", "hasselby-vallingby", "maltesholmstorget"),  # longest alias 'Hässelby strands centrum'
    ("1012", "bromma", "brommaplan"),                     # tags and entities removed first
])  # fmt: skip
def test_events_are_placed_by_the_names_in_their_text(
    cat: Catalogue, source_id: str, district: str | None, place: str | None
) -> None:
    row = event(parse("police_events.json", cat), source_id)
    assert (None if pd.isna(row["district"]) else row["district"]) == district
    assert (None if pd.isna(row["place"]) else row["place"]) == place


def test_notes_count_matches_by_place_district_and_none(cat: Catalogue) -> None:
    notes = parse("police_events.json", cat).notes
    assert notes[0].startswith("10 händelser i Stockholms stad: 5 kopplade till en plats, 3 bara till ett ")
    assert "och 2 utan ortnamn" in notes[0]
    assert any("1 av händelserna utan område" in note for note in notes)


def test_categories_are_slugs_of_the_type_and_only_new_ones_are_listed(cat: Catalogue) -> None:
    batch = parse("police_events.json", cat)
    assert event(batch, "1005")["category"] == "polisen-mord-drap-forsok"
    assert batch.new_categories["polisen-ran"] == "Rån (polisen)"
    known = Catalogue(**{**cat.__dict__, "categories": pd.DataFrame({"code": ["polisen-ran"], "name": ["Rån (polisen)"]})})
    assert "polisen-ran" not in parse("police_events.json", known).new_categories
    assert police.category_code("Stöld/inbrott") == "polisen-stold-inbrott"


def test_matching_needs_a_capital_letter_and_a_word_boundary(cat: Catalogue) -> None:
    matcher = police.build_matcher(cat)
    day = date(2025, 1, 1)
    assert police.match_place("Bråk i Tensta.", day, matcher).district == "jarva"
    assert police.match_place("Bråk i tensta.", day, matcher).district is None  # not a proper noun
    assert police.match_place("Bråk på Lundagatan.", day, matcher).district is None  # not 'Lunda'
    assert police.match_place("Vid Farstas centrum.", day, matcher).district == "farsta"  # genitive s


def test_a_future_incident_is_a_problem(cat: Catalogue) -> None:
    early = Catalogue(**{**cat.__dict__, "today": date(2025, 3, 1)})
    batch = parse("police_events.json", early)
    assert any(p.column == "name" and "efter dagens datum" in p.message for p in batch.problems)


def test_malformed_json_is_one_problem_naming_the_place(cat: Catalogue) -> None:
    batch = parse("police_malformed.json", cat)
    assert len(batch.problems) == 1 and "inte giltig JSON" in batch.problems[0].message
    assert "rad 1" in batch.problems[0].message and batch.events.empty


def test_json_that_is_not_an_array_is_a_problem(cat: Catalogue) -> None:
    batch = parse("police_not_array.json", cat)
    assert [p.row for p in batch.problems] == [None] and "JSON-lista" in batch.problems[0].message


def test_bad_objects_are_problems_naming_position_and_field(cat: Catalogue) -> None:
    batch = parse("police_bad_objects.json", cat)
    where = {(p.row, p.column) for p in batch.problems}
    assert where == {(2, "datetime"), (3, "name"), (4, "datetime"), (5, "name"), (6, None), (7, "id")}
    assert not batch.ok


def test_empty_and_non_utf8_files_are_problems(cat: Catalogue) -> None:
    assert not police.parse(b"  ", "tom.json", cat).ok
    assert not police.parse(json.dumps([]).encode("utf-16"), "utf16.json", cat).ok
    assert police.parse(b"[]", "inga.json", cat).ok
