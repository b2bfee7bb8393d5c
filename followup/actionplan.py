"""The action plan (insatser): add, edit and close activities, each write audited in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb

from followup import access, db, queries, steering
from followup.access import Principal
from followup.model import ActivityStatus, PreventionLevel, PreventionType
from followup.steering import AuditAction, WriteRefused

ENTITY = "activity"
EDITABLE = ("title", "description", "place", "lead_org", "partners", "prevention_type", "level", "status",
            "start_date", "end_date", "goals")
CLOSED = (ActivityStatus.DONE, ActivityStatus.CANCELLED)


def _goals(con: duckdb.DuckDBPyConnection, goals: Sequence[str], district: str) -> list[str]:
    """The goals checked against the district, without duplicates; at least one."""
    chosen = list(dict.fromkeys(code for code in goals if code))
    if not chosen:
        raise WriteRefused("Insatsen har inget mål. Välj minst ett mål som insatsen ska bidra till.")
    return sorted(steering.goal(con, code, district) for code in chosen)


def _values(con: duckdb.DuckDBPyConnection, district: str, values: dict[str, Any]) -> dict[str, Any]:
    """Checked and normalised activity values (every EDITABLE key)."""
    checked = {
        "title": steering.text(values["title"], "Rubrik"),
        "description": steering.optional_text(values["description"]),
        "place": steering.place(con, values["place"], district),
        "lead_org": steering.text(values["lead_org"], "Ansvarig organisation"),
        "partners": steering.optional_text(values["partners"]),
        "prevention_type": steering.choice(values["prevention_type"], PreventionType, "typ av förebyggande"),
        "level": steering.choice(values["level"], PreventionLevel, "nivå"),
        "status": steering.choice(values["status"], ActivityStatus, "status"),
        "start_date": values["start_date"],
        "end_date": values["end_date"],
        "goals": _goals(con, values["goals"], district),
    }
    steering.date_order(checked["start_date"], checked["end_date"], first="Startdatum", last="Slutdatum")
    return checked


def _current(con: duckdb.DuckDBPyConnection, activity_id: int) -> dict[str, Any]:
    """The stored activity with its goals; refused when there is none with this id."""
    found = steering.row(con, "activity_row", id=activity_id)
    if found is None:
        raise WriteRefused(f"Insatsen med nummer {activity_id} finns inte (längre). Ladda om sidan och välj en "
                           "insats i listan.")
    found["goals"] = [goal for (goal,) in queries.execute(con, "activity_goals", id=activity_id).fetchall()]
    return found


def _link_goals(con: duckdb.DuckDBPyConnection, activity_id: int, goals: Sequence[str]) -> None:
    """Replace the activity's goal links."""
    queries.execute(con, "activity_goal_delete", activity=activity_id)
    for goal in goals:
        queries.execute(con, "activity_goal_insert", activity=activity_id, goal=goal)


def add_activity(
    con: duckdb.DuckDBPyConnection,
    *,
    user: Principal,
    district: str,
    title: str,
    lead_org: str,
    prevention_type: PreventionType | str,
    level: PreventionLevel | str,
    status: ActivityStatus | str,
    goals: Sequence[str],
    place: str | None = None,
    partners: str | None = None,
    description: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> int:
    """Add an activity to a district's action plan; its id. USER must be allowed to write the district."""
    with db.transaction(con) as cursor:
        author = steering.user_name(user)
        steering.district(cursor, district)
        access.require_write(user, [district], "lägga till insatser")
        values = _values(cursor, district, {
            "title": title, "description": description, "place": place, "lead_org": lead_org,
            "partners": partners, "prevention_type": prevention_type, "level": level, "status": status,
            "start_date": start_date, "end_date": end_date, "goals": goals,
        })
        stored = {key: value for key, value in values.items() if key != "goals"}
        activity_id = queries.next_id(cursor, "activity_id")
        queries.execute(cursor, "activity_insert", id=activity_id, district=district, created_by=author, **stored)
        _link_goals(cursor, activity_id, values["goals"])
        steering.audit(cursor, user=author, action=AuditAction.CREATE, entity=ENTITY, entity_id=activity_id,
                       before=None, after={"district": district, **values})
    return int(activity_id)


def _closing_day(start: date | None) -> date:
    """The end date of an activity closed without one: today, or its start when that lies ahead."""
    today = date.today()
    return start if start is not None and start > today else today


def _change(
    con: duckdb.DuckDBPyConnection, activity_id: int, user: Principal, changes: dict[str, Any], action: AuditAction
) -> None:
    """Apply CHANGES (EDITABLE keys) to a stored activity and audit the values before and after, in one
    transaction; USER must be allowed to write the stored activity's district."""
    author = steering.user_name(user)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise WriteRefused(f"Det går inte att ändra {', '.join(unknown)} på en insats. Ändringsbara uppgifter: "
                           f"{', '.join(EDITABLE)}.")
    with db.transaction(con) as cursor:
        before = _current(cursor, activity_id)
        what = "avsluta insatser" if action is AuditAction.CLOSE else "ändra insatser"
        access.require_write(user, [before["district"]], what)
        merged = {key: before[key] for key in EDITABLE} | changes
        if action is AuditAction.CLOSE and merged["end_date"] is None:
            merged["end_date"] = _closing_day(before["start_date"])
        after = _values(cursor, before["district"], merged)
        stored = {key: value for key, value in after.items() if key != "goals"}
        queries.execute(cursor, "activity_update", id=activity_id, updated_by=author, **stored)
        if after["goals"] != before["goals"]:
            _link_goals(cursor, activity_id, after["goals"])
        old = {key: before[key] for key in EDITABLE if before[key] != after[key]}
        steering.audit(cursor, user=author, action=action, entity=ENTITY, entity_id=activity_id, before=old,
                       after={key: after[key] for key in old})


def update_activity(con: duckdb.DuckDBPyConnection, activity_id: int, *, user: Principal, **changes: Any) -> None:
    """Change an activity's values (any of EDITABLE); the old values go to the audit log."""
    _change(con, activity_id, user, changes, AuditAction.UPDATE)


def close_activity(
    con: duckdb.DuckDBPyConnection,
    activity_id: int,
    *,
    user: Principal,
    status: ActivityStatus | str = ActivityStatus.DONE,
    end_date: date | None = None,
) -> None:
    """Mark an activity done or cancelled with its end date (default: today, or its start if that is later)."""
    chosen = ActivityStatus(steering.choice(status, ActivityStatus, "status"))
    if chosen not in CLOSED:
        raise WriteRefused(f"En insats avslutas som genomförd eller inställd, inte ”{chosen.value}”. Välj "
                           "”genomförd” eller ”inställd”.")
    _change(con, activity_id, user, {"status": chosen.value, "end_date": end_date}, AuditAction.CLOSE)
