"""followup.lake_schema: the lake DDL and the checks derived from data/schema.sql, on plain in-memory DuckDB.

Every violation case is run twice: against the real schema (which must refuse it, so the case really breaks
a constraint) and against the lake DDL (which stores it, so violations() must report it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import duckdb
import pytest
from conftest import FIXTURES

from followup import db, lake_schema
from followup.lake_schema import CheckKind

VOCABULARIES = ("load_kind", "event_source", "place_kind")
"""The vocabulary tables (schema version 4), whose rows schema.sql itself inserts."""

QUERY_DB_SQL = (FIXTURES / "query_db.sql").read_text(encoding="utf-8")

COLUMNS_SQL = (
    "select table_name, column_name, column_index, data_type, is_nullable, column_default from duckdb_columns() "
    "where not internal order by all"
)
VIEWS_SQL = "select view_name from duckdb_views() where not internal order by all"


def lake_database() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the lake DDL (temp sequences for its nextval defaults, as followup.lake makes)
    and the vocabulary rows schema.sql inserts (a real lake gets them with the file copied into it)."""
    con = duckdb.connect()
    for name in lake_schema.id_sequences():
        con.execute(f"create temp sequence {name}")
    for statement in lake_schema.lake_ddl():
        con.execute(statement)
    fresh = duckdb.connect()
    db.ensure_schema(fresh)
    for table in VOCABULARIES:
        rows = fresh.execute(f"select code, name from {table}").fetchall()
        con.executemany(f"insert into {table} (code, name) values (?, ?)", rows)
    fresh.close()
    return con


@pytest.fixture
def lake_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """The lake DDL holding the query fixture's rows."""
    con = lake_database()
    con.execute(QUERY_DB_SQL)
    yield con
    con.close()


@pytest.fixture
def real_con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The real schema holding the query fixture's rows."""
    schema_con.execute(QUERY_DB_SQL)
    return schema_con


# --- the lake DDL ---------------------------------------------------------------------------------------------


def test_lake_ddl_gives_the_schemas_tables_columns_not_null_defaults_and_views(
    schema_con: duckdb.DuckDBPyConnection,
) -> None:
    lake = lake_database()
    assert lake.execute(COLUMNS_SQL).fetchall() == schema_con.execute(COLUMNS_SQL).fetchall()
    assert lake.execute(VIEWS_SQL).fetchall() == schema_con.execute(VIEWS_SQL).fetchall()


def test_lake_views_give_the_schemas_rows(
    real_con: duckdb.DuckDBPyConnection, lake_con: duckdb.DuckDBPyConnection
) -> None:
    # a view's stored SQL is DuckDB's rendering (CAST(1 AS DOUBLE) comes back as CAST(1 AS "DOUBLE")), so the
    # views are compared by what they give
    summary = (
        "insert into est_week values ('klotter', 'hasselby-vallingby', 'hasselby-torg', date '2025-08-18', 1, "
        "timestamp '2025-08-19 21:10', timestamp '2025-08-19 21:10'); "
        "insert into est_district values ('hasselby-vallingby', date '2025-08-04', timestamp '2025-09-10 16:30')"
    )
    real_con.execute(summary)
    lake_con.execute(summary)
    for (view,) in real_con.execute("select view_name from duckdb_views() where not internal").fetchall():
        rows = real_con.execute(f"select * from {view} order by all").fetchall()
        assert rows, view
        assert lake_con.execute(f"select * from {view} order by all").fetchall() == rows
        assert lake_con.execute(f"describe {view}").fetchall() == real_con.execute(f"describe {view}").fetchall()


def test_lake_ddl_has_no_key_check_foreign_key_index_or_sequence(schema_con: duckdb.DuckDBPyConnection) -> None:
    kinds = "select constraint_type, count(*) from duckdb_constraints() group by all order by all"
    schema_kinds = dict(schema_con.execute(kinds).fetchall())
    assert {"CHECK", "FOREIGN KEY", "PRIMARY KEY", "UNIQUE", "NOT NULL"} <= set(schema_kinds)
    lake = lake_database()
    assert dict(lake.execute(kinds).fetchall()) == {"NOT NULL": schema_kinds["NOT NULL"]}
    assert lake.execute("select count(*) from duckdb_indexes()").fetchone() == (0,)
    assert lake.execute("select count(*) from duckdb_sequences() where not temporary").fetchone() == (0,)
    assert all(not statement.lower().startswith(("create sequence", "create index", "create unique"))
               for statement in lake_schema.lake_ddl())


def test_tables_come_after_the_tables_they_reference() -> None:
    order = lake_schema.tables()
    for fk in lake_schema.foreign_keys():
        assert order.index(fk.parent) <= order.index(fk.table), fk
    assert order[0] == "schema_version"


def test_id_sequences_are_the_schemas_sequences_and_their_columns(schema_con: duckdb.DuckDBPyConnection) -> None:
    names = {row[0] for row in schema_con.execute("select sequence_name from duckdb_sequences()").fetchall()}
    found = lake_schema.id_sequences()
    assert set(found) == names
    assert found["import_log_id"] == ("import_log", "id")
    for name, (table, column) in found.items():
        (default,) = schema_con.execute(
            "select column_default from duckdb_columns() where table_name = $t and column_name = $c",
            {"t": table, "c": column},
        ).fetchone()
        assert default == f"nextval('{name}')"


# --- the checks -------------------------------------------------------------------------------------------------


def test_every_constraint_of_the_schema_has_one_check(schema_con: duckdb.DuckDBPyConnection) -> None:
    kinds = {"CHECK": CheckKind.CHECK, "PRIMARY KEY": CheckKind.PRIMARY_KEY, "UNIQUE": CheckKind.UNIQUE,
             "FOREIGN KEY": CheckKind.FOREIGN_KEY}
    expected = Counter(
        (table, kinds[kind], text) for table, kind, text in schema_con.execute(
            "select table_name, constraint_type, constraint_text from duckdb_constraints() "
            "where constraint_type <> 'NOT NULL'"
        ).fetchall()
    )
    expected.update(
        (table, CheckKind.UNIQUE_INDEX, sql)
        for table, sql in schema_con.execute("select table_name, sql from duckdb_indexes()").fetchall()
    )
    found = Counter((check.table, check.kind, check.constraint) for check in lake_schema.checks())
    assert found == expected
    assert len(found) > 100


def test_checks_of_a_table_include_the_foreign_keys_pointing_at_it() -> None:
    chosen = lake_schema.checks(["district"])
    assert {check.table for check in chosen if check.kind is not CheckKind.FOREIGN_KEY} == {"district"}
    children = {check.table for check in chosen if check.kind is CheckKind.FOREIGN_KEY}
    assert {"observation", "event", "place", "goal", "target", "comment"} <= children
    assert "est_week" not in {check.table for check in chosen}
    assert {c.table for c in lake_schema.checks(["comment"])} == {"comment"}  # it references itself


def test_checks_of_an_unknown_table_are_refused() -> None:
    with pytest.raises(ValueError, match="obsevation"):
        lake_schema.checks(["obsevation"])


def test_fixture_data_breaks_no_rule(lake_con: duckdb.DuckDBPyConnection) -> None:
    assert lake_con.execute("select count(*) from observation").fetchone()[0] > 40
    assert lake_schema.violations(lake_con) == []
    assert all(lake_con.execute(check.sql).fetchall() == [] for check in lake_schema.checks())


BREAKS = [
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value) values "
        "('otrygghet', 'andel', 'hagersten-alvsjo', null, date '2024-01-01', 'year', 140)",
        "observation", CheckKind.CHECK, "(unit <> 'andel') or (value between 0 and 100)", id="check-share-140",
    ),
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value) values "
        "('anmalda-brott', 'antal', 'hasselby-vallingby', null, date '2025-07-02', 'week', 3)",
        "observation", CheckKind.CHECK, "isodow(period_start) = 1", id="check-week-not-monday",
    ),
    pytest.param(
        "insert into district (code, name) values ('Ny Stadsdel', 'Ny stadsdel')",
        "district", CheckKind.CHECK, "regexp_full_match(code, '[a-z0-9-]+')", id="check-code-pattern",
    ),
    pytest.param(
        "insert into goal (code, priority_area, number, text, scope, district) values "
        "('pa2-9', 'otrygga-platser', 9, 'Ett mål.', 'city', 'hasselby-vallingby')",
        "goal", CheckKind.CHECK, "(scope = 'city') = (district is null)", id="check-two-columns",
    ),
    pytest.param(
        "insert into district (code, name, kind) values ('stockholm', 'Stockholm igen', 'stad')",
        "district", CheckKind.PRIMARY_KEY, "nyckeln (code)", id="primary-key-code",
    ),
    pytest.param(
        "insert into goal_indicator (goal, indicator) values ('pa1-1', 'otrygghet')",
        "goal_indicator", CheckKind.PRIMARY_KEY, "nyckeln (goal, indicator)", id="primary-key-pair",
    ),
    pytest.param(
        "insert into event (id, source, source_id, occurred_at, category) "
        "select id, 'annan', 'ny', timestamp '2025-01-01 10:00', 'klotter' from event order by id limit 1",
        "event", CheckKind.PRIMARY_KEY, "nyckeln (id)", id="primary-key-id",
    ),
    pytest.param(
        "insert into district (code, name) values ('ny-stadsdel', 'Hässelby-Vällingby')",
        "district", CheckKind.UNIQUE, "(name) ska vara unikt", id="unique-name",
    ),
    pytest.param(
        "insert into event (source, source_id, occurred_at, category) values "
        "('est', 'hv-1', timestamp '2025-01-01 10:00', 'klotter')",
        "event", CheckKind.UNIQUE, "(source, source_id) ska vara unikt", id="unique-pair",
    ),
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value) values "
        "('otrygghet', 'andel', 'stockholm', null, date '2025-01-01', 'year', 25)",
        "observation", CheckKind.UNIQUE_INDEX, "coalesce(place, '')", id="index-whole-district",
    ),
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value) values "
        "('anmalda-brott', 'antal', 'provby', 'provtorget', date '2021-01-01', 'month', 11)",
        "observation", CheckKind.UNIQUE_INDEX, "observation_key", id="index-place",
    ),
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value) values "
        "('anmalda-brott', 'antal', 'hasselby-vallingby', 'fruangen', date '2021-01-01', 'month', 11)",
        "observation", CheckKind.FOREIGN_KEY, "(place, district) ska finnas i tabellen place (code, district)",
        id="foreign-key-place-in-other-district",
    ),
    pytest.param(
        "insert into event (source, source_id, occurred_at, category) values "
        "('est', 'ny', timestamp '2025-01-01 10:00', 'okand')",
        "event", CheckKind.FOREIGN_KEY, "(category) ska finnas i tabellen event_category (code)",
        id="foreign-key-category",
    ),
    pytest.param(
        "insert into event (source, source_id, occurred_at, category) values "
        "('twitter', 'ny', timestamp '2025-01-01 10:00', 'klotter')",
        "event", CheckKind.FOREIGN_KEY, "(source) ska finnas i tabellen event_source (code)",
        id="foreign-key-event-source",
    ),
    pytest.param(
        "insert into import_log (id, kind, file_name, checksum, user_name) values (900, 'excel', 'x.xlsx', 'c', 't')",
        "import_log", CheckKind.FOREIGN_KEY, "(kind) ska finnas i tabellen load_kind (code)",
        id="foreign-key-load-kind",
    ),
    pytest.param(
        "insert into place (code, name, district, kind, lat, lon) values "
        "('nytt-torg', 'Nytt torg', 'hasselby-vallingby', 'galleria', 59.36, 17.86)",
        "place", CheckKind.FOREIGN_KEY, "(kind) ska finnas i tabellen place_kind (code)",
        id="foreign-key-place-kind",
    ),
    pytest.param(
        "insert into source_code (source, code, indicator) values ('scb', 'x1', 'otrygghet')",
        "source_code", CheckKind.FOREIGN_KEY, "(source) ska finnas i tabellen load_kind (code)",
        id="foreign-key-source-code-source",
    ),
    pytest.param(
        "insert into comment (id, district, goal, period_start, grain, body, author, supersedes) values "
        "(900, 'hasselby-vallingby', 'pa2-1', date '2025-05-01', 'tertial', 'Ny version.', 'test', 999)",
        "comment", CheckKind.FOREIGN_KEY, "(supersedes) ska finnas i tabellen comment (id)",
        id="foreign-key-to-itself",
    ),
]


@pytest.mark.parametrize(("statement", "table", "kind", "rule"), BREAKS)
def test_a_broken_rule_is_reported(
    real_con: duckdb.DuckDBPyConnection, lake_con: duckdb.DuckDBPyConnection,
    statement: str, table: str, kind: CheckKind, rule: str,
) -> None:
    with pytest.raises(duckdb.ConstraintException):
        real_con.execute(statement)
    lake_con.execute(statement)
    messages = lake_schema.violations(lake_con)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"Tabellen {table}: ")
    assert rule in messages[0]
    assert lake_schema.violations(lake_con, [table]) == messages
    failing = [check for check in lake_schema.checks([table]) if lake_con.execute(check.sql).fetchall()]
    assert [check.kind for check in failing] == [kind]


def test_a_message_names_table_rule_and_row(lake_con: duckdb.DuckDBPyConnection) -> None:
    lake_con.execute(BREAKS[0].values[0])
    assert lake_schema.violations(lake_con, ["observation"]) == [
        "Tabellen observation: värdet bryter mot regeln ((unit <> 'andel') or (value between 0 and 100)) för rad "
        "med indicator=otrygghet, district=hagersten-alvsjo, place=tomt, period_start=2024-01-01, grain=year, "
        "unit=andel, value=140.0."
    ]


def test_a_message_shows_at_most_three_examples(lake_con: duckdb.DuckDBPyConnection) -> None:
    lake_con.execute("update place set lat = 70")
    (message,) = lake_schema.violations(lake_con)
    assert "lat between 59.0 and 60.0" in message
    assert "rader med code=" in message
    assert message.count("lat=70") == 3


def test_a_deleted_parent_is_reported_through_its_children(
    real_con: duckdb.DuckDBPyConnection, lake_con: duckdb.DuckDBPyConnection,
) -> None:
    delete = "delete from place where code = 'fruangen'"
    with pytest.raises(duckdb.ConstraintException):
        real_con.execute(delete)
    lake_con.execute(delete)
    messages = lake_schema.violations(lake_con, ["place"])
    assert messages
    assert all("ska finnas i tabellen place (code, district)" in message for message in messages)
    assert any(message.startswith("Tabellen observation: ") for message in messages)
    assert lake_schema.violations(lake_con, ["audit_log"]) == []



@pytest.mark.parametrize(("vocabulary", "code", "children"), [
    ("load_kind", "observations", {"import_log"}),
    ("event_source", "est", {"event"}),
    ("place_kind", "torg", {"place"}),
])
def test_a_vocabulary_row_in_use_cannot_go(
    real_con: duckdb.DuckDBPyConnection, lake_con: duckdb.DuckDBPyConnection, vocabulary: str, code: str,
    children: set[str],
) -> None:
    """The lake checks the vocabulary tables' foreign keys when a vocabulary is written, as the file refuses it."""
    delete = f"delete from {vocabulary} where code = '{code}'"
    with pytest.raises(duckdb.ConstraintException):
        real_con.execute(delete)
    lake_con.execute(delete)
    messages = lake_schema.violations(lake_con, [vocabulary])
    assert {message.split(":")[0].removeprefix("Tabellen ") for message in messages} == children
    assert all(f"ska finnas i tabellen {vocabulary} (code)" in message for message in messages)


ACCEPTED = [
    pytest.param(
        "insert into event (source, source_id, occurred_at, district, category) values "
        "('annan', null, timestamp '2025-01-01 10:00', 'hasselby-vallingby', 'klotter'), "
        "('annan', null, timestamp '2025-01-02 10:00', 'hasselby-vallingby', 'klotter')",
        id="unique-with-null",
    ),
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value, numerator) values "
        "('otrygghet', 'andel', 'hagersten-alvsjo', null, date '2024-01-01', 'year', 40, null)",
        id="check-with-null",
    ),
    pytest.param(
        "insert into target (indicator, district, place, baseline_start, baseline_grain, baseline_value) values "
        "('otrygghet', 'hagersten-alvsjo', null, date '2024-01-01', 'year', 30)",
        id="foreign-key-partly-null",
    ),
    pytest.param(
        "insert into observation (indicator, unit, district, place, period_start, grain, value) values "
        "('anmalda-brott', 'antal', 'provby', null, date '2021-01-01', 'month', 15)",
        id="index-null-beside-a-place",
    ),
]


@pytest.mark.parametrize("statement", ACCEPTED)
def test_rows_the_schema_accepts_break_no_rule(
    real_con: duckdb.DuckDBPyConnection, lake_con: duckdb.DuckDBPyConnection, statement: str,
) -> None:
    real_con.execute(statement)
    lake_con.execute(statement)
    assert lake_schema.violations(lake_con) == []


def test_violations_of_no_tables_runs_nothing() -> None:
    con = duckdb.connect()  # no tables at all: any query would fail
    assert lake_schema.violations(con, []) == []


# --- helpers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "quoted"), [("value", "value"), ("order", '"order"'), ("Weird", '"Weird"'), ('a"b', '"a""b"')]
)
def test_quote_quotes_only_when_needed(name: str, quoted: str) -> None:
    assert lake_schema.quote(name) == quoted


def test_pretty_shows_an_expression_for_people() -> None:
    assert lake_schema.pretty("((unit != 'andel') OR (\"value\" BETWEEN 0 AND 100))") == (
        "(unit <> 'andel') or (value between 0 and 100)"
    )
    assert lake_schema.pretty("(city_part IN ('Västerort', 'Söderort'))") == "city_part in ('Västerort', 'Söderort')"


def test_index_expressions_split_at_top_level_commas() -> None:
    sql = "CREATE UNIQUE INDEX k ON t(a, (COALESCE(b, ',')), c);"
    assert lake_schema.index_expressions(sql) == ["a", "(COALESCE(b, ','))", "c"]

