"""The Brå importer: reported crimes per district area and month from the statistics database's export."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

from followup.imports import bra
from followup.imports.base import OBSERVATION_COLUMNS, Catalogue, LoadRefused
from followup.imports.catalogue import catalogue
from followup.model import Grain, LoadKind

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TODAY = date(2026, 9, 1)
HEADER = "Region;Brott;År;Period;Antal;/100 000 inv"


@pytest.fixture(scope="module")
def cat(reference_db_path: Path) -> Catalogue:
    """The reference catalogue with the project's source_code.csv, today = 2026-09-01."""
    with closing(duckdb.connect(str(reference_db_path), read_only=True)) as con:
        return catalogue(con, TODAY)


@pytest.fixture(scope="module")
def export(cat: Catalogue):
    return bra.parse((FIXTURES / "bra_export.txt").read_bytes(), "bra_export.txt", cat)


def value(batch, district: str, start: str, indicator: str = "bra-brott-mot-person") -> float | None:
    frame = batch.observations
    rows = frame[(frame["district"] == district) & (frame["period_start"] == date.fromisoformat(start))
                 & (frame["indicator"] == indicator)]  # fmt: skip
    assert len(rows) <= 1
    return None if rows.empty else float(rows["value"].iloc[0])


def lines(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows, ""]).encode("latin-1")


def test_the_iso_8859_1_export_with_trailing_semicolons_loads_without_problems(export) -> None:
    assert export.ok, [p.text() for p in export.problems]
    assert export.kind is LoadKind.BRA
    assert list(export.observations.columns) == list(OBSERVATION_COLUMNS)
    assert value(export, "bromma", "2023-01-01") == 51
    assert value(export, "bromma", "2023-01-01", "bra-misshandel") == 17  # each crime type its own indicator
    assert export.observations["place"].isna().all()
    assert set(export.observations["grain"]) <= {g.value for g in Grain}


def test_regions_with_any_hyphen_spacing_map_to_their_district(export) -> None:
    assert value(export, "hasselby-vallingby", "2023-10-01") == 40  # 'Hässelby - Vällingby (Sthlm)'
    assert (export.observations["district"] == "hasselby-vallingby").sum() == 1  # the same row twice: once


def test_the_municipality_is_the_city_and_other_municipalities_are_skipped(export) -> None:
    assert value(export, "stockholm", "2023-03-01", "anmalda-brott-omrade") == 12000
    assert any("2 rader för andra kommuner" in note and "Botkyrka kommun" in note for note in export.notes)


def test_helar_is_a_year_and_months_are_months(export) -> None:
    year = export.observations[export.observations["grain"] == "year"]
    assert year[["district", "period_start", "value"]].values.tolist() == [["stockholm", date(2023, 1, 1), 150000.0]]


def test_prel_years_are_preliminary(export) -> None:
    frame = export.observations.set_index(["indicator", "district", "period_start"])
    assert frame.loc[("bra-brott-mot-person", "bromma", date(2023, 1, 1)), "preliminary"]
    assert frame.loc[("bra-misshandel", "bromma", date(2023, 1, 1)), "preliminary"]
    assert not frame.loc[("bra-brott-mot-person", "norrmalm", date(2023, 12, 1)), "preliminary"]


def test_dots_are_missing_never_zero_and_real_zeros_stay(export) -> None:
    assert value(export, "bromma", "2023-02-01") is None  # '..'
    assert value(export, "bromma", "2023-05-01") == 0
    assert any("2 värden saknas" in note for note in export.notes)  # not the '..' of an unmapped crime type


def test_brå_keeps_the_old_areas_for_all_of_2023_and_zeros_before_an_area_existed_are_missing(export) -> None:
    assert value(export, "norrmalm", "2023-12-01") == 90  # Brå's region, not the reform date
    assert value(export, "jarva", "2023-12-01") is None  # a 0 before Brå's Järva (2024): missing
    assert value(export, "jarva", "2024-01-01") == 75


def test_hagersten_liljeholmen_and_alvsjo_in_2020_are_summed_into_hagersten_alvsjo(export) -> None:
    assert value(export, "hagersten-alvsjo", "2020-01-01") == 61 + 7
    assert value(export, "hagersten-alvsjo", "2020-02-01") is None  # Älvsjö '..': no sum
    assert value(export, "hagersten-alvsjo", "2019-01-01") is None and value(export, "hagersten-alvsjo", "2021-01-01") is None
    assert any("summan av Brås områden" in note for note in export.notes)
    assert any("före 2020 hoppades över" in note for note in export.notes)


def test_crime_types_no_source_code_maps_are_skipped_and_named_in_a_note(export) -> None:
    assert set(export.observations["indicator"]) == {"bra-brott-mot-person", "bra-misshandel", "anmalda-brott-omrade"}
    note = next(note for note in export.notes if "brottstyper som inga nyckeltal följer" in note)
    assert note.startswith("3 rader")  # the two types' rows, '..' included; not Botkyrka's unknown type
    assert "'12 kap. Skadegörelsebrott'" in note and "'4 kap. Brott mot frihet och frid'" in note
    assert "Någon okänd brottstyp" not in note
    assert not any(n.startswith("Brottstypen '12 kap. Skadegörelsebrott'") for n in export.notes)
    assert not any(p.column == "Brott" for p in export.problems)


def test_an_unmapped_crime_type_is_skipped_and_counted_even_with_odd_cells(cat: Catalogue) -> None:
    batch = bra.parse(lines("Stadsdelsområde Bromma (Sthlm);3-7 kap. Brott mot person;2023;Jan;150;185;",
                            "Stadsdelsområde Bromma (Sthlm);3 kap. Brott mot liv och hälsa;2023;Jnu;x;1;",
                            "Stadsdelsområde Bromma (Sthlm);3 kap. Brott mot liv och hälsa;2023;Feb;40;49;"),
                      "x.txt", cat)  # fmt: skip
    assert batch.ok, [p.text() for p in batch.problems]
    assert batch.skipped == 2
    assert batch.observations[["indicator", "value"]].values.tolist() == [["bra-brott-mot-person", 150.0]]
    assert any("2 rader" in note and "'3 kap. Brott mot liv och hälsa'" in note for note in batch.notes)


def test_counts_with_thousands_spaces_are_read(export) -> None:
    assert value(export, "sodermalm", "2022-09-01", "bra-misshandel") == 1234


def test_bad_rows_are_problems_with_row_and_column(cat: Catalogue) -> None:
    batch = bra.parse((FIXTURES / "bra_bad.txt").read_bytes(), "bra_bad.txt", cat)
    where = [(p.row, p.column) for p in batch.problems]
    # row 7, a misspelt crime type ('… mot personer'), is no problem: unmapped types are skipped with a note
    assert where == [(2, "Region"), (3, "Period"), (4, "Antal"), (5, "Antal"), (6, "Antal"),
                     (8, "År"), (10, "Antal"), (11, "Region")]  # fmt: skip
    messages = {p.row: p.message for p in batch.problems}
    assert "Menar du 'Bromma'" in messages[2]
    assert any("'3-7 kap. Brott mot personer'" in note for note in batch.notes)
    # a near miss of a followed type gets a suggestion; an unrelated type does not
    assert any(note.startswith("Brottstypen '3-7 kap. Brott mot personer' följs inte. Menar du "
                               "'3-7 kap. Brott mot person'?") for note in batch.notes)
    assert "rad 9" in messages[10]  # the same key with another count


def test_unknown_stockholm_district_is_a_problem_but_another_region_is_skipped(cat: Catalogue) -> None:
    batch = bra.parse(lines("Gamla stan (Sthlm);Samtliga brott;2023;Jan;5;1;",
                            "Stockholms län;Samtliga brott;2023;Jan;5;1;"), "x.txt", cat)  # fmt: skip
    assert [(p.row, p.column) for p in batch.problems] == [(2, "Region")]
    assert batch.skipped == 1


def test_a_month_in_the_future_is_a_problem(cat: Catalogue) -> None:
    batch = bra.parse(lines("Stockholms kommun;Samtliga brott;2027;Jan;5;1;"), "x.txt", cat)
    assert [(p.row, p.column) for p in batch.problems] == [(2, "Period")]


def test_a_utf8_file_and_a_file_without_the_rate_column_are_read(cat: Catalogue) -> None:
    data = "Region;Brott;År;Period;Antal\nStadsdelsområde Farsta (Sthlm);Samtliga brott;2024;Okt;7\n"
    batch = bra.parse(data.encode("utf-8-sig"), "utf8.txt", cat)
    assert batch.ok and value(batch, "farsta", "2024-10-01", "anmalda-brott-omrade") == 7


def test_missing_header_or_column_is_a_problem_and_binary_junk_is_refused(cat: Catalogue) -> None:
    assert not bra.parse(b"hej;hopp\n1;2\n", "x.txt", cat).ok
    missing = bra.parse("Region;Brott;År;Period\nA;B;2023;Jan\n".encode("latin-1"), "x.txt", cat)
    assert "'Antal'" in missing.problems[0].message
    with pytest.raises(LoadRefused):
        bra.parse(b"\x00\x01PNG\x00" * 10, "bild.txt", cat)


@pytest.mark.parametrize(("text", "expected"), [
    ("Jan", (Grain.MONTH, 1)), ("Maj", (Grain.MONTH, 5)), ("Okt", (Grain.MONTH, 10)), ("Mars", (Grain.MONTH, 3)),
    ("december", (Grain.MONTH, 12)), ("Helår", (Grain.YEAR, 1)), ("", (Grain.YEAR, 1)),
    ("Kvartal 2", (Grain.QUARTER, 2)), ("Jnu", None), ("13", None),
])  # fmt: skip
def test_parse_month(text: str, expected: tuple[Grain, int] | None) -> None:
    assert bra.parse_month(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2023", (2023, False)), ("2023 prel.", (2023, True)), ("2023 Prel", (2023, True)), ("23", None), ("år", None),
])  # fmt: skip
def test_parse_year(text: str, expected: tuple[int, bool] | None) -> None:
    assert bra.parse_year(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("1 234", 1234), ("-3", None), ("12,5", None), ("x", None)])
def test_parse_count(text: str, expected: int | None) -> None:
    assert bra.parse_count(text) == expected


def test_every_crime_type_of_the_source_code_table_maps_to_a_count_indicator(cat: Catalogue) -> None:
    codes = cat.source_codes[cat.source_codes["source"] == "bra"]
    units = cat.indicators.set_index("code")["unit"]
    assert {"Samtliga brott", "3-7 kap. Brott mot person", "därav misshandel inkl. grov"} <= set(codes["code"])
    assert set(units[codes["indicator"]]) == {"antal"}


def test_a_large_export_of_repeated_blocks_is_read_once(cat: Catalogue) -> None:
    row = "Stadsdelsområde Bromma (Sthlm);3-7 kap. Brott mot person;{year};{month};{n};1;"
    months = ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"]
    body = [row.format(year=2023, month=m, n=i) for i, m in enumerate(months)] * 20_000  # 240 000 rows
    batch = bra.parse(lines(*body), "stor.txt", cat)
    assert batch.ok and len(batch.observations) == 12
    assert any("fanns två gånger" in note for note in batch.notes)
