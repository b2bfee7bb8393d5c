"""The core's door to the database, kept for its many callers: open a database (through followup.store), the
schema's version, creation and migration (followup.schema), one write transaction, and the storage errors.

New code may use followup.store directly; these names stay so that imports keep working.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from followup import lake, store
from followup.duckfile import busy_message
from followup.errors import (
    DatabaseBusyError,
    DatabaseConflictError,
    DatabaseError,
    EmptyLakeError,
    SchemaVersionError,
)
from followup.schema import ENTERED_TABLES, ensure_schema, holds_entered_data, info, is_demo, schema_version

__all__ = [
    "DatabaseBusyError", "DatabaseConflictError", "DatabaseError", "EmptyLakeError", "ENTERED_TABLES",
    "SchemaVersionError", "busy_message", "connect", "ensure_schema", "holds_entered_data", "info", "is_demo",
    "is_lake", "open_database", "schema_version", "transaction",
]


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file (see config.db_path) or the shared backend; a held lock raises DatabaseBusyError."""
    return store.open(path).connect(read_only=read_only)


def open_database(path: str | os.PathLike | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect and make sure the schema is current (read-only: only check it)."""
    return store.open(path).open_database(read_only=read_only)


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """True when CON's main database is the shared backend."""
    return lake.lake_url(con) is not None


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, commit: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of CON inside one transaction: committed at the end (rolled back when COMMIT is false),
    rolled back on any error. On the shared backend the write also waits its turn, gets ids and is checked
    against the schema's rules before it commits (followup.lake.write_transaction)."""
    with store.transaction(con, commit=commit) as cursor:
        yield cursor
