"""followup.imports.load: plan without writing, apply all or nothing, undo to the exact previous state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import access, db
from followup.imports import load
from followup.imports.base import EVENT_COLUMNS, OBSERVATION_COLUMNS, Batch, LoadRefused, Problem, checksum
from followup.model import LoadKind
from tests.table_state import table_checksums

USER = access.Principal("anna@stockholm.se", access.Role.ADMIN)
BO = access.Principal("bo", access.Role.EDITOR, frozenset({"bromma"}))
VIEWER = access.Principal("vera@stockholm.se", access.Role.VIEWER)
NO_ROLE = access.Principal("nils@stockholm.se", None)
FARSTA_EDITOR = access.Principal("fia@stockholm.se", access.Role.EDITOR, frozenset({"farsta"}))


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
    assert log == [(first.load_id, USER.name, 2, 0), (again.load_id, USER.name, 0, 2)]
    assert con.execute("select user_name, action, entity_id from audit_log order by id").fetchall() == [
        (USER.name, "load", str(first.load_id)), (USER.name, "load", str(again.load_id))]


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
    message = load.undo(con, landed.load_id, user=BO)
    assert "2 rader borttagna, 1 tidigare värden återställda" in message
    assert table_checksums(con, exclude=("import_log", "audit_log")) == before_second
    assert stored(con)[1] == ("bromma", FEB, 12.0, False, first.load_id)
    with pytest.raises(load.UndoRefused, match="redan ångrad"):
        load.undo(con, landed.load_id, user=BO)
    load.undo(con, first.load_id, user=BO)
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


# --- who may load and undo ---------------------------------------------------------------------------------

TWO_DISTRICTS = observations(
    ("anmalda-brott-omrade", "bromma", None, JAN, 10.0),
    ("anmalda-brott-omrade", "farsta", None, JAN, 7.0),
)


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (VIEWER, "vera@stockholm.se (läsare) får inte läsa in data: det kräver rollen redaktör"),
        (NO_ROLE, "nils@stockholm.se (utan roll) får inte läsa in data"),
        (BO, "bo (redaktör) får inte läsa in data för farsta: du är redaktör för bromma."),
        (FARSTA_EDITOR, "fia@stockholm.se (redaktör) får inte läsa in data för bromma: du är redaktör för farsta."),
    ],
)
def test_a_batch_with_a_district_the_user_may_not_write_is_refused_whole(
    con: duckdb.DuckDBPyConnection, user: access.Principal, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=re.escape(message)):
        load.apply(con, batch(TWO_DISTRICTS), user=user)
    with pytest.raises(access.AccessDenied, match=re.escape(message)):
        load.require_access(user, batch(TWO_DISTRICTS))  # what the Data page can ask before the preview
    assert table_checksums(con) == before


def test_an_editor_loads_their_district_and_an_admin_any(con: duckdb.DuckDBPyConnection) -> None:
    mine = load.apply(con, batch(FIRST), user=BO)
    both = load.apply(con, batch(TWO_DISTRICTS, "tva.csv"), user=access.local("anna"), replace=True)
    both_editor = access.Principal("bo", access.Role.EDITOR, frozenset({"bromma", "farsta"}))
    third = load.apply(con, batch(observations(("anmalda-brott-omrade", "farsta", None, FEB, 8.0)), "c.csv"),
                       user=both_editor)
    log = con.execute("select id, user_name from import_log order by id").fetchall()
    assert log == [(mine.load_id, "bo"), (both.load_id, "lokal:anna"), (third.load_id, "bo")]
    assert con.execute("select user_name, action from audit_log order by id").fetchall() == [
        ("bo", "load"), ("lokal:anna", "load"), ("bo", "load")]


def test_city_level_values_need_the_city_among_an_editors_districts(con: duckdb.DuckDBPyConnection) -> None:
    city = batch(observations(("anmalda-brott-omrade", "stockholm", None, JAN, 100.0)), "stad.csv")
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match="får inte läsa in data för stockholm: du är redaktör för bromma"):
        load.apply(con, city, user=BO)
    assert table_checksums(con) == before
    city_editor = access.Principal("bo", access.Role.EDITOR, frozenset({"bromma", "stockholm"}))
    assert load.apply(con, city, user=city_editor).plan.added == 1


def test_events_without_a_district_count_as_the_city(con: duckdb.DuckDBPyConnection) -> None:
    known = Batch(LoadKind.POLICE, "a.json", "x", events=events(
        ("1", datetime(2025, 3, 1, 21, 14), "hasselby-vallingby", "hasselby-torg", "klotter"),
        ("2", datetime(2025, 3, 2, 8, 0), None, None, "klotter"),
    ))
    assert load.batch_districts(known) == {"hasselby-vallingby", "stockholm"}
    hv_editor = access.Principal("hugo@stockholm.se", access.Role.EDITOR, frozenset({"hasselby-vallingby"}))
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match="får inte läsa in data för stockholm"):
        load.apply(con, known, user=hv_editor)
    assert table_checksums(con) == before
    hv_and_city = access.Principal("hugo@stockholm.se", access.Role.EDITOR,
                                   frozenset({"hasselby-vallingby", "stockholm"}))
    assert load.apply(con, known, user=hv_and_city).plan.events_new == 2


def test_new_event_categories_need_an_admin(con: duckdb.DuckDBPyConnection) -> None:
    """Event categories are the whole city's catalogue: an editor of every district still may not add one."""
    every = access.Principal("e@stockholm.se", access.Role.EDITOR, frozenset({"hasselby-vallingby", "stockholm"}))
    brings = Batch(LoadKind.POLICE, "a.json", "x", events=events(
        ("1", datetime(2025, 3, 1, 21, 14), "hasselby-vallingby", None, "polisen-ran"),
    ), new_categories={"polisen-ran": "Rån (polisen)"})
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=re.escape(
            "e@stockholm.se (redaktör) får inte lägga till nya händelsekategorier (Rån (polisen)): det kräver rollen "
            "administratör.")):
        load.apply(con, brings, user=every)
    assert table_checksums(con) == before
    load.apply(con, brings, user=access.local("anna"))
    # once the category is stored, the editor's file with it adds no category and lands
    later = Batch(LoadKind.POLICE, "b.json", "y", events=events(
        ("2", datetime(2025, 3, 2, 21, 14), "hasselby-vallingby", None, "polisen-ran"),
    ), new_categories={"polisen-ran": "Rån (polisen)"})
    assert load.apply(con, later, user=every).plan.events_new == 1


def test_undo_needs_the_right_to_write_every_district_the_load_wrote(con: duckdb.DuckDBPyConnection) -> None:
    farsta = load.apply(con, batch(observations(("anmalda-brott-omrade", "farsta", None, JAN, 7.0)), "f.csv"),
                        user=FARSTA_EDITOR)
    before = table_checksums(con)
    number = farsta.load_id
    for user, message in [(BO, f"bo (redaktör) får inte ångra laddning {number} (f.csv) för farsta: du är redaktör "
                               "för bromma."),
                          (VIEWER, f"vera@stockholm.se (läsare) får inte ångra laddning {number} (f.csv): det kräver "
                                   "rollen")]:
        with pytest.raises(access.AccessDenied, match=re.escape(message)):
            load.undo(con, farsta.load_id, user=user)
    assert table_checksums(con) == before
    load.undo(con, farsta.load_id, user=FARSTA_EDITOR)
    assert con.execute("select undone_by from import_log where id = ?", [farsta.load_id]).fetchone() == (
        "fia@stockholm.se",)

    both = load.apply(con, batch(TWO_DISTRICTS, "tva.csv"), user=USER)
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=re.escape(f"får inte ångra laddning {both.load_id} (tva.csv) för bromma")):
        load.undo(con, both.load_id, user=FARSTA_EDITOR)
    assert table_checksums(con) == before
    assert "ångrad" in load.undo(con, both.load_id, user=access.local("anna"))


def test_undo_of_city_events_needs_the_city(con: duckdb.DuckDBPyConnection) -> None:
    city = load.apply(con, Batch(LoadKind.POLICE, "a.json", "x", events=events(
        ("1", datetime(2025, 3, 2, 8, 0), None, None, "klotter"),
    )), user=USER)
    hv_editor = access.Principal("hugo@stockholm.se", access.Role.EDITOR, frozenset({"hasselby-vallingby"}))
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match="för stockholm"):
        load.undo(con, city.load_id, user=hv_editor)
    assert table_checksums(con) == before


def test_a_user_given_as_text_fails_loudly(con: duckdb.DuckDBPyConnection) -> None:
    first = load.apply(con, batch(FIRST), user=USER)
    before = table_checksums(con)
    with pytest.raises(TypeError, match="Principal"):
        load.apply(con, batch(FIRST), user="anna")
    with pytest.raises(TypeError, match="Principal"):
        load.undo(con, first.load_id, user="anna")
    assert table_checksums(con) == before
