"""Hostile input (issue 7, safety): the corpus of tests/fixtures/hostile/payloads.json in every text field.

- HTML, JavaScript and Markdown in activities, comments, commitments, place names and file names are shown as
  text: components.plain escapes every character Markdown or HTML would act on, and the pages (AppTest) never
  carry a payload unescaped (the browser check is tests/test_e2e_hostile.py).
- Spreadsheet formulas in text reaching CSV or Excel are neutralised (a leading apostrophe), numbers stay numbers,
  and no cell of any workbook is a formula.
- Control characters reach no PPTX/XLSX writer (a bell in a chart title used to crash build_deck).
- SQL fragments in every named query's parameters and in every URL query parameter are bound: they behave like
  any unknown value, the page answers with its usual notice and the database is unchanged; no SQL is built by
  formatting user values.
- Uploads: a file name with a path, NUL or 5 000 characters is only ever text (recorded without path and control
  characters, shortened); a file over the size limit, or a workbook that would unpack to gigabytes, is refused
  with a Swedish message before it is read.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from followup import access, actionplan, comments, commitments, config, db, imports, pack, queries
from followup.export import FORMULA_START, deck, tables, workbook
from followup.fmt import printable
from followup.imports import aliases, base, tabular
from followup.model import ActivityStatus, Grain, PreventionLevel, PreventionType, Unit
from followup.pack import CHART_COLUMNS, ChartData, Pack, Slide, SlideKind, StatusLine
from followup.periods import Period, parse_period
from followup.status import Trend
from table_state import copy_database, table_checksums
from tests import app_support
from webapp.components import plain, verbatim

CORPUS: dict[str, Any] = json.loads(
    (config.ROOT / "tests" / "fixtures" / "hostile" / "payloads.json").read_text(encoding="utf-8"))
HTML: list[str] = CORPUS["html"]
MARKDOWN: list[str] = CORPUS["markdown"]
FORMULAS: list[str] = CORPUS["formula"]
CONTROLS: list[str] = CORPUS["control"]
SQL: list[str] = CORPUS["sql"]
FILE_NAMES: list[str] = [*CORPUS["file_names"], "lång" * 1250 + ".csv"]

USER = access.local("test")
HV, HV_NAME = "hasselby-vallingby", "Hässelby-Vällingby"
PERIOD = parse_period("2025-T2")
GOAL, INDICATOR, PLACE = "pa2-3", "anmalda-brott-omrade", "hasselby-torg"
MARKERS = ("__pwned", "hostile.invalid", "javascript:")
"""What a payload carries that escaped Markdown never shows as such ('_', '.' and ':' are escaped)."""
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "error", "info", "success", "warning",
                     "toast")
RUN_TIMEOUT = 120  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
CSV_HEADER = "indikator;område;plats;period;värde;n\n"

pytestmark = pytest.mark.usefixtures("fresh_caches")


def csv_file(*rows: str) -> bytes:
    """An observation CSV as Swedish Excel writes it."""
    return ("\ufeff" + CSV_HEADER + "".join(f"{row}\n" for row in rows)).encode("utf-8")


# --- the stored payloads ------------------------------------------------------------------------------------


def activity_titles() -> list[str]:
    """An activity per HTML and Markdown payload, one per formula and one per control character."""
    return ([f"Insats {n} {html} {md}" for n, (html, md) in enumerate(zip(HTML, MARKDOWN, strict=True))]
            + [*FORMULAS, *(f"Kontroll {text}" for text in CONTROLS)])


def stored_titles() -> list[str]:
    """The titles as the core stores them (trimmed: a leading tab or return goes)."""
    return [title.strip() for title in activity_titles()]


COMMENT = "Styrgruppens analys\n" + "\n".join(HTML + MARKDOWN) + "\n=HYPERLINK(\"http://hostile.invalid\")"
INDICATOR_COMMENT = f"Nyckeltalets kommentar {HTML[0]} {MARKDOWN[1]}"
COMMITMENTS = [(f"Åtagande {html} {md}", f"Ansvarig {html}") for html, md in zip(HTML, MARKDOWN, strict=True)]
ALIASES = ["Torget <img src=x onerror=\"window.__pwned=1\">", "Gränd [klicka](javascript:window.__pwned=1)",
           "Plan ![bild](http://hostile.invalid/a.png)", "Ort **fet** &lt;b&gt;"]
LOADED_NAME = HTML[0] + ".csv"


def store_payloads(con: duckdb.DuckDBPyConnection) -> None:
    """Write the corpus through the core, as the forms and the Data page do."""
    for number, title in enumerate(activity_titles()):
        actionplan.add_activity(
            con, user=USER, district=HV, title=title, lead_org=f"Ansvarig {HTML[number % len(HTML)]}",
            partners=MARKDOWN[number % len(MARKDOWN)], description=f"Beskrivning {title}",
            prevention_type=PreventionType.SITUATIONAL, level=PreventionLevel.UNIVERSAL,
            status=ActivityStatus.ONGOING, goals=[GOAL], place=PLACE, start_date=date(2025, 5, 1 + number % 28))
    comments.add_comment(con, user=USER, district=HV, period_start=PERIOD.start, grain=PERIOD.grain,
                         body=INDICATOR_COMMENT, indicator=INDICATOR)
    comments.add_comment(con, user=USER, district=HV, period_start=PERIOD.start, grain=PERIOD.grain, body=COMMENT,
                         goal=GOAL)
    for what, who in COMMITMENTS:
        commitments.add_commitment(con, user=USER, district=HV, meeting_date=date(2025, 6, 1), what=what, who=who,
                                   goal=GOAL)
    for alias in ALIASES:
        aliases.add_alias(con, user=USER, alias=alias, district=HV, place=PLACE)
    imports.load_file(con, csv_file(f"{INDICATOR};Bromma;;2025-11;12;"), LOADED_NAME, user=USER)


@pytest.fixture(scope="module")
def hostile_db_path(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo database with the corpus stored in every free-text field. Read it, never write."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    copy_database(demo_db_path, path)
    with closing(db.open_database(path)) as con:
        store_payloads(con)
        con.execute("checkpoint")
    return path


@pytest.fixture
def hostile_db(hostile_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FOLLOWUP_DB pointed at the hostile database for an AppTest."""
    monkeypatch.setenv(config.DB_ENV, str(hostile_db_path))
    return hostile_db_path


# --- Markdown: components.plain -----------------------------------------------------------------------------

ACTIVE = set("\\`*_{}[]()<>#+-.!|:~$=^&")
"""Characters Markdown, HTML or Streamlit's :colour[…], :icon: and $maths$ act on."""


@pytest.mark.parametrize("text", [*HTML, *MARKDOWN, *FORMULAS, *CONTROLS, *SQL])
def test_plain_escapes_every_active_character_and_nothing_else(text: str) -> None:
    escaped = plain(text)
    assert not ACTIVE & set(re.sub(r"\\.", "", escaped, flags=re.DOTALL))  # none left unescaped
    assert re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL) == text  # and the reader sees the text as written


# --- the pages in AppTest -----------------------------------------------------------------------------------


def walk(node: Any) -> Iterator[Any]:
    """Every element of an AppTest tree."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def markdown_texts(at: AppTest) -> list[str]:
    """Everything the page hands Streamlit as Markdown: element bodies, alerts and labels (labels are Markdown)."""
    found = []
    for node in walk(at._tree):
        if getattr(node, "type", None) in MARKDOWN_ELEMENTS:
            found.append(str(node.value))
        for name in ("label", "help", "placeholder"):
            try:
                value = getattr(node, name, None)
            except (AttributeError, TypeError, ValueError):
                continue
            if isinstance(value, str):
                found.append(value)
    return found


def data_texts(at: AppTest) -> list[str]:
    """Text that Streamlit shows as data, never as Markdown: table cells and select box options."""
    found = []
    for frame in at.dataframe:
        found += [str(value) for value in frame.value.to_numpy().ravel()]
    for box in [*at.selectbox, *at.multiselect]:
        found += [str(option) for option in box.options]
    return found


def chart_specs(at: AppTest) -> list[str]:
    """The Plotly figures' JSON."""
    return [node.proto.spec for node in walk(at._tree) if getattr(node, "type", None) == "plotly_chart"]


def assert_shown_as_text(at: AppTest, *expected: str) -> None:
    """No payload reaches Markdown unescaped or a chart as HTML, and each EXPECTED text is on the page as written."""
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_texts(at)
    for text in texts + [str(node.proto.body) for node in walk(at._tree) if getattr(node, "type", None) == "html"]:
        assert not [m for m in MARKERS if m in text], text
    for spec in chart_specs(at):
        assert "<img" not in spec and "<script" not in spec and "<svg" not in spec
    markdown = [text.replace("  \n", "\n") for text in texts]
    data = data_texts(at)
    for written in expected:
        text = printable(written)  # the core stores free text without control characters (steering.text)
        escaped = plain(text)
        assert any(escaped in shown for shown in markdown) or any(text in shown for shown in data), text


def open_page(page: str, **params: str) -> AppTest:
    """The app on PAGE with the URL's query parameters, run once; it must not raise."""
    return app_support.open_page(page, timeout=RUN_TIMEOUT, **params)


def test_handlingsplan_shows_activities_as_text(hostile_db: Path) -> None:
    at = open_page("views/handlingsplan.py", omrade=HV_NAME)
    assert_shown_as_text(at, *stored_titles(), f"Ansvarig {HTML[0]}", MARKDOWN[1])
    rows = at.dataframe[0].value
    number = int(rows.loc[rows["Insats"] == stored_titles()[0], "Nr"].iloc[0])
    at.selectbox(key="valj-insats").set_value(number).run()  # its edit form, prefilled
    assert at.text_input(key=f"andra-{number}-title").value == stored_titles()[0]
    assert_shown_as_text(at, f"{number}: {stored_titles()[0]}")  # the picker's option: plain text


def test_styrgruppen_shows_comments_and_commitments_as_text(hostile_db: Path) -> None:
    at = open_page("views/styrgrupp.py", omrade=HV_NAME)
    assert_shown_as_text(at, COMMENT, *(what for what, _ in COMMITMENTS), *(who for _, who in COMMITMENTS))


def test_prioriterat_omrade_shows_comments_and_activities_as_text(hostile_db: Path) -> None:
    at = open_page("views/omrade.py", omrade=HV_NAME, prio="2. Otrygga och brottsutsatta platser")
    assert_shown_as_text(at, COMMENT, activity_titles()[0])


def test_platser_shows_activities_and_place_names_as_text(hostile_db: Path) -> None:
    at = open_page("views/platser.py", omrade=HV_NAME, plats="Hässelby torg", vy="Plats")
    assert_shown_as_text(at, activity_titles()[1])


def test_mote_slides_show_user_text_as_text(hostile_db_path: Path, hostile_db: Path) -> None:
    with closing(duckdb.connect(str(hostile_db_path), read_only=True)) as con:
        items = pack.build_agenda(con, HV, PERIOD).items
    number = {(item.kind, item.key): n for n, item in enumerate(items, start=1)}
    slides = {
        number[(SlideKind.AREA, "otrygga-platser")]: [COMMENT.splitlines()[-1]],
        number[(SlideKind.PLACE, PLACE)]: [],
        number[(SlideKind.ACTION_PLAN, "")]: stored_titles(),
        number[(SlideKind.COMMITMENTS, "")]: [what for what, _ in COMMITMENTS],
    }
    for slide, expected in slides.items():
        at = open_page("views/mote.py", omrade=HV_NAME, period=PERIOD.code, bild=str(slide))
        assert_shown_as_text(at, *expected)


def test_data_page_shows_file_and_place_names_as_text(hostile_db: Path) -> None:
    at = open_page("views/data.py")
    assert_shown_as_text(at, LOADED_NAME, *ALIASES)
    at.selectbox(key="data_alias_filter").set_value(HV).run()
    at.selectbox(key="data_alias_remove_choice").set_value(ALIASES[1]).run()
    next(b for b in at.button if b.label == "Ta bort namn …").click().run()
    confirm = next(b for b in at.button if b.key == "data_alias_remove_confirm")
    assert confirm.label == f"Ja, ta bort ”{plain(ALIASES[1])}”"  # a button's label is Markdown too
    assert_shown_as_text(at, ALIASES[1])


# --- uploads ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILE_NAMES)
def test_a_file_name_is_recorded_as_text_without_path_or_control_characters(name: str, reference_db_copy: Path) -> None:
    label = base.file_label(name)
    assert label and len(label) <= base.MAX_NAME_CHARS and not set(label) & set("/\\\x00\u202e")
    assert label == base.file_label(label)  # the label is its own label: shown and recorded the same
    folder = reference_db_copy.parent
    before = sorted(p.name for p in folder.iterdir())
    outside = sorted(Path("/tmp").glob("hostile*"))
    with closing(db.open_database(reference_db_copy)) as con:
        result = imports.load_file(con, csv_file(f"{INDICATOR};Bromma;;2025-11;12;"), name, user=USER)
        assert con.execute("select file_name from import_log where id = ?", [result.load_id]).fetchone() == (label,)
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".wal")) == [
        n for n in before if not n.endswith(".wal")]  # nothing but the database was written
    assert sorted(Path("/tmp").glob("hostile*")) == outside  # nor where the name points


def test_a_long_or_pathy_name_is_cut_keeping_its_extension() -> None:
    assert base.file_label("../../x.csv") == "x.csv" and base.file_label("C:\\Users\\a\\b.xlsx") == "b.xlsx"
    long = base.file_label("å" * 5000 + ".xlsx")
    assert len(long) == base.MAX_NAME_CHARS and long.endswith("….xlsx")
    assert base.file_label("\x00\u202e") == "namnlös fil"


UPLOADABLE = [name for name in FILE_NAMES if "\x00" not in name and name.endswith(".csv")]
"""The names a browser can send and the uploader accepts (Streamlit refuses a NUL and other extensions itself)."""


@pytest.mark.parametrize("name", UPLOADABLE)
def test_data_page_shows_an_uploaded_files_name_as_text(name: str, reference_db_copy: Path) -> None:
    at = open_page("views/data.py")
    at.file_uploader[0].upload(name, csv_file(f"{INDICATOR};Bromma;;2025-11;12;"), "text/csv").run()
    label = base.file_label(name)
    assert_shown_as_text(at, label)
    assert any(sub.value == f"Förhandsgranskning: {plain(label)}" for sub in at.subheader)
    next(b for b in at.button if b.label == "Läs in").click().run()
    assert_shown_as_text(at, label)
    assert label in data_texts(at)  # the history table


def test_an_unreadable_upload_with_a_hostile_name_is_refused_as_text(reference_db_copy: Path) -> None:
    at = open_page("views/data.py")
    at.file_uploader[0].upload(FILE_NAMES[4], csv_file("<script>window.__pwned=1</script>;Bromma;;2025-11;12;"),
                               "text/csv").run()
    assert_shown_as_text(at, base.file_label(FILE_NAMES[4]), "<script>window.__pwned=1</script>")
    assert at.error and "Inget har lästs in" in at.error[0].value


class Huge(bytes):
    """Bytes that claim to be one byte over the limit, so the real check runs without 50 MB in memory."""

    def __len__(self) -> int:
        return base.MAX_FILE_BYTES + 1


def test_a_file_over_the_limit_is_refused_in_swedish_before_it_is_read(reference_db_copy: Path) -> None:
    with closing(db.open_database(reference_db_copy)) as con:
        before = table_checksums(con)
        with pytest.raises(imports.LoadRefused) as refused:
            imports.parse(Huge(b"indikator;"), "stor.csv", imports.catalogue(con))
        assert table_checksums(con) == before
    [problem] = refused.value.problems
    assert problem.file == "stor.csv" and problem.row is None
    assert problem.message == ("filen är för stor: 50,1 MB, och största tillåtna storlek är 50 MB. Dela upp den i "
                               "flera filer (till exempel en per år) och ladda dem var för sig.")
    assert base.size_problem(base.MAX_FILE_BYTES) is None


def test_the_upload_limit_of_streamlit_is_the_importers() -> None:
    settings = tomllib.loads((config.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["maxUploadSize"] * base.MIB == base.MAX_FILE_BYTES


def test_the_command_line_refuses_a_file_over_the_limit(reference_db_copy: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from followup import cli

    file = tmp_path / "stor.csv"
    file.write_bytes(csv_file(*[f"{INDICATOR};Bromma;;2025-11;12;"] * 100))
    monkeypatch.setattr(cli, "COMMAND_LINE_LIMITS", base.ReadLimits(file_bytes=1000, rows=base.COMMAND_LINE_ROWS))
    with closing(db.open_database(reference_db_copy)) as con:
        before = table_checksums(con)
    with monkeypatch.context() as patched:  # refused by its size, before it is read into memory
        patched.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self.name} was read before the size check"))
        assert cli.main(["load", str(file)]) != 0
    err = capsys.readouterr().err
    assert "stor.csv lästes inte in; databasen är oförändrad." in err and "största tillåtna storlek" in err
    with closing(db.open_database(reference_db_copy)) as con:
        assert table_checksums(con) == before


def zip_bomb(unpacked: int) -> bytes:
    """A valid .xlsx whose sheet XML is UNPACKED bytes of white space (it zips to almost nothing)."""
    book = openpyxl.Workbook()
    book.active.append(["indikator", "område", "period", "värde"])
    plain_book = io.BytesIO()
    book.save(plain_book)
    out = io.BytesIO()
    with zipfile.ZipFile(plain_book) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * unpacked)
            target.writestr(item.filename, data)
    return out.getvalue()


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 2 * base.MIB)
    assert tabular.file_kind(zip_bomb(base.MIB), "liten.xlsx") == "xlsx"
    bomb = zip_bomb(3 * base.MIB)
    assert len(bomb) < 50_000
    with pytest.raises(imports.LoadRefused) as refused:
        tabular.file_kind(bomb, "bomb.xlsx")
    assert refused.value.problems[0].message.startswith("arbetsboken packas upp till 3,1 MB, mer än de 2 MB")


# --- SQL fragments -------------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "district": HV, "goal": GOAL, "place": PLACE, "status": "", "indicator": INDICATOR, "on": date(2025, 10, 31),
    "from": date(2024, 1, 1), "to": date(2025, 10, 31), "limit": 10, "districts": [HV], "places": [PLACE],
    "crimes": "anmalda-brott-plats", "grain": Grain.MONTH.value,
}
"""A valid value for every parameter name of the named queries."""


def query_cases() -> list[tuple[str, str]]:
    """(query, parameter) for every text or list parameter of every named query."""
    cases = []
    for name in queries.names():
        for param in sorted(queries.load(name).used_params()):
            if isinstance(VALID[param], str | list):
                cases.append((name, param))
    return cases


def outcome(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame | str:
    """A query's rows, or the kind of error it raised."""
    try:
        return queries.run(con, name, **params)
    except duckdb.Error as error:
        return type(error).__name__


def same(left: pd.DataFrame | str, right: pd.DataFrame | str) -> bool:
    """Whether two outcomes agree (frames cell by cell, missing values alike)."""
    if isinstance(left, pd.DataFrame) and isinstance(right, pd.DataFrame):
        return left.equals(right)
    return left == right


@pytest.mark.parametrize(("name", "param"), query_cases())
def test_sql_in_a_query_parameter_is_only_an_unknown_value(name: str, param: str, hostile_db_path: Path) -> None:
    with closing(duckdb.connect(str(hostile_db_path), read_only=True)) as con:
        before = table_checksums(con)
        params = {p: VALID[p] for p in queries.load(name).used_params()}
        unknown = ["okand-kod"] if isinstance(VALID[param], list) else "okand-kod"
        expected = outcome(con, name, **{**params, param: unknown})
        for payload in SQL:
            hostile = [payload] if isinstance(VALID[param], list) else payload
            assert same(outcome(con, name, **{**params, param: hostile}), expected), payload
        assert table_checksums(con) == before


PAGE_PARAMS: dict[str, tuple[str, dict[str, str]]] = {
    "oversikt": ("views/oversikt.py", {"omrade": SQL[0]}),
    "omrade": ("views/omrade.py", {"omrade": HV_NAME, "prio": SQL[0], "fran": SQL[1], "till": SQL[2]}),
    "platser": ("views/platser.py", {"omrade": HV_NAME, "plats": SQL[0], "vy": SQL[3], "fran": SQL[1]}),
    "platser-jamfor": ("views/platser.py", {"omrade": HV_NAME, "vy": "Jämför platser", "platser": SQL[6],
                                            "indikator": SQL[5], "till": SQL[4]}),
    "trender": ("views/trender.py", {"omrade": HV_NAME, "indikator": SQL[0], "omraden": SQL[2], "platser": SQL[6],
                                     "niva": SQL[3], "glidande": SQL[5], "invanare": SQL[1], "fjol": SQL[2],
                                     "fran": SQL[1], "till": SQL[0]}),
    "handlingsplan": ("views/handlingsplan.py", {"omrade": HV_NAME, "mal": SQL[0], "plats": SQL[2], "status": SQL[5]}),
    "styrgrupp": ("views/styrgrupp.py", {"omrade": SQL[2]}),
    "mote": ("views/mote.py", {"omrade": HV_NAME, "period": SQL[1], "bild": SQL[4]}),
    "data": ("views/data.py", {"flik": SQL[0], "omrade": SQL[6]}),
}
"""Every query parameter each page reads, set to an SQL fragment (Platser runs only its open tab: two cases)."""
NO_NOTICE = {"vy", "flik"}
"""Tabs bound to the URL: an unknown value simply opens the first tab."""


def app_checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Table checksums read through the app's own cached connection (one DuckDB instance per file)."""
    from webapp import state

    with closing(state.connection(str(path.resolve())).cursor()) as cursor:
        return table_checksums(cursor)


@pytest.mark.parametrize("case", sorted(PAGE_PARAMS))
def test_sql_in_the_address_gets_the_pages_notice_and_changes_nothing(case: str, hostile_db: Path) -> None:
    before = app_checksums(hostile_db)
    page, params = PAGE_PARAMS[case]
    at = open_page(page, **params)
    assert_shown_as_text(at)
    notices = " ".join(info.value for info in at.info)
    for key, value in params.items():
        if value in SQL and key not in NO_NOTICE:
            assert verbatim(value) in notices, (key, notices)  # a code span: shown as written, never a link
    at.run()  # and again, as a click would
    assert not at.exception
    assert app_checksums(hostile_db) == before


ALLOWED_FORMATTED_SQL = {
    ("followup/reference.py", "load_reference"), ("followup/reference.py", "add_missing"),
    ("followup/db.py", "ensure_schema"),
    # the shared backend: identifiers derived from schema.sql (id sequences, tables, columns), database aliases
    # the code names, integers, and the operator's own configuration (the lake URL, its data folder, a file path
    # given to `copy`) quoted as literals, since ATTACH and CREATE SEQUENCE take no bound parameters
    ("followup/lake.py", "_start_sequences"), ("followup/lake.py", "create"),
    ("followup/transfer.py", "_attach"), ("followup/transfer.py", "_copy_table"), ("followup/transfer.py", "_empty_tables"),
    ("followup/transfer.py", "_require_counts"), ("followup/transfer.py", "_require_current"),
    ("followup/transfer.py", "_require_valid"), ("followup/transfer.py", "_schema_continuing"),
    ("followup/transfer.py", "_writing"), ("followup/transfer.py", "fill_if_empty"),
    ("followup/transfer.py", "upgrade_lake"),
}
"""Functions that format SQL, each from constant table names, schema identifiers, a schema version number or the
operator's configuration, never from a user's input."""


def formatted_sql_calls() -> set[tuple[str, str]]:
    """(file, function) of every execute()/sql() call in the product whose SQL is an f-string, a format() or %."""
    found = set()
    files = [*sorted((config.ROOT / "followup").rglob("*.py")), *sorted((config.ROOT / "webapp").rglob("*.py")),
             *sorted((config.ROOT / "views").glob("*.py")), config.ROOT / "dashboard.py"]
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
            formatted = {id(n) for n in ast.walk(function) if isinstance(n, ast.JoinedStr)
                         or (isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod))
                         or (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "format")}
            for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                if isinstance(call.func, ast.Attribute) and call.func.attr in ("execute", "sql", "query", "executemany"):
                    sql = call.args[0] if call.args else None
                    if sql is not None and any(id(n) in formatted for n in ast.walk(sql)):
                        found.add((file.relative_to(config.ROOT).as_posix(), function.name))
    return found


def html_calls() -> list[tuple[str, int, str]]:
    """(file, line, source) of every st.html call and every unsafe_allow_html argument in the product."""
    found = []
    files = [*sorted((config.ROOT / "followup").rglob("*.py")), *sorted((config.ROOT / "webapp").rglob("*.py")),
             *sorted((config.ROOT / "views").glob("*.py")), config.ROOT / "dashboard.py"]
    for file in files:
        text = file.read_text(encoding="utf-8")
        for call in [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)]:
            named = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            unsafe = [k for k in call.keywords if k.arg == "unsafe_allow_html"]
            if named == "html" or unsafe:
                found.append((file.relative_to(config.ROOT).as_posix(), call.lineno, ast.get_source_segment(text, call)))
    return found


STATIC_HTML = re.compile(r'st\.html\(config\.ROOT( / "[\w.-]+")+\)')
"""The one allowed shape: st.html of a file of the product's own (a stylesheet under static/), never user text."""


def test_html_is_only_ever_the_products_own_files() -> None:
    calls = html_calls()
    assert all(STATIC_HTML.fullmatch(source or "") for _, _, source in calls), calls
    assert STATIC_HTML.fullmatch('st.html(config.ROOT / "static" / "focus.css")')
    assert not STATIC_HTML.fullmatch("st.html(comment)") and not STATIC_HTML.fullmatch('st.html(f"<p>{text}</p>")')


def test_no_sql_is_built_by_formatting_outside_the_known_constant_cases() -> None:
    found = formatted_sql_calls()
    assert found <= ALLOWED_FORMATTED_SQL, found - ALLOWED_FORMATTED_SQL
    assert ("followup/reference.py", "load_reference") in found  # the scan sees the known case


# --- exports -----------------------------------------------------------------------------------------------

TEXTS = [*FORMULAS, *CONTROLS, *HTML]


def hostile_chart(key: str, title: str, scope: str) -> ChartData:
    """A chart whose title, scope and period labels are hostile, with a negative value and a gap."""
    periods = [Period(date(2025, month, 1), Grain.MONTH) for month in (5, 6, 7)]
    frame = pd.DataFrame({"period_start": [p.start for p in periods], "period": [f"{p.label}\x07" for p in periods],
                          "value": pd.Series([-1.5, None, 12.0], dtype=object),
                          "last_year": pd.Series([2.0, 3.0, None], dtype=object),
                          "target": pd.Series([None] * 3, dtype=object)}, columns=list(CHART_COLUMNS))
    return ChartData(key=key, title=title, indicator=key, indicator_row={}, unit=Unit.INDEX, sensitive=False,
                     grain=Grain.MONTH, scope_name=scope, frame=frame, source=f"Källa {CONTROLS[0]}",
                     data_date=date(2025, 7, 31), assessment_text=f"Bedömning {CONTROLS[1]} {FORMULAS[0]}")


def hostile_pack() -> Pack:
    """A Pack with a payload in every text a writer draws."""
    lines = tuple(StatusLine(text, Trend.UNCHANGED, text) for text in TEXTS[:6])
    table = pd.DataFrame({"Insats": TEXTS, "Ansvarig": [f"{t} Org" for t in TEXTS], "Status": ["Pågår"] * len(TEXTS),
                          "Antal": [-1.5] * len(TEXTS)})
    charts_ = (hostile_chart("a", f"Diagram {CONTROLS[0]} {CONTROLS[1]}", "Torget\x07"),
               hostile_chart("b", FORMULAS[1], FORMULAS[0]))  # the scope is a series name: =HYPERLINK(…)
    slides = (
        Slide(SlideKind.TITLE, f"Titel {CONTROLS[0]}", f"Undertitel {CONTROLS[1]}", footer=FORMULAS[2]),
        Slide(SlideKind.AREA, f"2. Område {CONTROLS[2]}", FORMULAS[1], Trend.IMPROVING, CONTROLS[3], lines, charts_,
              comment="\n".join(TEXTS), footer=f"Sidfot {CONTROLS[4]}", note=FORMULAS[3]),
        Slide(SlideKind.ACTION_PLAN, f"Handlingsplan {CONTROLS[5]}", table=table, footer=CONTROLS[6]),
    )
    return Pack(HV, f"Hässelby {CONTROLS[0]}", PERIOD, date(2025, 7, 31), True, slides)


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_parts(data: bytes) -> dict[str, str]:
    """The XML parts of an Office file, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")}


def assert_no_formula(data: bytes, *, guarded: bool = True) -> None:
    """No cell of the workbook is a formula and (GUARDED: our exports) no text cell starts like one."""
    assert not [name for name, xml in xml_parts(data).items() if "<f>" in xml or "<f " in xml]
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not (guarded and cell.value.startswith(FORMULA_START)), (sheet.title, cell.coordinate,
                                                                                     cell.value)
                    assert not CONTROL.search(cell.value), (sheet.title, cell.coordinate, cell.value)


def test_the_deck_holds_hostile_text_without_control_characters() -> None:
    data = deck.build_deck(hostile_pack(), today=date(2025, 9, 1))
    parts = xml_parts(data)
    assert not [name for name, xml in parts.items() if CONTROL.search(xml)]
    slides = " ".join(xml for name, xml in parts.items() if name.startswith(("ppt/slides/", "ppt/notesSlides/")))
    assert "Diagram klocka nultecken" in parts[next(n for n in parts if n.startswith("ppt/charts/chart"))]
    assert "Titel klocka" in slides and "=HYPERLINK(" in slides  # a slide is no spreadsheet: shown as written
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in slides  # XML-escaped text, never markup


def test_the_charts_embedded_workbooks_hold_no_formula() -> None:
    data = deck.build_deck(hostile_pack())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        embedded = [archive.read(name) for name in archive.namelist() if name.endswith(".xlsx")]
    assert embedded
    for book in embedded:  # a chart's names as PowerPoint shows them: string cells, never formulas
        assert_no_formula(book, guarded=False)


def test_the_deck_of_a_template_holds_hostile_text() -> None:
    template = deck.build_deck(replace(hostile_pack(), slides=hostile_pack().slides[:1]))
    assert deck.build_deck(hostile_pack(), template=template)


def test_the_year_end_workbook_neutralises_formulas_and_drops_control_characters() -> None:
    data = workbook.year_end_workbook(hostile_pack(), today=date(2025, 9, 1))
    assert_no_formula(data)
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert "'=HYPERLINK(\"http://hostile.invalid\",\"klicka\")" in values and "'-1+1" in values
    assert "Kontroll" not in values and "klocka" in values and "nultecken" in values
    assert all(not CONTROL.search(name) for name in book.sheetnames)


def test_the_chart_tables_neutralise_formulas_and_keep_numbers() -> None:
    frames = tables.pack_tables(hostile_pack())
    data = tables.to_xlsx(frames)
    assert_no_formula(data)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["b"]["B2"].value == -1.5 and book["b"]["B2"].data_type == "n"
    contents = [cell.value for cell in book[tables.CONTENTS]["B"]]
    assert f"'{FORMULAS[1]}" in contents and "Diagram klocka nultecken" in contents  # chart b's title
    for frame in frames.values():
        text = tables.to_csv(frame).decode("utf-8-sig")
        cells = [cell for line in text.split("\r\n") for cell in line.split(";") if cell]
        assert "-1,5" in cells  # a negative number stays a number
        assert not [c for c in cells if c.lstrip('"').startswith(FORMULA_START) and c != "-1,5"], cells
        assert not CONTROL.search(text)


def test_csv_of_a_table_with_every_formula_guards_each_cell() -> None:
    frame = pd.DataFrame({"Text": TEXTS, FORMULAS[1]: range(len(TEXTS))})
    back = pd.read_csv(io.BytesIO(tables.to_csv(frame)), sep=";", encoding="utf-8-sig", keep_default_na=False)
    assert back.columns.tolist() == ["Text", "'" + FORMULAS[1]]
    assert back["Text"].tolist() == [("'" + printable(t)) if printable(t).startswith(FORMULA_START) else printable(t)
                                     for t in TEXTS]
    assert back["'" + FORMULAS[1]].tolist() == list(range(len(TEXTS)))


def test_the_exports_of_the_stored_payloads_are_safe(hostile_db_path: Path) -> None:
    with closing(duckdb.connect(str(hostile_db_path), read_only=True)) as con:
        meeting = pack.build_pack(con, HV, PERIOD)
        year = pack.build_year_end(con, HV, 2025)
    shown = [slide for slide in meeting.slides if slide.kind is SlideKind.ACTION_PLAN][0].table
    titles = [str(title) for title in shown.iloc[:, 0]]
    assert any(title.startswith("Kontroll klocka") for title in titles)  # the payloads are in
    assert not [title for title in titles if CONTROL.search(title)]  # stored without their control characters
    for data in (deck.build_deck(meeting), deck.build_year_end_deck(year)):
        assert not [name for name, xml in xml_parts(data).items() if CONTROL.search(xml)]
    for data in (workbook.year_end_workbook(year), tables.to_xlsx(tables.pack_tables(meeting))):
        assert_no_formula(data)
    values = {cell.value for sheet in openpyxl.load_workbook(io.BytesIO(workbook.year_end_workbook(year))).worksheets
              for row in sheet.iter_rows() for cell in row}
    assert "'=1+1" in values and "Kontroll klocka" in values
