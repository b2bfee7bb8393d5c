"""Separate OS processes over one shared backend (a DuckLake), for tests/test_lake*.py.

Run as a script, each command does one thing to the lake and reports on stdout as JSON lines
({"event": ..., ...}); the tests release it, pause it or kill it through files (barriers) and signals:

    python tests/lake_workers.py hold URL
        hold the lake's write lock (followup.lake.write_lock) until stdin closes; reports "locked"
    python tests/lake_workers.py load URL FILE [--replace] [--barrier F] [--pause-before-commit F]
        parse FILE (followup.imports), report "ready", wait for the barrier file, then load.apply it as the
        local admin; with --pause-before-commit report "paused" just before the schema checks and COMMIT and
        wait for that file; reports every "progress" step and the "result" (load id and wall-clock times) or
        the "error" (class and message)
    python tests/lake_workers.py raw URL SQL [--barrier F]
        a writer outside the app: lake.connect, BEGIN, SQL, report "written", wait for the barrier file, COMMIT;
        reports "committed" or the "error"

Imported by the tests, Worker starts one of them and reads its reports with a ceiling on the wait (a hang guard,
never an assertion on time).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()
CEILING = 120.0
"""Seconds a test waits for a worker's report before it gives up (a hang guard, not a timed assertion)."""


# --- the worker side ---------------------------------------------------------------------------------------------


def report(event: str, **fields: Any) -> None:
    """Write one JSON line to stdout at once."""
    print(json.dumps({"event": event, "time": time.time(), **fields}, ensure_ascii=False), flush=True)


def wait_for(path: str | None) -> float:
    """Wait until the file PATH exists (no PATH: return at once); the wall-clock time it was seen."""
    while path and not os.path.exists(path):
        time.sleep(0.005)
    return time.time()


def hold(url: str) -> None:
    """Hold the lake's write lock until stdin closes (or the process is killed)."""
    from followup import lake

    with lake.write_lock(url, wait=CEILING):
        report("locked", pid=os.getpid())
        sys.stdin.read()
    report("released")


def run_load(url: str, file: str, *, replace: bool, barrier: str | None, pause: str | None) -> None:
    """Parse FILE, wait for BARRIER, load it (pausing before the COMMIT for PAUSE); report times or the error."""
    from followup import access, db, imports, lake, lake_schema
    from followup.imports import load

    times: dict[str, float] = {}
    real_lock, real_violations = lake.write_lock, lake_schema.violations

    @contextmanager
    def timed_lock(target: str, wait: float | None = None) -> Iterator[None]:
        times["lock_asked"] = time.time()
        with real_lock(target, wait):
            times["lock_taken"] = time.time()
            yield
        times["lock_released"] = time.time()

    def paused_violations(con: Any, tables: Any = None) -> list[str]:
        report("paused", tables=None if tables is None else sorted(tables))
        wait_for(pause)
        return real_violations(con, tables)

    lake.write_lock = timed_lock  # write_transaction looks both up at call time
    if pause:
        lake_schema.violations = paused_violations
    con = db.open_database(url)
    data = Path(file).read_bytes()
    batch = imports.parse(data, Path(file).name, imports.catalogue(con))
    rows = len(batch.observations) + len(batch.events)
    report("ready", rows=rows, problems=len(batch.problems))
    times["go"] = wait_for(barrier)
    try:
        result = load.apply(con, batch, user=access.local("worker"), replace=replace,
                            progress=lambda fraction, text: report("progress", fraction=fraction, text=text))
    except Exception as exc:  # the test reads the kind and the message
        report("error", kind=type(exc).__name__, message=str(exc), is_database_error=isinstance(exc, db.DatabaseError),
               is_conflict=isinstance(exc, db.DatabaseConflictError), **times)
        raise SystemExit(3) from None
    times["done"] = time.time()
    report("result", load_id=result.load_id, added=result.plan.rows_added, changed=result.plan.rows_changed, **times)


def raw(url: str, sql: str, barrier: str | None) -> None:
    """BEGIN, run SQL, report, wait for BARRIER, COMMIT: a writer that does not take the app's lock."""
    from followup import lake

    con = lake.connect(url)
    con.execute("begin transaction")
    changed = con.execute(sql).fetchall()
    report("written", rows=changed[0][0] if changed and changed[0] else None)
    wait_for(barrier)
    try:
        con.execute("commit")
    except Exception as exc:
        report("error", kind=type(exc).__name__, message=str(exc))
        raise SystemExit(3) from None
    report("committed")


def main(argv: list[str]) -> None:
    """The command line of a worker (see the module docstring)."""
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("hold").add_argument("url")
    loading = commands.add_parser("load")
    loading.add_argument("url")
    loading.add_argument("file")
    loading.add_argument("--replace", action="store_true")
    loading.add_argument("--barrier")
    loading.add_argument("--pause-before-commit")
    raw_writer = commands.add_parser("raw")
    raw_writer.add_argument("url")
    raw_writer.add_argument("sql")
    raw_writer.add_argument("--barrier")
    args = parser.parse_args(argv)
    if args.command == "hold":
        hold(args.url)
    elif args.command == "load":
        run_load(args.url, args.file, replace=args.replace, barrier=args.barrier, pause=args.pause_before_commit)
    else:
        raw(args.url, args.sql, args.barrier)


# --- the test side -----------------------------------------------------------------------------------------------


class WorkerFailed(AssertionError):
    """A worker ended, or reported something else, before the report a test waited for."""


class Worker:
    """A worker process (see the module docstring) whose JSON reports are read on a thread."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.args = args
        environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args], cwd=ROOT, env=environment, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.reports: list[dict[str, Any]] = []
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: list[str] = []
        self._threads = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self._lines.put(json.loads(line))
            except json.JSONDecodeError:
                self._lines.put({"event": "text", "text": line.rstrip()})
        self._lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self._stderr.extend(self.process.stderr)

    def stderr(self) -> str:
        """What the worker wrote to stderr so far."""
        return "".join(self._stderr)

    def expect(self, event: str, *, where: Any = None, ceiling: float = CEILING) -> dict[str, Any]:
        """The next report EVENT (for which WHERE(report) is true, when given); earlier reports are kept in
        .reports. WorkerFailed when the worker ends or reports an error first."""
        deadline = time.monotonic() + ceiling
        while True:
            try:
                item = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise WorkerFailed(f"no '{event}' from worker {self.args[0]} within {ceiling:g} s; "
                                   f"reports {self.reports}; stderr:\n{self.stderr()}") from None
            if item is None:
                self._lines.put(None)  # stays at the end for the next expect
                self.process.wait()
                raise WorkerFailed(f"worker {self.args[0]} ended (code {self.process.returncode}) before '{event}'; "
                                   f"reports {self.reports}; stderr:\n{self.stderr()}")
            self.reports.append(item)
            if item["event"] == event and (where is None or where(item)):
                return item
            if item["event"] == "error":
                raise WorkerFailed(f"worker {self.args[0]} failed before '{event}': {item}")

    def kill(self) -> None:
        """SIGKILL the worker (no cleanup of any kind in it) and reap it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
        for thread in self._threads:  # a dead process's pipes end, so the readers finish
            thread.join(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


def release(barrier: Path) -> None:
    """Create the barrier file the workers wait for."""
    barrier.write_text("go", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
