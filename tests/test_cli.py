"""The command line, run as `python -m followup` in a subprocess with FOLLOWUP_DB in a temporary folder."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pandas as pd
import pytest

import followup
from followup import access, cli, config, db, migrations
from table_state import table_checksums

COMMANDS = ("demo", "init", "migrate", "info", "load", "undo", "export")


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m followup ARGS` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "followup", *args], env=env, cwd=config.ROOT, capture_output=True, text=True,
        check=False,
    )


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run cli.main(ARGS) in this process (for variants of what a subprocess test already covers)."""
    try:
        status = cli.main(list(args))
    except SystemExit as exit_:  # argparse's usage errors
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def fingerprint(path: Path) -> tuple[int, str]:
    """The file's inode and content hash."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def failed_cleanly(result: subprocess.CompletedProcess[str], status: int, text: str) -> bool:
    """Exit status as expected, the message on stderr, and no traceback."""
    return result.returncode == status and text in result.stderr and "Traceback" not in result.stderr


def counts(path: Path) -> dict[str, int]:
    """A few row counts and the demo flag of a database file."""
    with closing(db.open_database(path, read_only=True)) as con:
        result = {t: con.table(t).count("*").fetchone()[0] for t in ("priority_area", "goal", "observation")}
        result["demo"] = int(db.is_demo(con))
        return result


# --- help and usage ------------------------------------------------------------------------------------


def test_help_lists_every_command_in_swedish(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("användning: python -m followup")
    for name in COMMANDS:
        assert f"\n    {name} " in result.stdout
    assert "kommer i en senare version" not in result.stdout


def test_no_command_shows_help(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env)
    assert result.returncode == 2
    assert "kommandon:" in result.stderr


def test_usage_error_in_swedish(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env, "demo", "--seed", "x")
    assert failed_cleanly(result, 2, "fel: argumentet --seed ska vara ett heltal, inte 'x'")
    assert "användning: python -m followup demo" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rensa"], "fel: okänt KOMMANDO 'rensa' (välj bland 'demo', "),
        (["info", "--db"], "fel: argumentet --db behöver ett värde"),
        (["info", "extra"], "fel: okända argument: extra"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    status, _, err = run_main(capsys, *args)
    assert status == 2
    assert message in err
    assert "Skriv 'python -m followup" in err


# --- init, info, migrate -------------------------------------------------------------------------------


def test_init_creates_reference_database(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    result = run_cli(cli_env, "init")
    assert result.returncode == 0, result.stderr
    assert f"Klart: {tmp_db_path} har schemaversion {migrations.latest_version()}" in result.stdout
    assert counts(tmp_db_path) == {"priority_area": 5, "goal": 14, "observation": 0, "demo": 0}
    assert sorted(p.name for p in tmp_db_path.parent.iterdir()) == [tmp_db_path.name]


def test_init_refuses_existing_file(cli_env: dict[str, str], reference_db_copy: Path) -> None:
    tmp_db_path = reference_db_copy
    before = fingerprint(tmp_db_path)
    result = run_cli(cli_env, "init")
    assert failed_cleanly(result, 1, f"Databasfilen {tmp_db_path} finns redan")
    assert fingerprint(tmp_db_path) == before


def test_init_never_replaces_a_file_that_appears_meanwhile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_db_path: Path
) -> None:
    """If the file shows up while init builds, init stops and leaves that file alone."""
    from followup import reference

    def load_while_someone_else_creates_the_file(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        tmp_db_path.write_text("someone else's file", encoding="utf-8")
        return {}

    monkeypatch.setattr(reference, "load_reference", load_while_someone_else_creates_the_file)
    status, _, err = run_main(capsys, "init")
    assert status == 1
    assert f"Databasfilen {tmp_db_path} finns redan" in err
    assert tmp_db_path.read_text(encoding="utf-8") == "someone else's file"
    assert sorted(p.name for p in tmp_db_path.parent.iterdir()) == [tmp_db_path.name]


def test_db_option_beats_environment(cli_env: dict[str, str], reference_db_path: Path, tmp_db_path: Path) -> None:
    result = run_cli(cli_env, "info", "--db", str(reference_db_path))
    assert result.returncode == 0, result.stderr
    assert f"Databasfil: {reference_db_path} (" in result.stdout
    assert failed_cleanly(run_cli(cli_env, "info"), 1, f"Databasfilen {tmp_db_path} finns inte.")


def test_info_describes_the_file(cli_env: dict[str, str], reference_db_copy: Path) -> None:
    tmp_db_path = reference_db_copy
    result = run_cli(cli_env, "info")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Databasfil: {tmp_db_path} (")
    assert f"Schemaversion: {migrations.latest_version()}" in lines
    assert "Exempeldata: nej" in lines
    rows = {line.split()[0]: line.split()[1] for line in lines[lines.index("Rader per tabell:") + 1:]}
    assert rows["goal"] == "14"
    assert rows["priority_area"] == "5"
    assert rows["observation"] == "0"
    assert "indicator_value" not in rows  # a view, not a table


def test_info_on_empty_duckdb_file(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    duckdb.connect(str(tmp_db_path)).close()
    result = run_cli(cli_env, "info")
    assert result.returncode == 0
    assert "Databasen är tom. Skapa den med 'python -m followup init'" in result.stdout


def test_missing_file(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    result = run_cli(cli_env, "migrate")
    assert failed_cleanly(result, 1, f"Databasfilen {tmp_db_path} finns inte.")
    assert not tmp_db_path.exists()


def test_foreign_file_is_refused(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    with closing(duckdb.connect(str(tmp_db_path))) as con:
        con.execute("create table customers (id integer)")
    before = fingerprint(tmp_db_path)
    assert failed_cleanly(run_cli(cli_env, "info"), 1, "den är inte en uppföljningsdatabas")
    assert fingerprint(tmp_db_path) == before


def test_text_file_is_refused(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    tmp_db_path.write_text("code;name\nbromma;Bromma\n", encoding="utf-8")
    assert failed_cleanly(run_cli(cli_env, "migrate"), 1, f"Filen {tmp_db_path} är ingen DuckDB-databas")
    assert tmp_db_path.read_text(encoding="utf-8") == "code;name\nbromma;Bromma\n"


@pytest.mark.parametrize("kind", ["foreign-tables", "text-file"])
@pytest.mark.parametrize("command", ["info", "migrate", "demo"])
def test_files_that_are_not_followup_databases(
    capsys: pytest.CaptureFixture[str], tmp_db_path: Path, command: str, kind: str
) -> None:
    """Every command that opens a file refuses these, with a message and without changing them."""
    if kind == "text-file":
        tmp_db_path.write_text("code;name\nbromma;Bromma\n", encoding="utf-8")
    else:
        with closing(duckdb.connect(str(tmp_db_path))) as con:
            con.execute("create table customers (id integer)")
    before = fingerprint(tmp_db_path)
    status, _, err = run_main(capsys, command)
    if command == "demo":
        expected = "innehåller inte exempeldata och skrivs inte över"
    else:
        expected = "är ingen DuckDB-databas" if kind == "text-file" else "den är inte en uppföljningsdatabas"
    assert (status, expected in err) == (1, True), err
    assert fingerprint(tmp_db_path) == before


@pytest.mark.parametrize("command", ["info", "migrate"])
def test_missing_file_in_process(capsys: pytest.CaptureFixture[str], tmp_db_path: Path, command: str) -> None:
    status, _, err = run_main(capsys, command)
    assert status == 1
    assert f"Databasfilen {tmp_db_path} finns inte." in err
    assert not tmp_db_path.exists()


def test_migrate_current_database(cli_env: dict[str, str], reference_db_copy: Path) -> None:
    result = run_cli(cli_env, "migrate")
    assert result.returncode == 0
    assert f"har redan schemaversion {migrations.latest_version()}; inget att uppgradera" in result.stdout


def test_migrate_refuses_newer_database(cli_env: dict[str, str], reference_db_copy: Path) -> None:
    tmp_db_path = reference_db_copy
    newer = migrations.latest_version() + 1
    with closing(duckdb.connect(str(tmp_db_path))) as con:
        con.execute("insert into schema_version (version) values ($v)", {"v": newer})
    before = fingerprint(tmp_db_path)
    result = run_cli(cli_env, "migrate")
    assert failed_cleanly(result, 1, f"Databasen har schemaversion {newer} men det här programmet")
    assert fingerprint(tmp_db_path) == before
    info = run_cli(cli_env, "info")
    assert f"Schemaversion: {newer} – nyare än programmets" in info.stdout


def test_migrate_empty_duckdb_file(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    duckdb.connect(str(tmp_db_path)).close()
    assert failed_cleanly(run_cli(cli_env, "migrate"), 1, "är tom. Skapa en databas med")


def version_one_file(path: Path) -> None:
    """A database file as schema version 1 made it (tests/fixtures/schema_v1.sql), with one district."""
    schema_v1 = (config.ROOT / "tests" / "fixtures" / "schema_v1.sql").read_text(encoding="utf-8")
    with closing(duckdb.connect(str(path))) as con:
        db.ensure_schema(con, steps={}, schema_sql=schema_v1)
        con.execute("insert into district (code, name) values ('bromma', 'Bromma')")


def test_migrate_upgrades_older_database(
    tmp_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, so the migrations can be patched: a version 1 file is upgraded to the latest, and info says so first."""
    version_one_file(tmp_db_path)
    latest = migrations.latest_version() + 1
    monkeypatch.setitem(migrations.MIGRATIONS, latest, "alter table district add column short_name varchar")

    assert cli.main(["info"]) == 0
    assert (f"Schemaversion: 1 – äldre än programmets {latest}: kör 'python -m followup migrate'"
            in capsys.readouterr().out)
    assert cli.main(["migrate"]) == 0
    assert f"Klart: {tmp_db_path} är uppgraderad från schemaversion 1 till {latest}." in capsys.readouterr().out
    with closing(db.open_database(tmp_db_path, read_only=True)) as con:
        assert con.execute("select code, short_name from district where code = 'bromma'").fetchall() == [
            ("bromma", None)]
        assert con.execute("select count(*) from commitment").fetchone() == (0,)  # the real version 2 ran
        # reference rows that came with the new version are added; the old ones stay as they were
        assert con.execute("select count(*) from district").fetchone()[0] > 1


def test_failed_migration_is_a_clean_error(
    tmp_db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    version_one_file(tmp_db_path)
    monkeypatch.setitem(migrations.MIGRATIONS, migrations.latest_version() + 1,
                        "alter table no_such_table add column x integer")
    assert cli.main(["migrate"]) == 1
    assert "misslyckades och har ångrats" in capsys.readouterr().err
    with closing(duckdb.connect(str(tmp_db_path), read_only=True)) as con:
        assert db.schema_version(con) == 1


# --- demo ----------------------------------------------------------------------------------------------


def add_entered_row(path: Path) -> None:
    """Record one load in a database, as an import would: it now holds data someone entered."""
    with closing(duckdb.connect(str(path))) as con:
        con.execute("insert into import_log (kind, file_name, checksum, user_name) "
                    "values ('observations', 'brott.csv', 'abc', 'anna')")


def test_demo_refuses_a_database_that_is_not_demo(cli_env: dict[str, str], reference_db_copy: Path) -> None:
    tmp_db_path = reference_db_copy
    add_entered_row(tmp_db_path)
    before = fingerprint(tmp_db_path)
    result = run_cli(cli_env, "demo")
    assert failed_cleanly(result, 1, "innehåller inte exempeldata och skrivs inte över")
    assert "--force" in result.stderr
    assert fingerprint(tmp_db_path) == before


def test_demo_builds_a_demo_database(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    """The real generator, once: a new file with demo data, the seed recorded, nothing left behind."""
    result = run_cli(cli_env, "demo", "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert "(frö 7)" in result.stdout
    assert f"Klart: {tmp_db_path} innehåller exempeldata" in result.stdout
    built = counts(tmp_db_path)
    assert built["demo"] == 1 and built["goal"] == 14 and built["observation"] > 0
    with closing(db.open_database(tmp_db_path, read_only=True)) as con:
        assert db.info(con)["demo_seed"] == "7"
    assert sorted(p.name for p in tmp_db_path.parent.iterdir()) == [tmp_db_path.name], "left temporary files"


def test_info_on_demo_database(cli_env: dict[str, str], demo_db_copy: Path) -> None:
    result = run_cli(cli_env, "info")
    assert result.returncode == 0, result.stderr
    assert "Exempeldata: ja (påhittade siffror)" in result.stdout
    assert "  demo: true" in result.stdout


@pytest.fixture
def fake_demo(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int]]:
    """Replace followup.demo with a fast stand-in that writes a tiny demo database; returns its calls."""
    calls: list[tuple[Path, int]] = []

    def build(path: Path, seed: int = 99) -> None:
        calls.append((Path(path), seed))
        Path(path).unlink(missing_ok=True)
        with closing(db.open_database(path)) as con:
            con.execute("insert into database_info values ('demo', 'true'), ('demo_seed', $seed)", {"seed": str(seed)})

    monkeypatch.setattr(followup, "demo", SimpleNamespace(DEFAULT_SEED=99, build=build), raising=False)
    monkeypatch.setitem(sys.modules, "followup.demo", followup.demo)
    return calls


def make_file(path: Path, kind: str, reference_db_path: Path) -> None:
    """Put a file of the given kind at PATH ('none' leaves it missing)."""
    if kind == "demo":
        with closing(db.open_database(path)) as con:
            con.execute("insert into database_info values ('demo', 'true')")
    elif kind == "reference":
        shutil.copyfile(reference_db_path, path)
    elif kind == "entered":
        shutil.copyfile(reference_db_path, path)
        add_entered_row(path)
    elif kind == "empty-duckdb":
        duckdb.connect(str(path)).close()
    elif kind == "foreign":
        with closing(duckdb.connect(str(path))) as con:
            con.execute("create table customers (id integer)")
    elif kind == "text":
        path.write_text("not a database", encoding="utf-8")


@pytest.mark.parametrize(
    ("kind", "force", "replaced"),
    [
        ("none", False, True),
        ("demo", False, True),
        ("empty-duckdb", False, True),  # nothing in it to lose
        ("reference", False, True),  # only reference data: nothing anyone entered
        ("entered", False, False),
        ("foreign", False, False),
        ("text", False, False),
        ("entered", True, True),
        ("foreign", True, True),
        ("text", True, True),
    ],
)
def test_demo_replaces_only_demo_data_unless_forced(
    capsys: pytest.CaptureFixture[str], fake_demo: list[tuple[Path, int]], reference_db_path: Path,
    tmp_db_path: Path, kind: str, force: bool, replaced: bool,
) -> None:
    make_file(tmp_db_path, kind, reference_db_path)
    before = fingerprint(tmp_db_path) if tmp_db_path.exists() else None

    status, out, err = run_main(capsys, "demo", *(["--force"] if force else []))

    if replaced:
        assert (status, err) == (0, "")
        assert fake_demo == [(tmp_db_path, 99)]
        assert f"Klart: {tmp_db_path} innehåller exempeldata" in out
        assert counts(tmp_db_path)["demo"] == 1
    else:
        assert status == 1
        assert "innehåller inte exempeldata och skrivs inte över" in err and "--force" in err
        assert fake_demo == []
        assert fingerprint(tmp_db_path) == before


def test_demo_passes_the_seed(
    capsys: pytest.CaptureFixture[str], fake_demo: list[tuple[Path, int]], tmp_path: Path
) -> None:
    target = tmp_path / "x.duckdb"
    status, out, _ = run_main(capsys, "demo", "--seed", "12345", "--db", str(target))
    assert status == 0
    assert fake_demo == [(target, 12345)]
    assert "(frö 12345)" in out


# --- pieces --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "swedish"),
    [
        ("the following arguments are required: --db", "följande argument saknas: --db"),
        ("unrecognized arguments: x y", "okända argument: x y"),
        ("something new", "something new"),
    ],
)
def test_swedish_usage_error(english: str, swedish: str) -> None:
    assert cli.swedish_usage_error(english) == swedish


# --- load, undo and info on real files -------------------------------------------------------------------

CRIME = "anmalda-brott-omrade"  # monthly count per district area, not sensitive, in the reference catalogue
CSV_HEADER = "indikator;område;plats;period;värde;n\n"


def csv_file(folder: Path, name: str, *rows: str) -> Path:
    """An observations CSV as Swedish Excel writes it (semicolons, decimal comma, BOM) in FOLDER."""
    path = folder / name
    path.write_text("\ufeff" + CSV_HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def crime_values(path: Path) -> list[tuple[str, str, float, int]]:
    """(district, month, value, load_id) of the stored crime counts, in order."""
    with closing(db.open_database(path, read_only=True)) as con:
        return [(district, f"{start:%Y-%m}", value, load_id) for district, start, value, load_id in con.execute(
            "select district, period_start, value, load_id from observation where indicator = $i "
            "order by district, period_start", {"i": CRIME}).fetchall()]


def checksums(path: Path, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Table checksums of a database file."""
    with closing(db.open_database(path, read_only=True)) as con:
        return table_checksums(con, exclude)


@pytest.fixture
def first_file(tmp_path: Path) -> Path:
    """Two months of Bromma's crime count."""
    return csv_file(tmp_path, "brott.csv", f"{CRIME};Bromma;;2025-01;12;", f"{CRIME};Bromma;;2025-02;13;")


@pytest.fixture
def changed_file(tmp_path: Path) -> Path:
    """January changed (12 → 15) and March new."""
    return csv_file(tmp_path, "rattelse.csv", f"{CRIME};Bromma;;2025-01;15;", f"{CRIME};Bromma;;2025-03;9;")


def test_load_a_file_in_a_subprocess(cli_env: dict[str, str], reference_db_copy: Path, first_file: Path) -> None:
    result = run_cli(cli_env, "load", str(first_file), "--user", "anna")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (f"Laddning 1: brott.csv (indikatorvärden) är inläst i "
                                             f"{reference_db_copy}.")
    assert "  2 nya värden, 0 ändrade, 0 oförändrade." in result.stdout
    assert "Ångra med: python -m followup undo 1" in result.stdout
    assert crime_values(reference_db_copy) == [("bromma", "2025-01", 12.0, 1), ("bromma", "2025-02", 13.0, 1)]
    with closing(db.open_database(reference_db_copy, read_only=True)) as con:
        assert con.execute("select kind, file_name, user_name, rows_added from import_log").fetchall() == [
            ("observations", "brott.csv", "lokal:anna", 2)]  # the command line writes as the local account


def test_the_same_file_twice_adds_nothing(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path
) -> None:
    assert run_main(capsys, "load", str(first_file))[0] == 0
    before = checksums(reference_db_copy, exclude=("import_log", "audit_log"))
    status, out, err = run_main(capsys, "load", str(first_file))
    assert (status, err) == (0, "")
    assert out.startswith(f"Laddning 2: brott.csv (indikatorvärden) innehöll inget nytt; {reference_db_copy} har "
                          "samma värden som förut.")
    assert "  0 nya värden, 0 ändrade, 2 oförändrade." in out
    assert checksums(reference_db_copy, exclude=("import_log", "audit_log")) == before
    assert [load_id for *_, load_id in crime_values(reference_db_copy)] == [1, 1]  # still the first load's


def test_a_changed_file_needs_replace_and_undo_brings_the_old_values_back(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path, changed_file: Path
) -> None:
    assert run_main(capsys, "load", str(first_file))[0] == 0
    loaded = crime_values(reference_db_copy)
    before = checksums(reference_db_copy)

    status, out, err = run_main(capsys, "load", str(changed_file))
    assert (status, out) == (1, "")
    assert err.startswith("rattelse.csv lästes inte in; databasen är oförändrad.\n")
    assert "--replace" in err
    assert "  rad 2: Anmälda brott i stadsdelsområdet, Bromma, 2025-01-01 (month): 12 → 15" in err
    assert checksums(reference_db_copy) == before

    status, out, err = run_main(capsys, "load", str(changed_file), "--replace")
    assert (status, err) == (0, "")
    assert out.startswith("Laddning 2: rattelse.csv (indikatorvärden) är inläst")
    assert "  1 nya värden, 1 ändrade, 0 oförändrade." in out
    assert crime_values(reference_db_copy) == [
        ("bromma", "2025-01", 15.0, 2), ("bromma", "2025-02", 13.0, 1), ("bromma", "2025-03", 9.0, 2)]

    status, out, err = run_main(capsys, "undo", "2")
    assert (status, err) == (0, "")
    assert out.startswith("Laddning 2 (rattelse.csv) är ångrad")
    assert crime_values(reference_db_copy) == loaded
    assert checksums(reference_db_copy, exclude=("import_log", "audit_log")) == {
        name: value for name, value in before.items() if name not in ("import_log", "audit_log")}


def test_dry_run_shows_the_changes_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path, changed_file: Path
) -> None:
    assert run_main(capsys, "load", str(first_file))[0] == 0
    before = checksums(reference_db_copy)
    status, out, err = run_main(capsys, "load", str(changed_file), "--dry-run")
    assert (status, err) == (0, "")
    assert out.splitlines()[:2] == ["Kontroll av rattelse.csv (indikatorvärden): inget skrivet.",
                                    "  1 nya värden, 1 ändrade, 0 oförändrade."]
    assert "12 → 15" in out
    assert checksums(reference_db_copy) == before


def test_undo_of_an_unknown_load(capsys: pytest.CaptureFixture[str], reference_db_copy: Path) -> None:
    before = checksums(reference_db_copy)
    status, out, err = run_main(capsys, "undo", "99")
    assert (status, out) == (1, "")
    assert "Det finns ingen laddning nummer 99. Se listan med 'python -m followup info'" in err
    assert checksums(reference_db_copy) == before


def test_a_broken_file_names_row_and_column(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, tmp_path: Path
) -> None:
    broken = csv_file(tmp_path, "fel.csv", f"{CRIME};Bromma;;2025-01;12;", f"{CRIME};Bromma;;2025-02;tolv;",
                      f"{CRIME};Brama;;2025-03;3;")
    before = checksums(reference_db_copy)
    status, out, err = run_main(capsys, "load", str(broken))
    assert (status, out) == (1, "")
    assert err.startswith("fel.csv lästes inte in; databasen är oförändrad.\n")
    assert "fel.csv, rad 3, kolumn värde: 'tolv' är inte ett tal." in err
    [place_line] = [line for line in err.splitlines() if line.startswith("fel.csv, rad 4, kolumn område: ")]
    assert "Brama" in place_line and "Bromma" in place_line  # the suggestion
    assert "Traceback" not in err
    assert checksums(reference_db_copy) == before


def test_kind_police_on_a_csv_is_refused(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path
) -> None:
    before = checksums(reference_db_copy)
    status, out, err = run_main(capsys, "load", str(first_file), "--kind", "police")
    assert (status, out) == (1, "")
    assert err.startswith("brott.csv lästes inte in; databasen är oförändrad.\n")
    assert "brott.csv: filen ser ut som indikatorvärden, inte Polisens händelser som valts" in err
    assert "--kind observations" in err
    assert checksums(reference_db_copy) == before


def test_load_of_a_missing_file_or_into_a_missing_database(
    capsys: pytest.CaptureFixture[str], tmp_db_path: Path, first_file: Path, tmp_path: Path
) -> None:
    status, _, err = run_main(capsys, "load", str(tmp_path / "saknas.csv"))
    assert status == 1 and "saknas.csv kunde inte läsas" in err
    status, _, err = run_main(capsys, "load", str(first_file))
    assert status == 1 and f"Databasfilen {tmp_db_path} finns inte." in err
    assert not tmp_db_path.exists()


def test_info_lists_the_loads(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path, changed_file: Path
) -> None:
    assert run_main(capsys, "load", str(first_file), "--user", "anna")[0] == 0
    assert run_main(capsys, "load", str(changed_file), "--replace", "--user", "bo")[0] == 0
    assert run_main(capsys, "undo", "2", "--user", "anna")[0] == 0
    status, out, _ = run_main(capsys, "info")
    assert status == 0
    lines = out.splitlines()
    start = lines.index("Senaste laddningar (ångra med 'python -m followup undo NUMMER'):")
    newest, oldest = lines[start + 1:start + 3]
    assert newest.split()[0] == "2" and "rattelse.csv  (lokal:bo; 1 nya, 1 ändrade, ångrad " in newest
    assert oldest.split()[0] == "1" and oldest.endswith("brott.csv  (lokal:anna; 2 nya, 0 ändrade)")


def test_load_without_user_writes_as_the_local_account(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access.getpass, "getuser", lambda: "kim")
    assert run_main(capsys, "load", str(first_file))[0] == 0
    assert run_main(capsys, "undo", "1")[0] == 0
    with closing(db.open_database(reference_db_copy, read_only=True)) as con:
        assert con.execute("select user_name, undone_by from import_log").fetchall() == [("lokal:kim", "lokal:kim")]
        assert con.execute("select user_name, action from audit_log order by id").fetchall() == [
            ("lokal:kim", "load"), ("lokal:kim", "undo")]


def test_a_refused_role_prints_in_swedish_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], reference_db_copy: Path, first_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line is always the local admin; were it ever someone else, the core's refusal prints cleanly."""
    assert run_main(capsys, "load", str(first_file))[0] == 0
    before = checksums(reference_db_copy)
    viewer = access.Principal("vera@stockholm.se", access.Role.VIEWER)
    monkeypatch.setattr(cli, "_user", lambda args: viewer)
    status, out, err = run_main(capsys, "load", str(first_file))
    assert (status, out) == (1, "")
    assert err == ("brott.csv lästes inte in; databasen är oförändrad.\nvera@stockholm.se (läsare) får inte läsa in "
                   "data: det kräver rollen redaktör för stadsdelsområdet eller administratör. Be en administratör om "
                   "behörighet.\n")
    status, out, err = run_main(capsys, "undo", "1")
    assert (status, out) == (1, "")
    assert err.startswith("vera@stockholm.se (läsare) får inte ångra laddning 1 (brott.csv): det kräver rollen")
    assert "Traceback" not in err
    assert checksums(reference_db_copy) == before


def test_load_help_reads_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "load", "--help")
    assert status == 0
    assert out.startswith("användning: python -m followup load ")
    assert "Läs in en fil (indikatorvärden, EST, Polisens händelser, Brå, Kolada)." in out
    for option in ("--db FIL", "--kind TYP", "--replace", "--dry-run", "--user NAMN", "--wait SEKUNDER"):
        assert f"  {option} " in out, option
    for english in ("usage:", "options:", "positional arguments", "show this help", "default:"):
        assert english not in out


# --- export --------------------------------------------------------------------------------------------------

DISTRICT = "Hässelby-Vällingby"
EXPORT_PERIOD = "2025-T2"
FAKE_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (1920).to_bytes(4, "big") + (1080).to_bytes(4, "big")


def export_env(cli_env: dict[str, str], database: Path, **extra: str) -> dict[str, str]:
    """cli_env pointing at DATABASE, plus EXTRA variables."""
    return {**cli_env, config.DB_ENV: str(database), **extra}


@pytest.fixture(scope="module")
def demo_pack(demo_db_path: Path) -> Any:
    """build_pack of the demo for Hässelby-Vällingby, T2 2025 (built once: it takes seconds)."""
    from followup.pack import build_pack
    from followup.periods import parse_period

    with closing(db.open_database(demo_db_path, read_only=True)) as con:
        return build_pack(con, "hasselby-vallingby", parse_period(EXPORT_PERIOD))


@pytest.fixture
def prebuilt(monkeypatch: pytest.MonkeyPatch, demo_pack: Any) -> Any:
    """cli._build answers with the module's demo pack (the database is still opened and the district resolved)."""
    monkeypatch.setattr(cli, "_build", lambda con, district, job: demo_pack)
    return demo_pack


def chart_keys(pack: Any) -> list[str]:
    """The pack's chart keys in slide order, each once."""
    from followup.export.images import pack_charts

    return [chart.key for chart in pack_charts(pack)]


def test_export_builds_the_deck_end_to_end(cli_env: dict[str, str], demo_db_path: Path, tmp_path: Path) -> None:
    from pptx import Presentation

    out = tmp_path / "pack.pptx"
    result = run_cli(export_env(cli_env, demo_db_path), "export", "--district", DISTRICT, "--period", EXPORT_PERIOD,
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Klart: {out} (presentationen med mötespaketet T2 2025 för {DISTRICT})")
    progress = [line for line in result.stderr.splitlines() if "%" in line]
    assert progress[0].strip().startswith("0 % Hämtar mötespaketet T2 2025") and progress[-1].strip() == "100 % Klar"
    deck = Presentation(str(out))
    texts = [" ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame) for slide in deck.slides]
    assert len(deck.slides) >= 3 and DISTRICT in texts[0]
    assert any(shape.has_chart for slide in deck.slides for shape in slide.shapes)
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_xlsx_holds_the_numbers_of_every_chart(
    capsys: pytest.CaptureFixture[str], demo_db_path: Path, prebuilt: Any, tmp_path: Path
) -> None:
    from followup.export import tables

    out = tmp_path / "siffror.xlsx"
    status, stdout, _ = run_main(capsys, "export", "--db", str(demo_db_path), "--district", "hasselby-vallingby",
                                 "--period", EXPORT_PERIOD, "--out", str(out))
    assert status == 0 and stdout.startswith(f"Klart: {out} (Excel-filen med mötespaketet")
    sheets = pd.read_excel(out, sheet_name=None)
    keys = chart_keys(prebuilt)
    assert list(sheets)[0] == "Innehåll" and len(sheets) == len(keys) + 1
    assert sheets["Innehåll"]["Flik"].tolist() == tables.sheet_names(keys)
    first = next(c for slide in prebuilt.slides for c in slide.charts if c.key == keys[0])
    sheet = sheets[tables.sheet_names(keys)[0]]
    expected = tables.chart_table(first)
    assert sheet.columns.tolist() == expected.columns.tolist()
    assert sheet.iloc[:, 1].tolist() == pytest.approx(pd.to_numeric(expected.iloc[:, 1]).tolist(), nan_ok=True)


def test_export_csv_writes_a_file_per_chart_without_hidden_numbers(
    capsys: pytest.CaptureFixture[str], demo_db_path: Path, prebuilt: Any, tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    status, stdout, _ = run_main(capsys, "export", "--db", str(demo_db_path), "--district", "hässelby vällingby",
                                 "--period", EXPORT_PERIOD, "--format", "csv", "--out", str(out))
    keys = chart_keys(prebuilt)
    assert status == 0 and stdout.startswith(f"Klart: {len(keys)} CSV-filer i {out}")
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{key}.csv" for key in keys)
    charts = {c.key: c for slide in prebuilt.slides for c in slide.charts}
    sensitive = [key for key in keys if charts[key].sensitive]
    assert sensitive  # the demo has sensitive charts: the check below is not empty
    for key in keys:
        data = (out / f"{key}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
        assert back["Period"].tolist() == charts[key].frame["period"].tolist()
        if key in sensitive:
            cells = back.iloc[:, 1:3].to_numpy().ravel().tolist()
            assert not [c for c in cells if c not in ("", "1–4") and 0 < float(c.replace(",", ".")) < 5]


def test_export_png_writes_one_image_per_chart_named_by_key(
    capsys: pytest.CaptureFixture[str], demo_db_path: Path, prebuilt: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from followup.export import images

    batches: list[list[str]] = []

    def fake_render(figures: Any, fmt: str, *, progress: Any = None, **options: Any) -> dict[str, bytes]:
        batches.append([key for key, _ in figures])
        progress(0.5, "halvvägs")
        return {key: FAKE_PNG for key, _ in figures}

    monkeypatch.setattr(images, "check_browser", lambda: Path("/usr/bin/chromium"))
    monkeypatch.setattr(images, "render_images", fake_render)
    out = tmp_path / "bilder"
    status, stdout, err = run_main(capsys, "export", "--db", str(demo_db_path), "--district", DISTRICT,
                                   "--period", EXPORT_PERIOD, "--format", "png", "--out", str(out))
    keys = chart_keys(prebuilt)
    assert status == 0 and batches == [keys]  # one batch: one browser for all images
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{key}.png" for key in keys)
    assert "  50 % halvvägs" in err and stdout.startswith(f"Klart: {len(keys)} PNG-filer i {out}")


def test_export_without_a_browser_fails_before_the_database_work(
    cli_env: dict[str, str], demo_db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bilder"
    result = run_cli(export_env(cli_env, demo_db_path, BROWSER_PATH=str(tmp_path / "ingen-chromium")), "export",
                     "--district", DISTRICT, "--period", EXPORT_PERIOD, "--format", "svg", "--out", str(out))
    assert failed_cleanly(result, 1, "Inget skrevs: Bildexport behöver webbläsaren Chromium (Debian-paketet chromium)")
    assert "Hämtar" not in result.stderr and not out.exists()


def test_export_real_png_end_to_end(cli_env: dict[str, str], demo_db_path: Path, tmp_path: Path, image_browser: Path
                                    ) -> None:
    from followup.export import images

    out = tmp_path / "png"
    env = export_env(cli_env, demo_db_path)
    env.pop(images.BROWSER_ENV, None)
    result = run_cli(env, "export", "--district", DISTRICT, "--period", EXPORT_PERIOD, "--format", "png",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.png"))
    assert files and all(path.read_bytes()[16:24] == FAKE_PNG[16:24] for path in files)  # 1920×1080 each


def test_export_of_the_year_end_deck(capsys: pytest.CaptureFixture[str], demo_db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "ar"
    status, stdout, _ = run_main(capsys, "export", "--db", str(demo_db_path), "--district", DISTRICT,
                                 "--year", "2024", "--format", "pptx", "--out", str(out))
    assert status == 0 and (tmp_path / "ar.pptx").stat().st_size > 0
    assert stdout.startswith(f"Klart: {out}.pptx (presentationen med årssammanställningen 2024 för {DISTRICT})")


def test_public_export_leaves_out_the_internal_text(capsys: pytest.CaptureFixture[str], demo_db_path: Path,
                                                    tmp_path: Path) -> None:
    from pptx import Presentation

    def texts(file: Path) -> str:
        return "\n".join(shape.text_frame.text for slide in Presentation(str(file)).slides for shape in slide.shapes
                         if shape.has_text_frame)

    files = {}
    for public in (False, True):
        files[public] = tmp_path / f"mote-{public}.pptx"
        status, _, _ = run_main(capsys, "export", "--db", str(demo_db_path), "--district", DISTRICT, "--period",
                                "2025-T2", "--out", str(files[public]), *(["--public"] if public else []))
        assert status == 0
    comment = "Anmälda brott vid Hässelby torg har nästan halverats"
    assert comment in texts(files[False]) and "Handlingsplanen" in texts(files[False])
    assert comment not in texts(files[True]) and "Handlingsplanen" not in texts(files[True])
    status, _, err = run_main(capsys, "export", "--db", str(demo_db_path), "--district", DISTRICT, "--year", "2024",
                              "--out", str(tmp_path / "ar.pptx"), "--public")
    assert status != 0 and "offentlig skärm" in err


def test_export_of_the_year_end_workbook(capsys: pytest.CaptureFixture[str], demo_db_path: Path,
                                         tmp_path: Path) -> None:
    out = tmp_path / "ar.xlsx"
    status, _, err = run_main(capsys, "export", "--db", str(demo_db_path), "--district", DISTRICT,
                              "--year", "2024", "--out", str(out))
    assert status == 0, err
    assert len(pd.read_excel(out, sheet_name=None)) >= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--district", "Hässelby-Vällingb", "--period", "2025-T2", "--out", "p.pptx"],
         "fel: Okänt stadsdelsområde 'Hässelby-Vällingb' den 31 augusti 2025. Menar du 'Hässelby-Vällingby'?"),
        (["--district", "Rinkeby-Kista", "--period", "2025-T2", "--out", "p.pptx"],
         "Ange namnet eller koden för ett av: Bromma, "),
        (["--district", DISTRICT, "--period", "2025-T4", "--out", "p.pptx"],
         "fel: Okänd period: ”2025-T4”: tertial 4 finns inte år 2025"),
        (["--district", DISTRICT, "--year", "2024", "--format", "png", "--out", "bilder"],
         "fel: Årssammanställningen (--year) finns som pptx och xlsx, inte som png."),
        (["--district", DISTRICT, "--period", "2025-T2", "--out", "paket"], "fel: Vilket format ska paket få?"),
        (["--district", DISTRICT, "--period", "2025-T2", "--format", "pptx", "--out", "p.xlsx"],
         "fel: --out p.xlsx slutar inte på .pptx."),
        (["--district", DISTRICT, "--period", "2025-T2", "--format", "csv", "--out", "p.csv"],
         "csv skrivs som en fil per diagram i en mapp. Ange en mapp, t.ex. p."),
        (["--district", DISTRICT, "--period", "2025-T2", "--format", "xlsx", "--template", "m.pptx", "--out", "p"],
         "fel: --template gäller bara PowerPoint"),
        (["--district", DISTRICT, "--period", "2025-T2", "--year", "2025", "--out", "p.pptx"],
         "fel: argumentet --year går inte att kombinera med --period"),
        (["--district", DISTRICT, "--out", "p.pptx"], "fel: ett av argumenten --period --year behövs"),
        (["--period", "2025-T2", "--out", "p.pptx"], "fel: följande argument saknas: --district"),
    ],
)
def test_export_refuses_bad_options_in_swedish(
    capsys: pytest.CaptureFixture[str], demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    args: list[str], message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run_main(capsys, "export", "--db", str(demo_db_path), *args)
    assert (status, out) == (2, "")
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_missing_database(capsys: pytest.CaptureFixture[str], tmp_db_path: Path, tmp_path: Path) -> None:
    status, _, err = run_main(capsys, "export", "--district", DISTRICT, "--period", "2025-T2", "--out",
                              str(tmp_path / "p.pptx"))
    assert status == 1 and f"Databasfilen {tmp_db_path} finns inte" in err
    assert not tmp_db_path.exists() and not (tmp_path / "p.pptx").exists()


def test_export_out_names() -> None:
    assert cli.export_out(cli.ExportFormat.PPTX, Path("paket")) == Path("paket.pptx")
    assert cli.export_out(cli.ExportFormat.XLSX, Path("a/siffror.XLSX")) == Path("a/siffror.XLSX")
    assert cli.export_out(cli.ExportFormat.PNG, Path("bilder")) == Path("bilder")
    assert cli.export_format(None, Path("x.pptx")) is cli.ExportFormat.PPTX
    assert cli.export_format("svg", Path("x")) is cli.ExportFormat.SVG


def test_export_help_reads_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "export", "--help")
    assert status == 0 and out.startswith("användning: python -m followup export ")
    for option in ("--district OMRÅDE", "--period PERIOD", "--year ÅR", "--format FORMAT", "--out FIL/MAPP",
                   "--template FIL", "--db FIL"):
        assert f"  {option} " in out, option
    for english in ("usage:", "options:", "show this help"):
        assert english not in out
