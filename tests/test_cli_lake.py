"""The command line on the shared backend (DuckLake, catalogue in the session's PostgreSQL): copy in and out,
and demo, init, info, migrate, load, undo and export with FOLLOWUP_DB set to a lake."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import cli, config, db, fmt, lake, lake_schema, migrations, transfer
from table_state import copy_database, table_checksums

CRIME = "anmalda-brott-omrade"  # monthly count per district area, in the reference catalogue
CSV_HEADER = "indikator;område;plats;period;värde;n\n"
SECRET = "hemligt-ord"


def lake_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a `python -m followup` subprocess with FOLLOWUP_DB=URL and no lake data folder."""
    env = {key: value for key, value in os.environ.items() if key != lake.DATA_ENV}
    return {**env, config.DB_ENV: url, "PYTHONPATH": str(config.ROOT), **extra}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m followup ARGS` and capture its output."""
    return subprocess.run([sys.executable, "-m", "followup", *args], env=env, cwd=config.ROOT, capture_output=True,
                          text=True, check=False)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run cli.main(ARGS) in this process."""
    try:
        status = cli.main(list(args))
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def failed_cleanly(result: subprocess.CompletedProcess[str], status: int, text: str) -> bool:
    """Exit status as expected, the message on stderr, and no traceback."""
    return result.returncode == status and text in result.stderr and "Traceback" not in result.stderr


def checksums(target: Path | str, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Table checksums of a database file or a lake."""
    with closing(db.connect(target, read_only=True)) as con:
        return table_checksums(con, exclude)


def row_counts(target: Path | str) -> dict[str, int]:
    """Rows per table of a database file or a lake."""
    return {name: count for name, (count, _) in checksums(target).items()}


def fingerprint(path: Path) -> tuple[int, str]:
    """A file's inode and content hash."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def with_password(url: str) -> str:
    """URL with a password in its conninfo, before host= so that the lake's catalogue name holds it too (the
    test cluster trusts every local connection, so the password is never checked)."""
    return url.replace(" host=", f" password={SECRET} host=", 1)


@pytest.fixture
def empty_lake(pg_lake: tuple[str, Path]) -> tuple[str, Path]:
    """A created lake without tables: its URL and data folder."""
    url, data_path = pg_lake
    lake.create(url, data_path)
    return url, data_path


@pytest.fixture
def reference_lake(empty_lake: tuple[str, Path], reference_db_path: Path) -> str:
    """A lake holding the reference database (what `init` makes), cheaper than the demo; its URL."""
    url, _ = empty_lake
    assert transfer.fill_if_empty(url, lambda path: copy_database(reference_db_path, path))
    return url


# --- copy ------------------------------------------------------------------------------------------------------


def test_copy_a_file_into_a_new_lake_and_back(demo_db_path: Path, pg_lake: tuple[str, Path], tmp_path: Path) -> None:
    """demo file → new lake (created with --data-path) → new file: every table as it was."""
    url, data_path = pg_lake
    expected = checksums(demo_db_path)
    env = lake_env(url)

    into = run_cli(env, "copy", str(demo_db_path), "FOLLOWUP_DB", "--data-path", str(data_path))
    assert into.returncode == 0, into.stderr
    total = sum(count for count, _ in expected.values())
    assert (f"Klart: {fmt.number(total, 0)} rader i {len(expected)} tabeller kopierade från {demo_db_path} till "
            f"den delade databasen {lake.describe(url)}.") in into.stdout
    assert f"Nästa steg: sätt FOLLOWUP_DB='{url}'" in into.stdout
    assert row_counts(url) == {name: count for name, (count, _) in expected.items()}
    assert list(data_path.rglob("*.parquet")), "the lake's data should be Parquet files in --data-path"

    back = tmp_path / "ut" / "tillbaka.duckdb"
    out = run_cli(env, "copy", url, str(back))
    assert out.returncode == 0, out.stderr
    assert f"Nästa steg: använd filen med FOLLOWUP_DB={back}" in out.stdout
    assert checksums(back) == expected
    assert sorted(path.name for path in back.parent.iterdir()) == [back.name], "left temporary files"
    with closing(db.open_database(back, read_only=True)) as con:  # a complete follow-up database again
        assert db.schema_version(con) == migrations.latest_version()
        assert db.is_demo(con)


def test_copy_into_a_lake_that_does_not_exist_needs_its_data_folder(
    capsys: pytest.CaptureFixture[str], reference_db_path: Path, pg_lake: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without --data-path and $FOLLOWUP_LAKE_DATA nothing is created (the environment route: the demo test)."""
    url, data_path = pg_lake
    monkeypatch.delenv(lake.DATA_ENV, raising=False)
    status, out, err = run_main(capsys, "copy", str(reference_db_path), url)
    assert status == 1 and "finns inte än" in err
    assert "--data-path MAPP" in err and lake.DATA_ENV in err
    assert "Klart" not in out
    assert not list(data_path.iterdir())


def test_copy_into_a_lake_with_data_is_refused(reference_lake: str, demo_db_path: Path) -> None:
    before = checksums(reference_lake)
    result = run_cli(lake_env(reference_lake), "copy", str(demo_db_path), "FOLLOWUP_DB")
    assert failed_cleanly(result, 1, "innehåller redan data, så inget har kopierats")
    assert checksums(reference_lake) == before


def test_copy_out_never_replaces_a_file(demo_lake: str, tmp_path: Path) -> None:
    target = tmp_path / "finns.duckdb"
    target.write_bytes(b"someone's file")
    before = fingerprint(target)
    result = run_cli(lake_env(demo_lake), "copy", "FOLLOWUP_DB", str(target))
    assert failed_cleanly(result, 1, f"Filen {target} finns redan")
    assert fingerprint(target) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [target.name]


def test_copy_out_of_an_empty_lake_never_prints_the_password(empty_lake: tuple[str, Path], tmp_path: Path) -> None:
    url = with_password(empty_lake[0])
    target = tmp_path / "ut.duckdb"
    result = run_cli(lake_env(url), "copy", url, str(target))
    assert failed_cleanly(result, 1, "är tom, så det finns inget att kopiera")
    assert "(den delade databasen)" in result.stderr  # named by its database and host, not its catalogue name
    assert SECRET not in result.stdout + result.stderr
    assert not target.exists()


@pytest.mark.parametrize("ends", ["files", "lakes"])
def test_copy_needs_one_file_and_one_lake(
    capsys: pytest.CaptureFixture[str], demo_lake: str, tmp_path: Path, ends: str
) -> None:
    first, second = (str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb")) if ends == "files" else (demo_lake,) * 2
    status, out, err = run_main(capsys, "copy", first, second)
    assert (status, out) == (2, "")
    assert err.startswith("fel: copy flyttar mellan en databasfil och en delad databas, men båda är ")
    assert list(tmp_path.iterdir()) == []


def test_copy_of_followup_db_when_it_is_not_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(config.DB_ENV)
    status, _, err = run_main(capsys, "copy", str(tmp_path / "a.duckdb"), "FOLLOWUP_DB")
    assert status == 2 and "fel: Miljövariabeln FOLLOWUP_DB är inte satt." in err


def test_a_lake_url_without_postgresql_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run_main(capsys, "info", "--db", f"ducklake:{tmp_path / 'x.ducklake'}")
    assert status == 1 and "den delade databasen måste ha sin katalog i PostgreSQL" in err


# --- demo, init, info, migrate --------------------------------------------------------------------------------


def test_demo_fills_an_empty_lake_and_refuses_a_filled_one(demo_db_path: Path, pg_lake: tuple[str, Path]) -> None:
    """The real generator, once: the same demo as the file, in a lake made from $FOLLOWUP_LAKE_DATA."""
    url, data_path = pg_lake
    env = lake_env(url, **{lake.DATA_ENV: str(data_path)})
    result = run_cli(env, "demo")
    assert result.returncode == 0, result.stderr
    assert f"Klart: den delade databasen {lake.describe(url)} innehåller exempeldata" in result.stdout
    filled = checksums(url)
    assert {name: count for name, (count, _) in filled.items()} == row_counts(demo_db_path)

    again = run_cli(env, "demo", "--force")
    assert failed_cleanly(again, 1, "innehåller redan data, och kommandoraden ersätter aldrig en delad databas")
    assert "(--force gäller bara databasfiler)" in again.stderr
    assert checksums(url) == filled


def test_init_fills_an_empty_lake_with_the_reference_data(
    capsys: pytest.CaptureFixture[str], reference_db_path: Path, pg_lake: tuple[str, Path]
) -> None:
    url, data_path = pg_lake
    status, out, err = run_main(capsys, "init", "--db", url, "--data-path", str(data_path))
    assert (status, err) == (0, "")
    assert out.startswith(f"Klart: den delade databasen {lake.describe(url)} har schemaversion "
                          f"{migrations.latest_version()} och referensdata")
    assert lake.DATA_ENV not in os.environ  # --data-path was this command's setting only
    assert checksums(url, exclude=("import_log", "schema_version")) == checksums(
        reference_db_path, exclude=("import_log", "schema_version"))

    status, _, err = run_main(capsys, "init", "--db", url)
    assert status == 1 and "innehåller redan data" in err


def test_info_describes_the_lake(demo_lake: str, demo_db_path: Path) -> None:
    result = run_cli(lake_env(demo_lake), "info")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Delad databas: {lake.describe(demo_lake)} (DuckLake, katalogen i PostgreSQL)"
    assert lines[1].startswith("Datafiler: ")
    assert list(Path(lines[1].removeprefix("Datafiler: ")).rglob("*.parquet"))
    assert f"Schemaversion: {migrations.latest_version()}" in lines
    assert "Exempeldata: ja (påhittade siffror)" in lines
    rows = {line.split()[0]: int(re.sub(r"\D", "", line.split(maxsplit=1)[1]))
            for line in lines[lines.index("Rader per tabell:") + 1:]}
    assert rows == row_counts(demo_db_path)


def test_info_and_migrate_on_an_empty_lake(capsys: pytest.CaptureFixture[str], empty_lake: tuple[str, Path]) -> None:
    url, _ = empty_lake
    status, out, _ = run_main(capsys, "info", "--db", url)
    assert status == 0 and "Den delade databasen är tom. Fyll den med 'python -m followup copy FIL FOLLOWUP_DB'" in out
    status, out, err = run_main(capsys, "migrate", "--db", url)
    assert (status, out) == (1, "") and f"Den delade databasen {lake.describe(url)} är tom." in err


def test_migrate_on_a_current_lake(capsys: pytest.CaptureFixture[str], demo_lake: str) -> None:
    status, out, _ = run_main(capsys, "migrate", "--db", demo_lake)
    assert status == 0
    assert out == (f"Den delade databasen {lake.describe(demo_lake)} har redan schemaversion "
                   f"{migrations.latest_version()}; inget att uppgradera.\n")


VOCABULARY_TABLES = ("load_kind", "event_source", "place_kind")
"""Schema version 4's tables: a version 3 lake is a version 4 lake without them."""


def as_version_3(con: duckdb.DuckDBPyConnection) -> None:
    """Make the lake behind CON what a version 3 lake is: version 4 without its vocabulary tables."""
    for table in VOCABULARY_TABLES:
        con.execute(f"drop table {table}")
    con.execute("update schema_version set version = 3")


def test_migrate_upgrades_a_version_3_lake_in_place(capsys: pytest.CaptureFixture[str], demo_lake_copy: str) -> None:
    with closing(db.connect(demo_lake_copy)) as con:
        before = table_checksums(con)
        as_version_3(con)
        v3 = table_checksums(con, exclude=("schema_version",))
    with pytest.raises(db.SchemaVersionError, match="Uppgradera den en gång med 'python -m followup migrate'"):
        db.open_database(demo_lake_copy).close()

    status, out, err = run_main(capsys, "migrate", "--db", demo_lake_copy)
    assert (status, err) == (0, ""), err
    assert out == f"Klart: den delade databasen {lake.describe(demo_lake_copy)} är uppgraderad från schemaversion 3 till 4.\n"
    with closing(db.open_database(demo_lake_copy)) as con:
        after = table_checksums(con, exclude=("schema_version",))
        assert con.execute("select list(version order by version) from schema_version").fetchone() == ([3, 4],)
    assert after == {**v3, **{table: before[table] for table in VOCABULARY_TABLES}}  # a new database's rows
    status, out, _ = run_main(capsys, "migrate", "--db", demo_lake_copy)
    assert status == 0 and "har redan schemaversion 4" in out


def test_migrate_refuses_a_lake_whose_rows_break_the_new_keys(capsys: pytest.CaptureFixture[str],
                                                             demo_lake_copy: str) -> None:
    with closing(db.connect(demo_lake_copy)) as con:
        as_version_3(con)
        for name in lake_schema.id_sequences():  # the lake DDL's defaults bind to them, even in an UPDATE
            con.execute(f"create temp sequence {name}")
        con.execute("update import_log set kind = 'enkät' where id = (select min(id) from import_log)")
        before = table_checksums(con)
    status, _, err = run_main(capsys, "migrate", "--db", demo_lake_copy)
    assert status != 0 and "enkät" in err
    with closing(db.connect(demo_lake_copy)) as con:
        assert table_checksums(con) == before  # nothing of the upgrade was kept


# --- load, undo, export ---------------------------------------------------------------------------------------


def crime_file(folder: Path) -> Path:
    """Two new months of Bromma's crime count, after the demo's data ends."""
    path = folder / "brott.csv"
    path.write_text("\ufeff" + CSV_HEADER + f"{CRIME};Bromma;;2026-01;12;\n{CRIME};Bromma;;2026-02;13;\n",
                    encoding="utf-8")
    return path


def crime_2026(url: str) -> list[tuple[str, float, int]]:
    """(month, value, load id) of Bromma's crime counts in 2026."""
    with closing(db.connect(url)) as con:
        return [(f"{start:%Y-%m}", value, load_id) for start, value, load_id in con.execute(
            "select period_start, value, load_id from observation where indicator = $i and district = 'bromma' "
            "and period_start >= date '2026-01-01' order by period_start", {"i": CRIME}).fetchall()]


def test_load_and_undo_on_a_lake(capsys: pytest.CaptureFixture[str], reference_lake: str, tmp_path: Path) -> None:
    """load in a subprocess (FOLLOWUP_DB), undo in this process (--db)."""
    before = checksums(reference_lake, exclude=("import_log", "audit_log"))
    loaded = run_cli(lake_env(reference_lake), "load", str(crime_file(tmp_path)), "--user", "anna")
    assert loaded.returncode == 0, loaded.stderr
    first = loaded.stdout.splitlines()[0]
    assert first.endswith(f"brott.csv (indikatorvärden) är inläst i den delade databasen {lake.describe(reference_lake)}.")
    load_id = int(first.split()[1].rstrip(":"))
    assert crime_2026(reference_lake) == [("2026-01", 12.0, load_id), ("2026-02", 13.0, load_id)]

    status, out, err = run_main(capsys, "undo", str(load_id), "--user", "anna", "--db", reference_lake)
    assert (status, err) == (0, "")
    assert out.startswith(f"Laddning {load_id} (brott.csv) är ångrad")
    assert crime_2026(reference_lake) == []
    assert checksums(reference_lake, exclude=("import_log", "audit_log")) == before


def test_a_busy_lake_refuses_the_load_and_writes_nothing(reference_lake: str, tmp_path: Path) -> None:
    before = checksums(reference_lake)
    with lake.write_lock(reference_lake, 0):  # another writer holds the lake
        result = run_cli(lake_env(reference_lake), "load", str(crime_file(tmp_path)), "--wait", "0.2")
    assert failed_cleanly(result, 1, "En annan skrivning i den delade databasen pågår")
    assert "väntade i 0,2 sekunder" in result.stderr  # --wait became the lake's write wait
    assert checksums(reference_lake) == before


def test_export_from_a_lake_equals_the_export_from_the_file(
    capsys: pytest.CaptureFixture[str], demo_lake: str, demo_db_path: Path, tmp_path: Path
) -> None:
    folders = {}
    for name, target in (("fil", str(demo_db_path)), ("sjö", demo_lake)):
        folders[name] = tmp_path / name
        status, out, err = run_main(capsys, "export", "--db", target, "--district", "Bromma", "--period", "2025-T2",
                                    "--format", "csv", "--out", str(folders[name]))
        assert status == 0, err
        assert out.startswith("Klart: ")
    assert f"ur den delade databasen {lake.describe(demo_lake)}" in err
    files = sorted(path.name for path in folders["fil"].iterdir())
    assert files and files == sorted(path.name for path in folders["sjö"].iterdir())
    for file in files:
        pd.testing.assert_frame_equal(pd.read_csv(folders["sjö"] / file, sep=";", dtype=str),
                                      pd.read_csv(folders["fil"] / file, sep=";", dtype=str))


def test_help_lists_copy_and_maintain(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "--help")
    assert status == 0
    assert "\n    copy " in out and "\n    maintain " in out
    status, out, _ = run_main(capsys, "copy", "--help")
    assert status == 0
    assert " ".join(out.split()).startswith(
        "användning: python -m followup copy [-h] [--data-path MAPP] [--wait SEKUNDER] KÄLLA MÅL")
