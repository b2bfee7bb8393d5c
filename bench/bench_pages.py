"""Benchmark of the pages (issue 6): each page's script cold, warm and cached, its raw SQL, a naive peer, exports, RSS.

For one database (FOLLOWUP_DB points at a copy in a temporary folder) and one district (Hässelby-Vällingby):

1. Each page's full script run with Streamlit's AppTest, as a user's rerun:
   - cold: st.cache_data and st.cache_resource cleared (the connection is reopened), first visit;
   - warm: a district not seen before (?omrade=, one new district per repeat, caches kept);
   - cached: the same scope again.
   Every run is a new AppTest session with the page's query parameters (the app's scope lives in the URL);
   only `run()` is timed. Every page is run once untimed before measuring, so imports are not counted.
2. The raw DuckDB time of the same SQL: followup.queries.run is wrapped to record the named queries and
   parameters of the first warm run; each is then run on a fresh cursor with .df() (as queries.run does),
   summed per page. page/raw is the warm median over that sum. SQL that does not go through queries.run
   (core reads on webapp.state.on_cursor, e.g. db.info) is not recorded.
3. A naive peer, bench/peer_app.py: the common Streamlit pattern, a full page as well. An @st.cache_data
   function loads the tables whole into pandas (`con.table(name).df()`; a cache hit unpickles a fresh copy),
   and every rerun filters and aggregates them in Python and draws comparable output: Översikt one st.metric
   per indicator (latest value, change since a year earlier); Prioriterat område one plotly.express line
   chart per indicator of priority area 2; Platser a bar chart and a table; Trender one line chart;
   Handlingsplan, Styrgruppen and Data their tables; Mötesläge Översikt's metrics plus area 2's charts.
   No status rules (our pages assess every series), nothing cached but the table load. It is timed with
   AppTest like our pages (?sida=, ?omrade=): peer cold with the caches cleared (the table load included),
   peer warm in a district not seen before (Mötesläge's too: the peer has no period). peer/ours is the
   peer's warm median over our page's warm median. The table load alone (measured once outside Streamlit)
   and the frames' memory (memory_usage(deep=True)) are printed below the table.
4. The PowerPoint deck (followup.export.deck.build_deck on followup.pack.build_pack, Hässelby-Vällingby,
   2025-T2) and a batch of 10 PNGs (followup.export.images.render_images, the pack's first 10 figures);
   the first batch includes the browser start.
6. Peak RSS of this process (resource.getrusage) after our pages and the exports, before the peer ran (the
   peer's whole tables would dominate it), and again after the peer; with --server-rss the peak RSS of a real
   `streamlit run` process after a headless Chromium has visited every page once.

Item 5 of the issue (1 million CSV rows) is bench/bench_load.py. Prints a markdown table; asserts nothing
about time. Sizes M and L come from bench/citygen.py (build(path, size, seed=1)); --db uses a given file.
Run: .venv/bin/python bench/bench_pages.py [--size S|M|L] [--db PATH] [--repeat N] [--cold N] [--server-rss]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import logging
import os
import platform
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from bench import peer_app  # noqa: E402
from followup import config, db, queries  # noqa: E402

DISTRICT = "hasselby-vallingby"
DISTRICT_NAME = "Hässelby-Vällingby"
WARM_DISTRICTS = ("Hägersten-Älvsjö", "Bromma", "Farsta", "Järva", "Södermalm", "Kungsholmen", "Skarpnäck",
                  "Enskede-Årsta-Vantör", "Norra innerstaden", "Skärholmen")
"""Districts visited for the warm runs, one new one per repeat (never Hässelby-Vällingby, the cold scope).
In the demo (size S) only the first two hold events, places and activities besides Hässelby-Vällingby."""
WARM_PERIODS = ("2025-T1", "2024-T3", "2024-T2", "2024-T1", "2023-T3", "2023-T2", "2023-T1", "2025-Q3", "2025-Q2",
                "2025-Q1")
"""Mötesläge's warm runs: Hässelby-Vällingby in a meeting period not seen before (?period=)."""
PERIOD = "2025-T2"
AREA_2 = "2. Otrygga och brottsutsatta platser"
TREND_INDICATOR_CATEGORY = "otrygg-plats"
RUN_TIMEOUT = 600.0  # seconds before AppTest gives up on one run (a ceiling, not an assertion)


@dataclass(frozen=True)
class Page:
    """A page of the app as the benchmark opens it."""

    label: str
    script: str | None  # None: the default page (Översikt)
    params: dict[str, str] = field(default_factory=dict)
    warm_by_period: bool = False  # warm runs change ?period= instead of the district

    def warm_scope(self, number: int) -> tuple[str, dict[str, str]]:
        """The district and extra query parameters of the number-th warm run (a scope not seen before)."""
        if self.warm_by_period:
            return DISTRICT_NAME, {"period": WARM_PERIODS[number % len(WARM_PERIODS)]}
        return WARM_DISTRICTS[number % len(WARM_DISTRICTS)], {}


PAGES = (
    Page("Översikt", None),
    Page("Prioriterat område (område 2)", "views/omrade.py", {"prio": AREA_2}),
    Page("Platser", "views/platser.py"),
    Page("Trender", "views/trender.py"),
    Page("Handlingsplan", "views/handlingsplan.py"),
    Page("Styrgruppen", "views/styrgrupp.py"),
    Page("Mötesläge (bild 4)", "views/mote.py", {"bild": "4"}, warm_by_period=True),
    Page("Data", "views/data.py"),
)


@dataclass
class PageResult:
    """The timings of one page (seconds)."""

    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    cached: list[float] = field(default_factory=list)
    recorded: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    peer_cold: list[float] = field(default_factory=list)
    peer_warm: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- recording the named queries ----------------------------------------------------------------------------

_RECORD: list[tuple[str, dict[str, Any]]] | None = None
_ORIGINAL_RUN = queries.run


def _recording_run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """queries.run, noting the name and parameters while a recording is on."""
    if _RECORD is not None:
        _RECORD.append((name, dict(params)))
    return _ORIGINAL_RUN(con, name, **params)


# --- page runs ----------------------------------------------------------------------------------------------


def clear_caches() -> None:
    """Empty Streamlit's data and resource caches (the cached connection is closed)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


_COMPONENTS: list[Any] = []
"""The one registry of custom components every AppTest shares, as a server builds it once at start."""


def run_page(page: Page, district_name: str, extra: dict[str, str] | None = None) -> tuple[float, list[str]]:
    """One full script run of PAGE for a district in a new AppTest session: (seconds, exception texts)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=RUN_TIMEOUT)
    # AppTest scans every installed package's metadata for components on a session's first run (0.4 s
    # here); a server does that once at start, so the sessions share the first one's registry
    if _COMPONENTS:
        at._bidi_component_manager = _COMPONENTS[0]
    at.query_params["omrade"] = district_name
    for key, value in {**page.params, **(extra or {})}.items():
        at.query_params[key] = value
    if page.script:
        at.switch_page(page.script)
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if not _COMPONENTS and at._bidi_component_manager is not None:
        _COMPONENTS.append(at._bidi_component_manager)
    return seconds, [str(e.value)[:200] for e in at.exception]


def bench_page(page: Page, repeat: int, cold_repeat: int) -> PageResult:
    """Cold, warm and cached runs of a page; the named queries of the first warm run are recorded."""
    global _RECORD
    result = PageResult()

    def timed(district_name: str, into: list[float], extra: dict[str, str] | None = None) -> None:
        seconds, errors = run_page(page, district_name, extra)
        into.append(seconds)
        result.errors.extend(errors)

    for _ in range(cold_repeat):
        clear_caches()
        timed(DISTRICT_NAME, result.cold)
    for number in range(repeat):
        _RECORD = result.recorded if number == 0 else None
        try:
            district_name, extra = page.warm_scope(number)
            timed(district_name, result.warm, extra)
        finally:
            _RECORD = None
    for _ in range(repeat):
        timed(DISTRICT_NAME, result.cached)
    return result


def raw_time(con: duckdb.DuckDBPyConnection, recorded: list[tuple[str, dict[str, Any]]]) -> float:
    """Seconds to run the recorded named queries' SQL, each on a fresh cursor with .df()."""
    start = time.perf_counter()
    for name, params in recorded:
        cursor = con.cursor()
        try:
            sql = queries.load(name).sql
            (cursor.execute(sql, params) if params else cursor.execute(sql)).df()
        finally:
            cursor.close()
    return time.perf_counter() - start


# --- the naive peer ----------------------------------------------------------------------------------------

PEER_SCRIPT = ROOT / "bench" / "peer_app.py"


def peer_page(page: Page) -> str:
    """The peer's ?sida= for a page: its label without the parenthesis."""
    return page.label.split(" (")[0]


def run_peer(page: Page, district_name: str) -> tuple[float, list[str]]:
    """One full run of the peer script for PAGE and a district in a new AppTest session: (seconds, exceptions)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PEER_SCRIPT), default_timeout=RUN_TIMEOUT)
    if _COMPONENTS:
        at._bidi_component_manager = _COMPONENTS[0]
    at.query_params["sida"] = peer_page(page)
    at.query_params["omrade"] = district_name
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    problems = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
    return seconds, [f"peer: {text}" for text in problems]


def bench_peer(page: Page, result: PageResult, repeat: int, cold_repeat: int) -> None:
    """The peer's cold runs (caches cleared, so the tables are loaded) and warm runs (an unseen district)."""
    for _ in range(cold_repeat):
        clear_caches()
        seconds, errors = run_peer(page, DISTRICT_NAME)
        result.peer_cold.append(seconds)
        result.errors.extend(errors)
    for number in range(repeat):  # the peer has no period: every warm run is a new district, Mötesläge's too
        seconds, errors = run_peer(page, WARM_DISTRICTS[number % len(WARM_DISTRICTS)])
        result.peer_warm.append(seconds)
        result.errors.extend(errors)


@dataclass(frozen=True)
class PeerLoad:
    """The peer's table load measured once outside Streamlit, and the process's peak RSS after the peer ran."""

    seconds: float
    megabytes: float  # the frames' memory_usage(deep=True)
    peak_mb: float


# --- exports -----------------------------------------------------------------------------------------------


def bench_exports(con: duckdb.DuckDBPyConnection, repeat: int) -> dict[str, list[float]]:
    """Seconds of build_pack, build_deck and batches of 10 PNGs (the first batch starts the browser)."""
    from followup import pack
    from followup.export import deck, images
    from followup.periods import parse_period

    out: dict[str, list[float]] = {}

    def clock(label: str, action: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = action()
        out.setdefault(label, []).append(time.perf_counter() - start)
        return value

    period = parse_period(PERIOD)
    built = None
    for _ in range(repeat):
        built = clock("build_pack (Hässelby-Vällingby, 2025-T2)", lambda: pack.build_pack(con, DISTRICT, period))
        clock("build_deck (.pptx of the pack)", lambda: deck.build_deck(built))
    assert built is not None
    figures = clock("10 figures (pack_figures)", lambda: images.pack_figures(built)[:10])
    try:
        images.check_browser()
    except images.ImageExportError as error:
        out["10 PNGs: " + str(error)[:60]] = []
        return out
    clock("10 PNGs, first batch (browser start included)", lambda: images.render_images(figures, "png"))
    for _ in range(max(1, repeat - 1)):
        clock("10 PNGs, browser running", lambda: images.render_images(figures, "png"))
    images.stop_server()
    return out


# --- the server's RSS --------------------------------------------------------------------------------------


def _vm_hwm(pid: int) -> int:
    """Peak resident set size of a process in kB (VmHWM), 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure_server_rss(db_path: Path) -> str:
    """Peak RSS (MB) of a real `streamlit run` after a headless Chromium opened every page once."""
    import pytest
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from e2e_support import CHROMIUM, CHROMIUM_ARGS, open_page, streamlit_process  # type: ignore[import-not-found]

    slugs = ["", "omrade", "platser", "trender", "handlingsplan", "styrgrupp", "mote", "data", "status_help"]
    try:
        with streamlit_process(db_path, db_path.with_suffix(".server.log")) as (url, server):
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    for slug in slugs:
                        open_page(browser, f"{url}/{slug}?omrade={DISTRICT_NAME}").close()
                finally:
                    browser.close()
            return f"{_vm_hwm(server.pid) / 1024:,.0f} MB (VmHWM after {len(slugs)} pages, one session each)"
    except pytest.fail.Exception as failure:  # streamlit_process reports a server that did not start so
        return f"the server did not start: {str(failure).splitlines()[0]}"


# --- the database ------------------------------------------------------------------------------------------


def build_database(size: str, path: Path) -> None:
    """Size S: the demo database; M and L: bench/citygen.py's city-scale data."""
    if size == "S":
        from followup import demo

        demo.build(path)
        return
    citygen = importlib.import_module("bench.citygen")
    citygen.build(path, size, seed=1)


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the big tables and the catalogue."""
    tables = ("event", "observation", "place", "district", "indicator", "activity", "comment")
    return {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in tables}  # noqa: S608


# --- output ------------------------------------------------------------------------------------------------


def ms(times: list[float]) -> str:
    """Median (min–max) in milliseconds, or '–'."""
    if not times:
        return "–"
    values = [t * 1000 for t in times]
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def ratio(top: list[float], bottom: list[float]) -> str:
    """median(top) / median(bottom) with one decimal, or '–'."""
    if not top or not bottom or statistics.median(bottom) == 0:
        return "–"
    value = statistics.median(top) / statistics.median(bottom)
    return f"{value:,.1f}×" if value >= 1 else f"{value:.2f}×"


def print_table(size: str, counts: dict[str, int], megabytes: float, repeat: int, cold: int,
                results: dict[str, PageResult], exports: dict[str, list[float]], peak_mb: float,
                peer: PeerLoad, server: str) -> None:
    """The markdown table of one size."""
    import streamlit

    print(f"\n### Size {size}: {counts['event']:,} events, {counts['observation']:,} observations, "
          f"{counts['place']} places, {counts['district']} districts, {counts['indicator']} indicators, "
          f"{counts['activity']} activities; {megabytes:,.0f} MB")
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, duckdb "
          f"{duckdb.__version__}, streamlit {streamlit.__version__}, pandas {pd.__version__}, {date.today()}; "
          f"district {DISTRICT_NAME}; median (min–max) ms over {repeat} runs (cold: {cold})\n")
    print("| page | cold | warm | cached | raw SQL (queries) | page/raw | peer cold | peer warm | peer/ours |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in results.items():
        print(f"| {label} | {ms(r.cold)} | {ms(r.warm)} | {ms(r.cached)} | {ms(r.raw)} ({len(r.recorded)}) | "
              f"{ratio(r.warm, r.raw)} | {ms(r.peer_cold)} | {ms(r.peer_warm)} | {ratio(r.peer_warm, r.warm)} |")
    print(f"\nNaive peer (bench/peer_app.py): its {len(peer_app.PEER_TABLES)} tables loaded whole once in "
          f"{peer.seconds * 1000:,.0f} ms, {peer.megabytes:,.0f} MB as pandas frames (memory_usage(deep=True)); "
          "st.cache_data keeps them pickled besides the copy each rerun unpickles. peer/ours: warm medians.")
    print("\n| export | median ms | min–max ms | runs |\n|---|---:|---:|---:|")
    for label, times in exports.items():
        if times:
            values = [t * 1000 for t in times]
            print(f"| {label} | {statistics.median(values):,.0f} | {min(values):,.0f}–{max(values):,.0f} | "
                  f"{len(values)} |")
        else:
            print(f"| {label} | – | – | 0 |")
    print(f"\nPeak RSS of the bench process: {peak_mb:,.0f} MB for our pages and exports, {peer.peak_mb:,.0f} MB "
          "after the peer's runs" + (f"; `streamlit run`: {server}" if server else ""))
    for label, r in results.items():
        if r.errors:
            print(f"- {label}: {len(r.errors)} exceptions in page runs, first: {r.errors[0]}")


def save_json(path: Path, size: str, counts: dict[str, int], results: dict[str, PageResult],
              exports: dict[str, list[float]], peak_mb: float, server: str) -> None:
    """The medians of one size as JSON, for bench/growth.py's table across sizes."""
    def median(times: list[float]) -> float | None:
        return statistics.median(times) if times else None

    pages = {label: {"cold": median(r.cold), "warm": median(r.warm), "cached": median(r.cached),
                     "raw": median(r.raw), "peer_warm": median(r.peer_warm)} for label, r in results.items()}
    path.write_text(json.dumps({
        "size": size, "date": date.today().isoformat(), "events": counts["event"],
        "observations": counts["observation"], "pages": pages,
        "exports": {label: median(times) for label, times in exports.items()},
        "peak_mb": peak_mb, "server_rss": server,
    }, ensure_ascii=False, indent=1), encoding="utf-8")


def profile_run(page: Page, district_name: str, extra: dict[str, str], lines: int) -> str:
    """cProfile of one run of a page's script (its thread), the top functions by cumulative time."""
    profiler = cProfile.Profile()

    def start_in_thread(*_: Any) -> None:  # the script runs on AppTest's own thread, started per run
        sys.setprofile(None)
        profiler.enable()

    threading.setprofile(start_in_thread)
    try:
        run_page(page, district_name, extra)
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("S", "M", "L"), default="S")
    parser.add_argument("--db", type=Path, help="use this database file (copied) instead of building one")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3, help="cold runs per page")
    parser.add_argument("--server-rss", action="store_true", help="also measure a real `streamlit run` process")
    parser.add_argument("--json", type=Path, help="also write the medians to this file (for bench/growth.py)")
    parser.add_argument("--profile", metavar="PAGE", help="print a cProfile of a warm and a cached run of the page "
                        "whose label starts with PAGE (e.g. Mötesläge) instead of the table")
    args = parser.parse_args()
    if args.repeat > len(WARM_DISTRICTS):
        parser.error(f"--repeat is at most {len(WARM_DISTRICTS)} (one unseen district per warm run)")

    warnings.filterwarnings("ignore")
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    queries.run = _recording_run  # every page query goes through it (webapp.state, followup.pack)

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        path = Path(folder) / "bench.duckdb"
        if args.db:
            shutil.copyfile(args.db, path)
        else:
            build_database(args.size, path)
        os.environ[config.DB_ENV] = str(path)
        megabytes = path.stat().st_size / 1e6

        for page in PAGES:  # untimed: imports and first-use costs of every module
            run_page(page, DISTRICT_NAME)
        if args.profile:
            chosen = next(p for p in PAGES if p.label.startswith(args.profile))
            district, extra = chosen.warm_scope(0)
            print("## warm run (a scope not seen before)\n" + profile_run(chosen, district, extra, 45))
            print("## cached run (the same scope again)\n" + profile_run(chosen, district, extra, 45))
            return
        results = {page.label: bench_page(page, args.repeat, args.cold) for page in PAGES}
        clear_caches()  # closes the app's connection, so the file can be opened read-only

        with closing(db.open_database(path, read_only=True)) as con:
            counts = row_counts(con)
            for r in results.values():
                raw_time(con, r.recorded)  # once untimed: DuckDB's buffer cache as warm as the page's
                r.raw = [raw_time(con, r.recorded) for _ in range(args.repeat)]
            exports = bench_exports(con, max(2, args.repeat // 2 + 1))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the peer held its tables

        for page in PAGES:  # untimed, as for our pages: imports (plotly.express) and first-use costs
            run_peer(page, DISTRICT_NAME)
        for page in PAGES:
            bench_peer(page, results[page.label], args.repeat, args.cold)
        clear_caches()  # closes the peer's connection
        with closing(db.connect(path)) as con:
            start = time.perf_counter()
            tables = peer_app.read_tables(con)
            peer = PeerLoad(time.perf_counter() - start, peer_app.tables_megabytes(tables),
                            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            del tables
        server = measure_server_rss(path) if args.server_rss else ""

    print_table(args.size, counts, megabytes, args.repeat, args.cold, results, exports, peak_mb, peer, server)
    if args.json:
        save_json(args.json, args.size, counts, results, exports, peak_mb, server)


if __name__ == "__main__":
    main()
