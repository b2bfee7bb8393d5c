"""End to end: the Handlingsplan page in headless Chromium at 1920×1080 (see tests/e2e_support.py).

The page shows its title and a known demo activity in the table, and no error element. Screenshot for
review: test-output/e2e/handlingsplan.png.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from e2e_support import ERROR_ELEMENTS, open_page, screenshot


def test_action_plan_renders(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/handlingsplan?omrade={quote('Hässelby-Vällingby')}")
    expect(page.get_by_role("heading", name="Handlingsplan – Hässelby-Vällingby")).to_be_visible()
    table = page.locator("[data-testid=stDataFrame]").first
    expect(table).to_be_visible()
    # the data grid draws on a canvas; its accessible table carries the cell text
    expect(table.get_by_text("Platssamverkan Hässelby torg").first).to_be_attached()
    assert page.locator(ERROR_ELEMENTS).count() == 0
    screenshot(page, "handlingsplan")
    page.close()
