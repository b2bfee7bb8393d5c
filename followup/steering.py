"""What the steering group's writes share: the refusal, one transaction with its audit row, checks.

Every write (an activity, a comment, a commitment, a period lock) runs in one transaction on its own
cursor together with an audit_log row (who, what, the values before and after as JSON), so the
data_version fingerprint changes and the pages show the write at once. Bad input is refused with a
Swedish message that says the cause and the fix (WriteRefused); nothing is written then. Who writes is
a followup.access.Principal (user_name gives its name for the audit log), checked with
access.require_write in the same transaction against the district of the row written: a viewer, a user
without a role or an editor of another district gets access.AccessDenied and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import duckdb

from followup import access, errors, fmt, queries
from followup.model import GoalScope, Grain
from followup.periods import Period


class WriteRefused(errors.BadInput, ValueError):
    """A write that was not made; the message says why and what to do, in Swedish."""


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    CLOSE = "close"
    LOCK = "lock"
    DELETE = "delete"


def row(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> dict[str, Any] | None:
    """The first row of queries/writes/NAME.sql run on CON as column -> value, or None."""
    result = queries.execute(con, name, **params)
    columns = [column[0] for column in result.description]
    found = result.fetchone()
    return dict(zip(columns, found, strict=True)) if found else None


def _jsonable(value: Any) -> Any:
    """Dates and timestamps as ISO text for the audit detail."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    user: str,
    action: AuditAction,
    entity: str,
    entity_id: int | str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Add the audit_log row of a write (inside the write's transaction)."""
    detail = {
        "before": None if before is None else {k: _jsonable(v) for k, v in before.items()},
        "after": None if after is None else {k: _jsonable(v) for k, v in after.items()},
    }
    queries.execute(con, "audit_write", user_name=user, action=AuditAction(action).value, entity=entity,
                    entity_id=str(entity_id), detail=json.dumps(detail, ensure_ascii=False, default=str))


# --- checks (each raises WriteRefused with cause and fix) ----------------------------------------------


def text(value: str | None, what: str) -> str:
    """A required text, trimmed and without control characters (fmt.printable); refused when blank."""
    cleaned = fmt.printable(value or "").strip()
    if not cleaned:
        raise WriteRefused(f"{what} saknas. Skriv {what.lower()} och spara igen.")
    return cleaned


def optional_text(value: str | None) -> str | None:
    """An optional text, trimmed and without control characters; blank becomes None."""
    cleaned = fmt.printable(value or "").strip()
    return cleaned or None


def user_name(user: access.Principal) -> str:
    """The name the audit log records for USER; TypeError for anything but a Principal, refused when blank."""
    if not isinstance(user, access.Principal):
        raise TypeError(f"a write needs a followup.access.Principal, not {type(user).__name__}")
    cleaned = user.name.strip()
    if not cleaned:
        raise WriteRefused("Det går inte att se vem som skriver. Logga in (eller starta om i lokalt läge) och "
                           "försök igen.")
    return cleaned


def choice(value: Any, allowed: type[StrEnum], what: str) -> str:
    """A value of a closed vocabulary (an enum of followup.model), as stored."""
    try:
        return allowed(value).value
    except ValueError:
        valid = ", ".join(member.value for member in allowed)
        raise WriteRefused(f"Okänt värde för {what}: ”{value}”. Välj ett av: {valid}.") from None


def district(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, Any]:
    """The district row; refused when the code names no district."""
    found = row(con, "district_row", district=code)
    if found is None:
        raise WriteRefused(f"Stadsdelsområdet ”{code}” finns inte. Välj ett stadsdelsområde i sidofältet.")
    return found


def place(con: duckdb.DuckDBPyConnection, code: str | None, district_code: str) -> str | None:
    """A place in the district (None: the whole district); refused when unknown or elsewhere."""
    if not code:
        return None
    found = row(con, "place_row", place=code)
    if found is None:
        raise WriteRefused(f"Platsen ”{code}” finns inte. Välj en plats i listan eller ”hela stadsdelsområdet”.")
    if found["district"] != district_code:
        raise WriteRefused(f"Platsen {found['name']} ligger inte i stadsdelsområdet ”{district_code}”. Välj en plats "
                           "i stadsdelsområdet eller ”hela stadsdelsområdet”.")
    return code


def goal(con: duckdb.DuckDBPyConnection, code: str, district_code: str) -> str:
    """A goal of the district: one of the city's goals or the district's own; refused otherwise."""
    found = row(con, "goal_row", goal=code)
    if found is None:
        raise WriteRefused(f"Målet ”{code}” finns inte. Välj mål i listan.")
    if found["scope"] == GoalScope.LOCAL.value and found["district"] != district_code:
        raise WriteRefused(f"Målet ”{code}” är ett lokalt mål för ett annat stadsdelsområde. Välj stadens mål eller "
                           "stadsdelsområdets egna mål.")
    return code


def indicator(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """An indicator of the catalogue; refused otherwise."""
    if row(con, "indicator_row", indicator=code) is None:
        raise WriteRefused(f"Nyckeltalet ”{code}” finns inte. Välj nyckeltal i listan.")
    return code


def date_order(start: date | None, end: date | None, *, first: str, last: str) -> None:
    """Refuse an end before its start."""
    if start is not None and end is not None and end < start:
        raise WriteRefused(f"{last} ({end.isoformat()}) ligger före {first.lower()} ({start.isoformat()}). Ändra "
                           "ett av datumen.")


def period(start: date, grain: str) -> Period:
    """The period starting on START; refused when START does not begin a period of GRAIN."""
    chosen = Grain(choice(grain, Grain, "periodlängd"))
    try:
        return Period(start, chosen)
    except ValueError as problem:
        raise WriteRefused(f"{problem} Välj perioden i listan.") from None
