"""Availability: no client message ends another user's run (issue 16, item 5).

Streamlit 1.67 handles a `clear_cache` back-message from any connected client, signed in or not, by clearing
st.cache_data and st.cache_resource for every session (AppSession._handle_clear_cache_request). Streamlit has
no setting that refuses the message, so the app must survive it: the Store owns the one shared connection
(webapp.state.connection), a cache clear never closes it, and a connection closed anyway is opened again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime import caching

from app_support import APP, RUN_TIMEOUT
from followup import access, queries, store
from followup.imports import load
from followup.imports.base import OBSERVATION_COLUMNS, Batch, checksum
from followup.model import LoadKind
from webapp import state

pytestmark = pytest.mark.usefixtures("fresh_caches")


def clear_cache_message() -> None:
    """What Streamlit does for any client's clear_cache message (app_session._handle_clear_cache_request),
    short of that client's own session state."""
    caching.cache_data.clear()
    caching.cache_resource.clear()


@pytest.fixture
def app_db(demo_db_copy: Path) -> Iterator[Path]:
    """The demo copy as the app's database (FOLLOWUP_DB points at it)."""
    yield demo_db_copy


def test_a_cache_clear_leaves_a_running_reader_its_cursor(app_db: Path) -> None:
    con = state.connection()
    with state.current_store().reading() as cursor:
        clear_cache_message()
        assert cursor.execute("select count(*) from district").fetchone()[0] > 0
    assert state.connection() is con  # the same connection: nothing was closed or opened again
    assert state.read_on_cursor(lambda c: c.execute("select 1").fetchone()[0]) == 1


def test_a_closed_connection_is_opened_again(app_db: Path) -> None:
    con = state.connection()
    con.close()  # whoever closed it (a release callback of an older version, a test), the next run goes on
    again = state.connection()
    assert again is not con
    assert state.read_on_cursor(lambda c: c.execute("select count(*) from district").fetchone()[0]) > 0


def month_rows(months: int) -> pd.DataFrame:
    """Monthly observations for Bromma: a load large enough to report progress several times."""
    starts = pd.date_range("2001-01-01", periods=months, freq="MS").date
    return pd.DataFrame([{
        "indicator": "anmalda-brott-omrade", "district": "bromma", "place": None, "period_start": start,
        "grain": "month", "value": float(number % 50), "numerator": None, "denominator": None,
        "preliminary": False, "series_break": False, "source_row": number + 2,
    } for number, start in enumerate(starts)], columns=list(OBSERVATION_COLUMNS))


def test_a_cache_clear_during_a_load_does_not_abort_it(app_db: Path) -> None:
    rows = month_rows(240)
    batch = Batch(kind=LoadKind.OBSERVATIONS, file_name="manad.csv", checksum=checksum(b"manad"), observations=rows)
    cleared: list[float] = []

    def progress(fraction: float, text: str) -> None:
        clear_cache_message()  # another client's clear_cache arrives while the load writes
        cleared.append(fraction)

    result = state.read_on_cursor(load.apply, batch, user=access.local("test"), replace=True, progress=progress)
    assert cleared, "the load reported no progress, so the cache was never cleared during it"
    assert result.plan.rows_added + result.plan.rows_changed == len(rows)
    landed = state.read_on_cursor(lambda c: c.execute(
        "select count(*) from observation where load_id = $id", {"id": result.load_id}).fetchone()[0])
    assert landed == len(rows)


def test_a_cache_clear_inside_another_sessions_run_does_not_fail_it(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    first = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    first.run()
    assert not first.exception, [e.value for e in first.exception]
    run_query = queries.run
    calls = {"n": 0}

    def clearing_run(con, name, **params):  # noqa: ANN001, ANN003, ANN202  (queries.run's own signature)
        calls["n"] += 1
        if calls["n"] % 3 == 1:  # a client sends clear_cache in a loop while this session's page runs
            clear_cache_message()
        return run_query(con, name, **params)

    monkeypatch.setattr(queries, "run", clearing_run)
    second = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    second.switch_page("views/omrade.py").run()
    assert not second.exception, [e.value for e in second.exception]
    assert not second.error, [e.value for e in second.error]
    assert calls["n"] > 1
    first.run()  # and the first session's next run too
    assert not first.exception, [e.value for e in first.exception]


def test_every_app_connection_comes_from_the_store() -> None:
    """No st.cache_resource in webapp/state.py closes a connection on release (the fault this file tests)."""
    source = (Path(state.__file__)).read_text(encoding="utf-8")
    assert "on_release" not in source
    assert isinstance(state.current_store(), store.Store)
