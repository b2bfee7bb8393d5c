"""The shared backend: DuckLake, its catalogue in PostgreSQL and its data as Parquet files on a shared path.

Selected by configuration only: FOLLOWUP_DB=ducklake:postgres:<libpq conninfo> (FOLLOWUP_LAKE_DATA names the
shared data folder when a new lake is created). The lake is opened as the connection's main database, so
queries/*.sql, cursors and the core run unchanged. The two extensions (ducklake, postgres_scanner) are
loaded from the files of their pip packages, built for duckdb 1.5.5; nothing is ever downloaded.

DuckLake has no keys, checks, sequences or RETURNING, and two transactions that only insert never conflict,
so every write here (see write_transaction):
1. takes a PostgreSQL advisory lock, so writers go one at a time across every replica (readers never wait);
2. creates TEMP sequences that continue each id column (the lake's `default nextval('x')` binds to them);
3. runs the schema's checks (followup.lake_schema, derived from data/schema.sql) on the tables it wrote;
4. commits; a DuckLake "Transaction conflict" (a writer outside the app) becomes LakeConflict.

Its errors derive from followup.errors' DatabaseError kinds (LakeBusy is a DatabaseBusyError, LakeConflict a
DatabaseConflictError), so no caller maps them.
"""

from __future__ import annotations

import importlib
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import duckdb
import psycopg

from followup import config, lake_schema
from followup.duckfile import require_open
from followup.errors import DatabaseBusyError, DatabaseConflictError, DatabaseError

PREFIX = config.LAKE_PREFIX
CATALOGUE_PREFIX = "ducklake:postgres:"
DATA_ENV = "FOLLOWUP_LAKE_DATA"
WAIT_ENV = "FOLLOWUP_WRITE_WAIT"
DEFAULT_WAIT = 30.0
"""Seconds a write waits for another replica's write before it is refused."""
EXTENSIONS = ("postgres_scanner", "ducklake")
LOCK_KEY = 0x666F6C6C6F777570  # "followup": the advisory lock every writer of a lake takes
_SECRET = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class LakeError(DatabaseError):
    """Base of the lake's errors: a DatabaseError whose message names the shared database."""


def is_lake(target: object) -> bool:
    """True when a database target (FOLLOWUP_DB, --db) names the shared backend rather than a file."""
    return isinstance(target, str) and target.strip().lower().startswith(PREFIX)


def conninfo(url: str) -> str:
    """The PostgreSQL conninfo of the lake's catalogue (the text after 'ducklake:postgres:')."""
    if not url.strip().lower().startswith(CATALOGUE_PREFIX):
        raise LakeError(
            f"FOLLOWUP_DB={redact(url)} stöds inte: den delade databasen måste ha sin katalog i PostgreSQL, "
            "till exempel FOLLOWUP_DB='ducklake:postgres:dbname=followup host=db.example user=followup'."
        )
    return url.strip()[len(CATALOGUE_PREFIX):]


def redact(text: str) -> str:
    """TEXT with any password=… of a conninfo replaced, for messages and logs."""
    return _SECRET.sub(r"\1***", text)


def describe(url: str) -> str:
    """The catalogue's database and host for messages, e.g. 'followup på db.example'."""
    fields = dict(re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", conninfo(url)))
    where = fields.get("host", os.environ.get("PGHOST", "localhost"))
    return f"{fields.get('dbname', os.environ.get('PGDATABASE', '?'))} på {where}"


def extension_file(name: str) -> Path:
    """The extension file shipped by the pip package duckdb-extension-NAME for the installed duckdb."""
    package = f"duckdb_extension_{name}"
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise LakeError(
            f"Paketet {package.replace('_', '-')}=={duckdb.__version__} saknas, och den delade databasen "
            "behöver det. Installera de låsta paketen: pip install -r requirements.txt."
        ) from exc
    path = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise LakeError(
            f"Paketet {package.replace('_', '-')} har ingen fil för duckdb {duckdb.__version__} ({path}). "
            "Installera samma version som duckdb: pip install -r requirements.txt."
        )
    return path


@cache
def extension_dir() -> Path:
    """A private extension directory whose entries link to the packages' files, for DuckDB's autoload.

    DuckDB opens a lake named as the main database only by autoloading its extensions from an extension
    directory; this one holds links to the pip packages' files (autoinstall is off: nothing is downloaded).
    """
    platform = duckdb.connect().execute("pragma platform").fetchone()[0]
    root = Path(tempfile.gettempdir()) / f"followup-duckdb-extensions-{os.getuid()}"
    folder = root / f"v{duckdb.__version__}" / platform
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if root.stat().st_uid != os.getuid():
        raise LakeError(f"Mappen {root} tillhör en annan användare; ta bort den och försök igen.")
    for name in EXTENSIONS:
        link, target = folder / f"{name}.duckdb_extension", extension_file(name)
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        spare = folder / f".{name}.{os.getpid()}.link"
        spare.unlink(missing_ok=True)
        spare.symlink_to(target)
        os.replace(spare, link)  # atomic: a concurrent process sees the old link or the new one
    return root


def _config() -> dict[str, object]:
    """DuckDB settings for a lake: extensions only from extension_dir(), never installed or downloaded."""
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
        "extension_directory": str(extension_dir()),
    }


NEEDS_DATA_PATH = "data_path is not set"


def connect(url: str) -> duckdb.DuckDBPyConnection:
    """Open the lake as the main database of a new DuckDB connection; cursors and queries/ see its tables."""
    conninfo(url)
    try:
        return duckdb.connect(url.strip(), config=_config())
    except duckdb.Error as exc:
        text = str(exc)
        if NEEDS_DATA_PATH in text:
            data = os.environ.get(DATA_ENV, "").strip()
            if not data:
                raise LakeError(
                    f"Den delade databasen {describe(url)} finns inte än. Ange mappen för dess datafiler med "
                    f"{DATA_ENV} (en delad mapp som alla repliker når) så skapas den vid nästa start."
                ) from exc
            create(url, data)
            return connect(url)
        raise LakeError(_connect_message(url, text)) from exc


def _connect_message(url: str, text: str) -> str:
    """Swedish message for a lake that could not be opened."""
    if "Connection refused" in text or "could not connect" in text or "could not translate host" in text:
        cause = "PostgreSQL svarar inte"
        fix = "Kontrollera att PostgreSQL kör och att värd, port och databas i FOLLOWUP_DB stämmer."
    elif "password" in text or "authentication" in text:
        cause = "PostgreSQL godtog inte inloggningen"
        fix = "Ange användare i FOLLOWUP_DB och lösenordet i PGPASSWORD eller ~/.pgpass."
    elif "does not exist" in text and "database" in text:
        cause = "databasen finns inte i PostgreSQL"
        fix = "Skapa den (createdb) eller rätta dbname i FOLLOWUP_DB."
    else:
        cause, fix = redact(text), "Kontrollera FOLLOWUP_DB och PostgreSQL."
    return f"Den delade databasen {describe(url)} kunde inte öppnas: {cause}. {fix}"


def create(url: str, data_path: str | os.PathLike) -> None:
    """Create a new, empty lake: its catalogue tables in PostgreSQL and DATA_PATH for its Parquet files."""
    folder = Path(data_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LakeError(f"Mappen {folder} för den delade databasens datafiler kunde inte skapas ({exc.strerror}).") from exc
    con = duckdb.connect(config=_config())
    try:
        # ATTACH takes no bound parameters: both values come from the operator's configuration, quoted here
        con.execute(f"attach {_quote(url.strip())} as new_lake (data_path {_quote(str(folder) + os.sep)})")
        # every table in Parquet: rows inlined into PostgreSQL (DuckLake's default for writes of up to 10 rows)
        # are scanned through PostgreSQL, which made the pages' reference-table joins about a third slower
        con.execute("call new_lake.set_option('data_inlining_row_limit', 0)")
        con.execute("detach new_lake")
    except duckdb.Error as exc:
        raise LakeError(_connect_message(url, str(exc))) from exc
    finally:
        con.close()


def _quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def lake_url(con: duckdb.DuckDBPyConnection) -> str | None:
    """The 'ducklake:postgres:…' URL when CON's main database is a lake, else None."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database() and type = 'ducklake'"
    ).fetchone()
    return None if row is None else PREFIX + row[0]


def lake_url_of(con: duckdb.DuckDBPyConnection, database: str) -> str | None:
    """The 'ducklake:postgres:…' URL of the attached lake DATABASE, else None."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = $name and type = 'ducklake'", {"name": database}
    ).fetchone()
    return None if row is None else PREFIX + row[0]


def snapshot_id(con: duckdb.DuckDBPyConnection) -> int:
    """The lake's current snapshot: a new one with every commit, so it serves as the data version."""
    return int(con.execute("select id from current_snapshot()").fetchone()[0])


def write_wait() -> float:
    """Seconds a write waits for another writer ($FOLLOWUP_WRITE_WAIT, default 30)."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


class LakeBusy(LakeError, DatabaseBusyError):
    """Another replica held the write lock for longer than the wait."""


@contextmanager
def write_lock(url: str, wait: float | None = None) -> Iterator[None]:
    """Hold the lake's advisory lock in PostgreSQL for the block; wait up to WAIT seconds, then LakeBusy.

    The lock belongs to this PostgreSQL session: a writer that dies (even by SIGKILL) loses it at once.
    """
    wait = write_wait() if wait is None else wait
    name = f"followup {socket.gethostname()} pid {os.getpid()}"[:63]
    try:
        session = psycopg.connect(conninfo(url), autocommit=True, application_name=name, connect_timeout=10)
    except psycopg.Error as exc:
        raise LakeError(_connect_message(url, str(exc))) from exc
    try:
        deadline = time.monotonic() + wait
        while not session.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise LakeBusy(_busy_message(session, wait))
            time.sleep(0.05)
        try:
            yield
        finally:
            with suppress(psycopg.Error):
                session.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
    finally:
        session.close()


def _busy_message(session: object, wait: float) -> str:
    """Swedish message naming the writer that holds the lock and since when."""
    row = session.execute(  # type: ignore[attr-defined]
        "select a.application_name, to_char(a.state_change, 'HH24:MI:SS') from pg_locks l "
        "join pg_stat_activity a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.granted and (l.classid::bigint << 32 | l.objid::bigint) = %s",
        (LOCK_KEY,),
    ).fetchone()
    holder = f"sedan {row[1]} ({row[0]})" if row and row[1] else (f"({row[0]})" if row else "(en annan process)")
    return (
        f"En annan skrivning i den delade databasen pågår {holder}, och den här väntade i "
        f"{f'{wait:g}'.replace('.', ',')} {'sekund' if wait == 1 else 'sekunder'}. "
        "Inget har sparats. Försök igen om en stund; en stor inläsning kan ta någon minut."
    )


class LakeConflict(LakeError, DatabaseConflictError):
    """DuckLake refused a commit because another transaction changed the same table."""


_WRITES: dict[int, set[str]] = {}
"""The tables each open lake write transaction (by id of its cursor) has written."""
ALL_TABLES = "*"


def note_write(con: duckdb.DuckDBPyConnection, table: str | None) -> None:
    """Remember that CON's open write transaction writes TABLE (None: unknown, so every table is checked)."""
    written = _WRITES.get(id(con))
    if written is not None:
        written.add(table or ALL_TABLES)


@contextmanager
def write_transaction(con: duckdb.DuckDBPyConnection, url: str, *, commit: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of a lake connection inside one write transaction (see the module docstring).

    With COMMIT false (a preview) nothing is kept, so no lock is taken; the temp sequences still let it insert.
    """
    with write_lock(url) if commit else _nothing():
        cursor = con.cursor()
        _WRITES[id(cursor)] = set()
        try:
            _start_sequences(cursor, lake_schema.id_sequences())
            cursor.execute("begin transaction")
            try:
                yield cursor
                if not commit:
                    cursor.execute("rollback")
                    return
                written = _WRITES[id(cursor)]
                known = set(lake_schema.tables())
                tables = None if ALL_TABLES in written else sorted(written & known)  # not the temp tables
                if tables is None or tables:
                    problems = lake_schema.violations(cursor, tables)
                    if problems:
                        raise duckdb.ConstraintException("Constraint Error: " + " ".join(problems))
                require_open(cursor)
                try:
                    cursor.execute("commit")
                except duckdb.TransactionException as exc:
                    if "conflict" in str(exc).lower():
                        raise LakeConflict(_conflict_message(str(exc))) from exc
                    raise
            except BaseException:
                with suppress(duckdb.Error):  # after a failed COMMIT no transaction is left to roll back
                    cursor.execute("rollback")
                raise
        finally:
            _WRITES.pop(id(cursor), None)
            cursor.close()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _start_sequences(cursor: duckdb.DuckDBPyConnection, sequences: dict[str, tuple[str, str]]) -> None:
    """TEMP sequences that continue each id column; run under the write lock, so no other writer moves them."""
    if not sequences:
        return
    names = sorted(sequences)
    present = {row[0] for row in cursor.execute(
        "select table_name from duckdb_tables() where database_name = current_database()").fetchall()}
    # identifiers from the schema (lake_schema.id_sequences), not from users; a new lake starts at 1
    picks = ", ".join(f'(select coalesce(max("{sequences[n][1]}"), 0) from "{sequences[n][0]}")'
                      if sequences[n][0] in present else "0" for n in names)
    highest = cursor.execute(f"select {picks}").fetchone()
    for name, top in zip(names, highest, strict=True):
        cursor.execute(f'create or replace temp sequence "{name}" start {int(top) + 1}')


def _conflict_message(text: str) -> str:
    """Swedish message for a commit DuckLake refused because of a concurrent change."""
    return (
        "Någon annan ändrade samma tabell i den delade databasen medan den här ändringen sparades, så den "
        "sparades inte; inget av den har skrivits och den andras ändring är orörd. Försök igen. "
        f"(DuckLake: {text.split('Transaction conflict', 1)[-1].strip(' -')[:200]})"
    )
