"""Helpers for the import tests: the reference data's Catalogue and workbooks built in memory."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import duckdb
import openpyxl

from followup.imports.base import Catalogue
from followup.imports.catalogue import catalogue

TODAY = date(2025, 6, 15)
"""The 'today' of the test catalogue: periods starting after it are in the future."""

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


def reference_catalogue(path: Path, today: date = TODAY) -> Catalogue:
    """The Catalogue of a database file (the reference_db_path fixture), with TODAY as today."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return catalogue(con, today=today)
    finally:
        con.close()


def xlsx_bytes(sheets: dict[str, list[list[object]]], merged: dict[str, list[str]] | None = None) -> bytes:
    """A workbook with the given sheets (name -> rows of cell values) and merged ranges, as bytes."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(name, []):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
