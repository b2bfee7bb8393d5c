"""The command line, run as `python -m followup` in a subprocess with FOLLOWUP_DB in a temporary folder."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

import followup
from followup import cli, config, db, migrations

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
    assert "kommer i en senare version" in result.stdout


def test_no_command_shows_help(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env)
    assert result.returncode == 2
    assert "kommandon:" in result.stderr


def test_later_command_answers_in_swedish(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    result = run_cli(cli_env, "export", "--format", "pptx", "--db", str(tmp_db_path))
    assert failed_cleanly(result, 2, "Kommandot 'export' finns inte i den här versionen")
    assert "kommer i en senare version" in result.stderr
    assert not tmp_db_path.exists()


@pytest.mark.parametrize("args", [["export"], ["export", "--format", "pptx"]])
def test_every_later_command(capsys: pytest.CaptureFixture[str], tmp_db_path: Path, args: list[str]) -> None:
    status, out, err = run_main(capsys, *args)
    assert (status, out) == (2, "")
    assert f"Kommandot '{args[0]}' finns inte i den här versionen" in err
    assert not tmp_db_path.exists()


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
