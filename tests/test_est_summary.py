"""followup.est_summary: the EST summaries (est_week, est_month, est_district) always equal a recount of the events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import access, db, est_summary
from followup.imports import load
from followup.imports.base import EVENT_COLUMNS, Batch
from followup.model import LoadKind
from tests.table_state import table_checksums

USER = access.local("anna")
HV, BROMMA = "hasselby-vallingby", "bromma"

# every EST report counted again, straight from the event table, in est_week's shape
RECOUNT = """
with est_event as (
    select category, district, place, date_trunc('week', occurred_at)::date as week_start, occurred_at
    from event where source = 'est' and district is not null
)
select category, district, place, week_start, count(*), min(occurred_at), max(occurred_at)
from est_event where place is not null group by all
union all
select category, district, null, week_start, count(*), min(occurred_at), max(occurred_at)
from est_event group by category, district, week_start
order by all
"""
SUMMARY = "select category, district, place, week_start, events, first_at, last_at from est_week order by all"
MONTH_RECOUNT = """
with est_event as (
    select category, district, place, date_trunc('month', occurred_at)::date as month_start
    from event where source = 'est' and district is not null
)
select category, district, place, month_start, count(*) from est_event where place is not null group by all
union all
select category, district, null, month_start, count(*) from est_event group by category, district, month_start
order by all
"""
MONTH_SUMMARY = "select category, district, place, month_start, events from est_month order by all"


DISTRICT_RECOUNT = """
select district, date_trunc('week', min(occurred_at))::date, max(occurred_at)
from event where source = 'est' and district is not null group by district order by all
"""
DISTRICT_SUMMARY = "select district, first_week, last_at from est_district order by all"


def equal_to_recount(con: duckdb.DuckDBPyConnection) -> bool:
    """Every summary holds exactly what counting the event table gives."""
    return (con.execute(SUMMARY).fetchall() == con.execute(RECOUNT).fetchall()
            and con.execute(MONTH_SUMMARY).fetchall() == con.execute(MONTH_RECOUNT).fetchall()
            and con.execute(DISTRICT_SUMMARY).fetchall() == con.execute(DISTRICT_RECOUNT).fetchall())


@pytest.fixture
def con(demo_db_copy: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with closing(db.open_database(demo_db_copy)) as connection:
        yield connection


def est_batch(*rows: tuple) -> Batch:
    """An EST load: (source id, time, district, place, category) per row."""
    frame = pd.DataFrame(
        [{"source": "est", "source_id": sid, "occurred_at": at, "district": district, "place": place,
          "category": category, "reporter": "SDF", "description": "text", "source_row": n}
         for n, (sid, at, district, place, category) in enumerate(rows, start=2)],
        columns=list(EVENT_COLUMNS),
    )
    return Batch(LoadKind.EST, "est.csv", "c", events=frame)


def week_total(con: duckdb.DuckDBPyConnection, indicator: str, district: str, place: str | None, week: str) -> float:
    """The indicator_value of one week (0 when the view has no row)."""
    row = con.execute(
        "select value from indicator_value where indicator = $i and district = $d and place is not distinct from $p "
        "and period_start = $w::date and grain = 'week'", {"i": indicator, "d": district, "p": place, "w": week},
    ).fetchone()
    return row[0] if row else 0.0


def test_the_demo_summary_equals_a_recount(con: duckdb.DuckDBPyConnection) -> None:
    assert len(con.execute(SUMMARY).fetchall()) > 1000
    assert len(con.execute(MONTH_SUMMARY).fetchall()) > 100
    assert equal_to_recount(con)


def test_a_load_and_its_undo_keep_the_summary_equal_to_the_events(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con, exclude=("import_log", "audit_log"))
    indicator = con.execute("select code from indicator where event_category = 'klotter'").fetchone()[0]
    week = "2025-03-03"
    torg = week_total(con, indicator, HV, "hasselby-torg", week)
    district = week_total(con, indicator, HV, None, week)
    result = load.apply(con, est_batch(
        ("r1", datetime(2025, 3, 4, 21, 0), HV, "hasselby-torg", "klotter"),
        ("r2", datetime(2025, 3, 9, 23, 59), HV, None, "klotter"),  # the district only: counts in its total
        ("r3", datetime(2025, 3, 5, 8, 0), BROMMA, None, "klotter"),
    ), user=USER)
    assert result.plan.events_new == 3
    assert equal_to_recount(con)
    assert week_total(con, indicator, HV, "hasselby-torg", week) == torg + 1
    assert week_total(con, indicator, HV, None, week) == district + 2
    load.undo(con, result.load_id, user=USER)
    assert table_checksums(con, exclude=("import_log", "audit_log")) == before


def test_police_events_are_not_counted(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con, exclude=("import_log", "audit_log", "event", "event_category"))
    batch = est_batch(("p1", datetime(2025, 3, 4, 21, 0), HV, "hasselby-torg", "klotter"))
    batch.events["source"] = "polisen"
    load.apply(con, Batch(LoadKind.POLICE, "polis.json", "p", events=batch.events), user=USER)
    assert table_checksums(con, exclude=("import_log", "audit_log", "event", "event_category")) == before


def test_refresh_of_some_districts_leaves_the_others(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("update est_week set events = events + 100 where district = $d", {"d": BROMMA})
    con.execute("update est_month set events = events + 100 where district = $d", {"d": BROMMA})
    con.execute("update est_district set last_at = last_at + interval 1 day where district = $d", {"d": BROMMA})
    est_summary.refresh(con, [HV])  # not Bromma: its wrong counts stay
    (wrong,) = con.execute("select count(*) from est_week where district = $d and events > 100", {"d": BROMMA}).fetchone()
    assert wrong > 0
    est_summary.refresh(con, [])  # nothing to do
    est_summary.refresh(con)
    assert equal_to_recount(con)


def test_load_districts_names_the_districts_of_a_loads_est_reports(con: duckdb.DuckDBPyConnection) -> None:
    result = load.apply(con, est_batch(
        ("r1", datetime(2025, 3, 4, 21, 0), HV, "hasselby-torg", "klotter"),
        ("r3", datetime(2025, 3, 5, 8, 0), BROMMA, None, "klotter"),
    ), user=USER)
    assert est_summary.load_districts(con, result.load_id) == [BROMMA, HV]
