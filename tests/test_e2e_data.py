"""Data in headless Chromium at 1920×1080: upload a CSV, see the preview, load it, see it in the history, undo.

The test runs its own dashboard on its own copy of the demo database (not the shared dashboard_url),
so its loads are never seen by the other browser tests. Screenshots for review: test-output/e2e/data-*.png (problems, preview, the rows and the button, loaded,
the undo question, the history after the undo).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e_support import ERROR_ELEMENTS, choose_file, open_page, screenshot, settled, streamlit_server

HEADER = "indikator;område;plats;period;värde;n\n"
GOOD = HEADER + "anmalda-brott-omrade;Bromma;;2025-10;12;\nanmalda-brott-omrade;Bromma;;2025-11;13;\n"
BAD = HEADER + "anmalda-brot;Bromma;;2025-10;12;\nanmalda-brott-omrade;Bromma;;2025-11;tolv;\n"


@pytest.fixture(scope="module")
def data_url(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a dashboard of its own, on a private copy of the demo database."""
    folder = tmp_path_factory.mktemp("data-page")
    path = folder / "demo.duckdb"
    path.write_bytes(demo_db_path.read_bytes())
    with streamlit_server(path, folder / "streamlit.log") as url:
        yield url


def test_upload_preview_load_and_undo(browser: Any, data_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{data_url}/data")
    try:
        expect(page.get_by_role("heading", name="Data")).to_be_visible()

        choose_file(page, tmp_path, "fel.csv", BAD)
        expect(page.get_by_text("fel.csv har 2 problem. Inget har lästs in.")).to_be_visible()
        settled(page)
        screenshot(page, "data-problems")

        choose_file(page, tmp_path, "brott-okt.csv", GOOD)
        expect(page.get_by_text("Förhandsgranskning: brott-okt.csv")).to_be_visible()
        expect(page.locator("[data-testid=stMetric]").filter(has_text="Nya")).to_contain_text("2")
        settled(page)
        screenshot(page, "data-preview")
        page.get_by_role("button", name="Läs in").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        screenshot(page, "data-preview-rows")

        page.get_by_role("button", name="Läs in").click()
        success = page.locator("[data-testid=stAlertContentSuccess]")
        expect(success).to_contain_text("är inläst")
        settled(page)
        screenshot(page, "data-loaded")
        load_id = int(success.inner_text().split("Laddning ")[1].split(" ")[0])
        assert page.locator(ERROR_ELEMENTS).count() == 0

        page.get_by_role("tab", name="Laddningar").click()
        page.get_by_role("button", name="Ångra vald laddning").click()
        expect(page.get_by_text(f"Ångra laddning {load_id} (brott-okt.csv)?")).to_be_visible()
        settled(page)
        screenshot(page, "data-undo")
        page.get_by_role("button", name=f"Ja, ångra laddning {load_id}").click()
        expect(page.locator("[data-testid=stAlertContentSuccess]")).to_contain_text(f"Laddning {load_id}")
        expect(page.locator("[data-testid=stAlertContentSuccess]")).to_contain_text("är ångrad")
        page.get_by_role("tab", name="Laddningar").click()
        settled(page)
        screenshot(page, "data-history")
        assert page.locator(ERROR_ELEMENTS).count() == 0
    finally:
        page.close()
