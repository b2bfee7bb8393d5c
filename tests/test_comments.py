"""followup.comments: comments written and revised with history kept, periods locked, audit rows."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from followup import access, comments, queries
from followup.model import Grain
from followup.steering import WriteRefused
from test_actionplan import fixture_database
from tests.table_state import table_checksums

HV = "hasselby-vallingby"
HA = "hagersten-alvsjo"
T3 = date(2025, 9, 1)
ANNA = access.Principal("anna", access.Role.EDITOR, frozenset({HV, HA}))
BO = access.Principal("bo", access.Role.EDITOR, frozenset({HV, HA}))
ORDF = access.Principal("ordf", access.Role.ADMIN)
VIEWER = access.Principal("vera@stockholm.se", access.Role.VIEWER)
NO_ROLE = access.Principal("nils@stockholm.se", None)
OTHER_EDITOR = access.Principal("britt@stockholm.se", access.Role.EDITOR, frozenset({HA}))


@pytest.fixture
def con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return fixture_database(schema_con)


def add(con: duckdb.DuckDBPyConnection, **changes: object) -> int:
    values: dict[str, object] = {"user": ANNA, "district": HV, "period_start": T3, "grain": Grain.TERTIAL,
                                 "body": "Klottret minskar.", "goal": "pa2-1"}
    return comments.add_comment(con, **(values | changes))


def latest(con: duckdb.DuckDBPyConnection) -> dict[tuple, dict]:
    frame = queries.run(con, "latest_comments", district=HV)
    def code(value: object) -> str | None:
        return value if isinstance(value, str) else None

    return {(code(r["goal"]), code(r["indicator"])): r for r in frame.to_dict("records")}


def test_revision_is_a_new_version_and_history_keeps_the_old(con: duckdb.DuckDBPyConnection) -> None:
    first = add(con)
    second = comments.revise_comment(con, first, user=BO, body="Klottret minskar tydligt.")
    assert second != first
    assert latest(con)[("pa2-1", None)]["body"] == "Klottret minskar tydligt."
    history = comments.comment_history(con, district=HV, goal="pa2-1")
    mine = history[history["id"].isin([first, second])]
    assert list(mine["id"]) == [second, first]
    assert list(mine["body"]) == ["Klottret minskar tydligt.", "Klottret minskar."]
    assert list(mine["current"]) == [True, False] and int(mine["supersedes"].iloc[0]) == first
    rows = con.execute("select user_name, action, entity_id, detail from audit_log where entity = 'comment' "
                       "order by id").fetchall()
    assert [(user, action, entity_id) for user, action, entity_id, _ in rows] == [
        ("anna", "create", str(first)), ("bo", "update", str(second))]
    assert json.loads(rows[1][3])["before"]["body"] == "Klottret minskar."


def test_only_the_latest_version_can_be_revised(con: duckdb.DuckDBPyConnection) -> None:
    first = add(con)
    comments.revise_comment(con, first, user=BO, body="Ny text.")
    with pytest.raises(WriteRefused, match="har redan en nyare version"):
        comments.revise_comment(con, first, user=BO, body="En tredje text.")


def test_locked_period_refuses_new_comments_and_revisions(con: duckdb.DuckDBPyConnection) -> None:
    first = add(con)
    comments.lock_period(con, user=ORDF, district=HV, period_start=T3, grain="tertial")
    locks = queries.run(con, "period_locks", district=HV)
    assert list(locks["locked_by"]) == ["ordf"]
    assert con.execute("select locked from comment where id = ?", [first]).fetchone() == (True,)
    count = con.execute("select count(*) from comment").fetchone()
    with pytest.raises(WriteRefused, match=r"Perioden T3 2025 är låst efter mötet \d+ \w+ \d{4} \(ordf\)"):
        add(con, body="För sent.")
    with pytest.raises(WriteRefused, match="Perioden T3 2025 är låst"):
        comments.revise_comment(con, first, user=BO, body="Ändrad efter mötet.")
    with pytest.raises(WriteRefused, match="är låst"):
        comments.lock_period(con, user=ORDF, district=HV, period_start=T3, grain="tertial")
    assert con.execute("select count(*) from comment").fetchone() == count
    # another period and another district are open
    add(con, period_start=date(2025, 5, 1))
    add(con, district="hagersten-alvsjo", goal="ha-1", period_start=date(2024, 9, 1))
    audit = con.execute("select user_name, action, entity, entity_id from audit_log where action = 'lock'").fetchall()
    assert audit == [("ordf", "lock", "period_lock", "hasselby-vallingby/2025-T3")]


def test_lock_keeps_superseded_versions_readable(con: duckdb.DuckDBPyConnection) -> None:
    first = add(con)
    second = comments.revise_comment(con, first, user=BO, body="Andra versionen.")
    comments.lock_period(con, user=ORDF, district=HV, period_start=T3, grain=Grain.TERTIAL)
    history = comments.comment_history(con, district=HV, goal="pa2-1")
    assert set(history.loc[history["id"].isin([first, second]), "body"]) == {"Klottret minskar.", "Andra versionen."}


def test_a_locked_comment_cannot_be_revised(con: duckdb.DuckDBPyConnection) -> None:
    # fixture comment 301 is marked locked (its period has no period_lock row)
    with pytest.raises(WriteRefused, match="har redan en nyare version"):
        comments.revise_comment(con, 301, user=BO, body="x")
    con.execute("update comment set locked = true where id = 2")
    with pytest.raises(WriteRefused, match="Kommentaren för T2 2025 är låst"):
        comments.revise_comment(con, 2, user=BO, body="x")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "  "}, "Kommentarstext saknas"),
        ({"goal": None}, "varken ett mål eller ett nyckeltal"),
        ({"goal": "ha-1"}, "lokalt mål för ett annat stadsdelsområde"),
        ({"goal": None, "indicator": "nope"}, "Nyckeltalet ”nope” finns inte"),
        ({"period_start": date(2025, 9, 2)}, "2025-09-02 är inte första dagen i en period"),
        ({"grain": "decade"}, "Okänt värde för periodlängd"),
        ({"district": "atlantis"}, "Stadsdelsområdet ”atlantis” finns inte"),
        ({"user": access.Principal("", access.Role.ADMIN)}, "vem som skriver"),
    ],
)
def test_bad_comments_are_refused(con: duckdb.DuckDBPyConnection, changes: dict, message: str) -> None:
    count = con.execute("select count(*) from comment").fetchone()
    with pytest.raises(WriteRefused, match=message):
        add(con, **changes)
    assert con.execute("select count(*) from comment").fetchone() == count


def test_unchanged_revision_and_unknown_comment_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    first = add(con)
    with pytest.raises(WriteRefused, match="Texten är oförändrad"):
        comments.revise_comment(con, first, user=BO, body=" Klottret minskar. ")
    with pytest.raises(WriteRefused, match="nummer 99999 finns inte"):
        comments.revise_comment(con, 99999, user=BO, body="x")


def test_indicator_comment_and_html_stored_as_written(con: duckdb.DuckDBPyConnection) -> None:
    body = "<script>alert(1)</script> **inte fet** :red[inte röd]"
    add(con, goal=None, indicator="klotter-est", body=body)
    assert latest(con)[(None, "klotter-est")]["body"] == body


# --- who may write ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (VIEWER, r"vera@stockholm.se \(läsare\) får inte skriva kommentarer: det kräver rollen redaktör"),
        (NO_ROLE, r"nils@stockholm.se \(utan roll\) får inte skriva kommentarer"),
        (OTHER_EDITOR, r"britt@stockholm.se \(redaktör\) får inte skriva kommentarer för hasselby-vallingby: du är "
                       r"redaktör för hagersten-alvsjo\."),
    ],
)
def test_a_comment_without_the_right_to_write_the_district_is_refused(
    con: duckdb.DuckDBPyConnection, user: access.Principal, message: str
) -> None:
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match=message):
        add(con, user=user)
    assert table_checksums(con) == before


@pytest.mark.parametrize("user", [VIEWER, NO_ROLE, OTHER_EDITOR])
def test_another_districts_comment_and_period_cannot_be_revised_or_locked(
    con: duckdb.DuckDBPyConnection, user: access.Principal
) -> None:
    first = add(con)
    before = table_checksums(con)
    with pytest.raises(access.AccessDenied, match="får inte ändra kommentarer"):
        comments.revise_comment(con, first, user=user, body="Kapad text.")
    with pytest.raises(access.AccessDenied, match="får inte låsa perioder"):
        comments.lock_period(con, user=user, district=HV, period_start=T3, grain=Grain.TERTIAL)
    assert table_checksums(con) == before


def test_an_editor_writes_their_district_and_an_admin_every_district(con: duckdb.DuckDBPyConnection) -> None:
    (start,) = con.execute("select coalesce(max(id), 0) from audit_log").fetchone()
    first = add(con, user=OTHER_EDITOR, district=HA, goal="ha-1")
    second = comments.revise_comment(con, first, user=OTHER_EDITOR, body="Ny text.")
    comments.lock_period(con, user=OTHER_EDITOR, district=HA, period_start=T3, grain=Grain.TERTIAL)
    admin = access.local("anna")
    in_hv = add(con, user=admin)
    comments.lock_period(con, user=admin, district=HV, period_start=T3, grain=Grain.TERTIAL)
    rows = con.execute("select user_name, action, entity_id from audit_log where id > ? order by id", [start]).fetchall()
    assert rows == [
        ("britt@stockholm.se", "create", str(first)), ("britt@stockholm.se", "update", str(second)),
        ("britt@stockholm.se", "lock", f"{HA}/2025-T3"), ("lokal:anna", "create", str(in_hv)),
        ("lokal:anna", "lock", f"{HV}/2025-T3")]


def test_a_user_given_as_text_fails_loudly(con: duckdb.DuckDBPyConnection) -> None:
    first = add(con)
    before = table_checksums(con)
    with pytest.raises(TypeError, match="Principal"):
        add(con, user="anna")
    with pytest.raises(TypeError, match="Principal"):
        comments.revise_comment(con, first, user="anna", body="Ny text.")
    with pytest.raises(TypeError, match="Principal"):
        comments.lock_period(con, user="anna", district=HV, period_start=T3, grain=Grain.TERTIAL)
    assert table_checksums(con) == before
