"""The schema in a database: its version, creation and migration, the version checks, and database_info."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from followup import config, migrations, reference
from followup.errors import DatabaseError, EmptyLakeError, SchemaVersionError


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
    if version is None:
        raise SchemaVersionError(
            "Tabellen schema_version är tom, så databasens version är okänd. Skapa en ny databas med "
            "'python -m followup init' eller 'python -m followup demo', eller välj en annan fil med --db."
        )
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
        raise SchemaVersionError(newer_message(found, latest))
    pending: list[str] = []
    for version in range(found + 1, latest + 1):
        # separate statements: a step need not end with ';'
        pending += [steps[version], f"insert into schema_version (version) values ({version})"]
    try:
        _in_transaction(con, pending)
        if steps is migrations.MIGRATIONS and con.execute("select count(*) from district").fetchone()[0]:
            reference.add_missing(con)  # reference rows that came with the new version
    except duckdb.Error as exc:
        raise DatabaseError(
            f"Uppgraderingen av databasen från schemaversion {found} till {latest} misslyckades och har "
            f"ångrats, så filen är oförändrad. Orsak: {exc}. Använd den version av programmet som skapade "
            "filen tills felet är rättat, eller skapa en ny databas med 'python -m followup demo'."
        ) from exc
    return latest


def newer_message(found: int, latest: int) -> str:
    """Swedish message for a database made by a newer version of the program."""
    return (
        f"Databasen har schemaversion {found} men det här programmet känner bara till version "
        f"{latest}. Den har skapats av en nyare version: uppdatera programmet (git pull) i stället "
        "för att ändra filen."
    )


def _in_transaction(con: duckdb.DuckDBPyConnection, scripts: list[str]) -> None:
    con.execute("begin transaction")
    try:
        for script in scripts:
            con.execute(script)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def require_current_file(con: duckdb.DuckDBPyConnection) -> None:
    """A file opened read-only must be at the program's version (an empty one passes: nothing to read)."""
    found = schema_version(con)
    latest = migrations.latest_version()
    if found is not None and found > latest:
        raise SchemaVersionError(newer_message(found, latest))
    if found is not None and found < latest:
        raise SchemaVersionError(
            f"Databasen har schemaversion {found}, programmet version {latest}. Öppna den en gång "
            "med skrivrätt (python -m followup migrate) så uppgraderas den."
        )


def require_current_lake(con: duckdb.DuckDBPyConnection, described: str) -> None:
    """A lake opens only at the program's schema version (it is filled by copying a file in, see transfer);
    DESCRIBED names it in messages."""
    found = schema_version(con)
    latest = migrations.latest_version()
    if found is None:
        raise EmptyLakeError(
            f"Den delade databasen {described} är tom. Flytta in en databas med 'python -m followup copy "
            "FIL FOLLOWUP_DB', skapa en tom med 'python -m followup init', eller starta dashboarden, som fyller "
            "en tom delad databas med exempeldata."
        )
    if found > latest:
        raise SchemaVersionError(newer_message(found, latest))
    if found < latest:
        raise SchemaVersionError(
            f"Den delade databasen har schemaversion {found}, programmet version {latest}. Uppgradera den en gång "
            "med 'python -m followup migrate' (FOLLOWUP_DB pekar på den); under tiden väntar andra skrivningar."
        )


def info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The database_info key/value facts (e.g. demo = 'true')."""
    return dict(con.execute("select key, value from database_info").fetchall())


ENTERED_TABLES = ("import_log", "observation", "event", "target", "activity", "comment")
"""Tables whose rows someone loaded or wrote; reference tables are not among them."""


def holds_entered_data(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any row was loaded or written beyond the reference data."""
    return any(con.table(name).limit(1).fetchone() is not None for name in ENTERED_TABLES)


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database holds generated demo data (the UI then says 'Exempeldata')."""
    return info(con).get("demo") == "true"
