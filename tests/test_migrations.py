"""followup.migrations and db.ensure_schema's upgrade path: old databases are upgraded whole or not at all.

tests/fixtures/schema_v1.sql is data/schema.sql as it was at schema version 1, frozen. A database made from
it and upgraded with every migration must have the same structure as one made from today's schema.sql.
While the schema is still at version 1 the two files must give the same structure, so a change to
schema.sql is either copied to the fixture (before version 1 ships) or comes with a migration.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from followup import config, db, lake_schema, migrations, transfer

SCHEMA_V1 = (config.ROOT / "tests" / "fixtures" / "schema_v1.sql").read_text(encoding="utf-8")
ADD_NOTE = "alter table place add column note varchar"  # no trailing ';' on purpose


def inserted_version(schema_sql: str) -> int:
    """The version a schema script writes into schema_version."""
    found = re.findall(r"insert into schema_version \(version\) values \((\d+)\)", schema_sql)
    assert len(found) == 1, "the schema must insert exactly one schema_version row"
    return int(found[0])


def version_one_db() -> duckdb.DuckDBPyConnection:
    """An in-memory database as schema version 1 made it, with one district row as data."""
    con = duckdb.connect()
    db.ensure_schema(con, steps={}, schema_sql=SCHEMA_V1)
    con.execute("insert into district (code, name) values ('bromma', 'Bromma')")
    return con


def structure(con: duckdb.DuckDBPyConnection) -> dict[str, Counter]:
    """Everything that makes up the schema: columns, constraints, views, sequences, indexes."""
    queries = {
        "columns": "select table_name, column_name, data_type, is_nullable, column_default "
        "from information_schema.columns where table_schema = 'main'",
        "constraints": "select table_name, constraint_type, constraint_text from duckdb_constraints()",
        "views": "select view_name, sql from duckdb_views() where not internal",
        "sequences": "select sequence_name, start_value, increment_by, cycle from duckdb_sequences()",
        "indexes": "select table_name, index_name, sql from duckdb_indexes()",
    }
    return {name: Counter(con.execute(sql).fetchall()) for name, sql in queries.items()}


def differences(left: dict[str, Counter], right: dict[str, Counter]) -> list[str]:
    """Readable differences between two structures (empty when equal)."""
    lines = []
    for part in left:
        for item in sorted(map(repr, left[part] - right[part])):
            lines.append(f"{part}: only in fresh: {item}")
        for item in sorted(map(repr, right[part] - left[part])):
            lines.append(f"{part}: only in migrated: {item}")
    return lines


def test_latest_version_matches_schema_sql() -> None:
    schema_sql = config.SCHEMA_FILE.read_text(encoding="utf-8")
    assert inserted_version(schema_sql) == migrations.latest_version()
    assert db.ensure_schema(duckdb.connect()) == migrations.latest_version()


def test_schema_v1_fixture_is_version_1() -> None:
    assert inserted_version(SCHEMA_V1) == migrations.BASE_VERSION == 1


@pytest.mark.parametrize(
    ("steps", "latest"),
    [({}, 1), ({2: "x"}, 2), ({2: "x", 3: "y"}, 3)],
)
def test_latest_version_counts_steps(steps: dict[int, str], latest: int) -> None:
    assert migrations.latest_version(steps) == latest


@pytest.mark.parametrize("steps", [{3: "x"}, {1: "x"}, {2: "x", 4: "y"}])
def test_latest_version_rejects_gaps(steps: dict[int, str]) -> None:
    with pytest.raises(ValueError, match="must be numbered"):
        migrations.latest_version(steps)


def test_migrations_apply_in_order_and_keep_data() -> None:
    con = version_one_db()
    steps = {2: ADD_NOTE, 3: "update place set note = 'x'; alter table district add column short_name varchar;"}

    assert db.ensure_schema(con, steps=steps) == 3

    assert con.execute("select version from schema_version order by version").fetchall() == [(1,), (2,), (3,)]
    columns = set(con.execute("select table_name, column_name from information_schema.columns").fetchall())
    assert {("place", "note"), ("district", "short_name")} <= columns
    assert con.execute("select code, name, short_name from district").fetchall() == [("bromma", "Bromma", None)]
    assert db.ensure_schema(con, steps=steps) == 3  # a second run changes nothing
    assert con.execute("select count(*) from schema_version").fetchone() == (3,)


def test_failing_migration_rolls_back_every_step() -> None:
    con = version_one_db()
    steps = {2: ADD_NOTE, 3: "insert into no_such_table values (1)"}

    with pytest.raises(db.DatabaseError, match="från schemaversion 1 till 3 misslyckades och har ångrats"):
        db.ensure_schema(con, steps=steps)

    assert con.execute("select max(version) from schema_version").fetchone() == (1,)
    columns = {row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_name = 'place'"
    ).fetchall()}
    assert "note" not in columns, "step 2 must be undone when step 3 fails"
    assert con.execute("select code from district").fetchall() == [("bromma",)]
    assert db.ensure_schema(con, steps={2: ADD_NOTE}) == 2  # the connection is still usable


def test_migration_path_gives_the_schema_of_schema_sql() -> None:
    """Version 1 upgraded with every real migration equals a fresh database from data/schema.sql."""
    fresh = duckdb.connect()
    db.ensure_schema(fresh)
    migrated = duckdb.connect()
    db.ensure_schema(migrated, steps={}, schema_sql=SCHEMA_V1)
    db.ensure_schema(migrated)

    problems = differences(structure(fresh), structure(migrated))
    assert not problems, (
        "data/schema.sql and (tests/fixtures/schema_v1.sql + followup/migrations.py) differ. Before version 1 "
        "ships, copy schema.sql to the fixture; after that, add a migration for the change.\n"
        + "\n".join(problems)
    )


def test_structure_comparison_sees_a_missing_migration() -> None:
    """The comparison above can fail: an extra column, constraint or view shows up."""
    fresh = duckdb.connect()
    db.ensure_schema(fresh)
    migrated = version_one_db()
    db.ensure_schema(
        migrated,
        steps={2: ADD_NOTE + "; create view place_name as select name from place; create sequence extra_id"},
    )

    problems = differences(structure(fresh), structure(migrated))

    assert any("only in migrated: ('place', 'note'" in line for line in problems)
    assert any(line.startswith("views: only in migrated: ('place_name'") for line in problems)
    assert any(line.startswith("sequences: only in migrated: ('extra_id'") for line in problems)
    other = duckdb.connect()
    db.ensure_schema(other, schema_sql=config.SCHEMA_FILE.read_text(encoding="utf-8").replace(
        "check (lat between 59.0 and 60.0)", "check (lat between 58.0 and 60.0)"
    ))
    assert any(line.startswith("constraints:") for line in differences(structure(fresh), structure(other)))


# --- version 4: open vocabularies, tables rebuilt with their rows ---------------------------------------------

VOCABULARY_TABLES = ("load_kind", "event_source", "place_kind")


def version_three_db() -> duckdb.DuckDBPyConnection:
    """An in-memory database as the real migrations 2 and 3 made it from version 1 (no reference rows)."""
    con = duckdb.connect()
    db.ensure_schema(con, steps={}, schema_sql=SCHEMA_V1)
    db.ensure_schema(con, steps={version: migrations.MIGRATIONS[version] for version in (2, 3)})
    return con


def rows(con: duckdb.DuckDBPyConnection, table: str, database: str | None = None) -> Counter:
    """A table's rows as a multiset, in schema.sql's column order (files of any history compare) and with only
    the columns the table has there (an older version lacks some)."""
    where = f"{database}.main." if database else ""
    present = {row[0] for row in con.execute(f"select * from {where}{lake_schema.quote(table)} limit 0").description}
    names = ", ".join(lake_schema.quote(column) for column in lake_schema.columns(table) if column in present)
    return Counter(con.execute(f"select {names} from {where}{lake_schema.quote(table)}").fetchall())


def test_migration_4_upgrades_the_demo_with_every_row(demo_db_path: Path) -> None:
    """The demo's rows written into a version 3 database come through the rebuild unchanged, keys included."""
    con = version_three_db()
    con.execute(f"attach '{demo_db_path}' as demo (read_only)")
    skipped = {"schema_version", *VOCABULARY_TABLES}  # version 3 has no vocabulary tables
    for table in lake_schema.tables():
        if table not in skipped:
            transfer._copy_table(con, "demo", table)  # parents first; comment.supersedes in rounds
    con.execute("detach demo")

    assert db.ensure_schema(con) == 4

    con.execute(f"attach '{demo_db_path}' as demo (read_only)")
    for table in lake_schema.tables():
        if table != "schema_version":
            assert rows(con, table) == rows(con, table, "demo"), f"{table} differs after the upgrade"
    assert con.execute("select count(*) from event").fetchone()[0] > 10_000, "the demo has events to carry"


def test_migration_4_from_version_1_keeps_rows_and_opens_the_vocabularies() -> None:
    """A version 1 file with a load, its event, a place and an activity: every row survives, an unknown kind is
    refused afterwards, and a new kind is one INSERT while events still reference the load."""
    con = duckdb.connect()
    db.ensure_schema(con, steps={}, schema_sql=SCHEMA_V1)
    con.execute("""
        insert into district (code, name) values ('bromma', 'Bromma');
        insert into place (code, name, district, kind, lat, lon) values ('brommaplan', 'Brommaplan', 'bromma', 'torg',
                                                                         59.338, 17.939);
        insert into event_category (code, name) values ('klotter', 'Klotter');
        insert into import_log (kind, file_name, checksum, user_name) values ('est', 'est.csv', 'abc', 'test');
        insert into event (source, source_id, occurred_at, district, place, category, load_id)
            values ('est', 'e1', '2025-03-04 22:15', 'bromma', 'brommaplan', 'klotter', 1);
        insert into activity (title, district, place, lead_org, prevention_type, level, status, created_by)
            values ('Trygghetsvandring', 'bromma', 'brommaplan', 'Polisen', 'situational', 'universal', 'planned', 't');
    """)
    before = {table: rows(con, table) for table in ("place", "event", "activity")}

    assert db.ensure_schema(con) == migrations.latest_version()

    after = {table: rows(con, table) for table in before}
    after["activity"] = Counter({row[:-2]: n for row, n in after["activity"].items()})  # v2 added updated_by, _at
    for table in before:  # every row is still there (the upgrade also adds the reference rows that came since)
        assert before[table] - after[table] == Counter(), f"{table} lost rows"
    assert con.execute("select id, kind, report from import_log").fetchall() == [(1, "est", None)]
    with pytest.raises(duckdb.ConstraintException, match="foreign key"):
        con.execute("insert into import_log (kind, file_name, checksum, user_name) values ('targets', 'm.csv', 'x', 't')")
    con.execute("insert into load_kind (code, name) values ('targets', 'målvärden')")
    con.execute("insert into import_log (kind, file_name, checksum, user_name) values ('targets', 'm.csv', 'x', 't')")
    (new_id,) = con.execute("select id from import_log where kind = 'targets'").fetchone()
    assert new_id > 1, "the id sequence goes on after the rebuild"
    con.execute("update activity set status = 'ongoing', place = null where id = 1")  # still editable


def test_migration_4_fills_the_vocabularies_as_schema_sql_does() -> None:
    fresh = duckdb.connect()
    db.ensure_schema(fresh)
    migrated = version_three_db()
    db.ensure_schema(migrated)
    for table in VOCABULARY_TABLES:
        assert rows(migrated, table) == rows(fresh, table), f"{table}: migration 4 and schema.sql disagree"
