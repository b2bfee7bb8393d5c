"""End to end: hostile text typed into the forms stays text in headless Chromium (see tests/e2e_support.py).

The corpus (tests/fixtures/hostile/payloads.json) goes in through the UI, as a user would type it: an activity
(title, organisation, partner, description), a comment, a commitment, place names (Data › Platsnamn) and the
name of an uploaded file. Then Handlingsplan, Styrgruppen, Mötesläge, Prioriterat område, Platser and Data show
them: no payload runs (window.__pwned stays undefined), no link to javascript: or image from the network appears
(hostile.invalid is never requested), and the text is on the page as it was typed. The test runs its own
dashboard on its own copy of the demo database. Screenshots for review: test-output/e2e/hostile-*.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest

from e2e_support import ERROR_ELEMENTS, PAGE_TIMEOUT_MS, VIEWPORT, open_options, screenshot, settled, streamlit_server
from followup import config
from followup.model import Grain
from followup.periods import Period

CORPUS = json.loads((config.ROOT / "tests" / "fixtures" / "hostile" / "payloads.json").read_text(encoding="utf-8"))
IMG, SCRIPT = CORPUS["html"][0], CORPUS["html"][1]
JS_LINK, REMOTE_IMAGE = CORPUS["markdown"][0], CORPUS["markdown"][1]
ENTITIES = CORPUS["html"][6]

HV = f"omrade={quote('Hässelby-Vällingby')}"
TITLE = f"Insats {IMG} {JS_LINK} {REMOTE_IMAGE}"
LEAD = f"Ansvarig {SCRIPT}"
PARTNER = f"Partner **fet** {ENTITIES}"
DESCRIPTION = f"Beskrivning {IMG}"
COMMENT_LINES = [f"Analys {IMG}", f"Länk {JS_LINK}", f"Bild {REMOTE_IMAGE}", f"Entiteter {ENTITIES}",
                 "Streamlit :red[röd] $x^2$ **fet** _kursiv_ `kod`"]
"""Lines of the comment, each shown as typed. (Streamlit turns :material/…: and :smile: into an icon or emoji and
-> into an arrow even when escaped, and shows http://… as a link: harmless, so not part of the literal check.)"""
COMMENT_PERIOD = Period(date(2025, 9, 1), Grain.TERTIAL)
"""The comment is written for T3 2025, a later period than any comment of the demo."""
COMMENT = " ".join(COMMENT_LINES)
"""The comment as the page reads (a line break reads as a space)."""
WHAT = f"Åtagande {SCRIPT} {REMOTE_IMAGE}"
WHO = f"Ansvarig {IMG}"
MEETING_DAY = "2025-06-01"
ALIASES = [f"Torget {IMG}", f"Plan {REMOTE_IMAGE} {JS_LINK}"]
FILE_NAME = "<img src=x onerror=window.__pwned=1> [a](javascript:window.__pwned=1).csv"
"""Without quotes: Chromium sends a quote in an uploaded file's name as %22."""
FILE_ROWS = "\ufeffindikator;område;plats;period;värde;n\nanmalda-brott-omrade;Bromma;;2025-11;12;\n"


@dataclass
class Hostile:
    """The dashboard with the corpus typed in, the URLs every page requested, and the area the comment is on."""

    url: str
    comment_area: tuple[int, str]  # number and name
    requests: list[str] = field(default_factory=list)


def watched(browser: Any, hostile: Hostile, path: str) -> Any:
    """A page at PATH (as e2e_support.open_page opens it) whose every request, from the first, is noted."""
    page = browser.new_page(viewport=VIEWPORT, locale="sv-SE")
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("request", lambda request: hostile.requests.append(request.url))
    page.goto(f"{hostile.url}{path}")
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]")
    page.wait_for_selector("[data-test-script-state=notRunning]")
    return page


def latest_comment_area(path: Path) -> tuple[int, str]:
    """The priority area (number, name) of the goal of the district's latest comment: Styrgruppen opens on that
    goal, and the comment typed there for COMMENT_PERIOD (later than any in the demo) shows on the area's slide."""
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        goal, number, name = con.execute(
            "select c.goal, pa.number, pa.name from comment c "
            "left join goal g on g.code = c.goal left join priority_area pa on pa.code = g.priority_area "
            "where c.district = 'hasselby-vallingby' order by c.created_at desc, c.id desc limit 1").fetchone()
        (later,) = con.execute("select count(*) from comment where district = 'hasselby-vallingby' and "
                               "period_start >= ?", [COMMENT_PERIOD.start]).fetchone()
    assert goal is not None and later == 0, "the demo's latest comment is about a goal, none is later than T3 2025"
    return int(number), str(name)


def type_in(browser: Any, hostile: Hostile, folder: Path) -> None:
    """The corpus typed into the forms and the uploader, as a user would."""
    from playwright.sync_api import expect

    page = watched(browser, hostile, f"/handlingsplan?{HV}")
    form = page.locator("[data-testid=stForm]").filter(has_text="Ny insats")
    form.get_by_label("Rubrik").fill(TITLE)
    form.get_by_label("Ansvarig organisation").fill(LEAD)
    form.get_by_label("Samverkanspartner").fill(PARTNER)
    form.get_by_label("Beskrivning").fill(DESCRIPTION)
    form.locator("[data-testid=stMultiSelect]").click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    form.locator("[data-testid=stSelectbox]").filter(has=page.get_by_text("Plats", exact=True)).click()
    page.get_by_role("option", name="Hässelby torg", exact=True).click()
    form.get_by_role("button", name="Lägg till insatsen").click()
    expect(page.get_by_text("Insatsen är tillagd.")).to_be_visible()
    page.close()

    page = watched(browser, hostile, f"/styrgrupp?{HV}")
    for label, option in (("Periodlängd", "Tertial"), ("Period", COMMENT_PERIOD.label)):
        page.locator("[data-testid=stSelectbox]").filter(has=page.get_by_text(label, exact=True)).click()
        page.get_by_role("option", name=option, exact=True).click()
        settled(page)
    page.get_by_role("textbox", name="Skriv kommentar").fill("\n".join(COMMENT_LINES))
    page.get_by_role("button", name="Spara kommentaren").click()
    expect(page.get_by_text("Kommentaren är sparad.")).to_be_visible()
    settled(page)
    page.get_by_role("tab", name="Beslut och åtaganden").click()
    page.get_by_role("textbox", name="Vad ska göras?").fill(WHAT)
    page.get_by_role("textbox", name="Vem ansvarar?").fill(WHO)
    meeting = page.locator("[data-testid=stDateInput]").filter(has=page.get_by_text("Mötesdatum", exact=True))
    meeting.locator("input").fill(MEETING_DAY)  # a meeting in T2 2025, so the commitment is on that meeting's slide
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Lägg till åtagandet").click()
    expect(page.get_by_text("Åtagandet är tillagt.")).to_be_visible()
    page.close()

    page = watched(browser, hostile, f"/data?{HV}")
    file = folder / FILE_NAME
    file.write_text(FILE_ROWS, encoding="utf-8")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(file))
    expect(page.get_by_text(f"Förhandsgranskning: {FILE_NAME}")).to_be_visible()
    settled(page)
    page.get_by_role("button", name="Läs in").click()
    expect(page.locator("[data-testid=stAlertContentSuccess]")).to_contain_text(f"är inläst: {FILE_NAME}")
    settled(page)
    page.get_by_role("tab", name="Platsnamn").click()
    settled(page)
    box = page.get_by_role("textbox", name="Namn som det står i polisens text")
    for alias in ALIASES:
        for _ in range(3):  # a rerun that ends after the text was typed draws the box empty again: type it again
            box.fill(alias)
            page.keyboard.press("Enter")
            settled(page)
            if box.input_value() == alias:
                break
        expect(box).to_have_value(alias)
        page.get_by_role("button", name="Lägg till namn").click()
        # this name's own message, not the one the previous name left on the page
        expect(page.locator("[data-testid=stAlertContentSuccess]")).to_contain_text(f"”{alias}” är tillagt")
        settled(page)
    page.close()


@pytest.fixture(scope="module")
def hostile(browser: Any, demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    """A dashboard of its own (on a private copy of the demo database) with the corpus typed in."""
    folder = tmp_path_factory.mktemp("hostile-e2e")
    path = folder / "demo.duckdb"
    path.write_bytes(demo_db_path.read_bytes())
    area = latest_comment_area(path)
    with streamlit_server(path, folder / "streamlit.log") as url:
        found = Hostile(url, area)
        type_in(browser, found, folder)
        yield found


def assert_inert(page: Any, hostile: Hostile, name: str) -> None:
    """Nothing ran, nothing was fetched from the payloads' host, no javascript: link or foreign image exists."""
    settled(page)
    screenshot(page, f"hostile-{name}")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("a[href^='javascript' i], img[src='x'], img[src*='hostile.invalid'], iframe, svg[onload]"
                        ).count() == 0
    assert any(url.startswith(hostile.url) for url in hostile.requests)  # the listener hears the page's requests
    assert not [url for url in hostile.requests if "hostile.invalid" in url]
    assert page.locator(ERROR_ELEMENTS).count() == 0


def test_the_probes_see_a_payload_that_runs(browser: Any) -> None:
    """The checks of assert_inert notice markup that is rendered as HTML (so their silence above means something)."""
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(f"<p>{IMG} <a href='javascript:void(0)'>x</a> <img src='http://hostile.invalid/pixel.png'></p>")
    page.wait_for_function("() => window.__pwned === 1")
    assert page.locator("a[href^='javascript' i], img[src='x'], img[src*='hostile.invalid']").count() == 3
    page.wait_for_timeout(500)
    assert [url for url in requests if "hostile.invalid" in url]
    page.close()


def in_table(page: Any, text: str) -> None:
    """TEXT is a cell of one of the page's tables (the grid's accessible table carries the cell text)."""
    from playwright.sync_api import expect

    table = page.locator("[data-testid=stDataFrame]").filter(has=page.get_by_text(text, exact=True))
    expect(table.get_by_text(text, exact=True).first).to_be_attached(timeout=30_000)


def test_handlingsplan(browser: Any, hostile: Hostile) -> None:
    from playwright.sync_api import expect

    page = watched(browser, hostile, f"/handlingsplan?{HV}")
    for text in (TITLE, LEAD):  # the grid draws the columns in view only: Partner, the last, is off screen
        in_table(page, text)
    page.get_by_role("tab", name="Ändra eller avsluta").click()
    choice = page.locator("[data-testid=stSelectbox]").filter(has_text="Välj insats att ändra eller avsluta")
    choice.click()
    expect(page.get_by_role("option").filter(has_text=TITLE)).to_be_visible()  # an option is plain text
    page.get_by_role("option").filter(has_text=TITLE).click()
    settled(page)
    expect(page.get_by_role("textbox", name="Beskrivning").last).to_have_value(DESCRIPTION)
    expect(page.get_by_role("textbox", name="Samverkanspartner").last).to_have_value(PARTNER)
    assert_inert(page, hostile, "handlingsplan")
    page.close()


def test_styrgruppen(browser: Any, hostile: Hostile) -> None:
    from playwright.sync_api import expect

    page = watched(browser, hostile, f"/styrgrupp?{HV}")
    expect(page.get_by_text(COMMENT).first).to_be_visible()  # the comment as typed, its lines as lines
    page.get_by_role("tab", name="Beslut och åtaganden").click()
    in_table(page, WHAT)
    in_table(page, WHO)
    assert_inert(page, hostile, "styrgrupp")
    page.close()


def test_mote(browser: Any, hostile: Hostile) -> None:
    from playwright.sync_api import expect

    page = watched(browser, hostile, f"/mote?{HV}&period={COMMENT_PERIOD.code}&bild={2 + hostile.comment_area[0]}")
    expect(page.get_by_text(COMMENT).first).to_be_visible()
    assert_inert(page, hostile, "mote-analys")
    page.close()
    page = watched(browser, hostile, f"/mote?{HV}&period=2025-T2&bild=12")
    in_table(page, TITLE)
    assert_inert(page, hostile, "mote-handlingsplan")
    page.close()
    page = watched(browser, hostile, f"/mote?{HV}&period=2025-T2&bild=13")
    in_table(page, WHAT)
    assert_inert(page, hostile, "mote-ataganden")
    page.close()


def test_platser_and_prioriterat_omrade(browser: Any, hostile: Hostile) -> None:
    from playwright.sync_api import expect

    page = watched(browser, hostile, f"/platser?{HV}&vy=Plats&plats={quote('Hässelby torg')}")
    expect(page.get_by_text(TITLE, exact=True)).to_be_visible()  # the activity's line, its title in bold
    assert_inert(page, hostile, "platser")
    page.close()
    number, name = hostile.comment_area
    page = watched(browser, hostile, f"/omrade?{HV}&prio={quote(f'{number}. {name}')}")
    expect(page.get_by_text(COMMENT).first).to_be_visible()
    assert_inert(page, hostile, "omrade")
    page.close()


def test_data(browser: Any, hostile: Hostile) -> None:
    from playwright.sync_api import expect

    page = watched(browser, hostile, f"/data?{HV}&flik=Laddningar")
    in_table(page, FILE_NAME)
    page.get_by_role("button", name="Ångra vald laddning").click()
    expect(page.locator("[data-testid=stAlertContentWarning]").filter(has_text="Ångra laddning")).to_contain_text(
        FILE_NAME)
    assert_inert(page, hostile, "data-laddningar")
    page.close()
    page = watched(browser, hostile, f"/data?{HV}&flik=Platsnamn")
    # the list of names is longer than the grid shows (it draws the rows in view only): the remove picker has them
    # all, and finds one by the start of its name
    settled(page)
    picker = page.get_by_role("combobox", name="Namn", exact=True)
    for alias in ALIASES:
        open_options(page, picker)  # typed before the list opens, the text is lost
        page.keyboard.type(alias.split(" ")[0] + " ")
        expect(page.get_by_role("option").filter(has_text=alias)).to_be_visible()  # an option is plain text
        page.get_by_role("option").filter(has_text=alias).click()
        settled(page)
    page.get_by_role("button", name="Ta bort namn").click()
    expect(page.get_by_role("button", name=f"Ja, ta bort ”{ALIASES[1]}”")).to_be_visible()  # a label is Markdown
    assert_inert(page, hostile, "data-platsnamn")
    page.close()
