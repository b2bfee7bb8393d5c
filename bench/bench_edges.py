"""Benchmark of the import edges (issue 16, item 5): time for many bad rows, and peak memory for the largest files.

1. bad rows: an indicator-value CSV of --rows rows (300,000 by default), every one with an unknown indicator and
   a misspelt district, parsed against the catalogue (imports.parse). Before the fix every row got a fuzzy
   'did you mean' (323 s for 300,000 rows on the attacker's machine); now only the shown ones do.
2. memory: each file below in a new Python process, loaded with imports.load_file into a fresh database; the
   figure is the process's peak RSS minus its RSS once the file's bytes are in memory (what a load costs the
   app above its own): a workbook declaring the largest sheet (A1:XFD1048576) with 5,000 rows, an EST list at
   the size limit (50 MB), an EST list of quoted cells at the row limit (300,000), a workbook at the row limit.

Prints markdown tables; asserts nothing about time or memory (tests/test_edges.py bounds the attack's workbook).
Run: .venv/bin/python bench/bench_edges.py [--rows N] [--skip-memory]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from followup import db, imports  # noqa: E402

MEMORY = r"""
import io, re, resource, sys, zipfile
from followup import access, db, imports
from followup.imports import base
case, path, target = sys.argv[1], sys.argv[2], sys.argv[3]
def est(lines):
    return ("datum;plats;kategori;rapportör;beskrivning\n" + "".join(lines)).encode()
def book(rows, header):
    import openpyxl
    wb = openpyxl.Workbook(write_only=True); ws = wb.create_sheet(); ws.append(header)
    for row in rows: ws.append(row)
    out = io.BytesIO(); wb.save(out); return out.getvalue()
if case == "dimension":
    data = book(([["anmalda-brott-omrade", "Bromma", None, f"{1900 + i // 12}-{i % 12 + 1:02d}", i] for i in range(5000)]),
                ["indikator", "område", "plats", "period", "värde"])
    source = zipfile.ZipFile(io.BytesIO(data)); out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            content = source.read(part.filename)
            if "worksheets/" in part.filename:
                content = re.sub(rb"<dimension ref=\"[^\"]*\"/>", b"<dimension ref=\"A1:XFD1048576\"/>", content)
                if b"<dimension" not in content:
                    content = content.replace(b"<sheetData>", b"<dimension ref=\"A1:XFD1048576\"/><sheetData>", 1)
            archive.writestr(part.filename, content)
    data = out.getvalue()
elif case == "est-50mb":
    data = est(f"2025-03-{1 + i % 28:02d};Bromma;Klotter;SISAB;{'x' * 150} {i}\n" for i in range(260_000))
elif case == "est-quoted-300k":
    data = est(f'2025-03-{1 + i % 28:02d};Bromma;Klotter;SISAB;"{"x" * 60}; {i}"\n' for i in range(299_000))
else:
    data = book(([f"2025-03-{1 + i % 28:02d}", "Bromma", "Klotter", "SISAB", "x" * 60 + str(i)] for i in range(299_000)),
                ["datum", "plats", "kategori", "rapportör", "beskrivning"])
assert len(data) <= base.MAX_FILE_BYTES
open(target, "wb").write(data)
"""

LOAD = r"""
import sys
from followup import access, db, imports
def status(field):  # kB; VmHWM is this process's own peak (ru_maxrss would carry the parent's across exec)
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(field + ":"))
case, path, source = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(source, "rb").read()  # the upload's bytes: the app holds them too
con = db.open_database(path)
open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from here
before = status("VmRSS")
try:
    result = f"landed {imports.load_file(con, data, case, user=access.local('bench')).plan.rows_added} rows"
except imports.LoadRefused as refused:
    result = "refused: " + refused.problems[0].message[:60]
print(len(data) / 2**20, (status("VmHWM") - before) / 1024, result)
"""


def fresh_database(folder: Path) -> Path:
    """A new database with schema and reference data."""
    path = folder / "edges.duckdb"
    subprocess.run([sys.executable, "-m", "followup", "init", "--db", str(path)], cwd=ROOT, check=True,
                   capture_output=True)
    return path


def bad_rows(path: Path, rows: int) -> None:
    """Print the time imports.parse takes for ROWS rows that each have two problems."""
    data = ("indikator;område;plats;period;värde\n"
            + "".join(f"okand-indikator-{i};Bromm;;2025-01;5\n" for i in range(rows))).encode()
    with closing(db.open_database(path)) as con:
        catalogue = imports.catalogue(con)
        start = time.perf_counter()
        problems = len(imports.parse(data, "fel.csv", catalogue).problems)
        seconds = time.perf_counter() - start
    print("| rows | problems | parse (s) |\n|---:|---:|---:|")
    print(f"| {rows:,} | {problems:,} | {seconds:.1f} |")


def memory(folder: Path) -> None:
    """Print each memory case's file size and peak RSS above the process's own."""
    print("\n| file | size (MB) | peak above own (MB) | result |\n|---|---:|---:|---|")
    for case in ("dimension", "est-50mb", "est-quoted-300k", "xlsx-300k"):
        (folder / case).mkdir()
        path, source = fresh_database(folder / case), folder / case / "file"
        subprocess.run([sys.executable, "-c", MEMORY, case, str(path), str(source)], cwd=ROOT, check=True)
        done = subprocess.run([sys.executable, "-c", LOAD, case, str(path), str(source)], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"| {case} | – | – | failed: {done.stderr.strip().splitlines()[-1]} |")
            continue
        size, grown, result = done.stdout.split(maxsplit=2)
        print(f"| {case} | {float(size):.1f} | {float(grown):.0f} | {result.strip()} |")


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bad_rows(fresh_database(Path(folder)), args.rows)
        if not args.skip_memory:
            memory(Path(folder))


if __name__ == "__main__":
    main()
