"""The embedded backend's file: opening it with Swedish messages for a busy, missing or foreign file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from followup.errors import DatabaseBusyError, DatabaseError

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_LOCK_CONFLICT = re.compile(r"Could not set lock on file|Conflicting lock is held")


def busy_message(path: Path, error_text: str) -> str:
    """Swedish message for a lock conflict, naming the process that holds the file."""
    match = _LOCK_HOLDER.search(error_text)
    holder = (
        f"process {match['pid']} ({os.path.basename(match['program'])})" if match else "en annan process"
    )
    return (
        f"Databasfilen {path} används av {holder}. DuckDB låter bara en process skriva till filen. "
        "Stoppa den processen (till exempel en körande dashboard med Ctrl+C) eller vänta tills den är "
        "klar, och försök igen. Körs dashboarden kan du läsa in filer på dess sida Data i stället."
    )


def is_lock_conflict(error_text: str) -> bool:
    """True when DuckDB's error says another process holds the file's lock."""
    return _LOCK_CONFLICT.search(error_text) is not None


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file PATH (its folder made when missing); a held lock raises DatabaseBusyError."""
    if read_only and not path.exists():
        raise DatabaseError(
            f"Databasfilen {path} finns inte. Skapa den med 'python -m followup demo --db {path}' "
            "eller peka ut en befintlig fil med FOLLOWUP_DB."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"Mappen {path.parent} för databasfilen kunde inte skapas ({exc.strerror}). "
            "Välj en annan fil med --db eller FOLLOWUP_DB."
        ) from exc
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if is_lock_conflict(text):
            raise DatabaseBusyError(busy_message(path, text)) from exc
        if "not a valid DuckDB database file" in text:
            raise DatabaseError(
                f"Filen {path} är ingen DuckDB-databas. Välj en annan fil med --db eller FOLLOWUP_DB."
            ) from exc
        raise DatabaseError(f"Databasfilen {path} kunde inte öppnas: {exc}") from exc


def require_open(con: duckdb.DuckDBPyConnection) -> None:
    """Raise (duckdb.TransactionException, Swedish) when CON's transaction was aborted by an error the block
    caught: DuckDB's COMMIT would then roll back without a word."""
    try:
        con.execute("select 1")
    except duckdb.TransactionException as exc:
        raise duckdb.TransactionException(ABORTED) from exc


ABORTED = (
    "Ändringen sparades inte: ett fel mitt i den avbröt transaktionen, och inget av den har skrivits. "
    "Försök igen; händer det igen, rapportera felet."
)
