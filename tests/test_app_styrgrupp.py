"""The Styrgruppen page (views/styrgrupp.py, webapp/styrgrupp.py) in AppTest on a copy of the demo: write and
revise a comment, see the earlier version, lock the period; add a commitment and see it under 'Till nästa möte';
the revised comment is the one shown on Prioriterat område; HTML stays text."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import backends
from webapp.components import plain
from tests import app_support

PAGE = "views/styrgrupp.py"
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)
AREA_2 = "2. Otrygga och brottsutsatta platser"

pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_page() -> AppTest:
    """Run the app on the page with the URL's query parameters."""
    return app_support.open_page(PAGE, timeout=RUN_TIMEOUT)


def click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("markdown", "info", "success", "error", "warning") for e in at.get(kind))


def test_opens_on_the_latest_comment(app_db_file: Path) -> None:
    at = open_page()
    assert at.title[0].value == "Styrgruppen – Hässelby\\-Vällingby"
    assert at.selectbox(key="styrgrupp-subject").value == "pa2-1|"
    assert plain("Den gemensamma lägesbilden hösten 2025 (preliminär)") in texts(at)


def test_revise_see_history_lock_and_the_area_page_shows_the_new_text(app_db_copy: Path | str) -> None:
    at = open_page()
    new = "Två öppna drogscener kvar <script>alert(1)</script>; ny lägesbild i mars."
    at.text_area[0].input(new)
    click(at, "Spara ny version")
    page = texts(at)
    assert plain(new) in page and "<script>" not in page
    assert at.expander[0].label == "Tidigare versioner (1)"
    assert plain("Den gemensamma lägesbilden hösten 2025 (preliminär)") in page  # the old version, kept

    click(at, "Lås 2025 efter mötet")
    assert "Lås 2025? Efter låsningen" in texts(at)
    click(at, "Ja, lås perioden")
    assert "Perioden 2025 är låst efter mötet" in texts(at)
    assert not any(b.label in ("Spara ny version", "Spara kommentaren") for b in at.button)

    at.query_params["prio"] = AREA_2
    at.switch_page("views/omrade.py").run()
    assert not at.exception
    area = texts(at)
    assert plain(new).replace("\\", "") in area.replace("\\", "")
    assert "Den gemensamma lägesbilden hösten 2025" not in area


def test_comment_on_a_subject_without_one_and_html_as_text(app_db_copy: Path | str) -> None:
    at = open_page()
    at.selectbox(key="styrgrupp-subject").select("pa5-1|").run()
    at.selectbox(key="styrgrupp-grain").select("month").run()
    assert "Ingen kommentar om" in texts(at)
    body = "<img src=x onerror=alert(1)> **inte fet**"
    at.text_area[0].input(body)
    click(at, "Spara kommentaren")
    assert plain(body) in texts(at)
    assert not re.search(r"(?<!\\)<img", texts(at))  # every < of the user's text is escaped


def test_demo_commitments_due_and_open_are_on_the_agenda(app_db_file: Path) -> None:
    agenda = open_page().dataframe[0].value
    assert "Följ upp om anmälda brott flyttar från Hässelby torg till Maltesholmstorget." in list(agenda["Vad"])
    assert "Ta fram en plan för platsaktivering av Maltesholmstorget." not in list(agenda["Vad"])  # done


def test_a_commitment_is_on_the_next_agenda_until_done(app_db_copy: Path | str) -> None:
    with backends.writing(app_db_copy) as con:
        con.execute("delete from commitment")  # only the one this test adds
    at = open_page()
    form_area = next(a for a in at.text_area if a.label == "Vad ska göras?")
    form_area.input("Ta fram en plan för <b>Maltesholmstorget</b>")
    next(t for t in at.text_input if t.label == "Vem ansvarar?").input("Kommunpolisen")
    next(d for d in at.date_input if d.label == "Klart senast").set_value(date.today() + timedelta(days=7))
    click(at, "Lägg till åtagandet")
    agenda = at.dataframe[0].value
    assert list(agenda["Vad"]) == ["Ta fram en plan för <b>Maltesholmstorget</b>"]
    assert list(agenda["Vem"]) == ["Kommunpolisen"]
    click(at, "Markera som klart")
    assert "Inga öppna åtaganden att följa upp." in texts(at)
    assert list(at.dataframe[0].value["Status"]) == ["Klart"]
