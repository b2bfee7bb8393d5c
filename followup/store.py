"""The storage backend as one object: a DuckDB file (FileStore) or the shared lake (LakeStore) behind one interface.

`open(target)` picks the implementation once, from --db / $FOLLOWUP_DB / the default file, the way an HTTP client
picks its transport; callers then use the Store and never ask which kind it is:

- describe() names it in messages (the file, or the lake's database and host, never a password);
- connect() opens a raw connection, open_database() one whose schema is current (a file is migrated);
- connection() is the process's one shared connection (the dashboard's), reopened when something closed it;
- reading() a cursor of it, transaction(con) a cursor in one write transaction with the backend's lock;
- data_version(con) changes with every write (the pages' caches are keyed on it);
- fill_new(build) creates the database from a file BUILD writes, copy_in / copy_out move a whole database
  between a file and a lake (followup.transfer), maintain() tidies the lake's files (followup.maintenance).

Every failure is a followup.errors.Refused with a Swedish message. The core's functions take connections:
transaction(con) gives them their backend's write transaction (followup.db.transaction is it).
"""

from __future__ import annotations

import os
import random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import duckdb

from followup import config, duckfile, fmt, lake, maintenance, migrations, queries, schema, transfer
from followup.errors import BadInput, DatabaseBusyError, DatabaseError, EmptyLakeError

PROG = "python -m followup"

Build = Callable[[Path], object]
"""Writes a new database to the file it is given (e.g. demo.build)."""
Transaction = AbstractContextManager[duckdb.DuckDBPyConnection]
"""A write transaction: entering it gives its cursor."""


class Store(ABC):
    """A database the program reads and writes: one file or one shared lake."""

    shared: bool = False
    """True for a database many processes and replicas share (the lake); only messages and docs use it."""

    def __init__(self) -> None:
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    @property
    @abstractmethod
    def key(self) -> str:
        """The text that identifies it: the absolute file path or the lake's URL (cache keys start with it)."""

    @abstractmethod
    def describe(self) -> str:
        """The database for messages."""

    @abstractmethod
    def exists(self) -> bool:
        """True when there is something to open (a file on disk; a lake is asked when opened)."""

    @abstractmethod
    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A new connection; a busy database raises DatabaseBusyError."""

    @abstractmethod
    def open_database(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A new connection whose schema is the program's (a file is created or migrated unless READ_ONLY)."""

    @abstractmethod
    def transaction(self, con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Transaction:
        """A cursor of CON in one write transaction, committed at the end (rolled back when COMMIT is false)."""

    @abstractmethod
    def data_version(self, con: duckdb.DuckDBPyConnection) -> str:
        """A fingerprint of what the database holds; every load, undo and audited write changes it."""

    @abstractmethod
    def fill_new(self, build: Build, *, replace_demo: bool = False, force: bool = False,
                 on_start: Callable[[], None] = lambda: None) -> None:
        """Create the database from the file BUILD writes; refuse to replace one that holds entered data.

        REPLACE_DEMO: a file holding a demo or nothing may be replaced (FORCE: any file). ON_START is called once
        the checks that can be made before building have passed (the command line's progress line)."""

    @abstractmethod
    def fill_if_missing(self, build: Build) -> None:
        """On first start: build the database when there is none yet (the dashboard's demo)."""

    def copy_in(self, source: Store) -> dict[str, int]:
        """Copy the database file SOURCE into this (empty) shared database; rows per table."""
        raise BadInput(f"{self.describe()} är ingen delad databas; copy kopierar in i en delad databas "
                       "(ducklake:postgres:…).")

    def copy_out(self, target: Store) -> dict[str, int]:
        """Copy this shared database into TARGET, a new database file; rows per table."""
        raise BadInput(f"{self.describe()} är ingen delad databas; en databasfil kopieras med cp.")

    @abstractmethod
    def maintain(self, older_than: timedelta) -> maintenance.Report | None:
        """Tidy the database's files; None when the backend keeps itself in order."""

    def require_exists(self) -> None:
        """Refuse, naming how to create it, when there is nothing to open."""

    def require_new(self) -> None:
        """Refuse before any work when the database may not be created (a file that exists already)."""

    @abstractmethod
    def migrate(self) -> tuple[int | None, int]:
        """Upgrade to the program's schema version; (version found, version now). A lake says how instead."""

    @abstractmethod
    def facts(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """Lines for `info` that say where the data lies."""

    @abstractmethod
    def empty_hint(self) -> str:
        """What to do with an empty database, for `info`."""

    def open_waiting(self, wait: float, *, on_wait: Callable[[], None] = lambda: None) -> duckdb.DuckDBPyConnection:
        """open_database for writing, retrying for up to WAIT seconds while another process holds the database."""
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                return self.open_database()
            except DatabaseBusyError:
                if time.monotonic() >= deadline:
                    raise
                if not told:
                    on_wait()
                    told = True
                time.sleep(0.1 + random.random() * 0.2)

    def connection(self, build: Build | None = None) -> duckdb.DuckDBPyConnection:
        """The process's shared connection (opened on first use, after BUILD fills a missing database).

        The Store owns it, not a cache: whoever clears a cache cannot close it under another user's run, and
        a connection closed anyway (close(), a test) is opened again on the next call.
        """
        con = self._con
        if con is not None and _is_open(con):
            return con
        with self._lock:  # one opener (and one demo build) per process; a failure is not kept
            if self._con is None or not _is_open(self._con):
                if build is not None:
                    self.fill_if_missing(build)
                self._con = self.open_database()
            return self._con

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the shared connection for one reader (a connection is not safe across threads)."""
        cursor = self.connection().cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        """Close the shared connection (a later connection() opens a new one)."""
        with self._lock:
            con, self._con = self._con, None
        if con is not None:
            con.close()


def _is_open(con: duckdb.DuckDBPyConnection) -> bool:
    """True while CON can still run statements (DuckDB has no 'closed' attribute)."""
    try:
        con.cursor().close()
    except duckdb.ConnectionException:
        return False
    return True


@contextmanager
def file_transaction(con: duckdb.DuckDBPyConnection, commit: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of CON in one transaction of the embedded backend (DuckDB's own locking and constraints)."""
    cursor = con.cursor()
    try:
        cursor.execute("begin transaction")
        try:
            yield cursor
            if commit:
                duckfile.require_open(cursor)  # a caught error aborted it: COMMIT would roll back silently
            cursor.execute("commit" if commit else "rollback")
        except BaseException:
            cursor.execute("rollback")
            raise
    finally:
        cursor.close()


class FileStore(Store):
    """One DuckDB file: one writing process at a time (DuckDB's own file lock), the rest of it in this process."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    @property
    def key(self) -> str:
        return str(self.path.resolve())

    def describe(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return duckfile.connect(self.path, read_only=read_only)

    def open_database(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        con = self.connect(read_only=read_only)
        try:
            if read_only:
                schema.require_current_file(con)
            else:
                schema.ensure_schema(con)
        except Exception:
            con.close()
            raise
        return con

    def transaction(self, con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Transaction:
        return file_transaction(con, commit)

    def data_version(self, con: duckdb.DuckDBPyConnection) -> str:
        row = queries.run(con, "data_version").iloc[0]
        return f"{row.last_load}-{row.loads}-{row.undone_loads}-{row.last_write}"

    def missing(self) -> DatabaseError:
        """The refusal for a file that does not exist."""
        return DatabaseError(
            f"Databasfilen {self.path} finns inte. Skapa den med '{PROG} init' (tom) eller '{PROG} demo' "
            "(exempeldata), eller välj en annan fil med --db eller FOLLOWUP_DB."
        )

    def require_exists(self) -> None:
        if not self.path.exists():
            raise self.missing()

    def require_new(self) -> None:
        if self.path.exists():
            raise _exists(self.path)

    def migrate(self) -> tuple[int | None, int]:
        self.require_exists()
        latest = migrations.latest_version()
        with closing(self.connect()) as con:
            found = schema.schema_version(con)
            if found is None:
                raise DatabaseError(
                    f"Databasfilen {self.path} är tom. Skapa en databas med '{PROG} init' eller '{PROG} demo'."
                )
            if found != latest:
                schema.ensure_schema(con)  # refuses a newer version, rolls back a failed step
        return found, latest

    def facts(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        return [f"Databasfil: {self.path} ({fmt.number(self.path.stat().st_size / 1_000_000, 1)} MB)"]

    def empty_hint(self) -> str:
        return f"Databasen är tom. Skapa den med '{PROG} init' eller '{PROG} demo'."

    def fill_new(self, build: Build, *, replace_demo: bool = False, force: bool = False,
                 on_start: Callable[[], None] = lambda: None) -> None:
        if replace_demo:
            check_replaceable(self.path, force=force)
            on_start()
            build(self.path)  # demo.build writes beside the file and renames over it
        else:
            self.require_new()
            on_start()
            create_new(self.path, build)

    def fill_if_missing(self, build: Build) -> None:
        if self.path.exists():
            return
        try:
            build(self.path)
        except OSError as exc:
            raise DatabaseError(
                f"Exempeldatabasen kunde inte skapas som {self.path} ({exc.strerror or exc}). Peka ut en fil i en "
                "mapp som går att skriva till med miljövariabeln FOLLOWUP_DB och starta om dashboarden."
            ) from exc

    def maintain(self, older_than: timedelta) -> maintenance.Report | None:
        self.require_exists()
        with closing(self.connect()) as con:
            schema.schema_version(con)  # refuses a file that is not a follow-up database
            con.execute("checkpoint")
        return None


class LakeStore(Store):
    """The shared backend: DuckLake with its catalogue in PostgreSQL (followup.lake); writers take turns."""

    shared = True

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        lake.conninfo(url)  # refuses a URL that does not name a PostgreSQL catalogue

    @property
    def key(self) -> str:
        return self.url

    def describe(self) -> str:
        return f"den delade databasen {lake.describe(self.url)}"

    def exists(self) -> bool:
        return True  # created on first connect from $FOLLOWUP_LAKE_DATA, or refused with a message saying how

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return lake.connect(self.url)  # readers never block writers: no read-only mode is needed

    def open_database(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        con = self.connect()
        try:
            schema.require_current_lake(con, lake.describe(self.url))
        except Exception:
            con.close()
            raise
        return con

    def transaction(self, con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Transaction:
        return lake.write_transaction(con, self.url, commit=commit)

    def data_version(self, con: duckdb.DuckDBPyConnection) -> str:
        return f"snapshot-{lake.snapshot_id(con)}"  # one catalogue lookup instead of two table scans

    def migrate(self) -> tuple[int | None, int]:
        latest = migrations.latest_version()
        with closing(self.connect()) as con:
            found = schema.schema_version(con)
            if found is None or found > latest:
                schema.require_current_lake(con, lake.describe(self.url))  # says why and what to do instead
            if found < latest:
                try:
                    with self.transaction(con) as cursor:  # the write lock, and the schema's checks before COMMIT
                        transfer.upgrade_lake(cursor, found)
                except duckdb.Error as exc:
                    raise DatabaseError(
                        f"Uppgraderingen av {self.describe()} från schemaversion {found} till {latest} misslyckades "
                        f"och har ångrats, så den är oförändrad. Orsak: {exc}. Rätta raderna som nämns (eller "
                        "ångra laddningen de kom med) med den version av programmet som skapade databasen, och "
                        "uppgradera igen."
                    ) from exc
        return found, latest

    def facts(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        return [f"Delad databas: {lake.describe(self.url)} (DuckLake, katalogen i PostgreSQL)",
                f"Datafiler: {maintenance.data_path(con) or 'okänd mapp'}"]

    def empty_hint(self) -> str:
        return (f"Den delade databasen är tom. Fyll den med '{PROG} copy FIL FOLLOWUP_DB' (en befintlig "
                f"databasfil), '{PROG} init' (tom) eller '{PROG} demo' (exempeldata).")

    def fill_new(self, build: Build, *, replace_demo: bool = False, force: bool = False,
                 on_start: Callable[[], None] = lambda: None) -> None:
        on_start()  # whether it is empty is asked under the write lock, while filling
        with data_path_hint():
            filled = transfer.fill_if_empty(self.url, build)
        if not filled:
            raise DatabaseError(
                f"Den delade databasen {lake.describe(self.url)} innehåller redan data, och kommandoraden ersätter "
                f"aldrig en delad databas{' (--force gäller bara databasfiler)' if force else ''}. Inget har ändrats. "
                f"Vill du börja om: kopiera ut den till en fil först ('{PROG} copy FOLLOWUP_DB FIL') och sätt sedan "
                "FOLLOWUP_DB till en ny, tom PostgreSQL-databas."
            )

    def fill_if_missing(self, build: Build) -> None:
        try:
            self.open_database().close()
        except EmptyLakeError:
            transfer.fill_if_empty(self.url, build)  # under the lake's write lock: one replica builds

    def copy_in(self, source: Store) -> dict[str, int]:
        if not isinstance(source, FileStore):
            return super().copy_in(source)
        if not source.exists():
            raise DatabaseError(f"Databasfilen {source} finns inte, så det finns inget att kopiera. Ange en "
                                "befintlig databasfil som källa.")
        with data_path_hint():
            return transfer.file_into_lake(source.path, self.url)

    def copy_out(self, target: Store) -> dict[str, int]:
        if not isinstance(target, FileStore):
            return super().copy_out(target)
        file = target.path
        if file.exists():
            raise _copy_target_exists(file)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"Mappen {file.parent} kunde inte skapas ({exc.strerror}). Välj en annan fil.") from exc
        counts: dict[str, int] = {}
        create_new(file, lambda temp: counts.update(transfer.lake_into_file(self.url, temp)), _copy_target_exists)
        return counts

    def maintain(self, older_than: timedelta) -> maintenance.Report | None:
        with closing(self.connect()) as con:
            return maintenance.maintain(con, older_than=older_than)


# --- choosing the implementation -------------------------------------------------------------------------------

_OPEN: dict[str, Store] = {}
_OPEN_LOCK = threading.Lock()


def open(target: str | os.PathLike | None = None) -> Store:  # noqa: A001  (the module is used as store.open)
    """The Store for TARGET (--db), else $FOLLOWUP_DB, else data/followup.duckdb; one object per database and
    process, so the shared connection() is shared by everyone in the process."""
    resolved = config.db_path(target)
    made = LakeStore(resolved.strip()) if isinstance(resolved, str) else FileStore(resolved)
    with _OPEN_LOCK:
        return _OPEN.setdefault(made.key, made)


def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Transaction:
    """A cursor of CON inside one write transaction of its backend (see Store.transaction)."""
    url = lake.lake_url(con)  # one catalogue lookup; a FileStore needs no path for a transaction
    return lake.write_transaction(con, url, commit=commit) if url else file_transaction(con, commit)


def close_all() -> None:
    """Close every shared connection of this process (tests; a server's shutdown)."""
    with _OPEN_LOCK:
        stores = list(_OPEN.values())
    for each in stores:
        with suppress(duckdb.Error):
            each.close()


# --- the file backend's whole-file operations --------------------------------------------------------------------


def _exists(path: Path) -> DatabaseError:
    return DatabaseError(
        f"Databasfilen {path} finns redan; init skapar bara nya filer. Välj en annan fil med --db, "
        f"uppgradera den befintliga med '{PROG} migrate', eller ta bort filen först."
    )


def _copy_target_exists(path: Path) -> DatabaseError:
    return DatabaseError(f"Filen {path} finns redan; copy skriver bara nya filer och ersätter aldrig en "
                         "befintlig. Välj ett nytt filnamn eller ta bort filen först.")


def remove_database_files(path: Path) -> None:
    """Delete a database file and its write-ahead log if they exist."""
    for file in (path, Path(f"{path}.wal")):
        file.unlink(missing_ok=True)


def ensure_free(path: Path) -> None:
    """Raise DatabaseBusyError when another process has the file open (read-only or not)."""
    try:
        probe = duckfile.connect(path)
    except DatabaseBusyError:
        raise
    except DatabaseError:
        return  # not a DuckDB file, so no DuckDB process can hold it
    probe.close()


def create_new(path: Path, fill: Build, exists: Callable[[Path], DatabaseError] | None = None) -> None:
    """Build a database with fill(temp) next to PATH, then put it at PATH, which must not exist (else the error
    EXISTS(PATH) makes, by default init's)."""
    exists = exists or _exists
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    remove_database_files(temp)
    try:
        fill(temp)
        with closing(duckdb.connect(str(temp))) as con:
            con.execute("checkpoint")  # everything in the main file, no write-ahead log to carry over
        try:
            os.link(temp, path)  # fails if PATH appeared meanwhile: never replace a file
        except FileExistsError as exc:
            raise exists(path) from exc
        except OSError:  # no hard links on this file system
            if path.exists():
                raise exists(path) from None
            os.replace(temp, path)
    finally:
        remove_database_files(temp)


def holds_demo_or_nothing(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a demo database, an empty file or one with only reference data: nothing anyone entered."""
    try:
        return schema.schema_version(con) is None or schema.is_demo(con) or not schema.holds_entered_data(con)
    except (DatabaseError, duckdb.Error):
        return False


def check_replaceable(path: Path, *, force: bool) -> None:
    """Refuse to replace a file that is in use, or that is not a demo database unless force."""
    if not path.exists():
        return
    try:
        con = duckfile.connect(path, read_only=True)
    except DatabaseBusyError:
        raise
    except DatabaseError:
        replaceable = False  # not a DuckDB database at all
    else:
        with closing(con):
            replaceable = holds_demo_or_nothing(con)
    if not replaceable and not force:
        raise DatabaseError(
            f"Databasfilen {path} innehåller inte exempeldata och skrivs inte över. Välj en annan fil med "
            "--db, eller lägg till --force om du verkligen vill ersätta den (allt i filen försvinner)."
        )
    ensure_free(path)


@contextmanager
def data_path_hint() -> Iterator[None]:
    """Name --data-path in the message about a shared database that does not exist yet and has no data folder."""
    try:
        yield
    except DatabaseError as error:
        if lake.DATA_ENV in str(error) and not os.environ.get(lake.DATA_ENV):
            raise type(error)(f"{error} Det går också att ange mappen med --data-path MAPP.") from error
        raise
