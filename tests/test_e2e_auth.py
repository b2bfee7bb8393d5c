"""End to end: sign-in through a mock OpenID provider in headless Chromium (see tests/auth_support.py).

One mock provider and one dashboard with [auth] serve the whole module. The provider knows three users:
an editor of Hässelby-Vällingby whose role comes from the token's roles claim (an Entra ID app role), a
reader whose role comes only from the access file, and a user with no role anywhere. The checks:
- an unsigned visitor sees only the "Logga in" page on every address, with no data, and the dashboard has
  not even opened its database;
- a signed-in user without a role sees only "Ingen behörighet", with no data;
- the editor adds an activity to Hässelby-Vällingby's action plan, and for Bromma only reads;
- the reader (access file) reads the action plan but gets no form;
- signing out ends at the "Logga in" page, and the pages are closed again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest

from auth_support import (
    SIGN_IN,
    Account,
    SignInApp,
    close_tab,
    mock_provider,
    new_tab,
    settle,
    sign_in,
    sign_in_dashboard,
    sign_out,
    visit,
)
from e2e_support import AREAS, ERROR_ELEMENTS, assert_overview, screenshot
from table_state import copy_database

EDITOR = Account("redaktor.hv@example.se", ("Followup.Editor.hasselby-vallingby",))
READER = Account("lasare@example.se")
NO_ROLE = Account("utan.roll@example.se")
ACCESS_TOML = f"""
[users."{READER.email}"]
role = "viewer"
"""
"""The access file: the reader's role comes from here only; the editor's from the token, NO_ROLE's from nowhere."""

HV = f"omrade={quote('Hässelby-Vällingby')}"
BROMMA = f"omrade={quote('Bromma')}"
UNSIGNED_PATHS = [
    "/",
    f"/?{HV}",
    f"/omrade?{HV}&prio={quote('2. Otrygga och brottsutsatta platser')}",
    "/platser",
    "/trender?niva=Vecka",
    f"/handlingsplan?{HV}",
    f"/handlingsplan?{BROMMA}&status=Pågående",
    "/styrgrupp",
    "/mote?bild=4",
    "/data",
    "/?skarm=offentlig",
    "/oversikt?skarm=offentlig",
]
"""Addresses an unsigned visitor might try: every page, with scope parameters and the public-screen switch."""

DATA_ELEMENTS = (".js-plotly-plot, [data-testid=stDataFrame], [data-testid=stTable], [data-testid=stMetric], "
                 "[data-testid=stSelectbox], [data-testid=stSidebarNav]")
"""What a page with data shows: charts, tables, key figures, the scope pickers, the navigation."""

ACTIVITY = "Inloggningstest: trygghetsvandring"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The mock OpenID provider with the module's three users."""
    with mock_provider([EDITOR, READER, NO_ROLE]) as url:
        yield url


@pytest.fixture(scope="module")
def app(demo_db_path: Path, provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInApp]:
    """The dashboard with sign-in on a private copy of the demo database and the module's access file."""
    folder = tmp_path_factory.mktemp("auth")
    db_path = folder / "demo.duckdb"
    copy_database(demo_db_path, db_path)
    access_file = folder / "access.toml"
    access_file.write_text(ACCESS_TOML, encoding="utf-8")
    with sign_in_dashboard(db_path, access_file, provider, folder) as running:
        yield running


@pytest.fixture(scope="module")
def demo_words(demo_db_path: Path) -> list[str]:
    """Names the demo shows on its pages: indicators, priority areas, districts and places."""
    with closing(duckdb.connect(str(demo_db_path), read_only=True)) as con:
        names = [row[0] for row in con.execute(
            "select name from indicator union all select name from district where code <> 'stockholm' "
            "union all select name from place").fetchall()]
    return names + AREAS


def assert_no_data(page: Any, demo_words: list[str]) -> None:
    """No chart, table, key figure, picker or navigation; no demo name and no digit anywhere on the page."""
    assert page.locator(DATA_ELEMENTS).count() == 0, "en sida utan behörighet visar diagram, tabeller eller val"
    text = page.locator("body").inner_text()
    shown = [word for word in demo_words if word in text]
    assert not shown, f"namn ur demodatan syns: {shown[:5]}"
    digits = re.findall(r"\S*\d\S*", text)
    assert not digits, f"siffror syns: {digits[:5]}"
    assert page.locator(ERROR_ELEMENTS).count() == 0
    assert page.get_by_text("Page not found").count() == 0, "Streamlits engelska dialog om okänd sida visas"


def test_unsigned_visitor_sees_only_the_sign_in_page(browser: Any, app: SignInApp, demo_words: list[str]) -> None:
    from playwright.sync_api import expect

    page = new_tab(browser)
    for path in UNSIGNED_PATHS:
        visit(page, f"{app.url}{path}")
        expect(page.get_by_role("heading", name=SIGN_IN, level=1)).to_be_visible()
        expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
        assert_no_data(page, demo_words)
        if path == "/":
            screenshot(page, "auth-logga-in")
    close_tab(page)
    if app.sign_ins == 0:  # the module's first test: no one has signed in, so no query may have run
        assert not app.database_open(), "dashboarden öppnade databasen för en besökare som inte loggat in"


def test_user_without_role_sees_no_data(browser: Any, app: SignInApp, demo_words: list[str]) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, app, NO_ROLE)
    for path in ["/", f"/handlingsplan?{HV}", "/data"]:
        visit(page, f"{app.url}{path}")
        expect(page.get_by_role("heading", name="Ingen behörighet", level=1)).to_be_visible()
        expect(page.get_by_text(NO_ROLE.email)).to_be_visible()
        assert_no_data(page, demo_words)
        if path == "/":
            screenshot(page, "auth-ingen-behorighet")
    close_tab(page)


def test_editor_writes_own_district_and_only_reads_another(browser: Any, app: SignInApp) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, app, EDITOR)
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar.get_by_text(f"Inloggad som {EDITOR.email}")).to_be_visible()
    assert_overview(page)

    visit(page, f"{app.url}/handlingsplan?{HV}")
    expect(page.get_by_role("heading", name="Handlingsplan – Hässelby-Vällingby")).to_be_visible()
    form = page.locator("[data-testid=stForm]").filter(has_text="Ny insats")
    form.get_by_label("Rubrik").fill(ACTIVITY)
    form.get_by_label("Ansvarig organisation").fill("Polisen")
    form.locator("[data-testid=stMultiSelect]").click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="Lägg till insatsen").click()
    expect(page.get_by_text("Insatsen är tillagd.")).to_be_visible()
    table = page.locator("[data-testid=stDataFrame]").first
    expect(table.get_by_text(ACTIVITY).first).to_be_attached()
    assert page.locator(ERROR_ELEMENTS).count() == 0

    # another district, chosen in the sidebar's picker: read, but no form to add, change or close
    sidebar.locator("[data-testid=stSelectbox]").filter(has_text="Stadsdelsområde").click()
    page.get_by_role("option", name="Bromma", exact=True).click()
    expect(page.get_by_role("heading", name="Handlingsplan – Bromma")).to_be_visible()
    settle(page)  # the rerun for Bromma has finished: no element of Hässelby-Vällingby's page is left
    expect(page.get_by_text("Du kan läsa men inte ändra").first).to_be_visible()
    assert BROMMA in page.url
    for button in ["Lägg till insatsen", "Spara ändringarna", "Avsluta insatsen"]:
        assert page.get_by_role("button", name=button).count() == 0, f"{button} erbjuds för Bromma"
    expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
    assert page.get_by_text(ACTIVITY).count() == 0
    screenshot(page, "auth-redaktor-bromma")
    close_tab(page)


def test_reader_from_access_file_reads_without_forms(browser: Any, app: SignInApp) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, app, READER)
    expect(page.locator("[data-testid=stSidebar]").get_by_text(f"Inloggad som {READER.email}")).to_be_visible()
    assert_overview(page)
    visit(page, f"{app.url}/handlingsplan?{HV}")
    expect(page.get_by_role("heading", name="Handlingsplan – Hässelby-Vällingby")).to_be_visible()
    expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
    expect(page.get_by_text("Du kan läsa men inte ändra").first).to_be_visible()
    assert page.get_by_role("button", name="Lägg till insatsen").count() == 0
    close_tab(page)


def test_sign_out_returns_to_the_sign_in_page(browser: Any, app: SignInApp, demo_words: list[str]) -> None:
    from playwright.sync_api import expect

    page = sign_in(browser, app, EDITOR)
    expect(page.locator("[data-testid=stSidebar]").get_by_text(f"Inloggad som {EDITOR.email}")).to_be_visible()
    sign_out(page, app)
    expect(page.get_by_role("heading", name=SIGN_IN, level=1)).to_be_visible()
    visit(page, f"{app.url}/handlingsplan?{HV}")  # the cookie is gone: the pages are closed again
    expect(page.get_by_role("heading", name=SIGN_IN, level=1)).to_be_visible()
    assert_no_data(page, demo_words)
    close_tab(page)
