"""Benchmark of loading: a 1-million-row CSV of indicator values, parsed, checked, written and undone.

The catalogue of the reference data is too small for a million distinct values, so the bench database
gets 200 synthetic places and 40 synthetic monthly indicators first (they live only in the bench file).
Prints a table of medians and spreads over repeated runs; asserts nothing about time.
Run: .venv/bin/python bench/bench_load.py [--rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from followup import access, db, imports, reference  # noqa: E402
from followup.imports import load  # noqa: E402
from followup.imports.base import COMMAND_LINE_LIMITS, read_limits  # noqa: E402

BENCH_USER = access.local("bench")

INDICATORS = 40
PLACES = 200
TODAY = date(2025, 10, 31)


def bench_database(path: Path) -> None:
    """A database with the reference data plus synthetic places and monthly indicators."""
    with closing(db.open_database(path)) as con:
        con.execute("begin transaction")
        reference.load_reference(con)
        con.execute(
            "insert into place (code, name, district, kind, lat, lon) "
            "select 'bench-place-' || i, 'Bänkplats ' || i, 'bromma', 'område', 59.34, 17.95 "
            "from range($n) t(i)", {"n": PLACES})
        con.execute(
            "insert into indicator (code, name, unit, direction, source, frequency, sensitive, aggregation, level) "
            "select 'bench-ind-' || i, 'Bänkindikator ' || i, 'antal', 'lower_is_better', 'Bänk', 'month', false, "
            "'sum', 'place' from range($n) t(i)", {"n": INDICATORS})
        con.execute("commit")


def write_csv(path: Path, rows: int) -> None:
    """ROWS distinct values (indicator × place × month), semicolon separated with decimal comma."""
    months = [f"{year}-{month:02d}" for year in range(1990, 2025) for month in range(1, 13)]
    with path.open("w", encoding="utf-8-sig") as out:
        out.write("indikator;område;plats;period;värde\n")
        written = 0
        for i in range(INDICATORS):
            for p in range(PLACES):
                for month in months:
                    out.write(f"bench-ind-{i};Bromma;bench-place-{p};{month};{(written % 97) + 0.5:.1f}".replace(".", ",")
                              + "\n")
                    written += 1
                    if written == rows:
                        return
    raise SystemExit(f"at most {INDICATORS * PLACES * len(months)} distinct rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    results: dict[str, list[float]] = {}

    def clock(label: str, start: float) -> None:
        results.setdefault(label, []).append(time.perf_counter() - start)

    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "values.csv"
        write_csv(csv, args.rows)
        data = csv.read_bytes()
        for _ in range(args.repeat):
            path = Path(folder) / "bench.duckdb"
            for stale in (path, Path(f"{path}.wal")):
                stale.unlink(missing_ok=True)
            bench_database(path)
            with closing(db.open_database(path)) as con:
                start = time.perf_counter()
                with read_limits(COMMAND_LINE_LIMITS):  # as `python -m followup load` reads it
                    batch = imports.parse(data, csv.name, imports.catalogue(con, TODAY))
                clock("read and check (parse)", start)
                assert batch.ok, imports.problems_text(batch.problems[:5])
                start = time.perf_counter()
                result = load.apply(con, batch, user=BENCH_USER)
                clock("compare and write (apply)", start)
                assert result.plan.added == args.rows
                start = time.perf_counter()
                with read_limits(COMMAND_LINE_LIMITS):
                    again = load.apply(con, imports.parse(data, csv.name, imports.catalogue(con, TODAY)), user=BENCH_USER)
                clock("same file again: parse + apply (no-op)", start)
                assert again.plan.unchanged == args.rows
                start = time.perf_counter()
                load.undo(con, result.load_id, user=BENCH_USER)
                clock("undo", start)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Load benchmark: {args.rows:,} rows, CSV {len(data) / 1e6:.0f} MB; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {date.today()}")
    print("| step | median s | min–max s | runs |")
    print("|---|---:|---:|---:|")
    for label, times in results.items():
        print(f"| {label} | {statistics.median(times):.2f} | {min(times):.2f}–{max(times):.2f} | {len(times)} |")
    total = [sum(step) for step in zip(results["read and check (parse)"], results["compare and write (apply)"])]
    print(f"| **1st load total (parse + apply)** | **{statistics.median(total):.2f}** | "
          f"{min(total):.2f}–{max(total):.2f} | {len(total)} |")
    print(f"Peak RSS of the process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
