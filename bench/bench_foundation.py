"""Benchmark of the foundation: demo database build, first open, and the Översikt query per district.

Prints a table of medians and spreads over repeated runs; asserts nothing about time.
Run: .venv/bin/python bench/bench_foundation.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from followup import db, demo, queries  # noqa: E402

CURRENT_DISTRICTS = ("hasselby-vallingby", "hagersten-alvsjo", "bromma", "jarva", "sodermalm")


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of each of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def row(label: str, times: list[float]) -> str:
    """One table row: median and min–max in milliseconds."""
    ms = [t * 1000 for t in times]
    return f"| {label} | {statistics.median(ms):,.1f} | {min(ms):,.1f}–{max(ms):,.1f} | {len(ms)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        build = timed(lambda: demo.build(path), max(2, args.repeat // 2))
        size_mb = path.stat().st_size / 1e6
        open_times = timed(lambda: db.open_database(path, read_only=True).close(), args.repeat)
        with closing(db.open_database(path, read_only=True)) as con:
            (events,) = con.execute("select count(*) from event").fetchone()
            (observations,) = con.execute("select count(*) from observation").fetchone()
            overview = {
                d: timed(lambda d=d: queries.run(con, "goal_overview", district=d), args.repeat * 4)
                for d in CURRENT_DISTRICTS
            }

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"data: demo database, {events:,} events, {observations:,} observations, {size_mb:.1f} MB\n")
    print("| step | median ms | min–max ms | runs |\n|---|---:|---:|---:|")
    print(row("demo.build (schema + reference + demo data, atomic)", build))
    print(row("open database read-only (schema check)", open_times))
    for district, times in overview.items():
        print(row(f"query goal_overview, {district}", times))


if __name__ == "__main__":
    main()
