"""A snapshot of what files are checked against: the catalogue tables of a database."""

from __future__ import annotations

from datetime import date

import duckdb

from followup.imports.base import Catalogue

_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("code", "name", "unit", "direction", "frequency", "sensitive", "aggregation", "level",
                  "event_category"),
    "district": ("code", "name", "kind", "valid_from", "valid_to"),
    "place": ("code", "name", "district"),
    "place_alias": ("alias", "district", "place"),
    "source_code": ("source", "code", "indicator"),
    "event_category": ("code", "name"),
}


def catalogue(con: duckdb.DuckDBPyConnection, today: date | None = None) -> Catalogue:
    """The catalogue tables of the database as DataFrames; TODAY (default: the real today) bounds dates."""
    cursor = con.cursor()
    try:
        frames = {
            table: cursor.table(table).select(*columns).order(columns[0]).df()
            for table, columns in _COLUMNS.items()
        }
    finally:
        cursor.close()
    for column in ("valid_from", "valid_to"):
        frames["district"][column] = [
            None if value is None or value != value else value.date() if hasattr(value, "date") else value
            for value in frames["district"][column]
        ]
    return Catalogue(
        indicators=frames["indicator"],
        districts=frames["district"],
        places=frames["place"],
        aliases=frames["place_alias"],
        source_codes=frames["source_code"],
        categories=frames["event_category"],
        today=today or date.today(),
    )
