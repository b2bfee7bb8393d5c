"""A database file's state for tests: content checksums of every table (to show a database unchanged, or
changed, by an action) and a copy of the file with its write-ahead log."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb


def table_checksums(con: duckdb.DuckDBPyConnection, exclude: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
    """Per table: (row count, order-independent hash of all rows). Tables in EXCLUDE are left out."""
    skip = set(exclude)
    names = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' "
        "order by table_name").fetchall()]
    result = {}
    for name in names:
        if name in skip:
            continue
        # the table name comes from the catalogue above, not from input
        result[name] = con.execute(f"select count(*), coalesce(bit_xor(hash(t)), 0) from {name} t").fetchone()
    return result


def copy_database(source: Path, target: Path) -> None:
    """Copy a database file and its write-ahead log, if any."""
    shutil.copyfile(source, target)
    wal = Path(f"{source}.wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{target}.wal"))
