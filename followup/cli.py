"""The command line, `python -m followup`: demo, init, migrate, info, load, undo, export, copy and maintain.

Exit status: 0 done, 1 a database or export problem (its Swedish message on stderr, no traceback, never a
password), 2 a usage error. The database is --db, else $FOLLOWUP_DB, else data/followup.duckdb: a DuckDB file,
or the shared backend when it starts 'ducklake:postgres:' (see followup.lake). A shared database is never
replaced from here: demo and init only fill an empty one, copy moves a file's content in and out of one.
load and undo write as access.local(--user, else the account name): the admin role, recorded as lokal:<name>,
since whoever runs the command line holds the database anyway.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import duckdb
import pandas as pd

from followup import access, config, db, errors, fmt, imports, lake, maintenance, migrations, queries, store
from followup.imports import load as loader
from followup.imports.base import COMMAND_LINE_LIMITS, read_limits, size_problem
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
            "Databasen är --db, annars miljövariabeln FOLLOWUP_DB, annars data/followup.duckdb: en DuckDB-fil\n"
            "eller den delade databasen, 'ducklake:postgres:dbname=… host=… user=…' (lösenordet i PGPASSWORD).\n"
            f"Exempel: {PROG} demo    {PROG} info --db /tmp/test.duckdb"
        ),
    )
    _add_help(parser)
    commands = parser.add_subparsers(title="kommandon", dest="command", metavar="KOMMANDO")

    def command(
        name: str, help_text: str, run: Callable[[argparse.Namespace], int], *positionals: tuple[str, dict],
        database: bool = True,
    ) -> argparse._ArgumentGroup:
        sub = commands.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
                                  add_help=False, formatter_class=_Formatter)
        sub.set_defaults(run=run)
        if positionals:
            given = sub.add_argument_group("argument")
            for dest, options in positionals:
                given.add_argument(dest, **options)
        group = _add_help(sub)
        if database:
            group.add_argument("--db", metavar="FIL", help="databasfilen eller den delade databasen "
                               "(annars $FOLLOWUP_DB, annars data/followup.duckdb)")
        return group

    demo = command("demo", "bygg exempeldatabasen med påhittade siffror", run_demo)
    demo.add_argument("--seed", type=int, metavar="N", help="slumpfrö (samma frö ger samma data)")
    demo.add_argument("--force", action="store_true", help="skriv över filen även om den inte är en exempeldatabas")
    _add_data_path(demo)
    _add_data_path(command("init", "skapa en tom databas med schema och referensdata", run_init))
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
    copy = command(
        "copy", "kopiera en databasfil till en tom delad databas eller en delad databas till en ny fil", run_copy,
        ("source", {"metavar": "KÄLLA", "help": "databasfilen eller den delade databasen (ducklake:postgres:…); "
                                                 "FOLLOWUP_DB betyder miljövariabelns värde"}),
        ("target", {"metavar": "MÅL", "help": "en tom delad databas, eller en databasfil som inte finns än"}),
        database=False,
    )
    _add_data_path(copy)
    copy.add_argument("--wait", type=float, default=120.0, metavar="SEKUNDER",
                      help="hur länge att vänta om en annan process skriver till den delade databasen (standard 120)")
    maintain = command("maintain", "städa den delade databasens datafiler: ta bort övergivna filer och slå ihop små",
                       run_maintain)
    maintain.add_argument("--older-than-hours", type=float, default=maintenance.DEFAULT_AGE / timedelta(hours=1),
                          metavar="TIMMAR", help="ta bara bort filer äldre än så (standard 24)")
    maintain.add_argument("--wait", type=float, default=120.0, metavar="SEKUNDER",
                          help="hur länge att vänta om en annan process skriver till databasen (standard 120)")
    return parser


def _add_data_path(group: argparse._ArgumentGroup) -> None:
    """The --data-path option of the commands that may create a shared database."""
    group.add_argument("--data-path", metavar="MAPP",
                       help=f"mappen för en ny delad databas datafiler (annars ${lake.DATA_ENV})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        with _settings(args):
            return args.run(args)
    except errors.Refused as refused:  # the one place a refusal becomes a message and an exit status
        prefix = "fel: " if refused.exit_code == EXIT_USAGE else ""
        print(prefix + lake.redact(str(refused)), file=sys.stderr)  # a lake's name holds its whole conninfo
        return refused.exit_code
    except KeyboardInterrupt:
        print("Avbrutet.", file=sys.stderr)
        return 130


@contextmanager
def _settings(args: argparse.Namespace) -> Iterator[None]:
    """The command's --wait and --data-path as the shared backend's settings ($FOLLOWUP_WRITE_WAIT,
    $FOLLOWUP_LAKE_DATA), for this process and this command only."""
    values: dict[str, str] = {}
    if getattr(args, "wait", None) is not None:
        values[lake.WAIT_ENV] = str(args.wait)
    if getattr(args, "data_path", None):
        values[lake.DATA_ENV] = str(Path(args.data_path).expanduser().absolute())  # every replica must find it
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _target(given: str | os.PathLike | None) -> store.Store:
    """The database named by --db (or a copy argument), else $FOLLOWUP_DB, else the default file; a shared
    database's URL is checked to name a PostgreSQL catalogue."""
    return store.open(given)


# --- demo and init: a new database is built in a file beside the target, then moved (or copied) into place ------


def run_demo(args: argparse.Namespace) -> int:
    """`demo`: (re)build the demo database; a shared database only when it is empty."""
    target = _target(args.db)
    from followup import demo  # numpy and the generator are only needed here

    seed = demo.DEFAULT_SEED if args.seed is None else args.seed
    # a file is replaced only when it holds a demo or nothing (or --force); a shared one only filled when empty
    target.fill_new(lambda path: demo.build(path, seed=seed), replace_demo=True, force=args.force,
                    on_start=lambda: print(f"Bygger exempeldata (frö {seed}) för {target.describe()} …", flush=True))
    print(f"Klart: {target.describe()} innehåller exempeldata (påhittade siffror).")
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    """`init`: a new database with the schema and the reference data, nothing else; a shared one must be empty."""
    target = _target(args.db)
    target.require_new()
    from followup import reference

    counts: dict[str, int] = {}

    def fill(temp: Path) -> None:
        with closing(db.open_database(temp)) as con:
            con.execute("begin transaction")
            counts.update(reference.load_reference(con))
            con.execute("commit")

    target.fill_new(fill)
    print(f"Klart: {target.describe()} har schemaversion {migrations.latest_version()} och referensdata "
          f"({fmt.number(sum(counts.values()), 0)} rader i {len(counts)} tabeller), men inga mätvärden.")
    return EXIT_OK


# --- migrate and info ------------------------------------------------------------------------------------


def run_migrate(args: argparse.Namespace) -> int:
    """`migrate`: upgrade an older database to the program's schema version (a shared one: say what to do)."""
    target = _target(args.db)
    found, latest = target.migrate()
    where = target.describe()
    if found == latest:
        print(f"{where[:1].upper()}{where[1:]} har redan schemaversion {latest}; inget att uppgradera.")
    else:
        print(f"Klart: {where} är uppgraderad från schemaversion {found} till {latest}.")
    return EXIT_OK


def _table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per base table of the main schema of the connection's database."""
    names = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()]
    return {name: con.table(name).count("*").fetchone()[0] for name in names}


def _print_counts(counts: Mapping[str, int], heading: str = "Rader per tabell:") -> None:
    """A heading and one line per table: its name and its rows."""
    width = max(map(len, counts), default=0)
    print(heading)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {fmt.number(count, 0):>12}")


def run_info(args: argparse.Namespace) -> int:
    """`info`: what the database file or the shared database holds."""
    target = _target(args.db)
    target.require_exists()
    latest = migrations.latest_version()
    with closing(target.connect(read_only=True)) as con:
        found = db.schema_version(con)
        for line in target.facts(con):
            print(line)
        if found is None:
            print(target.empty_hint())
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
    _print_counts(counts)
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


def _open_for_writing(target: store.Store, wait: float) -> duckdb.DuckDBPyConnection:
    """Open an existing database for writing, waiting up to WAIT seconds while another process writes (on a
    shared database each write waits for the lake's write lock instead, up to $FOLLOWUP_WRITE_WAIT = --wait)."""
    target.require_exists()
    return target.open_waiting(
        wait, on_wait=lambda: print("Databasen används av en annan process; väntar …", file=sys.stderr)
    )


def _read_bounded(file: Path, limit: int) -> tuple[bytes, int]:
    """The file's bytes and its size; the bytes are empty when the file is over LIMIT. Never reads more than LIMIT + 1
    bytes: the size on disk says nothing for /dev/zero or a pipe."""
    if file.is_file() and file.stat().st_size > limit:
        return b"", file.stat().st_size  # refused by its size, before it is read into memory
    with file.open("rb") as stream:
        data = stream.read(limit + 1)
    return (b"", len(data)) if len(data) > limit else (data, len(data))


def run_load(args: argparse.Namespace) -> int:
    """`load FILE`: check a file and write it all or nothing; exit 0 only when it landed."""
    file = Path(args.file)
    try:
        data, size = _read_bounded(file, COMMAND_LINE_LIMITS.file_bytes)
        too_large = size_problem(size, COMMAND_LINE_LIMITS.file_bytes)
        if too_large is not None:
            print(f"{file.name} lästes inte in; databasen är oförändrad.\n{file.name}: {too_large}", file=sys.stderr)
            return EXIT_ERROR
    except OSError as exc:
        print(f"Filen {file} kunde inte läsas: {exc.strerror or exc}. Kontrollera sökvägen.", file=sys.stderr)
        return EXIT_ERROR
    path = _target(args.db)
    kind = LoadKind(args.kind) if args.kind else None
    with closing(_open_for_writing(path, args.wait)) as con:
        try:
            _progress_printer(len(data))(0.0, f"Läser och kontrollerar {file.name} …")
            with read_limits(COMMAND_LINE_LIMITS):  # its own process: larger files than the shared app takes
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
        except errors.Refused as refused:  # not allowed, busy, a conflict: nothing was written
            print(f"{file.name} lästes inte in; databasen är oförändrad.", file=sys.stderr)
            print(lake.redact(str(refused)), file=sys.stderr)
            return refused.exit_code
    if result.plan.rows_added or result.plan.rows_changed:
        print(f"Laddning {result.load_id}: {file.name} ({imports.KIND_NAMES[batch.kind]}) är inläst i {path.describe()}.")
    else:
        print(f"Laddning {result.load_id}: {file.name} ({imports.KIND_NAMES[batch.kind]}) innehöll inget nytt; "
              f"{path.describe()} har samma värden som förut.")
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
    path = _target(args.db)
    with closing(_open_for_writing(path, args.wait)) as con:
        print(loader.undo(con, args.load_id, user=_user(args)))  # a refusal is main's: its message, exit 1
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


class ExportRefused(errors.BadInput):
    """An export option that cannot be used; the Swedish message names the cause and the fix (exit 2)."""

    exit_code = EXIT_USAGE


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


def _build(con: duckdb.DuckDBPyConnection, district: str, job: ExportJob) -> Pack:
    """The meeting pack (or the year-end compilation) for the district."""
    from followup import pack

    if job.year_end:
        return pack.build_year_end(con, district, job.period.year)
    return pack.build_pack(con, district, job.period, public=job.public)


def run_export(args: argparse.Namespace) -> int:
    """`export`: the meeting pack as a deck, images or tables; exit 0 only when every file was written."""
    job = export_job(args)  # ExportRefused: main prints "fel: …" and exits 2
    if job.format in (ExportFormat.PNG, ExportFormat.SVG):
        from followup.export import images

        try:
            images.check_browser()  # before the database work, not after it
        except images.ImageExportError as missing:
            print(f"Inget skrevs: {missing}", file=sys.stderr)
            return EXIT_ERROR
    target = _target(args.db)
    target.require_exists()
    progress = _export_progress()
    with closing(target.open_database(read_only=True)) as con:
        if db.schema_version(con) is None:
            raise db.DatabaseError(f"Databasen {target.describe()} är tom. Skapa en databas med '{PROG} init' eller "
                                   f"'{PROG} demo'.")
        code, name = resolve_district(con, args.district, job.period.last_day)
        what = f"årssammanställningen {job.period.year}" if job.year_end else f"mötespaketet {job.period.label}"
        progress(0.0, f"Hämtar {what} för {name} ur {target.describe()} …")
        try:
            built = _build(con, code, job)
        except ValueError as error:  # build_pack's Swedish messages (an unknown place, a district not in force)
            print(error, file=sys.stderr)
            return EXIT_ERROR
    # the database is closed before the slow part: a dashboard waiting to write is not held up
    try:
        written = _export_files(built, job, progress)
    except errors.Refused as refused:  # the deck's, the images' and the export's own refusals
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


# --- copy and maintain: the shared database ---------------------------------------------------------------


class CopyRefused(errors.BadInput):
    """copy's arguments do not name one file and one shared database; the message says how (exit 2)."""

    exit_code = EXIT_USAGE


def copy_end(given: str) -> store.Store:
    """A copy argument: a database file or a shared database's URL; the word FOLLOWUP_DB means its value."""
    if given.strip() == config.DB_ENV:
        value = os.environ.get(config.DB_ENV, "").strip()
        if not value:
            raise CopyRefused(f"Miljövariabeln {config.DB_ENV} är inte satt. Sätt den, eller skriv databasen direkt "
                              "(en fil eller 'ducklake:postgres:dbname=… host=… user=…').")
        given = value
    if not given.strip():
        raise CopyRefused("Ett tomt argument är ingen databas. Ange en fil eller en delad databas.")
    return _target(given)


def run_copy(args: argparse.Namespace) -> int:
    """`copy SOURCE TARGET`: a database file into an empty shared database, or a shared database into a new file."""
    source, target = copy_end(args.source), copy_end(args.target)
    if source.shared == target.shared:  # copy moves between the two kinds by definition
        both = "båda är delade databaser" if source.shared else "båda är filer"
        raise CopyRefused(
            f"copy flyttar mellan en databasfil och en delad databas, men {both}. Ange en fil och en "
            f"'ducklake:postgres:…'-adress, t.ex. '{PROG} copy data/followup.duckdb FOLLOWUP_DB' eller "
            f"'{PROG} copy FOLLOWUP_DB kopia.duckdb'."
        )
    print(f"Kopierar {source.describe()} till {target.describe()} …", flush=True)
    if target.shared:
        counts = target.copy_in(source)
    else:
        counts = source.copy_out(target)
    _print_copied(counts, f"från {source.describe()} till {target.describe()}")
    if target.shared:
        print(f"Nästa steg: sätt FOLLOWUP_DB='{lake.redact(target.key)}' (lösenordet i PGPASSWORD eller ~/.pgpass) "
              f"för dashboarden och kommandoraden, och starta dashboarden. Filen {source.describe()} är orörd; "
              "spara den som säkerhetskopia.")
    else:
        print(f"Den delade databasen är oförändrad. Nästa steg: använd filen med FOLLOWUP_DB={target.describe()} "
              f"eller --db {target.describe()}, t.ex. '{PROG} info --db {target.describe()}'.")
    return EXIT_OK


def _print_copied(counts: Mapping[str, int], what: str) -> None:
    """The total and the tables that got rows."""
    print(f"Klart: {fmt.number(sum(counts.values()), 0)} rader i {len(counts)} tabeller kopierade {what}.")
    _print_counts({name: counts[name] for name in sorted(counts) if counts[name]}, "Tabeller med rader:")


def run_maintain(args: argparse.Namespace) -> int:
    """`maintain`: delete a shared database's orphaned files and merge its small ones; a file needs nothing."""
    if args.older_than_hours < 0:
        print(f"fel: --older-than-hours ska vara 0 eller mer, inte {args.older_than_hours:g}.", file=sys.stderr)
        return EXIT_USAGE
    target = _target(args.db)
    report = target.maintain(timedelta(hours=args.older_than_hours))
    if report is None:
        print(f"{target.describe()} är en databasfil: DuckDB håller den i ordning själv, så det finns inget att underhålla "
              "(CHECKPOINT är körd). Underhållet gäller den delade databasen.")
        return EXIT_OK
    _print_maintenance(report, target.describe())
    return EXIT_OK


def _hours(age: timedelta) -> str:
    """An age in hours for messages ('24 timmar', '1 timme', '0,5 timmar')."""
    hours = age / timedelta(hours=1)
    return f"{fmt.number(hours, 0 if hours == int(hours) else 1)} {'timme' if hours == 1 else 'timmar'}"


def _megabytes(size: int) -> str:
    """A size in MB with one decimal."""
    return f"{fmt.number(size / 1_000_000, 1)} MB"


def _print_maintenance(report: maintenance.Report, where: str) -> None:
    """What a maintenance run did, in Swedish."""
    print(f"Underhåll av {where} (filer äldre än {_hours(report.older_than)} tas bort):")
    print(f"  Övergivna filer från avbrutna skrivningar borttagna: {report.orphaned.count} "
          f"({_megabytes(report.orphaned.size)})")
    if report.merged:
        before = sum(merged.files_in for merged in report.merged)
        after = sum(merged.files_out for merged in report.merged)
        tables = ", ".join(f"{m.table} {m.files_in} → {m.files_out}" for m in report.merged)
        print(f"  Små filer sammanslagna: {before} filer blev {after} ({tables})")
    else:
        print("  Små filer sammanslagna: inga (inget att slå ihop)")
    print(f"  Ersatta filer från tidigare sammanslagningar borttagna: {report.removed.count} "
          f"({_megabytes(report.removed.size)})")
    if report.merged:
        print(f"Filerna som slogs ihop nu tas bort vid en körning om tidigast {_hours(report.older_than)}, när "
              "ingen läsare längre kan använda dem.")
    print("Klart: inget behövde göras." if report.did_nothing else "Klart; inga rader har ändrats.")
