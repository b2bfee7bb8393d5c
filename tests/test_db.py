"""followup.db: opening files, creating and checking the schema, and a file held by another process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from conftest import HoldDatabase

from followup import config, db, migrations


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the database."""
    return {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}


def fingerprint(path: Path) -> tuple[int, str]:
    """The file's inode and content hash: equal means neither replaced nor changed."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def make_database(path: Path, *, demo: bool) -> None:
    """A follow-up database file with a marker row (and the demo flag when demo)."""
    with closing(db.open_database(path)) as con:
        con.execute("insert into database_info values ('marker', 'original')")
        if demo:
            con.execute("insert into database_info values ('demo', 'true')")


def test_db_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """--db beats FOLLOWUP_DB, which beats data/followup.duckdb."""
    monkeypatch.setenv(config.DB_ENV, str(tmp_path / "env.duckdb"))
    assert config.db_path(tmp_path / "explicit.duckdb") == tmp_path / "explicit.duckdb"
    assert config.db_path() == tmp_path / "env.duckdb"
    monkeypatch.setenv(config.DB_ENV, "  ")
    assert config.db_path() == config.DEFAULT_DB
    monkeypatch.delenv(config.DB_ENV)
    assert config.db_path() == config.DEFAULT_DB


def test_fresh_file_gets_the_schema(tmp_db_path: Path) -> None:
    con = db.connect()  # FOLLOWUP_DB points at tmp_db_path
    try:
        assert db.schema_version(con) is None
        assert db.ensure_schema(con) == migrations.latest_version()
        assert {"district", "observation", "event", "indicator_value", "schema_version"} <= table_names(con)
        assert db.is_demo(con) is False
    finally:
        con.close()
    assert tmp_db_path.is_file()


def test_connect_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "followup.duckdb"
    db.connect(path).close()
    assert path.is_file()


def test_reopening_is_idempotent(tmp_db_path: Path) -> None:
    make_database(tmp_db_path, demo=False)
    for _ in range(2):
        with closing(db.open_database(tmp_db_path)) as con:
            assert con.execute("select version from schema_version").fetchall() == [(migrations.latest_version(),)]
            assert db.info(con) == {"marker": "original"}
    with closing(db.open_database(tmp_db_path, read_only=True)) as con:
        assert db.schema_version(con) == migrations.latest_version()


def test_is_demo_reads_database_info(tmp_db_path: Path) -> None:
    make_database(tmp_db_path, demo=True)
    with closing(db.open_database(tmp_db_path, read_only=True)) as con:
        assert db.is_demo(con) is True
        assert db.info(con) == {"marker": "original", "demo": "true"}


def test_foreign_database_is_refused_unchanged(tmp_db_path: Path) -> None:
    with closing(duckdb.connect(str(tmp_db_path))) as con:
        con.execute("create table customers (id integer)")
    with pytest.raises(db.SchemaVersionError, match="ingen schemaversion: den är inte en uppföljningsdatabas"):
        db.open_database(tmp_db_path)
    with closing(duckdb.connect(str(tmp_db_path), read_only=True)) as con:
        assert table_names(con) == {"customers"}


def test_empty_schema_version_table_is_refused(schema_con: duckdb.DuckDBPyConnection) -> None:
    schema_con.execute("delete from schema_version")
    with pytest.raises(db.SchemaVersionError, match="schema_version är tom"):
        db.ensure_schema(schema_con)


def test_newer_schema_version_is_refused_unchanged(tmp_db_path: Path) -> None:
    newer = migrations.latest_version() + 1
    make_database(tmp_db_path, demo=False)
    with closing(duckdb.connect(str(tmp_db_path))) as con:
        con.execute("insert into schema_version (version) values ($v)", {"v": newer})
    before = fingerprint(tmp_db_path)

    for read_only in (False, True):
        with pytest.raises(db.SchemaVersionError, match=f"schemaversion {newer} .*nyare version"):
            db.open_database(tmp_db_path, read_only=read_only)

    assert fingerprint(tmp_db_path) == before
    with closing(duckdb.connect(str(tmp_db_path), read_only=True)) as con:
        assert con.execute("select max(version) from schema_version").fetchone() == (newer,)


def test_read_only_open_of_older_version_asks_for_migrate(
    tmp_db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_database(tmp_db_path, demo=False)
    nxt = migrations.latest_version() + 1
    monkeypatch.setitem(migrations.MIGRATIONS, nxt, "alter table place add column note varchar")
    with pytest.raises(db.SchemaVersionError, match="python -m followup migrate"):
        db.open_database(tmp_db_path, read_only=True)
    with closing(db.open_database(tmp_db_path)) as con:  # read-write upgrades
        assert db.schema_version(con) == nxt


def test_read_only_open_of_missing_file(tmp_db_path: Path) -> None:
    with pytest.raises(db.DatabaseError, match=f"Databasfilen {tmp_db_path} finns inte.*python -m followup demo"):
        db.connect(tmp_db_path, read_only=True)
    assert not tmp_db_path.exists()


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    """A path with 'lock' in it is not taken for a lock conflict."""
    path = tmp_path / "blocked" / "notes.duckdb"
    path.parent.mkdir()
    path.write_text("hello\n" * 100, encoding="utf-8")
    for read_only in (False, True):
        with pytest.raises(db.DatabaseError, match="är ingen DuckDB-databas") as caught:
            db.connect(path, read_only=read_only)
        assert not isinstance(caught.value, db.DatabaseBusyError)


def test_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("", encoding="utf-8")
    with pytest.raises(db.DatabaseError, match="kunde inte skapas"):
        db.connect(tmp_path / "plain-file" / "followup.duckdb")


def test_busy_message_without_holder_details() -> None:
    message = db.busy_message(Path("/x/f.duckdb"), "IO Error: Could not set lock on file")
    assert message.startswith("Databasfilen /x/f.duckdb används av en annan process.")


@pytest.mark.parametrize(
    ("holder_read_only", "read_only"),
    [(False, False), (False, True), (True, False)],
    ids=["writer-blocks-writer", "writer-blocks-reader", "reader-blocks-writer"],
)
def test_busy_file_names_the_process(
    tmp_db_path: Path, hold_database: HoldDatabase, holder_read_only: bool, read_only: bool
) -> None:
    """A file another process holds gives DatabaseBusyError naming that process's PID and the fix."""
    make_database(tmp_db_path, demo=False)
    with hold_database(tmp_db_path, read_only=holder_read_only) as holder:
        with pytest.raises(db.DatabaseBusyError) as caught:
            db.connect(tmp_db_path, read_only=read_only)
    message = str(caught.value)
    assert f"Databasfilen {tmp_db_path} används av process {holder.pid} (" in message
    assert "Stoppa den processen" in message


def test_two_readers_share_a_file(tmp_db_path: Path, hold_database: HoldDatabase) -> None:
    make_database(tmp_db_path, demo=False)
    with hold_database(tmp_db_path, read_only=True), closing(db.connect(tmp_db_path, read_only=True)) as con:
        assert db.info(con) == {"marker": "original"}


def test_cli_demo_on_busy_file_leaves_it_alone(
    tmp_db_path: Path, hold_database: HoldDatabase, cli_env: dict[str, str]
) -> None:
    """`demo` on a demo file another process holds: exit 1, Swedish busy message, file untouched."""
    make_database(tmp_db_path, demo=True)  # a demo file: without the lock, demo would replace it
    with hold_database(tmp_db_path) as holder:
        before = fingerprint(tmp_db_path)
        result = subprocess.run(
            [sys.executable, "-m", "followup", "demo", "--db", str(tmp_db_path)],
            env=cli_env, cwd=config.ROOT, capture_output=True, text=True, check=False,
        )
        assert fingerprint(tmp_db_path) == before
    assert result.returncode == 1, result.stderr
    assert f"Databasfilen {tmp_db_path} används av process {holder.pid}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not [p for p in tmp_db_path.parent.iterdir() if p.name.endswith(".tmp")], "left a temporary file"
    with closing(db.open_database(tmp_db_path, read_only=True)) as con:
        assert db.info(con) == {"marker": "original", "demo": "true"}


def test_holder_is_gone_after_the_block(tmp_db_path: Path, hold_database: HoldDatabase) -> None:
    """The helper really stops the other process, so the file is free again."""
    make_database(tmp_db_path, demo=False)
    with hold_database(tmp_db_path) as holder:
        pid = holder.pid
    assert holder.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    db.connect(tmp_db_path).close()


@pytest.mark.parametrize("table", db.ENTERED_TABLES)
def test_holds_entered_data_sees_a_row_in_each_entered_table(reference_db_copy: Path, table: str) -> None:
    """Reference data alone is nothing entered; one row in any entered table is."""
    with closing(db.connect(reference_db_copy)) as con:
        assert not db.holds_entered_data(con)
        (load_id,) = con.execute("insert into import_log (kind, file_name, checksum, user_name) "
                                 "values ('observations', 'a.csv', 'x', 'anna') returning id").fetchone()
        if table != "import_log":
            con.execute("delete from import_log")
            rows = {
                "observation": "insert into observation (indicator, unit, district, period_start, grain, value) "
                               "values ('anmalda-brott-omrade', 'antal', 'bromma', '2025-01-01', 'month', 3)",
                "event": "insert into event (source, occurred_at, category) values ('est', '2025-01-01', 'klotter')",
                "target": "insert into target (indicator, district, baseline_start, baseline_grain, baseline_value) "
                          "values ('anmalda-brott-omrade', 'bromma', '2024-01-01', 'year', 10)",
                "activity": "insert into activity (title, district, lead_org, prevention_type, level, status, "
                            "created_by) values ('Nattvandring', 'bromma', 'SDF', 'social', 'universal', "
                            "'ongoing', 'anna')",
                "comment": "insert into comment (district, goal, period_start, grain, body, author) "
                           "values ('bromma', 'pa1-1', '2025-01-01', 'tertial', 'Analys.', 'anna')",
            }
            con.execute(rows[table])
        assert db.holds_entered_data(con)
