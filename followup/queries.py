"""Named queries: one .sql file per question in queries/, run with bound $parameters.

Each file starts with a header of comment lines:

    -- goal_overview: one row per goal with its indicator count and latest data date
    -- $district: district code; the city's goals and this district's local goals
    -- returns: priority_area_number, priority_area, goal_number, goal, indicators, latest_period

The first line names the query (it must equal the file name) and says what it returns; each
`-- $name: text` line documents a parameter. Values are always bound by DuckDB, never pasted in.

A query that returns the steering group's internal free text (comments, activities, commitments, who
locked a period) says so in its header with `-- internal: true`; a public screen and a public pack get
such a query's columns without rows (public_rows, public_run), so a new page cannot forget the rule.
tests/test_queries.py fails when a query reading those tables lacks the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from followup import config, errors, lake

_HEADER_NAME = re.compile(r"^--\s*(?P<name>[a-z0-9_]+)\s*:\s*(?P<text>.+)$")
_HEADER_PARAM = re.compile(r"^--\s*\$(?P<name>[a-z_][a-z0-9_]*)\s*:\s*(?P<text>.+)$")
_HEADER_INTERNAL = re.compile(r"^--\s*internal\s*:\s*(?P<value>.*?)\s*$")
# one left-to-right scan, so a quote inside a comment or '--' inside a string cannot hide a $parameter
_SQL_TOKEN = re.compile(
    r"--[^\n]*"  # line comment
    r"|/\*.*?\*/"  # block comment
    r"|'(?:[^']|'')*'"  # string literal
    r'|"(?:[^"]|"")*"'  # quoted identifier
    r"|\$(?P<param>[a-z_][a-z0-9_]*)",
    re.DOTALL,
)


class QueryError(errors.Defect):
    """A named query is missing, badly documented, or called with the wrong parameters."""


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    sql: str
    params: dict[str, str] = field(default_factory=dict)  # documented: name -> description
    internal: bool = False  # returns internal free text: a public screen gets no rows (header '-- internal: true')

    def used_params(self) -> set[str]:
        """The $parameters the SQL body uses (comments and string literals excluded)."""
        return {m["param"] for m in _SQL_TOKEN.finditer(self.sql) if m["param"]}


def parse(name: str, text: str) -> Query:
    """Read a query file's header; raise QueryError when it is missing or wrong."""
    lines = text.splitlines()
    first = _HEADER_NAME.match(lines[0].strip()) if lines else None
    if not first or first["name"] != name:
        raise QueryError(f"queries/{name}.sql must start with '-- {name}: what it returns'")
    params: dict[str, str] = {}
    internal = False
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        match = _HEADER_PARAM.match(stripped)
        if match:
            params[match["name"]] = match["text"].strip()
        flag = _HEADER_INTERNAL.match(stripped)
        if flag:
            if flag["value"] not in ("true", "false"):
                raise QueryError(f"queries/{name}.sql: '-- internal:' must be 'true' or 'false', not {flag['value']!r}")
            internal = flag["value"] == "true"
    query = Query(name=name, description=first["text"].strip(), sql=text, params=params, internal=internal)
    undocumented = query.used_params() - params.keys()
    if undocumented:
        raise QueryError(
            f"queries/{name}.sql uses {', '.join('$' + p for p in sorted(undocumented))} "
            "without a '-- $name: description' line in its header"
        )
    return query


def load(name: str, folder: Path | None = None) -> Query:
    """The named query from queries/NAME.sql (re-read when the file changes)."""
    path = (folder or config.QUERIES_DIR) / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"No query named '{name}': expected the file {path}")
    return _load_file(path, path.stat().st_mtime_ns)


@cache
def _load_file(path: Path, mtime_ns: int) -> Query:
    """Parse one query file; cached per modification time."""
    return parse(path.stem, path.read_text(encoding="utf-8-sig"))


def names(folder: Path | None = None) -> list[str]:
    """All query names, sorted."""
    return sorted(p.stem for p in (folder or config.QUERIES_DIR).glob("*.sql"))


def internal_names(folder: Path | None = None) -> frozenset[str]:
    """The queries whose header marks them internal (they return the steering group's free text)."""
    return frozenset(name for name in names(folder) if load(name, folder).internal)


Runner = Callable[..., pd.DataFrame]
"""How the core reads a named query: run(con, name, **params) -> rows; run below, or a cached one (the app's)."""


def public_rows(name: str, result: pd.DataFrame) -> pd.DataFrame:
    """Query NAME's RESULT as a public screen may see it: an internal query's columns without rows.

    The one place the public screen's rule is applied: the app's query() and public_run() both call it.
    """
    return result.iloc[0:0] if load(name).internal else result


def public_run(run: Runner) -> Runner:
    """RUN for a public screen or pack: internal queries answer with no rows, the others as usual."""
    return lambda con, name, **params: public_rows(name, run(con, name, **params))


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """Run a named query on its own cursor with bound parameters and return a DataFrame."""
    query = load(name)
    wanted = query.used_params()
    missing, extra = wanted - params.keys(), params.keys() - wanted
    if missing or extra:
        raise QueryError(
            f"Query '{name}' takes {_dollars(wanted) or 'no parameters'}; "
            f"missing {_dollars(missing) or 'none'}, unexpected {_dollars(extra) or 'none'}"
        )
    cursor = con.cursor()
    try:
        return cursor.execute(query.sql, params).df() if params else cursor.execute(query.sql).df()
    finally:
        cursor.close()


WRITES_DIR = config.QUERIES_DIR / "writes"
"""Statements that change data (loads, undo): run by execute() inside the caller's transaction."""


_WRITE_TARGET = re.compile(  # not MERGE's or ON CONFLICT's 'update set'
    r"\b(?:insert\s+into|update|delete\s+from|merge\s+into)\s+(?!set\b)(?P<table>[a-z_][a-z0-9_]*)")
_TEMP_TABLE = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?temp(?:orary)?\s+table\b")  # the transaction's own scratch
_WRITE_WORD = re.compile(r"\b(?:insert|update|delete|merge|copy|alter|drop|create|truncate)\b")


def written_tables(sql: str) -> set[str | None]:
    """The tables a statement writes (comments and string literals ignored); None when it writes something
    this cannot name, so the shared backend then checks every table."""
    code = _TEMP_TABLE.sub(" ", _SQL_TOKEN.sub(lambda m: " $p " if m["param"] else " ", sql).lower())
    targets: set[str | None] = {m["table"] for m in _WRITE_TARGET.finditer(code)}
    if not targets and _WRITE_WORD.search(code):
        targets.add(None)
    return targets


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Run queries/writes/NAME.sql on CON itself (the caller's transaction) with bound parameters."""
    query = load(name, WRITES_DIR)
    wanted = query.used_params()
    if wanted != params.keys():
        raise QueryError(
            f"Statement '{name}' takes {_dollars(wanted) or 'no parameters'}; got {_dollars(set(params)) or 'none'}"
        )
    for table in written_tables(query.sql):
        lake.note_write(con, table)  # the shared backend checks the schema's rules on these before COMMIT
    return con.execute(query.sql, params) if params else con.execute(query.sql)


def next_id(con: duckdb.DuckDBPyConnection, sequence: str) -> int:
    """The next id of SEQUENCE (e.g. 'activity_id') in the caller's transaction, for an insert that names it."""
    (value,) = execute(con, "next_id", sequence=sequence).fetchone()
    return int(value)


def _dollars(items: set[str]) -> str:
    return ", ".join("$" + p for p in sorted(items))
