"""followup.actionplan: activities added, edited and closed in one transaction with an audit row each."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import access, actionplan, est_summary, queries
from followup.model import ActivityStatus, PreventionLevel, PreventionType
from followup.steering import WriteRefused
from tests.table_state import table_checksums

QUERY_DB_SQL = Path(__file__).resolve().parent / "fixtures" / "query_db.sql"
SEQUENCES = ("activity_id", "comment_id", "commitment_id", "audit_id")


def fixture_database(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """CON with tests/fixtures/query_db.sql, its sequences moved past the fixture's hand-picked ids."""
    con.execute(QUERY_DB_SQL.read_text(encoding="utf-8"))
    est_summary.refresh(con)
    for sequence in SEQUENCES:
        con.execute(f"select max(nextval('{sequence}')) from range(10000)")
    return con
HV = "hasselby-vallingby"
HA = "hagersten-alvsjo"
USER = access.Principal("anna@stockholm.se", access.Role.EDITOR, frozenset({HV}))
BO = access.Principal("bo", access.Role.EDITOR, frozenset({HV, HA}))
VIEWER = access.Principal("vera@stockholm.se", access.Role.VIEWER)
NO_ROLE = access.Principal("nils@stockholm.se", None)
OTHER_EDITOR = access.Principal("britt@stockholm.se", access.Role.EDITOR, frozenset({HA}))
ADMIN = access.local("anna")


@pytest.fixture
def con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The query fixture database (districts, places, goals), writable; sequences past its explicit ids."""
    return fixture_database(schema_con)


def add(con: duckdb.DuckDBPyConnection, **changes: object) -> int:
    """Add a valid activity with CHANGES to the defaults."""
    values: dict[str, object] = {
        "user": USER, "district": HV, "title": "Trygghetsvandring", "lead_org": "Stadsdelsförvaltningen",
        "prevention_type": PreventionType.SITUATIONAL, "level": PreventionLevel.UNIVERSAL,
        "status": ActivityStatus.PLANNED, "goals": ["pa2-1"], "place": "hasselby-torg",
        "start_date": date(2025, 10, 1),
    }
    return actionplan.add_activity(con, **(values | changes))


def listed(con: duckdb.DuckDBPyConnection, **filters: str) -> dict[int, dict]:
    """activity_list rows of Hässelby-Vällingby by id."""
    params = {"district": HV, "goal": "", "place": "", "status": ""} | filters
    frame = queries.run(con, "activity_list", **params)
    return {int(r["id"]): r for r in frame.to_dict("records")}


def audit_rows(con: duckdb.DuckDBPyConnection, entity_id: int) -> list[tuple]:
    """(user, action, detail as dict) of an activity's audit rows in order."""
    rows = con.execute("select user_name, action, detail from audit_log where entity = 'activity' "
                       "and entity_id = ? order by id", [str(entity_id)]).fetchall()
    return [(user, action, json.loads(detail)) for user, action, detail in rows]


def test_add_round_trips_with_goals_and_audit(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con, goals=["hv-1", "pa2-1", "pa2-1"], partners="Polisen", description="Varje tisdag")
    row = listed(con)[activity_id]
    assert (row["title"], row["place_name"], row["goals"], row["partners"], row["created_by"]) == (
        "Trygghetsvandring", "Hässelby torg", "pa2-1, hv-1", "Polisen", USER.name)
    assert [(user, action) for user, action, _ in audit_rows(con, activity_id)] == [(USER.name, "create")]
    detail = audit_rows(con, activity_id)[0][2]
    assert detail["before"] is None
    assert detail["after"]["goals"] == ["hv-1", "pa2-1"] and detail["after"]["start_date"] == "2025-10-01"
    # the action plan on the charts' time axis reads the same rows
    marks = queries.run(con, "scope_activities", district=HV, place="")
    assert set(marks.loc[marks["id"] == activity_id, "goal_code"]) == {"pa2-1", "hv-1"}


def test_update_keeps_old_values_in_the_audit_log(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con)
    actionplan.update_activity(con, activity_id, user=BO, title="Trygghetsvandring kväll", goals=["pa2-2"],
                               status=ActivityStatus.ONGOING)
    row = listed(con)[activity_id]
    assert (row["title"], row["goals"], row["status"], row["updated_by"]) == (
        "Trygghetsvandring kväll", "pa2-2", "ongoing", "bo")
    user, action, detail = audit_rows(con, activity_id)[-1]
    assert (user, action) == ("bo", "update")
    assert detail["before"] == {"title": "Trygghetsvandring", "status": "planned", "goals": ["pa2-1"]}
    assert detail["after"] == {"title": "Trygghetsvandring kväll", "status": "ongoing", "goals": ["pa2-2"]}


def test_close_sets_status_and_end_date(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con, start_date=date(2025, 1, 1))
    actionplan.close_activity(con, activity_id, user=BO, status=ActivityStatus.CANCELLED,
                              end_date=date(2025, 3, 31))
    row = listed(con)[activity_id]
    assert (row["status"], str(row["end_date"])[:10]) == ("cancelled", "2025-03-31")
    assert audit_rows(con, activity_id)[-1][:2] == ("bo", "close")


def test_close_without_end_date_of_a_future_activity_ends_on_its_start(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con, start_date=date(2099, 1, 1))
    actionplan.close_activity(con, activity_id, user=BO, status="cancelled")
    assert str(listed(con)[activity_id]["end_date"])[:10] == "2099-01-01"


def test_close_refuses_an_open_status(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con)
    with pytest.raises(WriteRefused, match="genomförd eller inställd"):
        actionplan.close_activity(con, activity_id, user=BO, status="ongoing")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"district": "atlantis"}, "Stadsdelsområdet ”atlantis” finns inte"),
        ({"place": "fruangen"}, "Fruängen ligger inte i stadsdelsområdet"),
        ({"place": "nowhere"}, "Platsen ”nowhere” finns inte"),
        ({"goals": ["ha-1"]}, "lokalt mål för ett annat stadsdelsområde"),
        ({"goals": ["pa9-9"]}, "Målet ”pa9-9” finns inte"),
        ({"goals": []}, "Insatsen har inget mål"),
        ({"title": "   "}, "Rubrik saknas"),
        ({"lead_org": ""}, "Ansvarig organisation saknas"),
        ({"status": "paused"}, "Okänt värde för status: ”paused”"),
        ({"level": "tertiary"}, "Okänt värde för nivå"),
        ({"prevention_type": "both"}, "Okänt värde för typ av förebyggande"),
        ({"start_date": date(2025, 5, 1), "end_date": date(2025, 4, 1)}, "Slutdatum .* ligger före startdatum"),
        ({"user": access.Principal(" ", access.Role.ADMIN)}, "vem som skriver"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    con: duckdb.DuckDBPyConnection, changes: dict, message: str
) -> None:
    before = con.execute("select (select count(*) from activity), (select count(*) from audit_log)").fetchone()
    with pytest.raises(WriteRefused, match=message):
        add(con, **changes)
    assert con.execute("select (select count(*) from activity), (select count(*) from audit_log)").fetchone() == before


def test_failed_update_leaves_the_activity_unchanged(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con)
    with pytest.raises(WriteRefused, match="Slutdatum"):
        actionplan.update_activity(con, activity_id, user=BO, title="Ny", end_date=date(2020, 1, 1))
    assert listed(con)[activity_id]["title"] == "Trygghetsvandring"
    assert len(audit_rows(con, activity_id)) == 1


def test_unknown_activity_and_field_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(WriteRefused, match="nummer 999 finns inte"):
        actionplan.update_activity(con, 999, user=BO, title="x")
    with pytest.raises(WriteRefused, match="Det går inte att ändra district"):
        actionplan.update_activity(con, add(con), user=BO, district="bromma")


def test_html_is_stored_as_written(con: duckdb.DuckDBPyConnection) -> None:
    title = "<script>alert('x')</script> **fet**"
    activity_id = add(con, title=title)
    assert listed(con)[activity_id]["title"] == title


def test_moving_an_activity_keeps_its_goals(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con, goals=["pa2-1", "hv-1"])
    actionplan.update_activity(con, activity_id, user=BO, place="maltesholmstorget")
    row = listed(con)[activity_id]
    assert (row["place"], row["goals"]) == ("maltesholmstorget", "pa2-1, hv-1")
    actionplan.update_activity(con, activity_id, user=BO, place=None, goals=["pa2-2"])
    row = listed(con)[activity_id]
    assert pd.isna(row["place"]) and row["goals"] == "pa2-2"
    detail = audit_rows(con, activity_id)[-1][2]
    assert detail["before"] == {"place": "maltesholmstorget", "goals": ["hv-1", "pa2-1"]}


# --- who may write ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (VIEWER, r"vera@stockholm.se \(läsare\) får inte lägga till insatser: det kräver rollen redaktör"),
        (NO_ROLE, r"nils@stockholm.se \(utan roll\) får inte lägga till insatser"),
        (OTHER_EDITOR, r"britt@stockholm.se \(redaktör\) får inte lägga till insatser för hasselby-vallingby: du "
                       r"är redaktör för hagersten-alvsjo\."),
    ],
)
def test_add_without_the_right_to_write_the_district_is_refused_and_writes_nothing(
    con: duckdb.DuckDBPyConnection, user: access.Principal, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=message):
        add(con, user=user)
    assert table_checksums(con) == before


@pytest.mark.parametrize("user", [VIEWER, NO_ROLE, OTHER_EDITOR])
def test_another_districts_activity_cannot_be_changed_or_closed_by_id(
    con: duckdb.DuckDBPyConnection, user: access.Principal
) -> None:
    activity_id = add(con)
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match="får inte ändra insatser"):
        actionplan.update_activity(con, activity_id, user=user, title="Kapad")
    with pytest.raises(access.AccessDenied, match="får inte avsluta insatser"):
        actionplan.close_activity(con, activity_id, user=user)
    assert table_checksums(con) == before


def test_an_editor_writes_their_district_and_an_admin_every_district(con: duckdb.DuckDBPyConnection) -> None:
    in_ha = add(con, user=OTHER_EDITOR, district=HA, place="fruangen", goals=["ha-1"])
    actionplan.update_activity(con, in_ha, user=OTHER_EDITOR, title="Fruängen kväll")
    in_hv = add(con, user=ADMIN)
    actionplan.close_activity(con, in_ha, user=ADMIN, status="cancelled")
    assert [row[:2] for row in audit_rows(con, in_ha)] == [
        ("britt@stockholm.se", "create"), ("britt@stockholm.se", "update"), ("lokal:anna", "close")]
    assert audit_rows(con, in_hv)[0][:2] == ("lokal:anna", "create")


def test_a_user_given_as_text_fails_loudly(con: duckdb.DuckDBPyConnection) -> None:
    activity_id = add(con)
    before = table_checksums(con)
    with pytest.raises(TypeError, match="Principal"):
        add(con, user="anna")
    with pytest.raises(TypeError, match="Principal"):
        actionplan.update_activity(con, activity_id, user="anna", title="x")
    with pytest.raises(TypeError, match="Principal"):
        actionplan.close_activity(con, activity_id, user="anna")
    assert table_checksums(con) == before
