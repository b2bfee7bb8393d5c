"""Writing a Batch into the database all or nothing, and undoing a load.

plan() compares a batch with what is stored, inside a transaction it then rolls back, so a preview
never writes. apply() does the same comparison and writes in one transaction: import_log, the old
values it overwrites (observation_replaced), the new rows, the audit_log row. undo() restores the
state before a load. Values identical to what is stored are no change, so loading a file twice lands
the second time as a no-op; an event whose source id is stored is skipped.

Who loads or undoes is a followup.access.Principal, checked in the write's transaction: a load needs the
right to write every district of the batch (an event without a district counts as the city, 'stockholm'),
and the admin role when it would add event categories (the catalogue is the whole city's); an undo needs
the right to write every district the load wrote to. Otherwise access.AccessDenied and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from followup import access, db, errors, est_summary, queries, steering
from followup.access import Principal
from followup.imports.base import EVENT_COLUMNS, OBSERVATION_COLUMNS, Batch, LoadRefused, Problem
from followup.model import CITY_DISTRICT

PREVIEW_ROWS = 1000
"""Changed values listed in a preview; the counts cover them all."""

NAMED_CATEGORIES = 6
"""New event categories named in a load's report; the rest are counted."""

Progress = Callable[[float, str], None]
"""progress(fraction 0–1, Swedish text) – called as a load goes along."""


def _no_progress(fraction: float, text: str) -> None:
    """The default progress callback: says nothing."""


class UndoRefused(errors.BadInput):
    """A load cannot be undone (unknown, already undone, or later loads build on it); nothing changed."""


@dataclass
class Plan:
    """What loading a batch would do: counts of new, changed and unchanged rows, and the changes."""

    batch: Batch
    added: int = 0
    changed: int = 0  # stored values the file would overwrite (needs the user's confirmation)
    replaces_preliminary: int = 0  # preliminary values replaced (no confirmation needed)
    unchanged: int = 0
    events_new: int = 0
    events_known: int = 0  # already stored (same source id): skipped
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # up to PREVIEW_ROWS, file order

    @property
    def needs_confirmation(self) -> bool:
        """True when the load would overwrite stored final values."""
        return self.changed > 0

    @property
    def rows_added(self) -> int:
        """New observations and events."""
        return self.added + self.events_new

    @property
    def rows_changed(self) -> int:
        """Stored observations overwritten."""
        return self.changed + self.replaces_preliminary

    @property
    def rows_skipped(self) -> int:
        """Rows left as they were or left out by rule."""
        return self.unchanged + self.events_known + self.batch.skipped

    def report(self) -> list[str]:
        """The load's report in Swedish, one line per fact."""
        lines = []
        if not len(self.batch.events):
            lines.append(f"{self.added} nya värden, {self.changed + self.replaces_preliminary} ändrade, "
                         f"{self.unchanged} oförändrade.")
        if self.replaces_preliminary:
            lines.append(f"{self.replaces_preliminary} preliminära värden ersätts av nya.")
        if len(self.batch.events):
            lines.append(f"{self.events_new} nya händelser; {self.events_known} fanns redan och hoppas över.")
        if self.batch.new_categories:
            names = sorted(self.batch.new_categories.values())
            shown = ", ".join(names[:NAMED_CATEGORIES])
            more = f" och {len(names) - NAMED_CATEGORIES} till" if len(names) > NAMED_CATEGORIES else ""
            lines.append(f"{len(names)} nya händelsekategorier: {shown}{more}.")
        return lines + list(self.batch.notes)


@dataclass(frozen=True)
class LoadResult:
    """A load that landed: its id in import_log and its counts."""

    load_id: int
    plan: Plan


def _refuse_problems(batch: Batch) -> None:
    if batch.problems:
        raise LoadRefused(batch.problems)


def _register(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Make the batch's rows visible to the SQL as incoming_observation, incoming_event, incoming_category."""
    observations = batch.observations.reindex(columns=list(OBSERVATION_COLUMNS))
    events = batch.events.reindex(columns=list(EVENT_COLUMNS))
    categories = pd.DataFrame(
        {"code": list(batch.new_categories), "name": list(batch.new_categories.values())}, dtype="object"
    )
    con.register("incoming_observation", _typed_observations(observations))
    con.register("incoming_event", _typed_events(events))
    con.register("incoming_category", categories)


def _typed_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """Incoming observations with unambiguous number, date and flag columns (the SQL casts the texts)."""
    out = frame.copy(deep=False)
    out["period_start"] = pd.to_datetime(frame["period_start"])
    for column in ("value", "numerator", "denominator"):
        out[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ("preliminary", "series_break"):
        out[column] = frame[column].fillna(False).astype(bool)
    return out


def _typed_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Incoming events with a timestamp column (the SQL casts the texts)."""
    out = frame.copy(deep=False)
    out["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return out


def _compare(con: duckdb.DuckDBPyConnection, batch: Batch) -> Plan:
    """Fill a Plan from the temp tables load_diff and event_new (call inside a transaction)."""
    queries.execute(con, "load_diff_observations")
    counts = dict(queries.execute(con, "load_diff_summary").fetchall())
    queries.execute(con, "load_diff_events")
    (events_new,) = queries.execute(con, "load_count_new_events").fetchone()
    changes = queries.execute(con, "load_diff_changes", limit=PREVIEW_ROWS).df()
    return Plan(
        batch=batch,
        added=counts.get("added", 0),
        changed=counts.get("changed", 0),
        replaces_preliminary=counts.get("replaces_preliminary", 0),
        unchanged=counts.get("unchanged", 0),
        events_new=events_new,
        events_known=len(batch.events) - events_new,
        changes=changes,
    )


def plan(con: duckdb.DuckDBPyConnection, batch: Batch) -> Plan:
    """What loading BATCH would do, without writing; raises LoadRefused when the file has problems."""
    _refuse_problems(batch)
    with db.transaction(con, commit=False) as cursor:
        _register(cursor, batch)
        return _compare(cursor, batch)


def batch_districts(batch: Batch) -> set[str]:
    """The districts a batch writes to: its observations' and its events' (an event without one: the city)."""
    observed = batch.observations.reindex(columns=["district"])["district"].dropna().unique()
    placed = batch.events.reindex(columns=["district"])["district"].unique()
    return {str(code) for code in observed} | {CITY_DISTRICT if pd.isna(code) else str(code) for code in placed}


def require_access(user: Principal, batch: Batch) -> None:
    """Refuse (access.AccessDenied) a batch with a district USER may not write; apply() checks it again."""
    access.require_write(user, batch_districts(batch), "läsa in data")


def _require_catalogue_right(con: duckdb.DuckDBPyConnection, user: Principal) -> None:
    """Refuse a load that would add event categories unless USER is an admin (after _register)."""
    new = queries.execute(con, "load_new_categories").fetchall()
    if new and not user.is_admin():
        names = [str(name) for _, name in new]
        more = f" och {len(names) - NAMED_CATEGORIES} till" if len(names) > NAMED_CATEGORIES else ""
        access.require_admin(user, f"lägga till nya händelsekategorier ({', '.join(names[:NAMED_CATEGORIES])}{more})")


def _overwrite_refusal(result: Plan) -> LoadRefused:
    """The refusal for a load that would overwrite stored values without confirmation."""
    return LoadRefused([Problem(
        result.batch.file_name, None, None,
        f"filen skulle ändra {result.changed} värden som redan finns i databasen. Titta på ändringarna i "
        "förhandsgranskningen och bekräfta dem (på kommandoraden: --replace) om de ska ersätta de gamla.",
    )], plan=result)


def apply(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    *,
    user: Principal,
    replace: bool = False,
    progress: Progress = _no_progress,
) -> LoadResult:
    """Write BATCH in one transaction; nothing is written when it has problems or would overwrite
    stored values without REPLACE (LoadRefused), or when USER may not write it (AccessDenied).
    Returns the load's id and counts."""
    who = steering.user_name(user)
    _refuse_problems(batch)
    with db.transaction(con) as cursor:
        require_access(user, batch)
        _register(cursor, batch)
        _require_catalogue_right(cursor, user)
        progress(0.1, "Jämför med det som redan finns …")
        result = _compare(cursor, batch)
        if result.needs_confirmation and not replace:
            raise _overwrite_refusal(result)
        load_id = queries.next_id(cursor, "import_log_id")
        queries.execute(
            cursor, "load_log_start", id=load_id, kind=batch.kind.value, file_name=batch.file_name,
            checksum=batch.checksum, user_name=who,
        )
        progress(0.4, "Sparar de värden som ersätts …")
        queries.execute(cursor, "load_keep_replaced", load_id=load_id)
        queries.execute(cursor, "load_delete_replaced")
        progress(0.6, "Skriver nya värden …")
        queries.execute(cursor, "load_insert_observations", load_id=load_id)
        added = [code for code, _ in queries.execute(cursor, "load_new_categories").fetchall()]
        queries.execute(cursor, "load_insert_categories")
        queries.execute(cursor, "load_insert_events", load_id=load_id)
        est_summary.refresh(cursor, est_summary.load_districts(cursor, load_id))
        report = "\n".join(result.report())
        queries.execute(
            cursor, "load_log_finish", load_id=load_id, rows_added=result.rows_added,
            rows_changed=result.rows_changed, rows_skipped=result.rows_skipped, report=report,
        )
        detail = {"file": batch.file_name, "kind": batch.kind.value, "added": result.rows_added,
                  "changed": result.rows_changed, "skipped": result.rows_skipped,
                  "categories": added}  # undo removes them again when nothing else uses them
        queries.execute(cursor, "audit_write", user_name=who, action="load", entity="import_log",
                        entity_id=str(load_id), detail=json.dumps(detail, ensure_ascii=False))
        progress(0.9, "Sparar …")
    progress(1.0, "Klart.")
    return LoadResult(load_id=load_id, plan=result)


def undo(con: duckdb.DuckDBPyConnection, load_id: int, *, user: Principal) -> str:
    """Undo a load in one transaction: its rows go, the values it overwrote come back; return a Swedish summary.
    USER must be allowed to write every district the load wrote to (AccessDenied otherwise)."""
    who = steering.user_name(user)
    with db.transaction(con) as cursor:
        row = queries.execute(cursor, "load_lookup", load_id=load_id).fetchone()
        if row is None:
            raise UndoRefused(f"Det finns ingen laddning nummer {load_id}. Se listan med 'python -m followup "
                              "info' eller på sidan Data.")
        _, kind, file_name, _, _, _, _, undone_at = row
        if kind in ("demo", "reference"):
            raise UndoRefused(f"Laddning {load_id} är {'exempeldata' if kind == 'demo' else 'referensdata'} "
                              "och kan inte ångras. Skapa en ny databas i stället.")
        if undone_at is not None:
            raise UndoRefused(f"Laddning {load_id} ({file_name}) är redan ångrad ({undone_at:%Y-%m-%d %H:%M}).")
        touched = [code for (code,) in queries.execute(cursor, "load_districts", load_id=load_id,
                                                       city=CITY_DISTRICT).fetchall()]
        access.require_write(user, touched, f"ångra laddning {load_id} ({file_name})")
        blockers = [r[0] for r in queries.execute(cursor, "undo_blockers", load_id=load_id).fetchall()]
        if blockers:
            later = ", ".join(str(b) for b in blockers)
            raise UndoRefused(
                f"Laddning {load_id} ({file_name}) kan inte ångras än: senare laddning {later} har ändrat "
                f"värden som den skrev. Ångra först {later}, sedan {load_id}."
            )
        observations_before, restored, events = queries.execute(
            cursor, "undo_counts", load_id=load_id).fetchone()
        queries.execute(cursor, "undo_delete_observations", load_id=load_id)
        queries.execute(cursor, "undo_restore_observations", load_id=load_id)
        queries.execute(cursor, "undo_forget_replaced", load_id=load_id)
        districts = est_summary.load_districts(cursor, load_id)
        queries.execute(cursor, "undo_delete_events", load_id=load_id)
        est_summary.refresh(cursor, districts)
        added = [code for (code,) in queries.execute(cursor, "undo_load_categories", load_id=load_id).fetchall()]
        queries.execute(cursor, "undo_mark", load_id=load_id, user_name=who)
        detail = {"file": file_name, "removed": observations_before + events, "restored": restored}
        queries.execute(cursor, "audit_write", user_name=who, action="undo", entity="import_log",
                        entity_id=str(load_id), detail=json.dumps(detail, ensure_ascii=False))
    done = (f"Laddning {load_id} ({file_name}) är ångrad: {observations_before + events} rader borttagna, "
            f"{restored} tidigare värden återställda.")
    if added:  # DuckDB refuses to delete a key whose referencing rows went in the same transaction
        try:
            with db.transaction(con) as cursor:
                queries.execute(cursor, "undo_delete_categories", codes=added)
        except (errors.Refused, duckdb.Error):
            # the undo itself has committed: a category left behind (busy lake, conflict) is unused and harmless
            return (f"{done} De {len(added)} händelsekategorier som laddningen lade till kunde inte tas bort nu "
                    "(databasen var upptagen); de används inte och påverkar inga värden.")
    return done
