"""The corpus of broken files (tests/fixtures/imports/broken/): each is refused with a message that names
the problem and where it is, and the database is unchanged, table by table, down to the content.

Every case goes the whole way a user's file goes: kind detection, parsing, checking, the loader.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

from followup import access, db, imports
from followup.imports import base
from tests.table_state import table_checksums

BROKEN = Path(__file__).resolve().parent / "fixtures" / "imports" / "broken"
TODAY = date(2025, 10, 31)  # the demo's today: a date after it is in the future

# file -> (row, column, words the message must contain); row/column None: the whole file
CASES: dict[str, tuple[int | None, str | None, str]] = {
    "obs_unknown_indicator.csv": (3, "indikator", "Menar du 'Anmälda brott i stadsdelsområdet'"),
    "obs_unknown_district.csv": (3, "område", "okänt område 'Bromm'. Menar du 'Bromma'?"),
    "obs_unknown_place.csv": (3, "plats", "okänd plats 'Hässelby torget nr 9'. Menar du 'Hässelby torg'?"),
    "obs_place_in_other_district.csv": (2, "plats", "ligger i Hässelby-Vällingby, inte i Bromma"),
    "obs_text_in_value.csv": (3, "värde", "'tio' är inte ett tal"),
    "obs_share_over_100.csv": (2, "värde", "andelen 140,5 ligger utanför 0–100"),
    "obs_future_period.csv": (2, "period", "'2099-03' har inte börjat än"),
    "obs_period_not_fitting_frequency.csv": (2, "period", "är en vecka, men indikatorn"),
    "obs_duplicate_rows.csv": (4, "period", "som rad 2 (dubblett)"),
    "obs_missing_value_column.csv": (None, None, "saknar kolumnen 'värde'"),
    "obs_empty.csv": (None, None, "filen är tom"),
    "obs_formula_in_cell.csv": (2, "värde", "innehåller en formel"),
    "obs_bad_period.csv": (2, "period", "månad 13 finns inte"),
    "obs_negative_count.csv": (2, "värde", "negativt värde (−4)"),
    "obs_district_not_in_force.csv": (2, "område", "Järva fanns inte under mars 2022"),
    "obs_event_indicator.csv": (2, "indikator", "räknas från EST-rapporter"),
    "obs_mixed_encodings.csv": (None, None, "blandar teckenkodningar: den är skriven i UTF-8, men rad 3"),
    "obs_wrong_sheet.xlsx": (None, None, "Ingen flik i arbetsboken har rubrikerna"),
    "obs_merged_header.xlsx": (None, None, "sammanfogade rubrikceller (B1:C1)"),
    "image_renamed.xlsx": (None, None, "filen är en bild (PNG), inte ett kalkylark"),
    "junk.csv": (None, None, "binära data"),
    "est_unknown_category.csv": (3, "kategori", "okänd kategori 'Grafitti-ish'"),
    "est_future_date.csv": (2, "datum", "ligger i framtiden"),
    "est_bad_date.csv": (2, "datum", "'2025-02-30' är ingen tidpunkt"),
    "est_unknown_place.csv": (2, "plats", "Menar du 'Hässelby torg'?"),
    "police_malformed.json": (None, None, "går inte att läsa"),
    "police_not_a_list.json": (None, None, "varken Polisens händelser eller Kolada-värden"),
    "police_missing_field.json": (2, "name", "fältet 'name' saknas"),
    "bra_unknown_stockholm_district.txt": (3, "Region", "'Stadsdelsområde Gamla stan (Sthlm)' finns inte"),
    "bra_text_in_antal.txt": (2, "Antal", "'många' är inget antal"),
    "bra_bad_month.txt": (2, "Period", "'Jnu' är ingen månad"),
    "kolada_unknown_kpi.json": (1, "kpi", "'X99999' är inte kopplat till någon indikator"),
    "kolada_malformed.json": (None, None, "går inte att läsa"),
}


@pytest.fixture
def con(demo_db_copy: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with closing(db.open_database(demo_db_copy)) as connection:
        yield connection


def refusal(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> list[base.Problem]:
    """The problems a load of DATA is refused with (the test fails when it lands)."""
    with pytest.raises(imports.LoadRefused) as refused:
        imports.load_file(con, data, name, user=access.local("anna"), today=TODAY)
    return refused.value.problems


def test_every_broken_file_has_a_case() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(CASES)
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_is_refused_with_its_place_and_nothing_changes(con: duckdb.DuckDBPyConnection, name: str) -> None:
    row, column, words = CASES[name]
    before = table_checksums(con)

    problems = refusal(con, (BROKEN / name).read_bytes(), name)

    assert table_checksums(con) == before
    matching = [p for p in problems if words in p.message]
    assert matching, f"no problem says {words!r}: {[p.text() for p in problems]}"
    assert (matching[0].file, matching[0].row, matching[0].column) == (name, row, column)


def test_a_huge_file_is_refused_before_it_is_read(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 1000)
    before = table_checksums(con)
    problems = refusal(con, b"indikator;omr\xc3\xa5de;plats;period;v\xc3\xa4rde\n" + b"x;y;;2024-01;1\n" * 200, "stor.csv")
    assert "största tillåtna storlek" in problems[0].message
    assert table_checksums(con) == before


def test_a_header_without_rows_lands_as_a_load_of_nothing(con: duckdb.DuckDBPyConnection) -> None:
    """The unchanged template is accepted: nothing to add, said plainly, and only the log records it."""
    path = BROKEN.parent / "observations_header_only.csv"
    before = table_checksums(con, exclude=("import_log", "audit_log"))
    result = imports.load_file(con, path.read_bytes(), path.name, user=access.local("anna"), today=TODAY)
    assert (result.plan.rows_added, result.plan.rows_changed) == (0, 0)
    assert "Filen har inga rader med värden under rubrikraden." in result.plan.report()
    assert table_checksums(con, exclude=("import_log", "audit_log")) == before
