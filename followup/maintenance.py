"""Upkeep of the shared backend's Parquet files (`python -m followup maintain`).

DuckLake never deletes a data file by itself. Three kinds of file need an occasional run:
1. orphaned files: written by a writer that died before COMMIT (SIGKILL, a crash); no snapshot refers to them;
2. small files: every load of more than a few rows writes new Parquet files, so many small loads make many
   small files, which slow every scan; they are merged into larger ones (the snapshots keep referring to
   their rows, so time travel and the change feed stay as they were);
3. files merged away (or expired) earlier: DuckLake only schedules them for deletion, because a reader may
   still be scanning them.

Everything runs under the lake's write lock (followup.lake.write_lock), so no writer of the app is in progress.
Files are still only deleted when older than an age (default 24 hours): a writer outside the app (a DuckDB
session on the same lake) does not take the lock and its uncommitted files look orphaned too, the clocks of
the hosts and the shared storage may differ, and a reader may still scan a file that was merged away. An
orphaned file only wastes space, so waiting a day costs nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from followup import lake, queries
from followup.errors import DatabaseError

DEFAULT_AGE = timedelta(hours=24)
"""Files younger than this are never deleted."""
_DELETERS = ("lake_delete_orphaned_files", "lake_cleanup_old_files")
"""The statements (queries/writes/) of DuckLake's two file deleters."""


@dataclass(frozen=True)
class Deleted:
    """Files a step deleted: their paths and their size in bytes (0 for a file that could not be measured)."""

    paths: tuple[str, ...]
    size: int

    @property
    def count(self) -> int:
        """How many files were deleted."""
        return len(self.paths)


@dataclass(frozen=True)
class Merged:
    """One table's small files merged: how many files went in and how many came out."""

    table: str
    files_in: int
    files_out: int


@dataclass(frozen=True)
class Report:
    """What a maintenance run did."""

    older_than: timedelta
    orphaned: Deleted
    merged: tuple[Merged, ...]
    removed: Deleted

    @property
    def did_nothing(self) -> bool:
        """True when no file was deleted or merged."""
        return not (self.orphaned.count or self.merged or self.removed.count)


def maintain(
    con: duckdb.DuckDBPyConnection, *, older_than: timedelta = DEFAULT_AGE, wait: float | None = None
) -> Report:
    """Delete orphaned files, merge small files and delete files merged away, all older than OLDER_THAN, in the
    lake that is CON's main database, under its write lock (waiting up to WAIT seconds, default the lake's)."""
    url = lake.lake_url(con)
    if url is None:
        raise ValueError("maintain() needs a connection whose main database is a lake")
    if older_than < timedelta(0):
        raise ValueError(f"older_than must not be negative, got {older_than}")
    try:
        with lake.write_lock(url, wait):
            (catalogue,) = con.execute("select current_database()").fetchone()
            cutoff = datetime.now(UTC) - older_than
            orphaned = _delete(con, "lake_delete_orphaned_files", catalogue, cutoff)
            merged = _merge(con, catalogue)
            removed = _delete(con, "lake_cleanup_old_files", catalogue, cutoff)
    except duckdb.Error as exc:
        raise DatabaseError(
            f"Underhållet av den delade databasen {lake.describe(url)} avbröts: {lake.redact(str(exc))}. Det som "
            "hann göras är klart och resten är orört; försök igen senare."
        ) from exc
    return Report(older_than, orphaned, merged, removed)


def _delete(con: duckdb.DuckDBPyConnection, function: str, catalogue: str, cutoff: datetime) -> Deleted:
    """Run one of DuckLake's file deleters for files older than CUTOFF; the files it deleted and their size.

    A dry run first lists the files, so that their sizes can be measured before they are gone.
    """
    if function not in _DELETERS:
        raise ValueError(f"unknown DuckLake deleter {function}")
    sizes = {row[0]: _size(row[0]) for row in queries.execute(
        con, function, catalogue=catalogue, dry=True, cutoff=cutoff).fetchall()}
    if not sizes:
        return Deleted((), 0)
    paths = tuple(row[0] for row in queries.execute(
        con, function, catalogue=catalogue, dry=False, cutoff=cutoff).fetchall())
    return Deleted(paths, sum(sizes.get(path, 0) for path in paths))


def _merge(con: duckdb.DuckDBPyConnection, catalogue: str) -> tuple[Merged, ...]:
    """Merge the small adjacent Parquet files of every table; one entry per table that had files merged."""
    rows = queries.execute(con, "lake_merge_adjacent_files", catalogue=catalogue).fetchall()
    return tuple(Merged(table if schema == "main" else f"{schema}.{table}", int(done), int(made))
                 for schema, table, done, made in rows if done)


def _size(path: str) -> int:
    """A data file's size in bytes; 0 when it cannot be measured (e.g. on an object store)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def data_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The folder of the Parquet files of the lake that is CON's main database; None for a file database."""
    if lake.lake_url(con) is None:
        return None
    row = queries.execute(con, "lake_data_path").fetchone()
    return None if row is None else str(row[0])
