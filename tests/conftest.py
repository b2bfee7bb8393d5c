"""Shared fixtures: in-memory schema databases, temporary database files and the demo database.

No test may touch the repository's own database file (data/followup.duckdb): every test runs with
FOLLOWUP_DB pointing into a temporary folder, and the session fails if the real file changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `pytest` (not only `python -m pytest`) must find the package
    sys.path.insert(0, str(ROOT))

from followup import config, db  # noqa: E402
import backends  # noqa: E402  (the embedded and the shared backend, for tests parametrised by backend)
import pg_support  # noqa: E402  (the shared backend's throwaway PostgreSQL)
from table_state import copy_database  # noqa: E402

pg_cluster = pg_support.pg_cluster  # fixtures shared by every test module
pg_lake = pg_support.pg_lake
FIXTURES = ROOT / "tests" / "fixtures"
PARENTS_SQL = FIXTURES / "parents.sql"


# --- lanes: markers from the fixtures a test uses -----------------------------------------------------------------

BROWSER_FIXTURES = frozenset({"browser", "dashboard_url", "image_browser"})
POSTGRES_FIXTURES = frozenset({"pg_cluster", "pg_lake", "demo_lake", "demo_lake_copy", "demo_lake_clone",
                               "demo_lake_template", "lake_databases"})
APPTEST_FIXTURES = frozenset({"fresh_caches", "app_db", "app_db_copy", "app_db_file"})
SHARED_SCOPES = frozenset({"module", "class", "package"})


def lane_markers(fixtures: set[str], params: Mapping[str, Any]) -> set[str]:
    """The lane markers of a test that uses FIXTURES (its whole fixture closure) with PARAMS (its callspec)."""
    marks = set()
    if fixtures & BROWSER_FIXTURES:
        marks.add("browser")
    # a backend parameter opens its lake through request.getfixturevalue, which the closure does not show
    if fixtures & POSTGRES_FIXTURES or backends.LAKE in params.values():
        marks.add("postgres")
    if fixtures & APPTEST_FIXTURES:
        marks.add("apptest")
    return marks


def _shared_fixture_group(item: pytest.Item) -> str | None:
    """The module's name when the test uses a module- or class-scoped fixture defined in its own module (a
    dashboard typed full of input, a lake): xdist then keeps those tests on one worker, so the fixture is built
    once per run instead of once per worker."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for definitions in info.name2fixturedefs.values():
        for definition in definitions:
            if definition.scope in SHARED_SCOPES and definition.baseid == item.nodeid.split("::")[0]:
                return item.nodeid.split("::")[0]
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test for its lanes (browser, postgres, apptest) and group tests that share a module fixture."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        for name in sorted(lane_markers(set(getattr(item, "fixturenames", ())), params)):
            item.add_marker(name)
        group = _shared_fixture_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def _file_state(path: Path) -> tuple[bool, int, int]:
    """Existence, size and modification time of a file, to notice any change."""
    if not path.exists():
        return (False, 0, 0)
    stat = path.stat()
    return (True, stat.st_size, stat.st_mtime_ns)


@pytest.fixture(scope="session", autouse=True)
def _guard_repo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point FOLLOWUP_DB at a scratch file for the whole session; fail if data/followup.duckdb changed."""
    watched = [config.DEFAULT_DB, Path(f"{config.DEFAULT_DB}.wal")]
    before = [_file_state(path) for path in watched]
    scratch = tmp_path_factory.mktemp("default-db") / "followup.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(config.DB_ENV, str(scratch))
        yield
    after = [_file_state(path) for path in watched]
    assert after == before, f"a test wrote to the repository's database file {config.DEFAULT_DB}"


def insert(con: duckdb.DuckDBPyConnection, table: str, row: Mapping[str, Any]) -> None:
    """Insert one row given as column -> value; the values are bound, the names come from the test."""
    columns = ", ".join(row)
    placeholders = ", ".join(f"${name}" for name in row)
    con.execute(f"insert into {table} ({columns}) values ({placeholders})", dict(row))


@pytest.fixture
def schema_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory database with the schema applied and no rows besides the schema version."""
    con = duckdb.connect()
    db.ensure_schema(con)
    yield con
    con.close()


@pytest.fixture
def parent_con(schema_con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """schema_con plus the minimal parent rows of tests/fixtures/parents.sql (see that file)."""
    schema_con.execute(PARENTS_SQL.read_text(encoding="utf-8"))
    return schema_con


@pytest.fixture
def insert_row(parent_con: duckdb.DuckDBPyConnection) -> Callable[[str, Mapping[str, Any]], None]:
    """insert_row(table, {column: value}) into parent_con with bound values."""
    return lambda table, row: insert(parent_con, table, row)


@pytest.fixture
def tmp_db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database path in a fresh temporary folder (file not created); FOLLOWUP_DB points at it."""
    path = tmp_path / "followup.duckdb"
    monkeypatch.setenv(config.DB_ENV, str(path))
    return path


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per session with the default seed. Read it, never write to it."""
    from followup import demo  # numpy and the generator load only when a test needs the demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path)
    return path


@pytest.fixture
def demo_db_copy(demo_db_path: Path, tmp_db_path: Path) -> Path:
    """A private, writable copy of the demo database at tmp_db_path (FOLLOWUP_DB points at it)."""
    copy_database(demo_db_path, tmp_db_path)
    return tmp_db_path


@pytest.fixture
def cli_env(tmp_db_path: Path) -> dict[str, str]:
    """Environment for running `python -m followup` as a subprocess against tmp_db_path."""
    env = dict(os.environ)
    env[config.DB_ENV] = str(tmp_db_path)
    env["PYTHONPATH"] = str(config.ROOT)
    return env


HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
sys.stdin.read()  # hold the file until the test closes our stdin (or dies)
"""


@contextmanager
def held_by_other_process(path: Path, *, read_only: bool = False) -> Iterator[subprocess.Popen[str]]:
    """Run another Python process that opens PATH and keeps it open; always killed at the end."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), "ro" if read_only else "rw"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = holder.stdout.readline() if holder.stdout else ""
        if line.strip() != "ready":
            holder.kill()
            _, err = holder.communicate()
            raise AssertionError(f"the holder process did not open {path}: {err}")
        yield holder
    finally:
        holder.kill()
        holder.communicate()


HoldDatabase = Callable[..., AbstractContextManager[subprocess.Popen[str]]]
"""Type of the hold_database fixture."""


@pytest.fixture
def hold_database() -> HoldDatabase:
    """hold_database(path, read_only=False): a context manager running a process that holds the file."""
    return held_by_other_process


@pytest.fixture(scope="session")
def reference_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema and the reference data only (what `init` makes), built once. Read only."""
    from followup import reference

    path = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    with closing(db.open_database(path)) as con:
        con.execute("begin transaction")
        reference.load_reference(con)
        con.execute("commit")
        con.execute("checkpoint")
    return path


@pytest.fixture
def reference_db_copy(reference_db_path: Path, tmp_db_path: Path) -> Path:
    """A private, writable copy of reference_db_path at tmp_db_path (FOLLOWUP_DB points at it)."""
    copy_database(reference_db_path, tmp_db_path)
    return tmp_db_path


def filled_lake(cluster: Any, name: str, data_root: Path, source: Path) -> str:
    """A new lake (database NAME in CLUSTER, data under DATA_ROOT) holding a copy of the database file SOURCE."""
    from followup import lake, transfer

    url, data_path = cluster.lake_url(name, data_root)
    lake.create(url, data_path)
    assert transfer.fill_if_empty(url, lambda path: copy_database(source, Path(path)))
    return url


@pytest.fixture(scope="session")
def demo_lake(pg_cluster: Any, demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The shared backend (DuckLake, catalogue in the session's PostgreSQL) holding the demo. Read it, never write."""
    return filled_lake(pg_cluster, "demo_lake", tmp_path_factory.mktemp("demo-lake"), demo_db_path)


_lake_copies = iter(range(1, 1_000_000))


@pytest.fixture
def demo_lake_copy(pg_cluster: Any, demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private shared backend holding the demo, for a test that writes; FOLLOWUP_DB points at it."""
    name = f"demo_copy_{next(_lake_copies)}"
    url = filled_lake(pg_cluster, name, tmp_path / "lake-data", demo_db_path)
    monkeypatch.setenv(config.DB_ENV, url)
    try:
        yield url
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (skipped locally, failed under CI, when missing)."""
    from e2e_support import launched_browser

    with launched_browser() as chromium:
        yield chromium


@pytest.fixture
def image_browser() -> Path:
    """Debian's chromium, which kaleido draws PNG and SVG exports with (so the test is in the browser lane);
    skipped locally and failed under CI (CI=true) when it is missing."""
    from followup.export import images

    if not images.CHROMIUM.exists():
        reason = f"{images.CHROMIUM} saknas: bildexporten kan inte testas (installera Debians chromium: make test gör det)"
        if pg_support.under_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return images.CHROMIUM


@pytest.fixture(scope="session")
def dashboard_url(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a private copy of the demo database, shared by the session's tests."""
    from e2e_support import streamlit_server

    folder = tmp_path_factory.mktemp("dashboard")
    path = folder / "demo.duckdb"
    copy_database(demo_db_path, path)
    with streamlit_server(path, folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Streamlit's caches emptied and the app's connections closed before and after a test (the Store owns
    the connection, so a cache clear alone leaves it open); AppTest modules use it for every test with
    `pytestmark = pytest.mark.usefixtures("fresh_caches")`."""
    import streamlit as st

    from followup import store

    st.cache_data.clear()
    st.cache_resource.clear()
    store.close_all()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
    store.close_all()


# --- page tests on both backends (tests/backends.py) -------------------------------------------------------------



@pytest.fixture(params=backends.BACKENDS)
def app_db(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path | str]:
    """The demo for a page test that only reads, on each backend; FOLLOWUP_DB points at it: a private copy of
    the demo file (demo_db_copy), or the session's demo lake (demo_lake), which the test must leave unchanged.

    After a lake case it checks that the app really ran on the lake and wrote nothing to it.
    """
    if request.param == backends.EMBEDDED:
        yield request.getfixturevalue("demo_db_copy")
        return
    url = request.getfixturevalue("demo_lake")
    monkeypatch.setenv(config.DB_ENV, url)
    before = backends.snapshot(url)
    yield url
    backends.assert_app_on_lake(url)
    assert backends.snapshot(url) == before, "a test on the shared demo lake wrote to it: give it app_db_copy"


@pytest.fixture
def app_db_file(demo_db_copy: Path) -> Path:
    """The demo for a page test that only reads, on the embedded backend alone: its case on the lake would only
    re-prove the query cases, which run every named query on both backends with its column types
    (tests/test_queries.py); pages read nothing but named queries. Each page still opens on the lake
    (test_app.py's smoke tests), and the tests that write or read in threads run on both (app_db, app_db_copy)."""
    return demo_db_copy


@pytest.fixture(params=backends.BACKENDS)
def app_db_copy(request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """The demo for a page test that writes, on each backend; FOLLOWUP_DB points at it: a private copy of the
    demo file (demo_db_copy) or a private lake holding the demo (demo_lake_clone).

    After a lake case it checks that the app really ran on the lake.
    """
    if request.param == backends.EMBEDDED:
        yield request.getfixturevalue("demo_db_copy")
        return
    url = request.getfixturevalue("demo_lake_clone")
    yield url
    backends.assert_app_on_lake(url)


@pytest.fixture(scope="session")
def demo_lake_template(pg_cluster: Any, demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory
                       ) -> tuple[str, Path]:
    """A lake holding the demo that no test opens, for demo_lake_clone to copy: its database name and data folder."""
    name = "demo_template"
    root = tmp_path_factory.mktemp("demo-lake-template")
    filled_lake(pg_cluster, name, root, demo_db_path)
    return name, root / name


_lake_clones = iter(range(1, 1_000_000))


@pytest.fixture
def demo_lake_clone(pg_cluster: Any, demo_lake_template: tuple[str, Path], tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private lake holding the demo, for a test that writes, as demo_lake_copy but copied from
    demo_lake_template (catalogue and files) in a fraction of the time a fill takes; FOLLOWUP_DB points at it."""
    name = f"demo_clone_{next(_lake_clones)}"
    url = backends.clone_lake(pg_cluster, *demo_lake_template, name, tmp_path / "lake-data" / name)
    monkeypatch.setenv(config.DB_ENV, url)
    try:
        yield url
    finally:
        pg_cluster.drop_database(name)
