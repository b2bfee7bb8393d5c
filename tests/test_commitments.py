"""followup.commitments: decisions and commitments from a meeting, the next meeting's agenda, audit rows."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from followup import commitments, queries
from followup.model import CommitmentStatus
from followup.steering import WriteRefused
from test_actionplan import fixture_database

HV = "hasselby-vallingby"
MEETING = date(2025, 9, 25)


@pytest.fixture
def con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return fixture_database(schema_con)


def add(con: duckdb.DuckDBPyConnection, **changes: object) -> int:
    values: dict[str, object] = {"user": "anna", "district": HV, "meeting_date": MEETING,
                                 "what": "Ansök om kameror", "who": "Polisen", "due_date": date(2025, 11, 1)}
    return commitments.add_commitment(con, **(values | changes))


def due_ids(con: duckdb.DuckDBPyConnection, on: date) -> list[int]:
    return [int(i) for i in queries.run(con, "commitments_due", district=HV, on=on)["id"]]


def test_open_commitments_are_on_the_next_agenda_until_done(con: duckdb.DuckDBPyConnection) -> None:
    dated = add(con)
    undated = add(con, due_date=None, what="Bjud in skolorna", goal="hv-1")
    later = add(con, due_date=date(2026, 3, 1))
    assert due_ids(con, date(2025, 11, 1)) == [dated, undated]
    commitments.update_commitment(con, dated, user="bo", status=CommitmentStatus.DONE)
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
    commitments.update_commitment(con, commitment_id, user="bo", who="Kommunpolisen", due_date=date(2025, 12, 1))
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
    ],
)
def test_bad_commitments_are_refused(con: duckdb.DuckDBPyConnection, changes: dict, message: str) -> None:
    with pytest.raises(WriteRefused, match=message):
        add(con, **changes)
    assert queries.run(con, "commitment_list", district=HV, status="").empty


def test_bad_updates_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    commitment_id = add(con)
    with pytest.raises(WriteRefused, match="Okänt värde för status: ”later”"):
        commitments.update_commitment(con, commitment_id, user="bo", status="later")
    with pytest.raises(WriteRefused, match="Det går inte att ändra meeting_date"):
        commitments.update_commitment(con, commitment_id, user="bo", meeting_date=date(2025, 1, 1))
    with pytest.raises(WriteRefused, match="nummer 99999 finns inte"):
        commitments.update_commitment(con, 99999, user="bo", status="done")


def test_html_is_stored_as_written(con: duckdb.DuckDBPyConnection) -> None:
    add(con, what="<img src=x onerror=alert(1)>")
    assert queries.run(con, "commitment_list", district=HV, status="")["what"].item() == "<img src=x onerror=alert(1)>"
