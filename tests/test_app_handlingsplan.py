"""The Handlingsplan page (views/handlingsplan.py, webapp/handlingsplan.py) in AppTest on a copy of the demo:
add an activity through the form, see it listed and filtered, edit it, close it; HTML stays text."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from webapp import handlingsplan
from tests import app_support

PAGE = "views/handlingsplan.py"
RUN_TIMEOUT = 60  # seconds before AppTest gives up on one script run (a ceiling, not an assertion)

pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_page(**params: str) -> AppTest:
    """Run the app on the page with the URL's query parameters."""
    return app_support.open_page(PAGE, timeout=RUN_TIMEOUT, **params)


def submit(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def listed(at: AppTest) -> dict[str, dict]:
    """The table's rows by title."""
    return {row["Insats"]: row for row in at.dataframe[0].value.to_dict("records")}


def test_add_edit_and_close_an_activity(app_db_copy: Path | str) -> None:
    at = open_page()
    assert at.title[0].value == "Handlingsplan – Hässelby\\-Vällingby"
    assert "Platssamverkan Hässelby torg" in listed(at)
    title = "Nattvandring <script>alert(1)</script> **Vällingby**"
    at.text_input(key="ny-title").input(title)
    at.multiselect(key="ny-goals").select("pa2-3")
    at.text_input(key="ny-lead").input("Nattvandrarna")
    at.selectbox(key="ny-place").select("hasselby-torg")
    at.selectbox(key="ny-status").select("ongoing")
    submit(at, "Lägg till insatsen")
    assert [s.value for s in at.success] == ["Insatsen är tillagd\\."]
    row = listed(at)[title]
    assert (row["Mål"], row["Plats"], row["Ansvarig"], row["Status"]) == ("2.3", "Hässelby torg", "Nattvandrarna",
                                                                         "Pågår")
    # shown as text: the table gets the title as data, and no markdown carries it unescaped
    assert all("<script>" not in m.value for m in at.markdown)

    at.selectbox(key="valj-insats").select(int(row["Nr"]))
    at.run()
    prefix = f"andra-{int(row['Nr'])}"
    assert at.text_input(key=f"{prefix}-title").value == title
    at.text_input(key=f"{prefix}-title").input("Nattvandring Vällingby")
    at.text_input(key=f"{prefix}-partners").input("Polisen")
    submit(at, "Spara ändringarna")
    row = listed(at)["Nattvandring Vällingby"]
    assert row["Partner"] == "Polisen" and title not in listed(at)

    at.selectbox(key="valj-insats").select(int(row["Nr"]))
    at.run()
    at.selectbox(key=f"avsluta-{int(row['Nr'])}-status").select("cancelled")
    submit(at, "Avsluta insatsen")
    assert listed(at)["Nattvandring Vällingby"]["Status"] == "Inställd"


def test_refused_activity_shows_why_and_writes_nothing(app_db_copy: Path | str) -> None:
    at = open_page()
    before = len(at.dataframe[0].value)
    at.text_input(key="ny-title").input("Utan mål")
    at.text_input(key="ny-lead").input("SDF")
    submit(at, "Lägg till insatsen")
    assert [e.value for e in at.error] == ["Insatsen har inget mål\\. Välj minst ett mål som insatsen ska bidra till\\."]
    assert len(at.dataframe[0].value) == before


def test_filters_are_in_the_address(app_db_file: Path) -> None:
    at = open_page(plats="Hässelby torg", status="Pågår")
    rows = at.dataframe[0].value
    assert len(rows) > 0
    assert set(rows["Plats"]) == {"Hässelby torg"} and set(rows["Status"]) == {"Pågår"}
    assert at.selectbox(key="plats").value == "hasselby-torg"
    at.selectbox(key=handlingsplan.GOAL_KEY).select("pa2-1").run()
    assert all("2.1" in goals for goals in at.dataframe[0].value["Mål"])
