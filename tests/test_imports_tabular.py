"""Reading .csv and .xlsx into a Table: detection of separator and encoding, header search, refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from imports_support import xlsx_bytes

from followup.imports import base
from followup.imports.base import LoadRefused
from followup.imports.tabular import decode, detect_separator, file_kind, read_table

REQUIRED = {"indikator": (), "område": ("district",), "värde": ()}


def refusal(data: bytes, name: str = "fil.csv", **kwargs: object) -> str:
    """The message of the LoadRefused raised for a file."""
    with pytest.raises(LoadRefused) as caught:
        read_table(data, name, required=REQUIRED, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_separator_and_encoding_are_detected(separator: str, encoding: str) -> None:
    text = separator.join(["Indikator", "Område", "Värde"]) + "\r\n" + separator.join(["a", "Hässelby", "1"]) + "\r\n"
    table = read_table(text.encode(encoding), "f.csv", required=REQUIRED)
    assert table.headings == ("Indikator", "Område", "Värde")
    assert table.columns["omrade"] == "Område"
    assert table.rows["omrade"].tolist() == ["Hässelby"]
    assert table.row_numbers.tolist() == [2]


def test_headers_match_without_case_or_a_o_and_keep_the_written_heading() -> None:
    table = read_table(b"INDIKATOR;omrade;Varde\nx;y;1\n", "f.csv", required=REQUIRED)
    assert table.match(REQUIRED) == {"indikator": "indikator", "område": "omrade", "värde": "varde"}
    assert table.heading("varde") == "Varde"


def test_title_rows_above_the_header_and_blank_rows_keep_the_file_row_numbers() -> None:
    data = "Värden för 2025\n\nindikator;område;värde\nx;y;1\n;;\n\nz;w;2\n".encode()
    table = read_table(data, "f.csv", required=REQUIRED)
    assert table.rows["indikator"].tolist() == ["x", "z"]
    assert table.row_numbers.tolist() == [4, 7]


def test_every_cell_is_a_string_and_empty_cells_are_empty_strings() -> None:
    table = read_table(b"indikator;omrade;varde\nx;;0012\n", "f.csv", required=REQUIRED)
    assert table.rows.iloc[0].tolist() == ["x", "", "0012"]


def test_decimal_comma_in_a_comma_separated_file_must_be_quoted() -> None:
    good = read_table(b'indikator,omrade,varde\nx,y,"12,5"\n', "f.csv", required=REQUIRED)
    assert good.rows["varde"].tolist() == ["12,5"]
    assert not good.problems
    bad = read_table(b"indikator,omrade,varde\nx,y,12,5\nx,y\n", "f.csv", required=REQUIRED)
    assert [(p.row, "4" in p.message and "3" in p.message) for p in bad.problems] == [(2, True), (3, False)]
    assert "citattecken" in bad.problems[0].message


def test_a_short_row_is_a_problem_with_its_row_number() -> None:
    table = read_table(b"indikator;omrade;varde\nx;y;1\nx;y\n", "f.csv", required=REQUIRED)
    assert [problem.row for problem in table.problems] == [3]
    assert "bara 2 fält" in table.problems[0].message


def test_quoted_newlines_count_as_one_row() -> None:
    table = read_table(b'indikator;omrade;varde\n"a\nb";y;1\nc;y;2\n', "f.csv", required=REQUIRED)
    assert table.rows["indikator"].tolist() == ["a\nb", "c"]
    assert table.row_numbers.tolist() == [2, 3]


def test_missing_columns_are_named_with_the_headings_found() -> None:
    message = refusal(b"indikator;plats\nx;y\n")
    assert "saknar kolumnerna 'område' och 'värde'" in message
    assert "'indikator' och 'plats'" in message


def test_a_heading_written_twice_is_refused() -> None:
    assert "finns två gånger" in refusal("indikator;omrade;varde;Värde\nx;y;1;2\n".encode())


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "tom.csv", "filen är tom"),
        (b"  \r\n ", "tom.csv", "filen är tom"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "bild.xlsx", "filen är en bild (PNG), inte ett kalkylark"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "bild.csv", "bild (JPEG)"),
        (b"%PDF-1.7\n" + bytes(200), "rapport.xlsx", "PDF"),
        (b"GIF89a" + bytes(200), "x.csv", "bild (GIF)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "gammal.xls", ".xls"),
        (b"indikator;omrade\n", "gammal.xls", "Spara som > Excel-arbetsbok (.xlsx)"),
        (bytes(range(256)) * 4, "skrap.csv", "binära data"),
        (b"not a workbook at all", "fel.xlsx", "ingen Excel-arbetsbok"),
    ],
)
def test_whole_file_refusals_name_the_cause_and_the_fix(data: bytes, name: str, expected: str) -> None:
    message = refusal(data, name)
    assert expected in message
    assert message.startswith(f"{name}: ")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "zip-arkiv men inte en Excel-arbetsbok" in refusal(buffer.getvalue(), "dok.xlsx")


def test_a_file_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("followup.imports.tabular.MAX_FILE_BYTES", 10)
    assert "för stor" in refusal(b"indikator;omrade;varde\n", "stor.csv")
    assert base.MAX_FILE_BYTES > 10


def test_xlsx_sheet_with_the_headings_is_found_and_values_become_text() -> None:
    data = xlsx_bytes(
        {
            "Instruktioner": [["Så fyller du i"], ["…"]],
            "Data": [["Titel"], [], ["Indikator", "Område", "Värde", "När"], ["x", "y", 12.0, datetime(2025, 3, 1)],
                     [None, None, None, None], ["z", "w", 12.5, datetime(2025, 3, 1, 21, 14)]],
        }
    )
    table = read_table(data, "bok.xlsx", required=REQUIRED)
    assert table.sheet == "Data"
    assert table.rows.to_dict("list") == {
        "indikator": ["x", "z"], "omrade": ["y", "w"], "varde": ["12", "12.5"],
        "nar": ["2025-03-01", "2025-03-01 21:14:00"],
    }
    assert table.row_numbers.tolist() == [4, 6]


def test_xlsx_without_a_matching_sheet_names_the_sheets() -> None:
    message = refusal(xlsx_bytes({"Blad1": [["a", "b"]], "Blad2": [[]]}), "bok.xlsx")
    assert "'Blad1' och 'Blad2'" in message
    assert "'indikator', 'område' och 'värde'" in message


def test_xlsx_named_sheet_that_does_not_exist() -> None:
    assert "fliken 'Värden' finns inte" in refusal(xlsx_bytes({"Blad1": [["a"]]}), "bok.xlsx", sheet="Värden")


def test_merged_header_cells_are_refused_naming_the_cells() -> None:
    data = xlsx_bytes({"Blad1": [["indikator", "område", "värde"], ["x", "y", 1]]}, merged={"Blad1": ["B1:C1"]})
    message = refusal(data, "bok.xlsx")
    assert "sammanfogade rubrikceller (B1:C1)" in message
    assert "Dela upp" in message


def test_merged_cells_below_the_header_are_fine() -> None:
    data = xlsx_bytes({"Blad1": [["indikator", "område", "värde"], ["x", "y", 1], ["z", "w", 2]]},
                      merged={"Blad1": ["A2:A3"]})
    assert read_table(data, "bok.xlsx", required=REQUIRED).row_numbers.tolist() == [2, 3]


def test_formulas_come_through_as_text() -> None:
    data = xlsx_bytes({"Blad1": [["indikator", "område", "värde"], ["x", "y", "=1+1"]]})
    assert read_table(data, "bok.xlsx", required=REQUIRED).rows["varde"].tolist() == ["=1+1"]


def test_file_kind_and_decoding() -> None:
    assert file_kind(b"a;b\n", "x.txt") == "csv"
    assert file_kind(xlsx_bytes({"A": [["a"]]}), "x.csv") == "xlsx"
    assert decode("Skärholmen".encode("cp1252"), "x.csv") == "Skärholmen"
    assert decode("\ufeffSkärholmen".encode(), "x.csv") == "Skärholmen"
    assert detect_separator(["a,b;c", "1,2;3"]) == ";"
    assert detect_separator(["a,b,c", '1,"2,5",3']) == ","
