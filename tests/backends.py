"""The two storage backends the query and page tests run on: the embedded DuckDB file (the default) and the shared
backend (DuckLake, its catalogue in the session's PostgreSQL, see tests/pg_support.py).

A test parametrised by backend gets a target: a database file (Path) or a lake's 'ducklake:postgres:…' URL (str).
The helpers here open either one, and prove that a lake case really ran on a lake, so that it cannot pass
silently on the embedded backend (conftest's app_db fixtures check that after every lake case).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import duckdb

from followup import config, db, lake

EMBEDDED = "duckdb"
LAKE = "ducklake"
BACKENDS = (EMBEDDED, LAKE)
"""Parameter values (and test ids) of the backends, the embedded default first."""

Target = Path | str
"""A database file, or the URL of a lake."""


def connected(url: str) -> duckdb.DuckDBPyConnection:
    """A new connection to the lake at URL; fails the test unless its main database really is a lake."""
    assert lake.is_lake(url), url
    con = db.connect(url)
    assert db.is_lake(con), f"{url} did not open as a lake"
    return con


@contextmanager
def reading(target: Target) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to TARGET for reading (a file read-only, a lake as it is), closed at the end."""
    con = connected(target) if isinstance(target, str) else duckdb.connect(str(target), read_only=True)
    with closing(con):
        yield con


@contextmanager
def writing(target: Target) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of TARGET in one write transaction (db.transaction: on a lake with its lock, ids and checks),
    committed at the end; the connection is closed afterwards, so the app can open a file next."""
    con = connected(target) if isinstance(target, str) else db.connect(target)
    with closing(con), db.transaction(con) as cursor:
        yield cursor


def app_key(target: Target) -> str:
    """The key the app caches its connection to TARGET under (webapp.state.database_path as text)."""
    return target if isinstance(target, str) else str(Path(target).resolve())


def app_cursor(target: Target) -> duckdb.DuckDBPyConnection:
    """A new cursor of the app's own cached connection to TARGET (one DuckDB instance per file); close it."""
    from webapp import state

    return state.connection(app_key(target)).cursor()


def snapshot(url: str) -> int:
    """The lake's latest snapshot id, read from its catalogue in PostgreSQL: every commit that changes the lake
    makes a new one, so an unchanged id proves that nothing was written."""
    import psycopg

    with psycopg.connect(lake.conninfo(url), autocommit=True) as session:
        (latest,) = session.execute("select max(snapshot_id) from ducklake_snapshot").fetchone()
    return int(latest)


def assert_app_on_lake(url: str) -> None:
    """The app ran on the lake at URL: FOLLOWUP_DB names it and the app's connection to it is a lake."""
    from webapp import state

    assert str(state.database_path()) == url, f"FOLLOWUP_DB is {config.db_path()!s}, not the lake {url}"
    con = state.connection(url)
    assert db.is_lake(con), "the app's connection is not a lake"
    assert lake.lake_url(con) == url.strip()


def clone_lake(cluster: Any, template: str, template_data: Path, name: str, data_path: Path) -> str:
    """A new lake NAME in CLUSTER holding what the lake TEMPLATE holds (its database in CLUSTER, its Parquet files
    in TEMPLATE_DATA); return its URL. Nothing may be connected to TEMPLATE while this runs.

    The catalogue is copied as a PostgreSQL template and the data folder as files; the copy's data_path (in the
    catalogue's ducklake_metadata, every file path is relative to it) then names its own folder DATA_PATH, so what
    the copy writes never reaches the template.
    """
    import psycopg
    from psycopg import sql

    shutil.copytree(template_data, data_path)
    with psycopg.connect(cluster.conninfo(), autocommit=True) as session:
        session.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name),
                                                                          sql.Identifier(template)))
    with psycopg.connect(cluster.conninfo(name), autocommit=True) as session:
        moved = session.execute("update ducklake_metadata set value = %s where key = 'data_path'",
                                (f"{data_path}/",)).rowcount
    assert moved == 1, "the lake's catalogue has no data_path to move"
    return f"ducklake:postgres:{cluster.conninfo(name)}"
