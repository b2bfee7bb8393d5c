"""followup.commitments: decisions and commitments from a meeting, the next meeting's agenda, audit rows."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from followup import access, commitments, queries
from followup.model import CommitmentStatus
from followup.steering import WriteRefused
from test_actionplan import fixture_database
from tests.table_state import table_checksums

HV = "hasselby-vallingby"
HA = "hagersten-alvsjo"
MEETING = date(2025, 9, 25)
ANNA = access.Principal("anna", access.Role.EDITOR, frozenset({HV}))
BO = access.Principal("bo", access.Role.EDITOR, frozenset({HV}))
VIEWER = access.Principal("vera@stockholm.se", access.Role.VIEWER)
NO_ROLE = access.Principal("nils@stockholm.se", None)
OTHER_EDITOR = access.Principal("britt@stockholm.se", access.Role.EDITOR, frozenset({HA}))


@pytest.fixture
def con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return fixture_database(schema_con)


def add(con: duckdb.DuckDBPyConnection, **changes: object) -> int:
    values: dict[str, object] = {"user": ANNA, "district": HV, "meeting_date": MEETING,
                                 "what": "Ansök om kameror", "who": "Polisen", "due_date": date(2025, 11, 1)}
    return commitments.add_commitment(con, **(values | changes))


def due_ids(con: duckdb.DuckDBPyConnection, on: date) -> list[int]:
    return [int(i) for i in queries.run(con, "commitments_due", district=HV, on=on)["id"]]


def test_open_commitments_are_on_the_next_agenda_until_done(con: duckdb.DuckDBPyConnection) -> None:
    dated = add(con)
    undated = add(con, due_date=None, what="Bjud in skolorna", goal="hv-1")
    later = add(con, due_date=date(2026, 3, 1))
    assert due_ids(con, date(2025, 11, 1)) == [dated, undated]
    commitments.update_commitment(con, dated, user=BO, status=CommitmentStatus.DONE)
    assert due_ids(con, date(2025, 11, 1)) == [undated]
    listed = queries.run(con, "commitment_list", district=HV, status="")
    assert {int(i): s for i, s in zip(listed["id"], listed["status"], strict=True)} == {
        dated: "done", undated: "open", later: "open"}
    rows = con.execute("select user_name, action, detail from audit_log where entity = 'commitment' "
                       "and entity_id = ? order by id", [str(dated)]).fetchall()
    assert [(u, a) for u, a, _ in rows] == [("anna", "create"), ("bo", "close")]
    assert json.loads(rows[1][2]) == {"before": {"status": "open"}, "after": {"status": "done"}}


def test_update_what_who_and_due_date(con: duckdb.DuckDBPyConnection) -> None:
    commitment_id = add(con)
    commitments.update_commitment(con, commitment_id, user=BO, who="Kommunpolisen", due_date=date(2025, 12, 1))
    row = queries.run(con, "commitment_list", district=HV, status="open").iloc[0]
    assert (row["who"], str(row["due_date"])[:10], row["updated_by"]) == ("Kommunpolisen", "2025-12-01", "bo")
    action = con.execute("select action from audit_log order by id desc limit 1").fetchone()
    assert action == ("update",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what": " "}, "Vad saknas"),
        ({"who": ""}, "Vem saknas"),
        ({"due_date": date(2025, 9, 1)}, r"Klart senast \(2025-09-01\) ligger före mötesdatum"),
        ({"goal": "ha-1"}, "lokalt mål för ett annat stadsdelsområde"),
        ({"district": "atlantis"}, "finns inte"),
        ({"meeting_date": None}, "Mötesdatum saknas"),
        ({"user": access.Principal(" ", access.Role.ADMIN)}, "vem som skriver"),
    ],
)
def test_bad_commitments_are_refused(con: duckdb.DuckDBPyConnection, changes: dict, message: str) -> None:
    with pytest.raises(WriteRefused, match=message):
        add(con, **changes)
    assert queries.run(con, "commitment_list", district=HV, status="").empty


def test_bad_updates_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    commitment_id = add(con)
    with pytest.raises(WriteRefused, match="Okänt värde för status: ”later”"):
        commitments.update_commitment(con, commitment_id, user=BO, status="later")
    with pytest.raises(WriteRefused, match="Det går inte att ändra meeting_date"):
        commitments.update_commitment(con, commitment_id, user=BO, meeting_date=date(2025, 1, 1))
    with pytest.raises(WriteRefused, match="nummer 99999 finns inte"):
        commitments.update_commitment(con, 99999, user=BO, status="done")


def test_html_is_stored_as_written(con: duckdb.DuckDBPyConnection) -> None:
    add(con, what="<img src=x onerror=alert(1)>")
    assert queries.run(con, "commitment_list", district=HV, status="")["what"].item() == "<img src=x onerror=alert(1)>"


# --- who may write ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (VIEWER, r"vera@stockholm.se \(läsare\) får inte lägga till åtaganden: det kräver rollen redaktör"),
        (NO_ROLE, r"nils@stockholm.se \(utan roll\) får inte lägga till åtaganden"),
        (OTHER_EDITOR, r"britt@stockholm.se \(redaktör\) får inte lägga till åtaganden för hasselby-vallingby: du "
                       r"är redaktör för hagersten-alvsjo\."),
    ],
)
def test_a_commitment_without_the_right_to_write_the_district_is_refused(
    con: duckdb.DuckDBPyConnection, user: access.Principal, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=message):
        add(con, user=user)
    assert table_checksums(con) == before


@pytest.mark.parametrize("user", [VIEWER, NO_ROLE, OTHER_EDITOR])
def test_another_districts_commitment_cannot_be_changed_by_id(
    con: duckdb.DuckDBPyConnection, user: access.Principal
) -> None:
    commitment_id = add(con)
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match="får inte ändra åtaganden"):
        commitments.update_commitment(con, commitment_id, user=user, status=CommitmentStatus.DONE)
    assert table_checksums(con) == before


def test_an_editor_writes_their_district_and_an_admin_every_district(con: duckdb.DuckDBPyConnection) -> None:
    (start,) = con.execute("select coalesce(max(id), 0) from audit_log").fetchone()
    in_ha = add(con, user=OTHER_EDITOR, district=HA)
    commitments.update_commitment(con, in_ha, user=OTHER_EDITOR, who="Kommunpolisen")
    admin = access.local("anna")
    in_hv = add(con, user=admin)
    commitments.update_commitment(con, in_ha, user=admin, status=CommitmentStatus.DONE)
    rows = con.execute("select user_name, action, entity_id from audit_log where id > ? order by id", [start]).fetchall()
    assert rows == [
        ("britt@stockholm.se", "create", str(in_ha)), ("britt@stockholm.se", "update", str(in_ha)),
        ("lokal:anna", "create", str(in_hv)), ("lokal:anna", "close", str(in_ha))]


def test_a_user_given_as_text_fails_loudly(con: duckdb.DuckDBPyConnection) -> None:
    commitment_id = add(con)
    before = table_checksums(con)
    with pytest.raises(TypeError, match="Principal"):
        add(con, user="anna")
    with pytest.raises(TypeError, match="Principal"):
        commitments.update_commitment(con, commitment_id, user="anna", status=CommitmentStatus.DONE)
    assert table_checksums(con) == before
