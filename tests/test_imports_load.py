"""followup.imports.load: plan without writing, apply all or nothing, undo to the exact previous state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import db
from followup.imports import load
from followup.imports.base import EVENT_COLUMNS, OBSERVATION_COLUMNS, Batch, LoadRefused, Problem, checksum
from followup.model import LoadKind
from tests.table_state import table_checksums

USER = "anna@stockholm.se"


@pytest.fixture
def con(reference_db_copy: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with closing(db.open_database(reference_db_copy)) as connection:
        yield connection


def observations(*rows: tuple) -> pd.DataFrame:
    """Observation rows (indicator, district, place, period_start, value[, preliminary]) in file order."""
    records = []
    for number, row in enumerate(rows, start=2):
        indicator, district, place, start, value, *rest = row
        records.append({
            "indicator": indicator, "district": district, "place": place, "period_start": start, "grain": "month",
            "value": value, "numerator": None, "denominator": None, "preliminary": bool(rest and rest[0]),
            "series_break": False, "source_row": number,
        })
    return pd.DataFrame(records, columns=list(OBSERVATION_COLUMNS))


def batch(frame: pd.DataFrame, name: str = "brott.csv", kind: LoadKind = LoadKind.OBSERVATIONS) -> Batch:
    return Batch(kind=kind, file_name=name, checksum=checksum(name.encode()), observations=frame)


JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
FIRST = observations(
    ("anmalda-brott-omrade", "bromma", None, JAN, 10.0),
    ("anmalda-brott-omrade", "bromma", None, FEB, 12.0),
)


def stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select district, period_start, value, preliminary, load_id from observation order by period_start"
    ).fetchall()


def test_plan_counts_and_writes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con)
    result = load.plan(con, batch(FIRST))
    assert (result.added, result.changed, result.unchanged) == (2, 0, 0)
    assert table_checksums(con) == before


def test_apply_then_same_file_again_is_a_no_op(con: duckdb.DuckDBPyConnection) -> None:
    first = load.apply(con, batch(FIRST), user=USER)
    assert stored(con) == [("bromma", JAN, 10.0, False, first.load_id), ("bromma", FEB, 12.0, False, first.load_id)]
    state = table_checksums(con, exclude=("import_log", "audit_log"))

    again = load.apply(con, batch(FIRST), user=USER)
    assert (again.plan.added, again.plan.changed, again.plan.unchanged) == (0, 0, 2)
    assert table_checksums(con, exclude=("import_log", "audit_log")) == state
    log = con.execute("select id, user_name, rows_added, rows_skipped from import_log order by id").fetchall()
    assert log == [(first.load_id, USER, 2, 0), (again.load_id, USER, 0, 2)]
    assert con.execute("select user_name, action, entity_id from audit_log order by id").fetchall() == [
        (USER, "load", str(first.load_id)), (USER, "load", str(again.load_id))]


def test_overwrite_needs_confirmation_and_undo_restores(con: duckdb.DuckDBPyConnection) -> None:
    first = load.apply(con, batch(FIRST), user=USER)
    before_second = table_checksums(con, exclude=("import_log", "audit_log"))
    second = observations(
        ("anmalda-brott-omrade", "bromma", None, FEB, 13.0),
        ("anmalda-brott-omrade", "bromma", None, MAR, 9.0),
    )

    planned = load.plan(con, batch(second, "mars.csv"))
    assert (planned.added, planned.changed, planned.unchanged) == (1, 1, 0)
    assert planned.needs_confirmation
    assert planned.changes[["source_row", "old_value", "value"]].values.tolist() == [[2, 12.0, 13.0]]
    with pytest.raises(LoadRefused, match="skulle ändra 1 värden"):
        load.apply(con, batch(second, "mars.csv"), user=USER)
    assert table_checksums(con, exclude=("import_log", "audit_log")) == before_second

    landed = load.apply(con, batch(second, "mars.csv"), user=USER, replace=True)
    assert stored(con)[1:] == [("bromma", FEB, 13.0, False, landed.load_id), ("bromma", MAR, 9.0, False, landed.load_id)]

    with pytest.raises(load.UndoRefused, match=f"Ångra först {landed.load_id}"):
        load.undo(con, first.load_id, user=USER)
    message = load.undo(con, landed.load_id, user="bo")
    assert "2 rader borttagna, 1 tidigare värden återställda" in message
    assert table_checksums(con, exclude=("import_log", "audit_log")) == before_second
    assert stored(con)[1] == ("bromma", FEB, 12.0, False, first.load_id)
    with pytest.raises(load.UndoRefused, match="redan ångrad"):
        load.undo(con, landed.load_id, user="bo")
    load.undo(con, first.load_id, user="bo")
    assert stored(con) == []


def test_preliminary_values_are_replaced_without_confirmation(con: duckdb.DuckDBPyConnection) -> None:
    prel = observations(("anmalda-brott-omrade", "bromma", None, JAN, 10.0, True))
    load.apply(con, batch(prel, "2023prel.txt", LoadKind.BRA), user=USER)
    final = observations(("anmalda-brott-omrade", "bromma", None, JAN, 11.0, False))
    result = load.apply(con, batch(final, "2023.txt", LoadKind.BRA), user=USER)
    assert (result.plan.changed, result.plan.replaces_preliminary) == (0, 1)
    assert stored(con) == [("bromma", JAN, 11.0, False, result.load_id)]
    assert "1 preliminära värden ersätts av nya." in result.plan.report()


def test_a_batch_with_problems_writes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    bad = batch(FIRST)
    bad.problems.append(Problem("brott.csv", 3, "värde", "texten 'tio' är inget tal."))
    before = table_checksums(con)
    with pytest.raises(LoadRefused, match="brott.csv, rad 3, kolumn värde: texten 'tio' är inget tal."):
        load.apply(con, bad, user=USER)
    assert table_checksums(con) == before


def test_a_failing_statement_rolls_back_everything(con: duckdb.DuckDBPyConnection) -> None:
    """A row the database refuses (a share over 100) after others were written: nothing stays."""
    frame = observations(("anmalda-brott-omrade", "bromma", None, JAN, 10.0))
    frame = pd.concat([frame, observations(("otrygg-utomhus-kvall", "bromma", None, JAN, 140.0))])
    frame["grain"] = ["month", "year"]
    before = table_checksums(con)
    with pytest.raises(duckdb.ConstraintException):
        load.apply(con, batch(frame), user=USER)
    assert table_checksums(con) == before


def events(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        [{"source": "polisen", "source_id": sid, "occurred_at": at, "district": district, "place": place,
          "category": category, "reporter": "Polisen", "description": "text", "source_row": n}
         for n, (sid, at, district, place, category) in enumerate(rows, start=1)],
        columns=list(EVENT_COLUMNS),
    )


def test_events_already_stored_are_skipped_and_undo_removes_them(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con, exclude=("import_log", "audit_log", "event_category"))
    first = Batch(LoadKind.POLICE, "a.json", "x", events=events(
        ("1", datetime(2025, 3, 1, 21, 14), "hasselby-vallingby", "hasselby-torg", "polisen-ran"),
        ("2", datetime(2025, 3, 2, 8, 0), None, None, "polisen-ran"),
    ), new_categories={"polisen-ran": "Rån (polisen)"})
    result = load.apply(con, first, user=USER)
    assert (result.plan.events_new, result.plan.events_known) == (2, 0)
    second = Batch(LoadKind.POLICE, "b.json", "y", events=events(
        ("2", datetime(2025, 3, 2, 8, 0), None, None, "polisen-ran"),
        ("3", datetime(2025, 3, 3, 8, 0), "bromma", None, "polisen-ran"),
    ), new_categories={"polisen-ran": "Rån (polisen)"})
    again = load.apply(con, second, user=USER)
    assert (again.plan.events_new, again.plan.events_known) == (1, 1)
    assert con.execute("select count(*) from event").fetchone() == (3,)
    assert con.execute("select name from event_category where code = 'polisen-ran'").fetchone() == ("Rån (polisen)",)
    load.undo(con, again.load_id, user=USER)
    load.undo(con, result.load_id, user=USER)
    assert table_checksums(con, exclude=("import_log", "audit_log", "event_category")) == before


def test_undo_of_unknown_or_demo_load_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(load.UndoRefused, match="ingen laddning nummer 99"):
        load.undo(con, 99, user=USER)
    con.execute("insert into import_log (kind, file_name, checksum, user_name) values ('demo', 'demo', 'x', 'demo')")
    with pytest.raises(load.UndoRefused, match="exempeldata"):
        load.undo(con, 1, user=USER)
