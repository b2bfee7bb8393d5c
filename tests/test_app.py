"""The Streamlit app in AppTest: start-up, the district in the URL, notices and errors (Översikt: test_app_oversikt.py).

Every page's smoke test and the tests taking app_db run on both backends: the embedded DuckDB file and the shared
lake (tests/backends.py); the page modules test_app_*.py parametrise their main tests the same way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from followup import config, db, reference, status
from webapp import components

APP = "../dashboard.py"  # AppTest.from_file resolves paths relative to this file
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)


pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture(scope="session")
def reference_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema and the reference data only: real areas and goals, no demo flag."""
    path = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    con = db.open_database(path)
    con.execute("begin transaction")
    reference.load_reference(con)
    con.execute("commit")
    con.close()
    return path


@pytest.fixture
def reference_db(reference_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the reference-only database; FOLLOWUP_DB points at it."""
    path = tmp_path / "reference.duckdb"
    shutil.copyfile(reference_template, path)
    monkeypatch.setenv(config.DB_ENV, str(path))
    return path


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with the schema and nothing else; FOLLOWUP_DB points at it."""
    path = tmp_path / "empty.duckdb"
    db.open_database(path).close()
    monkeypatch.setenv(config.DB_ENV, str(path))
    return path


def run_app(omrade: str | None = None) -> AppTest:
    """Run the app once from its entry file, with ?omrade= when given."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if omrade is not None:
        at.query_params["omrade"] = omrade
    return at.run()


def shown(text: str) -> str:
    """Markdown as the reader sees it: escapes removed, no-break spaces as spaces."""
    return text.replace("\\", "").replace("\u00a0", " ")


def title(at: AppTest) -> str:
    """The page title as shown."""
    return shown(at.title[0].value)


def test_demo_database_shows_the_demo_notice(demo_db_copy: Path) -> None:
    at = run_app()
    assert [w.value for w in at.main.warning] and "Exempeldata – påhittade siffror" in at.main.warning[0].value


def test_omrade_in_the_url_selects_the_district(reference_db: Path) -> None:
    at = run_app(omrade="Bromma")
    assert not at.exception
    assert title(at) == "Översikt – Bromma"
    assert at.sidebar.selectbox(key="omrade").value == "bromma"


@pytest.mark.parametrize("omrade", ["nonsense", "", "bromma ", "Rinkeby-Kista", "<script>alert(1)</script>"])
def test_unknown_omrade_falls_back_to_the_default(reference_db: Path, omrade: str) -> None:
    at = run_app(omrade=omrade)
    assert not at.exception
    assert title(at) == "Översikt – Hässelby-Vällingby"
    assert at.sidebar.selectbox(key="omrade").value == "hasselby-vallingby"
    notices = [info.value for info in at.info]
    if omrade.strip():
        assert any("stadsdelsområde" in text and "Hässelby" in text for text in notices), notices
    else:
        assert notices == []


def test_status_help_page_explains_the_rules_and_symbols(reference_db: Path) -> None:
    at = run_app()
    at.switch_page("views/status_help.py").run()
    assert not at.exception
    assert title(at) == "Hur räknas status?"
    text = " ".join(m.value for m in at.markdown)
    for word in ("Förbättras", "Oförändrat", "Försämras", "Ingen bedömning", "I fas", "Risk", "Efter plan",
                 "Poisson", "konfidensintervall", "1–4"):
        assert word in text, word


def test_district_list_holds_the_areas_in_force_today(reference_db: Path) -> None:
    at = run_app()
    options = at.sidebar.selectbox(key="omrade").options
    assert "Järva" in options and "Norra innerstaden" in options
    assert "Rinkeby-Kista" not in options and "Stockholms stad" not in options
    assert len(options) == 11


def test_choosing_a_district_in_the_sidebar_changes_the_page(app_db: Path | str) -> None:
    at = run_app()
    at.sidebar.selectbox(key="omrade").set_value("farsta").run()
    assert not at.exception
    assert title(at) == "Översikt – Farsta"
    # the rerun went through the entry file again: its sidebar and notice are still there
    assert at.sidebar.selectbox(key="omrade").value == "farsta"
    assert len(at.main.warning) == 1  # the demo notice (the sidebar holds the local-mode banner)


PAGES = {  # every page of the navigation (dashboard.py) and the h1 it opens with on the demo's default district
    "views/oversikt.py": "Översikt – Hässelby-Vällingby",
    "views/omrade.py": "1. Unga i riskzon för destruktivt beteende – Hässelby-Vällingby",
    "views/platser.py": "Platser – Hässelby-Vällingby",
    "views/trender.py": "Trender",
    "views/handlingsplan.py": "Handlingsplan – Hässelby-Vällingby",
    "views/styrgrupp.py": "Styrgruppen – Hässelby-Vällingby",
    "views/mote.py": "Hässelby-Vällingby",
    "views/data.py": "Data",
    components.STATUS_HELP_PAGE: "Hur räknas status?",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_opens_on_the_demo(app_db: Path | str, page: str) -> None:
    """The smoke test of every page, on each backend: it runs without an exception or an error box and shows
    its title and the demo notice."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert title(at).startswith(PAGES[page]), title(at)
    assert any("Exempeldata – påhittade siffror" in w.value for w in at.main.warning)


def test_every_page_of_the_navigation_has_a_smoke_test() -> None:
    """A new page in dashboard.py needs its entry in PAGES above (and so a smoke test on each backend)."""
    source = (config.ROOT / "dashboard.py").read_text(encoding="utf-8")
    listed = set(re.findall(r'st\.Page\("(views/[a-z_]+\.py)"', source))
    assert listed | {components.STATUS_HELP_PAGE} == set(PAGES)


def test_no_pages_folder_beside_the_entry_file() -> None:
    # Streamlit runs a folder named pages/ as a legacy multipage app on a process's first run and on
    # every AppTest run, skipping dashboard.py (no connection, no sidebar); page scripts go in views/.
    assert not (config.ROOT / "pages").exists()


def test_empty_database_shows_how_to_fill_it(empty_db: Path) -> None:
    at = run_app()
    assert not at.exception
    assert len(at.info) == 1
    assert "Databasen är tom" in at.info[0].value and "python -m followup demo" in at.info[0].value
    assert not at.header and not at.main.warning


def test_busy_database_shows_message_and_retry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               reference_template: Path) -> None:
    path = tmp_path / "busy.duckdb"
    shutil.copyfile(reference_template, path)
    monkeypatch.setenv(config.DB_ENV, str(path))
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        at = run_app()
        assert not at.exception
        assert len(at.error) == 1
        assert f"används av process {holder.pid}" in shown(at.error[0].value)
        assert at.button[0].label == "Försök igen"
        assert not at.header
    finally:
        holder.communicate(input="", timeout=RUN_TIMEOUT)  # closing stdin ends the holder
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert len(at.header) == 5


def test_not_a_database_file_shows_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("inte en databas", encoding="utf-8")
    monkeypatch.setenv(config.DB_ENV, str(path))
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1 and "ingen DuckDB-databas" in shown(at.error[0].value)


@pytest.mark.parametrize("value", ["ducklake:sqlite:/srv/followup.db", "ducklake:"])
def test_a_shared_database_address_without_postgresql_shows_message(monkeypatch: pytest.MonkeyPatch, value: str
                                                                     ) -> None:
    monkeypatch.setenv(config.DB_ENV, value)
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1 and "katalog i PostgreSQL" in shown(at.error[0].value)
    assert at.button[0].label == "Försök igen"


def test_unwritable_place_for_a_new_database_shows_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(config.DB_ENV, str(blocker / "followup.duckdb"))  # its folder would be a file
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1 and "FOLLOWUP_DB" in shown(at.error[0].value)
    assert at.button[0].label == "Försök igen"


@pytest.mark.parametrize("value", [*status.Trend, *status.TargetStatus])
def test_status_markdown_has_icon_word_and_colour(value: status.Trend | status.TargetStatus) -> None:
    shown = status.DISPLAY[value]
    text = components.status_markdown(value)
    assert shown.icon in text and shown.word in text
    assert text.startswith(f":{components.STATUS_COLOURS[value]}-background[")


def test_the_data_version_is_read_once_per_run(app_db: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cached query of a run is keyed on one data version, read once, not once per query (on the shared
    backend the version is the lake's snapshot id)."""
    from followup import lake, queries

    calls: list[str] = []
    real_run, real_snapshot = queries.run, lake.snapshot_id

    def counting_run(con, name, **params):  # noqa: ANN001, ANN202
        calls.append(name)
        return real_run(con, name, **params)

    def counting_snapshot(con):  # noqa: ANN001, ANN202
        calls.append("data_version")
        return real_snapshot(con)

    monkeypatch.setattr(queries, "run", counting_run)
    monkeypatch.setattr(lake, "snapshot_id", counting_snapshot)
    at = AppTest.from_file(str(config.ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("views/oversikt.py").run()
    assert not at.exception
    calls.clear()
    at.run()  # a cached rerun of Översikt, which calls a dozen cached queries
    assert calls.count("data_version") == 1, calls
