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


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file: an explicit path (--db), else $FOLLOWUP_DB, else data/followup.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(DB_ENV, "").strip()
    return Path(env) if env else DEFAULT_DB
