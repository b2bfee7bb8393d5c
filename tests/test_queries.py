"""queries/*.sql and followup.queries: every query is documented and returns the expected rows.

The harness: every file in queries/ needs at least one case (the test fails until it has one). A case is
two files under tests/fixtures/queries/: NAME--LABEL.json with its parameters ({"params": {"district":
"bromma", "from": "2024-01-01"}, "database": "fixture" or "empty"}; 'YYYY-MM-DD' strings are bound as
dates) and NAME--LABEL.csv with the exact columns (in order) and rows (in order) the query must return
from tests/fixtures/query_db.sql (or from an empty database). In the CSV an empty cell means NULL; numbers compare numerically, dates as YYYY-MM-DD,
booleans as true/false. Write the expected rows by hand from the fixture, not by copying the output.

Every case runs on both backends (tests/backends.py): the embedded DuckDB and the shared one (DuckLake with its
catalogue in the session's PostgreSQL, the same databases copied into it), which must also give the same column
types.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

import backends
from conftest import filled_lake
from followup import config, db, est_summary, queries

FIXTURES = Path(__file__).resolve().parent / "fixtures"
QUERY_DB_SQL = FIXTURES / "query_db.sql"
EXPECTED_DIR = FIXTURES / "queries"


@dataclass(frozen=True)
class Case:
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    database: str = "fixture"  # "fixture": tests/fixtures/query_db.sql; "empty": the schema only


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _param(value: Any) -> Any:
    """A parameter from a case file: 'YYYY-MM-DD' strings become dates, the rest stays as JSON gave it."""
    return date.fromisoformat(value) if isinstance(value, str) and DATE.fullmatch(value) else value


def discover_cases(folder: Path = EXPECTED_DIR) -> dict[str, list[Case]]:
    """Every case file NAME--LABEL.json ({"params": {...}, "database": "fixture"|"empty"}) by query name."""
    cases: dict[str, list[Case]] = {}
    for path in sorted(folder.glob("*.json")):
        name, _, label = path.stem.partition("--")
        spec = json.loads(path.read_text(encoding="utf-8"))
        params = {key: _param(value) for key, value in spec.get("params", {}).items()}
        cases.setdefault(name, []).append(Case(label, params, spec.get("database", "fixture")))
    return cases


CASES = discover_cases()


def expected_file(name: str, case: Case) -> Path:
    """The CSV with the rows a query case must return."""
    return EXPECTED_DIR / f"{name}--{case.label}.csv"


def all_cases() -> Iterator[Any]:
    """(name, case) for every case of every query, as pytest params."""
    for name, cases in sorted(CASES.items()):
        for case in cases:
            yield pytest.param(name, case, id=f"{name}--{case.label}")


def build_database(path: Path | None, *, filled: bool) -> duckdb.DuckDBPyConnection:
    """A database with the schema (in memory, or the file PATH) and, when FILLED, tests/fixtures/query_db.sql."""
    con = duckdb.connect() if path is None else duckdb.connect(str(path))
    db.ensure_schema(con)
    if filled:
        con.execute(QUERY_DB_SQL.read_text(encoding="utf-8"))
        est_summary.refresh(con)  # the weekly EST summary of the fixture's events, as every write keeps it
    return con


Databases = dict[str, duckdb.DuckDBPyConnection]
"""The fixture database ("fixture") and one with the schema only ("empty"), by the name the case files use."""


@pytest.fixture(scope="module")
def embedded_databases() -> Iterator[Databases]:
    """Both databases in memory on the embedded backend, shared by the module (queries only read)."""
    opened = {"fixture": build_database(None, filled=True), "empty": build_database(None, filled=False)}
    yield opened
    for con in opened.values():
        con.close()


@pytest.fixture(scope="module")
def lake_databases(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Both databases on the shared backend: built as DuckDB files, each copied into a lake of its own."""
    folder = tmp_path_factory.mktemp("query-lakes")
    opened = {}
    for kind in ("fixture", "empty"):
        source = folder / f"{kind}.duckdb"
        build_database(source, filled=kind == "fixture").close()
        opened[kind] = backends.connected(filled_lake(pg_cluster, f"query_{kind}", folder / "data", source))
    yield opened
    for con in opened.values():
        con.close()


@pytest.fixture(scope="module", params=backends.BACKENDS)
def databases(request: pytest.FixtureRequest) -> Databases:
    """Both databases on each backend in turn: every test that takes them runs on the embedded and the shared one."""
    return request.getfixturevalue("embedded_databases" if request.param == backends.EMBEDDED else "lake_databases")


# --- comparing a result with an expected CSV ---------------------------------------------------------


def _is_null(value: Any) -> bool:
    return value is None or (not isinstance(value, (list, dict)) and bool(pd.isna(value)))


def canonical(value: Any) -> str:
    """A cell as the text an expected CSV holds."""
    if _is_null(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (pd.Timestamp, datetime)):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_matches(actual: Any, expected: str) -> bool:
    """True when a result cell equals the expected CSV text (numbers within rounding)."""
    text = canonical(actual)
    if text == expected:
        return True
    if not isinstance(actual, (int, float, np.number)) or isinstance(actual, (bool, np.bool_)):
        return False
    try:
        return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    except ValueError:
        return False


def as_csv(frame: pd.DataFrame) -> str:
    """A result in the expected CSV's format, for the failure message."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow(canonical(v) for v in row)
    return out.getvalue()


def read_expected(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an expected CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def assert_rows(frame: pd.DataFrame, path: Path) -> None:
    """The result has exactly the expected CSV's columns and rows, in order."""
    header, rows = read_expected(path)
    shown = f"\n--- expected ({path.name})\n{path.read_text(encoding='utf-8')}--- actual\n{as_csv(frame)}"
    assert list(frame.columns) == header, "columns differ" + shown
    actual = [list(row) for row in frame.itertuples(index=False)]
    assert len(actual) == len(rows), f"{len(actual)} rows, expected {len(rows)}" + shown
    for number, (got, want) in enumerate(zip(actual, rows, strict=True), start=1):
        bad = [col for col, a, e in zip(header, got, want, strict=True) if not cell_matches(a, e)]
        assert not bad, f"row {number} differs in {', '.join(bad)}" + shown


def test_comparison_catches_differences() -> None:
    """The harness itself: wrong value, NULL vs 0, wrong order and wrong column name all fail."""
    frame = pd.DataFrame({"a": [1, 2], "b": [None, 0.5], "d": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    assert [canonical(v) for v in frame.iloc[0]] == ["1", "", "2025-01-01"]
    assert cell_matches(0.30000000000000004, "0.3")
    assert not cell_matches(None, "0")
    assert not cell_matches(0, "")
    assert not cell_matches(1.5, "1.6")
    assert not cell_matches(True, "1")


# --- the harness -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", queries.names())
def test_every_query_has_a_case(name: str) -> None:
    """A new query in queries/ needs expected rows here before it counts as tested."""
    assert CASES.get(name), (
        f"queries/{name}.sql has no test case: add tests/fixtures/queries/{name}--LABEL.json (its parameters) "
        f"and {name}--LABEL.csv (the rows it must return from tests/fixtures/query_db.sql)"
    )


def test_every_case_has_a_query_and_every_csv_a_case() -> None:
    """No stale cases or orphaned expected files."""
    assert set(CASES) <= set(queries.names()), "a case file names a query that queries/ does not have"
    wanted = {expected_file(name, case).name for name, cases in CASES.items() for case in cases}
    assert {p.name for p in EXPECTED_DIR.glob("*.csv")} == wanted, "every NAME--LABEL.json needs its .csv and back"


@pytest.mark.parametrize("name", queries.names())
def test_query_header(name: str) -> None:
    """First line names the query and says what it returns; documented and used parameters agree."""
    text = (config.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(f"-- {name}: ")
    query = queries.load(name)  # raises QueryError for a used but undocumented parameter
    assert query.description
    assert set(query.params) == query.used_params(), "a documented parameter is not used"
    assert all(text.strip() for text in query.params.values())


SQL_KEYWORDS = re.compile(r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY|WITH|UNION|AS|AND|OR|CASE|WHEN)\b")


@pytest.mark.parametrize("name", queries.names())
def test_query_sql_is_lowercase(name: str) -> None:
    """House style: lowercase SQL (comments and strings may say what they like)."""
    sql = queries.load(name).sql
    code = re.sub(r"--[^\n]*|'(?:[^']|'')*'", "", sql)
    assert not SQL_KEYWORDS.findall(code)


@pytest.mark.parametrize(("name", "case"), list(all_cases()))
def test_query_returns_expected_rows(
    databases: Databases, name: str, case: Case
) -> None:
    """The query returns exactly the hand-written rows."""
    path = expected_file(name, case)
    assert path.is_file(), f"expected rows missing: create {path.relative_to(config.ROOT)}"
    assert_rows(queries.run(databases[case.database], name, **case.params), path)


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_runs_on_empty_database(databases: Databases, name: str) -> None:
    """On a database with only the schema the query still runs, with the same columns."""
    case = CASES[name][0]
    header, _ = read_expected(expected_file(name, case))
    frame = queries.run(databases["empty"], name, **case.params)
    assert list(frame.columns) == header


def column_types(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, SQL type) of each column a query returns."""
    cursor = con.cursor()
    try:
        cursor.execute(queries.load(name).sql, params) if params else cursor.execute(queries.load(name).sql)
        return [(column[0], str(column[1])) for column in cursor.description]
    finally:
        cursor.close()


@pytest.mark.parametrize(("name", "case"), list(all_cases()))
def test_query_column_types_are_the_same_on_the_shared_backend(
    embedded_databases: Databases, lake_databases: Databases, name: str, case: Case
) -> None:
    """The CSV comparison reads numbers loosely (1 = 1.0) and dates as text: the lake must also give the same SQL
    types, which the pages' pandas code relies on."""
    embedded = column_types(embedded_databases[case.database], name, case.params)
    assert column_types(lake_databases[case.database], name, case.params) == embedded


# --- followup.queries.parse, load and run --------------------------------------------------------------

FIND_PLACE = """-- find_place: the place with a code
-- $code: place code
-- returns: code, name
select code, name
from place
where code = $code
order by code;
"""


def test_parse_reads_name_description_and_params() -> None:
    query = queries.parse("find_place", FIND_PLACE)
    assert query.description == "the place with a code"
    assert query.params == {"code": "place code"}
    assert query.used_params() == {"code"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "select 1",
        "\n-- find_place: a blank line first\nselect 1",
        "-- find_place a colon missing\nselect 1",
        "-- Find_Place: wrong case\nselect 1",
    ],
)
def test_parse_requires_header_first(text: str) -> None:
    with pytest.raises(queries.QueryError, match="must start with '-- find_place: "):
        queries.parse("find_place", text)


def test_parse_rejects_wrong_name() -> None:
    with pytest.raises(queries.QueryError, match="find_place"):
        queries.parse("find_place", FIND_PLACE.replace("-- find_place:", "-- place_by_code:"))


def test_parse_rejects_undocumented_parameter() -> None:
    text = FIND_PLACE.replace("order by code", "and district = $district order by code")
    with pytest.raises(queries.QueryError, match=r"\$district"):
        queries.parse("find_place", text)


def test_parse_documentation_must_be_in_header() -> None:
    """A '-- $name:' line after the SQL began does not document anything."""
    text = FIND_PLACE.replace("-- $code: place code\n", "") + "-- $code: place code\n"
    with pytest.raises(queries.QueryError, match=r"\$code"):
        queries.parse("find_place", text)


@pytest.mark.parametrize(
    "body",
    [
        "select '$price' as label",
        "select 'it''s $price' as label",
        "select 1 -- costs $price",
        "select 1 /* $price\n $more */",
        'select 1 as "$price"',
        "select '--' as a, 1 as b",
    ],
)
def test_params_in_comments_strings_and_identifiers_are_ignored(body: str) -> None:
    assert queries.parse("q", f"-- q: a test\n{body}\n").used_params() == set()


@pytest.mark.parametrize(
    "body",
    [
        # a quote in a comment must not swallow the SQL up to the next string literal
        "-- the city's goals\nselect * from goal where district = $district and scope = 'local'",
        # '--' inside a string must not comment out the rest of the line
        "select '--' as a from goal where district = $district",
        "select * from goal where district = $district -- it's $ignored",
    ],
)
def test_params_after_quotes_are_found(body: str) -> None:
    text = f"-- q: a test\n-- $district: district code\n{body}\n"
    assert queries.parse("q", text).used_params() == {"district"}
    with pytest.raises(queries.QueryError, match=r"\$district"):
        queries.parse("q", f"-- q: a test\n{body}\n")


def test_load_and_names_read_the_folder(tmp_path: Path) -> None:
    (tmp_path / "find_place.sql").write_text(FIND_PLACE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    assert queries.names(tmp_path) == ["find_place"]
    assert queries.load("find_place", tmp_path).params == {"code": "place code"}
    with pytest.raises(queries.QueryError, match="No query named 'nothing'"):
        queries.load("nothing", tmp_path)


def test_load_sees_an_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "find_place.sql"
    path.write_text(FIND_PLACE, encoding="utf-8")
    assert queries.load("find_place", tmp_path).params == {"code": "place code"}
    path.write_text(FIND_PLACE.replace("-- $code: place code", "-- $code: the place's code"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later modification time
    assert queries.load("find_place", tmp_path).params == {"code": "the place's code"}


@pytest.fixture
def place_queries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parent_con: duckdb.DuckDBPyConnection) -> Path:
    """queries/ replaced by a folder holding find_place.sql; parent_con has the place hasselby-torg."""
    (tmp_path / "find_place.sql").write_text(FIND_PLACE, encoding="utf-8")
    monkeypatch.setattr(config, "QUERIES_DIR", tmp_path)
    return tmp_path


def test_run_binds_parameters(place_queries: Path, parent_con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run(parent_con, "find_place", code="hasselby-torg")
    assert frame.to_dict("records") == [{"code": "hasselby-torg", "name": "Hässelby torg"}]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, r"missing \$code, unexpected none"),
        ({"code": "x", "district": "y"}, r"missing none, unexpected \$district"),
        ({"kod": "x"}, r"missing \$code, unexpected \$kod"),
    ],
)
def test_run_rejects_missing_and_extra_parameters(
    place_queries: Path, parent_con: duckdb.DuckDBPyConnection, params: dict[str, str], message: str
) -> None:
    with pytest.raises(queries.QueryError, match=message):
        queries.run(parent_con, "find_place", **params)


def test_run_value_cannot_inject_sql(place_queries: Path, parent_con: duckdb.DuckDBPyConnection) -> None:
    """A value is data: a quote in it finds nothing and drops nothing."""
    frame = queries.run(parent_con, "find_place", code="x'; drop table place; --")
    assert frame.empty
    assert list(frame.columns) == ["code", "name"]
    assert parent_con.execute("select count(*) from place").fetchone() == (1,)


def test_run_unknown_query(place_queries: Path, parent_con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(queries.QueryError, match="No query named 'nothing'"):
        queries.run(parent_con, "nothing")


# --- a district's places at once: the same rows as one place at a time ----------------------------------


def _same_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with every missing cell as None and a fresh index, for comparing results cell by cell."""
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


@pytest.mark.parametrize(
    ("batch", "single", "params"),
    [
        ("place_values", "scope_values", {"from": date(2019, 1, 1)}),
        ("place_values", "scope_values", {"from": date(2025, 8, 15)}),
        ("place_event_months", "scope_event_months", {}),
        ("place_targets", "scope_targets", {}),
        ("scope_activities", "scope_activities", {}),  # the district's activities hold every place's
    ],
)
def test_place_queries_give_each_places_own_rows(
    databases: Databases, batch: str, single: str, params: dict[str, Any]
) -> None:
    """pack.scope_data reads a meeting's places with one query per kind: each place's share of the district's
    result is exactly the place's own scope_* result, for every place of every district in the fixture."""
    con = databases["fixture"]
    compared = 0
    for district, place in con.execute("select district, code from place order by district, code").fetchall():
        whole = queries.run(con, batch, district=district, **({"place": ""} if batch == single else {}), **params)
        own = queries.run(con, single, district=district, place=place, **params)
        part = whole.loc[whole["place"] == place]
        if batch != single:
            part = part.drop(columns="place")
        pd.testing.assert_frame_equal(_same_cells(part), _same_cells(own), check_dtype=False)
        compared += len(own)
    assert compared > 0


@pytest.mark.parametrize(("sql", "expected"), [
    ("insert into observation (a) select a from incoming", {"observation"}),
    ("update comment set locked = true where id = $id", {"comment"}),
    ("delete from est_week where district = $d;\ninsert into est_week select * from x", {"est_week"}),
    ("merge into place_alias t using s on t.a = s.a when matched then update set b = s.b", {"place_alias"}),
    ("-- insert into event: a comment\nselect 'delete from activity' as text", set()),
    ("create or replace temp table load_diff as select * from incoming_observation", set()),
    ("copy observation from 'x.csv'", {None}),  # a write it cannot name: the lake then checks every table
])
def test_written_tables_name_what_a_statement_writes(sql: str, expected: set[str | None]) -> None:
    """The shared backend checks the schema's rules on these tables before COMMIT (followup.lake)."""
    assert queries.written_tables(sql) == expected


def test_every_write_statement_names_its_tables() -> None:
    """No statement in queries/writes/ falls back to 'every table' (that would make each write check the whole lake)."""
    unnamed = [name for name in queries.names(queries.WRITES_DIR)
               if None in queries.written_tables(queries.load(name, queries.WRITES_DIR).sql)]
    assert unnamed == []


# --- internal text: the '-- internal: true' header ------------------------------------------------------------

INTERNAL_TEXT_TABLES = frozenset({"comment", "activity", "commitment", "period_lock"})
"""The tables of the steering group's own words (analysis, action plan, commitments, who locked a period): a query
reading any of them returns internal text, or could with one more column, so it must be marked internal."""


def read_tables(sql: str) -> set[str]:
    """The base tables a query reads, from DuckDB's own parse tree (json_serialize_sql), CTE names left out."""
    tree = json.loads(duckdb.connect().execute("select json_serialize_sql($sql)", {"sql": sql}).fetchone()[0])
    assert not tree["error"], f"DuckDB cannot parse the query: {tree.get('error_message')}"
    tables: set[str] = set()
    ctes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                tables.add(node["table_name"])
            for entry in (node.get("cte_map") or {}).get("map", []):
                ctes.add(entry["key"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree["statements"])
    return tables - ctes


def test_read_tables_sees_joins_subqueries_and_ctes() -> None:
    sql = ("with c as (select body from comment) select * from c join goal g on true "
           "where exists (select 1 from activity a where a.district = $district)")
    assert read_tables(sql) == {"comment", "goal", "activity"}


@pytest.mark.parametrize("name", queries.names())
def test_a_query_of_internal_text_is_marked_internal(name: str) -> None:
    """A query that reads the steering group's words says '-- internal: true'; one that reads none of them does not,
    so the public screen hides exactly these (derived from the SQL, not from a list of query names)."""
    query = queries.load(name)
    internal_tables = read_tables(query.sql) & INTERNAL_TEXT_TABLES
    if internal_tables:
        assert query.internal, (
            f"queries/{name}.sql reads {', '.join(sorted(internal_tables))} (the steering group's internal text) "
            "but its header lacks '-- internal: true': a public screen would show it"
        )
    else:
        assert not query.internal, f"queries/{name}.sql is marked internal but reads none of {sorted(INTERNAL_TEXT_TABLES)}"


def test_the_check_would_catch_an_unmarked_query() -> None:
    query = queries.parse("notes", "-- notes: comments\n-- $district: district code\n"
                                   "select c.body from comment c where c.district = $district\n")
    assert not query.internal and read_tables(query.sql) & INTERNAL_TEXT_TABLES == {"comment"}


@pytest.mark.parametrize(("line", "internal"), [("", False), ("-- internal: true\n", True),
                                                ("-- internal: false\n", False), ("--internal:true\n", True)])
def test_parse_reads_the_internal_line(line: str, internal: bool) -> None:
    assert queries.parse("q", f"-- q: a test\n{line}select 1\n").internal is internal


@pytest.mark.parametrize("value", ["yes", "True", ""])
def test_parse_rejects_an_unclear_internal_line(value: str) -> None:
    with pytest.raises(queries.QueryError, match="internal"):
        queries.parse("q", f"-- q: a test\n-- internal: {value}\nselect 1\n")


def test_an_internal_line_after_the_header_marks_nothing() -> None:
    assert not queries.parse("q", "-- q: a test\nselect 1\n-- internal: true\n").internal


def test_public_rows_keep_an_internal_querys_columns_and_drop_its_rows() -> None:
    frame = pd.DataFrame({"body": ["internt"], "author": ["a"]})
    assert queries.public_rows("latest_comments", frame).columns.tolist() == ["body", "author"]
    assert queries.public_rows("latest_comments", frame).empty
    assert queries.public_rows("goal_overview", frame) is frame
    seen: list[str] = []

    def run(con: Any, name: str, **params: Any) -> pd.DataFrame:
        seen.append(name)
        return frame

    public = queries.public_run(run)
    assert public(None, "period_locks", district="bromma").empty
    assert public(None, "goal_overview", district="bromma") is frame
    assert seen == ["period_locks", "goal_overview"]
    assert queries.internal_names() == frozenset(
        name for name in queries.names() if read_tables(queries.load(name).sql) & INTERNAL_TEXT_TABLES)
