"""End to end: the Styrgruppen page in headless Chromium at 1920×1080 (see tests/e2e_support.py).

The page opens on the district's latest comment (a demo comment about open drug scenes), with no error
element. Screenshot for review: test-output/e2e/styrgrupp.png.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from e2e_support import ERROR_ELEMENTS, open_page, screenshot


def test_steering_group_page_renders(browser: Any, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{dashboard_url}/styrgrupp?omrade={quote('Hässelby-Vällingby')}")
    expect(page.get_by_role("heading", name="Styrgruppen – Hässelby-Vällingby")).to_be_visible()
    expect(page.get_by_role("paragraph").filter(has_text="Den gemensamma lägesbilden hösten 2025")).to_be_visible()
    expect(page.get_by_role("tab", name="Beslut och åtaganden")).to_be_visible()
    expect(page.get_by_role("textbox", name="Ny version av kommentaren")).to_be_visible()
    assert page.locator(ERROR_ELEMENTS).count() == 0
    screenshot(page, "styrgrupp")
    page.close()
