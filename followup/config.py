"""Where things are: the repository's folders and the database path (FOLLOWUP_DB)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
GEO_DIR = DATA_DIR / "geo"
QUERIES_DIR = ROOT / "queries"
SCHEMA_FILE = DATA_DIR / "schema.sql"
DEFAULT_DB = DATA_DIR / "followup.duckdb"
DB_ENV = "FOLLOWUP_DB"


def db_path(explicit: str | os.PathLike | None = None) -> Path | str:
    """The database: an explicit path (--db), else $FOLLOWUP_DB, else data/followup.duckdb; a value starting
    'ducklake:' names the shared backend and is returned as the string it is (see followup.lake)."""
    value = str(explicit).strip() if explicit else os.environ.get(DB_ENV, "").strip()
    if value.lower().startswith(LAKE_PREFIX):
        return value
    return Path(value) if value else DEFAULT_DB


LAKE_PREFIX = "ducklake:"
