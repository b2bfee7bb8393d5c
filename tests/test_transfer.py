"""followup.transfer: the demo copied into a lake-like database (the lake DDL, no constraints) and back into a file.

Plain DuckDB stands in for the lake: an in-memory database gets the lake variant of the schema, exactly as a
DuckLake would. One test runs the round trip through a real DuckLake whose catalogue is a local DuckDB file
(no PostgreSQL needed).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES
from table_state import table_checksums

from followup import db, lake_schema, migrations, transfer
from followup.db import DatabaseError, SchemaVersionError

BROKEN_SHARE = (
    "insert into {db}.main.observation select * replace (140.0 as value, date '1999-01-01' as period_start) "
    "from {db}.main.observation where unit = 'andel' and grain <> 'week' limit 1"
)


def literal(path: Path) -> str:
    """A file path as an SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def tables_of(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """The tables of an attached database."""
    return [row[0] for row in con.execute(
        "select table_name from duckdb_tables() where database_name = $db order by all", {"db": database}
    ).fetchall()]


@pytest.fixture(scope="module")
def demo_state(demo_db_path: Path) -> dict[str, tuple[int, int]]:
    """Row count and content hash of every table of the demo."""
    with closing(duckdb.connect(str(demo_db_path), read_only=True)) as con:
        return table_checksums(con)


@pytest.fixture(scope="module")
def lake(demo_db_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, int]]]:
    """A connection whose in-memory default database holds the demo copied with copy_into_lake (the demo
    attached read-only as src), and the counts the copy returned. Read it, never write to it."""
    con = duckdb.connect()
    con.execute(f"attach {literal(demo_db_path)} as src (read_only)")
    counts = transfer.copy_into_lake(con, "src", "memory")
    yield con, counts
    con.close()


def attach_copy_of_demo(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Attach a new in-memory database NAME holding the lake copy of the demo (src must be attached), with the
    temp sequences any insert into the lake DDL needs (DuckDB binds every column's default, even for given ids)."""
    con.execute(f"attach ':memory:' as {name}")
    transfer.copy_into_lake(con, "src", name)
    for sequence in lake_schema.id_sequences():
        con.execute(f"create temp sequence if not exists {sequence}")


# --- into the lake ---------------------------------------------------------------------------------------------


def test_copy_into_lake_copies_every_row(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]], demo_state: dict[str, tuple[int, int]]
) -> None:
    con, counts = lake
    assert counts == {table: demo_state[table][0] for table in lake_schema.tables()}
    assert set(demo_state) == set(lake_schema.tables())
    assert counts["event"] > 10_000 and counts["observation"] > 1_000
    assert table_checksums(con) == demo_state  # every row equal, in every table


def test_the_lake_copy_has_the_lake_schema(lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]]) -> None:
    con, _ = lake
    assert con.execute(
        "select count(*) from duckdb_constraints() where database_name = 'memory' and constraint_type <> 'NOT NULL'"
    ).fetchone() == (0,)
    assert con.execute("select count(*) from duckdb_indexes() where database_name = 'memory'").fetchone() == (0,)
    assert con.execute("select count(*) from memory.main.indicator_value").fetchone()[0] > 10_000


def test_a_target_holding_tables_is_refused_and_left_alone(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]], demo_state: dict[str, tuple[int, int]]
) -> None:
    con, _ = lake
    with pytest.raises(DatabaseError, match="innehåller redan data .* måste hamna i en tom databas"):
        transfer.copy_into_lake(con, "src", "memory")
    assert table_checksums(con) == demo_state
    con.execute("attach ':memory:' as other")
    try:
        con.execute("create table other.main.notes (line varchar)")
        with pytest.raises(DatabaseError, match="Målet other innehåller redan data"):
            transfer.copy_into_lake(con, "src", "other")
        assert tables_of(con, "other") == ["notes"]
    finally:
        con.execute("detach other")


def test_a_source_breaking_a_rule_is_refused_and_nothing_is_written(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]],
) -> None:
    con, _ = lake
    attach_copy_of_demo(con, "broken")
    con.execute("attach ':memory:' as again")
    try:
        con.execute(BROKEN_SHARE.format(db="broken"))
        with pytest.raises(DatabaseError) as refused:
            transfer.copy_into_lake(con, "broken", "again")
        text = str(refused.value)
        assert "bryter mot schemats regler, så inget har kopierats" in text
        assert "Tabellen observation: värdet bryter mot regeln ((unit <> 'andel') or (value between 0 and 100))" in text
        assert "period_start=1999-01-01" in text and "value=140.0" in text
        assert tables_of(con, "again") == []
    finally:
        con.execute("detach broken")
        con.execute("detach again")


def test_an_older_source_must_be_migrated_first(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    schema_v1 = (FIXTURES / "schema_v1.sql").read_text(encoding="utf-8")
    with closing(duckdb.connect(str(path))) as old:
        db.ensure_schema(old, steps={}, schema_sql=schema_v1)
    assert migrations.latest_version() > 1
    with closing(duckdb.connect()) as con:
        con.execute(f"attach {literal(path)} as old (read_only)")
        with pytest.raises(SchemaVersionError, match=f"schemaversion 1 .* 'python -m followup migrate --db {path}'"):
            transfer.copy_into_lake(con, "old", "memory")
        assert tables_of(con, "memory") == []


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("", "är tom, så det finns inget att kopiera"),
        ("create table source.main.notes (line varchar)", "ingen schemaversion: den är ingen uppföljningsdatabas"),
    ],
    ids=["empty", "not-follow-up"],
)
def test_a_source_that_is_no_follow_up_database_is_refused(setup: str, expected: str) -> None:
    with closing(duckdb.connect()) as con:
        con.execute("attach ':memory:' as source")
        if setup:
            con.execute(setup)
        with pytest.raises(DatabaseError, match=expected):
            transfer.copy_into_lake(con, "source", "memory")


def test_databases_must_be_attached_and_different() -> None:
    with closing(duckdb.connect()) as con:
        with pytest.raises(DatabaseError, match="Databasen elsewhere är inte ansluten"):
            transfer.copy_into_lake(con, "elsewhere", "memory")
        with pytest.raises(DatabaseError, match="samma databas"):
            transfer.copy_into_lake(con, "memory", "memory")


# --- out of the lake --------------------------------------------------------------------------------------------


def test_copy_out_of_lake_gives_the_full_database_back(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]], demo_state: dict[str, tuple[int, int]], tmp_path: Path
) -> None:
    con, counts = lake
    path = tmp_path / "back.duckdb"
    con.execute(f"attach {literal(path)} as back")
    try:
        assert transfer.copy_out_of_lake(con, "memory", "back") == counts
    finally:
        con.execute("detach back")
    with closing(db.open_database(path)) as back:
        assert db.schema_version(back) == migrations.latest_version()
        assert table_checksums(back) == demo_state
        assert back.execute("select count(*) from comment where supersedes is not null").fetchone()[0] > 0
        for name, (table, column) in lake_schema.id_sequences().items():
            (top,) = back.execute(f"select coalesce(max({column}), 0) from {table}").fetchone()
            assert back.execute(f"select nextval('{name}')").fetchone() == (top + 1,), name
        (top,) = back.execute("select max(id) from import_log").fetchone()
        back.execute("insert into import_log (kind, file_name, checksum, user_name) values ('demo', 'f', 'c', 'u')")
        assert back.execute("select max(id) from import_log").fetchone() == (top + 2,)  # nextval above took top + 1
        with pytest.raises(duckdb.ConstraintException):
            back.execute("insert into district (code, name) select code, name || ' 2' from district limit 1")
        with pytest.raises(duckdb.ConstraintException):
            back.execute(BROKEN_SHARE.format(db="back"))


def test_copy_out_copies_comments_superseding_later_ones(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]], tmp_path: Path
) -> None:
    con, _ = lake
    attach_copy_of_demo(con, "chain")
    path = tmp_path / "chain.duckdb"
    try:
        # 901 supersedes 902, which supersedes 903: each refers to a row that comes later
        con.execute(
            "insert into chain.main.comment (id, district, goal, indicator, period_start, grain, body, author, "
            "supersedes) select id, district, goal, indicator, period_start, grain, body, author, "
            "case id when 901 then 902 when 902 then 903 end "
            "from (select * replace (900 + row_number() over (order by id) as id) from chain.main.comment "
            "limit 3)"
        )
        con.execute(f"attach {literal(path)} as chainback")
        counts = transfer.copy_out_of_lake(con, "chain", "chainback")
        rows = con.execute(
            "select id, supersedes from chainback.main.comment where id > 900 order by id"
        ).fetchall()
    finally:
        con.execute("detach chain")
        con.execute("detach database if exists chainback")
    assert rows == [(901, 902), (902, 903), (903, None)]
    assert counts["comment"] == con.execute("select count(*) from memory.main.comment").fetchone()[0] + 3


def test_copy_out_refuses_a_source_breaking_a_rule(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]], tmp_path: Path
) -> None:
    con, _ = lake
    attach_copy_of_demo(con, "faulty")
    con.execute(f"attach {literal(tmp_path / 'faulty.duckdb')} as faultyback")
    try:
        con.execute(BROKEN_SHARE.format(db="faulty"))
        with pytest.raises(DatabaseError, match="Tabellen observation: värdet bryter mot regeln"):
            transfer.copy_out_of_lake(con, "faulty", "faultyback")
        assert tables_of(con, "faultyback") == []
    finally:
        con.execute("detach faulty")
        con.execute("detach faultyback")


def test_copy_out_refuses_a_target_holding_tables(
    lake: tuple[duckdb.DuckDBPyConnection, dict[str, int]], tmp_path: Path
) -> None:
    con, _ = lake
    con.execute(f"attach {literal(tmp_path / 'filled.duckdb')} as filled")
    try:
        con.execute("create table filled.main.notes (line varchar)")
        with pytest.raises(DatabaseError, match="Målet filled .* innehåller redan data"):
            transfer.copy_out_of_lake(con, "memory", "filled")
        assert tables_of(con, "filled") == ["notes"]
    finally:
        con.execute("detach filled")


# --- a real DuckLake ---------------------------------------------------------------------------------------------


def test_round_trip_through_a_ducklake(
    demo_db_path: Path, demo_state: dict[str, tuple[int, int]], tmp_path: Path
) -> None:
    from followup import lake as shared  # the extension files of the pip packages

    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    with closing(duckdb.connect(config=config)) as con:
        con.execute(f"load {literal(shared.extension_file('ducklake'))}")
        catalogue, data = tmp_path / "catalogue.ducklake", tmp_path / "data"
        con.execute(f"attach {literal(Path(f'ducklake:{catalogue}'))} as lk (data_path {literal(data)})")
        con.execute(f"attach {literal(demo_db_path)} as src (read_only)")
        counts = transfer.copy_into_lake(con, "src", "lk")
        assert counts == {table: demo_state[table][0] for table in lake_schema.tables()}
        con.execute(f"attach {literal(tmp_path / 'back.duckdb')} as back")
        assert transfer.copy_out_of_lake(con, "lk", "back") == counts
        con.execute("detach back")
        con.execute("use lk")
        assert lake_schema.violations(con) == []
        con.execute(BROKEN_SHARE.format(db="lk"))
        assert [m[:40] for m in lake_schema.violations(con, ["observation"])] == [
            "Tabellen observation: värdet bryter mot "
        ]
    with closing(db.open_database(tmp_path / "back.duckdb", read_only=True)) as back:
        assert table_checksums(back) == demo_state


# --- the shared backend in PostgreSQL ------------------------------------------------------------------------------


def test_fill_if_empty_fills_an_empty_lake_once(
    pg_lake: tuple[str, Path], demo_db_path: Path, demo_state: dict[str, tuple[int, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, data_path = pg_lake
    monkeypatch.setenv("FOLLOWUP_LAKE_DATA", str(data_path))
    built: list[Path] = []

    def build(path: Path) -> None:
        built.append(path)
        shutil.copyfile(demo_db_path, path)

    assert transfer.fill_if_empty(url, build) is True
    assert transfer.fill_if_empty(url, build) is False
    assert len(built) == 1 and not built[0].exists()  # built once, in a temporary folder since removed
    with closing(db.open_database(url)) as con:
        assert db.schema_version(con) == migrations.latest_version()
        assert table_checksums(con) == demo_state
        assert lake_schema.violations(con) == []
