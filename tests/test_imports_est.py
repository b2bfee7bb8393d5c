"""EST incident lists: places, categories, date and time, stable ids, problems in Swedish."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from imports_support import FIXTURES, reference_catalogue, xlsx_bytes

from followup.imports import est
from followup.imports.base import EVENT_COLUMNS, Catalogue
from followup.model import LoadKind


@pytest.fixture(scope="module")
def catalogue(reference_db_path: Path) -> Catalogue:
    """The reference data's catalogue with today 2025-06-15."""
    return reference_catalogue(reference_db_path)


def test_valid_list_becomes_events(catalogue: Catalogue) -> None:
    batch = est.parse((FIXTURES / "est_valid.csv").read_bytes(), "est_valid.csv", catalogue)
    assert batch.ok, batch.problems
    assert batch.kind is LoadKind.EST
    events = batch.events
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events["source"].tolist() == ["est"] * 4
    assert events["occurred_at"].tolist() == [
        pd.Timestamp(2025, 3, 1, 21, 14), pd.Timestamp(2025, 3, 1, 21, 14), pd.Timestamp(2025, 3, 2),
        pd.Timestamp(2025, 3, 3, 8, 15),
    ]
    assert events["district"].tolist() == ["hasselby-vallingby", "hasselby-vallingby", "bromma", "hasselby-vallingby"]
    assert events["place"].tolist() == ["hasselby-torg", "hasselby-torg", None, "vallingby-centrum"]
    assert events["category"].tolist() == ["klotter", "klotter", "otrygg-plats", "ovrigt"]
    assert events["reporter"].tolist() == ["Trafikkontoret", "Trafikkontoret", "SISAB", None]
    assert events["description"].tolist()[2:] == ['=HYPERLINK("http://x")', "Flera rader\r\ni samma cell"]
    assert events["source_row"].tolist() == [2, 3, 4, 5]
    assert any("sparas som text" in note for note in batch.notes)


def test_identical_rows_get_different_ids_and_the_same_file_the_same_ids(catalogue: Catalogue) -> None:
    data = (FIXTURES / "est_valid.csv").read_bytes()
    first = est.parse(data, "a.csv", catalogue).events["source_id"]
    again = est.parse(data, "b.csv", catalogue).events["source_id"]
    assert first.tolist() == again.tolist()
    assert first.is_unique
    assert first[0].removesuffix("-1") == first[1].removesuffix("-2")


def test_an_id_column_is_the_source_id_and_must_be_unique(catalogue: Catalogue) -> None:
    text = "datum;plats;kategori;ärendenummer\n2025-03-01;Alvik;Brand;A-1\n2025-03-02;Alvik;Brand;A-1\n2025-03-03;Alvik;Brand;\n"
    batch = est.parse(text.encode(), "e.csv", catalogue)
    assert [(p.row, p.column) for p in batch.problems] == [(3, "ärendenummer")]
    assert "finns redan på rad 2" in batch.problems[0].message
    ids = batch.events["source_id"].tolist()
    assert ids[0] == "A-1" and ids[1].startswith("est-")


def test_broken_list_names_every_problem(catalogue: Catalogue) -> None:
    batch = est.parse((FIXTURES / "est_broken.csv").read_bytes(), "est_broken.csv", catalogue)
    found = [(p.row, p.column, p.message.split(".")[0]) for p in batch.problems]
    assert found == [
        (2, "kategori", "okänd kategori 'Graffiti'"),
        (3, "datum", "datumet 2026-01-01 ligger i framtiden (i dag är det 2025-06-15)"),
        (4, "datum", "'01/03/2025' är ingen tidpunkt"),
        (4, "plats", "okänd plats 'Hässelby'"),
        (6, "plats", "plats saknas"),
        (6, "kategori", "kategori saknas"),
    ]
    assert "Menar du 'Hässelby torg' eller 'Hässelby-Vällingby'?" in batch.problems[3].message
    assert "Giltiga kategorier: Brand, Hot/våld mot anställd, Klotter" in batch.problems[0].message


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Klotter", "klotter"), ("SKADEGÖRELSE", "skadegorelse"), ("otrygg plats", "otrygg-plats"),
        ("Mörk plats", "otrygg-plats"), ("Otrygg/mörk plats", "otrygg-plats"), ("annat", "ovrigt"),
        ("Övrigt", "ovrigt"), ("hot-vald-anstalld", "hot-vald-anstalld"), ("Hot/våld mot anställd", "hot-vald-anstalld"),
        ("Misstänkt narkotikahantering", "narkotika"), ("störande samling", "storande-samling"),
    ],
)
def test_categories_by_name_code_or_synonym(catalogue: Catalogue, written: str, code: str) -> None:
    batch = est.parse(f"datum;plats;kategori\n2025-03-01;Alvik;{written}\n".encode(), "e.csv", catalogue)
    assert batch.ok, batch.problems
    assert batch.events["category"].tolist() == [code]


def test_an_unknown_category_is_never_guessed(catalogue: Catalogue) -> None:
    batch = est.parse("datum;plats;kategori\n2025-03-01;Alvik;Klottr\n".encode(), "e.csv", catalogue)
    assert batch.events.empty
    assert "okänd kategori 'Klottr'. Menar du 'Klotter'?" in batch.problems[0].message


def test_district_column_is_checked_against_the_place(catalogue: Catalogue) -> None:
    text = "datum;plats;område;kategori\n2025-03-01;Alvik;Farsta;Brand\n2025-03-01;;Farsta;Brand\n"
    batch = est.parse(text.encode(), "e.csv", catalogue)
    assert [(p.row, p.column) for p in batch.problems] == [(2, "område"), (3, "plats")]
    assert "ligger i Bromma, inte i Farsta" in batch.problems[0].message


def test_xlsx_with_date_and_time_cells(catalogue: Catalogue) -> None:
    from datetime import time

    data = xlsx_bytes({"Rapporter": [
        ["Datum", "Klockslag", "Plats", "Typ", "Organisation", "Fritext", "ID"],
        [datetime(2025, 3, 1), time(21, 14), "brommaplan", "brand", "SL", "+46 8 123", 17],
        [datetime(2025, 3, 2, 7, 30), None, "Islandstorget", "klotter", None, None, 18],
    ]})
    batch = est.parse(data, "e.xlsx", catalogue)
    assert batch.ok, batch.problems
    assert batch.events["occurred_at"].tolist() == [pd.Timestamp(2025, 3, 1, 21, 14), pd.Timestamp(2025, 3, 2, 7, 30)]
    assert batch.events["source_id"].tolist() == ["17", "18"]
    assert batch.events["description"].tolist() == ["+46 8 123", None]
