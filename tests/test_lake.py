"""followup.lake: the shared backend (DuckLake, catalogue in the session's PostgreSQL, see tests/pg_support.py).

Without PostgreSQL: recognising and describing a lake URL, and the extension directory linking to the pip
packages' files. With it: opening a lake loads both extensions from those files and installs nothing in
~/.duckdb; connection failures are told in Swedish; every write (write_transaction through db.transaction)
gets ids continuing after the stored ones, is checked against the schema's rules before COMMIT, keeps nothing
on an error or a preview, and waits for (or is refused by) another process's write lock, which a killed holder
loses at once. Processes holding the lock are tests/lake_workers.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import psycopg
import pytest
from conftest import filled_lake
from lake_workers import Worker
from pg_support import Cluster, free_port
from table_state import table_checksums

from followup import access, actionplan, comments, config, db, lake, queries
from followup.imports import load
from followup.imports.base import OBSERVATION_COLUMNS, Batch, checksum
from followup.model import ActivityStatus, Grain, LoadKind, PreventionLevel, PreventionType

ANNA = access.local("anna")
HV = "hasselby-vallingby"


# --- URLs, without PostgreSQL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "expected"), [
    ("ducklake:postgres:dbname=followup host=db", True),
    ("  DuckLake:Postgres:dbname=followup", True),
    ("ducklake:/srv/meta.ducklake", True),  # a lake, though not one this program can open (see conninfo)
    ("data/followup.duckdb", False),
    ("ducklake.duckdb", False),
    (Path("ducklake:postgres:dbname=x"), False),  # a Path is always a file
    (None, False),
])
def test_is_lake_tells_a_lake_url_from_a_file(target: object, expected: bool) -> None:
    assert lake.is_lake(target) is expected


def test_conninfo_is_the_text_after_the_prefix() -> None:
    assert lake.conninfo(" ducklake:postgres:dbname=f host=db port=5433 ") == "dbname=f host=db port=5433"
    assert lake.conninfo("DUCKLAKE:POSTGRES:dbname=f") == "dbname=f"


def test_a_catalogue_outside_postgresql_is_refused_in_swedish_without_the_password() -> None:
    with pytest.raises(lake.LakeError) as refused:
        lake.conninfo("ducklake:mysql:db=f password=hemligt")
    text = str(refused.value)
    assert "stöds inte: den delade databasen måste ha sin katalog i PostgreSQL" in text
    assert "FOLLOWUP_DB='ducklake:postgres:dbname=" in text  # the fix, as an example
    assert "hemligt" not in text and "password=***" in text


@pytest.mark.parametrize(("text", "expected"), [
    ("dbname=f password=hemligt host=db", "dbname=f password=*** host=db"),
    ("dbname=f PASSWORD = 'two words \\' quoted' host=db", "dbname=f PASSWORD = *** host=db"),
    ("ducklake:postgres:password=x", "ducklake:postgres:password=***"),
    ("dbname=f host=db", "dbname=f host=db"),
])
def test_redact_hides_every_password(text: str, expected: str) -> None:
    assert lake.redact(text) == expected


def test_describe_names_the_database_and_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("PGDATABASE", raising=False)
    assert lake.describe("ducklake:postgres:dbname=followup host=db.example port=5432") == "followup på db.example"
    assert lake.describe("ducklake:postgres:dbname='uppföljning' host=db") == "'uppföljning' på db"
    assert lake.describe("ducklake:postgres:user=x") == "? på localhost"
    monkeypatch.setenv("PGHOST", "pg.internal")
    monkeypatch.setenv("PGDATABASE", "stad")
    assert lake.describe("ducklake:postgres:user=x") == "stad på pg.internal"


def test_the_extension_directory_links_to_the_pip_packages_files() -> None:
    platform = duckdb.connect().execute("pragma platform").fetchone()[0]
    folder = lake.extension_dir() / f"v{duckdb.__version__}" / platform
    for name in lake.EXTENSIONS:
        link = folder / f"{name}.duckdb_extension"
        package = Path(__import__(f"duckdb_extension_{name}").__file__).parent
        assert link.is_symlink()
        assert Path(os.readlink(link)) == lake.extension_file(name)
        assert link.resolve() == (package / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension")
        assert "site-packages" in link.resolve().parts and link.resolve().stat().st_size > 1_000_000
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{n}.duckdb_extension" for n in lake.EXTENSIONS)


# --- opening a lake ----------------------------------------------------------------------------------------------

OPEN_AND_LIST = """
import json, sys
from followup import db, lake
con = db.open_database(sys.argv[1])
rows = con.execute(
    "select extension_name, loaded, installed, install_path, install_mode from duckdb_extensions() "
    "where extension_name in ('ducklake', 'postgres_scanner') order by all").fetchall()
print(json.dumps({"rows": rows, "dir": str(lake.extension_dir()),
                  "indicators": con.execute("select count(*) from indicator").fetchone()[0]}))
"""


def test_a_lake_opens_with_the_packages_extensions_and_installs_nothing_in_home(demo_lake: str, tmp_path: Path) -> None:
    home, scratch = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    scratch.mkdir()
    env = dict(os.environ, HOME=str(home), TMPDIR=str(scratch), PYTHONPATH=str(config.ROOT))
    done = subprocess.run([sys.executable, "-c", OPEN_AND_LIST, demo_lake], env=env, cwd=config.ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["indicators"] > 10  # the lake opened and answered
    assert Path(found["dir"]).parent == scratch  # a fresh extension directory, made by the process
    by_name = {row[0]: row for row in found["rows"]}
    assert set(by_name) == {"ducklake", "postgres_scanner"}
    for name, loaded, _, install_path, _ in found["rows"]:
        assert loaded is True
        assert install_path.startswith(found["dir"] + os.sep)  # the link in the private extension directory …
        assert Path(install_path).resolve() == lake.extension_file(name).resolve()  # … to the package's file
        assert str(home) not in install_path
    assert list(home.iterdir()) == []  # no ~/.duckdb: nothing installed, nothing downloaded


def test_a_refused_port_is_told_in_swedish() -> None:
    url = f"ducklake:postgres:dbname=followup host=127.0.0.1 port={free_port()} user=postgres"
    with pytest.raises(db.DatabaseError) as refused:
        db.open_database(url)
    text = str(refused.value)
    assert text.startswith("Den delade databasen followup på 127.0.0.1 kunde inte öppnas: PostgreSQL svarar inte.")
    assert "Kontrollera att PostgreSQL kör och att värd, port och databas i FOLLOWUP_DB stämmer." in text


def test_an_unknown_database_is_told_in_swedish(pg_cluster: Cluster) -> None:
    url = "ducklake:postgres:" + pg_cluster.conninfo("finns_inte")
    with pytest.raises(db.DatabaseError) as refused:
        db.open_database(url)
    text = str(refused.value)
    assert "Den delade databasen finns_inte på 127.0.0.1 kunde inte öppnas: databasen finns inte i PostgreSQL." in text
    assert "Skapa den (createdb) eller rätta dbname i FOLLOWUP_DB." in text


def test_a_new_lake_needs_its_data_folder(pg_lake: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    url, data_path = pg_lake
    monkeypatch.delenv(lake.DATA_ENV, raising=False)
    with pytest.raises(db.DatabaseError) as refused:
        db.open_database(url)
    database = lake.conninfo(url).split()[0].removeprefix("dbname=")
    assert str(refused.value) == (
        f"Den delade databasen {database} på 127.0.0.1 finns inte än. Ange mappen för "
        "dess datafiler med FOLLOWUP_LAKE_DATA (en delad mapp som alla repliker når) så skapas den vid nästa start."
    )
    monkeypatch.setenv(lake.DATA_ENV, str(data_path))
    with pytest.raises(db.EmptyLakeError, match="är tom. Flytta in en databas med 'python -m followup copy"):
        db.open_database(url)  # created now, and still empty
    with psycopg.connect(lake.conninfo(url)) as catalogue:
        stored = catalogue.execute("select value from ducklake_metadata where key = 'data_path'").fetchone()
    assert stored == (f"{data_path}{os.sep}",)  # the lake keeps the folder FOLLOWUP_LAKE_DATA named
    with psycopg.connect(lake.conninfo(url)) as catalogue:
        inlining = catalogue.execute(
            "select value from ducklake_metadata where key = 'data_inlining_row_limit'").fetchone()
    assert inlining == ("0",)  # every row in Parquet: inlined rows are scanned through PostgreSQL, slower


# --- writing -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_lake(pg_cluster: Cluster, demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A lake holding the demo for this module's writing tests (one copy: each test compares before and after)."""
    url = filled_lake(pg_cluster, "lake_module", tmp_path_factory.mktemp("lake-module"), demo_db_path)
    try:
        yield url
    finally:
        pg_cluster.drop_database("lake_module")


@pytest.fixture(scope="module")
def lake_con(module_lake: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the module's lake (as an app replica keeps one)."""
    with closing(db.open_database(module_lake)) as con:
        yield con


def highest(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The largest id of TABLE (from the test's list of tables)."""
    return con.execute(f"select coalesce(max(id), 0) from {table}").fetchone()[0]


def add_activity(con: duckdb.DuckDBPyConnection, title: str) -> int:
    """A valid activity in Hässelby-Vällingby."""
    return actionplan.add_activity(
        con, user=ANNA, district=HV, title=title, lead_org="Stadsdelsförvaltningen",
        prevention_type=PreventionType.SITUATIONAL, level=PreventionLevel.UNIVERSAL, status=ActivityStatus.PLANNED,
        goals=["pa2-1"], place="hasselby-torg", start_date=date(2026, 3, 1),
    )


def add_comment(con: duckdb.DuckDBPyConnection, body: str) -> int:
    """A valid comment on a goal of Hässelby-Vällingby for the first tertial of 2026."""
    return comments.add_comment(con, user=ANNA, district=HV, period_start=date(2026, 1, 1), grain=Grain.TERTIAL,
                                body=body, goal="pa2-1")


def test_ids_continue_after_the_largest_stored(lake_con: duckdb.DuckDBPyConnection) -> None:
    tops = {table: highest(lake_con, table) for table in ("activity", "comment", "audit_log")}
    assert tops["activity"] > 0  # the demo has some: the test shows they are continued, not restarted
    first, second = add_activity(lake_con, "Trygghetsvandring"), add_activity(lake_con, "Klotterplank")
    one, two = add_comment(lake_con, "Klottret minskar."), add_comment(lake_con, "Belysningen är lagad.")
    assert (first, second) == (tops["activity"] + 1, tops["activity"] + 2)
    assert (one, two) == (tops["comment"] + 1, tops["comment"] + 2)
    stored = lake_con.execute("select id, title from activity where id > $top order by id",
                              {"top": tops["activity"]}).fetchall()
    assert stored == [(first, "Trygghetsvandring"), (second, "Klotterplank")]
    assert lake_con.execute("select id, body from comment where id > $top order by id",
                            {"top": tops["comment"]}).fetchall() == [(one, "Klottret minskar."),
                                                                     (two, "Belysningen är lagad.")]
    audits = lake_con.execute("select id from audit_log where id > $top order by id", {"top": tops["audit_log"]})
    assert [row[0] for row in audits.fetchall()] == [tops["audit_log"] + n for n in (1, 2, 3, 4)]


def share_batch(value: float, district: str = "bromma") -> Batch:
    """A batch of one value for 2026 of an 'andel' (share) indicator; the schema allows 0–100."""
    frame = pd.DataFrame([{
        "indicator": "otrygg-utomhus-kvall", "district": district, "place": None, "period_start": date(2026, 1, 1),
        "grain": "year", "value": value, "numerator": None, "denominator": None, "preliminary": False,
        "series_break": False, "source_row": 2,
    }], columns=list(OBSERVATION_COLUMNS))
    return Batch(kind=LoadKind.OBSERVATIONS, file_name="andel.csv", checksum=checksum(b"andel"), observations=frame)


def test_a_write_breaking_a_rule_is_refused_and_nothing_is_written(lake_con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(lake_con)
    with pytest.raises(duckdb.ConstraintException) as refused:
        load.apply(lake_con, share_batch(140.0), user=ANNA)
    text = str(refused.value)
    print(f"\nrefused: {text}")
    assert "Tabellen observation: värdet bryter mot regeln ((unit <> 'andel') or (value between 0 and 100))" in text
    assert "value=140" in text and "period_start=2026-01-01" in text
    assert table_checksums(lake_con) == before
    landed = load.apply(lake_con, share_batch(40.0), user=ANNA)  # the same batch within the rule lands
    assert lake_con.execute("select value from observation where load_id = $id", {"id": landed.load_id}
                            ).fetchall() == [(40.0,)]


def audit(cursor: duckdb.DuckDBPyConnection, detail: str) -> None:
    """One audit_log row through the named write statement."""
    queries.execute(cursor, "audit_write", user_name="test", action="create", entity="activity", entity_id="1",
                    detail=detail)


def test_the_snapshot_moves_with_every_commit_and_only_then(lake_con: duckdb.DuckDBPyConnection) -> None:
    before = lake.snapshot_id(lake_con)
    add_comment(lake_con, "En ny version av datan")
    after = lake.snapshot_id(lake_con)
    assert after > before  # the pages' data version: their caches must not outlive a write
    lake_con.execute("select count(*) from comment").fetchall()
    with pytest.raises(db.DatabaseError):
        with db.transaction(lake_con) as cursor:
            queries.execute(cursor, "audit_write", user_name="x", action="create", entity="comment", entity_id="0",
                            detail=None)
            raise db.DatabaseError("avbruten")
    assert lake.snapshot_id(lake_con) == after  # neither a read nor a rolled-back write makes a snapshot


def test_an_error_inside_the_block_rolls_back(lake_con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(lake_con)
    with pytest.raises(RuntimeError, match="avbruten"), db.transaction(lake_con) as cursor:
        audit(cursor, '{"n": 1}')
        assert cursor.execute("select count(*) from audit_log where detail = '{\"n\": 1}'").fetchone() == (1,)
        raise RuntimeError("avbruten")
    with pytest.raises(duckdb.Error), db.transaction(lake_con) as cursor:
        audit(cursor, '{"n": 2}')
        cursor.execute("select cast('x' as integer)")  # an SQL error after a write
    assert table_checksums(lake_con) == before


def test_a_swallowed_sql_error_does_not_pass_for_a_commit(lake_con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB aborts the transaction on an SQL error and a later COMMIT silently rolls back (FINDINGS §3):
    a block that catches the error must still not return as if its write was kept."""
    before = table_checksums(lake_con)
    with pytest.raises(duckdb.Error), db.transaction(lake_con) as cursor:
        audit(cursor, '{"n": 3}')
        try:
            cursor.execute("select cast('x' as integer)")
        except duckdb.ConversionException:
            pass
    assert table_checksums(lake_con) == before


def test_a_preview_writes_nothing(lake_con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(lake_con)
    with db.transaction(lake_con, commit=False) as cursor:
        audit(cursor, '{"n": 4}')
        assert cursor.execute("select count(*) from audit_log where detail = '{\"n\": 4}'").fetchone() == (1,)
    plan = load.plan(lake_con, share_batch(40.0, "farsta"))
    assert plan.added == 1
    assert table_checksums(lake_con) == before


def test_a_held_lock_refuses_a_write_naming_the_holder_and_a_killed_holder_frees_it(
    module_lake: str, lake_con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = table_checksums(lake_con)
    monkeypatch.setenv(lake.WAIT_ENV, "0.5")
    with Worker("hold", module_lake) as holder:
        holder.expect("locked")
        asked = time.monotonic()
        with pytest.raises(db.DatabaseBusyError) as refused:
            add_activity(lake_con, "Medan någon annan skriver")
        waited = time.monotonic() - asked
        text = str(refused.value)
        print(f"\nbusy after {waited:.2f} s: {text}")
        assert "pågår sedan " in text and f" (followup {socket.gethostname()} pid {holder.pid}), " in text
        assert "den här väntade i 0,5 sekunder. Inget har sparats. Försök igen om en stund" in text
        assert table_checksums(lake_con) == before
        assert load.plan(lake_con, share_batch(40.0, "farsta")).added == 1  # a preview takes no lock: it does not wait

        holder.kill()  # SIGKILL: no unlock, no goodbye; PostgreSQL ends its session and the lock with it
        killed = time.monotonic()
        monkeypatch.setenv(lake.WAIT_ENV, "30")  # a ceiling: the write goes as soon as the lock is free
        new_id = add_activity(lake_con, "Efter den andra")
        print(f"write after the SIGKILL took {time.monotonic() - killed:.2f} s")
    assert lake_con.execute("select title from activity where id = $id", {"id": new_id}).fetchone() == (
        "Efter den andra",)
