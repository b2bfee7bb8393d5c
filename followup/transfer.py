"""Copying a whole follow-up database between two databases attached to one connection: a DuckDB file into the
shared lake (copy_into_lake) and the lake back into a new DuckDB file (copy_out_of_lake); and filling an empty
lake with a database built in a temporary file (fill_if_empty, the demo on a replica's first start).

Both copy every table of data/schema.sql in one transaction, so a failed copy leaves the target as it was, and
both refuse a target that already holds tables. Into the lake: the lake variant of the schema
(followup.lake_schema.lake_ddl), then INSERT … SELECT per table, then the schema's checks in SQL. Out of the
lake: schema.sql itself with its sequences starting after the copied ids (the rows it inserts, the version and
the vocabularies, make way for the source's), then INSERT … SELECT in dependency
order (a table that references itself, comment.supersedes, in rounds: referenced rows first).

The statements are built from the schema's own table and column names (followup.lake_schema) and the names
of the attached databases, never from row values.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import duckdb

from followup import config, duckfile, lake, lake_schema, migrations, schema
from followup.errors import DatabaseBusyError, DatabaseError, SchemaVersionError

PROG = "python -m followup"
_SEQUENCE = re.compile(r"^(create sequence (\w+) start )1;", re.MULTILINE)


def copy_into_lake(con: duckdb.DuckDBPyConnection, source: str, target: str) -> dict[str, int]:
    """Copy every table of database SOURCE into the empty database TARGET (both attached to CON) as the lake
    variant of the schema, in one transaction; return the rows per table. Broken rules roll it all back."""
    _require_distinct(con, source, target)
    _require_current(con, source)
    _require_empty(con, target)
    with _writing(con, target, lake_defaults=True) as cursor:
        for statement in lake_schema.lake_ddl():
            cursor.execute(statement)
        counts = {table: _copy_table(cursor, source, table) for table in lake_schema.tables()}
        problems = lake_schema.violations(cursor)
        if problems:
            raise DatabaseError(
                f"Databasen {_described(con, source)} bryter mot schemats regler, så inget har kopierats:\n- "
                + "\n- ".join(problems)
                + "\nRätta raderna i källan (eller läs in filen på nytt) och kopiera igen."
            )
        _require_counts(cursor, source, counts)
    return counts


def upgrade_lake(cursor: duckdb.DuckDBPyConnection, found: int) -> list[str]:
    """Bring the lake (CURSOR's default database, inside its write transaction) from schema version FOUND to the
    program's in place, and return the tables it added.

    The lake holds no keys or checks (lake_schema checks the rules before each commit), so an upgrade that only
    adds tables, such as version 4's vocabulary tables, is: create them from the lake DDL, give them the rows a
    new database's schema.sql inserts, record the versions. An upgrade that changes a table the lake already
    holds is refused with how to move the data through a file instead.
    """
    q = lake_schema.quote
    present: dict[str, tuple[str, ...]] = {
        table: tuple(names) for table, names in cursor.execute(
            "select table_name, list(column_name order by column_index) from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main' group by table_name"
        ).fetchall()
    }
    changed = [table for table in lake_schema.tables()
               if table in present and present[table] != lake_schema.columns(table)]
    latest = migrations.latest_version()
    if changed:
        raise SchemaVersionError(
            f"Den delade databasen har schemaversion {found}, och version {latest} ändrar tabellerna "
            f"{', '.join(changed)}, vilket inte kan göras på plats. Kopiera ut den till en fil med den äldre versionen "
            "av programmet (python -m followup copy FOLLOWUP_DB FIL), uppgradera filen med den här (python -m "
            "followup migrate --db FIL) och kopiera in den i en tom delad databas."
        )
    creates = dict(zip(lake_schema.tables(), lake_schema.lake_ddl(), strict=False))
    added = [table for table in lake_schema.tables() if table not in present]
    with closing(duckdb.connect()) as fresh:
        schema.ensure_schema(fresh)
        for table in added:
            cursor.execute(creates[table])
            names = lake_schema.columns(table)
            rows = fresh.execute(f"select {', '.join(q(n) for n in names)} from {q(table)}").fetchall()
            if rows:
                cursor.executemany(f"insert into {q(table)} ({', '.join(q(n) for n in names)}) "
                                   f"values ({', '.join('?' for _ in names)})", rows)
    for version in range(found + 1, latest + 1):
        cursor.execute("insert into schema_version (version) values ($version)", {"version": version})
    lake.note_write(cursor, None)  # every rule is checked before COMMIT: the new keys reference old rows too
    return added


def copy_out_of_lake(con: duckdb.DuckDBPyConnection, source: str, target: str) -> dict[str, int]:
    """Copy every table of SOURCE (the lake) into TARGET, an empty DuckDB database attached to CON, with the full
    schema.sql (keys, checks, sequences continuing after the copied ids), in one transaction; return the rows
    per table."""
    _require_distinct(con, source, target)
    _require_current(con, source)
    _require_empty(con, target)
    _require_valid(con, source)
    ddl = _schema_continuing(con, source)
    with _writing(con, target, lake_defaults=False) as cursor:
        cursor.execute(ddl)
        _empty_tables(cursor)  # the rows schema.sql itself inserts (the version, the vocabularies): the source's follow
        counts = {table: _copy_table(cursor, source, table) for table in lake_schema.tables()}
        _require_counts(cursor, source, counts)
    return counts


def fill_if_empty(url: str, build: Callable[[Path], object]) -> bool:
    """Fill the empty lake at URL with the database BUILD writes to a temporary file (e.g. demo.build), under the
    lake's write lock so that one replica fills it; False (nothing done) when the lake already holds tables."""
    with closing(lake.connect(url)) as con:
        name = con.execute("select current_database()").fetchone()[0]
        if _tables(con, name):
            return False
        with lake.write_lock(url):
            if _tables(con, name):  # another replica filled it while this one waited
                return False
            with tempfile.TemporaryDirectory(prefix="followup-fill-") as folder:
                path = Path(folder) / "source.duckdb"
                build(path)
                con.execute(f"attach {_literal(str(path))} as fill_source (read_only)")
                try:
                    copy_into_lake(con, "fill_source", name)
                finally:
                    con.execute("detach fill_source")
    return True


def file_into_lake(source: Path, url: str, *, wait: float | None = None) -> dict[str, int]:
    """Copy the database file SOURCE into the empty lake at URL under the lake's write lock (waiting up to WAIT
    seconds, default the lake's); return the rows per table. A lake not created yet is created by lake.connect
    from $FOLLOWUP_LAKE_DATA."""
    duckfile.connect(source, read_only=True).close()  # a missing, busy or foreign file gets its Swedish message
    with closing(lake.connect(url)) as con:
        (name,) = con.execute("select current_database()").fetchone()
        if _tables(con, name):  # said here with the lake's name; copy_into_lake checks again under the lock
            raise DatabaseError(
                f"Den delade databasen {lake.describe(url)} innehåller redan data, så inget har kopierats. En kopia "
                "hamnar bara i en tom delad databas: ange en ny, tom PostgreSQL-databas som mål, eller kopiera ut "
                f"den här till en fil först ('{PROG} copy FOLLOWUP_DB FIL')."
            )
        with lake.write_lock(url, wait):
            _attach(con, source, "copy_source", read_only=True)
            try:
                return copy_into_lake(con, "copy_source", name)
            finally:
                con.execute("detach copy_source")


def lake_into_file(url: str, target: Path, *, wait: float | None = None) -> dict[str, int]:
    """Copy the lake at URL into TARGET, a new (missing or empty) DuckDB file; return the rows per table.

    Under the lake's write lock: copy_out_of_lake reads the highest ids before its transaction, and a write in
    between would leave the file's sequences behind its ids. Readers of the lake never wait.
    """
    with closing(lake.connect(url)) as con:
        (name,) = con.execute("select current_database()").fetchone()
        with lake.write_lock(url, wait):
            _attach(con, target, "copy_target", read_only=False)
            try:
                return copy_out_of_lake(con, name, "copy_target")
            finally:
                con.execute("detach copy_target")


def _attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str, *, read_only: bool) -> None:
    """ATTACH the database file PATH to CON as ALIAS; a file another process holds gives DatabaseBusyError."""
    try:
        con.execute(f"attach {_literal(str(path))} as {_quote_db(alias)}{' (read_only)' if read_only else ''}")
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(duckfile.busy_message(path, str(exc))) from exc
        raise DatabaseError(f"Databasfilen {path} kunde inte öppnas: {exc}") from exc


@contextmanager
def _writing(
    con: duckdb.DuckDBPyConnection, target: str, *, lake_defaults: bool
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of CON in one transaction with TARGET as its default database; committed at the end or rolled
    back on any error (a failed copy leaves TARGET as it was). LAKE_DEFAULTS: give the cursor the TEMP sequences
    the lake DDL's `default nextval('x')` binds to (see followup.lake); DuckDB binds them even for given ids."""
    cursor = con.cursor()
    try:
        for name in lake_schema.id_sequences() if lake_defaults else ():
            cursor.execute(f"create temp sequence if not exists {lake_schema.quote(name)}")
        cursor.execute("begin transaction")
        try:
            cursor.execute(f"use {_quote_db(target)}")
            yield cursor
            cursor.execute("commit")
        except duckdb.Error as exc:
            with suppress(duckdb.Error):  # after a failed COMMIT no transaction is left to roll back
                cursor.execute("rollback")
            raise DatabaseError(
                f"Kopieringen till {_described(con, target)} misslyckades och har ångrats, så den är oförändrad. "
                f"Orsak: {exc}"
            ) from exc
        except BaseException:
            with suppress(duckdb.Error):
                cursor.execute("rollback")
            raise
    finally:
        cursor.close()


def _empty_tables(cursor: duckdb.DuckDBPyConnection) -> None:
    """Delete every row of the schema's tables in the cursor's default database, children before parents."""
    for table in reversed(lake_schema.tables()):
        cursor.execute(f"delete from {lake_schema.quote(table)}")


def _copy_table(cursor: duckdb.DuckDBPyConnection, source: str, table: str) -> int:
    """INSERT … SELECT one table from SOURCE into the cursor's default database; return the rows inserted.

    A table that references itself is copied in rounds, each taking the rows whose referenced row is already
    copied, until a round copies nothing.
    """
    q = lake_schema.quote
    names = ", ".join(q(column) for column in lake_schema.columns(table))
    picked = ", ".join(f"s.{q(column)}" for column in lake_schema.columns(table))
    origin = f"{_quote_db(source)}.main.{q(table)}"
    selves = [fk for fk in lake_schema.foreign_keys() if fk.table == table and fk.parent == table]
    if not selves:
        return int(cursor.execute(f"insert into {q(table)} ({names}) select {picked} from {origin} s").fetchone()[0])
    key = lake_schema.primary_key(table)
    if not key:
        raise RuntimeError(f"table {table} references itself but has no primary key to copy it in rounds")
    copied = " and ".join(f"d.{q(column)} = s.{q(column)}" for column in key)
    ready = " and ".join(_referenced_or_unset(fk) for fk in selves)
    step = (f"insert into {q(table)} ({names}) select {picked} from {origin} s "
            f"anti join {q(table)} d on {copied} where {ready}")
    total = 0
    while added := int(cursor.execute(step).fetchone()[0]):
        total += added
    return total


def _referenced_or_unset(fk: lake_schema.ForeignKey) -> str:
    """SQL: the source row S has a referencing column unset, or its referenced row is already in the target."""
    q = lake_schema.quote
    unset = " or ".join(f"s.{q(column)} is null" for column in fk.columns)
    match = " and ".join(f"p.{q(p)} = s.{q(c)}" for c, p in zip(fk.columns, fk.parent_columns, strict=True))
    return f"({unset} or exists (select 1 from {q(fk.parent)} p where {match}))"


def _require_counts(cursor: duckdb.DuckDBPyConnection, source: str, counts: dict[str, int]) -> None:
    """Raise DatabaseError unless every table of the cursor's database holds as many rows as in SOURCE."""
    q = lake_schema.quote
    for table, copied in counts.items():
        (expected,) = cursor.execute(f"select count(*) from {_quote_db(source)}.main.{q(table)}").fetchone()
        (held,) = cursor.execute(f"select count(*) from {q(table)}").fetchone()
        if held != expected or copied != expected:
            raise DatabaseError(
                f"Tabellen {table} fick {held} rader men källan har {expected}, så inget har kopierats. "
                "Rader som hänvisar till varandra i en ring eller till rader som saknas kan inte kopieras: "
                "rätta dem i källan och kopiera igen."
            )


def _require_distinct(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """Raise DatabaseError unless SOURCE and TARGET are two different databases attached to CON."""
    attached = {row[0] for row in con.execute("select database_name from duckdb_databases()").fetchall()}
    for name in (source, target):
        if name not in attached:
            raise DatabaseError(
                f"Databasen {name} är inte ansluten (ATTACH), så den kan inte kopieras. "
                f"Anslutna databaser: {', '.join(sorted(attached))}."
            )
    if source == target:
        raise DatabaseError(f"Källan och målet är samma databas ({source}); välj två olika databaser.")


def _require_current(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Raise DatabaseError unless SOURCE is a follow-up database of the program's schema version."""
    names = _tables(con, source)
    where = _described(con, source)
    if not names:
        raise DatabaseError(f"Databasen {where} är tom, så det finns inget att kopiera. Välj en annan källa.")
    if "schema_version" not in names:
        raise SchemaVersionError(
            f"Databasen {where} har tabeller men ingen schemaversion: den är ingen uppföljningsdatabas. "
            "Välj en annan källa."
        )
    (found,) = con.execute(f"select max(version) from {_quote_db(source)}.main.schema_version").fetchone()
    latest = migrations.latest_version()
    if found is None:
        raise SchemaVersionError(
            f"Tabellen schema_version i {where} är tom, så databasens version är okänd och den kan inte kopieras."
        )
    if found < latest:
        path = _path(con, source)
        fix = f"'{PROG} migrate --db {path}'" if path else f"'{PROG} migrate'"
        raise SchemaVersionError(
            f"Databasen {where} har schemaversion {found} men programmet version {latest}. Uppgradera den först "
            f"med {fix} och kopiera sedan igen."
        )
    if found > latest:
        raise SchemaVersionError(
            f"Databasen {where} har schemaversion {found} men programmet känner bara till version {latest}. "
            "Den har skapats av en nyare version: uppdatera programmet (git pull) och kopiera sedan igen."
        )


def _require_empty(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """Raise DatabaseError when TARGET already holds tables or views."""
    names = _tables(con, target) + [row[0] for row in con.execute(
        "select view_name from duckdb_views() where database_name = $db and not internal order by view_name",
        {"db": target},
    ).fetchall()]
    if names:
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        raise DatabaseError(
            f"Målet {_described(con, target)} innehåller redan data ({len(names)} tabeller och vyer: {shown}). "
            "Kopian måste hamna i en tom databas, så inget har kopierats: välj ett nytt, tomt mål eller töm det "
            "först."
        )


def _require_valid(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Raise DatabaseError when SOURCE breaks a rule of the schema (the target's constraints would refuse it)."""
    cursor = con.cursor()
    try:
        cursor.execute(f"use {_quote_db(source)}")
        problems = lake_schema.violations(cursor)
    finally:
        cursor.close()
    if problems:
        raise DatabaseError(
            f"Databasen {_described(con, source)} bryter mot schemats regler, så inget har kopierats:\n- "
            + "\n- ".join(problems)
            + "\nRätta raderna i den och kopiera igen."
        )


def _schema_continuing(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """schema.sql with each id sequence starting after the largest id of its table in SOURCE.

    The start is written into CREATE SEQUENCE itself: a sequence cannot be replaced once a table's default
    depends on it.
    """
    q = lake_schema.quote
    starts = {}
    for name, (table, column) in lake_schema.id_sequences().items():
        (top,) = con.execute(
            f"select coalesce(max({q(column)}), 0) from {_quote_db(source)}.main.{q(table)}"
        ).fetchone()
        starts[name] = int(top) + 1
    text = config.SCHEMA_FILE.read_text(encoding="utf-8")
    rewritten, count = _SEQUENCE.subn(lambda match: f"{match[1]}{starts[match[2]]};", text)
    if count != len(starts):
        raise RuntimeError(f"schema.sql has {count} 'create sequence … start 1;' lines, expected {len(starts)}")
    return rewritten


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """The names of DATABASE's tables."""
    return [row[0] for row in con.execute(
        "select table_name from duckdb_tables() where database_name = $db order by table_name", {"db": database}
    ).fetchall()]


def _path(con: duckdb.DuckDBPyConnection, database: str) -> str | None:
    """The file of an attached DuckDB database; None for one in memory or a lake."""
    row = con.execute(
        "select path from duckdb_databases() where database_name = $db and type = 'duckdb'", {"db": database}
    ).fetchone()
    return row[0] if row and row[0] else None


def _described(con: duckdb.DuckDBPyConnection, database: str) -> str:
    """A database for messages: its name and, for a file, the file; a lake by its PostgreSQL database and host
    (its catalogue name is cut from the conninfo and could hold a password)."""
    (kind,) = con.execute("select type from duckdb_databases() where database_name = $name",
                          {"name": database}).fetchone() or ("",)
    if kind == "ducklake":
        url = lake.lake_url_of(con, database) or ""
        shown = lake.describe(url) if url.lower().startswith(lake.CATALOGUE_PREFIX) else lake.redact(url)
        return f"{shown} (den delade databasen)"
    path = _path(con, database)
    return f"{database} ({path})" if path else database


def _literal(text: str) -> str:
    """An SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _quote_db(name: str) -> str:
    """An attached database's name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
