"""Upkeep of the shared backend (followup.maintenance, `python -m followup maintain`): files of a killed writer
are deleted once old enough, small files are merged and the merged-away ones deleted later, data stays as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from followup import cli, config, db, lake, maintenance, transfer
from table_state import copy_database, table_checksums

DAY = 24 * 3600

KILLED_WRITER = """
import sys
from followup import lake
con = lake.connect(sys.argv[1])
con.execute("begin transaction")
con.execute("create table killed_load as select range as id, md5(range::varchar) as text from range(200000)")
print("written", flush=True)
sys.stdin.read()  # never commits: the test kills this process
"""


@pytest.fixture
def reference_lake(pg_lake: tuple[str, Path], reference_db_path: Path) -> str:
    """A lake holding the reference database; its URL."""
    url, data_path = pg_lake
    lake.create(url, data_path)
    assert transfer.fill_if_empty(url, lambda path: copy_database(reference_db_path, path))
    return url


def parquet_files(folder: Path) -> set[Path]:
    """Every Parquet file under FOLDER."""
    return set(folder.rglob("*.parquet"))


def lake_state(url: str) -> dict[str, tuple[int, int]]:
    """Table checksums of the lake."""
    with closing(db.connect(url)) as con:
        return table_checksums(con)


def data_folder(url: str) -> Path:
    """The lake's data folder."""
    with closing(db.connect(url)) as con:
        folder = maintenance.data_path(con)
    assert folder is not None
    return Path(folder)


def make_old(paths: set[Path], seconds: float) -> None:
    """Set the files' modification time SECONDS into the past."""
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


def kill_a_writer(url: str) -> None:
    """Run a process that writes a large table into the lake in one transaction and SIGKILL it before COMMIT."""
    env = {**os.environ, "PYTHONPATH": str(config.ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, url], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = writer.stdout.readline() if writer.stdout else ""
        if line.strip() != "written":
            writer.kill()
            raise AssertionError(f"the writer did not write: {writer.communicate()[1]}")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.communicate()


def test_files_of_a_killed_writer_are_deleted_once_old_enough(reference_lake: str) -> None:
    folder = data_folder(reference_lake)
    committed = parquet_files(folder)
    before = lake_state(reference_lake)
    kill_a_writer(reference_lake)
    orphans = parquet_files(folder) - committed
    assert orphans, "the killed writer should have left Parquet files behind"
    with closing(db.connect(reference_lake)) as con:
        assert "killed_load" not in {row[0] for row in con.execute("show tables").fetchall()}

        young = maintenance.maintain(con)  # default age: files just written are kept
        assert young.orphaned.count == 0 and parquet_files(folder) == committed | orphans

        make_old(orphans | committed, 2 * DAY)  # committed files are old too: they must stay all the same
        size = sum(path.stat().st_size for path in orphans)
        report = maintenance.maintain(con, older_than=timedelta(hours=1))
    assert sorted(map(Path, report.orphaned.paths)) == sorted(orphans)
    assert report.orphaned.size == size > 0
    assert parquet_files(folder) == committed
    assert lake_state(reference_lake) == before


def test_maintain_on_the_command_line_reports_the_deleted_files(reference_lake: str, tmp_path: Path) -> None:
    folder = data_folder(reference_lake)
    committed = parquet_files(folder)
    before = lake_state(reference_lake)
    kill_a_writer(reference_lake)
    orphans = parquet_files(folder) - committed
    make_old(orphans, 2 * DAY)
    env = {**os.environ, config.DB_ENV: reference_lake, "PYTHONPATH": str(config.ROOT)}
    result = subprocess.run([sys.executable, "-m", "followup", "maintain"], env=env, cwd=config.ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Underhåll av den delade databasen {lake.describe(reference_lake)} (filer äldre än 24 timmar tas bort):"
    assert f"  Övergivna filer från avbrutna skrivningar borttagna: {len(orphans)} (" in lines[1]
    assert lines[-1] == "Klart; inga rader har ändrats."
    assert parquet_files(folder) == committed
    assert lake_state(reference_lake) == before


def small_writes(url: str, times: int) -> None:
    """TIMES separate writes of 20 audit rows each (more than DuckLake inlines, so each writes a file)."""
    with closing(db.connect(url)) as con:
        for round_ in range(times):
            with db.transaction(con) as cursor:
                cursor.execute("insert into audit_log (user_name, action, entity, entity_id) "
                               "select 'test', 'test', 'maintenance', $round || '-' || range from range(20)",
                               {"round": str(round_)})
                lake.note_write(cursor, "audit_log")


def audit_files(url: str) -> set[str]:
    """The data files of the lake's audit_log table."""
    with closing(db.connect(url)) as con:
        return {row[0] for row in con.execute(
            "select data_file from ducklake_list_files(current_database(), 'audit_log')").fetchall()}


def test_small_files_are_merged_and_the_merged_away_ones_deleted_later(reference_lake: str) -> None:
    small_writes(reference_lake, 4)
    small = audit_files(reference_lake)
    assert len(small) == 4
    before = lake_state(reference_lake)
    assert before["audit_log"][0] == 80

    with closing(db.connect(reference_lake)) as con:
        first = maintenance.maintain(con)
    assert maintenance.Merged("audit_log", 4, 1) in first.merged
    merged = audit_files(reference_lake)
    assert len(merged) == 1 and not merged & small
    assert first.removed.count == 0 and all(Path(path).exists() for path in small)  # readers may still use them
    assert lake_state(reference_lake) == before

    with closing(db.connect(reference_lake)) as con:
        later = maintenance.maintain(con, older_than=timedelta(0))  # as if the age had passed
    assert sorted(later.removed.paths) == sorted(small)  # only the files merged away, nothing else
    assert not later.merged and not any(Path(path).exists() for path in small)
    assert all(Path(path).exists() for path in merged)
    assert lake_state(reference_lake) == before


def test_maintain_waits_for_the_write_lock_and_then_gives_up(reference_lake: str) -> None:
    folder = data_folder(reference_lake)
    kill_a_writer(reference_lake)
    files = parquet_files(folder)
    make_old(files, 2 * DAY)
    with closing(db.connect(reference_lake)) as con, lake.write_lock(reference_lake, 0):
        with pytest.raises(db.DatabaseBusyError, match="En annan skrivning i den delade databasen pågår"):
            maintenance.maintain(con, older_than=timedelta(0), wait=0.1)
    assert parquet_files(folder) == files


def test_maintenance_needs_a_lake() -> None:
    with closing(duckdb.connect()) as con:
        assert maintenance.data_path(con) is None
        with pytest.raises(ValueError, match="needs a connection whose main database is a lake"):
            maintenance.maintain(con)


def test_maintain_on_a_file_has_nothing_to_do(capsys: pytest.CaptureFixture[str], reference_db_copy: Path) -> None:
    assert cli.main(["maintain"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"{reference_db_copy} är en databasfil: DuckDB håller den i ordning själv")


def test_maintain_refuses_a_negative_age(capsys: pytest.CaptureFixture[str], reference_db_copy: Path) -> None:
    assert cli.main(["maintain", "--older-than-hours", "-1"]) == 2
    assert "fel: --older-than-hours ska vara 0 eller mer, inte -1." in capsys.readouterr().err
