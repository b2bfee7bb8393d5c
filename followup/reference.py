"""Reference data: the agreement's areas and goals, districts, places and the indicator catalogue.

Each table has a CSV file of the same name under data/reference/ whose header names the table's
columns. They are loaded in dependency order, in the caller's transaction.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from followup import config

TABLES: tuple[str, ...] = (
    "district",
    "district_successor",
    "neighbourhood",
    "neighbourhood_district",
    "population",
    "place",
    "priority_area",
    "goal",
    "event_category",
    "indicator",
    "goal_indicator",
    "place_alias",
    "source_code",
)
"""Reference tables in the order their foreign keys need."""


def csv_path(table: str, folder: Path = config.REFERENCE_DIR) -> Path:
    """The CSV file that holds a reference table."""
    return folder / f"{table}.csv"


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path = config.REFERENCE_DIR) -> dict[str, int]:
    """Insert every reference CSV into its table; return rows loaded per table."""
    counts: dict[str, int] = {}
    for table in TABLES:
        path = csv_path(table, folder)
        # Table names come from the fixed TABLES tuple above, never from input; the path is bound.
        con.execute(
            f"insert into {table} by name "
            "select * from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"')",
            {"path": str(path)},
        )
        (counts[table],) = con.execute(f"select count(*) from {table}").fetchone()
    return counts


def add_missing(con: duckdb.DuckDBPyConnection, folder: Path = config.REFERENCE_DIR) -> dict[str, int]:
    """Insert reference rows the database lacks (by key), e.g. after an upgrade; return rows added per table."""
    added: dict[str, int] = {}
    for table in TABLES:
        path = csv_path(table, folder)
        (before,) = con.execute(f"select count(*) from {table}").fetchone()
        con.execute(
            f"insert or ignore into {table} by name "
            "select * from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"')",
            {"path": str(path)},
        )
        (after,) = con.execute(f"select count(*) from {table}").fetchone()
        added[table] = after - before
    return added
