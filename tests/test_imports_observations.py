"""Indicator values in the long format: every column checked, every problem in Swedish with row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from imports_support import FIXTURES, reference_catalogue, xlsx_bytes

from followup.imports import observations
from followup.imports.base import OBSERVATION_COLUMNS, Catalogue, LoadRefused
from followup.model import LoadKind

HEADER = "indikator;område;plats;period;värde;n\n"


@pytest.fixture(scope="module")
def catalogue(reference_db_path: Path) -> Catalogue:
    """The reference data's catalogue with today 2025-06-15."""
    return reference_catalogue(reference_db_path)


def problems(text: str, catalogue: Catalogue) -> list[tuple[int | None, str | None, str]]:
    """(row, column, message) of every problem in a semicolon CSV given as text."""
    batch = observations.parse(text.encode(), "v.csv", catalogue)
    return [(problem.row, problem.column, problem.message) for problem in batch.problems]


def only(text: str, catalogue: Catalogue) -> tuple[int | None, str | None, str]:
    """The single problem of a one-row file."""
    found = problems(HEADER + text + "\n", catalogue)
    assert len(found) == 1, found
    return found[0]


def test_valid_cp1252_file_loads_in_the_database_shape(catalogue: Catalogue) -> None:
    data = (FIXTURES / "observations_cp1252.csv").read_bytes()
    batch = observations.parse(data, "observations_cp1252.csv", catalogue)
    assert batch.ok, batch.problems
    assert batch.kind is LoadKind.OBSERVATIONS
    frame = batch.observations
    assert list(frame.columns) == list(OBSERVATION_COLUMNS)
    assert frame.to_dict("records")[1] == {
        "indicator": "anmalda-brott-plats", "district": "hasselby-vallingby", "place": "hasselby-torg",
        "period_start": date(2025, 3, 1), "grain": "month", "value": 37.0, "numerator": None,
        "denominator": None, "preliminary": False, "series_break": False, "source_row": 3,
    }
    assert frame["place"].tolist()[0] is None
    assert frame["denominator"].tolist()[2] == 812.0
    assert frame["value"].tolist()[2] == 23.5


def test_comma_separated_bom_file_with_ascii_headings_and_the_city(catalogue: Catalogue) -> None:
    batch = observations.parse((FIXTURES / "observations_comma_bom.csv").read_bytes(), "f.csv", catalogue)
    assert batch.ok, batch.problems
    assert batch.observations[["district", "grain", "value"]].values.tolist() == [
        ["farsta", "tertial", 1234.0], ["stockholm", "year", 23.5]
    ]


def test_broken_file_lists_every_problem_in_file_order(catalogue: Catalogue) -> None:
    batch = observations.parse((FIXTURES / "observations_broken.csv").read_bytes(), "trasig.csv", catalogue)
    found = [(p.row, p.column) for p in batch.problems]
    assert found == [
        (2, "indikator"), (2, "område"), (2, "plats"), (3, "värde"), (4, "period"), (4, "värde"), (5, "värde"),
        (5, "n"), (6, "område"), (7, "område"), (8, "indikator"), (9, "period"), (10, "period"), (11, "plats"),
        (12, "period"), (12, "värde"), (12, "n"),
    ]
    assert batch.observations.empty
    assert all(problem.file == "trasig.csv" for problem in batch.problems)


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        ("Anmälda brot;Farsta;;2025-03;12;", "indikator", "'Anmälda brott på platsen'"),
        ("anmalda-brott-omrade;Hässelby;;2025-03;12;", "område", "Menar du 'Hässelby-Vällingby'?"),
        ("anmalda-brott-plats;Hässelby-Vällingby;Vällingby;2025-03;12;", "plats", "Menar du 'Vällingby centrum'?"),
        ("anmalda-brott-plats;Bromma;Hässelby torg;2025-03;12;", "plats", "ligger i Hässelby-Vällingby, inte i Bromma"),
        ("anmalda-brott-omrade;Farsta;;2025-03;tolv;", "värde", "'tolv' är inte ett tal"),
        ("anmalda-brott-omrade;Farsta;;2025-03;1,234.5;", "värde", "går inte att tolka säkert"),
        ("anmalda-brott-omrade;Farsta;;2025-03;=B2*2;", "värde", "formel"),
        ("=A1;Farsta;;2025-03;1;", "indikator", "formel"),
        ("anmalda-brott-omrade;Farsta;;2025-03;;", "värde", "värde saknas"),
        ("anmalda-brott-omrade;;;2025-03;1;", "område", "område saknas"),
        ("anmalda-brott-omrade;Farsta;;;1;", "period", "period saknas"),
        ("otrygg-utomhus-kvall;Farsta;;2024;120;", "värde", "andelen 120 ligger utanför 0–100"),
        ("otrygg-utomhus-kvall;Farsta;;2024;-1;", "värde", "utanför 0–100"),
        ("anmalda-brott-omrade;Farsta;;2025-03;−3;", "värde", "negativt värde (−3)"),
        ("otrygg-utomhus-kvall;Farsta;;2024;40;0", "n", "n ska vara ett positivt tal"),
        ("otrygg-utomhus-kvall;Farsta;;2024;40;många", "n", "'många' är inte ett tal"),
        ("anmalda-brott-omrade;Farsta;;2025-03;4;100", "n", "används bara för andelar"),
        ("anmalda-brott-omrade;Farsta;;2025-07;4;", "period", "har inte börjat än (i dag är det 2025-06-15)"),
        ("anmalda-brott-omrade;Farsta;;2025-W12;4;", "period", "är en vecka, men indikatorn"),
        ("anmalda-brott-omrade;Farsta;;2025;4;", "period", "är ett år, men indikatorn"),
        ("oppna-drogscener;Farsta;;2025-03;4;", "period", "redovisas per år. Skriv perioden som år (t.ex. 2025)"),
        ("anmalda-brott-omrade;Farsta;;2025-W54;4;", "period", "vecka 54 finns inte"),
        ("anmalda-brott-omrade;Järva;;2023-06;4;", "område", "Järva fanns inte under juni 2023 (det finns från 2023-07-01)"),
        ("anmalda-brott-omrade;Rinkeby-Kista;;2023-07;4;", "område", "fanns till och med 2023-06-30"),
        ("est-klotter;Farsta;;2025-W12;4;", "indikator", "räknas från EST-rapporter; ladda EST-listan i stället"),
        ("otrygg-utomhus-kvall;Farsta;;2024;45%;", None, None),
    ],
)
def test_each_kind_of_problem(catalogue: Catalogue, row: str, column: str | None, expected: str | None) -> None:
    found = problems(HEADER + row + "\n", catalogue)
    if expected is None:
        assert found == []
        return
    assert len(found) == 1, found
    assert found[0][:2] == (2, column)
    assert expected in found[0][2]


def test_names_match_without_case_or_a_o_and_codes_work(catalogue: Catalogue) -> None:
    text = HEADER + (
        "ANMÄLDA BROTT PÅ PLATSEN;hasselby-vallingby;HASSELBY TORG;2025-03;1;\n"
        "anmalda-brott-omrade;Stockholm;;2025-03;2;\n"
        "anmalda-brott-omrade;Stockholms stad;;2025-04;3;\n"
        "valfardsbrott-anmalningar;Hägersten - Älvsjö;;2025-T1;4;\n"
        "oppna-drogscener;Järva;;2023;5;\n"
    )
    batch = observations.parse(text.encode(), "v.csv", catalogue)
    assert batch.ok, batch.problems
    assert batch.observations["district"].tolist() == [
        "hasselby-vallingby", "stockholm", "stockholm", "hagersten-alvsjo", "jarva"
    ]


def test_duplicate_rows_name_both_rows(catalogue: Catalogue) -> None:
    text = HEADER + "anmalda-brott-omrade;Farsta;;2025-03;1;\nx;Farsta;;2025-03;1;\nAnmälda brott i stadsdelsområdet;farsta;;2025-03;2;\n"
    found = problems(text, catalogue)
    assert found[-1] == (4, "period", "samma indikator, område, plats och period som rad 2 (dubblett). Ta bort en av raderna.")


def test_a_place_row_and_the_district_row_are_not_duplicates(catalogue: Catalogue) -> None:
    text = HEADER + "anmalda-brott-plats;Farsta;;2025-03;1;\nanmalda-brott-plats;Hässelby-Vällingby;Hässelby torg;2025-03;1;\n"
    assert problems(text, catalogue) == []


def test_headings_without_a_o_and_without_optional_columns(catalogue: Catalogue) -> None:
    batch = observations.parse(b"INDIKATOR;Omrade;Period;VARDE\nanmalda-brott-omrade;Farsta;2025-03;1\n", "v.csv", catalogue)
    assert batch.ok and batch.observations["place"].tolist() == [None]


def test_missing_columns_refuse_the_file(catalogue: Catalogue) -> None:
    with pytest.raises(LoadRefused, match="saknar kolumnen 'värde'"):
        observations.parse(b"indikator;omrade;period\nx;y;2025\n", "v.csv", catalogue)


def test_an_empty_table_is_no_problem_but_a_note(catalogue: Catalogue) -> None:
    batch = observations.parse(HEADER.encode(), "v.csv", catalogue)
    assert batch.ok and batch.observations.empty and batch.notes


def test_xlsx_with_numbers_dates_and_a_formula(catalogue: Catalogue) -> None:
    from datetime import datetime

    data = xlsx_bytes({"Värden": [
        ["Indikator", "Område", "Plats", "Period", "Värde", "n"],
        ["anmalda-brott-omrade", "Farsta", None, datetime(2025, 3, 1), 12, None],
        ["otrygg-utomhus-kvall", "Farsta", None, 2024, 0.5, 800],
        ["anmalda-brott-omrade", "Farsta", None, "2025-04", "=E2+1", None],
    ]})
    batch = observations.parse(data, "v.xlsx", catalogue)
    assert [(p.row, p.column) for p in batch.problems] == [(4, "Värde")]
    assert batch.observations[["period_start", "grain", "value"]].values.tolist() == [
        [date(2025, 3, 1), "month", 12.0], [date(2024, 1, 1), "year", 0.5]
    ]


def test_a_row_too_long_in_csv_is_a_problem(catalogue: Catalogue) -> None:
    batch = observations.parse((FIXTURES / "observations_unquoted_comma.csv").read_bytes(), "k.csv", catalogue)
    assert [(p.row, p.column) for p in batch.problems] == [(2, None)]
    assert "citattecken" in batch.problems[0].message
