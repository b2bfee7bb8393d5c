"""A throwaway PostgreSQL cluster for the tests of the shared backend (DuckLake with its catalogue in PostgreSQL).

initdb, pg_ctl and postgres refuse to run as root, so when the tests run as root (as CI does) they run as the
user `nobody` through `runuser`, and the cluster's folders are made theirs. The server listens on 127.0.0.1 on a
free port (its Unix socket goes to a folder of its own) with fsync off, for speed. tests/conftest.py imports the
session fixture `pg_cluster` (and `pg_lake`, a fresh lake per test) from here. Without PostgreSQL the tests are
skipped locally and fail under CI (CI=true), like the browser tests of tests/e2e_support.py.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import count
from pathlib import Path

import pytest

PG_LIB = Path("/usr/lib/postgresql")  # Debian's home of each major version: <PG_LIB>/<version>/bin
REQUIRED_TOOLS = ("initdb", "pg_ctl")
UNPRIVILEGED_USER = "nobody"
SUPERUSER = "postgres"  # the cluster's superuser role (initdb -U), trusted on 127.0.0.1
HOST = "127.0.0.1"
SERVER_SETTINGS = {  # a throwaway cluster: losing it on a crash does not matter; many processes connect
    "listen_addresses": HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}
START_TIMEOUT = 60  # seconds pg_ctl waits for the server (a ceiling for a slow machine, not an assertion)
START_ATTEMPTS = 3  # another process may take the free port between choosing it and binding it
INSTALL_HINT = "installera Debians postgresql (scripts/setup --postgres; make test gör det)"


class ClusterError(RuntimeError):
    """initdb, pg_ctl or the server failed; the message carries their output."""


def under_ci() -> bool:
    """Whether the environment variable CI asks for CI behaviour (set, and not empty, 0 or false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def _has_tools(directory: Path) -> bool:
    """Whether directory holds executable initdb and pg_ctl."""
    return all(os.access(directory / tool, os.X_OK) for tool in REQUIRED_TOOLS)


def _version_key(directory: Path) -> tuple[int, ...]:
    """Sort key for a <PG_LIB>/<version> folder: its version as numbers (9.6 < 13 < 15), unknown names first."""
    return tuple(int(part) for part in re.findall(r"\d+", directory.name)) or (-1,)


def _pg_config_bindir() -> Path | None:
    """The bindir that `pg_config --bindir` reports, or None without pg_config."""
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: pg_config's bindir, the newest PG_LIB/*/bin, then PATH; or None."""
    candidates: list[Path] = []
    bindir = _pg_config_bindir()
    if bindir is not None:
        candidates.append(bindir)
    if PG_LIB.is_dir():
        candidates += [version / "bin" for version in sorted(PG_LIB.iterdir(), key=_version_key, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb is not None:  # often a symlink (/usr/local/bin/initdb): postgres lives beside its target
        candidates.append(Path(initdb).resolve().parent)
    return next((directory for directory in candidates if _has_tools(directory)), None)


def initdb_locale_args(available: Iterable[str]) -> list[str]:
    """initdb's locale option: C.UTF-8 when the system has it (as `locale -a` spells it), else --no-locale."""
    names = {name.strip().lower().replace("-", "") for name in available}
    return ["--locale=C.UTF-8"] if "c.utf8" in names else ["--no-locale"]


def _available_locales() -> list[str]:
    """The locales `locale -a` lists; empty when the command is missing."""
    locale_tool = shutil.which("locale")
    if locale_tool is None:
        return []
    result = subprocess.run([locale_tool, "-a"], capture_output=True, text=True, check=False)
    return result.stdout.split()


def _missing_postgres() -> str | None:
    """Why a PostgreSQL cluster cannot run here, or None when it can."""
    if find_bin_dir() is None:
        return f"PostgreSQL (initdb, pg_ctl) saknas: {INSTALL_HINT}"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "Python-paketet psycopg saknas (pip install -r requirements-dev.txt)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "runuser saknas (Debians util-linux); det behövs för att köra PostgreSQL som annan än root"
        try:
            pwd.getpwnam(UNPRIVILEGED_USER)
        except KeyError:
            return f"användaren {UNPRIVILEGED_USER} saknas; PostgreSQL vägrar köra som root"
    return None


def require_postgres() -> Path:
    """The bin folder of PostgreSQL; skipped locally and failed under CI (CI=true) when it cannot run here."""
    reason = _missing_postgres()
    if reason:
        if under_ci():
            pytest.fail(f"PostgreSQL-testerna kan inte köras: {reason}")
        pytest.skip(reason)
    bin_dir = find_bin_dir()
    assert bin_dir is not None  # _missing_postgres found it
    return bin_dir


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a TCP port on 127.0.0.1 can be bound right now (so no server listens on it)."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


@dataclass(frozen=True)
class Cluster:
    """A running PostgreSQL cluster: where its files are, its port, and the user its server runs as."""

    bin_dir: Path
    base: Path
    port: int
    run_as: str | None  # UNPRIVILEGED_USER when the tests run as root, else None (the current user)

    @property
    def data_dir(self) -> Path:
        """The cluster's data folder (PGDATA)."""
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        """The folder of the server's Unix socket."""
        return self.base / "socket"

    @property
    def log_path(self) -> Path:
        """The server's log file (pg_ctl -l)."""
        return self.base / "log" / "postgres.log"

    def conninfo(self, dbname: str = SUPERUSER) -> str:
        """A libpq connection string for database dbname as the superuser over TCP."""
        return f"dbname={dbname} host={HOST} port={self.port} user={SUPERUSER}"

    def log_text(self) -> str:
        """The server log so far (for failure messages)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def create_database(self, name: str) -> None:
        """Create an empty database called name."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo(), autocommit=True) as con:
            con.execute(sql.SQL("create database {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        """Drop database name if it exists, ending any connections to it first."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo(), autocommit=True) as con:
            con.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def lake_url(self, name: str, data_root: Path) -> tuple[str, Path]:
        """A fresh database name and an empty data folder data_root/name; return the FOLLOWUP_DB url and folder."""
        data_path = data_root / name
        data_path.mkdir(parents=True)  # fails if it exists: a lake's files must not mix with another's
        self.create_database(name)
        return f"ducklake:postgres:{self.conninfo(name)}", data_path

    def is_running(self) -> bool:
        """Whether pg_ctl sees a server running on the data folder."""
        return _pg_ctl(self, "status", check=False).returncode == 0


def _command(run_as: str | None, *args: str | Path) -> list[str]:
    """args as a command, run as user run_as through runuser when given."""
    command = [str(arg) for arg in args]
    return ["runuser", "-u", run_as, "--", *command] if run_as else command


def _run(run_as: str | None, *args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool (as run_as when given); raise ClusterError with its output when it fails and check."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}  # no PGDATA, PGPORT, …
    result = subprocess.run(_command(run_as, *args), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise ClusterError(f"{Path(args[0]).name} misslyckades (kod {result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")
    return result


def _pg_ctl(cluster: Cluster, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run pg_ctl on the cluster's data folder."""
    return _run(cluster.run_as, cluster.bin_dir / "pg_ctl", "-D", cluster.data_dir, *args,
                cwd=cluster.base, check=check)


def _server_options(cluster: Cluster) -> str:
    """The postgres command-line options pg_ctl passes on (-o), quoted for its shell."""
    settings = [f"-c {name}={value}" for name, value in SERVER_SETTINGS.items()]
    return " ".join([f"-p {cluster.port}", f"-k {shlex.quote(str(cluster.socket_dir))}", *settings])


def _reachable_by(user: str, directory: Path) -> bool:
    """Whether user can enter directory (every folder above it included)."""
    return subprocess.run(_command(user, "test", "-x", directory), check=False).returncode == 0


def _prepare(base: Path, run_as: str | None) -> None:
    """Make the cluster's data, socket and log folders under base, owned by run_as when given."""
    if run_as and not _reachable_by(run_as, base):
        raise ClusterError(f"{run_as} kan inte nå {base}; välj en mapp som alla kan gå in i "
                           f"(cluster_base() gör en under {tempfile.gettempdir()})")
    for name in ("data", "socket", "log"):
        folder = base / name
        folder.mkdir(mode=0o700)
        if run_as:
            account = pwd.getpwnam(run_as)
            os.chown(folder, account.pw_uid, account.pw_gid)


def _start(cluster: Cluster) -> bool:
    """Start the server and wait until it accepts connections; False when its port was taken meanwhile."""
    log_start = cluster.log_path.stat().st_size if cluster.log_path.exists() else 0
    result = _pg_ctl(cluster, "-l", str(cluster.log_path), "-w", "-t", str(START_TIMEOUT),
                     "-o", _server_options(cluster), "start", check=False)
    if result.returncode == 0:
        return True
    log = cluster.log_text()[log_start:]
    if "could not bind" in log or "Address already in use" in log:
        return False
    _stop(cluster)  # pg_ctl may have given up waiting on a server that still runs
    raise ClusterError(f"PostgreSQL startade inte (kod {result.returncode}):\n{result.stdout}{result.stderr}\n{log}")


def _stop(cluster: Cluster) -> None:
    """Stop the server at once (nothing in a throwaway cluster needs a clean shutdown); warn if that fails."""
    if not (cluster.data_dir / "postmaster.pid").exists():
        return
    result = _pg_ctl(cluster, "-m", "immediate", "-w", "stop", check=False)
    if result.returncode != 0 and cluster.is_running():
        warnings.warn(f"PostgreSQL i {cluster.data_dir} kunde inte stoppas:\n{result.stdout}{result.stderr}",
                      stacklevel=2)


@contextmanager
def running_cluster(base: Path) -> Iterator[Cluster]:
    """A new cluster in base (which the server's user must be able to enter), started; always stopped afterwards.

    Skipped locally and failed under CI (CI=true) when PostgreSQL cannot run here.
    """
    bin_dir = require_postgres()
    run_as = UNPRIVILEGED_USER if os.geteuid() == 0 else None
    _prepare(base, run_as)
    cluster = Cluster(bin_dir=bin_dir, base=base, port=free_port(), run_as=run_as)
    _run(run_as, bin_dir / "initdb", "-D", cluster.data_dir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
         *initdb_locale_args(_available_locales()), "--no-sync", cwd=base)
    try:
        for attempt in range(START_ATTEMPTS):
            if attempt:
                cluster = replace(cluster, port=free_port())
            if _start(cluster):
                break
        else:
            raise ClusterError(f"PostgreSQL fick ingen ledig port på {START_ATTEMPTS} försök:\n{cluster.log_text()}")
        yield cluster
    finally:
        _stop(cluster)


@contextmanager
def cluster_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder for a cluster: pytest's own when not root; as root one under /tmp that nobody can enter.

    pytest's temporary folders are mode 700 under root, so `nobody` could not reach a cluster inside them.
    """
    if os.geteuid() != 0:
        yield tmp_path_factory.mktemp("postgres")
        return
    base = Path(tempfile.mkdtemp(prefix="followup-pg-"))
    try:
        base.chmod(0o755)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One PostgreSQL cluster for the whole session; skipped locally and failed under CI without PostgreSQL."""
    with cluster_base(tmp_path_factory) as base, running_cluster(base) as cluster:
        yield cluster


_lake_numbers = count(1)


@pytest.fixture
def pg_lake(pg_cluster: Cluster, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh lake for one test: its FOLLOWUP_DB url (a new database) and empty data folder; dropped after."""
    name = f"lake_{next(_lake_numbers)}"
    url, data_path = pg_cluster.lake_url(name, tmp_path / "lake-data")
    try:
        yield url, data_path
    finally:
        pg_cluster.drop_database(name)
