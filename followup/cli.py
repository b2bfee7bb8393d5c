"""The command line, `python -m followup`: demo, init, migrate and info (load, undo, export come later).

Exit status: 0 done, 1 a database problem (its Swedish message on stderr, no traceback), 2 a usage error
or a command that is not there yet. The database file is --db, else $FOLLOWUP_DB, else data/followup.duckdb.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import NoReturn

import duckdb

from followup import config, db, fmt, imports, migrations
from followup.imports import load as loader
from followup.model import LoadKind

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

PROG = "python -m followup"
LATER = {
    "export": "exportera diagram och siffror (kommer i en senare version)",
}

# argparse speaks English; its few messages a user meets, in Swedish
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", r"följande argument saknas: \1"),
    (r"unrecognized arguments: (.*)", r"okända argument: \1"),
    (r"argument (.+?): invalid int value: (.*)", r"argumentet \1 ska vara ett heltal, inte \2"),
    (r"argument (.+?): invalid choice: (.*?) \(choose from (.*)\)", r"okänt \1 \2 (välj bland \3)"),
    (r"argument (.+?): expected one argument", r"argumentet \1 behöver ett värde"),
]


def swedish_usage_error(message: str) -> str:
    """argparse's English error message in Swedish (unknown messages pass unchanged)."""
    for pattern, replacement in _ARGPARSE_MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "användning: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"fel: {swedish_usage_error(message)}\nSkriv '{self.prog} --help' för hjälp.\n")


def _add_help(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """A Swedish options group with -h/--help; returns the group for the command's own options."""
    group = parser.add_argument_group("flaggor")
    group.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
    return group


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per task."""
    parser = _Parser(
        prog=PROG,
        add_help=False,
        formatter_class=_Formatter,
        description="Uppföljning av samverkansöverenskommelsen mellan Stockholms stad och polisen.",
        epilog=(
            "Databasfilen är --db, annars miljövariabeln FOLLOWUP_DB, annars data/followup.duckdb.\n"
            f"Exempel: {PROG} demo    {PROG} info --db /tmp/test.duckdb"
        ),
    )
    _add_help(parser)
    commands = parser.add_subparsers(title="kommandon", dest="command", metavar="KOMMANDO")

    def command(
        name: str, help_text: str, run: Callable[[argparse.Namespace], int], *positionals: tuple[str, dict]
    ) -> argparse._ArgumentGroup:
        sub = commands.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
                                  add_help=False, formatter_class=_Formatter)
        sub.set_defaults(run=run)
        if positionals:
            given = sub.add_argument_group("argument")
            for dest, options in positionals:
                given.add_argument(dest, **options)
        group = _add_help(sub)
        group.add_argument(
            "--db", metavar="FIL", help="databasfilen (annars $FOLLOWUP_DB, annars data/followup.duckdb)"
        )
        return group

    demo = command("demo", "bygg exempeldatabasen med påhittade siffror", run_demo)
    demo.add_argument("--seed", type=int, metavar="N", help="slumpfrö (samma frö ger samma data)")
    demo.add_argument("--force", action="store_true", help="skriv över filen även om den inte är en exempeldatabas")
    command("init", "skapa en tom databas med schema och referensdata", run_init)
    command("migrate", "uppgradera databasen till programmets schemaversion", run_migrate)
    command("info", "visa schemaversion, om det är exempeldata, antal rader per tabell och senaste laddningar",
            run_info)
    load = command("load", "läs in en fil (indikatorvärden, EST, Polisens händelser, Brå, Kolada)", run_load,
                   ("file", {"metavar": "FIL", "help": "filen att läsa in (.csv, .xlsx, .json, .txt)"}))
    load.add_argument("--kind", choices=[kind.value for kind in imports.KIND_NAMES], metavar="TYP",
                      help="observations, est, police, bra eller kolada (annars känns typen igen på innehållet)")
    load.add_argument("--replace", action="store_true",
                      help="ersätt värden som redan finns (utan den vägras en fil som skulle ändra lagrade värden)")
    load.add_argument("--dry-run", action="store_true", help="kontrollera och visa vad som skulle hända, skriv inget")
    load.add_argument("--user", metavar="NAMN", help="vem som laddar (annars kontots namn)")
    load.add_argument("--wait", type=float, default=120.0, metavar="SEKUNDER",
                      help="hur länge att vänta om en annan process skriver till databasen (standard 120)")
    undo = command("undo", "ångra en laddning: dess rader tas bort och de värden den ersatte kommer tillbaka", run_undo,
                   ("load_id", {"type": int, "metavar": "LADDNING", "help": "laddningens nummer (se 'info')"}))
    undo.add_argument("--user", metavar="NAMN", help="vem som ångrar (annars kontots namn)")
    undo.add_argument("--wait", type=float, default=120.0, metavar="SEKUNDER",
                      help="hur länge att vänta om en annan process skriver till databasen (standard 120)")
    for name, help_text in LATER.items():
        command(name, help_text, run_later)  # any further arguments are accepted, see main()
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in LATER:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except db.DatabaseError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Avbrutet.", file=sys.stderr)
        return 130


# --- demo and init: a new file is built beside the target, then moved into place --------------------------


def _remove_database_files(path: Path) -> None:
    """Delete a database file and its write-ahead log if they exist."""
    for file in (path, Path(f"{path}.wal")):
        file.unlink(missing_ok=True)


def _ensure_free(path: Path) -> None:
    """Raise DatabaseBusyError when another process has the file open (read-only or not)."""
    try:
        probe = db.connect(path)
    except db.DatabaseBusyError:
        raise
    except db.DatabaseError:
        return  # not a DuckDB file, so no DuckDB process can hold it
    probe.close()


def _create_new(path: Path, fill: Callable[[Path], None]) -> None:
    """Build a database with fill(temp) next to PATH, then put it at PATH, which must not exist."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _remove_database_files(temp)
    try:
        fill(temp)
        with closing(duckdb.connect(str(temp))) as con:
            con.execute("checkpoint")  # everything in the main file, no write-ahead log to carry over
        try:
            os.link(temp, path)  # fails if PATH appeared meanwhile: never replace a file
        except FileExistsError as exc:
            raise _exists(path) from exc
        except OSError:  # no hard links on this file system
            if path.exists():
                raise _exists(path) from None
            os.replace(temp, path)
    finally:
        _remove_database_files(temp)


def _holds_demo_or_nothing(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a demo database, an empty file or one with only reference data: nothing anyone entered."""
    try:
        return db.schema_version(con) is None or db.is_demo(con) or not db.holds_entered_data(con)
    except (db.DatabaseError, duckdb.Error):
        return False


def check_replaceable(path: Path, *, force: bool) -> None:
    """Refuse to replace a file that is in use, or that is not a demo database unless force."""
    if not path.exists():
        return
    try:
        con = db.connect(path, read_only=True)
    except db.DatabaseBusyError:
        raise
    except db.DatabaseError:
        replaceable = False  # not a DuckDB database at all
    else:
        with closing(con):
            replaceable = _holds_demo_or_nothing(con)
    if not replaceable and not force:
        raise db.DatabaseError(
            f"Databasfilen {path} innehåller inte exempeldata och skrivs inte över. Välj en annan fil med "
            "--db, eller lägg till --force om du verkligen vill ersätta den (allt i filen försvinner)."
        )
    _ensure_free(path)


def run_demo(args: argparse.Namespace) -> int:
    """`demo`: (re)build the demo database."""
    path = config.db_path(args.db)
    check_replaceable(path, force=args.force)
    from followup import demo  # numpy and the generator are only needed here

    seed = demo.DEFAULT_SEED if args.seed is None else args.seed
    print(f"Bygger exempeldatabasen {path} (frö {seed}) …", flush=True)
    demo.build(path, seed=seed)  # builds beside PATH and renames over it; checks the file is free again
    print(f"Klart: {path} innehåller exempeldata (påhittade siffror).")
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    """`init`: a new database with the schema and the reference data, nothing else."""
    path = config.db_path(args.db)
    if path.exists():
        raise _exists(path)
    from followup import reference

    counts: dict[str, int] = {}

    def fill(temp: Path) -> None:
        with closing(db.open_database(temp)) as con:
            con.execute("begin transaction")
            counts.update(reference.load_reference(con))
            con.execute("commit")

    _create_new(path, fill)  # db.connect makes missing folders
    print(f"Klart: {path} har schemaversion {migrations.latest_version()} och referensdata "
          f"({fmt.number(sum(counts.values()), 0)} rader i {len(counts)} tabeller), men inga mätvärden.")
    return EXIT_OK


def _exists(path: Path) -> db.DatabaseError:
    return db.DatabaseError(
        f"Databasfilen {path} finns redan; init skapar bara nya filer. Välj en annan fil med --db, "
        f"uppgradera den befintliga med '{PROG} migrate', eller ta bort filen först."
    )


# --- migrate and info ------------------------------------------------------------------------------------


def _missing(path: Path) -> db.DatabaseError:
    return db.DatabaseError(
        f"Databasfilen {path} finns inte. Skapa den med '{PROG} init' (tom) eller '{PROG} demo' "
        "(exempeldata), eller välj en annan fil med --db eller FOLLOWUP_DB."
    )


def run_migrate(args: argparse.Namespace) -> int:
    """`migrate`: upgrade an older database to the program's schema version."""
    path = config.db_path(args.db)
    if not path.exists():
        raise _missing(path)
    latest = migrations.latest_version()
    with closing(db.connect(path)) as con:
        found = db.schema_version(con)
        if found is None:
            raise db.DatabaseError(
                f"Databasfilen {path} är tom. Skapa en databas med '{PROG} init' eller '{PROG} demo'."
            )
        if found == latest:
            print(f"{path} har redan schemaversion {latest}; inget att uppgradera.")
            return EXIT_OK
        db.ensure_schema(con)  # refuses a newer version, rolls back a failed step
    print(f"Klart: {path} är uppgraderad från schemaversion {found} till {latest}.")
    return EXIT_OK


def _table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per base table of the main schema."""
    names = [row[0] for row in con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()]
    return {name: con.table(name).count("*").fetchone()[0] for name in names}


def run_info(args: argparse.Namespace) -> int:
    """`info`: what the database file holds."""
    path = config.db_path(args.db)
    if not path.exists():
        raise _missing(path)
    latest = migrations.latest_version()
    with closing(db.connect(path, read_only=True)) as con:
        found = db.schema_version(con)
        print(f"Databasfil: {path} ({fmt.number(path.stat().st_size / 1_000_000, 1)} MB)")
        if found is None:
            print(f"Databasen är tom. Skapa den med '{PROG} init' eller '{PROG} demo'.")
            return EXIT_OK
        note = ""
        if found < latest:
            note = f" – äldre än programmets {latest}: kör '{PROG} migrate'"
        elif found > latest:
            note = f" – nyare än programmets {latest}: uppdatera programmet"
        print(f"Schemaversion: {found}{note}")
        facts = db.info(con)
        print(f"Exempeldata: {'ja (påhittade siffror)' if db.is_demo(con) else 'nej'}")
        for key, value in sorted(facts.items()):
            print(f"  {key}: {value}")
        counts = _table_counts(con)
        loads = con.execute(
            "select id, kind, file_name, user_name, loaded_at, rows_added, rows_changed, undone_at "
            "from import_log where kind not in ('demo', 'reference') order by id desc limit 10"
        ).fetchall() if found >= 2 else []
    width = max(map(len, counts))
    print("Rader per tabell:")
    for name, count in counts.items():
        print(f"  {name:<{width}}  {fmt.number(count, 0):>12}")
    if loads:
        print("Senaste laddningar (ångra med 'python -m followup undo NUMMER'):")
        for load_id, kind, file_name, user, at, added, changed, undone in loads:
            state = f", ångrad {undone:%Y-%m-%d %H:%M}" if undone else ""
            print(f"  {load_id:>4}  {at:%Y-%m-%d %H:%M}  {kind:<12} {file_name}  ({user}; {added} nya, "
                  f"{changed} ändrade{state})")
    return EXIT_OK


def _user(args: argparse.Namespace) -> str:
    """Who runs the command: --user, else the account name."""
    return args.user or getpass.getuser()


def _open_for_writing(path: Path, wait: float) -> duckdb.DuckDBPyConnection:
    """Open an existing database for writing, waiting up to WAIT seconds while another process writes."""
    if not path.exists():
        raise _missing(path)
    return db.open_database_waiting(
        path, wait, on_wait=lambda: print("Databasen används av en annan process; väntar …", file=sys.stderr)
    )


def run_load(args: argparse.Namespace) -> int:
    """`load FILE`: check a file and write it all or nothing; exit 0 only when it landed."""
    file = Path(args.file)
    try:
        data = file.read_bytes()
    except OSError as exc:
        print(f"Filen {file} kunde inte läsas: {exc.strerror or exc}. Kontrollera sökvägen.", file=sys.stderr)
        return EXIT_ERROR
    path = config.db_path(args.db)
    kind = LoadKind(args.kind) if args.kind else None
    with closing(_open_for_writing(path, args.wait)) as con:
        try:
            _progress_printer(len(data))(0.0, f"Läser och kontrollerar {file.name} …")
            batch = imports.parse(data, file.name, imports.catalogue(con), kind)
            if args.dry_run:
                plan = loader.plan(con, batch)
                print(f"Kontroll av {file.name} ({imports.KIND_NAMES[batch.kind]}): inget skrivet.")
                for line in plan.report():
                    print(f"  {line}")
                _print_changes(plan)
                return EXIT_OK
            result = loader.apply(con, batch, user=_user(args), replace=args.replace,
                                  progress=_progress_printer(len(data)))
        except imports.LoadRefused as refused:
            print(f"{file.name} lästes inte in; databasen är oförändrad.", file=sys.stderr)
            print(imports.problems_text(refused.problems), file=sys.stderr)
            if refused.plan is not None:
                _print_changes(refused.plan, sys.stderr)
            return EXIT_ERROR
    if result.plan.rows_added or result.plan.rows_changed:
        print(f"Laddning {result.load_id}: {file.name} ({imports.KIND_NAMES[batch.kind]}) är inläst i {path}.")
    else:
        print(f"Laddning {result.load_id}: {file.name} ({imports.KIND_NAMES[batch.kind]}) innehöll inget nytt; "
              f"{path} har samma värden som förut.")
    for line in result.plan.report():
        print(f"  {line}")
    print(f"Ångra med: {PROG} undo {result.load_id}")
    return EXIT_OK


LARGE_FILE_BYTES = 5_000_000
"""Files from this size on get progress lines on stderr while they load."""


def _progress_printer(size: int) -> loader.Progress:
    """Progress lines on stderr for a large file ('  40 % Sparar …'); silence for a small one."""
    def show(fraction: float, text: str) -> None:
        if size >= LARGE_FILE_BYTES:
            print(f"  {fraction:>4.0%} {text}", file=sys.stderr, flush=True)
    return show


def _print_changes(plan: loader.Plan, stream=None) -> None:
    """The first changed values of a plan, as 'rad N: indikator, område, period: gammalt → nytt'."""
    stream = stream or sys.stdout
    rows = plan.changes.head(20)
    for row in rows.itertuples():
        where = ", ".join(str(part) for part in (row.indicator, row.district, row.place) if part and part == part)
        print(f"  rad {row.source_row}: {where}, {row.period_start:%Y-%m-%d} ({row.grain}): "
              f"{fmt.number(row.old_value)} → {fmt.number(row.value)}", file=stream)
    if plan.changed + plan.replaces_preliminary > len(rows):
        print(f"  … och {plan.changed + plan.replaces_preliminary - len(rows)} ändringar till.", file=stream)


def run_undo(args: argparse.Namespace) -> int:
    """`undo LOAD_ID`: remove a load's rows and restore what it replaced; exit 0 only when done."""
    path = config.db_path(args.db)
    with closing(_open_for_writing(path, args.wait)) as con:
        try:
            print(loader.undo(con, args.load_id, user=_user(args)))
        except loader.UndoRefused as refused:
            print(refused, file=sys.stderr)
            return EXIT_ERROR
    return EXIT_OK


def run_later(args: argparse.Namespace) -> int:
    """load, undo, export: not in this version."""
    print(
        f"Kommandot '{args.command}' finns inte i den här versionen av programmet; det kommer i en senare "
        f"version. Se '{PROG} --help' för det som finns nu.",
        file=sys.stderr,
    )
    return EXIT_USAGE
