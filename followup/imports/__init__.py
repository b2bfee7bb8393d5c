"""Loading files: detect the kind, parse and check it, then write it all or nothing (see load.py).

    batch = imports.parse(data, "brott.csv", catalogue(con))        # no database writes
    plan = load.plan(con, batch)                                   # what would change
    result = load.apply(con, batch, user=principal, replace=False)  # one transaction; checks the role

load_file() does all three for the command line; the Data page calls them one by one to preview. The user
is a followup.access.Principal (access.local(account) on the command line).
"""

from __future__ import annotations

import importlib
import io
import logging
import zipfile
from datetime import date

import duckdb

from followup.access import Principal
from followup.imports.base import (MAX_COLUMNS, MAX_FILE_BYTES, Batch, file_limit, JsonUnreadable, LoadRefused, Problem, file_label,
                                   problems_text, read_json, size_problem)
from followup.imports import tabular
from followup.imports.catalogue import catalogue
from followup.imports.load import LoadResult, Progress, _no_progress, apply
from followup.imports.text import normalise
from followup.model import LoadKind

logger = logging.getLogger(__name__)

KIND_NAMES: dict[LoadKind, str] = {
    LoadKind.OBSERVATIONS: "indikatorvärden",
    LoadKind.EST: "EST-rapporter",
    LoadKind.POLICE: "Polisens händelser",
    LoadKind.BRA: "Brå:s brottsstatistik",
    LoadKind.KOLADA: "Kolada",
}
"""The kinds a user can load, with their Swedish names."""

__all__ = ["Batch", "LoadRefused", "Problem", "catalogue", "detect_kind", "load_file", "parse", "problems_text"]

_MODULES: dict[LoadKind, str] = {
    LoadKind.OBSERVATIONS: "followup.imports.observations",
    LoadKind.EST: "followup.imports.est",
    LoadKind.POLICE: "followup.imports.police",
    LoadKind.BRA: "followup.imports.bra",
    LoadKind.KOLADA: "followup.imports.kolada",
}


def _refuse(file_name: str, message: str) -> LoadRefused:
    return LoadRefused([Problem(file_name, None, None, message)])


def _first_headings(data: bytes) -> set[str]:
    """Normalised headings of the first line of a CSV, or of the first row of every sheet of an .xlsx."""
    if data[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return set()
        found: set[str] = set()
        try:
            for sheet in book.worksheets:
                sheet.reset_dimensions()  # a declared dimension of 16,384 columns would pad every row
                for row in sheet.iter_rows(max_row=10, max_col=MAX_COLUMNS, values_only=True):
                    found |= {normalise(str(cell)) for cell in row if cell is not None}
        except Exception:  # a damaged sheet: the importer's reader says what is wrong with it
            logger.info("headings of %s could not be read", "workbook", exc_info=True)
        finally:
            book.close()
        return found
    text = _decode(data[:4096]).lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    for separator in (";", ",", "\t"):
        if separator in first:
            return {normalise(part.strip().strip('"')) for part in first.split(separator)}
    return {normalise(first)}


def _decode(data: bytes) -> str:
    """The text of a file's start: UTF-16 when it has that BOM, else UTF-8, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[: len(data) - len(data) % 2].decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_kind(data: bytes, file_name: str) -> LoadKind:
    """Which kind of file this is, from its content; LoadRefused when it cannot tell."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        try:
            parsed = read_json(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise _refuse(file_name, "filen ser ut som JSON men är inte UTF-8-kodad. Hämta den igen från "
                                     "källan och ladda den oförändrad.") from exc
        except JsonUnreadable as exc:
            raise _refuse(file_name, f"filen ser ut som JSON men går inte att läsa; {exc}") from exc
        records = parsed.get("values", []) if isinstance(parsed, dict) else parsed
        first = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
        if "kpi" in first or (isinstance(parsed, dict) and "values" in parsed):
            return LoadKind.KOLADA
        if {"datetime", "location"} & first.keys() or ("name" in first and "summary" in first):
            return LoadKind.POLICE
        raise _refuse(file_name, "JSON-filen är varken Polisens händelser eller Kolada-värden. Ange typen "
                                 "(--kind) eller kontrollera filen.")
    if _decode(data[:200]).lstrip("\ufeff").startswith("Region;Brott"):
        return LoadKind.BRA
    tabular.file_kind(data, file_name)  # refuses images, binary junk, old Excel files with their own message
    headings = _first_headings(data)
    if "indikator" in headings:
        return LoadKind.OBSERVATIONS
    if "kategori" in headings:
        return LoadKind.EST
    if "region" in headings and "brott" in headings:
        return LoadKind.BRA
    found = ", ".join(f"'{h}'" for h in sorted(headings) if h)[:300] or "inga"
    where = "Ingen flik i arbetsboken har" if data[:2] == b"PK" else "Första raden har inte"
    raise _refuse(
        file_name,
        f"det gick inte att känna igen vilken sorts fil det är. {where} rubrikerna för indikatorvärden "
        "(indikator, område, period, värde) eller EST-rapporter (datum, plats, kategori), och Brå-exporter "
        f"börjar med 'Region;Brott'. Rubriker som finns: {found}. Välj typ av fil (--kind) eller utgå från "
        "mallen på sidan Data.",
    )


def _refuse_other_kind(data: bytes, file_name: str, chosen: LoadKind) -> None:
    """Refuse a file the user called CHOSEN when its content is plainly another kind."""
    try:
        found = detect_kind(data, file_name)
    except LoadRefused:
        return  # not recognisable: the chosen importer says what is wrong with it
    if found is not chosen:
        raise _refuse(
            file_name,
            f"filen ser ut som {KIND_NAMES[found]}, inte {KIND_NAMES[chosen]} som valts. Välj "
            f"{KIND_NAMES[found]} (på kommandoraden --kind {found.value}) eller låt typen kännas igen "
            "automatiskt.",
        )


def parse(data: bytes, file_name: str, cat, kind: LoadKind | None = None) -> Batch:
    """Parse and check a file of KIND (detected when None) against the catalogue CAT; never writes. The batch
    and its problems name the file by base.file_label(file_name) (no path, no control characters)."""
    file_name = file_label(file_name)
    if not data:
        raise _refuse(file_name, "filen är tom. Välj en fil med innehåll.")
    if (too_large := size_problem(len(data), file_limit(MAX_FILE_BYTES))) is not None:
        raise _refuse(file_name, too_large)
    if kind is None:
        kind = detect_kind(data, file_name)
    else:
        _refuse_other_kind(data, file_name, kind)
    module = importlib.import_module(_MODULES[kind])
    try:
        return module.parse(data, file_name, cat)
    except LoadRefused:
        raise
    except Exception as exc:  # a bug in an importer must still end in a clear refusal, not a half load
        logger.exception("importer %s failed on %s", kind.value, file_name)
        raise _refuse(
            file_name,
            f"filen kunde inte läsas som {KIND_NAMES[kind]} på grund av ett fel i programmet ({type(exc).__name__}: "
            f"{exc}). Inget har lästs in. Kontrollera att du valt rätt typ av fil; rapportera annars felet med "
            "filen bifogad.",
        ) from exc


def load_file(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    *,
    user: Principal,
    kind: LoadKind | None = None,
    replace: bool = False,
    today: date | None = None,
    progress: Progress = _no_progress,
) -> LoadResult:
    """Parse, check and write a file in one go (the command line's load); LoadRefused or AccessDenied writes
    nothing."""
    progress(0.0, "Läser filen …")
    batch = parse(data, file_name, catalogue(con, today), kind)
    return apply(con, batch, user=user, replace=replace, progress=progress)
