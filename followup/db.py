"""Opening the database file: clear messages for a busy file, schema creation and migration."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import duckdb

from followup import config, migrations


class DatabaseError(Exception):
    """A database problem with a message in Swedish that says the cause and the fix."""


class DatabaseBusyError(DatabaseError):
    """Another process holds the database file."""


class SchemaVersionError(DatabaseError):
    """The file was made by a newer version of the program, or is not a follow-up database."""


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def busy_message(path: Path, error_text: str) -> str:
    """Swedish message for a lock conflict, naming the process that holds the file."""
    match = _LOCK_HOLDER.search(error_text)
    holder = (
        f"process {match['pid']} ({os.path.basename(match['program'])})" if match else "en annan process"
    )
    return (
        f"Databasfilen {path} används av {holder}. DuckDB låter bara en process skriva till filen. "
        "Stoppa den processen (till exempel en körande dashboard med Ctrl+C) eller vänta tills den är "
        "klar, och försök igen. Data kan också läsas in via dashboardens Data-sida medan den körs."
    )


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file (see config.db_path); a held lock raises DatabaseBusyError."""
    resolved = config.db_path(path)
    if read_only and not resolved.exists():
        raise DatabaseError(
            f"Databasfilen {resolved} finns inte. Skapa den med 'python -m followup demo --db {resolved}' "
            "eller peka ut en befintlig fil med FOLLOWUP_DB."
        )
    resolved.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(resolved), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(busy_message(resolved, str(exc))) from exc
        raise DatabaseError(f"Databasfilen {resolved} kunde inte öppnas: {exc}") from exc


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version stored in the database; None for an empty database."""
    tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    if not tables:
        return None
    if "schema_version" not in tables:
        raise SchemaVersionError(
            "Filen innehåller tabeller men ingen schemaversion: den är inte en uppföljningsdatabas. "
            "Välj en annan fil med FOLLOWUP_DB eller --db."
        )
    (version,) = con.execute("select max(version) from schema_version").fetchone()
    return int(version)


def ensure_schema(
    con: duckdb.DuckDBPyConnection,
    steps: Mapping[int, str] | None = None,
    schema_sql: str | None = None,
) -> int:
    """Create the schema in an empty database or migrate an older one; return the version now in force."""
    steps = migrations.MIGRATIONS if steps is None else steps
    latest = migrations.latest_version(steps)
    found = schema_version(con)
    if found == latest:
        return found
    if found is None:
        sql = schema_sql if schema_sql is not None else config.SCHEMA_FILE.read_text(encoding="utf-8")
        _in_transaction(con, [sql])
        return schema_version(con)
    if found > latest:
        raise SchemaVersionError(
            f"Databasen har schemaversion {found} men det här programmet känner bara till version "
            f"{latest}. Den har skapats av en nyare version: uppdatera programmet (git pull) i stället "
            "för att ändra filen."
        )
    pending = [steps[v] + f"\ninsert into schema_version (version) values ({v});" for v in range(found + 1, latest + 1)]
    _in_transaction(con, pending)
    return latest


def _in_transaction(con: duckdb.DuckDBPyConnection, scripts: list[str]) -> None:
    con.execute("begin transaction")
    try:
        for script in scripts:
            con.execute(script)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def open_database(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect and make sure the schema is current (read-only: only check it)."""
    con = connect(path, read_only=read_only)
    try:
        if read_only:
            found = schema_version(con)
            latest = migrations.latest_version()
            if found is not None and found != latest:
                raise SchemaVersionError(
                    f"Databasen har schemaversion {found}, programmet version {latest}. Öppna den en gång "
                    "med skrivrätt (python -m followup migrate) så uppgraderas den."
                )
        else:
            ensure_schema(con)
    except Exception:
        con.close()
        raise
    return con


def info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The database_info key/value facts (e.g. demo = 'true')."""
    return dict(con.execute("select key, value from database_info").fetchall())


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database holds generated demo data (the UI then says 'Exempeldata')."""
    return info(con).get("demo") == "true"
