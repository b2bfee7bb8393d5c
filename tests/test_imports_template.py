"""The downloadable templates: the import accepts them unchanged, and filled in as instructed."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from imports_support import reference_catalogue

from followup.imports import est, observations
from followup.imports.base import Catalogue
from followup.imports.template import EST_HEADINGS, VALUES_HEADINGS, est_template_xlsx, template_xlsx


@pytest.fixture(scope="module")
def catalogue(reference_db_path: Path) -> Catalogue:
    """The reference data's catalogue with today 2025-06-15."""
    return reference_catalogue(reference_db_path)


def workbook(data: bytes) -> openpyxl.Workbook:
    """A workbook from bytes."""
    return openpyxl.load_workbook(io.BytesIO(data))


def test_values_template_parses_unchanged_with_zero_problems(catalogue: Catalogue) -> None:
    batch = observations.parse(template_xlsx(catalogue), "mall.xlsx", catalogue)
    assert batch.problems == []
    assert batch.observations.empty


def test_values_template_sheets_and_lists(catalogue: Catalogue) -> None:
    book = workbook(template_xlsx(catalogue))
    assert book.sheetnames == ["Värden", "Instruktioner", "Indikatorer", "Områden och platser"]
    assert [cell.value for cell in book["Värden"][1]] == list(VALUES_HEADINGS)
    codes = {row[0] for row in book["Indikatorer"].iter_rows(min_row=2, values_only=True)}
    assert codes == set(catalogue.indicators["code"])
    places = {row[4] for row in book["Områden och platser"].iter_rows(min_row=2, values_only=True) if row[4]}
    assert places == set(catalogue.places["code"])
    text = "\n".join(str(row[0]) for row in book["Instruktioner"].iter_rows(values_only=True) if row[0])
    for phrase in ("2025-T2", "2025-W12", "decimalkomma", "förhandsgranskning"):
        assert phrase in text
    monthly = next(row for row in book["Indikatorer"].iter_rows(values_only=True) if row[0] == "anmalda-brott-omrade")
    assert "månad (2025-03)" in monthly[4] and "vecka" not in monthly[4]


def test_values_template_filled_in_as_instructed_loads(catalogue: Catalogue) -> None:
    book = workbook(template_xlsx(catalogue))
    sheet = book["Värden"]
    sheet.append(["Anmälda brott i stadsdelsområdet", "Farsta", None, "2025-03", 412, None])
    sheet["A2"], sheet["B2"], sheet["D2"], sheet["E2"] = "Otrygga utomhus sent en kväll", "Skarpnäck", "2024", "23,5"
    sheet["F2"] = 812
    buffer = io.BytesIO()
    book.save(buffer)
    batch = observations.parse(buffer.getvalue(), "ifylld.xlsx", catalogue)
    assert batch.ok, batch.problems
    assert sorted(batch.observations["value"].tolist()) == [23.5, 412.0]


def test_est_template_parses_unchanged_and_lists_the_categories(catalogue: Catalogue) -> None:
    data = est_template_xlsx()
    batch = est.parse(data, "est-mall.xlsx", catalogue)
    assert batch.problems == [] and batch.events.empty
    book = workbook(data)
    assert [cell.value for cell in book["EST-rapporter"][1]] == list(EST_HEADINGS)
    names = [row[0] for row in book["Kategorier"].iter_rows(min_row=2, values_only=True)]
    assert set(names) == set(catalogue.categories["name"])
    assert est_template_xlsx(catalogue)
