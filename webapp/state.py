"""One cached database connection per file and cached named-query results, keyed on a data version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from followup import config, db, lake, queries, series
from followup.access import Principal
from followup.status import Assessment

T = TypeVar("T")


def database_path() -> Path | str:
    """The database in use: $FOLLOWUP_DB or data/followup.duckdb as an absolute path, or the shared backend's
    'ducklake:postgres:…' URL."""
    target = config.db_path()
    return target if isinstance(target, str) else target.resolve()


def _close(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection when Streamlit drops it from the cache (st.cache_resource.clear())."""
    con.close()


@st.cache_resource(show_spinner=False, on_release=_close)
def connection(path: str) -> duckdb.DuckDBPyConnection:
    """The app's one connection to PATH, building the demo database first when the file is missing (or the
    shared backend is empty).

    Streamlit computes a cached resource once per key under a lock, so two sessions starting together
    do not both build; a failure (busy file, bad file) is not cached, so the next run tries again.
    """
    if lake.is_lake(path):
        try:
            return db.open_database(path)
        except db.EmptyLakeError:
            from followup import demo, transfer  # only needed when the shared backend is still empty

            transfer.fill_if_empty(path, demo.build)  # under the lake's write lock: one replica builds
            return db.open_database(path)
    file = Path(path)
    if not file.exists():
        from followup import demo  # the demo generator is only needed on first start

        try:
            demo.build(file)
        except OSError as exc:
            raise db.DatabaseError(
                f"Exempeldatabasen kunde inte skapas som {file} ({exc.strerror or exc}). Peka ut en fil i en "
                "mapp som går att skriva till med miljövariabeln FOLLOWUP_DB och starta om dashboarden."
            ) from exc
    return db.open_database(file)


RUN_VERSION_KEY = "_followup_data_version"
"""Session-state key of the data version read once per script run (see start_run)."""


def start_run() -> None:
    """Forget the data version of the previous run; dashboard.py calls this first in every run."""
    st.session_state.pop(RUN_VERSION_KEY, None)


def data_version(path: str) -> str:
    """A fingerprint of what the file holds; it changes with every load, undo and audited write.

    Read once per script run (and again after a write in the run), not once per cached call: the
    cached results of a run then all belong to the same version, and a cached rerun costs one query.
    """
    known = st.session_state.get(RUN_VERSION_KEY)
    if known is not None and known[0] == path:
        return known[1]
    if lake.is_lake(path):  # every commit makes a snapshot: one catalogue lookup instead of two table scans
        cursor = connection(path).cursor()
        try:
            version = f"snapshot-{lake.snapshot_id(cursor)}"
        finally:
            cursor.close()
    else:
        row = queries.run(connection(path), "data_version").iloc[0]
        version = f"{row.last_load}-{row.loads}-{row.undone_loads}-{row.last_write}"
    if public_screen():  # every cache keyed on the version keeps a public screen's results apart
        version += PUBLIC_VERSION
    st.session_state[RUN_VERSION_KEY] = (path, version)
    return version


PRINCIPAL_KEY = "_followup_principal"
"""Session-state key of the run's principal (set by dashboard.py through webapp.auth.gate)."""


def set_principal(principal: Principal) -> None:
    """Remember who is using the app in this run; every write passes it to the core."""
    st.session_state[PRINCIPAL_KEY] = principal


def current_user() -> Principal:
    """Who is writing: the principal dashboard.py found for this run (the core checks its role again)."""
    principal = st.session_state.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        raise RuntimeError("no principal for this run: dashboard.py calls webapp.auth.gate() first")
    return principal


def read_on_cursor(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a core function that only reads (it takes a connection first) on its own cursor of the app's
    connection; the run's data version stays as read."""
    cursor = connection(str(database_path())).cursor()
    try:
        return action(cursor, *args, **kwargs)
    finally:
        cursor.close()


def on_cursor(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a core function that may write (loads, undo, activities, comments) on its own cursor.

    The caches are keyed on data_version, which every write changes, so the version is read again after
    it and pages show the write at once.
    """
    try:
        return read_on_cursor(action, *args, **kwargs)
    except (db.DatabaseBusyError, db.DatabaseConflictError, duckdb.TransactionException) as error:
        # the shared backend: another replica's write held the lock too long, or a commit was refused;
        # nothing was written, so say so where the user acted and stop this run (no traceback)
        st.error(str(error), icon=":material/error:")
        st.stop()
    finally:
        st.session_state.pop(RUN_VERSION_KEY, None)  # a write changes the version: read it again


@st.cache_data(show_spinner=False, max_entries=500)
def _cached_query(path: str, version: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    """Run a named query; the cache key is the file, its data version, the name and the parameters."""
    return queries.run(connection(path), name, **dict(params))


def query(name: str, **params: Any) -> pd.DataFrame:
    """A named query's result for the database in use, cached until new data is loaded; on a public screen
    the queries marked internal (header '-- internal: true') answer with no rows (followup.queries.public_rows)."""
    path = str(database_path())
    result = _cached_query(path, data_version(path), name, tuple(sorted(params.items())))
    return queries.public_rows(name, result) if public_screen() else result


PUBLIC_KEY = "_followup_public_screen"
"""Session-state key of the public-screen mode (webapp.auth sets it from ?skarm=offentlig or its switch)."""
PUBLIC_VERSION = "-offentlig"


def public_screen() -> bool:
    """True when this session shows a public screen: no internal text is read."""
    return bool(st.session_state.get(PUBLIC_KEY, False))


def is_public_version(version: str) -> bool:
    """True when a data version was read for a public screen (the caches keyed on it are the public ones)."""
    return version.endswith(PUBLIC_VERSION)


def cached_run(con: Any, name: str, **params: Any) -> pd.DataFrame:
    """A followup.pack Runner that answers from query()'s cache (CON is not used): a new meeting period reuses
    the rows the district's pages already read."""
    return query(name, **params)


@st.cache_data(show_spinner=False, max_entries=20)
def _cached_info(path: str, version: str) -> dict[str, str]:
    """The database_info facts of a file at a data version."""
    cursor = connection(path).cursor()
    try:
        return db.info(cursor)
    finally:
        cursor.close()


def database_info() -> dict[str, str]:
    """The database_info facts (e.g. demo = 'true') of the database in use."""
    path = str(database_path())
    return _cached_info(path, data_version(path))


def is_demo() -> bool:
    """True when the database in use holds generated demo data."""
    return database_info().get("demo") == "true"


@dataclass(frozen=True)
class ScopeStatus:
    """Everything a page needs to show the status of a scope (a district, or a place in it)."""

    indicators: pd.DataFrame  # scope_indicators: one row per indicator × goal
    values: pd.DataFrame  # scope_values from FIRST_YEAR on
    targets: pd.DataFrame  # scope_targets
    assessments: dict[str, Assessment]  # by indicator code
    goals: dict[str, series.Rollup]  # by goal code: (Trend, rule text)
    areas: dict[str, series.Rollup]  # by priority-area code


FIRST_DAY = date(2015, 1, 1)
"""Values are read from this day on; comparisons look back at most a few years from the latest data."""


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_scope_status(path: str, version: str, district: str, place: str, scope_name: str) -> ScopeStatus:
    """Assess every indicator of a scope and roll the statuses up to goals and priority areas."""
    params = {"district": district, "place": place}
    indicators = _cached_query(path, version, "scope_indicators", tuple(sorted(params.items())))
    values = _cached_query(path, version, "scope_values", tuple(sorted({**params, "from": FIRST_DAY}.items())))
    targets = _cached_query(path, version, "scope_targets", tuple(sorted(params.items())))
    assessments = series.assess_scope(indicators, values, targets, scope_name=scope_name)
    goals = series.goal_statuses(assessments, indicators)
    return ScopeStatus(indicators, values, targets, assessments, goals, series.area_statuses(goals, indicators))


def scope_status(district: str, place: str = "", *, scope_name: str) -> ScopeStatus:
    """The cached status of a district (place '') or a place, until new data is loaded."""
    path = str(database_path())
    return _cached_scope_status(path, data_version(path), district, place, scope_name)
