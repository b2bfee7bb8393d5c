"""followup.store: one object per database, picked once; the file behind it here (the lake in test_lake*)."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup import config, store
from followup.errors import DatabaseError


def test_open_picks_the_file_or_the_lake(tmp_path: Path) -> None:
    file = store.open(tmp_path / "a.duckdb")
    assert isinstance(file, store.FileStore) and not file.shared
    lake = store.open("ducklake:postgres:dbname=x host=nowhere")
    assert isinstance(lake, store.LakeStore) and lake.shared
    assert lake.describe() == "den delade databasen x på nowhere"


def test_one_store_per_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.DB_ENV, str(tmp_path / "b.duckdb"))
    assert store.open() is store.open(tmp_path / "b.duckdb")
    assert store.open().key == str((tmp_path / "b.duckdb").resolve())


def test_a_lake_url_without_postgres_is_refused() -> None:
    with pytest.raises(DatabaseError, match="måste ha sin katalog i PostgreSQL"):
        store.open("ducklake:sqlite:x.db")


def test_the_shared_connection_reopens_and_transactions_commit(reference_db_copy: Path) -> None:
    target = store.open(reference_db_copy)
    con = target.connection()
    with target.transaction(con) as cursor:
        cursor.execute("insert into database_info (key, value) values ('probe', '1')")
    version = target.data_version(con)
    con.close()
    with target.reading() as cursor:  # a new connection: the closed one is not handed out
        assert cursor.execute("select value from database_info where key = 'probe'").fetchone() == ("1",)
        assert target.data_version(cursor) == version
    target.close()


def test_a_missing_file_is_refused_with_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="python -m followup init"):
        store.open(tmp_path / "saknas.duckdb").require_exists()
