"""Separate OS processes (tests/lake_workers.py) writing to one shared backend (a DuckLake holding the demo).

- Two loads of different files, released together, both land completely (the write lock takes them in turn).
- A write that cannot have the lock within its wait is refused with the holder's name, and writes nothing;
  a DuckLake conflict with a writer outside the app's lock fails the app's load with a Swedish message, and
  neither side loses anything.
- A load killed with SIGKILL inside its transaction leaves no rows and frees the lock.

Timings (the pair's, the second's wait, the kill) are printed for the record (pytest -s), never asserted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import filled_lake
from lake_workers import Worker, release
from pg_support import Cluster
from table_state import table_checksums

from followup import access, db, imports, lake

LAKE = "lake_concurrency"
USER = access.local("test")
CURRENT = ("bromma", "enskede-arsta-vantor", "farsta", "hagersten-alvsjo", "hasselby-vallingby", "jarva",
           "kungsholmen", "norra-innerstaden", "skarpnack", "skarholmen", "sodermalm")
"""The eleven districts since 2023-07-01."""
MONTHS = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, month, 1) for month in range(1, 11)]
"""Months after the demo's data (it ends 2025-10-31) and before today."""
PLACES = ("Hässelby torg", "Vällingby centrum", "Liljeholmen", "Fruängen", "Brommaplan", "Alvik", "Islandstorget")
CATEGORIES = ("Klotter", "Skadegörelse", "Nedskräpning", "Brand", "Övrigt")


@pytest.fixture(scope="module")
def lake_at(pg_cluster: Cluster, demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, Path]]:
    """A lake holding the demo for this module (each test checks its own files' rows, or before and after), and its
    data folder."""
    root = tmp_path_factory.mktemp("lake-concurrency")
    url = filled_lake(pg_cluster, LAKE, root, demo_db_path)
    try:
        yield url, root / LAKE
    finally:
        pg_cluster.drop_database(LAKE)


@pytest.fixture(scope="module")
def con(lake_at: tuple[str, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The test's own connection to the lake (another replica, as it were)."""
    with closing(db.open_database(lake_at[0])) as connection:
        yield connection


def observation_file(folder: Path, name: str, indicator: str, rows: list[tuple[str, date, float]]) -> Path:
    """An observation CSV (the Data page's template columns) with ROWS of (district, month, value)."""
    lines = ["indikator;område;plats;period;värde;n"]
    lines += [f"{indicator};{district};;{month:%Y-%m};{str(value).replace('.', ',')};" for district, month, value in rows]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def grid(indicator_number: int) -> list[tuple[str, date, float]]:
    """A value for every current district and month after the demo, distinct per indicator."""
    return [(district, month, float(indicator_number * 1000 + d * 20 + m))
            for d, district in enumerate(CURRENT) for m, month in enumerate(MONTHS)]


def stored_rows(con: duckdb.DuckDBPyConnection, load_id: int) -> list[tuple[str, date, float]]:
    """The observations a load wrote: (district, period start, value), sorted."""
    return con.execute(
        "select district, period_start, value from observation where load_id = $id order by all", {"id": load_id}
    ).fetchall()


def log_row(con: duckdb.DuckDBPyConnection, file_name: str) -> list[tuple]:
    """import_log's rows for FILE_NAME: (id, rows added, undone)."""
    return con.execute(
        "select id, rows_added, undone_at is null from import_log where file_name = $f order by id", {"f": file_name}
    ).fetchall()


def parquet_files(folder: Path) -> int:
    """The number of Parquet files under a lake's data folder."""
    return sum(1 for _ in folder.rglob("*.parquet"))


def load_here(con: duckdb.DuckDBPyConnection, path: Path, *, replace: bool = False) -> int:
    """Load a file in this process as the app does; its load id."""
    return imports.load_file(con, path.read_bytes(), path.name, user=USER, replace=replace).load_id


# --- two loads at once -------------------------------------------------------------------------------------------


def test_two_processes_loading_different_files_at_once_both_land(
    lake_at: tuple[str, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    url, _ = lake_at
    files = {
        "brott-omrade.csv": ("anmalda-brott-omrade", grid(1)),
        "bedragerier.csv": ("bedragerier-aldre", grid(2)),
    }
    paths = [observation_file(tmp_path, name, indicator, rows) for name, (indicator, rows) in files.items()]
    barrier = tmp_path / "go"
    with Worker("load", url, str(paths[0]), "--barrier", str(barrier)) as first, \
            Worker("load", url, str(paths[1]), "--barrier", str(barrier)) as second:
        for worker in (first, second):
            assert worker.expect("ready")["rows"] == len(grid(1))
        release(barrier)
        results = [first.expect("result"), second.expect("result")]

    ids = [result["load_id"] for result in results]
    assert len(set(ids)) == 2
    for (name, (_, rows)), load_id in zip(files.items(), ids, strict=True):
        assert log_row(con, name) == [(load_id, len(rows), True)]
        assert stored_rows(con, load_id) == sorted(rows)  # every row of the file, as written
    later, earlier = sorted(results, key=lambda r: r["lock_taken"], reverse=True)
    overlapped = later["lock_asked"] < earlier["lock_released"]  # reported, not asserted: it depends on timing
    print(f"\npair: {max(r['done'] for r in results) - min(r['go'] for r in results):.2f} s from the barrier; "
          f"the second asked for the lock {'while the first held it' if overlapped else 'after the first was done'}; "
          f"first held the lock {earlier['lock_released'] - earlier['lock_taken']:.2f} s; "
          f"second waited {later['lock_taken'] - later['lock_asked']:.2f} s for it, "
          f"then wrote in {later['lock_released'] - later['lock_taken']:.2f} s")


# --- conflicting writes ------------------------------------------------------------------------------------------


def test_a_write_waiting_longer_than_its_wait_is_refused_and_the_holder_lands(
    lake_at: tuple[str, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = lake_at
    held = observation_file(tmp_path, "nara-relation.csv", "anmalda-brott-nara-relation", grid(3))
    refused_file = observation_file(tmp_path, "person.csv", "bra-brott-mot-person", grid(4))
    go = tmp_path / "commit"
    with Worker("load", url, str(held), "--pause-before-commit", str(go)) as holder:
        holder.expect("paused")  # all written, lock held, not committed
        monkeypatch.setenv(lake.WAIT_ENV, "1")
        with pytest.raises(db.DatabaseBusyError) as refused:
            load_here(con, refused_file)
        text = str(refused.value)
        print(f"\nrefused: {text}")
        assert f" pid {holder.pid}), och den här väntade" in text
        assert "den här väntade i 1 sekund. Inget har sparats." in text
        assert log_row(con, "person.csv") == []
        assert con.execute("select count(*) from observation where indicator = 'bra-brott-mot-person' "
                           "and period_start >= $first", {"first": MONTHS[0]}).fetchone() == (0,)
        release(go)
        landed = holder.expect("result")
    assert stored_rows(con, landed["load_id"]) == sorted(grid(3))
    monkeypatch.setenv(lake.WAIT_ENV, "30")
    again = load_here(con, refused_file)  # tried again, it lands: nothing was lost
    assert stored_rows(con, again) == sorted(grid(4))


def test_a_ducklake_conflict_with_a_writer_outside_the_lock_fails_the_load_and_keeps_both_sides_whole(
    lake_at: tuple[str, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    url, _ = lake_at
    stored = con.execute(
        "select period_start, value from observation where indicator = 'anmalda-brott-omrade' and district = "
        "'farsta' and place is null and grain = 'month' and period_start between '2025-01-01' and '2025-10-01' "
        "order by 1").fetchall()
    assert len(stored) >= 5
    changing = observation_file(tmp_path, "rattelse.csv", "anmalda-brott-omrade",
                                [("farsta", start, value + 1000) for start, value in stored])
    raw_rows = ("indicator = 'bedragerier-aldre' and district = 'skarpnack' and period_start < '2025-01-01'")
    (raw_count, raw_sum) = con.execute(f"select count(*), sum(value) from observation where {raw_rows}").fetchone()
    assert raw_count > 0
    others = [name for name in table_checksums(con) if name != "observation"]
    before = table_checksums(con)
    raw_commit, app_commit = tmp_path / "raw-commit", tmp_path / "app-commit"
    with Worker("raw", url, f"update observation set value = value + 0.25 where {raw_rows}",
                "--barrier", str(raw_commit)) as raw, \
            Worker("load", url, str(changing), "--replace", "--pause-before-commit", str(app_commit)) as app:
        assert raw.expect("written")["rows"] == raw_count  # its UPDATE is made, not committed
        app.expect("paused")  # the load has deleted the replaced rows and inserted its own, not committed
        release(raw_commit)
        raw.expect("committed")
        release(app_commit)
        failed = app.expect("error")
    print(f"\nthe load's error ({failed['kind']}): {failed['message']}")
    # the lake's own kind (LakeConflict) is a DatabaseConflictError: callers catch that, or errors.Conflict
    assert failed["kind"] == "LakeConflict" and failed["is_conflict"] and failed["is_database_error"]
    assert failed["message"].startswith(
        "Någon annan ändrade samma tabell i den delade databasen medan den här ändringen sparades, så den sparades "
        "inte; inget av den har skrivits och den andras ändring är orörd. Försök igen. (DuckLake: ")

    assert con.execute(f"select count(*), sum(value) from observation where {raw_rows}").fetchone() == (
        raw_count, raw_sum + 0.25 * raw_count)  # the raw writer's change is whole
    assert log_row(con, "rattelse.csv") == []  # the load left nothing: no log, no rows, no replaced values kept
    assert con.execute("select count(*) from observation where load_id not in (select id from import_log)"
                       ).fetchone() == (0,)
    assert con.execute(
        "select period_start, value from observation where indicator = 'anmalda-brott-omrade' and district = "
        "'farsta' and place is null and grain = 'month' and period_start between '2025-01-01' and '2025-10-01' "
        "order by 1").fetchall() == stored
    after = table_checksums(con)
    assert {name: after[name] for name in others} == {name: before[name] for name in others}
    assert after["observation"][0] == before["observation"][0]

    retried = load_here(con, changing, replace=True)  # tried again, the correction lands
    assert stored_rows(con, retried) == sorted(("farsta", start, value + 1000) for start, value in stored)


# --- a load killed in the middle ---------------------------------------------------------------------------------


def events_file(folder: Path, name: str, count: int) -> Path:
    """An EST report list of COUNT incidents in 2026, each with its own report number (unique to the file name)."""
    path = folder / name
    lines = ["Datum;Tid;Plats;Kategori;Ärendenummer"]
    lines += [f"2026-{1 + n % 10:02d}-{1 + n % 28:02d};{n % 24:02d}:{n % 60:02d};{PLACES[n % len(PLACES)]};"
              f"{CATEGORIES[n % len(CATEGORIES)]};{path.stem}-{n}" for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


KILLED_EVENTS = 10_000


@pytest.mark.parametrize("stage", ["writing", "committing"])
def test_a_load_killed_inside_its_transaction_leaves_no_rows_and_frees_the_lock(
    stage: str, lake_at: tuple[str, Path], con: duckdb.DuckDBPyConnection, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed as it starts writing the new rows (its 0.6 progress step; import_log is written by then), or with
    every row written and the COMMIT next (it pauses there, so the kill always comes first)."""
    url, data = lake_at
    big = events_file(tmp_path, "est-stor.csv", KILLED_EVENTS)
    before, files_before = table_checksums(con), parquet_files(data)
    never = tmp_path / "never"
    with Worker("load", url, str(big), "--pause-before-commit", str(never)) as doomed:
        assert doomed.expect("ready")["rows"] == KILLED_EVENTS
        marked = doomed.expect("progress", where=lambda r: r["fraction"] == 0.6)
        if stage == "committing":
            doomed.expect("paused")
        doomed.kill()
    stages = [r.get("fraction", r["event"]) for r in doomed.reports if r["event"] in ("progress", "paused")]
    files_after = parquet_files(data)
    print(f"\nkilled {stage}: last report {stages[-1]} ({json.dumps(stages)}), "
          f"{doomed.reports[-1]['time'] - marked['time']:.2f} s after the 0.6 mark; Parquet files before "
          f"{files_before}, after {files_after} ({files_after - files_before} orphaned)")
    assert table_checksums(con) == before
    assert log_row(con, "est-stor.csv") == []
    monkeypatch.setenv(lake.WAIT_ENV, "30")  # a ceiling: the lock is free at once
    small = events_file(tmp_path, f"est-liten-{stage}.csv", 20)
    load_id = load_here(con, small)
    assert con.execute("select count(*) from event where load_id = $id", {"id": load_id}).fetchone() == (20,)
