"""The command line, `python -m followup`: demo, init, migrate, info, load, undo and export.

Exit status: 0 done, 1 a database or export problem (its Swedish message on stderr, no traceback), 2 a usage
error. The database file is --db, else $FOLLOWUP_DB, else data/followup.duckdb. load and undo write as
access.local(--user, else the account name): the admin role, recorded as lokal:<name>, since whoever runs the
command line holds the database file anyway.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import duckdb
import pandas as pd

from followup import access, config, db, fmt, imports, migrations, queries
from followup.imports import load as loader
from followup.imports.base import size_problem
from followup.imports.text import did_you_mean, normalise
from followup.model import Grain, LoadKind
from followup.periods import MONTH_NAMES, Period, parse_period

if TYPE_CHECKING:
    from followup.pack import Pack

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

PROG = "python -m followup"

# argparse speaks English; its few messages a user meets, in Swedish
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.*)", r"följande argument saknas: \1"),
    (r"unrecognized arguments: (.*)", r"okända argument: \1"),
    (r"argument (.+?): invalid int value: (.*)", r"argumentet \1 ska vara ett heltal, inte \2"),
    (r"argument (.+?): invalid choice: (.*?) \(choose from (.*)\)", r"okänt \1 \2 (välj bland \3)"),
    (r"argument (.+?): expected one argument", r"argumentet \1 behöver ett värde"),
    (r"one of the arguments (.*) is required", r"ett av argumenten \1 behövs"),
    (r"argument (.+?): not allowed with argument (.*)", r"argumentet \1 går inte att kombinera med \2"),
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
    _add_export(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        history = queries.run(con, "import_history", limit=12) if found >= 2 else None
    loads = pd.DataFrame() if history is None else history.loc[~history["kind"].isin(["demo", "reference"])].head(10)
    width = max(map(len, counts))
    print("Rader per tabell:")
    for name, count in counts.items():
        print(f"  {name:<{width}}  {fmt.number(count, 0):>12}")
    if len(loads):
        print("Senaste laddningar (ångra med 'python -m followup undo NUMMER'):")
        for load in loads.itertuples(index=False):
            state = f", ångrad {load.undone_at:%Y-%m-%d %H:%M}" if pd.notna(load.undone_at) else ""
            print(f"  {load.id:>4}  {load.loaded_at:%Y-%m-%d %H:%M}  {load.kind:<12} {load.file_name}  "
                  f"({load.user_name}; {load.rows_added} nya, {load.rows_changed} ändrade{state})")
    return EXIT_OK


def _user(args: argparse.Namespace) -> access.Principal:
    """Who runs the command: the local principal (admin) of --user, else of the account name."""
    return access.local(args.user or None)


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
        too_large = size_problem(file.stat().st_size, imports.MAX_FILE_BYTES)  # before reading it into memory
        if too_large is not None:
            print(f"{file.name} lästes inte in; databasen är oförändrad.\n{file.name}: {too_large}", file=sys.stderr)
            return EXIT_ERROR
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
        except access.AccessDenied as denied:
            print(f"{file.name} lästes inte in; databasen är oförändrad.", file=sys.stderr)
            print(denied, file=sys.stderr)
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
        except (loader.UndoRefused, access.AccessDenied) as refused:
            print(refused, file=sys.stderr)
            return EXIT_ERROR
    return EXIT_OK


# --- export: the meeting pack as a deck, images or the numbers behind its charts ---------------------------


class ExportFormat(StrEnum):
    PPTX = "pptx"
    PNG = "png"
    SVG = "svg"
    XLSX = "xlsx"
    CSV = "csv"


FILE_FORMATS = frozenset({ExportFormat.PPTX, ExportFormat.XLSX})
"""Formats written as one file; the others are a folder with one file per chart."""
YEAR_FORMATS = FILE_FORMATS
"""The year-end compilation is a deck or a workbook."""
FORMAT_WORDS = {ExportFormat.PPTX: "presentationen", ExportFormat.XLSX: "Excel-filen"}


class ExportRefused(Exception):
    """An export option that cannot be used; the Swedish message names the cause and the fix (exit 2)."""


@dataclass(frozen=True)
class ExportJob:
    """What `export` was asked for, checked before the database is opened."""

    format: ExportFormat
    out: Path
    period: Period  # the meeting's period, or the year of the year-end compilation
    year_end: bool
    template: Path | None
    public: bool = False  # without the steering group's internal text (comments, activities, commitments)


def _add_export(command: Callable[..., argparse._ArgumentGroup]) -> None:
    """The `export` subcommand and its options."""
    export = command("export", "bygg mötespaketet som PowerPoint, bilder (PNG, SVG) eller siffror (Excel, CSV)",
                     run_export)
    export.add_argument("--district", required=True, metavar="OMRÅDE",
                        help="stadsdelsområdets namn eller kod, t.ex. \"Hässelby-Vällingby\" eller hasselby-vallingby")
    when = export.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", metavar="PERIOD",
                      help="mötets period: 2025-T2 (tertial), 2025-Q2, 2025-03 (månad) eller 2025")
    when.add_argument("--year", type=int, metavar="ÅR", help="årssammanställningen för ett år (pptx eller xlsx)")
    export.add_argument("--format", choices=[f.value for f in ExportFormat], metavar="FORMAT",
                        help="pptx, png, svg, xlsx eller csv (utan --format: efter --out, .pptx eller .xlsx)")
    export.add_argument("--out", required=True, metavar="FIL/MAPP",
                        help="filen (pptx, xlsx) eller mappen (png, svg, csv: en fil per diagram)")
    export.add_argument("--template", metavar="FIL", help="egen PowerPoint-mall (.pptx eller .potx) för pptx")
    export.add_argument("--public", action="store_true",
                        help="för en offentlig skärm: utan styrgruppens kommentarer, handlingsplan och åtaganden")


def export_format(given: str | None, out: Path) -> ExportFormat:
    """--format, else the format --out's suffix names (.pptx, .xlsx); ExportRefused when neither says."""
    if given:
        return ExportFormat(given)
    suffix = out.suffix.lower().lstrip(".")
    if suffix in {f.value for f in FILE_FORMATS}:
        return ExportFormat(suffix)
    raise ExportRefused(
        f"Vilket format ska {out} få? Ange --format pptx, png, svg, xlsx eller csv, eller låt --out sluta på "
        ".pptx eller .xlsx."
    )


def export_out(fmt: ExportFormat, out: Path) -> Path:
    """The file or folder to write: a file format's suffix added when missing; ExportRefused when it cannot be."""
    suffix = f".{fmt.value}"
    if fmt in FILE_FORMATS:
        if out.is_dir():
            raise ExportRefused(f"--out {out} är en mapp; {fmt.value} skrivs som en fil. Ange ett filnamn, t.ex. "
                                f"{out / ('paket' + suffix)}.")
        if not out.suffix:
            return out.with_name(out.name + suffix)
        if out.suffix.lower() != suffix:
            raise ExportRefused(f"--out {out} slutar inte på {suffix}. Ge filen ändelsen {suffix} eller välj ett "
                                "annat --format.")
        return out
    if out.exists() and not out.is_dir():
        raise ExportRefused(f"--out {out} är en fil, men {fmt.value} skrivs som en fil per diagram i en mapp. "
                            "Ange en mapp (den skapas om den saknas).")
    if out.suffix.lower() in {f".{f.value}" for f in ExportFormat}:
        raise ExportRefused(f"--out {out} ser ut som ett filnamn, men {fmt.value} skrivs som en fil per diagram i "
                            f"en mapp. Ange en mapp, t.ex. {out.with_suffix('')}.")
    return out


def export_job(args: argparse.Namespace) -> ExportJob:
    """The checked export options (no database needed); ExportRefused with a Swedish message when wrong."""
    out = Path(args.out)
    fmt = export_format(args.format, out)
    if args.year is not None:
        if fmt not in YEAR_FORMATS:
            raise ExportRefused(f"Årssammanställningen (--year) finns som pptx och xlsx, inte som {fmt.value}. "
                                "Ange --format pptx eller xlsx, eller --period för mötespaketets diagram.")
        try:
            period = Period(date(args.year, 1, 1), Grain.YEAR)
        except ValueError as error:
            raise ExportRefused(str(error)) from None
    else:
        try:
            period = parse_period(args.period)
        except ValueError as error:
            raise ExportRefused(str(error)) from None
    if args.template and fmt is not ExportFormat.PPTX:
        raise ExportRefused(f"--template gäller bara PowerPoint (--format pptx), inte {fmt.value}.")
    if args.public and args.year is not None:
        raise ExportRefused("Årssammanställningen är handlingsplanen och styrgruppens analys, som är interna. Den "
                            "finns inte för en offentlig skärm (--public); använd --period för mötespaketet.")
    return ExportJob(fmt, export_out(fmt, out), period, args.year is not None,
                     Path(args.template) if args.template else None, public=bool(args.public))


def _district_key(text: str) -> str:
    """A district name or code for matching: case, å/ä/ö and space or hyphen do not matter."""
    return normalise(text).replace(" ", "-")


def resolve_district(con: duckdb.DuckDBPyConnection, given: str, on: date) -> tuple[str, str]:
    """(code, name) of the district named or coded GIVEN in force on a day; ExportRefused with suggestions."""
    rows = queries.run(con, "current_districts", on=on)
    pairs = list(zip(rows["code"].astype(str), rows["name"].astype(str), strict=True))
    wanted = _district_key(given)
    for code, name in pairs:
        if wanted in (_district_key(code), _district_key(name)):
            return code, name
    names = [name for _, name in pairs]
    raise ExportRefused(
        f"Okänt stadsdelsområde '{given}' den {on.day} {MONTH_NAMES[on.month - 1]} {on.year}."
        f"{did_you_mean(given, names)} Ange namnet eller "
        f"koden för ett av: {', '.join(names) or 'inga'} (t.ex. --district \"{names[0] if names else ''}\")."
    )


def _export_progress() -> loader.Progress:
    """Progress lines on stderr ('  40 % Bild 3 av 12 …'): an export takes seconds to minutes."""
    def show(fraction: float, text: str) -> None:
        print(f"  {round(fraction * 100):>3} % {text}", file=sys.stderr, flush=True)
    return show


def _write_file(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: beside it first, then renamed over it (the folder is made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _write_folder(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write each named file into FOLDER (made if missing); the paths written."""
    paths = [folder / name for name in files]
    for path, data in zip(paths, files.values(), strict=True):
        _write_file(path, data)
    return paths


def _export_files(pack: Pack, job: ExportJob, progress: loader.Progress) -> list[Path]:
    """Render the pack as the job asks and write it; the paths written."""
    from followup.export import images, tables

    if job.format is ExportFormat.PPTX:
        from followup.export import deck

        template = job.template.read_bytes() if job.template else None
        build = deck.build_year_end_deck if job.year_end else deck.build_deck
        _write_file(job.out, build(pack, template=template, progress=progress))
        return [job.out]
    if job.format is ExportFormat.XLSX and job.year_end:
        from followup.export import workbook

        _write_file(job.out, workbook.year_end_workbook(pack))
        return [job.out]
    charts = images.pack_charts(pack)
    if not charts:
        raise ExportRefused(f"Mötespaketet för {pack.district_name} {pack.period.label} har inga diagram (inga "
                            "värden för områdets nyckeltal), så det finns inga diagram att exportera.")
    if job.format is ExportFormat.XLSX:
        _write_file(job.out, tables.to_xlsx(tables.pack_tables(pack)))
        return [job.out]
    if job.format is ExportFormat.CSV:
        return _write_folder(job.out, {f"{key}.csv": tables.to_csv(frame)
                                       for key, frame in tables.pack_tables(pack).items()})
    progress(0.0, f"Ritar {len(charts)} diagram …")
    rendered = images.render_images(images.pack_figures(pack), job.format.value, progress=progress)
    return _write_folder(job.out, {f"{key}.{job.format.value}": data for key, data in rendered.items()})


def _export_refusals(job: ExportJob) -> tuple[type[Exception], ...]:
    """The exceptions whose Swedish message is the whole answer for the job's format (no traceback)."""
    from followup.export.images import ImageExportError

    if job.format is ExportFormat.PPTX:
        from followup.export.deck import DeckRefused

        return ExportRefused, ImageExportError, DeckRefused
    return ExportRefused, ImageExportError


def _build(con: duckdb.DuckDBPyConnection, district: str, job: ExportJob) -> Pack:
    """The meeting pack (or the year-end compilation) for the district."""
    from followup import pack

    if job.year_end:
        return pack.build_year_end(con, district, job.period.year)
    return pack.build_pack(con, district, job.period, public=job.public)


def run_export(args: argparse.Namespace) -> int:
    """`export`: the meeting pack as a deck, images or tables; exit 0 only when every file was written."""
    try:
        job = export_job(args)
    except ExportRefused as refused:
        print(f"fel: {refused}", file=sys.stderr)
        return EXIT_USAGE
    if job.format in (ExportFormat.PNG, ExportFormat.SVG):
        from followup.export import images

        try:
            images.check_browser()  # before the database work, not after it
        except images.ImageExportError as missing:
            print(f"Inget skrevs: {missing}", file=sys.stderr)
            return EXIT_ERROR
    path = config.db_path(args.db)
    if not path.exists():
        raise _missing(path)
    progress = _export_progress()
    with closing(db.open_database(path, read_only=True)) as con:
        if db.schema_version(con) is None:
            raise db.DatabaseError(f"Databasen {path} är tom. Skapa en databas med '{PROG} init' eller '{PROG} demo'.")
        try:
            code, name = resolve_district(con, args.district, job.period.last_day)
        except ExportRefused as refused:
            print(f"fel: {refused}", file=sys.stderr)
            return EXIT_USAGE
        what = f"årssammanställningen {job.period.year}" if job.year_end else f"mötespaketet {job.period.label}"
        progress(0.0, f"Hämtar {what} för {name} ur {path} …")
        try:
            built = _build(con, code, job)
        except ValueError as error:  # build_pack's Swedish messages (an unknown place, a district not in force)
            print(error, file=sys.stderr)
            return EXIT_ERROR
    # the database is closed before the slow part: a dashboard waiting to write is not held up
    try:
        written = _export_files(built, job, progress)
    except _export_refusals(job) as refused:
        print(f"Inget skrevs: {refused}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"Filen kunde inte skrivas: {error.strerror or error} ({error.filename or job.out}). Kontrollera "
              "sökvägen och att du får skriva där.", file=sys.stderr)
        return EXIT_ERROR
    if job.format in FILE_FORMATS:
        print(f"Klart: {written[0]} ({FORMAT_WORDS[job.format]} med {what} för {name}).")
    else:
        print(f"Klart: {len(written)} {job.format.value.upper()}-filer i {job.out} ({what} för {name}).")
    return EXIT_OK
