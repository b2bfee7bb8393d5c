"""Robust edges (issue 16, item 5): the faults an attack on the running product found, one test each.

Every hostile file ends in a load or a Swedish refusal naming the file (and row and column where there is
one), with nothing written; memory stays bounded; counts are whole numbers within MAX_COUNT; a place name
cannot capture other districts' events; suggestions cost only for the problems shown; UTF-16 is detected;
undo takes the categories its load added; an address parameter is never echoed as a link. Big files are
generated here at run time (tmp_path or memory); the small ones are in tests/fixtures/hostile/.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from followup import access, config, db, imports
from followup.imports import aliases, base, load, police, tabular, text
from followup.steering import WriteRefused
from tests.table_state import table_checksums

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
TODAY = date(2025, 10, 31)  # the demo's today
HEADER = "indikator;område;plats;period;värde\n"
CRIME = "anmalda-brott-omrade"  # a monthly count per district area
EST_HEADER = "datum;plats;kategori;rapportör;beskrivning\n"


@pytest.fixture
def con(reference_db_copy: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A database with the reference data (places, aliases, categories) and no values."""
    with closing(db.open_database(reference_db_copy)) as connection:
        yield connection


def refusal(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> list[base.Problem]:
    """The problems a load of DATA is refused with; the test fails when it lands or anything is written."""
    before = table_checksums(con)
    with pytest.raises(imports.LoadRefused) as refused:
        imports.load_file(con, data, name, user=access.local("anna"), today=TODAY)
    assert table_checksums(con) == before
    return refused.value.problems


def landed(con: duckdb.DuckDBPyConnection, data: bytes, name: str, **kwargs: object) -> load.LoadResult:
    """The result of a load of DATA that must land."""
    return imports.load_file(con, data, name, user=access.local("anna"), today=TODAY, **kwargs)


# --- the corpus: files that broke the importers ---------------------------------------------------------


def workbook(rows: list[list[object]]) -> bytes:
    """An .xlsx with ROWS on its one sheet, as openpyxl writes it (inline strings)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def patched(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook DATA with its first sheet's XML changed by CHANGE."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            content = source.read(part.filename)
            archive.writestr(part.filename, change(content) if part.filename == "xl/worksheets/sheet1.xml" else content)
    return out.getvalue()


def observation_rows(count: int) -> list[list[object]]:
    """A header and COUNT rows of a count for Bromma, one month each from 1990 on."""
    rows: list[list[object]] = [["indikator", "område", "plats", "period", "värde"]]
    rows += [[CRIME, "Bromma", None, f"{1990 + i // 12}-{i % 12 + 1:02d}", i] for i in range(count)]
    return rows


def huge_dimension(rows: int) -> bytes:
    """A workbook that declares the largest sheet Excel allows (A1:XFD1048576) but holds only ROWS rows."""
    return patched(workbook(observation_rows(rows)),
                   lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))


def far_last_row() -> bytes:
    """A workbook with two good rows and one cell in Excel's last row, 1,048,576."""
    return patched(workbook(observation_rows(2)), lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>okand</t></is></c></row></sheetData>'))


def broken_shared_string() -> bytes:
    """A workbook whose row 3 names shared string 99 of a workbook that has none."""
    return patched(workbook(observation_rows(2)), lambda xml: re.sub(
        rb'<c r="B3" t="inlineStr"><is><t>Bromma</t></is></c>', b'<c r="B3" t="s"><v>99</v></c>', xml))


def csv_text(*rows: str, header: str = HEADER) -> bytes:
    """A UTF-8 CSV with HEADER and ROWS."""
    return (header + "".join(f"{row}\n" for row in rows)).encode("utf-8")


# name -> (file bytes, row, column, words the message must contain); row/column None: the whole file
Case = tuple[Callable[[], bytes], int | None, str | None, str]
REFUSED: dict[str, Case] = {
    "line_60mb.csv": (lambda: HEADER.encode() + b"a" * 60_000_000 + b"\n", None, None, "filen är för stor: 57,3 MB"),
    "line_40mb.csv": (lambda: HEADER.encode() + b"a" * 40_000_000 + b"\n", 2, None, "raden kunde inte läsas"),
    "columns_100000.csv": (lambda: (HEADER.strip() + ";" + ";".join(f"k{i}" for i in range(100_000)) + "\n"
                                    + f"{CRIME};Bromma;;2025-01;5\n").encode(),
                           1, None, "rubrikraden har 100005 kolumner; högst 1000"),
    "cell_10mb.csv": (lambda: csv_text(*[f"{CRIME};Bromma;;2024-{m:02d};5" for m in range(1, 13)] * 3,
                                       f"{CRIME};Bromma;;2025-01;" + "9" * 10_000_000),
                      38, "värde", "cellen har 10000000 tecken; högst 32767"),
    "est_cell_10mb.csv": (lambda: csv_text("2025-03-01;Bromma;Klotter;SISAB;" + "x" * 10_000_000, header=EST_HEADER),
                          2, None, "en cell är längre än 131 072 tecken"),
    "nested_100000.json": (lambda: b"[" * 100_000 + b"]" * 100_000, None, None, "inbäddade i varandra"),
    "id_5000_digits.json": (lambda: (HOSTILE / "id_5000_digits.json").read_bytes(), 1, "id", "högst 18 siffror"),
    "far_last_row.xlsx": (far_last_row, 1048576, "indikator", "okänd indikator 'okand'"),
    "broken_shared_string.xlsx": (broken_shared_string, 3, None, "är skadad och kunde inte läsas"),
    "count_1e19.csv": (lambda: csv_text(f"{CRIME};Bromma;;2025-01;1E+19"), 2, "värde", "orimligt stort"),
    "count_thousands.csv": (lambda: csv_text(f"{CRIME};Bromma;;2025-01;1.234"), 2, "värde",
                            "'1.234' går inte att tolka säkert som antal"),
    "count_fraction.csv": (lambda: csv_text(f"{CRIME};Bromma;;2025-01;12,5"), 2, "värde", "12,5 är inget helt tal"),
    "kolada_1e300.json": (lambda: json.dumps({"values": [{"kpi": "N07403", "municipality": "0180", "period": 2023,
                                                          "values": [{"gender": "T", "value": 1e300}]}]}).encode(),
                          1, "value", "är inget tal (eller orimligt stort)"),
    "bra_count_1e19.txt": (lambda: (HOSTILE / "bra_huge_count.txt").read_bytes(), 2, "Antal", "'9999999999999"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_file_is_refused_in_swedish_with_its_place(con: duckdb.DuckDBPyConnection, name: str) -> None:
    make, row, column, words = REFUSED[name]
    problems = refusal(con, make(), name)
    matching = [p for p in problems if words in p.message]
    assert matching, f"no problem says {words!r}: {[p.text()[:300] for p in problems]}"
    assert (matching[0].file, matching[0].row, matching[0].column) == (name, row, column)
    assert "fel i programmet" not in matching[0].message


def test_a_huge_declared_sheet_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """openpyxl padded every row to the declared 16,384 columns: 5,000 rows took about 650 MB (the attack's
    437 KB file 3.9 GB). Measured in a fresh process: its peak RSS (VmHWM, reset) above its RSS before the parse."""
    path = tmp_path / "dimension.xlsx"
    path.write_bytes(huge_dimension(5_000))
    script = (
        "import sys\n"
        "from followup import imports\n"
        "from followup.imports import observations, tabular\n"
        "def status(field):  # kB; VmHWM is this process's own peak (ru_maxrss carries the parent's across exec)\n"
        "    return next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith(field))\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "open('/proc/self/clear_refs', 'w').write('5')  # the peak starts again from here\n"
        "before = status('VmRSS')\n"
        "kind = imports.detect_kind(data, 'dimension.xlsx')\n"
        "table = tabular.read_table(data, 'dimension.xlsx', required=observations.REQUIRED)\n"
        "print(kind.value, len(table.rows), (status('VmHWM') - before) // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=config.ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    kind, rows, grown_mb = done.stdout.split()
    assert (kind, int(rows)) == ("observations", 5_000)
    assert int(grown_mb) < 150, f"the parse grew the process by {grown_mb} MB"


@pytest.mark.parametrize("name", ["rader.csv", "rader.xlsx"])
def test_a_file_over_the_row_limit_is_refused(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
                                             name: str) -> None:
    """MAX_ROWS (300,000) keeps a load well under 1 GB; a CSV's lines are counted before it is parsed."""
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    rows = observation_rows(150)
    data = workbook(rows) if name.endswith(".xlsx") else csv_text(*[";".join(map(str, r[:2])) + f";;{r[3]};{r[4]}"
                                                                   for r in rows[1:]])
    problems = refusal(con, data, name)
    assert "högst 100" in problems[0].message and problems[0].row is None


@pytest.mark.parametrize("name", ["rader.csv", "rader.xlsx"])
def test_the_command_lines_wider_limits_read_what_the_app_refuses(
        con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The app's row limit protects the shared dashboard process; `load` on the command line runs in its own
    process and reads under base.COMMAND_LINE_LIMITS (read_limits), in that block only."""
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    rows = observation_rows(150)
    data = workbook(rows) if name.endswith(".xlsx") else csv_text(*[";".join(map(str, r[:2])) + f";;{r[3]};{r[4]}"
                                                                   for r in rows[1:]])
    with base.read_limits(base.ReadLimits(file_bytes=base.MAX_FILE_BYTES, rows=200)):
        assert landed(con, data, name).plan.rows_added == 150
    assert "högst 100" in refusal(con, data, name)[0].message  # outside the block the app's limit holds again


def test_the_command_line_loads_a_file_over_the_apps_row_limit(reference_db_copy: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`load` reads under base.COMMAND_LINE_LIMITS, wider than the app's (here 100 rows against 200)."""
    from followup import cli

    assert base.COMMAND_LINE_LIMITS.rows > base.MAX_ROWS and base.COMMAND_LINE_LIMITS.file_bytes > base.MAX_FILE_BYTES
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    monkeypatch.setattr(cli, "COMMAND_LINE_LIMITS", base.ReadLimits(file_bytes=base.MAX_FILE_BYTES, rows=200))
    path = tmp_path / "rader.csv"
    path.write_bytes(csv_text(*[";".join(map(str, r[:2])) + f";;{r[3]};{r[4]}" for r in observation_rows(150)[1:]]))
    assert cli.main(["load", str(path)]) == 0, capsys.readouterr().err
    assert "150 nya" in capsys.readouterr().out
    monkeypatch.setattr(cli, "COMMAND_LINE_LIMITS", base.ReadLimits(file_bytes=base.MAX_FILE_BYTES, rows=100))
    assert cli.main(["load", str(path), "--dry-run"]) != 0
    assert "högst 100" in capsys.readouterr().err


def test_old_mac_line_ends_load(con: duckdb.DuckDBPyConnection) -> None:
    data = (HOSTILE / "cr_line_ends.csv").read_bytes()
    assert b"\n" not in data and data.count(b"\r") == 3
    result = landed(con, data, "cr_line_ends.csv")
    assert result.plan.rows_added == 2


def test_utf16_with_bom_is_detected_without_a_kind(con: duckdb.DuckDBPyConnection) -> None:
    data = (HOSTILE / "utf16_bom.csv").read_bytes()
    assert data[:2] == b"\xff\xfe"
    assert imports.detect_kind(data, "utf16_bom.csv") is imports.LoadKind.OBSERVATIONS
    assert landed(con, data, "utf16_bom.csv").plan.rows_added == 2


def test_control_characters_leave_est_free_text(con: duckdb.DuckDBPyConnection) -> None:
    data = (HOSTILE / "est_control_characters.csv").read_bytes()
    assert b"\x1b[" in data and b"\x07" in data
    landed(con, data, "est_control_characters.csv")
    stored = con.execute("select reporter, description from event where source = 'est' "
                         "and description like 'Klotter%' order by description").fetchall()
    assert stored == [("Trafikkontoret", "Klotter på väggen"), ("SISAB", "Klotter[31m röd\ttext")]


def test_whole_counts_still_load(con: duckdb.DuckDBPyConnection) -> None:
    """The rule for counts refuses '1.234' and '12,5' but not what Swedish files write for whole numbers."""
    data = csv_text(f"{CRIME};Bromma;;2025-01;1 234", f"{CRIME};Bromma;;2025-02;12,0", f"{CRIME};Bromma;;2025-03;7")
    assert landed(con, data, "hela.csv").plan.rows_added == 3
    values = con.execute("select value from observation where indicator = ? and district = 'bromma' and "
                         "period_start >= '2025-01-01' order by period_start", [CRIME]).fetchall()
    assert values[:3] == [(1234.0,), (12.0,), (7.0,)]


def test_load_of_dev_zero_is_refused_without_reading_it_all(cli_env: dict[str, str], tmp_db_path: Path) -> None:
    """/dev/zero has size 0 on disk and never ends: the command line reads at most the limit + 1 byte."""
    subprocess.run([sys.executable, "-m", "followup", "init"], cwd=config.ROOT, env=cli_env, check=True,
                   capture_output=True)
    done = subprocess.run([sys.executable, "-c", "import sys; from followup import cli; "
                           "cli.COMMAND_LINE_LIMITS = cli.COMMAND_LINE_LIMITS.__class__(1_000_000, 1_000); "
                           "sys.exit(cli.main(['load', '/dev/zero']))"],
                          cwd=config.ROOT, env=cli_env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "zero lästes inte in; databasen är oförändrad" in done.stderr
    assert "filen är för stor" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("name", ["nested_100000.json", "broken_shared_string.xlsx", "columns_100000.csv",
                                  "count_thousands.csv"])
def test_the_command_line_refuses_a_hostile_file_in_swedish(cli_env: dict[str, str], tmp_path: Path,
                                                            name: str) -> None:
    """`python -m followup load` goes through the same core: exit 1, the Swedish problem, no traceback."""
    subprocess.run([sys.executable, "-m", "followup", "init"], cwd=config.ROOT, env=cli_env, check=True,
                   capture_output=True)
    make, row, column, words = REFUSED[name]
    path = tmp_path / name
    path.write_bytes(make())
    done = subprocess.run([sys.executable, "-m", "followup", "load", str(path)], cwd=config.ROOT, env=cli_env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert f"{name} lästes inte in; databasen är oförändrad." in done.stderr
    where = ", ".join([name] + ([f"rad {row}"] if row else []) + ([f"kolumn {column}"] if column else []))
    assert f"{where}: " in done.stderr and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# --- place names may not reach outside their district ------------------------------------------------------


def police_event(event_id: int, summary: str) -> dict[str, object]:
    """One Stockholm event of the police feed with SUMMARY."""
    return {"id": event_id, "datetime": "2025-03-01 22:05:10 +01:00", "name": "1 mars 21.14, Rån, Stockholm",
            "summary": summary, "type": "Rån", "location": {"name": "Stockholm", "gps": "59.3,18.0"}}


@pytest.mark.parametrize(("name", "words"), [
    ("Stockholm", "kan inte bli ett platsnamn"), ("Stockholms stad", "kan inte bli ett platsnamn"),
    ("Rån", "kan inte bli ett platsnamn"), ("Trafikolycka", "kan inte bli ett platsnamn"),
    ("Polisen", "kan inte bli ett platsnamn"), ("Farsta", "stadsdelsområdets eget namn"),
    ("Rinkeby-Kista", "kan bara peka på området som tog över det"),
])
def test_an_editor_cannot_add_a_name_that_is_in_every_event(con: duckdb.DuckDBPyConnection, name: str,
                                                           words: str) -> None:
    editor = access.Principal("redaktor@stad.se", access.Role.EDITOR, frozenset({"bromma"}))
    before = table_checksums(con)
    with pytest.raises(WriteRefused, match=words):
        aliases.add_alias(con, user=editor, alias=name, district="bromma", today=TODAY)
    assert table_checksums(con) == before


def test_a_stored_capturing_name_places_no_other_districts_events(con: duckdb.DuckDBPyConnection) -> None:
    """Names stored before the check (or straight in the table) capture nothing, and a name never outranks the
    text's own name of another district."""
    con.execute("insert into place_alias (alias, district, place) values ('Stockholm', 'bromma', null), "
                "('Rån', 'bromma', null), ('Torget vid tunnelbanan', 'bromma', null)")
    feed = [police_event(9001, "Rån i Stockholm."), police_event(9002, "Rån mot en butik i Farsta."),
            police_event(9003, "Bråk på Torget vid tunnelbanan i Farsta."), police_event(9004, "Bråk på Torget vid tunnelbanan.")]
    landed(con, json.dumps(feed).encode(), "polisen.json")
    placed = con.execute("select source_id, district from event where source = 'polisen' and source_id like '900%' "
                         "order by source_id").fetchall()
    assert placed == [("9001", None), ("9002", "farsta"), ("9003", "farsta"), ("9004", "bromma")]


# --- smaller ---------------------------------------------------------------------------------------------


def test_suggestions_are_computed_only_for_the_problems_shown(con: duckdb.DuckDBPyConnection,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """300,000 bad rows took 323 s when every one got a 'did you mean'; now 8 s (bench figure in the report)."""
    calls = []
    real = text.difflib.get_close_matches
    monkeypatch.setattr(text.difflib, "get_close_matches",
                        lambda *args, **kwargs: calls.append(args[0]) or real(*args, **kwargs))
    data = csv_text(*[f"okand-indikator-{i};Bromm;;2025-01;5" for i in range(3_000)])
    problems = refusal(con, data, "fel.csv")
    assert len(problems) == 6_000
    assert "Menar du 'Bromma'?" in problems[1].message
    assert len(calls) <= 3 * base.MAX_PROBLEMS, len(calls)  # indicator by name and code, district


def test_undo_of_a_police_load_removes_the_categories_it_added(con: duckdb.DuckDBPyConnection) -> None:
    before = table_checksums(con, exclude=("import_log", "audit_log"))
    feed = [police_event(9101, "Rån vid Hässelby torg."),
            {**police_event(9102, "Ett märkligt ärende i Farsta."), "type": "Helt ny händelsetyp"}]
    result = landed(con, json.dumps(feed).encode(), "polisen.json")
    assert con.execute("select count(*) from event_category where code = 'polisen-helt-ny-handelsetyp'").fetchone() == (1,)
    load.undo(con, result.load_id, user=access.local("anna"))
    assert table_checksums(con, exclude=("import_log", "audit_log")) == before


def test_an_undo_whose_category_cleanup_fails_is_still_done(con: duckdb.DuckDBPyConnection,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The undo commits first; removing its categories is a second transaction, and its failure (a busy lake)
    must not report the committed undo as refused."""
    feed = [{**police_event(9301, "I Farsta."), "type": "Helt ny händelsetyp"}]
    result = landed(con, json.dumps(feed).encode(), "polisen.json")
    real = load.queries.execute

    def busy(cursor: duckdb.DuckDBPyConnection, name: str, **params: object) -> object:
        if name == "undo_delete_categories":
            raise db.DatabaseBusyError("upptagen")
        return real(cursor, name, **params)

    monkeypatch.setattr(load.queries, "execute", busy)
    message = load.undo(con, result.load_id, user=access.local("anna"))
    assert "är ångrad" in message and "kunde inte tas bort nu" in message
    assert con.execute("select count(*) from event where load_id = $id", {"id": result.load_id}).fetchone() == (0,)
    assert con.execute("select undone_at is not null from import_log where id = $id",
                       {"id": result.load_id}).fetchone() == (True,)


def test_undo_keeps_a_category_another_load_uses(con: duckdb.DuckDBPyConnection) -> None:
    first = landed(con, json.dumps([{**police_event(9201, "I Farsta."), "type": "Helt ny händelsetyp"}]).encode(), "a.json")
    landed(con, json.dumps([{**police_event(9202, "I Bromma."), "type": "Helt ny händelsetyp"}]).encode(), "b.json")
    load.undo(con, first.load_id, user=access.local("anna"))
    assert con.execute("select count(*) from event_category where code = 'polisen-helt-ny-handelsetyp'").fetchone() == (1,)


def test_police_reserved_names_cover_the_city_and_event_types(con: duckdb.DuckDBPyConnection) -> None:
    reserved = police.reserved_names(imports.catalogue(con, TODAY))
    assert {"stockholm", "ran", "farsta", "jarva", "trafikolycka"} <= reserved
    assert not {"hasselby torg", "norrmalm"} & reserved  # an ended area's name may point at its successor


def test_an_address_parameter_is_never_echoed_as_a_link() -> None:
    from webapp.components import verbatim

    assert verbatim("https://evil.example/x") == "` https://evil.example/x `"
    assert verbatim("a`b``c") == "``` a`b``c ```"
    assert len(verbatim("x" * 5_000)) < 220


@pytest.mark.usefixtures("fresh_caches")
def test_the_page_shows_an_unknown_district_in_the_address_as_code(demo_db_copy: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../dashboard.py", default_timeout=60)
    at.query_params["omrade"] = "https://evil.example/login"
    at.run()
    notices = [info.value for info in at.info if "Adressen anger" in info.value]
    assert notices and "` https://evil.example/login `" in notices[0], [i.value for i in at.info]
    assert "](" not in notices[0] and "<a" not in notices[0]


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("name", ["nested_100000.json", "broken_shared_string.xlsx", "count_1e19.csv"])
def test_the_data_page_refuses_a_hostile_file_in_swedish(demo_db_copy: Path, name: str) -> None:
    """The Data page goes through the same core functions as `load`: a Swedish refusal, no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../dashboard.py", default_timeout=60)
    at.run()
    at = at.switch_page("views/data.py").run()
    at.file_uploader[0].upload(name, REFUSED[name][0](), "application/octet-stream").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Inget har lästs in" in at.error[0].value
    problems = [d.value for d in at.dataframe if "Problem" in d.value.columns]
    assert problems and REFUSED[name][3].split("'")[0][:20] in " ".join(problems[0]["Problem"]).replace("\\", "")
