"""Opening the database file: clear messages for a busy file, schema creation and migration."""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb

from followup import config, lake, migrations, reference


class DatabaseError(Exception):
    """A database problem with a message in Swedish that says the cause and the fix."""


class DatabaseBusyError(DatabaseError):
    """Another process holds the database file."""


class SchemaVersionError(DatabaseError):
    """The file was made by a newer version of the program, or is not a follow-up database."""


class DatabaseConflictError(DatabaseError):
    """The shared backend refused a commit: another transaction changed the same table at the same time."""


class EmptyLakeError(DatabaseError):
    """The shared backend holds no follow-up database yet."""


@contextmanager
def lake_errors() -> Iterator[None]:
    """Re-raise the shared backend's errors (followup.lake) as this module's kinds, with the same messages."""
    try:
        yield
    except lake.LakeBusy as exc:
        raise DatabaseBusyError(str(exc)) from exc
    except lake.LakeConflict as exc:
        raise DatabaseConflictError(str(exc)) from exc
    except lake.LakeError as exc:
        raise DatabaseError(str(exc)) from exc


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


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file (see config.db_path) or the shared backend; a held lock raises DatabaseBusyError."""
    resolved = config.db_path(path)
    if lake.is_lake(resolved):
        with lake_errors():
            return lake.connect(str(resolved))
    if read_only and not resolved.exists():
        raise DatabaseError(
            f"Databasfilen {resolved} finns inte. Skapa den med 'python -m followup demo --db {resolved}' "
            "eller peka ut en befintlig fil med FOLLOWUP_DB."
        )
    try:
        resolved.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"Mappen {resolved.parent} för databasfilen kunde inte skapas ({exc.strerror}). "
            "Välj en annan fil med --db eller FOLLOWUP_DB."
        ) from exc
    try:
        return duckdb.connect(str(resolved), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if _LOCK_CONFLICT.search(text):
            raise DatabaseBusyError(busy_message(resolved, text)) from exc
        if "not a valid DuckDB database file" in text:
            raise DatabaseError(
                f"Filen {resolved} är ingen DuckDB-databas. Välj en annan fil med --db eller FOLLOWUP_DB."
            ) from exc
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
        raise SchemaVersionError(_newer_message(found, latest))
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


def _newer_message(found: int, latest: int) -> str:
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


def open_database(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect and make sure the schema is current (read-only: only check it)."""
    con = connect(path, read_only=read_only)
    try:
        if lake.is_lake(config.db_path(path)):
            _check_lake(con, config.db_path(path))
        elif read_only:
            found = schema_version(con)
            latest = migrations.latest_version()
            if found is not None and found > latest:
                raise SchemaVersionError(_newer_message(found, latest))
            if found is not None and found < latest:
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


def _check_lake(con: duckdb.DuckDBPyConnection, url: str) -> None:
    """A lake opens only at the program's schema version (it is filled by copying a file in, see transfer)."""
    found = schema_version(con)
    latest = migrations.latest_version()
    if found is None:
        raise EmptyLakeError(
            f"Den delade databasen {lake.describe(url)} är tom. Flytta in en databas med 'python -m followup copy "
            "FIL FOLLOWUP_DB', skapa en tom med 'python -m followup init', eller starta dashboarden, som fyller "
            "en tom delad databas med exempeldata."
        )
    if found > latest:
        raise SchemaVersionError(_newer_message(found, latest))
    if found < latest:
        raise SchemaVersionError(
            f"Den delade databasen har schemaversion {found}, programmet version {latest}. Kopiera ut den till en "
            "fil (python -m followup copy FOLLOWUP_DB FIL), uppgradera filen (python -m followup migrate --db FIL) "
            "och kopiera in den i en tom delad databas."
        )


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """True when CON's main database is the shared backend."""
    return lake.lake_url(con) is not None


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of CON inside one transaction: committed at the end (rolled back when COMMIT is false),
    rolled back on any error. On the shared backend the write also waits its turn, gets ids and is checked
    against the schema's rules before it commits (followup.lake.write_transaction)."""
    url = lake.lake_url(con)
    if url is not None:
        with lake_errors(), lake.write_transaction(con, url, commit=commit) as cursor:
            yield cursor
        return
    cursor = con.cursor()
    try:
        cursor.execute("begin transaction")
        try:
            yield cursor
            if commit:
                lake.require_open(cursor)  # a caught error aborted it: COMMIT would roll back silently
            cursor.execute("commit" if commit else "rollback")
        except BaseException:
            cursor.execute("rollback")
            raise
    finally:
        cursor.close()


def open_database_waiting(
    path: str | os.PathLike | None, wait: float, *, on_wait: Callable[[], None] = lambda: None
) -> duckdb.DuckDBPyConnection:
    """open_database for writing, retrying for up to WAIT seconds while another process holds the file."""
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return open_database(path)
        except DatabaseBusyError:
            if time.monotonic() >= deadline:
                raise
            if not told:
                on_wait()
                told = True
            time.sleep(0.1 + random.random() * 0.2)


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
