"""Decisions and commitments (beslut/åtaganden) from a steering-group meeting: what, who, by when, status."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from followup import access, db, queries, steering
from followup.access import Principal
from followup.model import CommitmentStatus
from followup.steering import AuditAction, WriteRefused

ENTITY = "commitment"
EDITABLE = ("what", "who", "due_date", "status")


def _values(values: dict[str, Any], meeting_date: date) -> dict[str, Any]:
    """Checked and normalised commitment values (every EDITABLE key)."""
    checked = {
        "what": steering.text(values["what"], "Vad"),
        "who": steering.text(values["who"], "Vem"),
        "due_date": values["due_date"],
        "status": steering.choice(values["status"], CommitmentStatus, "status"),
    }
    steering.date_order(meeting_date, checked["due_date"], first="Mötesdatum", last="Klart senast")
    return checked


def add_commitment(
    con: duckdb.DuckDBPyConnection,
    *,
    user: Principal,
    district: str,
    meeting_date: date,
    what: str,
    who: str,
    due_date: date | None = None,
    goal: str | None = None,
) -> int:
    """Record an open commitment from a meeting; its id."""
    with db.transaction(con) as cursor:
        author = steering.user_name(user)
        steering.district(cursor, district)
        access.require_write(user, [district], "lägga till åtaganden")
        if meeting_date is None:
            raise WriteRefused("Mötesdatum saknas. Välj datum för mötet där beslutet togs.")
        values = _values({"what": what, "who": who, "due_date": due_date, "status": CommitmentStatus.OPEN},
                         meeting_date)
        goal_code = steering.goal(cursor, goal, district) if goal else None
        commitment_id = queries.next_id(cursor, "commitment_id")
        queries.execute(cursor, "commitment_insert", id=commitment_id, district=district, meeting_date=meeting_date,
                        goal=goal_code, created_by=author, **values)
        steering.audit(cursor, user=author, action=AuditAction.CREATE, entity=ENTITY, entity_id=commitment_id,
                       before=None, after={"district": district, "meeting_date": meeting_date, "goal": goal_code,
                                           **values})
    return int(commitment_id)


def update_commitment(con: duckdb.DuckDBPyConnection, commitment_id: int, *, user: Principal, **changes: Any) -> None:
    """Change a commitment's what, who, due_date or status; the old values go to the audit log."""
    author = steering.user_name(user)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise WriteRefused(f"Det går inte att ändra {', '.join(unknown)} på ett åtagande. Ändringsbara uppgifter: "
                           f"{', '.join(EDITABLE)}.")
    with db.transaction(con) as cursor:
        before = steering.row(cursor, "commitment_row", id=commitment_id)
        if before is None:
            raise WriteRefused(f"Åtagandet med nummer {commitment_id} finns inte. Ladda om sidan och välj ett "
                               "åtagande i listan.")
        access.require_write(user, [before["district"]], "ändra åtaganden")
        after = _values({key: before[key] for key in EDITABLE} | changes, before["meeting_date"])
        queries.execute(cursor, "commitment_update", id=commitment_id, updated_by=author, **after)
        old = {key: before[key] for key in EDITABLE if before[key] != after[key]}
        action = AuditAction.CLOSE if after["status"] != CommitmentStatus.OPEN and "status" in old else AuditAction.UPDATE
        steering.audit(cursor, user=author, action=action, entity=ENTITY, entity_id=commitment_id, before=old,
                       after={key: after[key] for key in old})
