"""Loads against crashes and each other: a killed load leaves nothing; parallel loads both land.

These run real processes on a database file: one killed with SIGKILL in the middle of writing, and
two command-line loads started at the same moment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import duckdb

from followup import config
from tests.conftest import HoldDatabase
from tests.table_state import table_checksums

# Writes a large batch through the real loader and says when it is in the middle of writing; the test
# kills it there. The progress callback runs inside the load's transaction.
KILLED_LOADER = r"""
import sys, time
from datetime import date
import pandas as pd
from followup import access, db
from followup.imports import load
from followup.imports.base import Batch, OBSERVATION_COLUMNS
from followup.model import LoadKind

rows = 300_000
starts = pd.date_range("1990-01-01", periods=rows // 2, freq="D")
frame = pd.DataFrame({
    "indicator": "otrygg-utomhus-kvall", "district": ["bromma", "farsta"] * (rows // 2),
    "place": None, "period_start": list(starts) * 2, "grain": "week", "value": 50.0,
    "numerator": None, "denominator": None, "preliminary": False, "series_break": False,
    "source_row": range(2, rows + 2),
}, columns=list(OBSERVATION_COLUMNS))
frame = frame[pd.to_datetime(frame.period_start).dt.day_of_week == 0]

def progress(fraction, text):
    if fraction >= 0.9:  # every row is inserted; only the commit is left
        print("written", flush=True)
        time.sleep(60)

con = db.open_database(sys.argv[1])
load.apply(con, Batch(LoadKind.OBSERVATIONS, "stor.csv", "x", observations=frame), user=access.local("anna"),
           progress=progress)
print("committed", flush=True)
"""


def test_a_load_killed_before_commit_leaves_no_rows(reference_db_copy: Path) -> None:
    with closing(duckdb.connect(str(reference_db_copy))) as con:
        before = table_checksums(con)
    loader = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOADER, str(reference_db_copy)],
        cwd=config.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = loader.stdout.readline() if loader.stdout else ""
        assert line.strip() == "written", f"the loader never got to writing: {loader.stderr.read() if loader.stderr else ''}"
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait(timeout=30)
    finally:
        loader.kill()
        loader.communicate()
    assert loader.returncode == -signal.SIGKILL

    with closing(duckdb.connect(str(reference_db_copy))) as con:  # replays the write-ahead log, if any
        assert table_checksums(con) == before
        assert con.execute("select count(*) from observation").fetchone() == (0,)
        assert con.execute("select count(*) from import_log").fetchone() == (0,)


def observation_csv(path: Path, district: str, value: str) -> Path:
    """A CSV of monthly values 2000-01 to 2024-12 for one district, as Swedish Excel writes it."""
    lines = ["indikator;område;plats;period;värde"]
    lines += [f"anmalda-brott-omrade;{district};;{year}-{month:02d};{value}"
              for year in range(2000, 2025) for month in range(1, 13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def waiting_line(process: subprocess.Popen[str]) -> str:
    """The process's stderr line that says it waits for the file ('' if it ends without one)."""
    assert process.stderr is not None
    for line in iter(process.stderr.readline, ""):
        if "väntar" in line:
            return line
    return ""


def test_two_processes_loading_at_once_both_land(
    reference_db_copy: Path, tmp_path: Path, hold_database: HoldDatabase
) -> None:
    """Both loads start while a third process holds the file, so both wait and then race for it."""
    files = [observation_csv(tmp_path / "bromma.csv", "Bromma", "12"),
             observation_csv(tmp_path / "farsta.csv", "Farsta", "7")]
    env = {**os.environ, config.DB_ENV: str(reference_db_copy)}
    with hold_database(reference_db_copy), ThreadPoolExecutor(max_workers=2) as pool:
        loads = [subprocess.Popen([sys.executable, "-m", "followup", "load", str(file), "--user", file.stem],
                                  cwd=config.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
                 for file in files]
        # each says it waits for the file (however long its start takes) before the holder lets go
        said = [line.result(timeout=120) for line in [pool.submit(waiting_line, load) for load in loads]]
        assert all("väntar" in line for line in said), said
        assert [load.poll() for load in loads] == [None, None]
    results = [(load.wait(timeout=120), *load.communicate()) for load in loads]

    for status, out, err in results:
        assert status == 0, err
        assert "är inläst" in out
    with closing(duckdb.connect(str(reference_db_copy), read_only=True)) as con:
        rows = con.execute("select district, count(*), min(value), max(value) from observation "
                           "group by district order by district").fetchall()
        users = con.execute("select user_name, rows_added from import_log order by user_name").fetchall()
    assert rows == [("bromma", 300, 12.0, 12.0), ("farsta", 300, 7.0, 7.0)]  # counts are whole numbers
    assert users == [("lokal:bromma", 300), ("lokal:farsta", 300)]  # the command line writes as the local account
