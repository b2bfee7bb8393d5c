"""The steering group's analysis: comments per goal or indicator and period, versions kept, periods locked.

A revision is a new row whose supersedes points at the version it replaces; the old version stays.
A locked period (a period_lock row, written after the meeting) takes no new comments or revisions,
and neither does a comment marked locked. Every write needs a principal allowed to write the district
(access.require_write; a revision checks the stored comment's district).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from followup import access, db, queries, steering
from followup.access import Principal
from followup.model import Grain
from followup.periods import MONTH_NAMES
from followup.steering import AuditAction, WriteRefused

ENTITY = "comment"
LOCK_ENTITY = "period_lock"


def _day_text(value: object) -> str:
    """'25 september 2025' for a date or timestamp."""
    when = pd.Timestamp(value).date()
    return f"{when.day} {MONTH_NAMES[when.month - 1]} {when.year}"


def _refuse_locked(con: duckdb.DuckDBPyConnection, district: str, period_start: date, grain: str) -> None:
    """Refuse a write into a period the steering group has locked."""
    lock = steering.row(con, "period_lock_row", district=district, period_start=period_start, grain=grain)
    if lock is not None:
        label = steering.period(period_start, grain).label
        raise WriteRefused(
            f"Perioden {label} är låst efter mötet {_day_text(lock['locked_at'])} ({lock['locked_by']}). "
            "Skriv kommentaren för en senare period i stället."
        )


def add_comment(
    con: duckdb.DuckDBPyConnection,
    *,
    user: Principal,
    district: str,
    period_start: date,
    grain: Grain | str,
    body: str,
    goal: str | None = None,
    indicator: str | None = None,
) -> int:
    """Write a comment on a goal or an indicator (or both) of a district for a period; its id."""
    with db.transaction(con) as cursor:
        author = steering.user_name(user)
        steering.district(cursor, district)
        access.require_write(user, [district], "skriva kommentarer")
        period = steering.period(period_start, grain)
        text = steering.text(body, "Kommentarstext")
        if not goal and not indicator:
            raise WriteRefused("Kommentaren gäller varken ett mål eller ett nyckeltal. Välj vad den handlar om.")
        goal_code = steering.goal(cursor, goal, district) if goal else None
        indicator_code = steering.indicator(cursor, indicator) if indicator else None
        _refuse_locked(cursor, district, period.start, period.grain.value)
        values = {"district": district, "goal": goal_code, "indicator": indicator_code,
                  "period_start": period.start, "grain": period.grain.value, "body": text}
        comment_id = queries.next_id(cursor, "comment_id")
        queries.execute(cursor, "comment_insert", id=comment_id, author=author, supersedes=None, **values)
        steering.audit(cursor, user=author, action=AuditAction.CREATE, entity=ENTITY, entity_id=comment_id,
                       before=None, after=values)
    return int(comment_id)


def revise_comment(con: duckdb.DuckDBPyConnection, comment_id: int, *, user: Principal, body: str) -> int:
    """Write a new version of a comment (the old one is kept, superseded); the new version's id."""
    with db.transaction(con) as cursor:
        author = steering.user_name(user)
        old = steering.row(cursor, "comment_row", id=comment_id)
        if old is None:
            raise WriteRefused(f"Kommentaren med nummer {comment_id} finns inte. Ladda om sidan och välj en "
                               "kommentar i listan.")
        access.require_write(user, [old["district"]], "ändra kommentarer")
        if old["superseded_by"] is not None:
            raise WriteRefused(f"Kommentaren med nummer {comment_id} har redan en nyare version. Ändra den senaste "
                               "versionen i stället.")
        grain = str(old["grain"])
        _refuse_locked(cursor, old["district"], old["period_start"], grain)
        if old["locked"]:
            label = steering.period(old["period_start"], grain).label
            raise WriteRefused(f"Kommentaren för {label} är låst och kan inte ändras. Skriv en kommentar för en "
                               "senare period i stället.")
        text = steering.text(body, "Kommentarstext")
        if text == old["body"]:
            raise WriteRefused("Texten är oförändrad, så ingen ny version sparades. Ändra texten och spara igen.")
        new_id = queries.next_id(cursor, "comment_id")
        queries.execute(
            cursor, "comment_insert", id=new_id, district=old["district"], goal=old["goal"],
            indicator=old["indicator"], period_start=old["period_start"], grain=grain, body=text, author=author,
            supersedes=comment_id,
        )
        steering.audit(cursor, user=author, action=AuditAction.UPDATE, entity=ENTITY, entity_id=new_id,
                       before={"id": comment_id, "body": old["body"], "author": old["author"]},
                       after={"id": new_id, "body": text, "supersedes": comment_id})
    return int(new_id)


def comment_history(
    con: duckdb.DuckDBPyConnection, *, district: str, goal: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """Every version of a district's comments on a goal and/or indicator, newest first (comment_history)."""
    return queries.run(con, "comment_history", district=district, goal=goal or "", indicator=indicator or "")


def lock_period(
    con: duckdb.DuckDBPyConnection, *, user: Principal, district: str, period_start: date, grain: Grain | str
) -> None:
    """Lock a district's period after the meeting: its comments can no longer be written or revised."""
    with db.transaction(con) as cursor:
        author = steering.user_name(user)
        steering.district(cursor, district)
        access.require_write(user, [district], "låsa perioder")
        period = steering.period(period_start, grain)
        _refuse_locked(cursor, district, period.start, period.grain.value)
        queries.execute(cursor, "period_lock_insert", district=district, period_start=period.start,
                        grain=period.grain.value, locked_by=author)
        scope = {"district": district, "period_start": period.start, "grain": period.grain.value}
        locked = [comment_id for (comment_id,) in queries.execute(cursor, "comment_lock_ids", **scope).fetchall()]
        queries.execute(cursor, "comment_lock", **scope)
        steering.audit(cursor, user=author, action=AuditAction.LOCK, entity=LOCK_ENTITY,
                       entity_id=f"{district}/{period.code}", before=None,
                       after={"district": district, "period_start": period.start, "grain": period.grain.value,
                              "comments": sorted(locked)})
