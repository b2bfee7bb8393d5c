"""Benchmark of the two storage backends (issue 8): the embedded DuckDB file next to the shared backend.

The shared backend is DuckLake with its catalogue in a throwaway local PostgreSQL cluster that this script
starts (tests/pg_support.py: initdb/pg_ctl, as `nobody` when run as root, 127.0.0.1, fsync off) and its data
as Parquet files in a temporary folder; both hold the same database (bench/citygen.py's size M by default,
build(path, "M", seed=1), or --db FILE). In order:

1. copy: the file into an empty lake (followup.transfer.copy_into_lake, one transaction, checks included), and
   each backend out into a new DuckDB file with schema.sql's keys and indexes (copy_out_of_lake; for the
   embedded column the same code copies the file into a new file). Each copy into the lake uses a new lake
   (--copy-repeat, default 1: the copy out of M takes about half a minute per backend).
2. connect: db.open_database plus the app's first query (data_version), in a new Python process (imports
   not counted: what a new replica pays, the lake's extension loading included) and again in this process;
   and the LOAD of the lake's two extensions alone (DuckDB checks their signatures on every new instance).
3. pages: bench/bench_pages.py's AppTest runs of each page (cold: caches cleared and the connection reopened;
   warm: a district not seen before; cached: the same scope again), first on the file, then on the lake;
   raw SQL is the sum of the page's recorded named queries run on a cursor. A cold run on the lake opens it
   twice (webapp.state.connection: transfer.fill_if_empty looks for tables on a connection of its own, then
   db.open_database opens the app's). A second table names the named queries that take longest on the lake
   (the queries of each page's first warm run, each timed alone on both backends).
4. load: an EST incident list (--rows, default 20,000 incidents of October 2025 at the database's places,
   about ten weeks of M's reports, every district) parsed against the catalogue (imports.catalogue + imports.parse), written with
   load.apply (on the lake: the advisory write lock, the temp id sequences, the schema's checks, the commit),
   the same file again (nothing new), and load.undo; --repeat rounds of load and undo on the same database.

Prints the machine's facts and markdown tables of medians; asserts nothing about time.
Run: .venv/bin/python bench/bench_backend.py [--size S|M|L] [--db FILE] [--repeat N] [--cold N] [--rows N]
     [--copy-repeat N] [--skip-pages]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # pg_support: the throwaway PostgreSQL cluster of the tests

import duckdb  # noqa: E402

from bench import bench_pages  # noqa: E402
from followup import access, config, db, imports, lake, queries, transfer  # noqa: E402
from followup.imports import load  # noqa: E402

BENCH_USER = access.local("bench")
TODAY = date(2025, 10, 31)  # the data's today (followup.demo.DEMO_TODAY)
LOAD_MONTH = date(2025, 10, 1)  # the EST file's incidents fall in this month, up to TODAY
FILE, LAKE = "DuckDB file", "DuckLake + PostgreSQL"
BACKENDS = (FILE, LAKE)
CONNECT_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from followup import db, queries
start = time.perf_counter()
con = db.open_database(sys.argv[2])
opened = time.perf_counter()
queries.run(con, "data_version")
print(json.dumps([opened - start, time.perf_counter() - start]))
"""
"""Run in a new process: seconds to open the database and to open it and run the app's first query."""


@dataclass
class Timings:
    """Seconds per step and backend, in the order the steps were first timed."""

    steps: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, step: str, backend: str, seconds: float) -> None:
        """Record one run of STEP on BACKEND."""
        self.steps.setdefault(step, {name: [] for name in BACKENDS})[backend].append(seconds)

    @contextmanager
    def clock(self, step: str, backend: str) -> Iterator[None]:
        """Time the block as one run of STEP on BACKEND."""
        start = time.perf_counter()
        yield
        self.add(step, backend, time.perf_counter() - start)


# --- machine and data facts ------------------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (the machine's name where that is missing)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gb() -> float:
    """Total memory in GB from /proc/meminfo (0 when unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def folder_mb(folder: Path) -> float:
    """Megabytes of the files under FOLDER."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def postgres_facts(conninfo: str) -> tuple[str, float]:
    """PostgreSQL's version and the size of the catalogue database in MB."""
    import psycopg

    with psycopg.connect(conninfo) as session:
        version = session.execute("show server_version").fetchone()[0]
        size = session.execute("select pg_database_size(current_database())").fetchone()[0]
    return version, size / 1e6


def ducklake_version(con: duckdb.DuckDBPyConnection) -> str:
    """The loaded ducklake extension's version."""
    row = con.execute(
        "select extension_version from duckdb_extensions() where extension_name = 'ducklake'").fetchone()
    return row[0] if row else "?"


# --- the database and the lake ---------------------------------------------------------------------------------


@contextmanager
def postgres(folder: Path) -> Iterator[Any]:
    """A running throwaway PostgreSQL cluster under FOLDER (tests/pg_support.py); stopped afterwards."""
    import pytest
    from pg_support import running_cluster  # type: ignore[import-not-found]

    base = folder / "postgres"
    base.mkdir()
    base.chmod(0o755)  # the server runs as `nobody` under root and must reach its folders
    folder.chmod(0o755)
    try:
        with running_cluster(base) as cluster:
            yield cluster
    except pytest.skip.Exception as reason:  # pg_support skips (outside CI) when PostgreSQL cannot run
        raise SystemExit(f"PostgreSQL kan inte startas här: {reason}") from None


def new_lake(cluster: Any, name: str, data_root: Path) -> tuple[str, Path]:
    """A new, empty lake: database NAME in CLUSTER and a data folder under DATA_ROOT; its URL and folder."""
    url, data_path = cluster.lake_url(name, data_root)
    lake.create(url, data_path)
    return url, data_path


def literal(text: str) -> str:
    """An SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def copy_in(url: str, source: Path) -> float:
    """Seconds of copy_into_lake from the file SOURCE into the empty lake at URL (the connection not counted)."""
    with closing(db.connect(url)) as con:
        name = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach {literal(str(source))} as bench_source (read_only)")
        start = time.perf_counter()
        transfer.copy_into_lake(con, "bench_source", name)
        return time.perf_counter() - start


def copy_out(target: str, out: Path) -> float:
    """Seconds of copy_out_of_lake from TARGET (a file or a lake) into the new DuckDB file OUT."""
    with closing(db.connect(target)) as con:
        name = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach {literal(str(out))} as bench_out")
        start = time.perf_counter()
        transfer.copy_out_of_lake(con, name, "bench_out")
        seconds = time.perf_counter() - start
        con.execute("detach bench_out")
    return seconds


def bench_copies(timings: Timings, cluster: Any, path: Path, folder: Path, repeat: int) -> str:
    """Copy the file into new lakes and each backend out into new files; return the URL of the first lake."""
    urls = []
    for number in range(repeat):
        url, _ = new_lake(cluster, f"lake_{number}", folder / "lake-data")
        timings.add("copy the database into an empty lake (copy_into_lake)", LAKE, copy_in(url, path))
        urls.append(url)
    out = folder / "out.duckdb"
    for _ in range(repeat):
        for backend, target in ((FILE, str(path)), (LAKE, urls[0])):
            timings.add("copy out into a new DuckDB file (copy_out_of_lake)", backend, copy_out(target, out))
            out.unlink()
    for number in range(1, repeat):  # the first lake stays for the other steps
        cluster.drop_database(f"lake_{number}")
        shutil.rmtree(folder / "lake-data" / f"lake_{number}")
    return urls[0]


# --- connecting ------------------------------------------------------------------------------------------------


def connect_in_new_process(target: str) -> tuple[float, float]:
    """Seconds to open TARGET and to open it and run data_version, in a new Python process (imports not counted)."""
    result = subprocess.run([sys.executable, "-c", CONNECT_SCRIPT, str(ROOT), target],
                            capture_output=True, text=True, check=True)
    opened, first = json.loads(result.stdout.strip().splitlines()[-1])
    return opened, first


def extension_load() -> float:
    """Seconds to LOAD the lake's two extensions from their pip packages' files into a new DuckDB instance."""
    with closing(duckdb.connect(config={"autoinstall_known_extensions": False,
                                        "autoload_known_extensions": False})) as con:
        start = time.perf_counter()
        for name in lake.EXTENSIONS:
            con.execute(f"load {literal(str(lake.extension_file(name)))}")
        return time.perf_counter() - start


def bench_connect(timings: Timings, targets: dict[str, str], repeat: int) -> None:
    """Open each backend plus its first query, in new processes and again in this one."""
    for _ in range(repeat):
        timings.add("of which: load the lake's two extensions (a new DuckDB instance)", LAKE, extension_load())
    for backend, target in targets.items():
        for _ in range(repeat):
            opened, first = connect_in_new_process(target)
            timings.add("open (db.open_database), new process", backend, opened)
            timings.add("open + first query (data_version), new process", backend, first)
        for _ in range(repeat):
            start = time.perf_counter()
            with closing(db.open_database(target)) as con:
                timings.add("open, again in the same process", backend, time.perf_counter() - start)
                queries.run(con, "data_version")
                timings.add("open + first query, again in the same process", backend, time.perf_counter() - start)


# --- pages -----------------------------------------------------------------------------------------------------


def bench_backend_pages(target: str, repeat: int, cold: int) -> dict[str, bench_pages.PageResult]:
    """bench_pages' cold, warm and cached runs of every page with FOLLOWUP_DB=TARGET."""
    os.environ[config.DB_ENV] = target
    bench_pages.clear_caches()
    for page in bench_pages.PAGES:  # untimed: first-use costs of the modules (and of the lake's extensions)
        bench_pages.run_page(page, bench_pages.DISTRICT_NAME)
    results = {page.label: bench_pages.bench_page(page, repeat, cold) for page in bench_pages.PAGES}
    bench_pages.clear_caches()  # closes the app's connection
    return results


def raw_times(target: str, results: dict[str, bench_pages.PageResult], repeat: int) -> None:
    """Each page's recorded named queries run on a cursor of TARGET, REPEAT times after one untimed run."""
    with closing(db.open_database(target)) as con:
        for result in results.values():
            bench_pages.raw_time(con, result.recorded)
            result.raw = [bench_pages.raw_time(con, result.recorded) for _ in range(repeat)]


def query_times(target: str, recorded: list[tuple[str, dict[str, Any]]], repeat: int) -> dict[str, float]:
    """Per named query: the sum over its recorded calls of each call's median seconds on TARGET."""
    totals: dict[str, float] = {}
    with closing(db.open_database(target)) as con:
        for name, params in recorded:
            bench_pages.raw_time(con, [(name, params)])  # untimed: buffers as warm as the page's
            seconds = statistics.median(bench_pages.raw_time(con, [(name, params)]) for _ in range(repeat))
            totals[name] = totals.get(name, 0.0) + seconds
    return totals


# --- loading ---------------------------------------------------------------------------------------------------


def est_file(con: duckdb.DuckDBPyConnection, rows: int) -> bytes:
    """An EST incident list of ROWS new incidents (LOAD_MONTH up to TODAY) at the database's current places."""
    places = [row[0] for row in con.execute(
        "select p.name from place p join district d on d.code = p.district "
        "where d.valid_to is null and d.kind = 'stadsdelsomrade' order by p.code").fetchall()]
    categories = [row[0] for row in con.execute("select name from event_category order by code").fetchall()]
    reporters = ("Stadsdelsförvaltningen", "Polisen", "Fastighetsägare", "SL/Trafikförvaltningen", "Nattvandrare")
    minutes = int((datetime.combine(TODAY, datetime.min.time()) - datetime.combine(LOAD_MONTH, datetime.min.time()))
                  .total_seconds() // 60) + 24 * 60
    lines = ["Datum;Tid;Plats;Kategori;Rapportör;Beskrivning"]
    for number in range(rows):
        stamp = datetime.combine(LOAD_MONTH, datetime.min.time()) + timedelta(minutes=(number * 7919) % minutes)
        lines.append(f"{stamp:%Y-%m-%d};{stamp:%H:%M};{places[number * 31 % len(places)]};"
                     f"{categories[number * 7 % len(categories)]};{reporters[number % len(reporters)]};"
                     f"Bänkrapport {number}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def bench_loads(timings: Timings, targets: dict[str, str], rows: int, repeat: int) -> int:
    """Parse, apply, apply again and undo the EST file on each backend, REPEAT rounds; return its size in bytes."""
    data = b""
    for backend, target in targets.items():
        with closing(db.open_database(target)) as con:
            data = data or est_file(con, rows)
            for _ in range(repeat):
                with timings.clock("read and check the file (imports.catalogue + parse)", backend):
                    batch = imports.parse(data, "est-oktober.csv", imports.catalogue(con, TODAY))
                if not batch.ok:
                    raise SystemExit(imports.problems_text(batch.problems[:5]))
                with timings.clock(f"write {rows:,} incidents (load.apply)", backend):
                    result = load.apply(con, batch, user=BENCH_USER)
                if result.plan.rows_added != rows:
                    raise SystemExit(f"{backend}: {result.plan.rows_added} incidents added, expected {rows}")
                with timings.clock("the same file again: parse + apply (nothing new)", backend):
                    load.apply(con, imports.parse(data, "est-oktober.csv", imports.catalogue(con, TODAY)),
                               user=BENCH_USER)
                with timings.clock("undo the load (load.undo)", backend):
                    load.undo(con, result.load_id, user=BENCH_USER)
    return len(data)


# --- output ----------------------------------------------------------------------------------------------------


def median_ms(times: list[float]) -> str:
    """The median in milliseconds, or '–'."""
    return f"{statistics.median(times) * 1000:,.0f}" if times else "–"


def spread_ms(times: list[float]) -> str:
    """Median (min–max) in milliseconds, or '–'."""
    if not times:
        return "–"
    return f"{median_ms(times)} ({min(times) * 1000:,.0f}–{max(times) * 1000:,.0f})"


def ratio(top: list[float], bottom: list[float]) -> str:
    """median(top) / median(bottom), or '–'."""
    return bench_pages.ratio(top, bottom)


def print_facts(size: str, counts: dict[str, int], file_mb: float, lake_mb: float, catalogue_mb: float,
                pg_version: str, lake_version: str, repeat: int, cold: int, load_before: float) -> None:
    """The machine, the software and the data."""
    after = os.getloadavg()[0]
    print(f"\n### Storage backends at size {size}: {counts['event']:,} events, {counts['observation']:,} "
          f"observations, {counts['place']} places")
    print(f"{cpu_model()}, {os.cpu_count()} CPUs, {ram_gb():.0f} GB RAM, {platform.system()} {platform.release()}; "
          f"load average (1 min) {load_before:.1f} before the run, {after:.1f} after (other processes included); "
          f"{date.today()}")
    print(f"Python {platform.python_version()}, duckdb {duckdb.__version__}, ducklake {lake_version}, "
          f"PostgreSQL {pg_version} (local, 127.0.0.1, fsync off)")
    print(f"DuckDB file {file_mb:,.0f} MB; lake: Parquet {lake_mb:,.0f} MB in a local folder + catalogue "
          f"{catalogue_mb:,.0f} MB in PostgreSQL. Median (min–max) ms over {repeat} runs (cold page runs: {cold}).")


def print_pages(files: dict[str, bench_pages.PageResult], lakes: dict[str, bench_pages.PageResult]) -> None:
    """The pages on both backends side by side (medians in ms)."""
    print("\n| page | cold file | cold lake | warm file | warm lake | cached file | cached lake | raw SQL file "
          "| raw SQL lake | warm lake/file |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, f in files.items():
        k = lakes[label]
        print(f"| {label} | {median_ms(f.cold)} | {median_ms(k.cold)} | {median_ms(f.warm)} | {median_ms(k.warm)} | "
              f"{median_ms(f.cached)} | {median_ms(k.cached)} | {median_ms(f.raw)} | {median_ms(k.raw)} | "
              f"{ratio(k.warm, f.warm)} |")
    for backend, results in ((FILE, files), (LAKE, lakes)):
        for label, r in results.items():
            if r.errors:
                print(f"- {backend}, {label}: {len(r.errors)} exceptions in page runs, first: {r.errors[0]}")


def print_queries(files: dict[str, float], lakes: dict[str, float], calls: dict[str, int], top: int) -> None:
    """The named queries that take longest on the lake, with their time on the file."""
    print(f"\nThe {top} named queries that take longest on the lake (each page's first warm run; the sum over a "
          "query's calls of each call's median ms):\n")
    print("| named query | calls | file ms | lake ms | lake/file |\n|---|---:|---:|---:|---:|")
    for name in sorted(lakes, key=lakes.get, reverse=True)[:top]:
        print(f"| {name} | {calls[name]} | {files[name] * 1000:,.0f} | {lakes[name] * 1000:,.0f} | "
              f"{ratio([lakes[name]], [files[name]])} |")
    print(f"| all {len(lakes)} named queries | {sum(calls.values())} | {sum(files.values()) * 1000:,.0f} | "
          f"{sum(lakes.values()) * 1000:,.0f} | {ratio([sum(lakes.values())], [sum(files.values())])} |")


def print_steps(timings: Timings, title: str, steps: list[str]) -> None:
    """Rows of timed steps, both backends side by side."""
    print(f"\n| {title} | {FILE} | {LAKE} | lake/file |\n|---|---:|---:|---:|")
    for step in steps:
        runs = timings.steps[step]
        print(f"| {step} | {spread_ms(runs[FILE])} | {spread_ms(runs[LAKE])} | {ratio(runs[LAKE], runs[FILE])} |")


# --- main ------------------------------------------------------------------------------------------------------


def prepare_database(size: str, given: Path | None, path: Path) -> None:
    """The benchmark's database file: a copy of GIVEN, or built at SIZE (bench_pages.build_database)."""
    if given:
        shutil.copyfile(given, path)
    else:
        bench_pages.build_database(size, path)


def run(args: argparse.Namespace, folder: Path) -> None:
    """Every step of the benchmark in FOLDER, then the tables."""
    load_before = os.getloadavg()[0]
    path = folder / "bench.duckdb"
    prepare_database(args.size, args.db, path)
    with closing(db.open_database(path, read_only=True)) as con:
        counts = bench_pages.row_counts(con)
    file_mb = path.stat().st_size / 1e6
    timings = Timings()
    with postgres(folder) as cluster:
        url = bench_copies(timings, cluster, path, folder, args.copy_repeat)
        targets = {FILE: str(path), LAKE: url}
        lake_mb = folder_mb(folder / "lake-data" / "lake_0")
        pg_version, catalogue_mb = postgres_facts(cluster.conninfo("lake_0"))
        with closing(db.connect(url)) as con:
            lake_version = ducklake_version(con)
        bench_connect(timings, targets, args.repeat)
        pages: dict[str, dict[str, bench_pages.PageResult]] = {}
        named: dict[str, dict[str, float]] = {}
        recorded: list[tuple[str, dict[str, Any]]] = []
        if not args.skip_pages:
            for backend, target in targets.items():
                pages[backend] = bench_backend_pages(target, args.repeat, args.cold)
                raw_times(target, pages[backend], args.repeat)
            recorded = [call for result in pages[FILE].values() for call in result.recorded]
            named = {backend: query_times(target, recorded, args.repeat) for backend, target in targets.items()}
        size = bench_loads(timings, targets, args.rows, args.repeat)

    print_facts(args.size if not args.db else args.db.name, counts, file_mb, lake_mb, catalogue_mb, pg_version,
                lake_version, args.repeat, args.cold, load_before)
    if pages:
        print_pages(pages[FILE], pages[LAKE])
        calls: dict[str, int] = {}
        for name, _ in recorded:
            calls[name] = calls.get(name, 0) + 1
        print_queries(named[FILE], named[LAKE], calls, args.top)
    steps = list(timings.steps)
    print_steps(timings, "connect", [s for s in steps if s.startswith("open")]
                + [s for s in steps if s.startswith("of which")])
    print(f"\nLoad: an EST list of {args.rows:,} new incidents (CSV, {size / 1e6:.1f} MB), {args.repeat} rounds of "
          "load and undo on the same database; apply and undo on the lake include the write lock, the id "
          "sequences, the schema's checks and the commit.")
    print_steps(timings, "load", [s for s in steps if not s.startswith(("open", "of which", "copy"))])
    print_steps(timings, "copy", [s for s in steps if s.startswith("copy")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("S", "M", "L"), default="M")
    parser.add_argument("--db", type=Path, help="use this database file (copied) instead of building one")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (warm and cached page runs too)")
    parser.add_argument("--cold", type=int, default=1, help="cold runs per page and backend")
    parser.add_argument("--rows", type=int, default=20_000, help="incidents in the EST file that is loaded")
    parser.add_argument("--copy-repeat", type=int, default=1, help="copies into a new lake and out of each backend")
    parser.add_argument("--top", type=int, default=12, help="named queries listed in the slowest-on-the-lake table")
    parser.add_argument("--skip-pages", action="store_true", help="leave out the pages (a quick run)")
    args = parser.parse_args()
    if args.repeat > len(bench_pages.WARM_DISTRICTS):
        parser.error(f"--repeat is at most {len(bench_pages.WARM_DISTRICTS)} (one unseen district per warm run)")

    warnings.filterwarnings("ignore")
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    queries.run = bench_pages._recording_run  # records each page's named queries (see bench_pages)
    with tempfile.TemporaryDirectory(prefix="bench-backend-") as folder:
        run(args, Path(folder))


if __name__ == "__main__":
    main()
