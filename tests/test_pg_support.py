"""Tests for tests/pg_support.py: the throwaway PostgreSQL cluster the shared-backend tests run on."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import psycopg
import pytest

import pg_support
from pg_support import Cluster, cluster_base, running_cluster

# Until tests/conftest.py imports these fixtures for every module; drop these two lines then (else a second
# session cluster starts for this module).


def _server_user(cluster: Cluster) -> int:
    """The real uid of the cluster's postmaster process (its pid is the first line of postmaster.pid)."""
    pid = (cluster.data_dir / "postmaster.pid").read_text().split()[0]
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


def _tables(cluster: Cluster, dbname: str) -> set[str]:
    """The names of the tables in database dbname's public schema."""
    with psycopg.connect(cluster.conninfo(dbname)) as con:
        rows = con.execute("select table_name from information_schema.tables where table_schema = 'public'")
        return {name for (name,) in rows}


def test_cluster_answers_on_127_0_0_1_with_the_settings_for_tests(pg_cluster: Cluster) -> None:
    with psycopg.connect(pg_cluster.conninfo()) as con:
        version, fsync, connections, encoding, addresses = con.execute(
            "select current_setting('server_version_num')::int, current_setting('fsync'),"
            " current_setting('max_connections')::int, current_setting('server_encoding'),"
            " current_setting('listen_addresses')").fetchone()
    assert version >= 150000
    assert (fsync, connections, encoding, addresses) == ("off", 200, "UTF8", "127.0.0.1")
    assert pg_cluster.conninfo("x") == f"dbname=x host=127.0.0.1 port={pg_cluster.port} user=postgres"


def test_cluster_runs_unprivileged_when_the_tests_run_as_root(pg_cluster: Cluster) -> None:
    expected = pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else os.geteuid()
    assert _server_user(pg_cluster) == expected
    assert pg_cluster.run_as == ("nobody" if os.geteuid() == 0 else None)


def test_created_databases_are_independent_and_drop_removes_them(pg_cluster: Cluster) -> None:
    pg_cluster.create_database("indep_a")
    pg_cluster.create_database("indep_b")
    try:
        with psycopg.connect(pg_cluster.conninfo("indep_a")) as con:
            con.execute("create table only_in_a (id int)")
            con.execute("insert into only_in_a values (1)")
        assert _tables(pg_cluster, "indep_a") == {"only_in_a"}
        assert _tables(pg_cluster, "indep_b") == set()
    finally:
        pg_cluster.drop_database("indep_a")
        pg_cluster.drop_database("indep_b")
    with pytest.raises(psycopg.OperationalError, match="indep_a"):
        psycopg.connect(pg_cluster.conninfo("indep_a"))


def test_drop_database_ends_open_connections(pg_cluster: Cluster) -> None:
    pg_cluster.create_database("held_open")
    with psycopg.connect(pg_cluster.conninfo("held_open")) as holder:
        pg_cluster.drop_database("held_open")
        with pytest.raises(psycopg.OperationalError):
            holder.execute("select 1")


def test_lake_url_gives_a_fresh_database_and_an_empty_data_folder(pg_cluster: Cluster, tmp_path: Path) -> None:
    url, data_path = pg_cluster.lake_url("lake_fresh", tmp_path)
    try:
        assert url == f"ducklake:postgres:{pg_cluster.conninfo('lake_fresh')}"
        assert data_path == tmp_path / "lake_fresh"
        assert data_path.is_dir() and not any(data_path.iterdir())
        assert _tables(pg_cluster, "lake_fresh") == set()
        with pytest.raises(FileExistsError):  # a second lake may not share the folder
            pg_cluster.lake_url("lake_fresh", tmp_path)
    finally:
        pg_cluster.drop_database("lake_fresh")


def test_pg_lake_is_a_new_empty_database_and_folder(pg_cluster: Cluster, pg_lake: tuple[str, Path],
                                                    tmp_path: Path) -> None:
    url, data_path = pg_lake
    prefix = "ducklake:postgres:"
    assert url.startswith(prefix)
    dbname = url.removeprefix(prefix).split()[0].removeprefix("dbname=")
    assert url == prefix + pg_cluster.conninfo(dbname)
    assert _tables(pg_cluster, dbname) == set()
    assert data_path.parent.parent == tmp_path and not any(data_path.iterdir())


def test_cluster_is_stopped_and_its_port_free_after_an_error_inside(tmp_path_factory: pytest.TempPathFactory) -> None:
    with cluster_base(tmp_path_factory) as base:
        with pytest.raises(ZeroDivisionError):
            with running_cluster(base) as cluster:
                assert cluster.is_running()
                assert not pg_support.port_is_free(cluster.port)
                1 / 0
        assert not cluster.is_running()
        assert not (cluster.data_dir / "postmaster.pid").exists()
        assert pg_support.port_is_free(cluster.port)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(cluster.conninfo(), connect_timeout=5)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the cluster to nobody")
def test_as_root_a_folder_nobody_cannot_enter_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir(mode=0o700)
    with pytest.raises(pg_support.ClusterError, match="nobody kan inte nå"):
        with running_cluster(hidden):
            pass


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("", False), ("false", False),
                                                 ("FALSE", False), ("0", False), (None, False)])
def test_under_ci_reads_the_ci_variable(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert pg_support.under_ci() is expected


def test_missing_postgres_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pg_support, "find_bin_dir", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="installera Debians postgresql"):
        with running_cluster(tmp_path):
            pass
    assert not any(tmp_path.iterdir())  # nothing was started or made


def test_missing_postgres_is_skipped_locally(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pg_support, "find_bin_dir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="scripts/setup --postgres"):
        with running_cluster(tmp_path):
            pass


def _fake_bin(directory: Path, tools: tuple[str, ...] = ("initdb", "pg_ctl")) -> Path:
    """A folder with executable stand-ins for the named tools."""
    directory.mkdir(parents=True)
    for tool in tools:
        (directory / tool).write_text("#!/bin/sh\n")
        (directory / tool).chmod(0o755)
    return directory


def test_find_bin_dir_takes_the_newest_complete_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lib = tmp_path / "postgresql"
    _fake_bin(lib / "9.6" / "bin")
    _fake_bin(lib / "13" / "bin")
    _fake_bin(lib / "16" / "bin", tools=("pg_ctl",))  # a client-only install: no initdb
    empty_path = tmp_path / "path"
    empty_path.mkdir()
    monkeypatch.setattr(pg_support, "PG_LIB", lib)
    monkeypatch.setenv("PATH", str(empty_path))  # no pg_config, no initdb on PATH
    assert pg_support.find_bin_dir() == lib / "13" / "bin"


def test_find_bin_dir_prefers_pg_config_then_falls_back_to_path(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    chosen = _fake_bin(tmp_path / "chosen")
    on_path = _fake_bin(tmp_path / "on_path")
    pg_config = tmp_path / "path" / "pg_config"
    pg_config.parent.mkdir()
    pg_config.write_text(f"#!/bin/sh\necho {chosen}\n")
    pg_config.chmod(0o755)
    (tmp_path / "path" / "initdb").symlink_to(on_path / "initdb")
    monkeypatch.setattr(pg_support, "PG_LIB", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(pg_config.parent))
    assert pg_support.find_bin_dir() == chosen
    pg_config.unlink()
    assert pg_support.find_bin_dir() == on_path  # the symlink's target folder, where postgres lives too


@pytest.mark.parametrize(("available", "expected"), [(["C", "C.utf8", "POSIX"], ["--locale=C.UTF-8"]),
                                                     (["C.UTF-8"], ["--locale=C.UTF-8"]),
                                                     (["C", "POSIX", "sv_SE.utf8"], ["--no-locale"]),
                                                     ([], ["--no-locale"])])
def test_initdb_locale_falls_back_to_no_locale(available: list[str], expected: list[str]) -> None:
    assert pg_support.initdb_locale_args(available) == expected
