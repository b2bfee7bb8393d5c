"""End to end: `streamlit run dashboard.py` in the background, Debian's headless Chromium at 1920×1080.

The machinery is in tests/e2e_support.py; `browser` and `dashboard_url` are session fixtures in
tests/conftest.py. Screenshots for review go to test-output/e2e/. Without /usr/bin/chromium or the playwright package the
tests are skipped on a workstation and fail under CI (CI=true), so a CI run can never pass without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


from e2e_support import ERROR_ELEMENTS, assert_overview, open_page, screenshot, streamlit_server


def test_first_start_builds_the_demo_database(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "ny" / "followup.duckdb"
    with streamlit_server(path, tmp_path / "streamlit.log") as url:
        page = open_page(browser, url)
        assert_overview(page)
        from playwright.sync_api import expect

        expect(page.get_by_text("Exempeldata – påhittade siffror")).to_be_visible()
        page.screenshot(path=tmp_path / "first-start.png")
    assert path.is_file()


def test_database_problem_shows_a_swedish_message_not_a_traceback(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "anteckningar.duckdb"
    path.write_text("inte en databas", encoding="utf-8")
    with streamlit_server(path, tmp_path / "streamlit.log") as url:
        page = open_page(browser, url)
        from playwright.sync_api import expect

        error = page.locator("[data-testid=stAlertContentError]")
        expect(error).to_contain_text("är ingen DuckDB-databas")
        expect(page.get_by_role("button", name="Försök igen")).to_be_visible()
        assert page.locator(ERROR_ELEMENTS).count() == 1  # the message itself; no traceback
        assert page.locator("[data-testid=stException]").count() == 0
        screenshot(page, "databasfel")
