"""The app's database (one followup.store.Store per process), cached named-query results keyed on a data
version (cache_key), and the cursors pages read and write on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from followup import errors, queries, schema, series, store
from followup.access import Principal
from followup.status import Assessment

T = TypeVar("T")


def current_store(path: str | Path | None = None) -> store.Store:
    """The Store of PATH (default: the database in use, $FOLLOWUP_DB or data/followup.duckdb); one per
    database and process."""
    return store.open(path)


def database_path() -> str:
    """The database in use as its Store's key: the file's absolute path, or the shared backend's URL."""
    return current_store().key


def _build_demo(path: Path) -> None:
    """Write the demo database to PATH (first start of a dashboard on a missing file or an empty lake)."""
    from followup import demo  # numpy and the generator load only on a first start, not on every start

    demo.build(path)


def connection(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """The app's one connection to PATH (default: the database in use), building the demo database first when
    the file is missing (or the shared backend is empty).

    The Store owns it, not st.cache_resource: Streamlit lets any client, signed in or not, send clear_cache,
    which releases every cached resource, and a connection closed on release failed other users' runs and
    aborted their loads. The Store never closes it on a cache clear and reopens it if anything did; one demo
    build per process (under the Store's lock); a failure is not kept, so the next run tries again.
    """
    return current_store(path).connection(build=_build_demo)


RUN_VERSION_KEY = "_followup_data_version"
"""Session-state key of the data version read once per script run (see start_run)."""


def start_run() -> None:
    """Forget the data version of the previous run; dashboard.py calls this first in every run."""
    st.session_state.pop(RUN_VERSION_KEY, None)


def data_version(path: str | None = None) -> str:
    """A fingerprint of what the database holds; it changes with every load, undo and audited write.

    Read once per script run (and again after a write in the run), not once per cached call: the
    cached results of a run then all belong to the same version, and a cached rerun costs one query.
    """
    path = database_path() if path is None else path
    known = st.session_state.get(RUN_VERSION_KEY)
    if known is not None and known[0] == path:
        return known[1]
    target = current_store(path)
    connection(path)
    with target.reading() as cursor:
        version = target.data_version(cursor)
    if public_screen():  # every cache keyed on the version keeps a public screen's results apart
        version += PUBLIC_VERSION
    st.session_state[RUN_VERSION_KEY] = (path, version)
    return version


def cache_key(*parts: Any) -> tuple[Any, ...]:
    """The key of anything cached from the database in use: (database, data version, *PARTS).

    Every cached function of the pages takes these first, so a write (a new version) or another database
    (another key) never answers from another's cache.
    """
    path = database_path()
    return (path, data_version(path), *parts)


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
    connection()
    with current_store().reading() as cursor:
        return action(cursor, *args, **kwargs)


def on_cursor(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a core function that may write (loads, undo, activities, comments) on its own cursor.

    The caches are keyed on data_version, which every write changes, so the version is read again after
    it and pages show the write at once.
    """
    try:
        return read_on_cursor(action, *args, **kwargs)
    except (errors.Busy, errors.Conflict, errors.Unavailable, duckdb.TransactionException) as error:
        # another writer held the lock too long, a commit was refused, the database failed: nothing was
        # written and nothing on the page can fix it, so say so where the user acted and stop this run
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
    result = _cached_query(*cache_key(name, tuple(sorted(params.items()))))
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
    """The database_info facts of a database at a data version."""
    connection(path)
    with current_store(path).reading() as cursor:
        return schema.info(cursor)


def database_info() -> dict[str, str]:
    """The database_info facts (e.g. demo = 'true') of the database in use."""
    return _cached_info(*cache_key())


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
    return _cached_scope_status(*cache_key(district, place, scope_name))

