"""Data (views/data.py, webapp/data.py): upload, preview, confirm, load, history and undo in AppTest.

Streamlit 1.67's AppTest drives st.file_uploader (at.file_uploader[0].upload(name, bytes)), so every test
uploads a real small file in the documented long format and the real importer checks it. What the page
did is checked in the database with plain SQL, and "nothing written" with table checksums.
"""

from __future__ import annotations

import json
import re
from contextlib import closing
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from followup import access, imports
from followup.imports import aliases
from followup.model import LoadKind
from webapp.components import plain
from followup.imports.base import Problem
import backends
from backends import Target
from table_state import table_checksums
from webapp import data

APP = "../dashboard.py"  # AppTest.from_file resolves paths relative to this file
PAGE = "views/data.py"
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
HEADER = "indikator;område;plats;period;värde;n\n"
CRIME = "anmalda-brott-omrade"  # monthly count per district area, not sensitive
LOG_TABLES = ("import_log", "audit_log")
"""Tables a load or an undo always writes to (the record of what happened)."""

pytestmark = pytest.mark.usefixtures("fresh_caches")


def csv(*rows: str) -> bytes:
    """A CSV as Swedish Excel writes it: semicolons, decimal comma, UTF-8 with a BOM."""
    return ("\ufeff" + HEADER + "".join(f"{row}\n" for row in rows)).encode("utf-8")


def open_page() -> AppTest:
    """Run the app and switch to the Data page."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    return at.switch_page(PAGE).run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    """Choose a file in the uploader and let the page check it."""
    return at.file_uploader[0].upload(name, content, "text/csv").run()


def button(at: AppTest, label: str):
    """The one button with this label."""
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, f"buttons: {[b.label for b in at.button]}"
    return found[0]


def metrics(at: AppTest) -> dict[str, str]:
    """The large figures of the preview by label."""
    return {m.label: m.value for m in at.metric}


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The one table with a column named COLUMN."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"tables: {[list(d.value.columns) for d in at.dataframe]}"
    return found[0]


def no_exception(at: AppTest) -> None:
    """The run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def db_file(demo_db_copy: Path) -> Path:
    """A private copy of the demo database the app uses (the embedded backend only: the tests of what the page
    shows before anything reaches the database; the ones that write run on both backends with app_db_copy)."""
    return demo_db_copy


def read(path: Target, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query, read through the app's own cached connection to PATH (one DuckDB instance per file)."""
    cursor = backends.app_cursor(path)
    try:
        return cursor.execute(sql, params or []).fetchall()
    finally:
        cursor.close()


def checksums(path: Target, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Table checksums of the database the app uses."""
    cursor = backends.app_cursor(path)
    try:
        return table_checksums(cursor, exclude)
    finally:
        cursor.close()


def stored(path: Target, district: str, period: str) -> list[tuple]:
    """(value, load_id) of the crime count of a district and month."""
    return read(path, "select value, load_id from observation where indicator = ? and district = ? "
                      "and place is null and period_start = ?::date and grain = 'month'", [CRIME, district, period])


# --- the whole round: upload, preview, confirm, history, undo ---------------------------------------


def test_upload_preview_confirm_and_undo(app_db_copy: Path | str) -> None:
    at = open_page()
    no_exception(at)
    before = checksums(app_db_copy, exclude=LOG_TABLES)
    assert stored(app_db_copy, "bromma", "2025-10-01") == []

    upload(at, "brott-okt.csv", csv(f"{CRIME};Bromma;;2025-10;12;", f"{CRIME};Bromma;;2025-11;13;"))
    no_exception(at)
    assert metrics(at) == {"Nya": "2", "Ändrade": "0", "Oförändrade": "0", "Överhoppade": "0"}
    sample = frame(at, "Värde")
    assert sample[["Rad", "Område", "Period", "Värde"]].values.tolist() == [
        ["2", "Bromma", "oktober 2025", "12"], ["3", "Bromma", "november 2025", "13"]]
    assert not at.checkbox  # nothing stored is overwritten: no confirmation needed
    assert stored(app_db_copy, "bromma", "2025-10-01") == []  # the preview wrote nothing

    button(at, "Läs in").click().run()
    no_exception(at)
    (load_id,) = read(app_db_copy, "select max(id) from import_log")[0]
    assert [s.value for s in at.success][0].startswith(f"**Laddning {load_id} är inläst:** brott\\-okt\\.csv")
    assert stored(app_db_copy, "bromma", "2025-10-01") == [(12.0, load_id)]
    assert stored(app_db_copy, "bromma", "2025-11-01") == [(13.0, load_id)]
    assert at.file_uploader[0].value is None  # the uploader starts empty for the next file
    history = frame(at, "Nummer")
    newest = history.iloc[0]
    assert (newest["Nummer"], newest["Fil"], newest["Nya"], newest["Ändrade"], newest["Ångrad"]) == (
        load_id, "brott-okt.csv", 2, 0, "")
    assert history.iloc[-1]["Ångrad"] == "kan inte ångras"  # the demo data

    at.selectbox(key="data_undo_choice").select(load_id).run()
    button(at, "Ångra vald laddning …").click().run()
    question = [w.value for w in at.warning if "Ångra laddning" in w.value]
    assert question == [f"**Ångra laddning {load_id} (brott\\-okt\\.csv)?** Dess rader tas bort och de värden "
                        "den ersatte kommer tillbaka."]
    assert stored(app_db_copy, "bromma", "2025-10-01") != []  # asking is not undoing
    button(at, f"Ja, ångra laddning {load_id}").click().run()
    no_exception(at)
    assert any(f"Laddning {load_id}" in s.value and "ångrad" in s.value for s in at.success)
    assert stored(app_db_copy, "bromma", "2025-10-01") == []
    assert checksums(app_db_copy, exclude=LOG_TABLES) == before
    [(undone_by,)] = read(app_db_copy, "select undone_by from import_log where id = ?", [load_id])
    undone = frame(at, "Nummer").iloc[0]
    assert undone["Nummer"] == load_id and undone["Ångrad"].endswith(f" av {undone_by}")
    assert not [s for s in at.selectbox if s.key == "data_undo_choice"]  # nothing left to undo


def test_a_file_that_changes_stored_values_needs_the_checkbox(app_db_copy: Path | str) -> None:
    [(old, demo_load)] = stored(app_db_copy, "bromma", "2024-03-01")
    new = old + 5
    at = upload(open_page(), "rattelse.csv", csv(f"{CRIME};Bromma;;2024-03;{int(new)};"))
    no_exception(at)
    assert metrics(at)["Ändrade"] == "1"
    changes = frame(at, "Gammalt värde")
    assert changes[["Rad", "Område", "Period", "Gammalt värde", "Nytt värde", "Ändring"]].values.tolist() == [
        ["2", "Bromma", "mars 2024", f"{int(old)}", f"{int(new)}", "ändras"]]
    assert [c.label for c in at.checkbox] == ["Ersätt 1 befintliga värden"]
    assert button(at, "Läs in").disabled

    at.checkbox[0].check().run()
    assert not button(at, "Läs in").disabled
    button(at, "Läs in").click().run()
    no_exception(at)
    (load_id,) = read(app_db_copy, "select max(id) from import_log")[0]
    assert stored(app_db_copy, "bromma", "2024-03-01") == [(new, load_id)]

    at.selectbox(key="data_undo_choice").select(load_id).run()
    button(at, "Ångra vald laddning …").click().run()
    button(at, f"Ja, ångra laddning {load_id}").click().run()
    assert stored(app_db_copy, "bromma", "2024-03-01") == [(old, demo_load)]  # the old value is back


def test_a_bad_file_lists_row_and_column_and_writes_nothing(app_db_copy: Path | str) -> None:
    at = open_page()
    before = checksums(app_db_copy)
    upload(at, "fel.csv", csv(f"{CRIME};Bromma;;2025-10;12;", "anmalda-brot;Bromma;;2025-10;3;",
                              f"{CRIME};Bromma;;2025-11;tolv;"))
    no_exception(at)
    assert len(at.error) == 1
    assert at.error[0].value.startswith("**fel\\.csv har 2 problem. Inget har lästs in.**")
    written = at.error[0].value.replace("\\", "")  # the first problems in words, where they wrap
    assert "- Rad 3, kolumn indikator: " in written and "- Rad 4, kolumn värde: " in written
    problems = frame(at, "Problem")
    assert problems[["Rad", "Kolumn"]].values.tolist() == [["3", "indikator"], ["4", "värde"]]
    assert "anmalda-brot" in problems.iloc[0]["Problem"]
    assert not [b for b in at.button if b.label == "Läs in"]
    assert not at.metric
    assert checksums(app_db_copy) == before


def test_a_file_the_program_cannot_read_is_refused_as_a_whole(db_file: Path) -> None:
    at = open_page()
    before = checksums(db_file)
    upload(at, "bild.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    no_exception(at)
    assert "Inget har lästs in" in at.error[0].value
    assert frame(at, "Problem").iloc[0]["Rad"] == "hela filen"
    assert checksums(db_file) == before


def test_text_from_the_file_is_shown_as_text(db_file: Path) -> None:
    name = "<img src=x onerror=alert(1)>*fet*.csv"
    at = upload(open_page(), name, csv("<b>Anmälda</b>;Bromma;;2025-10;12;"))
    no_exception(at)
    assert plain(name) in at.error[0].value
    assert "<b>Anmälda</b>" in frame(at, "Problem").iloc[0]["Problem"]  # data in a table, not Markdown
    assert all("onerror" not in str(element.proto) for element in at.get("html"))  # only the product's stylesheet
    for element in [*at.markdown, *at.error]:
        assert not re.search(r"(?<!\\)<", element.value), element.value  # every '<' escaped


def test_a_file_is_parsed_once_across_reruns(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = imports.parse

    def counting(content: bytes, file_name: str, *args, **kwargs):
        calls.append(file_name)
        return real(content, file_name, *args, **kwargs)

    monkeypatch.setattr(imports, "parse", counting)
    [(old, _)] = stored(db_file, "bromma", "2024-03-01")
    at = upload(open_page(), "rattelse.csv", csv(f"{CRIME};Bromma;;2024-03;{int(old) + 1};"))
    at.checkbox[0].check().run()
    at.checkbox[0].uncheck().run()
    assert calls == ["rattelse.csv"]


def test_a_sensitive_count_of_one_to_four_is_hidden_in_the_preview(db_file: Path) -> None:
    at = upload(open_page(), "unga.csv", csv("unga-misstankta-vald;Bromma;;2025-T1;3;"))
    no_exception(at)
    assert frame(at, "Värde").iloc[0]["Värde"] == "1–4"


def test_undo_refused_is_a_warning_with_its_reason(app_db_copy: Path | str) -> None:
    [(old, _)] = stored(app_db_copy, "bromma", "2024-03-01")
    at = open_page()
    ids = []
    for step, value in enumerate((old + 1, old + 2)):
        upload(at, f"steg{step}.csv", csv(f"{CRIME};Bromma;;2024-03;{int(value)};"))
        at.checkbox[0].check().run()
        button(at, "Läs in").click().run()
        ids.append(read(app_db_copy, "select max(id) from import_log")[0][0])
    first, second = ids
    before = checksums(app_db_copy)
    at.selectbox(key="data_undo_choice").select(first).run()
    button(at, "Ångra vald laddning …").click().run()
    button(at, f"Ja, ångra laddning {first}").click().run()
    no_exception(at)
    assert any(f"senare laddning {second}" in w.value for w in at.warning)
    assert checksums(app_db_copy) == before


def test_the_page_works_on_a_reference_only_database(reference_db_copy: Path) -> None:
    at = open_page()
    no_exception(at)
    assert [i.value for i in at.info] == ["Inga laddningar ännu."]
    assert not [s for s in at.selectbox if s.key == "data_undo_choice"]
    upload(at, "brott.csv", csv(f"{CRIME};Bromma;;2025-10;12;"))
    no_exception(at)
    assert metrics(at)["Nya"] == "1"
    button(at, "Läs in").click().run()
    no_exception(at)
    assert read(reference_db_copy, "select value from observation where indicator = ?", [CRIME]) == [(12.0,)]
    assert frame(at, "Nummer")[["Typ", "Fil", "Nya"]].values.tolist() == [["indikatorvärden", "brott.csv", 1]]
    assert [s.key for s in at.selectbox if s.key == "data_undo_choice"] == ["data_undo_choice"]


def test_the_templates_can_be_downloaded(db_file: Path) -> None:
    at = open_page()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Mall för indikatorvärden", "Mall för EST-rapporter"]
    for made in (data.observation_template(), data.est_template()):  # what a click downloads
        assert made[:2] == b"PK"  # an .xlsx (a zip) file


# --- pure parts ---------------------------------------------------------------------------------------


def test_problems_frame_counts_rows_as_the_user_does_and_caps_the_list() -> None:
    problems = [Problem("f.csv", None, None, "tom"), *(Problem("f.csv", n, "värde", "fel") for n in range(2, 12))]
    shown = data.problems_frame(problems, limit=3)
    assert shown.values.tolist() == [["hela filen", "", "tom"], ["2", "värde", "fel"], ["3", "värde", "fel"]]


def test_history_frame_marks_built_in_loads_and_undone_ones() -> None:
    history = pd.DataFrame({
        "id": [3, 2, 1], "kind": ["police", "observations", "demo"], "file_name": ["h.json", "v.csv", "demo"],
        "user_name": ["anna", "bo", "demo"],
        "loaded_at": pd.to_datetime(["2025-03-02 10:05", "2025-03-01 09:00", "2025-01-01 00:00"]),
        "rows_added": [4, 2, 100], "rows_changed": [0, 1, 0], "rows_skipped": [7, 0, 0],
        "undone_at": pd.to_datetime([None, "2025-03-01 12:30", None]), "undone_by": [None, "anna", None],
        "report": [None, None, None], "undoable": [True, False, False],
    })
    shown = data.history_frame(history)
    assert shown["Typ"].tolist() == ["Polisens händelser", "indikatorvärden", "exempeldata"]
    assert shown["Ångrad"].tolist() == ["", "2025-03-01 12:30 av anna", "kan inte ångras"]
    assert shown["Tid"].tolist()[0] == "2025-03-02 10:05"


# --- Platsnamn: the place aliases police events are placed by ------------------------------------------


def alias_rows(path: Target, alias: str) -> list[tuple]:
    """(district, place) of a place_alias row."""
    return read(path, "select district, place from place_alias where alias = ?", [alias])


def test_place_names_can_be_added_listed_and_removed(app_db_copy: Path | str) -> None:
    at = open_page()
    no_exception(at)
    assert data.TABS[-1] == "Platsnamn"
    assert any(m.value.startswith("Polisens händelser kopplas till platser och områden genom namnen i texten")
               for m in at.markdown)
    # the list follows the sidebar's district (Hässelby-Vällingby by default)
    listed = frame(at, "Namn i texten")
    assert set(listed["Stadsdelsområde"]) == {"Hässelby-Vällingby"}
    assert ["Vällingby C", "Hässelby-Vällingby", "Vällingby centrum"] in listed.values.tolist()
    assert "Provgränden" not in set(listed["Namn i texten"])

    at.text_input(key="data_alias_name").input("Provgränden").run()
    at.selectbox(key="data_alias_district").select("bromma").run()
    at.selectbox(key="data_alias_place_bromma").select("brommaplan").run()
    button(at, "Lägg till namn").click().run()
    no_exception(at)
    assert alias_rows(app_db_copy, "Provgränden") == [("bromma", "brommaplan")]
    assert any("Platsnamnet ”Provgränden” är tillagt" in s.value and "Brommaplan" in s.value for s in at.success)
    assert at.text_input(key="data_alias_name").value == ""  # the form starts empty again
    assert at.selectbox(key="data_alias_filter").value == "bromma"  # the list of the name's district
    listed = frame(at, "Namn i texten")
    assert ["Provgränden", "Bromma", "Brommaplan"] in listed.values.tolist()
    [(user, action, detail)] = read(app_db_copy, "select user_name, action, detail from audit_log "
                                             "where entity = 'place_alias'")
    assert action == "create" and user.startswith("lokal:") and "Provgränden" in detail

    at.selectbox(key="data_alias_remove_choice").select("Provgränden").run()
    button(at, "Ta bort namn …").click().run()
    assert any("Ta bort platsnamnet ”Provgränden”?" in w.value for w in at.warning)
    assert alias_rows(app_db_copy, "Provgränden") != []  # asking is not removing
    button(at, "Ja, ta bort ”Provgränden”").click().run()
    no_exception(at)
    assert alias_rows(app_db_copy, "Provgränden") == []
    assert any("Platsnamnet ”Provgränden” är borttaget" in s.value for s in at.success)
    assert "Provgränden" not in set(frame(at, "Namn i texten")["Namn i texten"])
    assert [a for (a,) in read(app_db_copy, "select action from audit_log where entity = 'place_alias' order by id")] == [
        "create", "delete"]


def test_a_refused_place_name_says_why_and_writes_nothing(app_db_copy: Path | str) -> None:
    at = open_page()
    before = checksums(app_db_copy)
    at.text_input(key="data_alias_name").input("Vällingby C").run()
    at.selectbox(key="data_alias_district").select("bromma").run()
    button(at, "Lägg till namn").click().run()
    no_exception(at)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("”Vällingby C” finns redan och pekar på platsen Vällingby centrum i Hässelby-Vällingby" in e
               for e in errors), errors
    assert at.text_input(key="data_alias_name").value == "Vällingby C"  # kept, to correct it
    assert checksums(app_db_copy) == before
    assert not at.run().error  # the refusal is shown once


def test_removing_a_place_name_can_be_cancelled(db_file: Path) -> None:
    at = open_page()
    at.selectbox(key="data_alias_remove_choice").select("Vällingby C").run()
    button(at, "Ta bort namn …").click().run()
    button(at, "Avbryt").click().run()
    no_exception(at)
    assert not [w for w in at.warning if "Ta bort platsnamnet" in w.value]
    assert alias_rows(db_file, "Vällingby C") == [("hasselby-vallingby", "vallingby-centrum")]


def test_the_place_names_of_every_district_can_be_listed(db_file: Path) -> None:
    at = open_page()
    at.selectbox(key="data_alias_filter").select("").run()
    (total,) = read(db_file, "select count(*) from place_alias")[0]
    listed = frame(at, "Namn i texten")
    assert len(listed) == total
    assert {"Bromma", "Hässelby-Vällingby", "Norra innerstaden"} <= set(listed["Stadsdelsområde"])


def test_a_police_file_checked_before_a_new_place_name_is_placed_anew(reference_db_copy: Path) -> None:
    """prepare() keeps a checked file across reruns, but parses a police file again once the data changed."""
    content = json.dumps([{"id": 9, "datetime": "2025-03-01 22:05:00 +01:00", "name": "1 mars 21.14, Rån, Stockholm",
                           "summary": "Rån på Provgränden.", "type": "Rån", "location": {"name": "Stockholm"}}])
    with closing(duckdb.connect(str(reference_db_copy))) as con:
        first = data.prepare(con, content.encode(), "h.json", LoadKind.POLICE, file_id="a", version="1")
        assert first.sample["Område"].tolist() == [data.CITY_ONLY]
        aliases.add_alias(con, user=access.local("anna"), alias="Provgränden", district="bromma")
        again = data.prepare(con, content.encode(), "h.json", LoadKind.POLICE, file_id="a", version="2", known=first)
    assert again.sample["Område"].tolist() == ["Bromma"]
